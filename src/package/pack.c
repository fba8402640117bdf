/* pack.c: `pack DIR -o FILE`: a directory package to its deterministic ZIP
 * form, written atomically. Invariants:
 *   - the input is opened once (O_DIRECTORY | O_NOFOLLOW) and read with the
 *     directory-package rules, so a bad input writes nothing;
 *   - the output must not be inside the input (checked by device/inode up
 *     the output's ancestor chain, not by comparing path strings) and must
 *     not be a symlink, directory or other non-regular file;
 *   - the bytes are built in memory and re-read with the ZIP reader; the
 *     digest must match the directory's before anything is written;
 *   - they go to a fresh temp file (O_EXCL | O_NOFOLLOW) in the output's
 *     directory, are fsync'd and renamed over the target; any failure
 *     unlinks the temp file, so no partial output is ever left. */
#include "pkg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define PACK_MSG_WRITE "plugin package could not be written"

static const char *const pack_names[] = {
  [WG_PKG_PACK_OK] = "ok",
  [WG_PKG_PACK_BAD_PACKAGE] = "bad_package",
  [WG_PKG_PACK_BAD_OUTPUT] = "bad_output",
  [WG_PKG_PACK_WRITE_FAILED] = "write_failed",
};
WG_NAMES_COVER(pack_names, WG_PKG_PACK_WRITE_FAILED);

const char *wg_pkg_pack_code_name(wg_pkg_pack_code code) {
  return WG_NAME_IN(pack_names, code);
}

static wg_pkg_pack_code pack_bad_output(wg_pkg_diag *d, const char *message) {
  pkg_diag_set(d, WG_PKG_IO, WG_PKG_PHASE_DISCOVERY, message);
  return WG_PKG_PACK_BAD_OUTPUT;
}

static wg_pkg_pack_code pack_write_failed(wg_pkg_diag *d, int err) {
  pkg_diag_io(d, PACK_MSG_WRITE, err);
  return WG_PKG_PACK_WRITE_FAILED;
}

/* Splits out_path into its directory (opened) and its final name. */
static int open_output_parent(const char *out_path, const char **base) {
  const char *slash = strrchr(out_path, '/');
  *base = slash ? slash + 1 : out_path;
  if (!slash) return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  size_t len = slash == out_path ? 1 : (size_t)(slash - out_path);
  char *parent = strndup(out_path, len);
  if (!parent) return -1;
  int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int err = errno;
  free(parent);
  errno = err;
  return fd;
}

/* True if directory `fd` is the input directory or lies below it. */
static bool inside_input(int fd, const struct stat *input) {
  /* O_PATH: walking up needs no read permission on the ancestors. */
  int cur = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  bool inside = false;
  for (unsigned level = 0; cur >= 0 && level < WG_PKG_MAX_PACK_ANCESTORS; level++) {
    struct stat st, up_st;
    if (fstat(cur, &st) != 0) break;
    if (st.st_dev == input->st_dev && st.st_ino == input->st_ino) {
      inside = true;
      break;
    }
    int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (up < 0 || fstat(up, &up_st) != 0 ||
        (up_st.st_dev == st.st_dev && up_st.st_ino == st.st_ino)) {
      if (up >= 0) close(up);
      break; /* reached the root */
    }
    close(cur);
    cur = up;
  }
  if (cur >= 0) close(cur);
  return inside;
}

