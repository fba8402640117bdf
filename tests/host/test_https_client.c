/* test_https_client.c: the https client pieces against the real test
 * servers (run under netns/run_in_netns.py: a network namespace with only
 * loopback, an HTTPS server with a test CA, a DNS responder): one libcurl
 * transfer with pinned addresses and the connect-time check, TLS
 * verification, timeouts, cancellation latency, body truncation, c-ares
 * lookups; and that nothing is left behind (threads, descriptors). */
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#include "../harness.h"
#include "host_https.h"
#include "testnet.h"

static testnet net;
static char dns_server[64];

static int count_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

/* The test's own judge: only 127.0.0.1 and ::1 (the real one is the
 * policy's; this one checks the client calls it for every socket). */
typedef struct judge_log {
  int calls;
  char last[64];
} judge_log;

static bool judge_loopback1(void *ctx, int family, const uint8_t *b, char *why, size_t n) {
  judge_log *log = ctx;
  log->calls++;
  host_addr a = {.family = family};
  memcpy(a.bytes, b, family == AF_INET ? 4 : 16);
  host_addr_text(&a, log->last);
  bool ok = (family == AF_INET && b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 1) ||
            (family == AF_INET6 && strcmp(log->last, "::1") == 0);
  if (!ok) snprintf(why, n, "test judge refuses it");
  return ok;
}

typedef struct reqbuf {
  char url[256], safe[256], host[64];
  host_addrs pin;
  judge_log log;
  host_transfer_req req;
} reqbuf;

static void make_req(reqbuf *b, const char *host, const char *pin_ip, const char *path,
                     uint64_t timeout_ms) {
  memset(b, 0, sizeof *b);
  snprintf(b->host, sizeof b->host, "%s", host);
  snprintf(b->url, sizeof b->url, "https://%s:%u%s", host, net.https, path);
  snprintf(b->safe, sizeof b->safe, "https://%s:%u/...", host, net.https);
  if (pin_ip) {
    uint8_t a[16];
    int fam = strchr(pin_ip, ':') ? AF_INET6 : AF_INET;
    REQUIRE(inet_pton(fam, pin_ip, a) == 1);
    host_addrs_add(&b->pin, fam, a);
  }
  b->req = (host_transfer_req){
    .method = "GET", .url = b->url, .safe_url = b->safe, .host = b->host,
    .port = (uint16_t)net.https, .pin = &b->pin, .ca_file = net.ca,
    .judge = judge_loopback1, .judge_ctx = &b->log,
    .wait = {.deadline_ns = wg_now_ns() + timeout_ms * 1000000u},
  };
}

static const wg_json *last_request(wg_json_doc *stats) {
  const wg_json *reqs = wg_json_get(wg_json_root(stats), "requests");
  return reqs && reqs->u.array.count ? wg_json_at(reqs, reqs->u.array.count - 1) : NULL;
}

static const char *req_header(const wg_json *r, const char *name) {
  const wg_json *hs = wg_json_get(r, "headers");
  for (size_t i = 0; hs && i < hs->u.array.count; i++) {
    const wg_json *h = wg_json_at(hs, i);
    if (strcmp(wg_json_str(wg_json_at(h, 0)), name) == 0) return wg_json_str(wg_json_at(h, 1));
  }
  return NULL;
}

static void test_get_pinned(void) {
  testnet_reset(&net);
  reqbuf b;
  make_req(&b, "api.test", "127.0.0.1", "/json?x=1", 5000);
  host_transfer_resp r;
  bool ok = host_transfer(&b.req, &r);
  CHECK(ok);
  CHECK_INT(r.fail.code, WG_ERR_NONE);
  CHECK_INT(r.status, 200);
  CHECK_INT(r.body_len, strlen("{\"ok\": true, \"path\": \"/json\"}"));
  CHECK(r.body && memcmp(r.body, "{\"ok\": true, \"path\": \"/json\"}", r.body_len) == 0);
  CHECK(!r.truncated);
  CHECK_STR(r.connected_ip, "127.0.0.1");
  CHECK_INT(r.sockets_opened, 1);
  CHECK_INT(b.log.calls, 1);
  CHECK_STR(b.log.last, "127.0.0.1");
  bool ctype = false;
  for (size_t i = 0; i < r.header_count; i++)
    if (strcmp(r.headers[i].name, "content-type") == 0) {
      ctype = true;
      CHECK_STR(r.headers[i].value, "application/json");
    }
  CHECK(ctype);
  host_transfer_resp_free(&r);
  wg_json_doc *st = testnet_stats(&net);
  REQUIRE(st);
  const wg_json *seen = last_request(st);
  REQUIRE(seen);
  CHECK_STR(wg_json_str(wg_json_get(seen, "sni")), "api.test");
  CHECK_STR(wg_json_str(wg_json_get(seen, "path")), "/json?x=1");
  char host[64];
  snprintf(host, sizeof host, "api.test:%u", net.https);
  CHECK_STR(req_header(seen, "host"), host);
  CHECK_STR(req_header(seen, "user-agent"), "wasmgate/" WG_VERSION);
  CHECK(req_header(seen, "accept-encoding") == NULL); /* no automatic decompression */
  CHECK(req_header(seen, "cookie") == NULL);
  wg_json_free(st);
}

