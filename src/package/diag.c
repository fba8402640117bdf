/* diag.c: package diagnostics: yoi's kind and phase names
 * (docs/design.md#stores-discovery-and-resolution) and the fixed message
 * helpers. Messages never hold a path or any user
 * text; I/O errors are reduced to yoi's fixed words. */
#include "pkg_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
  [WG_PKG_OK] = "ok",
  [WG_PKG_MISSING] = "missing",     [WG_PKG_DUPLICATE] = "duplicate",
  [WG_PKG_AMBIGUOUS] = "ambiguous", [WG_PKG_VERSION] = "version",
  [WG_PKG_DIGEST] = "digest",       [WG_PKG_API] = "api",
  [WG_PKG_SURFACE] = "surface",     [WG_PKG_GRANT] = "grant",
  [WG_PKG_MALFORMED] = "malformed", [WG_PKG_TRAVERSAL] = "traversal",
  [WG_PKG_BOUNDS] = "bounds",       [WG_PKG_IO] = "io",
};
WG_NAMES_COVER(kind_names, WG_PKG_IO);

static const char *const phase_names[] = {
  [WG_PKG_PHASE_DISCOVERY] = "discovery",
  [WG_PKG_PHASE_MANIFEST] = "manifest",
  [WG_PKG_PHASE_RESOLUTION] = "resolution",
};
WG_NAMES_COVER(phase_names, WG_PKG_PHASE_RESOLUTION);

const char *wg_pkg_code_name(wg_pkg_code code) {
  return WG_NAME_IN(kind_names, code);
}

const char *wg_pkg_phase_name(wg_pkg_phase phase) {
  return WG_NAME_IN(phase_names, phase);
}

wg_pkg_diag *pkg_diag_begin(wg_pkg_diag *d, wg_pkg_diag *own) {
  if (!d) d = own;
  memset(d, 0, sizeof *d);
  return d;
}

wg_pkg_code pkg_code_of(int rc, wg_pkg_diag *d) {
  if (rc == 0) return WG_PKG_OK;
  if (d->kind == WG_PKG_OK) d->kind = WG_PKG_IO;
  return d->kind;
}

void pkg_diag_set(wg_pkg_diag *d, wg_pkg_code kind, wg_pkg_phase phase,
                  const char *message) {
  if (!d) return;
  d->kind = kind;
  d->phase = phase;
  snprintf(d->message, sizeof d->message, "%s", message);
}

/* yoi's safe_io_error: std::io::ErrorKind reduced to a fixed word. */
const char *wg_pkg_io_word(int err) {
  switch (err) {
  case ENOENT: return "not found";
  case EACCES:
  case EPERM: return "permission denied";
  case EEXIST: return "already exists";
  case EINVAL: return "invalid input";
  case EILSEQ: return "invalid data";
  default: return "I/O error";
  }
}

void pkg_diag_io(wg_pkg_diag *d, const char *prefix, int err) {
  if (!d) return;
  d->kind = WG_PKG_IO;
  d->phase = WG_PKG_PHASE_DISCOVERY;
  snprintf(d->message, sizeof d->message, "%s: %s", prefix,
           wg_pkg_io_word(err));
}

void pkg_diag_oom(wg_pkg_diag *d) {
  pkg_diag_set(d, WG_PKG_IO, WG_PKG_PHASE_DISCOVERY,
               "plugin package could not be loaded: out of memory");
}