static wg_pkg_pack_code check_output(int parent_fd, const char *base,
                                     const struct stat *input,
                                     wg_pkg_diag *diag) {
  if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
    return pack_bad_output(diag, "output path does not name a file");
  if (inside_input(parent_fd, input))
    return pack_bad_output(diag, "output path is inside the input package");
  struct stat st;
  if (fstatat(parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISREG(st.st_mode))
    return pack_bad_output(diag, "output path exists and is not a regular file");
  return WG_PKG_PACK_OK;
}

/* A fresh hidden temp name: fixed length, so any target name works. */
static void temp_name(char out[40], unsigned attempt) {
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
    r = wg_now_ns() ^ ((uint64_t)getpid() << 32);
  snprintf(out, 40, ".wasmgate-pack-%016llx%u.tmp", (unsigned long long)r,
           attempt);
}

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static wg_pkg_pack_code write_atomic(int parent_fd, const char *base,
                                     const wg_buf *bytes, wg_pkg_diag *diag) {
  char tmp[40];
  int fd = -1;
  for (unsigned attempt = 0; fd < 0 && attempt < 16; attempt++) {
    temp_name(tmp, attempt);
    fd = openat(parent_fd, tmp,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return pack_write_failed(diag, errno);
  int err = 0;
  if (write_all(fd, bytes->data, bytes->len) != 0 || fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && !err) err = errno;
  if (!err && renameat(parent_fd, tmp, parent_fd, base) != 0) err = errno;
  if (err) {
    unlinkat(parent_fd, tmp, 0);
    return pack_write_failed(diag, err);
  }
  fsync(parent_fd); /* best effort: make the rename durable */
  return WG_PKG_PACK_OK;
}

/* Builds the ZIP and proves the reader accepts it with the same digest. */
static bool build_verified(const wg_pkg *pkg, const wg_pkg_limits *limits,
                           wg_buf *bytes) {
  if (!wg_pkg_write_zip(pkg, bytes)) return false;
  wg_pkg *check = NULL;
  wg_pkg_diag d;
  if (wg_pkg_open_bytes((const uint8_t *)bytes->data, bytes->len, limits,
                        &check, &d) != 0)
    return false;
  bool same = strcmp(check->digest, pkg->digest) == 0;
  wg_pkg_free(check);
  return same;
}

static wg_pkg_pack_code pack_from_fd(int in_fd, const char *out_path,
                                     const wg_pkg_limits *limits,
                                     char digest_out[WG_PKG_DIGEST_LEN],
                                     wg_pkg_diag *diag) {
  struct stat in_st;
  if (fstat(in_fd, &in_st) != 0) {
    pkg_diag_io(diag, PKG_MSG_META_IO, errno);
    return WG_PKG_PACK_BAD_PACKAGE;
  }
  wg_pkg *pkg = NULL;
  if (pkg_open_dir_fd(in_fd, limits, &pkg, diag) != 0)
    return WG_PKG_PACK_BAD_PACKAGE;
  const char *base = NULL;
  wg_buf bytes;
  wg_buf_init(&bytes, 0);
  wg_pkg_pack_code st = WG_PKG_PACK_OK;
  int parent_fd = open_output_parent(out_path, &base);
  if (parent_fd < 0)
    st = pack_write_failed(diag, errno);
  else
    st = check_output(parent_fd, base, &in_st, diag);
  if (st == WG_PKG_PACK_OK && !build_verified(pkg, limits, &bytes)) {
    pkg_diag_set(diag, WG_PKG_IO, WG_PKG_PHASE_DISCOVERY,
                 PACK_MSG_WRITE ": invalid data");
    st = WG_PKG_PACK_WRITE_FAILED;
  }
  if (st == WG_PKG_PACK_OK) st = write_atomic(parent_fd, base, &bytes, diag);
  if (st == WG_PKG_PACK_OK && digest_out) wg_pkg_digest(pkg, digest_out);
  if (parent_fd >= 0) close(parent_fd);
  wg_buf_free(&bytes);
  wg_pkg_free(pkg);
  return st;
}

wg_pkg_pack_code wg_pkg_pack(const char *dir, const char *out_path,
                             const wg_pkg_limits *limits,
                             char digest_out[WG_PKG_DIGEST_LEN],
                             wg_pkg_diag *diag) {
  wg_pkg_limits defaults = wg_pkg_limits_default();
  if (!limits) limits = &defaults;
  int in_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (in_fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR)
      pkg_diag_set(diag, WG_PKG_MALFORMED, WG_PKG_PHASE_DISCOVERY, PKG_MSG_NOT_DIR);
    else
      pkg_diag_io(diag, PKG_MSG_META_IO, errno);
    return WG_PKG_PACK_BAD_PACKAGE;
  }
  wg_pkg_pack_code st = pack_from_fd(in_fd, out_path, limits, digest_out, diag);
  close(in_fd);
  return st;
}
