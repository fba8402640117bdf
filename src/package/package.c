/* package.c: opening packages (ZIP bytes, ZIP file, directory, either) and
 * the package object. Both readers hand their files to pkg_finish, which
 * applies the rules after the archive (yoi's read_package): root plugin.toml
 * present (`missing`, phase manifest), at most max_manifest_size bytes
 * (`bounds`), valid UTF-8 (`malformed`); then the digest. Files are opened
 * with O_NOFOLLOW | O_NONBLOCK and checked with fstat before any read, so a
 * symlink is never followed and a FIFO never blocks. */
#include "pkg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

wg_pkg_limits wg_pkg_limits_default(void) {
  return (wg_pkg_limits){
      .max_packages_per_store = WG_PKG_MAX_PACKAGES_PER_STORE,
      .max_package_size = WG_PKG_MAX_PACKAGE_SIZE,
      .max_manifest_size = WG_PKG_MAX_MANIFEST_SIZE,
      .max_entries = WG_PKG_MAX_ENTRIES,
      .max_file_size = WG_PKG_MAX_FILE_SIZE,
      .max_expanded_size = WG_PKG_MAX_EXPANDED_SIZE,
      .max_dir_depth = WG_PKG_MAX_DIR_DEPTH,
  };
}

bool pkg_list_push(pkg_list *list, const wg_pkg_file *file) {
  wg_pkg_file *items = wg_vec_reserve(list->items, &list->alloc, list->count + 1,
                                      sizeof *items, 0);
  if (!items) return false;
  list->items = items;
  list->items[list->count++] = *file;
  return true;
}

void pkg_list_free(pkg_list *list) {
  free(list->items);
  *list = (pkg_list){0};
}

static int file_cmp(const void *a, const void *b) {
  const wg_pkg_file *x = a, *y = b;
  return strcmp(x->path, y->path); /* paths hold no NUL: byte-wise order */
}

static int finish_fail(wg_pkg_diag *d, wg_pkg_code kind, const char *message) {
  pkg_diag_set(d, kind, WG_PKG_PHASE_MANIFEST, message);
  return -1;
}

int pkg_finish(wg_pkg *pkg, pkg_list *files, const wg_pkg_limits *limits,
               wg_pkg_diag *diag) {
  if (files->count > 1)
    qsort(files->items, files->count, sizeof *files->items, file_cmp);
  pkg->files = files->items;
  pkg->count = files->count;
  *files = (pkg_list){0};
  const wg_pkg_file *manifest = wg_pkg_find(pkg, "plugin.toml");
  if (!manifest)
    return finish_fail(diag, WG_PKG_MISSING,
                       "plugin package is missing root plugin.toml");
  if (manifest->size > limits->max_manifest_size)
    return finish_fail(diag, WG_PKG_BOUNDS,
                       "plugin.toml exceeds the configured manifest size bound");
  if (!wg_utf8_valid(manifest->data, manifest->size))
    return finish_fail(diag, WG_PKG_MALFORMED, "plugin.toml is not valid UTF-8");
  if (!pkg_digest_compute(pkg->files, pkg->count, pkg->digest)) {
    pkg_diag_set(diag, WG_PKG_IO, WG_PKG_PHASE_DISCOVERY,
                 "plugin package digest could not be computed");
    return -1;
  }
  return 0;
}

static wg_pkg *pkg_new(void) {
  wg_pkg *pkg = calloc(1, sizeof *pkg);
  if (pkg) wg_arena_init(&pkg->arena, 0);
  return pkg;
}

void wg_pkg_free(wg_pkg *pkg) {
  if (!pkg) return;
  free(pkg->files);
  free(pkg->blob);
  wg_arena_free(&pkg->arena);
  free(pkg);
}

/* After the files were read (rc 0) or not (rc < 0): checks them into pkg
 * (pkg_finish), frees the list, and hands pkg to *out or frees it. */
static int finish(wg_pkg *pkg, pkg_list *files, int rc, const wg_pkg_limits *limits,
                  wg_pkg **out, wg_pkg_diag *diag) {
  if (rc == 0) rc = pkg_finish(pkg, files, limits, diag);
  pkg_list_free(files);
  if (rc < 0) {
    wg_pkg_free(pkg);
    return -1;
  }
  *out = pkg;
  return 0;
}