static void test_post_body_headers(void) {
  testnet_reset(&net);
  reqbuf b;
  make_req(&b, "api.test", "127.0.0.1", "/echo", 5000);
  host_header hs[2] = {
    {"x-one", 5, "1", 1},
    {"x-empty", 7, "", 0},
  };
  b.req.method = "PUT";
  b.req.headers = hs;
  b.req.header_count = 2;
  b.req.body = "hello=world";
  b.req.body_len = 11;
  host_transfer_resp r;
  CHECK(host_transfer(&b.req, &r));
  CHECK_INT(r.status, 200);
  host_transfer_resp_free(&r);
  wg_json_doc *st = testnet_stats(&net);
  REQUIRE(st);
  const wg_json *seen = last_request(st);
  REQUIRE(seen);
  CHECK_STR(wg_json_str(wg_json_get(seen, "method")), "PUT");
  CHECK_STR(wg_json_str(wg_json_get(seen, "body")), "hello=world");
  CHECK_STR(req_header(seen, "x-one"), "1");
  CHECK_STR(req_header(seen, "x-empty"), "");
  CHECK_STR(req_header(seen, "content-length"), "11");
  CHECK(req_header(seen, "content-type") == NULL); /* the host adds none */
  CHECK(req_header(seen, "expect") == NULL);
  wg_json_free(st);
}

/* A server that closes while a large body is still being written: the
 * request fails as https_network and SIGPIPE does not kill the process
 * (this test keeps SIGPIPE's default action). */
static void test_peer_closes_during_upload(void) {
  reqbuf b;
  make_req(&b, "api.test", "127.0.0.1", "/close-early", 5000);
  static char body[32768];
  memset(body, 'x', sizeof body);
  b.req.method = "POST";
  b.req.body = body;
  b.req.body_len = sizeof body;
  for (int i = 0; i < 3; i++) {
    host_transfer_resp r;
    CHECK(!host_transfer(&b.req, &r));
    CHECK_INT(r.fail.code, WG_ERR_HTTPS_NETWORK);
    CHECK_CONTAINS(r.fail.message, "HTTPS request to https://api.test:");
    host_transfer_resp_free(&r);
  }
}

static void test_connect_time_refusal(void) {
  testnet_reset(&net);
  reqbuf b;
  make_req(&b, "blocked.test", "127.0.0.2", "/json", 5000);
  host_transfer_resp r;
  CHECK(!host_transfer(&b.req, &r));
  CHECK_INT(r.fail.code, WG_ERR_HTTPS_PRIVATE_ADDRESS);
  char want[512];
  snprintf(want, sizeof want,
           "HTTPS blocked local/private address 127.0.0.2 (test judge refuses it) for %s at "
           "connect time", b.safe);
  CHECK_STR(r.fail.message, want);
  CHECK_INT(r.sockets_opened, 0);
  CHECK(b.log.calls >= 1);
  host_transfer_resp_free(&r);
  CHECK_INT(testnet_connections(&net), 0); /* the server saw nothing */
}

static void test_refusal_is_sticky_across_addresses(void) {
  /* A pinned set with a refused address first and an allowed one second:
   * the whole request fails, it does not fall back. */
  testnet_reset(&net);
  reqbuf b;
  make_req(&b, "mixed.test", "127.0.0.2", "/json", 5000);
  uint8_t ok1[4] = {127, 0, 0, 1};
  host_addrs_add(&b.pin, AF_INET, ok1);
  host_transfer_resp r;
  CHECK(!host_transfer(&b.req, &r));
  CHECK_INT(r.fail.code, WG_ERR_HTTPS_PRIVATE_ADDRESS);
  CHECK_INT(r.sockets_opened, 0);
  host_transfer_resp_free(&r);
  CHECK_INT(testnet_connections(&net), 0);
}

