/* package.h: plugin packages. A package is a stored-only ZIP file
 * (`NAME.yoi-plugin`) read by our own bounded reader with yoi's exact rules,
 * or a directory `NAME.yoi-plugin/` holding the same files. Both give a
 * sorted list of files and yoi's deterministic digest. Diagnostics carry
 * yoi's kinds, phases and fixed message strings: never a filesystem path. */
#ifndef WASMGATE_PACKAGE_H
#define WASMGATE_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/util.h"
#include "wasmgate/limits.h"

/* The package layer's result: OK, or yoi's diagnostic kind, which is also
 * the kind of the wg_pkg_diag a failing function fills. Names are
 * snake_case ("ok", "missing", ...). */
typedef enum wg_pkg_code {
  WG_PKG_OK = 0,
  WG_PKG_MISSING,
  WG_PKG_DUPLICATE,
  WG_PKG_AMBIGUOUS,
  WG_PKG_VERSION,
  WG_PKG_DIGEST,
  WG_PKG_API,
  WG_PKG_SURFACE,
  WG_PKG_GRANT,
  WG_PKG_MALFORMED,
  WG_PKG_TRAVERSAL,
  WG_PKG_BOUNDS,
  WG_PKG_IO,
} wg_pkg_code;

typedef enum wg_pkg_phase {
  WG_PKG_PHASE_DISCOVERY,
  WG_PKG_PHASE_MANIFEST,
  WG_PKG_PHASE_RESOLUTION,
} wg_pkg_phase;

/* yoi bounds messages to 240 bytes plus an ellipsis; 256 holds that. */
enum { WG_PKG_MESSAGE_MAX = 256 };

typedef struct wg_pkg_diag {
  wg_pkg_code kind; /* never WG_PKG_OK once a function failed */
  wg_pkg_phase phase;
  char message[WG_PKG_MESSAGE_MAX]; /* fixed English text, no paths */
} wg_pkg_diag;

const char *wg_pkg_code_name(wg_pkg_code code);
const char *wg_pkg_phase_name(wg_pkg_phase phase);
/* yoi's safe I/O words: an errno reduced to "not
 * found", "permission denied", "already exists", "invalid input", "invalid
 * data" or "I/O error", so no path or system text reaches a diagnostic. */
const char *wg_pkg_io_word(int err);

/* The defaults (WG_PKG_MAX_*) are in limits.h. */
typedef struct wg_pkg_limits {
  size_t max_packages_per_store; /* used by discovery (config layer) */
  uint64_t max_package_size;     /* bytes of the .yoi-plugin file */
  size_t max_manifest_size;      /* bytes of plugin.toml */
  size_t max_entries;            /* ZIP entries; files of a directory */
  uint64_t max_file_size;        /* bytes of one entry */
  uint64_t max_expanded_size;    /* sum of entry sizes */
  unsigned max_dir_depth;        /* directory packages: nesting levels */
} wg_pkg_limits;

/* The defaults above. Every open function takes NULL to mean these. */
wg_pkg_limits wg_pkg_limits_default(void);

/* One file of a package. Paths are normalized (wg_pkg_path_valid), so they are
 * also valid C strings; `data` stays valid until wg_pkg_free. */
typedef struct wg_pkg_file {
  const char *path;
  size_t path_len;
  const uint8_t *data;
  size_t size;
} wg_pkg_file;

typedef struct wg_pkg wg_pkg;

/* "sha256:" + 64 lowercase hex + NUL. */
enum { WG_PKG_DIGEST_LEN = 72 };

/* Every function here and in manifest.h that fills a wg_pkg_diag (but
 * wg_pkg_pack, whose wg_pkg_pack_code says which step failed) returns
 * WG_PKG_OK, or the kind of the diagnostic it filled. The diagnostic is
 * cleared first; NULL is allowed (the code alone is then the answer).
 *
 * Each open function either returns WG_PKG_OK and a package (files sorted
 * by byte-wise path, root plugin.toml present, at most max_manifest_size
 * bytes and valid UTF-8, digest computed), or a failure and *diag. The
 * manifest's TOML content is not checked here. */