/* Takes ownership of `blob` (malloc'd, len bytes) and parses it. */
static int open_blob(uint8_t *blob, size_t len, const wg_pkg_limits *limits,
                     wg_pkg **out, wg_pkg_diag *diag) {
  wg_pkg *pkg = pkg_new();
  if (!pkg) {
    free(blob);
    pkg_diag_oom(diag);
    return -1;
  }
  pkg->blob = blob;
  pkg_list files = {0};
  int rc = pkg_zip_parse(blob, len, limits, &pkg->arena, &files, diag);
  return finish(pkg, &files, rc, limits, out, diag);
}

static int open_bytes(const uint8_t *bytes, size_t len,
                      const wg_pkg_limits *limits, wg_pkg **out,
                      wg_pkg_diag *diag) {
  wg_pkg_limits defaults = wg_pkg_limits_default();
  if (!limits) limits = &defaults;
  *out = NULL;
  if (len > limits->max_package_size) {
    pkg_diag_set(diag, WG_PKG_BOUNDS, WG_PKG_PHASE_DISCOVERY, PKG_MSG_TOO_BIG);
    return -1;
  }
  uint8_t *blob = malloc(len ? len : 1);
  if (!blob) {
    pkg_diag_oom(diag);
    return -1;
  }
  if (len) memcpy(blob, bytes, len);
  return open_blob(blob, len, limits, out, diag);
}

wg_pkg_code wg_pkg_open_bytes(const uint8_t *bytes, size_t len,
                              const wg_pkg_limits *limits, wg_pkg **out,
                              wg_pkg_diag *diag) {
  wg_pkg_diag own;
  diag = pkg_diag_begin(diag, &own);
  return pkg_code_of(open_bytes(bytes, len, limits, out, diag), diag);
}

int pkg_read_exact(int fd, uint8_t *buf, size_t size, wg_pkg_diag *diag) {
  size_t got = 0;
  uint8_t extra;
  for (;;) {
    /* Past `size`, read one more byte into `extra` to detect growth. */
    uint8_t *dst = got < size ? buf + got : &extra;
    size_t want = got < size ? size - got : 1;
    ssize_t n = read(fd, dst, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      pkg_diag_io(diag, PKG_MSG_CONTENT_IO, errno);
      return -1;
    }
    if (n == 0) break;
    got += (size_t)n;
    if (got > size) break;
  }
  if (got != size) {
    pkg_diag_set(diag, WG_PKG_IO, WG_PKG_PHASE_DISCOVERY,
                 PKG_MSG_CONTENT_IO ": invalid data");
    return -1;
  }
  return 0;
}

static int open_zip_fd(int fd, const struct stat *st,
                       const wg_pkg_limits *limits, wg_pkg **out,
                       wg_pkg_diag *diag) {
  if (!S_ISREG(st->st_mode)) {
    pkg_diag_set(diag, WG_PKG_MALFORMED, WG_PKG_PHASE_DISCOVERY,
                 PKG_MSG_NOT_REGULAR);
    return -1;
  }
  if (st->st_size < 0 || (uint64_t)st->st_size > limits->max_package_size) {
    pkg_diag_set(diag, WG_PKG_BOUNDS, WG_PKG_PHASE_DISCOVERY, PKG_MSG_TOO_BIG);
    return -1;
  }
  /* Read to EOF with st_size as the bound: a file that grew or shrank since
   * the fstat is refused like a short read. */
  size_t len = (size_t)st->st_size, got = 0;
  uint8_t *blob = NULL;
  int e = 0;
  wg_read_code rs = wg_read_fd(fd, len, &blob, &got, &e);
  if (rs == WG_READ_NOMEM) {
    pkg_diag_oom(diag);
    return -1;
  }
  if (rs == WG_READ_IO) {
    pkg_diag_io(diag, PKG_MSG_CONTENT_IO, e);
    return -1;
  }
  if (rs != WG_READ_OK || got != len) {
    free(blob);
    pkg_diag_set(diag, WG_PKG_IO, WG_PKG_PHASE_DISCOVERY,
                 PKG_MSG_CONTENT_IO ": invalid data");
    return -1;
  }
  return open_blob(blob, len, limits, out, diag);
}

int pkg_open_dir_fd(int fd, const wg_pkg_limits *limits, wg_pkg **out,
                       wg_pkg_diag *diag) {
  wg_pkg *pkg = pkg_new();
  if (!pkg) {
    pkg_diag_oom(diag);
    return -1;
  }
  pkg->is_dir = true;
  pkg_list files = {0};
  int rc = pkg_dir_read(fd, limits, &pkg->arena, &files, diag);
  return finish(pkg, &files, rc, limits, out, diag);
}

/* Opens `path` without following a symlink or blocking on a FIFO. A symlink
 * (ELOOP) or a socket (ENXIO) gets `not_what`: yoi says "not a regular
 * file" of any candidate that is not one. */