static void test_open_socket_direct(void) {
  /* The callback itself, as libcurl calls it. */
  reqbuf b;
  make_req(&b, "api.test", NULL, "/", 1000);
  host_transfer_resp r;
  memset(&r, 0, sizeof r);
  struct sockaddr_in a = {.sin_family = AF_INET};
  inet_pton(AF_INET, "10.0.0.1", &a.sin_addr);
  CHECK_INT(host_open_socket_checked(&b.req, &r, AF_INET, SOCK_STREAM, 0, &a, sizeof a), -1);
  CHECK_STR(r.refusal, "10.0.0.1 (test judge refuses it)");
  CHECK_INT(r.sockets_refused, 1);
  /* Too short an address is refused without being judged. */
  b.log.calls = 0;
  memset(&r, 0, sizeof r);
  CHECK_INT(host_open_socket_checked(&b.req, &r, AF_INET, SOCK_STREAM, 0, &a, 4), -1);
  CHECK_INT(b.log.calls, 0);
  CHECK_STR(r.refusal, "? (not an IP address)");
  memset(&r, 0, sizeof r);
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  int fd = host_open_socket_checked(&b.req, &r, AF_INET, SOCK_STREAM, 0, &a, sizeof a);
  CHECK(fd >= 0);
  CHECK_INT(r.sockets_opened, 1);
  if (fd >= 0) close(fd);
}

static void test_untrusted_certificate(void) {
  reqbuf b;
  make_req(&b, "api.test", "127.0.0.1", "/json", 5000);
  snprintf(b.url, sizeof b.url, "https://api.test:%u/json", net.untrusted);
  b.req.port = (uint16_t)net.untrusted;
  host_transfer_resp r;
  CHECK(!host_transfer(&b.req, &r));
  CHECK_INT(r.fail.code, WG_ERR_HTTPS_TLS_FAILED);
  CHECK_CONTAINS(r.fail.message, "failed: TLS: SSL certificate problem: self-signed certificate");
  host_transfer_resp_free(&r);
}

static void test_no_ca_file_means_system_store_only(void) {
  reqbuf b;
  make_req(&b, "api.test", "127.0.0.1", "/json", 5000);
  b.req.ca_file = NULL;
  host_transfer_resp r;
  CHECK(!host_transfer(&b.req, &r));
  CHECK_INT(r.fail.code, WG_ERR_HTTPS_TLS_FAILED);
  CHECK_CONTAINS(r.fail.message, "unable to get local issuer certificate");
  host_transfer_resp_free(&r);
}

static void test_wrong_name(void) {
  /* The certificate does not name this host: verification fails. */
  reqbuf b;
  make_req(&b, "wrong.test", "127.0.0.1", "/json", 5000);
  host_transfer_resp r;
  CHECK(!host_transfer(&b.req, &r));
  CHECK_INT(r.fail.code, WG_ERR_HTTPS_TLS_FAILED);
  CHECK_CONTAINS(r.fail.message, "wrong.test");
  host_transfer_resp_free(&r);
}

static void test_ip_literal_and_ipv6(void) {
  reqbuf b;
  make_req(&b, "127.0.0.1", NULL, "/json", 5000);
  host_transfer_resp r;
  CHECK(host_transfer(&b.req, &r));
  CHECK_INT(r.status, 200);
  CHECK_STR(r.connected_ip, "127.0.0.1");
  host_transfer_resp_free(&r);
  if (!net.ipv6) return;
  make_req(&b, "v6.test", "::1", "/json", 5000);
  snprintf(b.host, sizeof b.host, "localhost");
  snprintf(b.url, sizeof b.url, "https://localhost:%u/json", net.https);
  CHECK(host_transfer(&b.req, &r));
  CHECK_INT(r.status, 200);
  CHECK_STR(r.connected_ip, "::1");
  host_transfer_resp_free(&r);
}