/* A ZIP package in memory (the bytes are copied). */
wg_pkg_code wg_pkg_open_bytes(const uint8_t *bytes, size_t len,
                              const wg_pkg_limits *limits, wg_pkg **out,
                              wg_pkg_diag *diag);
/* A ZIP package file. Never follows a symlink, never blocks on a FIFO, checks
 * the size from fstat before reading. */
wg_pkg_code wg_pkg_open_file(const char *path, const wg_pkg_limits *limits,
                             wg_pkg **out, wg_pkg_diag *diag);
/* A directory package. The walk stays under the directory's fd (openat,
 * O_NOFOLLOW); symlinks, FIFOs, devices and non-UTF-8 names are rejected. */
wg_pkg_code wg_pkg_open_dir(const char *path, const wg_pkg_limits *limits,
                            wg_pkg **out, wg_pkg_diag *diag);
/* A file or directory package, whichever `path` is (a symlink is neither). */
wg_pkg_code wg_pkg_open_path(const char *path, const wg_pkg_limits *limits,
                             wg_pkg **out, wg_pkg_diag *diag);
void wg_pkg_free(wg_pkg *pkg);

size_t wg_pkg_file_count(const wg_pkg *pkg);
const wg_pkg_file *wg_pkg_file_at(const wg_pkg *pkg, size_t index);
/* Exact lookup by normalized path; NULL if absent. */
const wg_pkg_file *wg_pkg_find(const wg_pkg *pkg, const char *path);
/* True if the package was read from a directory. */
bool wg_pkg_is_dir(const wg_pkg *pkg);
/* Copies the package digest (docs/design.md#digest) into out. */
void wg_pkg_digest(const wg_pkg *pkg, char out[WG_PKG_DIGEST_LEN]);
/* yoi's digest_matches: `expected` must start with "sha256:" and its hex
 * part must equal the actual hex exactly (case-sensitive). */
bool wg_pkg_digest_matches(const char *expected, const char *actual);

/* yoi's normalize_archive_path (docs/design.md#archive-paths): true if the
 * path is acceptable (its normalized form is the same bytes). */
bool wg_pkg_path_valid(const char *path, size_t len);

/* The root plugin.toml (always present in an opened package; at most
 * max_manifest_size bytes of valid UTF-8). */
const wg_pkg_file *wg_pkg_manifest_file(const wg_pkg *pkg);

/* yoi's validate_manifest_path, for paths the manifest references
 * (runtime.entry, hooks[].file): WG_PKG_OK and *file if `path` normalizes
 * and is in the package; else `traversal` ("plugin manifest references a path
 * outside the package root") or `missing` ("... not present in the
 * package"), phase manifest. */
wg_pkg_code wg_pkg_resolve_ref(const wg_pkg *pkg, const char *path, size_t len,
                               const wg_pkg_file **file, wg_pkg_diag *diag);

/* Serializes the package as a deterministic stored ZIP: entries in path
 * order, fixed timestamps (1980-01-01 00:00), flags 0x0800, mode 0644,
 * correct CRC-32s, no directory entries. Returns false on overflow of
 * `out`'s cap or out of memory. */
bool wg_pkg_write_zip(const wg_pkg *pkg, wg_buf *out);

/* Outcome of wg_pkg_pack. */
typedef enum wg_pkg_pack_code {
  WG_PKG_PACK_OK = 0,
  WG_PKG_PACK_BAD_PACKAGE,  /* the input is not a valid package: see diag */
  WG_PKG_PACK_BAD_OUTPUT,   /* output inside the input, a symlink, a
                               directory or not a regular file */
  WG_PKG_PACK_WRITE_FAILED, /* I/O error writing; nothing is left behind */
} wg_pkg_pack_code;

/* "ok", "bad_package", "bad_output", "write_failed". */
const char *wg_pkg_pack_code_name(wg_pkg_pack_code code);

/* Reads directory package `dir` and writes its ZIP form to `out_path`
 * atomically (temp file in the same directory, fsync, rename). The output is
 * re-read before the rename and must give the same digest. On success the
 * digest is stored in digest_out (if non-NULL). */
wg_pkg_pack_code wg_pkg_pack(const char *dir, const char *out_path,
                             const wg_pkg_limits *limits,
                             char digest_out[WG_PKG_DIGEST_LEN],
                             wg_pkg_diag *diag);

#endif
