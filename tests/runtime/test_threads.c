/* test_threads.c: 8 threads x N calls at once through one shared module
 * cache: every result must be exactly the expected one. The harness is not
 * thread-safe, so workers count mismatches and the main thread checks. */
#include "../harness.h"
#include "rt_test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 8, CALLS_PER_THREAD = 1000 };

typedef struct shared {
  wg_module_cache *cache;
  const uint8_t *echo, *sum;
  size_t echo_len, sum_len;
  const wg_schema *sum_schema;
  atomic_int wrong, done;
} shared;

typedef struct worker {
  shared *sh;
  int id;
} worker;

/* One echo call (odd k) or one json-sum call (even k), checked exactly. */
static bool one_call(shared *sh, int id, int k) {
  char in[96], want[96];
  wg_error e = {0};
  bool echo = k % 2;
  wg_module *m = echo ? wg_module_cache_get(sh->cache, "sha256:echo", sh->echo, sh->echo_len, &e)
                      : wg_module_cache_get(sh->cache, "sha256:sum", sh->sum, sh->sum_len, &e);
  if (!m) return false;
  if (echo) {
    snprintf(in, sizeof in, "{\"n\":%d, \"id\":%d}", k, id);
    snprintf(want, sizeof want, "{\"id\":%d,\"n\":%d}", id, k);
  } else {
    snprintf(in, sizeof in, "{\"numbers\":[%d,%d,0.5]}", id, k);
    snprintf(want, sizeof want, "sum: %d.5 (3 numbers)", id + k);
  }
  wg_call_request req = rt_request(m, echo ? "Echo" : "JsonSum", in);
  if (!echo) req.schema = sh->sum_schema;
  wg_call_result r;
  bool ok = wg_call(&req, &r) == WG_ERR_NONE &&
            strcmp(echo ? r.content : r.summary, want) == 0;
  wg_call_result_free(&r);
  wg_module_release(m);
  return ok;
}

static void *work(void *p) {
  worker *w = p;
  for (int k = 0; k < CALLS_PER_THREAD; k++) {
    if (!one_call(w->sh, w->id, k)) atomic_fetch_add(&w->sh->wrong, 1);
    atomic_fetch_add(&w->sh->done, 1);
  }
  return NULL;
}

static void test_concurrent_calls_share_modules(void) {
  char path[1024];
  shared sh = {0};
  snprintf(path, sizeof path, "%s/echo/plugin.wasm", RT_EXAMPLES_DIR);
  uint8_t *echo = rt_read_file(path, &sh.echo_len);
  snprintf(path, sizeof path, "%s/json-sum/plugin.wasm", RT_EXAMPLES_DIR);
  uint8_t *sum = rt_read_file(path, &sh.sum_len);
  wg_schema *schema = rt_schema("{\"type\":\"object\",\"properties\":{\"numbers\":{\"type\":"
                                "\"array\",\"items\":{\"type\":\"number\"}}},"
                                "\"additionalProperties\":false}");
  REQUIRE(echo && sum && schema);
  sh.echo = echo, sh.sum = sum, sh.sum_schema = schema;
  sh.cache = wg_module_cache_new(0);
  REQUIRE(sh.cache);
  pthread_t t[THREADS];
  worker w[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (worker){&sh, i};
    REQUIRE(pthread_create(&t[i], NULL, work, &w[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  CHECK_INT(atomic_load(&sh.done), THREADS * CALLS_PER_THREAD);
  CHECK_INT(atomic_load(&sh.wrong), 0);
  CHECK_INT(wg_module_cache_size(sh.cache), 2); /* compiled once each */
  wg_module_cache_free(sh.cache);
  wg_schema_free(schema);
  free(echo);
  free(sum);
}

WG_TEST_LIST {
  WG_TEST(test_concurrent_calls_share_modules),
};
WG_TEST_MAIN()
