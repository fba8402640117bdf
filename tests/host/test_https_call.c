/* test_https_call.c: https requests through the library's call path
 * (wg_plugin_set_load -> wg_registry_build -> wg_registry_call), on the
 * probe plugin as a directory package, against the test servers of
 * netns/run_in_netns.py. What only an in-process test can see:
 *  - libcurl is not loaded until a call makes its first request;
 *  - a name resolved through the DNS responder is the name TLS and the Host
 *    header carry, and a URL a naive parser reads differently reaches the
 *    host the policy checked;
 *  - cancelling a call (wg_cancel, from another thread) during a stalled
 *    transfer ends it within milliseconds and leaves no thread and no
 *    descriptor behind (/proc/self/task, /proc/self/fd);
 *  - the call's own deadline cuts a request short as `timeout`. */
#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "../harness.h"
#include "testnet.h"
#include "wasmgate/package.h"
#include "wasmgate/runtime.h"

static testnet net;
static char root[64], ws[128], pkg[192];
static char digest[WG_PKG_DIGEST_LEN];

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

static bool copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
  bool ok = in && out;
  char buf[65536];
  size_t n;
  while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, n, out) == n;
  if (in) fclose(in);
  if (out) ok = fclose(out) == 0 && ok;
  return ok;
}

static void write_config(const char *limits) {
  char path[256];
  snprintf(path, sizeof path, "%s/wasmgate.toml", ws);
  FILE *f = fopen(path, "w");
  REQUIRE(f);
  fprintf(f,
          "[feature.plugins]\nenabled = true\n"
          "[[plugins.enabled]]\nid = \"project:probe\"\n[plugins.enabled.grants]\n"
          "id = \"project:probe\"\nversion = \"1.0.0\"\ndigest = \"%s\"\n"
          "permissions = [ { kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = "
          "\"Probe\" }, { kind = \"host_api\", api = \"https\" } ]\n"
          "[[plugins.enabled.grants.https]]\nhost = \"api.test\"\nport = %u\nmethods = [\"GET\"]\n"
          "[https]\nallow_networks = [\"127.0.0.1/32\"]\nca_file = \"%s\"\n"
          "dns_servers = [\"127.0.0.1:%u\"]\n"
          "[history]\nfsync = \"never\"\n%s",
          digest, net.https, net.ca, net.dns, limits);
  fclose(f);
}

__attribute__((constructor)) static void setup(void) {
  testnet_get(&net);
  snprintf(root, sizeof root, "/tmp/wg-https-call-XXXXXX");
  if (!mkdtemp(root)) exit(2);
  snprintf(ws, sizeof ws, "%s/ws", root);
  char store[160];
  snprintf(store, sizeof store, "%s/.yoi", ws);
  mkdir(ws, 0755);
  mkdir(store, 0755);
  snprintf(store, sizeof store, "%s/.yoi/plugins", ws);
  mkdir(store, 0755);
  snprintf(pkg, sizeof pkg, "%s/probe.yoi-plugin", store);
  mkdir(pkg, 0755);
  char to[256];
  snprintf(to, sizeof to, "%s/plugin.toml", pkg);
  if (!copy_file(HOST_PLUGINS_DIR "/https_probe.toml", to)) exit(2);
  snprintf(to, sizeof to, "%s/plugin.wasm", pkg);
  if (!copy_file(HOST_FIXTURE_DIR "/https_probe.wasm", to)) exit(2);
  wg_pkg *p = NULL;
  wg_pkg_diag d;
  if (wg_pkg_open_path(pkg, NULL, &p, &d) != 0) exit(2);
  wg_pkg_digest(p, digest);
  wg_pkg_free(p);
}

typedef struct session {
  wg_plugin_set set;
  wg_registry reg;
  wg_module_cache *cache;
} session;

static void open_session(session *s, const char *limits) {
  write_config(limits);
  wg_plugin_set_options o = {.workspace = ws};
  wg_config_error err;
  memset(s, 0, sizeof *s);
  REQUIRE(wg_plugin_set_load(&o, &s->set, &err) == WG_PLUGIN_SET_OK);
  REQUIRE(wg_registry_build(s->set.cfg, &s->set.res, NULL, 0, &s->reg));
  REQUIRE(wg_registry_set_base_dir(&s->reg, s->set.workspace));
  REQUIRE(s->reg.count == 1);
  s->cache = wg_module_cache_new(4);
}

static void close_session(session *s) {
  wg_module_cache_free(s->cache);
  wg_registry_free(&s->reg);
  wg_plugin_set_free(&s->set);
}

