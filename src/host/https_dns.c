/* https_dns.c: host name lookups for https requests on c-ares, driven by
 * this thread's own poll loop under the request's deadline and the call's
 * cancellation flag. No resolver thread exists at any point (c-ares 1.18
 * has none; libcurl never resolves: every name it sees is pinned).
 *
 * Choices: A and AAAA in one ares_getaddrinfo; no search-list expansion
 * (ARES_FLAG_NOSEARCH: the name looked up is exactly the name the policy
 * checked, never "api" + ".corp.internal"); no address sorting
 * (ARES_AI_NOSORT: sorting connects UDP sockets to each answer); with
 * `[https] dns_servers` only those servers are asked and /etc/hosts is not
 * read, otherwise the system's resolv.conf and hosts file apply. */
#include "host_lib.h"

#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

typedef struct lookup {
  bool done;
  int status;
  host_addrs *out;
  size_t total;
} lookup;

static void on_answer(void *arg, int status, int timeouts, struct ares_addrinfo *res) {
  (void)timeouts;
  lookup *lk = arg;
  lk->done = true;
  lk->status = status;
  if (status != ARES_SUCCESS || !res) {
    if (res) host_lib()->ares_freeaddrinfo(res);
    return;
  }
  for (struct ares_addrinfo_node *n = res->nodes; n; n = n->ai_next) {
    const void *bytes = NULL;
    if (n->ai_family == AF_INET && n->ai_addrlen >= sizeof(struct sockaddr_in))
      bytes = &((const struct sockaddr_in *)(const void *)n->ai_addr)->sin_addr;
    else if (n->ai_family == AF_INET6 && n->ai_addrlen >= sizeof(struct sockaddr_in6))
      bytes = &((const struct sockaddr_in6 *)(const void *)n->ai_addr)->sin6_addr;
    if (!bytes) continue;
    size_t before = lk->out->count;
    bool dup = false;
    for (size_t i = 0; i < before; i++)
      if (lk->out->a[i].family == n->ai_family &&
          memcmp(lk->out->a[i].bytes, bytes, n->ai_family == AF_INET ? 4 : 16) == 0)
        dup = true;
    if (dup) continue;
    lk->total++; /* counted even when the set is full: the lookup then fails */
    host_addrs_add(lk->out, n->ai_family, bytes);
  }
  host_lib()->ares_freeaddrinfo(res);
}

/* "a,b,c" for ares_set_servers_ports_csv; false if it does not fit. */
static bool servers_csv(const host_dns_config *cfg, char *out, size_t size) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < cfg->server_count; i++) {
    int n = snprintf(out + used, size - used, "%s%s", i ? "," : "", cfg->servers[i]);
    if (n < 0 || (size_t)n >= size - used) return false;
    used += (size_t)n;
  }
  return true;
}

static bool channel_open(const host_dns_config *cfg, const host_wait *w,
                         ares_channel *ch, host_fail *f) {
  const host_lib_table *L = host_lib();
  struct ares_options o;
  memset(&o, 0, sizeof o);
  int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  o.flags = ARES_FLAG_NOSEARCH;
  long left = host_wait_left_ms(w);
  o.timeout = left > 2000 ? 2000 : (int)(left > 0 ? left : 1); /* per try */
  o.tries = 2;
  char lookups[] = "b";
  if (cfg && cfg->server_count) {
    mask |= ARES_OPT_LOOKUPS;
    o.lookups = lookups;
  }
  int rc = L->ares_init_options(ch, &o, mask);
  if (rc != ARES_SUCCESS) {
    host_fail_set(f, WG_ERR_HTTPS_DNS_FAILED, "DNS resolver cannot start: %s", L->ares_strerror(rc));
    return false;
  }
  if (cfg && cfg->server_count) {
    char csv[1024];
    if (!servers_csv(cfg, csv, sizeof csv) ||
        (rc = L->ares_set_servers_ports_csv(*ch, csv)) != ARES_SUCCESS) {
      L->ares_destroy(*ch);
      host_fail_set(f, WG_ERR_HTTPS_DNS_FAILED, "DNS servers from [https] dns_servers are unusable");
      return false;
    }
  }
  return true;
}