static void test_truncation(void) {
  reqbuf b;
  make_req(&b, "api.test", "127.0.0.1", "/big?n=200000", 5000);
  host_transfer_resp r;
  CHECK(host_transfer(&b.req, &r));
  CHECK_INT(r.status, 200);
  CHECK(r.truncated);
  CHECK_INT(r.body_len, HOST_BODY_READ);
  CHECK_U64(r.bytes, HOST_BODY_READ + 1);
  host_transfer_resp_free(&r);
  char path[64];
  snprintf(path, sizeof path, "/big?n=%d", HOST_BODY_READ);
  make_req(&b, "api.test", "127.0.0.1", path, 5000);
  CHECK(host_transfer(&b.req, &r));
  CHECK(!r.truncated);
  CHECK_INT(r.body_len, HOST_BODY_READ);
  host_transfer_resp_free(&r);
}

static void test_timeout(void) {
  reqbuf b;
  make_req(&b, "api.test", "127.0.0.1", "/stall?s=5", 300);
  uint64_t t0 = wg_now_ns();
  host_transfer_resp r;
  CHECK(!host_transfer(&b.req, &r));
  uint64_t ms = (wg_now_ns() - t0) / 1000000u;
  CHECK_INT(r.fail.code, WG_ERR_HTTPS_TIMEOUT);
  char want[512];
  snprintf(want, sizeof want, "HTTPS request to %s timed out", b.safe);
  CHECK_STR(r.fail.message, want);
  printf("timeout: 300 ms budget ended after %llu ms\n", (unsigned long long)ms);
  CHECK(ms >= 290 && ms < 3000);
  host_transfer_resp_free(&r);
  /* The call's deadline passing first is the call's timeout. */
  make_req(&b, "api.test", "127.0.0.1", "/stall-body?s=5", 2000);
  b.req.wait.call_deadline_ns = wg_now_ns() + 200000000u;
  CHECK(!host_transfer(&b.req, &r));
  CHECK_INT(r.fail.code, WG_ERR_TIMEOUT);
  CHECK_STR(r.fail.message, "wall-clock deadline reached");
  host_transfer_resp_free(&r);
}

typedef struct canceller {
  atomic_int *flag;
  unsigned delay_ms;
  uint64_t at_ns;
} canceller;

static void *cancel_later(void *p) {
  canceller *c = p;
  struct timespec ts = {0, (long)c->delay_ms * 1000000L};
  nanosleep(&ts, NULL);
  c->at_ns = wg_now_ns();
  atomic_store(c->flag, 1);
  return NULL;
}

static void test_cancel_latency_and_leftovers(void) {
  int tasks0 = count_dir("/proc/self/task"), fds0 = count_dir("/proc/self/fd");
  uint64_t worst = 0;
  for (int i = 0; i < 5; i++) {
    reqbuf b;
    make_req(&b, "api.test", "127.0.0.1", i % 2 ? "/stall-body?s=5" : "/stall?s=5", 10000);
    atomic_int flag;
    atomic_init(&flag, 0);
    b.req.wait.cancel = &flag;
    canceller c = {&flag, 150, 0};
    pthread_t th;
    REQUIRE(pthread_create(&th, NULL, cancel_later, &c) == 0);
    host_transfer_resp r;
    CHECK(!host_transfer(&b.req, &r));
    uint64_t end = wg_now_ns();
    pthread_join(th, NULL);
    CHECK_INT(r.fail.code, WG_ERR_CANCELLED);
    CHECK_STR(r.fail.message, "call cancelled");
    host_transfer_resp_free(&r);
    uint64_t lat = end - c.at_ns;
    if (lat > worst) worst = lat;
  }
  printf("cancel: worst latency over 5 stalled transfers %.2f ms\n", worst / 1e6);
  CHECK(worst < 250000000u); /* generous: the machine is shared */
  CHECK_INT(count_dir("/proc/self/task"), tasks0);
  CHECK_INT(count_dir("/proc/self/fd"), fds0);
}

/* ---- DNS ------------------------------------------------------------------ */

static bool lookup(const char *name, uint64_t ms, host_addrs *out, size_t *total, host_fail *f) {
  const char *servers[] = {dns_server};
  host_dns_config cfg = {servers, 1};
  host_wait w = {.deadline_ns = wg_now_ns() + ms * 1000000u};
  memset(f, 0, sizeof *f);
  return host_dns_lookup(name, &cfg, &w, out, total, f);
}

