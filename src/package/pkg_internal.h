/* pkg_internal.h: shared internals of the package layer (prefix pkg_).
 * The archive readers (zip_read.c, dir_package.c) produce an unsorted list
 * of files whose paths and data live in the package's arena or blob;
 * package.c sorts them, checks the root plugin.toml and computes the
 * digest. */
#ifndef WG_PKG_INTERNAL_H
#define WG_PKG_INTERNAL_H

#include "wasmgate/package.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_pkg {
  wg_pkg_file *files; /* sorted by byte-wise path once opened */
  size_t count;
  uint8_t *blob;      /* the ZIP bytes (zip packages); malloc'd */
  wg_arena arena;     /* paths, the file array, directory file contents */
  bool is_dir;
  char digest[WG_PKG_DIGEST_LEN];
};

/* A growable file list used while reading (entries <= limits.max_entries). */
typedef struct pkg_list {
  wg_pkg_file *items;
  size_t count;
  size_t alloc;
} pkg_list;

/* The public functions run the internal steps (0, or -1 with *d set) on
 * the diagnostic pkg_diag_begin gives: the caller's, or `own` when it passed
 * NULL, cleared either way so a stale kind is never taken for the result. */
wg_pkg_diag *pkg_diag_begin(wg_pkg_diag *d, wg_pkg_diag *own);
/* A step's result as the public code: OK for 0, else the diagnostic's
 * kind (made io if a failing step left none: a failure is never OK, and
 * the code is always the kind). */
wg_pkg_code pkg_code_of(int rc, wg_pkg_diag *d);

/* Diagnostics: fixed messages only; pkg_diag_io appends yoi's safe word for
 * an errno ("not found", "permission denied", ...). */
void pkg_diag_set(wg_pkg_diag *d, wg_pkg_code kind, wg_pkg_phase phase,
                  const char *message);
void pkg_diag_io(wg_pkg_diag *d, const char *prefix, int err);
/* The one out-of-memory diagnostic of the layer. */
void pkg_diag_oom(wg_pkg_diag *d);

/* Messages shared by several readers (yoi's exact strings). */
#define PKG_MSG_NOT_REGULAR "plugin package candidate is not a regular file"
#define PKG_MSG_NOT_DIR "plugin package candidate is not a directory"
#define PKG_MSG_TOO_BIG "plugin package exceeds the configured package size bound"
#define PKG_MSG_TOO_MANY "plugin package contains more entries than the configured bound"
#define PKG_MSG_ESCAPES "plugin package entry path escapes the archive root"
#define PKG_MSG_SYMLINK "plugin package contains a symlink entry"
#define PKG_MSG_FILE_BOUND "plugin package entry exceeds the configured per-file bound"
#define PKG_MSG_EXPANDED "plugin package expanded size exceeds the configured bound"
#define PKG_MSG_META_IO "plugin package metadata could not be read"
#define PKG_MSG_CONTENT_IO "plugin package content could not be read"

/* ZIP structure sizes and signatures (APPNOTE 4.3). */
enum {
  PKG_ZIP_LOCAL_SIZE = 30,
  PKG_ZIP_CENTRAL_SIZE = 46,
  PKG_ZIP_EOCD_SIZE = 22,
  PKG_ZIP_EOCD_SEARCH = 22 + 65535, /* record + longest comment */
};
#define PKG_ZIP_SIG_LOCAL 0x04034b50u
#define PKG_ZIP_SIG_CENTRAL 0x02014b50u
#define PKG_ZIP_SIG_EOCD 0x06054b50u

static inline uint16_t pkg_rd16(const uint8_t *p) {
  return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t pkg_rd32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
         ((uint32_t)p[3] << 24);
}

/* The size of the ZIP that wg_pkg_write_zip makes for files whose paths and
 * sizes sum as given: per file a local header, the name twice and a central
 * header, then the end record. Directory packages use it so they are bounded
 * exactly like their zipped form. */
uint64_t pkg_zip_size_for(uint64_t files, uint64_t path_bytes,
                          uint64_t data_bytes);

/* path.c */
bool pkg_path_valid(const char *path, size_t len);

/* crc32.c */
uint32_t pkg_crc32(uint32_t crc, const uint8_t *data, size_t len);

/* digest.c: yoi's digest over files sorted by path. Always true (kept
 * as bool for callers that check). */
bool pkg_digest_compute(const wg_pkg_file *files, size_t count,
                        char out[WG_PKG_DIGEST_LEN]);

/* Appends to a list, growing it; false on out of memory. */
bool pkg_list_push(pkg_list *list, const wg_pkg_file *file);
void pkg_list_free(pkg_list *list);

/* zip_read.c: parses `bytes` with yoi's ZIP rules into files in
 * central-directory order. Paths are copied into `arena`; data points into
 * `bytes`. Returns 0 or -1 with *diag. */
int pkg_zip_parse(const uint8_t *bytes, size_t len,
                  const wg_pkg_limits *limits, wg_arena *arena,
                  pkg_list *files, wg_pkg_diag *diag);

/* dir_package.c: walks the directory open at `dirfd` (the fd stays owned by
 * the caller) into files whose paths and data live in `arena`. */
int pkg_dir_read(int dirfd, const wg_pkg_limits *limits, wg_arena *arena,
                 pkg_list *files, wg_pkg_diag *diag);

/* package.c: reads exactly `size` bytes (the fstat size) of a regular file
 * into buf; a file whose length changes while being read is refused
 * (`io`, "invalid data") rather than trusted. */
int pkg_read_exact(int fd, uint8_t *buf, size_t size, wg_pkg_diag *diag);

/* package.c: opens a directory package from a directory fd (which stays
 * the caller's). */
int pkg_open_dir_fd(int fd, const wg_pkg_limits *limits, wg_pkg **out,
                    wg_pkg_diag *diag);

/* package.c: takes the files read by either reader, sorts them, checks the
 * root plugin.toml and computes the digest. */
int pkg_finish(wg_pkg *pkg, pkg_list *files, const wg_pkg_limits *limits,
               wg_pkg_diag *diag);

#endif