/* One poll slice: waits on c-ares' sockets (at most its own timeout and
 * our slice), then lets it process what is ready or expired. */
static void pump(ares_channel ch, const host_wait *w) {
  const host_lib_table *L = host_lib();
  ares_socket_t socks[ARES_GETSOCK_MAXNUM];
  /* The bit tests by hand: c-ares' macros shift a signed 1 by up to 31. */
  unsigned bits = (unsigned)L->ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
  struct pollfd pfd[ARES_GETSOCK_MAXNUM];
  nfds_t n = 0;
  for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
    short ev = 0;
    if ((bits >> i) & 1u) ev |= POLLIN;
    if ((bits >> (i + ARES_GETSOCK_MAXNUM)) & 1u) ev |= POLLOUT;
    if (!ev) continue;
    pfd[n].fd = socks[i];
    pfd[n].events = ev;
    pfd[n].revents = 0;
    n++;
  }
  int slice = host_wait_slice_ms(w);
  struct timeval max = {0, slice * 1000}, tv;
  struct timeval *t = L->ares_timeout(ch, &max, &tv);
  int ms = t ? (int)(t->tv_sec * 1000 + t->tv_usec / 1000) : slice;
  if (ms > slice) ms = slice;
  int ready = poll(pfd, n, ms);
  if (ready <= 0) {
    L->ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
    return;
  }
  for (nfds_t i = 0; i < n; i++) {
    ares_socket_t r = (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) ? pfd[i].fd : ARES_SOCKET_BAD;
    ares_socket_t wr = (pfd[i].revents & POLLOUT) ? pfd[i].fd : ARES_SOCKET_BAD;
    if (r != ARES_SOCKET_BAD || wr != ARES_SOCKET_BAD) L->ares_process_fd(ch, r, wr);
  }
}

static void describe_failure(const char *name, int status, host_fail *f) {
  const host_lib_table *L = host_lib();
  if (status == ARES_ENODATA || status == ARES_ENOTFOUND) {
    host_fail_set(f, WG_ERR_HTTPS_DNS_FAILED, "DNS lookup for \"%s\" returned no addresses%s",
                  name, status == ARES_ENOTFOUND ? " (no such name)" : "");
    return;
  }
  host_fail_set(f, WG_ERR_HTTPS_DNS_FAILED, "DNS lookup failed for \"%s\": %s", name,
                L->ares_strerror(status));
}

bool host_dns_lookup(const char *name, const host_dns_config *cfg,
                     const host_wait *w, host_addrs *out, size_t *total,
                     host_fail *f) {
  memset(out, 0, sizeof *out);
  *total = 0;
  if (!host_libs_load(f) || host_wait_expired(w, "DNS lookup", f)) return false;
  const host_lib_table *L = host_lib();
  ares_channel ch;
  if (!channel_open(cfg, w, &ch, f)) return false;
  lookup lk = {false, ARES_SUCCESS, out, 0};
  struct ares_addrinfo_hints hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = ARES_AI_NOSORT;
  L->ares_getaddrinfo(ch, name, NULL, &hints, on_answer, &lk);
  bool stopped = false;
  while (!lk.done) {
    if (host_wait_expired(w, "DNS lookup", f)) {
      stopped = true;
      break;
    }
    pump(ch, w);
  }
  /* Destroying the channel closes its sockets; a pending query's callback
   * runs now with ARES_EDESTRUCTION and touches only `lk`. */
  L->ares_destroy(ch);
  if (stopped) return false;
  if (lk.status != ARES_SUCCESS) {
    describe_failure(name, lk.status, f);
    return false;
  }
  if (lk.total > WG_HTTPS_MAX_DNS_ADDRS) {
    host_fail_set(f, WG_ERR_HTTPS_DNS_FAILED, "DNS lookup for \"%s\" returned more than %d addresses",
                  name, WG_HTTPS_MAX_DNS_ADDRS);
    return false;
  }
  if (out->count == 0) {
    host_fail_set(f, WG_ERR_HTTPS_DNS_FAILED, "DNS lookup for \"%s\" returned no addresses", name);
    return false;
  }
  *total = lk.total;
  return true;
}
