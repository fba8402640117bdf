/* bench_call.c: tool-call latency through the runtime API, next to
 * baselines measured in the same run:
 *   - the engine's bare nop call on a live instance (wg_func_call);
 *   - the engine's fresh store + instance + nop call;
 *   - a warm `echo` call through wg_call (cached module, fresh instance,
 *     input checks, canonical JSON, output decode; history off);
 *   - one history record pair (tool_call + tool_result) with fsync "never"
 *     and "always", in the directory given.
 * Usage: bench_call FIXTURE_DIR EXAMPLES_DIR HISTORY_DIR */
#include "wasmgate/runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *d = malloc((size_t)n);
  if (d && fread(d, 1, (size_t)n, f) != (size_t)n) d = (free(d), NULL);
  fclose(f);
  *len = (size_t)n;
  return d;
}

static wg_module *load(const char *path) {
  size_t len;
  uint8_t *b = read_file(path, &len);
  wg_module *m = NULL;
  if (b) wg_module_new(b, len, &m, NULL);
  free(b);
  if (!m) fprintf(stderr, "cannot load %s\n", path);
  return m;
}

/* Runs fn `iters` times per round, 7 rounds; returns the best ns/iter. */
typedef void (*bench_fn)(void *ctx);
static double best_ns(bench_fn fn, void *ctx, int iters) {
  double best = 1e30;
  for (int round = 0; round < 7; round++) {
    uint64_t t0 = wg_now_ns();
    for (int i = 0; i < iters; i++) fn(ctx);
    double ns = (double)(wg_now_ns() - t0) / iters;
    if (ns < best) best = ns;
  }
  return best;
}

typedef struct nop_ctx {
  wg_store *s;
  wg_func *f;
  const wg_module *m;
} nop_ctx;

static void nop_call(void *p) {
  nop_ctx *c = p;
  wg_func_call(c->s, c->f, NULL, 0, NULL, 0, NULL);
}

static void nop_fresh(void *p) {
  nop_ctx *c = p;
  wg_store *s = wg_store_new(NULL);
  wg_instance *inst = NULL;
  wg_extern fn;
  if (wg_instance_new(s, c->m, NULL, 0, &inst, NULL) == WG_WASM_OK &&
      wg_instance_export(inst, "yoi_tool_call", 13, &fn))
    wg_func_call(s, fn.of.func, NULL, 0, NULL, 0, NULL);
  wg_store_free(s);
}

typedef struct echo_ctx {
  wg_call_request req;
  int errors;
} echo_ctx;

static void echo_call(void *p) {
  echo_ctx *c = p;
  wg_call_result r;
  if (wg_call(&c->req, &r) != WG_ERR_NONE) c->errors++;
  wg_call_result_free(&r);
}

typedef struct hist_ctx {
  wg_history *h;
  wg_call_result r;
} hist_ctx;

static void hist_append(void *p) {
  hist_ctx *c = p;
  static const wg_history_origin o = {"project:echo", "1.0.0", "sha256:00"};
  wg_history_append_call(c->h, NULL, "Echo", &o, &c->r, NULL, 0);
}

typedef struct cancel_ctx {
  wg_cancel *cancel;
  uint64_t at;
} cancel_ctx;

static void *cancel_after(void *p) {
  cancel_ctx *c = p;
  uint64_t until = wg_now_ns() + 20000000; /* 20 ms into the call */
  while (wg_now_ns() < until) {}
  c->at = wg_now_ns();
  wg_cancel_request(c->cancel);
  return NULL;
}

/* Time from wg_cancel_request on another thread to wg_call's return, for
 * an infinite loop; fills the median and the maximum of `n` trials. */
static void cancel_latency(const wg_module *loop, int n, double *median, double *max) {
  double t[64];
  for (int i = 0; i < n; i++) {
    wg_cancel cancel;
    wg_cancel_init(&cancel);
    wg_call_request req = {.module = loop, .tool = "Loop", .plugin = "p", .digest = "d",
                           .input = "{}", .input_len = 2, .cancel = &cancel,
                           .limits = wg_call_limits_default()};
    req.limits.fuel = UINT64_MAX / 2;
    cancel_ctx cc = {&cancel, 0};
    pthread_t th;
    pthread_create(&th, NULL, cancel_after, &cc);
    wg_call_result r;
    wg_call(&req, &r);
    uint64_t back = wg_now_ns();
    pthread_join(th, NULL);
    wg_call_result_free(&r);
    t[i] = (double)(back - cc.at);
  }
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
      double x = t[j];
      t[j] = t[j - 1], t[j - 1] = x;
    }
  *median = t[n / 2];
  *max = t[n - 1];
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: bench_call FIXTURE_DIR EXAMPLES_DIR HISTORY_DIR\n");
    return 2;
  }
  char path[1024];
  snprintf(path, sizeof path, "%s/nop.wasm", argv[1]);
  wg_module *nop = load(path);
  snprintf(path, sizeof path, "%s/echo/plugin.wasm", argv[2]);
  wg_module *echo = load(path);
  if (!nop || !echo) return 1;

  nop_ctx nc = {wg_store_new(NULL), NULL, nop};
  wg_instance *inst = NULL;
  wg_extern fn;
  wg_instance_new(nc.s, nop, NULL, 0, &inst, NULL);
  wg_instance_export(inst, "yoi_tool_call", 13, &fn);
  nc.f = fn.of.func;
  double bare = best_ns(nop_call, &nc, 200000);
  double fresh = best_ns(nop_fresh, &nc, 20000);

  echo_ctx ec = {.req = {.module = echo, .tool = "Echo", .plugin = "project:echo",
                         .digest = "sha256:00", .input = "{\"message\":\"hello, world\"}",
                         .limits = wg_call_limits_default()}};
  ec.req.input_len = strlen(ec.req.input);
  double warm = best_ns(echo_call, &ec, 20000);

  hist_ctx hc = {0};
  echo_call(&ec); /* a real result to record */
  wg_call(&ec.req, &hc.r);
  double hist[2];
  for (int sync = 0; sync < 2; sync++) {
    snprintf(path, sizeof path, "%s/bench-history-%d.jsonl", argv[3], sync);
    wg_history_options opts = {.fsync = sync == 1};
    hc.h = wg_history_open(path, &opts, NULL, 0);
    if (!hc.h) return 1;
    hist[sync] = best_ns(hist_append, &hc, sync ? 20 : 5000);
    wg_history_close(hc.h);
    unlink(path);
  }
  wg_call_result_free(&hc.r);

  snprintf(path, sizeof path, "%s/loop.wasm", argv[1]);
  wg_module *loop = load(path);
  if (!loop) return 1;
  double cmed, cmax;
  cancel_latency(loop, 21, &cmed, &cmax);
  wg_module_release(loop);

  printf("engine nop call (live instance)      %10.2f us\n", bare / 1e3);
  printf("engine fresh store+instance+nop call %10.2f us\n", fresh / 1e3);
  printf("warm echo call via wg_call           %10.2f us  (%.0f calls/s, %d errors)\n",
         warm / 1e3, 1e9 / warm, ec.errors);
  printf("history record pair, fsync never     %10.2f us\n", hist[0] / 1e3);
  printf("history record pair, fsync always    %10.2f us\n", hist[1] / 1e3);
  printf("cancel -> return latency (21 trials)  %10.2f us median, %.2f us max\n",
         cmed / 1e3, cmax / 1e3);
  wg_store_free(nc.s);
  wg_module_release(nop);
  wg_module_release(echo);
  return ec.errors ? 1 : 0;
}
