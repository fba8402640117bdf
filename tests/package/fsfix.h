/* fsfix.h: filesystem fixtures for the package tests: a fresh temp
 * directory per test, helpers to create files, sparse files, symlinks and
 * FIFOs, and recursive removal (nftw, never following symlinks). */
#ifndef WG_TEST_FSFIX_H
#define WG_TEST_FSFIX_H

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fs_fix {
  char root[256];
} fs_fix;

static inline void fs_init(fs_fix *f) {
  const char *tmp = getenv("TMPDIR");
  snprintf(f->root, sizeof f->root, "%s/wg-pkg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(f->root)) f->root[0] = '\0';
}

/* Formats root + "/" + rel into a static-free caller buffer. */
static inline const char *fs_path(const fs_fix *f, char out[1024], const char *rel) {
  snprintf(out, 1024, "%s/%s", f->root, rel);
  return out;
}

static inline int fs_rm_one(const char *p, const struct stat *st, int flag,
                     struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (flag == FTW_DP) rmdir(p);
  else {
    chmod(p, 0600);
    unlink(p);
  }
  return 0;
}

static inline void fs_cleanup(fs_fix *f) {
  if (f->root[0]) nftw(f->root, fs_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline int fs_mkdir(const fs_fix *f, const char *rel) {
  char p[1024];
  return mkdir(fs_path(f, p, rel), 0755);
}

static inline int fs_write(const fs_fix *f, const char *rel, const void *data, size_t n) {
  char p[1024];
  int fd = open(fs_path(f, p, rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  ssize_t w = n ? write(fd, data, n) : 0;
  close(fd);
  return w == (ssize_t)n ? 0 : -1;
}

static inline int fs_text(const fs_fix *f, const char *rel, const char *text) {
  return fs_write(f, rel, text, strlen(text));
}

/* A sparse file of `size` bytes: large sizes without disk or memory. */
static inline int fs_sparse(const fs_fix *f, const char *rel, off_t size) {
  char p[1024];
  int fd = open(fs_path(f, p, rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  int rc = ftruncate(fd, size);
  close(fd);
  return rc;
}

static inline int fs_symlink(const fs_fix *f, const char *target, const char *rel) {
  char p[1024];
  return symlink(target, fs_path(f, p, rel));
}

static inline int fs_fifo(const fs_fix *f, const char *rel) {
  char p[1024];
  return mkfifo(fs_path(f, p, rel), 0644);
}

/* Number of names in a directory (without . and ..). */
static inline int fs_count(const fs_fix *f, const char *rel) {
  char p[1024];
  int n = 0;
  DIR *d = opendir(fs_path(f, p, rel));
  if (!d) return -1;
  struct dirent *de;
  while ((de = readdir(d)))
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
  closedir(d);
  return n;
}

/* Reads a whole (small) file; caller frees. */
static inline unsigned char *fs_read(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  size_t alloc = 4096, n = 0;
  unsigned char *buf = malloc(alloc);
  size_t got;
  while (buf && (got = fread(buf + n, 1, alloc - n, fp)) > 0) {
    n += got;
    if (n == alloc) buf = realloc(buf, alloc *= 2);
  }
  fclose(fp);
  *len = n;
  return buf;
}

#endif
