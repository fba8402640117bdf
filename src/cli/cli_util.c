/* cli_util.c: helpers every command shares: usage and failure messages,
 * the help flag, a bounded whole-file read. */
#include "cli.h"
#include "wasmgate/util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool cli_is_help(const char *s) {
  return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

/* "wasmgate: <message>" on stderr; returns code. */
static int report(int code, const char *fmt, va_list ap) {
  fputs("wasmgate: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  return code;
}

int cli_usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = report(CLI_EXIT_USAGE, fmt, ap);
  va_end(ap);
  return rc;
}

int cli_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = report(CLI_EXIT_FAIL, fmt, ap);
  va_end(ap);
  return rc;
}

int cli_read_file(const char *path, size_t max_size, unsigned char **data,
                  size_t *len, char *err, size_t err_size) {
  int e = 0;
  switch (wg_read_file(path, max_size, WG_READ_REGULAR | WG_READ_STDIN, data, len, &e)) {
  case WG_READ_OK: return 0;
  case WG_READ_OPEN:
    snprintf(err, err_size, "cannot open %s: %s", path, strerror(e));
    break;
  case WG_READ_IS_DIR:
  case WG_READ_NOT_REGULAR:
    snprintf(err, err_size, "%s is not a regular file", path);
    break;
  case WG_READ_TOO_BIG:
    snprintf(err, err_size, "%s is larger than the limit of %zu bytes", path, max_size);
    break;
  case WG_READ_IO:
    snprintf(err, err_size, "cannot read %s: %s", path, strerror(e));
    break;
  case WG_READ_NOMEM:
    snprintf(err, err_size, "out of memory");
    break;
  }
  return -1;
}