static void test_dns(void) {
  host_addrs a;
  size_t total;
  host_fail f;
  char ip[64];
  CHECK(lookup("api.test", 3000, &a, &total, &f));
  CHECK_INT(a.count, 1);
  CHECK_INT(total, 1);
  host_addr_text(&a.a[0], ip);
  CHECK_STR(ip, "127.0.0.1");
  CHECK(lookup("mixed.test", 3000, &a, &total, &f));
  CHECK_INT(a.count, 2);
  host_addr_text(&a.a[1], ip);
  CHECK_STR(ip, "10.0.0.1");
  CHECK(lookup("mixed6.test", 3000, &a, &total, &f));
  CHECK_INT(a.count, 2);
  bool v6 = false;
  for (size_t i = 0; i < a.count; i++) {
    host_addr_text(&a.a[i], ip);
    if (strcmp(ip, "fe80::1") == 0) v6 = true;
  }
  CHECK(v6);
  CHECK(lookup("loop6.test", 3000, &a, &total, &f));
  host_addr_text(&a.a[0], ip);
  CHECK_STR(ip, "::1");
  CHECK(!lookup("nx.test", 3000, &a, &total, &f));
  CHECK_INT(f.code, WG_ERR_HTTPS_DNS_FAILED);
  CHECK_STR(f.message, "DNS lookup for \"nx.test\" returned no addresses (no such name)");
  CHECK(!lookup("empty.test", 3000, &a, &total, &f));
  CHECK_INT(f.code, WG_ERR_HTTPS_DNS_FAILED);
  CHECK_STR(f.message, "DNS lookup for \"empty.test\" returned no addresses");
  CHECK(!lookup("fail.test", 3000, &a, &total, &f));
  CHECK_INT(f.code, WG_ERR_HTTPS_DNS_FAILED);
  CHECK_CONTAINS(f.message, "DNS lookup failed for \"fail.test\": ");
  uint64_t t0 = wg_now_ns();
  CHECK(!lookup("silent.test", 300, &a, &total, &f));
  uint64_t ms = (wg_now_ns() - t0) / 1000000u;
  CHECK_INT(f.code, WG_ERR_HTTPS_TIMEOUT);
  CHECK_STR(f.message, "DNS lookup timed out");
  printf("dns: silent server, 300 ms budget ended after %llu ms\n", (unsigned long long)ms);
  CHECK(ms >= 290 && ms < 3000);
}

static void test_dns_cancel_and_leftovers(void) {
  int tasks0 = count_dir("/proc/self/task"), fds0 = count_dir("/proc/self/fd");
  const char *servers[] = {dns_server};
  host_dns_config cfg = {servers, 1};
  atomic_int flag;
  atomic_init(&flag, 0);
  host_wait w = {.deadline_ns = wg_now_ns() + 10000000000u, .cancel = &flag};
  canceller c = {&flag, 100, 0};
  pthread_t th;
  REQUIRE(pthread_create(&th, NULL, cancel_later, &c) == 0);
  host_addrs a;
  size_t total;
  host_fail f = {0};
  CHECK(!host_dns_lookup("silent.test", &cfg, &w, &a, &total, &f));
  uint64_t end = wg_now_ns();
  pthread_join(th, NULL);
  CHECK_INT(f.code, WG_ERR_CANCELLED);
  printf("dns cancel: latency %.2f ms\n", (end - c.at_ns) / 1e6);
  CHECK(end - c.at_ns < 250000000u);
  CHECK_INT(count_dir("/proc/self/task"), tasks0);
  CHECK_INT(count_dir("/proc/self/fd"), fds0);
}

/* Every test needs the servers: read their ports before main runs. */
__attribute__((constructor)) static void net_init(void) {
  testnet_get(&net);
  snprintf(dns_server, sizeof dns_server, "127.0.0.1:%u", net.dns);
}

WG_TEST_LIST {
  WG_TEST(test_get_pinned),
  WG_TEST(test_post_body_headers),
  WG_TEST(test_peer_closes_during_upload),
  WG_TEST(test_connect_time_refusal),
  WG_TEST(test_refusal_is_sticky_across_addresses),
  WG_TEST(test_open_socket_direct),
  WG_TEST(test_untrusted_certificate),
  WG_TEST(test_no_ca_file_means_system_store_only),
  WG_TEST(test_wrong_name),
  WG_TEST(test_ip_literal_and_ipv6),
  WG_TEST(test_truncation),
  WG_TEST(test_timeout),
  WG_TEST(test_cancel_latency_and_leftovers),
  WG_TEST(test_dns),
  WG_TEST(test_dns_cancel_and_leftovers),
};

WG_TEST_MAIN()
