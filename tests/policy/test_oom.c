/* test_oom.c: allocation failure at every point of the policy's paths.
 * malloc, calloc and realloc are wrapped at link time (-Wl,--wrap reaches
 * every static library of the program; libidn2's own allocations are not
 * wrapped); run k fails the k-th allocation. Each run must end in a clean
 * WG_POL_INTERNAL (or a false from a buffer writer) or a complete result,
 * and (ASan build: LeakSanitizer at exit) free everything on the way out.
 * The loop stops at the first run that allocates fewer than k times. */
#include <stdbool.h>

#include "harness.h"
#include "wasmgate/policy.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);

/* Test-only state of the injector (one thread). */
static long inject_at = -1, inject_count;

static bool inject(void) { return inject_at >= 0 && inject_count++ == inject_at; }
void *__wrap_malloc(size_t n) { return inject() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return inject() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return inject() ? NULL : __real_realloc(p, n); }

static const char config_text[] =
    "[secrets]\ntok = { env = \"T\" }\n"
    "[https]\nallow_networks = [\"10.0.0.0/8\"]\nresolve = [\"a.test:443:10.1.1.1,[2606:4700::1]\"]\n"
    "[[plugins.enabled]]\nid = \"project:x\"\n[plugins.enabled.grants]\n"
    "https = [ { host = \"x.example\", methods = [\"GET\"], path_prefixes = [\"/a/{b}\"] },\n"
    "          { host = \"b\xc3\xbc" "cher.de\", methods = [\"POST\"], path_prefixes = [\"/v1\", \"/v2/\"], "
    "path_secrets = [\"tok\"], headers = [ { name = \"x-k\", value = \"k ${secret:tok}\" } ] } ]\n";

/* Every code a step may return under failing allocation. */
#define OK_OR_NOMEM(rc)                                    \
  do {                                                     \
    wg_pol_code rc_ = (rc);                                \
    CHECK(rc_ == WG_POL_OK || rc_ == WG_POL_INTERNAL);     \
    if (rc_) goto done;                                    \
  } while (0)

static bool pipeline(const wg_config *cfg) {
  bool ok = false;
  wg_pol_error e;
  wg_policy *pol = NULL;
  wg_pol_grants *gs = NULL;
  wg_pol_secrets *s = NULL;
  wg_pol_decision d = {0};
  wg_pol_url r = {0};
  wg_buf b;
  wg_buf_init(&b, 0);
  OK_OR_NOMEM(wg_policy_new(cfg, &pol, &e));
  const wg_config_grants *g = &cfg->enabled[0].grants;
  gs = wg_pol_grants_new(g->https, g->https_count);
  if (!gs) goto done;
  static const char url[] = "https://B\xc3\x9c" "CHER.de./v1/../v1/{{secret:tok}}/%2e/x y?q=\xc3\xa9#f";
  wg_pol_header h = {"accept", 6, "*/*", 3};
  wg_pol_request req = {"POST", 4, url, sizeof url - 1, &h, 1, 10};
  OK_OR_NOMEM(wg_pol_check_request(pol, gs, &req, &d, &e));
  CHECK(d.match.matched && d.match.grant == 1);
  OK_OR_NOMEM(wg_pol_url_resolve(&d.url, "../other/./y?z", 14, &r, &e));
  if (!wg_pol_url_href(&r, &b) || !wg_pol_url_safe(&d.url, &b)) goto done;
  wg_pol_secret item = {"tok", (const uint8_t *)"secret value 1234", 17};
  OK_OR_NOMEM(wg_pol_secrets_new(&item, 1, &s, &e));
  OK_OR_NOMEM(wg_pol_expand_header(s, g->https[1].headers[0].value,
                                   strlen(g->https[1].headers[0].value), &b, &e));
  OK_OR_NOMEM(wg_pol_url_substitute(&d.url, &g->https[1], s, &b, &e));
  static const char text[] = "x secret value 1234 c2VjcmV0IHZhbHVlIDEyMzQ= secret%20value%201234 "
                             "token=abc";
  if (!wg_pol_redact(s, text, sizeof text - 1, &b)) goto done;
  if (!wg_pol_redact_secret_like(text, sizeof text - 1, &b)) goto done;
  const wg_ip *addrs;
  size_t n;
  wg_pol_host pin;
  OK_OR_NOMEM(wg_pol_host_parse("a.test", 6, &pin, &e));
  CHECK(wg_policy_resolve(pol, &pin, 443, &addrs, &n) && n == 2);
  CHECK_INT(wg_pol_check_address(pol, &pin, &addrs[0], &e), WG_POL_OK);
  ok = true;
done:
  wg_buf_free(&b);
  wg_pol_url_free(&r);
  wg_pol_decision_free(&d);
  wg_pol_secrets_free(s);
  wg_pol_grants_free(gs);
  wg_policy_free(pol);
  return ok;
}

static void test_every_allocation_can_fail(void) {
  wg_config_error ce;
  wg_config *cfg = wg_config_parse(config_text, strlen(config_text), &ce);
  if (!cfg) fprintf(stderr, "%u:%u %s\n", ce.line, ce.column, ce.message);
  REQUIRE(cfg);
  inject_at = -1;
  REQUIRE(pipeline(cfg));
  long runs = 0;
  for (long k = 0;; k++) {
    inject_at = k;
    inject_count = 0;
    bool ok = pipeline(cfg);
    runs++;
    if (inject_count <= k) {
      CHECK(ok); /* the failure was never reached: a full pass */
      break;
    }
    CHECK(!ok);
  }
  inject_at = -1;
  CHECK(runs > 20);
  printf("%ld allocation failure points\n", runs - 1);
  wg_config_free(cfg);
}

WG_TEST_LIST{
    WG_TEST(test_every_allocation_can_fail),
};
WG_TEST_MAIN()
