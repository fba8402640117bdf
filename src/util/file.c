/* file.c: the one bounded whole-file reader. Every layer that reads a file
 * it did not write (config, lock, digest cache, packages, the CLI's inputs)
 * reads it here, so "at most max bytes, one byte more to tell an oversized
 * file, never hang on a FIFO when asked not to" is written once. */
#include "wasmgate/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const read_names[] = {
  [WG_READ_OK] = "ok",           [WG_READ_OPEN] = "open",
  [WG_READ_IS_DIR] = "is_dir",   [WG_READ_NOT_REGULAR] = "not_regular",
  [WG_READ_TOO_BIG] = "too_big", [WG_READ_IO] = "io",
  [WG_READ_NOMEM] = "nomem",
};
WG_NAMES_COVER(read_names, WG_READ_NOMEM);

const char *wg_read_code_name(wg_read_code code) { return WG_NAME_IN(read_names, code); }

/* What the first allocation holds when the size is not known (a pipe). */
enum { FILE_FIRST_ALLOC = 4096 };

/* The first allocation: the file's size when fstat knows it (plus the byte
 * that finds EOF), else a small start; never more than limit + 1. */
static size_t first_alloc(int fd, size_t limit) {
  struct stat st;
  size_t want = FILE_FIRST_ALLOC;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
      (uint64_t)st.st_size < (uint64_t)limit)
    want = (size_t)st.st_size + 1;
  return want < limit + 1 ? want : limit + 1;
}

static wg_read_code read_fail(uint8_t *buf, wg_read_code st, int e,
                              int *errnum) {
  free(buf);
  if (errnum) *errnum = e;
  return st;
}

wg_read_code wg_read_fd(int fd, size_t max, uint8_t **data, size_t *len,
                        int *errnum) {
  *data = NULL;
  *len = 0;
  if (max > SIZE_MAX - 2) max = SIZE_MAX - 2;
  size_t limit = max + 1; /* one byte past max tells an oversized file */
  size_t cap = first_alloc(fd, limit), n = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) return read_fail(NULL, WG_READ_NOMEM, ENOMEM, errnum);
  while (n < limit) {
    if (n == cap) {
      uint8_t *p = wg_vec_reserve(buf, &cap, n + 1, 1, limit + 1);
      if (!p) return read_fail(buf, WG_READ_NOMEM, ENOMEM, errnum);
      buf = p;
    }
    size_t want = (cap < limit ? cap : limit) - n;
    ssize_t got = read(fd, buf + n, want);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return read_fail(buf, WG_READ_IO, errno, errnum);
    if (got == 0) break;
    n += (size_t)got;
  }
  if (n > max) return read_fail(buf, WG_READ_TOO_BIG, EFBIG, errnum);
  if (n == cap) { /* room for the terminator */
    uint8_t *p = wg_vec_reserve(buf, &cap, n + 1, 1, limit + 1);
    if (!p) return read_fail(buf, WG_READ_NOMEM, ENOMEM, errnum);
    buf = p;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return WG_READ_OK;
}

/* With WG_READ_REGULAR: a directory or anything else that is not a regular
 * file is refused before a byte is read. */
static wg_read_code check_regular(int fd, int *errnum) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    if (errnum) *errnum = errno;
    return WG_READ_IO;
  }
  if (S_ISREG(st.st_mode)) return WG_READ_OK;
  if (errnum) *errnum = S_ISDIR(st.st_mode) ? EISDIR : 0;
  return S_ISDIR(st.st_mode) ? WG_READ_IS_DIR : WG_READ_NOT_REGULAR;
}

wg_read_code wg_read_file(const char *path, size_t max, unsigned flags,
                          uint8_t **data, size_t *len, int *errnum) {
  *data = NULL;
  *len = 0;
  if (errnum) *errnum = 0;
  if ((flags & WG_READ_STDIN) && strcmp(path, "-") == 0)
    return wg_read_fd(STDIN_FILENO, max, data, len, errnum);
  int oflags = O_RDONLY | O_CLOEXEC;
  if (flags & WG_READ_NOFOLLOW) oflags |= O_NOFOLLOW;
  if (flags & WG_READ_NONBLOCK) oflags |= O_NONBLOCK;
  int fd = open(path, oflags);
  if (fd < 0) {
    if (errnum) *errnum = errno;
    return WG_READ_OPEN;
  }
  wg_read_code st = WG_READ_OK;
  if (flags & WG_READ_REGULAR) st = check_regular(fd, errnum);
  if (st == WG_READ_OK) st = wg_read_fd(fd, max, data, len, errnum);
  close(fd);
  return st;
}
