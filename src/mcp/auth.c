/* auth.c: reading the bearer token file of `serve --http --auth-token-file`.
 *
 * Read once at start-up, bounded (WG_MCP_AUTH_TOKEN_MAX), through one
 * open + fstat so the checks and the read see the same file: a regular file
 * that others cannot read or write (mode & 006 == 0), whose content is one
 * token of visible ASCII, at least WG_MCP_AUTH_TOKEN_MIN bytes (a short
 * token is guessable), one trailing newline allowed. Messages never quote
 * the file's content. */
#include "mcp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *fail(char *err, size_t size, const char *msg, int fd, char *buf) {
  snprintf(err, size, "%s", msg);
  if (fd >= 0) close(fd);
  if (buf) {
    memset(buf, 0, WG_MCP_AUTH_TOKEN_MAX + 2);
    free(buf);
  }
  return NULL;
}

char *wg_mcp_read_token_file(const char *path, size_t *len, char *err,
                             size_t err_size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return fail(err, err_size, "the token file cannot be opened", -1, NULL);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return fail(err, err_size, "the token file is not a regular file", fd, NULL);
  if (st.st_mode & (S_IROTH | S_IWOTH))
    return fail(err, err_size,
                "the token file is readable or writable by others (chmod o-rw it)", fd, NULL);
  char *buf = calloc(1, WG_MCP_AUTH_TOKEN_MAX + 2);
  if (!buf) return fail(err, err_size, "out of memory", fd, NULL);
  size_t n = 0;
  while (n < WG_MCP_AUTH_TOKEN_MAX + 1) {
    ssize_t r = read(fd, buf + n, WG_MCP_AUTH_TOKEN_MAX + 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail(err, err_size, "the token file cannot be read", fd, buf);
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  if (n > WG_MCP_AUTH_TOKEN_MAX + 0u && !(n == WG_MCP_AUTH_TOKEN_MAX + 1 && buf[n - 1] == '\n'))
    return fail(err, err_size, "the token file is larger than 4096 bytes", -1, buf);
  if (n && buf[n - 1] == '\n') n--;
  if (n && buf[n - 1] == '\r') n--;
  for (size_t i = 0; i < n; i++)
    if (buf[i] < 0x21 || buf[i] > 0x7e)
      return fail(err, err_size, "the token must be one line of visible ASCII", -1, buf);
  if (n < WG_MCP_AUTH_TOKEN_MIN)
    return fail(err, err_size, "the token is shorter than 16 bytes", -1, buf);
  buf[n] = '\0';
  *len = n;
  return buf;
}
