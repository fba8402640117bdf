/* testnet.h: what a C test running under tests/host/netns/run_in_netns.py
 * needs: the servers' ports from the environment the runner sets, and the
 * control server's state (connections and requests seen) over plain HTTP
 * on 127.0.0.1. A test binary that is run outside the runner fails loudly. */
#ifndef WASMGATE_TESTNET_H
#define WASMGATE_TESTNET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasmgate/json.h"

typedef struct testnet {
  const char *dir, *ca;
  unsigned https, untrusted, control, dns;
  bool ipv6;
} testnet;

static inline unsigned testnet_port_(const char *var) {
  const char *v = getenv(var);
  return v ? (unsigned)strtoul(v, NULL, 10) : 0;
}

/* Fills t from the runner's variables; exits 1 with the reason if absent. */
static inline void testnet_get(testnet *t) {
  t->dir = getenv("WG_TESTNET_DIR");
  t->ca = getenv("WG_TESTNET_CA");
  t->https = testnet_port_("WG_TESTNET_HTTPS");
  t->untrusted = testnet_port_("WG_TESTNET_UNTRUSTED");
  t->control = testnet_port_("WG_TESTNET_CONTROL");
  t->dns = testnet_port_("WG_TESTNET_DNS");
  const char *v6 = getenv("WG_TESTNET_IPV6");
  t->ipv6 = v6 && v6[0] == '1';
  if (!t->dir || !t->ca || !t->https || !t->control || !t->dns) {
    fprintf(stderr, "FAIL: this test must run under tests/host/netns/run_in_netns.py "
                    "(a network namespace with its own test servers)\n");
    exit(1);
  }
}

/* One plain HTTP/1.0 exchange with the control server; returns the JSON
 * body parsed (caller frees), or NULL. */
static inline wg_json_doc *testnet_control_(const testnet *t, const char *method) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return NULL;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)t->control)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  wg_json_doc *doc = NULL;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
    char req[128];
    int n = snprintf(req, sizeof req, "%s / HTTP/1.0\r\nContent-Length: 0\r\n\r\n", method);
    if (write(fd, req, (size_t)n) == n) {
      size_t cap = 1 << 22, len = 0;
      char *buf = malloc(cap);
      ssize_t got;
      while (buf && len < cap && (got = read(fd, buf + len, cap - len)) > 0) len += (size_t)got;
      char *body = buf ? memmem(buf, len, "\r\n\r\n", 4) : NULL;
      if (body) doc = wg_json_parse(body + 4, len - (size_t)(body + 4 - buf), NULL, NULL);
      free(buf);
    }
  }
  close(fd);
  return doc;
}

static inline void testnet_reset(const testnet *t) {
  wg_json_doc *d = testnet_control_(t, "POST");
  if (!d) {
    fprintf(stderr, "FAIL: the test servers' control port does not answer\n");
    exit(1);
  }
  wg_json_free(d);
}

/* The state as JSON: {"connections": N, "connections_by_addr": {...},
 * "requests": [...], "dns_queries": [...]}. */
static inline wg_json_doc *testnet_stats(const testnet *t) { return testnet_control_(t, "GET"); }

/* Connections accepted on the HTTPS servers since the last reset. */
static inline long long testnet_connections(const testnet *t) {
  wg_json_doc *d = testnet_stats(t);
  int64_t n = -1;
  if (d) wg_json_to_int64(wg_json_get(wg_json_root(d), "connections"), &n);
  wg_json_free(d);
  return n;
}

#endif
