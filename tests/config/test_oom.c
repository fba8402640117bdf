/* test_oom.c: allocation failure at every point of the config pipeline.
 * malloc, calloc, realloc, strdup and strndup are wrapped at link time
 * (-Wl,--wrap, which reaches every static library of the program); run k
 * fails the k-th allocation. Each run must end in a clean error or a
 * complete result, and (ASan build: LeakSanitizer at exit) free everything
 * on the way out. The loop stops at the first run that allocates fewer
 * times than k, i.e. that did not hit the failure at all. */
#include <stdbool.h>
#include <stdint.h>

#include "cfgfix.h"
#include "harness.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

/* Test-only state of the injector (one thread). */
static long inject_at = -1, inject_count;

static bool inject(void) { return inject_at >= 0 && inject_count++ == inject_at; }
void *__wrap_malloc(size_t n) { return inject() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return inject() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return inject() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return inject() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return inject() ? NULL : __real_strndup(s, n); }

static char config_text[4096];

/* One pass: parse, discover, resolve, inspect, JSON, lock. Returns true if
 * every step succeeded. */
static bool pipeline(const wg_plugin_stores *stores) {
  bool ok = false;
  wg_config_error e;
  wg_config *cfg = wg_config_parse(config_text, strlen(config_text), &e);
  wg_discovery disc = {0};
  wg_resolution res = {0};
  wg_inspection in = {0};
  wg_lock lock = {0};
  wg_buf out;
  wg_buf_init(&out, 0);
  if (!cfg) {
    CHECK_INT(e.code, WG_CONFIG_NOMEM);
    return false;
  }
  if (wg_discover(stores, NULL, &disc) != 0) goto done;
  if (wg_resolve(cfg, &disc, NULL, &res) != 0) goto done;
  if (wg_inspect(cfg, &disc, &res, &in) != 0) goto done;
  wg_json_writer w;
  wg_json_writer_init(&w, &out);
  wg_json_writer_begin_array(&w);
  bool items_ok = true;
  for (size_t i = 0; i < in.count; i++)
    items_ok = wg_inspect_item_json(&in.items[i], &w) && items_ok;
  wg_json_writer_end_array(&w);
  if (!wg_json_writer_finish(&w) || !items_ok) goto done;
  if (wg_lock_from_resolution(&res, &lock) != 0) goto done;
  wg_buf_reset(&out);
  if (!wg_lock_format(&lock, &out)) goto done;
  wg_lock back;
  if (wg_lock_parse(out.data, out.len, &back, &e) != 0) {
    CHECK_INT(e.code, WG_CONFIG_NOMEM);
    goto done;
  }
  wg_lock_free(&back);
  /* A package that failed to load under OOM is a diagnostic, not a
   * success: only a run with every package counts as complete. */
  ok = disc.count == 3 && res.count == 2 && in.count == 4;
done:
  wg_buf_free(&out);
  wg_lock_free(&lock);
  wg_inspection_free(&in);
  wg_resolution_free(&res);
  wg_discovery_free(&disc);
  wg_config_free(cfg);
  return ok;
}

static void test_every_allocation_failure_is_clean(void) {
  cfix fx;
  cfix_init(&fx);
  REQUIRE(cfix_echo(fx.project, "echo", "echo", "1", true) == 0);
  REQUIRE(cfix_echo(fx.project, "dir", "dir", "1", false) == 0);
  REQUIRE(cfix_echo(fx.user, "u", "u", "1", true) == 0);
  wg_discovery d;
  REQUIRE(wg_discover(&fx.stores, NULL, &d) == 0 && d.count == 3);
  REQUIRE(strcmp(d.packages[2].identity, "project:echo") == 0);
  snprintf(config_text, sizeof config_text,
           "[[plugins.enabled]]\nid = \"project:echo\"\n[plugins.enabled.grants]\n"
           "id = \"project:echo\"\nversion = \"1\"\ndigest = \"%s\"\n"
           "permissions = [ { kind = \"surface\", surface = \"tool\" }, "
           "{ kind = \"tool\", name = \"Echo\" } ]\n"
           "https = [ { host = \"a.example\", methods = [\"GET\"], path_secrets = [\"hook\"], "
           "headers = [ { name = \"authorization\", value = \"Bearer ${secret:gh}\" } ] } ]\n"
           "[[plugins.enabled]]\nid = \"user:u\"\n[[plugins.enabled]]\nid = \"project:gone\"\n"
           "[limits]\nfuel = 5\n[https]\nallow_networks = [\"10.0.0.0/8\", \"::1/128\"]\n"
           "[secrets]\ngh = { env = \"GH\" }\nhook = { file = \"f\" }\n"
           "[history]\nfsync = \"never\"\n[stores]\nproject = \"p\"\n",
           d.packages[2].digest);
  wg_discovery_free(&d);
  long runs = 0, complete_failures = 0;
  for (long k = 0; k < 100000; k++) {
    inject_at = k;
    inject_count = 0;
    bool ok = pipeline(&fx.stores);
    long used = inject_count;
    inject_at = -1;
    runs++;
    if (used <= k) { /* the failure point was never reached */
      CHECK(ok);
      break;
    }
    if (ok) complete_failures++;
  }
  /* Sanity: the loop ran through many failure points. */
  CHECK(runs > 100);
  /* Some failures legitimately leave the counts whole: the package layer's
   * per-tool schema check fails closed (the tool becomes ineligible with a
   * schema diagnostic) rather than reporting out of memory. */
  CHECK(complete_failures < runs / 2);
  cfix_free(&fx);
}

WG_TEST_LIST {
  WG_TEST(test_every_allocation_failure_is_clean),
};
WG_TEST_MAIN()