static int open_nofollow(const char *path, const char *not_what,
                         wg_pkg_diag *diag) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) return fd;
  if (errno == ELOOP || errno == ENXIO)
    pkg_diag_set(diag, WG_PKG_MALFORMED, WG_PKG_PHASE_DISCOVERY, not_what);
  else
    pkg_diag_io(diag, PKG_MSG_META_IO, errno);
  return -1;
}

typedef enum open_want { WANT_FILE, WANT_DIR, WANT_EITHER } open_want;

static wg_pkg_code open_any(const char *path, open_want want,
                            const wg_pkg_limits *limits, wg_pkg **out,
                            wg_pkg_diag *diag) {
  wg_pkg_limits defaults = wg_pkg_limits_default();
  if (!limits) limits = &defaults;
  *out = NULL;
  wg_pkg_diag own;
  diag = pkg_diag_begin(diag, &own);
  const char *not_what = want == WANT_DIR ? PKG_MSG_NOT_DIR : PKG_MSG_NOT_REGULAR;
  int fd = open_nofollow(path, not_what, diag);
  if (fd < 0) return pkg_code_of(-1, diag);
  struct stat st;
  int rc = -1;
  if (fstat(fd, &st) != 0) {
    pkg_diag_io(diag, PKG_MSG_META_IO, errno);
  } else if (S_ISDIR(st.st_mode) && want != WANT_FILE) {
    rc = pkg_open_dir_fd(fd, limits, out, diag);
  } else if (want == WANT_DIR) {
    pkg_diag_set(diag, WG_PKG_MALFORMED, WG_PKG_PHASE_DISCOVERY, PKG_MSG_NOT_DIR);
  } else {
    rc = open_zip_fd(fd, &st, limits, out, diag);
  }
  close(fd);
  return pkg_code_of(rc, diag);
}

wg_pkg_code wg_pkg_open_file(const char *path, const wg_pkg_limits *limits,
                             wg_pkg **out, wg_pkg_diag *diag) {
  return open_any(path, WANT_FILE, limits, out, diag);
}

wg_pkg_code wg_pkg_open_dir(const char *path, const wg_pkg_limits *limits,
                            wg_pkg **out, wg_pkg_diag *diag) {
  return open_any(path, WANT_DIR, limits, out, diag);
}

wg_pkg_code wg_pkg_open_path(const char *path, const wg_pkg_limits *limits,
                             wg_pkg **out, wg_pkg_diag *diag) {
  return open_any(path, WANT_EITHER, limits, out, diag);
}

size_t wg_pkg_file_count(const wg_pkg *pkg) { return pkg->count; }

const wg_pkg_file *wg_pkg_file_at(const wg_pkg *pkg, size_t index) {
  return index < pkg->count ? &pkg->files[index] : NULL;
}

const wg_pkg_file *wg_pkg_find(const wg_pkg *pkg, const char *path) {
  size_t lo = 0, hi = pkg->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(pkg->files[mid].path, path);
    if (c == 0) return &pkg->files[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

bool wg_pkg_is_dir(const wg_pkg *pkg) { return pkg->is_dir; }

void wg_pkg_digest(const wg_pkg *pkg, char out[WG_PKG_DIGEST_LEN]) {
  memcpy(out, pkg->digest, WG_PKG_DIGEST_LEN);
}

const wg_pkg_file *wg_pkg_manifest_file(const wg_pkg *pkg) {
  return wg_pkg_find(pkg, "plugin.toml");
}

wg_pkg_code wg_pkg_resolve_ref(const wg_pkg *pkg, const char *path, size_t len,
                               const wg_pkg_file **file, wg_pkg_diag *diag) {
  *file = NULL;
  wg_pkg_diag own;
  diag = pkg_diag_begin(diag, &own);
  if (!path || !pkg_path_valid(path, len)) {
    pkg_diag_set(diag, WG_PKG_TRAVERSAL, WG_PKG_PHASE_MANIFEST,
                 "plugin manifest references a path outside the package root");
    return WG_PKG_TRAVERSAL;
  }
  /* A valid path holds no NUL, so a bounded copy is the exact key. */
  char *key = strndup(path, len);
  if (!key) {
    pkg_diag_oom(diag);
    return WG_PKG_IO;
  }
  *file = wg_pkg_find(pkg, key);
  free(key);
  if (*file) return WG_PKG_OK;
  pkg_diag_set(diag, WG_PKG_MISSING, WG_PKG_PHASE_MANIFEST,
               "plugin manifest references a path not present in the package");
  return WG_PKG_MISSING;
}
