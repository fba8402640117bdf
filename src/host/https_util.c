/* https_util.c: small pieces every https file uses: bounded failure
 * messages, the request's time budget, address sets. */
#include "host_https.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void host_fail_set(host_fail *f, wg_err code, const char *fmt, ...) {
  f->code = code;
  va_list ap;
  va_start(ap, fmt);
  wg_error_vformat(f->message, sizeof f->message, fmt, ap);
  va_end(ap);
}

bool host_wait_expired(const host_wait *w, const char *what, host_fail *f) {
  if (w->cancel && atomic_load(w->cancel)) {
    host_fail_set(f, WG_ERR_CANCELLED, "call cancelled");
    return true;
  }
  uint64_t now = wg_now_ns();
  if (w->call_deadline_ns && now >= w->call_deadline_ns) {
    host_fail_set(f, WG_ERR_TIMEOUT, "wall-clock deadline reached");
    return true;
  }
  if (now >= w->deadline_ns) {
    host_fail_set(f, WG_ERR_HTTPS_TIMEOUT, "%s timed out", what);
    return true;
  }
  return false;
}

long host_wait_left_ms(const host_wait *w) {
  uint64_t now = wg_now_ns();
  if (now >= w->deadline_ns) return 0;
  uint64_t ms = (w->deadline_ns - now + 999999u) / 1000000u;
  return ms > 3600000u ? 3600000L : (long)ms;
}

int host_wait_slice_ms(const host_wait *w) {
  long left = host_wait_left_ms(w);
  return left < HOST_WAIT_SLICE_MS ? (int)left : HOST_WAIT_SLICE_MS;
}

bool host_addrs_add(host_addrs *s, int family, const void *bytes) {
  size_t n = family == AF_INET ? 4 : 16;
  for (size_t i = 0; i < s->count; i++)
    if (s->a[i].family == family && memcmp(s->a[i].bytes, bytes, n) == 0) return true;
  if (s->count == WG_HTTPS_MAX_DNS_ADDRS) return false;
  host_addr *a = &s->a[s->count++];
  memset(a, 0, sizeof *a);
  a->family = family;
  memcpy(a->bytes, bytes, n);
  return true;
}

void host_addr_text(const host_addr *a, char out[64]) {
  if (!inet_ntop(a->family, a->bytes, out, 64)) strcpy(out, "?");
}
