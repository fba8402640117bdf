/* io.c: bounded writes for the transports: everything or an error, never
 * waiting longer than a deadline for a peer that stops reading. */
#include "mcp_internal.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

int mcp_write_all(int fd, const char *buf, size_t len, uint32_t timeout_ms) {
  uint64_t deadline = wg_now_ns() + (uint64_t)timeout_ms * 1000000u;
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n > 0) {
      buf += n;
      len -= (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    uint64_t now = wg_now_ns();
    if (now >= deadline) return -1;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    uint64_t wait_ms = (deadline - now) / 1000000u + 1;
    int r = poll(&p, 1, wait_ms > 60000 ? 60000 : (int)wait_ms);
    if (r < 0 && errno != EINTR) return -1;
    if (r > 0 && (p.revents & (POLLERR | POLLNVAL))) return -1;
  }
  return 0;
}
