/* zip_check.h: what must hold for any bytes wg_pkg_open_bytes reads, shared
 * by the seeded mutation run (test_mutate.c) and the libFuzzer entry
 * (fuzz/fuzz_zip.c). Rejected: the returned code is the diagnostic's kind,
 * one an archive can earn, with a non-empty, path-free message. Accepted:
 * the invariants of an opened package (at most WG_PKG_MAX_ENTRIES files,
 * strictly sorted valid paths, a root plugin.toml of at most
 * WG_PKG_MAX_MANIFEST_SIZE bytes, a digest) and a round trip through the
 * writer that gives the same digest; every byte of every file is read. */
#ifndef WG_TESTS_ZIP_CHECK_H
#define WG_TESTS_ZIP_CHECK_H

#include <stdbool.h>
#include <string.h>

#include "wasmgate/limits.h"
#include "wasmgate/package.h"

static inline bool zip_rejected_ok(wg_pkg_code code, const wg_pkg_diag *d) {
  bool kind_ok = code == d->kind &&
                 (d->kind == WG_PKG_MALFORMED || d->kind == WG_PKG_TRAVERSAL ||
                  d->kind == WG_PKG_API || d->kind == WG_PKG_BOUNDS ||
                  d->kind == WG_PKG_DUPLICATE || d->kind == WG_PKG_MISSING);
  return kind_ok && d->message[0] && !strchr(d->message, '/') &&
         memchr(d->message, '\0', sizeof d->message);
}

static inline bool zip_accepted_ok(const wg_pkg *pkg) {
  size_t n = wg_pkg_file_count(pkg);
  if (n == 0 || n > WG_PKG_MAX_ENTRIES) return false;
  volatile unsigned sum = 0; /* touch every byte, for the sanitizers */
  for (size_t i = 0; i < n; i++) {
    const wg_pkg_file *f = wg_pkg_file_at(pkg, i);
    if (!wg_pkg_path_valid(f->path, f->path_len) || strlen(f->path) != f->path_len)
      return false;
    if (i && strcmp(wg_pkg_file_at(pkg, i - 1)->path, f->path) >= 0) return false;
    for (size_t b = 0; b < f->size; b++) sum += f->data[b];
  }
  const wg_pkg_file *m = wg_pkg_manifest_file(pkg);
  if (!m || m->size > WG_PKG_MAX_MANIFEST_SIZE) return false;
  char d1[WG_PKG_DIGEST_LEN], d2[WG_PKG_DIGEST_LEN] = "";
  wg_pkg_digest(pkg, d1);
  wg_buf out;
  wg_buf_init(&out, 0);
  wg_pkg *again = NULL;
  wg_pkg_diag d;
  if (wg_pkg_write_zip(pkg, &out) &&
      wg_pkg_open_bytes((const uint8_t *)out.data, out.len, NULL, &again, &d) == WG_PKG_OK)
    wg_pkg_digest(again, d2);
  wg_pkg_free(again);
  wg_buf_free(&out);
  return strlen(d1) == WG_PKG_DIGEST_LEN - 1 && strcmp(d1, d2) == 0;
}

#endif
