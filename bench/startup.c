/* startup.c: in-process start-up cost of the wasmgate engine: microseconds
 * for load (decode + validate + compile) + instantiate + one call of `run`
 * on a small module (bench/build/wasm/nop.wasm), and for instantiate + call
 * alone with the module compiled once (how the runtime uses a cached
 * module). Many iterations; prints median, min and 90th percentile.
 *
 * A module with function imports (a plugin) gets a host function for each
 * that returns zeros, linked once; the export called (default `run`) takes
 * no arguments. A third figure is the same fresh instance + call with the
 * store's limits the runtime sets for a plugin call (fuel, deadline, 16 MiB
 * of store bytes).
 *
 * usage: startup FILE.wasm [ITERATIONS [EXPORT]]   (default 5000, run)
 *   e.g. startup build/release/examples/echo/plugin.wasm 20000 yoi_tool_call */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/util.h"
#include "wasmgate/wasm.h"

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *ns, size_t n) {
  qsort(ns, n, sizeof *ns, cmp_u64);
  printf("%-36s median %8.2f us   min %8.2f us   p90 %8.2f us\n", what,
         (double)ns[n / 2] / 1e3, (double)ns[0] / 1e3,
         (double)ns[n * 9 / 10] / 1e3);
}

static wg_trap host_zero(wg_caller *c, void *user, const wg_val *args,
                         wg_val *results) {
  (void)c, (void)user, (void)args, (void)results; /* results start zeroed */
  return WG_TRAP_NONE;
}

/* A linker giving every function import of m a host_zero. */
static wg_linker *stub_linker(const wg_module *m) {
  wg_linker *l = wg_linker_new();
  for (size_t i = 0; l && i < wg_module_import_count(m); i++) {
    wg_import_info im;
    if (!wg_module_import(m, i, &im) || im.kind != WG_EXTERN_FUNC ||
        !wg_linker_define_host_func(l, im.module, im.module_len, im.name,
                                    im.name_len, &im.functype, host_zero,
                                    NULL)) {
      wg_linker_free(l);
      return NULL;
    }
  }
  return l;
}

static const char *export_name = "run";

/* Instantiates m in a fresh store (limits: NULL for the defaults) and
 * calls the export; false on any failure. */
static bool instantiate_and_call(const wg_module *m, const wg_linker *l,
                                 const wg_limits *limits, uint32_t *checksum) {
  wg_store *s = wg_store_new(limits);
  wg_instance *inst = NULL;
  wg_extern ext;
  wg_val result[1];
  wg_wasm_error err;
  bool ok = s && wg_linker_instantiate(l, s, m, &inst, &err) == WG_WASM_OK &&
            wg_instance_export(inst, export_name, strlen(export_name), &ext) &&
            ext.kind == WG_EXTERN_FUNC &&
            ext.of.func && wg_func_type(ext.of.func)->param_count == 0 &&
            wg_func_type(ext.of.func)->result_count <= 1 &&
            wg_func_call(s, ext.of.func, NULL, 0, result,
                         wg_func_type(ext.of.func)->result_count,
                         &err) == WG_WASM_OK;
  if (ok)
    *checksum = wg_func_type(ext.of.func)->result_count ? result[0].of.i32 : 0;
  wg_store_free(s);
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: startup FILE.wasm [ITERATIONS [EXPORT]]\n");
    return 2;
  }
  size_t iters = argc > 2 ? strtoul(argv[2], NULL, 10) : 5000;
  if (argc > 3) export_name = argv[3];
  if (iters < 10) iters = 10;
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  unsigned char *bytes = malloc(1 << 20);
  size_t len = bytes ? fread(bytes, 1, 1 << 20, f) : 0;
  fclose(f);
  uint64_t *full = calloc(iters, sizeof *full);
  uint64_t *warm = calloc(iters, sizeof *warm);
  uint64_t *limited = calloc(iters, sizeof *limited);
  wg_linker *l = NULL;
  uint32_t checksum = 0;
  wg_wasm_error err;
  int rc = 1;
  if (!bytes || !full || !warm || !limited) goto out;
  for (size_t i = 0; i < iters; i++) {
    uint64_t t0 = wg_now_ns();
    wg_module *m = NULL;
    bool ok = wg_module_new(bytes, len, &m, &err) == WG_WASM_OK &&
              (l = stub_linker(m)) != NULL &&
              instantiate_and_call(m, l, NULL, &checksum);
    wg_module_release(m);
    wg_linker_free(l);
    l = NULL;
    full[i] = wg_now_ns() - t0;
    if (!ok) {
      fprintf(stderr, "startup: %s does not load and run\n", argv[1]);
      goto out;
    }
  }
  wg_module *m = NULL;
  if (wg_module_new(bytes, len, &m, &err) != WG_WASM_OK ||
      !(l = stub_linker(m))) {
    wg_module_release(m);
    goto out;
  }
  for (size_t i = 0; i < iters; i++) {
    uint64_t t0 = wg_now_ns();
    bool ok = instantiate_and_call(m, l, NULL, &checksum);
    warm[i] = wg_now_ns() - t0;
    if (!ok) break;
  }
  for (size_t i = 0; i < iters; i++) {
    /* as the runtime's plugin call: fuel, a deadline, 16 MiB */
    wg_limits lim = {.fuel = 1000000000, .deadline_ns = wg_now_ns() + 1000000000,
                     .max_store_bytes = 16u << 20};
    uint64_t t0 = wg_now_ns();
    bool ok = instantiate_and_call(m, l, &lim, &checksum);
    limited[i] = wg_now_ns() - t0;
    if (!ok) break;
  }
  wg_module_release(m);
  printf("%s (%zu bytes), %zu iterations, %s() = %" PRIu32 "\n", argv[1], len,
         iters, export_name, checksum);
  report("load+validate+instantiate+call", full, iters);
  report("instantiate+call (module cached)", warm, iters);
  report("the same, plugin-call limits", limited, iters);
  rc = 0;
out:
  free(bytes);
  free(full);
  free(warm);
  free(limited);
  wg_linker_free(l);
  return rc;
}
