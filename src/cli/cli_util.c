/* cli_util.c: helpers every command shares: usage and failure messages,
 * the help flag, a bounded whole-file read. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool cli_is_help(const char *s) {
  return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

int cli_usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wasmgate: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return CLI_EXIT_USAGE;
}

int cli_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wasmgate: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return CLI_EXIT_FAIL;
}

int cli_read_file(const char *path, size_t max_size, unsigned char **data,
                  size_t *len, char *err, size_t err_size) {
  *data = NULL;
  *len = 0;
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  if (!is_stdin) {
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
      snprintf(err, err_size, "%s is not a regular file", path);
      fclose(f);
      return -1;
    }
  }
  size_t alloc = 4096, n = 0;
  unsigned char *buf = malloc(alloc);
  int rc = -1;
  if (!buf) {
    snprintf(err, err_size, "out of memory");
    goto out;
  }
  for (;;) {
    if (n == alloc) {
      if (alloc > max_size) break;
      size_t next = alloc * 2;
      unsigned char *p = realloc(buf, next);
      if (!p) {
        snprintf(err, err_size, "out of memory");
        goto out;
      }
      buf = p;
      alloc = next;
    }
    size_t got = fread(buf + n, 1, alloc - n, f);
    n += got;
    if (got == 0) break;
    if (n > max_size) break;
  }
  if (ferror(f)) {
    snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
    goto out;
  }
  if (n > max_size) {
    snprintf(err, err_size, "%s is larger than the limit of %zu bytes", path,
             max_size);
    goto out;
  }
  *data = buf;
  *len = n;
  buf = NULL;
  rc = 0;
out:
  free(buf);
  if (!is_stdin) fclose(f);
  return rc;
}