/* {"requests":["<descriptor>"]} for one GET of url. */
static void probe_input(char *out, size_t size, const char *url) {
  wg_buf d, in;
  wg_buf_init(&d, 0);
  wg_buf_init(&in, 0);
  wg_buf_append_str(&d, "{\"method\":\"GET\",\"url\":");
  wg_json_write_string(&d, url, strlen(url));
  wg_buf_append_str(&d, "}");
  wg_buf_append_str(&in, "{\"requests\":[");
  wg_json_write_string(&in, d.data, d.len);
  wg_buf_append_str(&in, "]}");
  snprintf(out, size, "%s", in.data);
  wg_buf_free(&d);
  wg_buf_free(&in);
}

static wg_err call(session *s, const char *input, wg_cancel *cancel, wg_call_result *r) {
  wg_call_limits lim = wg_call_limits_from_config(&s->set.cfg->limits);
  return wg_registry_call(&s->reg, s->cache, "Probe", input, strlen(input), &lim, cancel, r);
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

/* Must run first: nothing has loaded libcurl in this process yet. */
static void test_loaded_on_first_request_only(void) {
  CHECK(!wg_https_client_loaded());
  session s;
  open_session(&s, "");
  wg_call_result r;
  CHECK_INT(call(&s, "{\"requests\":[]}", NULL, &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "0 requests");
  CHECK_INT(r.https_count, 0);
  wg_call_result_free(&r);
  CHECK(!wg_https_client_loaded()); /* a call that makes no request pays nothing */
  char in[1024];
  char url[128];
  snprintf(url, sizeof url, "https://api.test:%u/json", net.https);
  probe_input(in, sizeof in, url);
  CHECK_INT(call(&s, in, NULL, &r), WG_ERR_NONE);
  CHECK_INT(r.https_count, 1);
  wg_call_result_free(&r);
  CHECK(wg_https_client_loaded());
  close_session(&s);
}

/* The host the policy checked is the host curl connected to: a mixed-case,
 * trailing-dot, percent-encoded name is looked up, sent as SNI and Host in
 * its canonical form; a backslash that a non-WHATWG parser would read as
 * userinfo stays in the path. */
static void test_connected_host_is_checked_host(void) {
  static const struct {
    const char *host_part, *path_seen;
  } cases[] = {
    {"API.Test.", "/json"},
    {"api%2Etest", "/json"},
    {"api.test", "/@other.test/json"}, /* written "\\@other.test/json" */
  };
  session s;
  open_session(&s, "");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    testnet_reset(&net);
    char url[256], in[1024];
    if (i == 2) snprintf(url, sizeof url, "https://api.test:%u\\@other.test/json", net.https);
    else snprintf(url, sizeof url, "https://%s:%u/json", cases[i].host_part, net.https);
    probe_input(in, sizeof in, url);
    wg_call_result r;
    CHECK_INT(call(&s, in, NULL, &r), WG_ERR_NONE);
    REQUIRE(r.https_count == 1);
    char want[256];
    snprintf(want, sizeof want, "https://api.test:%u%s", net.https, cases[i].path_seen);
    CHECK_STR(r.https[0].url, want);
    CHECK_INT(r.https[0].status, i == 2 ? 404 : 200);
    wg_call_result_free(&r);
    wg_json_doc *st = testnet_stats(&net);
    REQUIRE(st);
    const wg_json *seen = last_request(st);
    REQUIRE(seen);
    CHECK_STR(wg_json_str(wg_json_get(seen, "sni")), "api.test");
    CHECK_STR(wg_json_str(wg_json_get(seen, "local_addr")), "127.0.0.1");
    CHECK_STR(wg_json_str(wg_json_get(seen, "path")), cases[i].path_seen);
    char host[64];
    snprintf(host, sizeof host, "api.test:%u", net.https);
    CHECK_STR(req_header(seen, "host"), host);
    /* Looked up through the configured DNS responder, A and AAAA. */
    const wg_json *q = wg_json_get(wg_json_root(st), "dns_queries");
    CHECK_INT(q ? q->u.array.count : 0, 2);
    CHECK_STR(wg_json_str(wg_json_at(wg_json_at(q, 0), 0)), "api.test");
    wg_json_free(st);
  }
  close_session(&s);
}

typedef struct canceller {
  wg_cancel *cancel;
  unsigned delay_ms;
  uint64_t at_ns;
} canceller;

static void *cancel_later(void *p) {
  canceller *c = p;
  struct timespec ts = {0, (long)c->delay_ms * 1000000L};
  nanosleep(&ts, NULL);
  c->at_ns = wg_now_ns();
  wg_cancel_request(c->cancel);
  return NULL;
}

static void test_cancel_leaves_nothing(void) {
  session s;
  open_session(&s, "");
  char url[128], in[1024];
  snprintf(url, sizeof url, "https://api.test:%u/stall?s=10", net.https);
  probe_input(in, sizeof in, url);
  /* One request first, so libcurl's and OpenSSL's one-time state exists
   * before the counts are taken. */
  wg_call_result r;
  char warm[1024], wurl[128];
  snprintf(wurl, sizeof wurl, "https://api.test:%u/json", net.https);
  probe_input(warm, sizeof warm, wurl);
  call(&s, warm, NULL, &r);
  wg_call_result_free(&r);
  int tasks0 = count_dir("/proc/self/task"), fds0 = count_dir("/proc/self/fd");
  uint64_t worst = 0;
  for (int i = 0; i < 5; i++) {
    wg_cancel c;
    wg_cancel_init(&c);
    canceller k = {&c, 200, 0};
    pthread_t th;
    REQUIRE(pthread_create(&th, NULL, cancel_later, &k) == 0);
    CHECK_INT(call(&s, in, &c, &r), WG_ERR_CANCELLED);
    uint64_t end = wg_now_ns();
    pthread_join(th, NULL);
    CHECK_STR(r.error.message, "call cancelled");
    REQUIRE(r.https_count == 1);
    CHECK_INT(r.https[0].error, WG_ERR_CANCELLED);
    wg_call_result_free(&r);
    if (end - k.at_ns > worst) worst = end - k.at_ns;
  }
  printf("cancel during a stalled transfer: worst %.2f ms from wg_cancel_request to the "
         "call's return (5 calls)\n", worst / 1e6);
  CHECK(worst < 250000000u); /* generous: 10 ms is the target, the machine is shared */
  CHECK_INT(count_dir("/proc/self/task"), tasks0);
  CHECK_INT(count_dir("/proc/self/fd"), fds0);
  close_session(&s);
}

static void test_call_deadline_cuts_the_request(void) {
  session s;
  open_session(&s, "[limits]\ntimeout_ms = 600\n");
  char url[128], in[1024];
  snprintf(url, sizeof url, "https://api.test:%u/stall-body?s=10", net.https);
  probe_input(in, sizeof in, url);
  uint64_t t0 = wg_now_ns();
  wg_call_result r;
  CHECK_INT(call(&s, in, NULL, &r), WG_ERR_TIMEOUT);
  double ms = (wg_now_ns() - t0) / 1e6;
  printf("call deadline 600 ms, https request stalled: the call ended after %.0f ms\n", ms);
  CHECK(ms >= 590 && ms < 3000);
  CHECK_STR(r.error.message, "wall-clock deadline reached");
  CHECK_CONTAINS(r.summary, "timed out after 600ms");
  REQUIRE(r.https_count == 1);
  CHECK_INT(r.https[0].error, WG_ERR_TIMEOUT);
  wg_call_result_free(&r);
  close_session(&s);
}

/* Authorization runs again on every request, not only at link time: a
 * grant that loses host_api.https after the registry was built (here by
 * editing the resolved config in place) refuses the request itself. */
static void test_authorized_on_every_request(void) {
  session s;
  open_session(&s, "");
  wg_config_grants *g = &s.set.cfg->enabled[0].grants;
  REQUIRE(g->permission_count == 3 && g->permissions[2].kind == WG_PERM_HOST_API);
  g->permission_count = 2; /* surface and tool stay: the call itself is allowed */
  testnet_reset(&net);
  char url[128], in[1024];
  snprintf(url, sizeof url, "https://api.test:%u/json", net.https);
  probe_input(in, sizeof in, url);
  wg_call_result r;
  CHECK_INT(call(&s, in, NULL, &r), WG_ERR_HTTPS_GRANT_DENIED);
  CHECK_STR(r.error.message,
            "plugin host API dispatch denied: granted host_api.https permission is missing");
  REQUIRE(r.https_count == 1);
  CHECK_INT(r.https[0].error, WG_ERR_HTTPS_GRANT_DENIED);
  CHECK_INT(testnet_connections(&net), 0);
  wg_call_result_free(&r);
  g->permission_count = 3;
  close_session(&s);
}

static void rm_tree(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", root);
}

static void test_cleanup(void) { rm_tree(); }

WG_TEST_LIST {
  WG_TEST(test_loaded_on_first_request_only),
  WG_TEST(test_connected_host_is_checked_host),
  WG_TEST(test_cancel_leaves_nothing),
  WG_TEST(test_call_deadline_cuts_the_request),
  WG_TEST(test_authorized_on_every_request),
  WG_TEST(test_cleanup),
};

WG_TEST_MAIN()
