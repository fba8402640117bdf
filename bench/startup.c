/* startup.c: in-process start-up cost of the wasmgate engine: microseconds
 * for load (decode + validate + compile) + instantiate + one call of `run`
 * on a small module (bench/build/wasm/nop.wasm), and for instantiate + call
 * alone with the module compiled once (how the runtime uses a cached
 * module). Many iterations; prints median, min and 90th percentile.
 *
 * usage: startup FILE.wasm [ITERATIONS]   (default 5000) */
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

/* Instantiates m in a fresh store and calls `run`; false on any failure. */
static bool instantiate_and_call(const wg_module *m, uint32_t *checksum) {
  wg_store *s = wg_store_new(NULL);
  wg_instance *inst = NULL;
  wg_extern ext;
  wg_val result;
  wg_wasm_error err;
  bool ok = s && wg_instance_new(s, m, NULL, 0, &inst, &err) == WG_WASM_OK &&
            wg_instance_export(inst, "run", 3, &ext) &&
            ext.kind == WG_EXTERN_FUNC &&
            wg_func_call(s, ext.of.func, NULL, 0, &result, 1, &err) == WG_WASM_OK;
  if (ok) *checksum = result.of.i32;
  wg_store_free(s);
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: startup FILE.wasm [ITERATIONS]\n");
    return 2;
  }
  size_t iters = argc > 2 ? strtoul(argv[2], NULL, 10) : 5000;
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
  uint32_t checksum = 0;
  wg_wasm_error err;
  int rc = 1;
  if (!bytes || !full || !warm) goto out;
  for (size_t i = 0; i < iters; i++) {
    uint64_t t0 = wg_now_ns();
    wg_module *m = NULL;
    bool ok = wg_module_new(bytes, len, &m, &err) == WG_WASM_OK &&
              instantiate_and_call(m, &checksum);
    wg_module_release(m);
    full[i] = wg_now_ns() - t0;
    if (!ok) {
      fprintf(stderr, "startup: %s does not load and run\n", argv[1]);
      goto out;
    }
  }
  wg_module *m = NULL;
  if (wg_module_new(bytes, len, &m, &err) != WG_WASM_OK) goto out;
  for (size_t i = 0; i < iters; i++) {
    uint64_t t0 = wg_now_ns();
    bool ok = instantiate_and_call(m, &checksum);
    warm[i] = wg_now_ns() - t0;
    if (!ok) break;
  }
  wg_module_release(m);
  printf("%s (%zu bytes), %zu iterations, run() = %" PRIu32 "\n", argv[1], len,
         iters, checksum);
  report("load+validate+instantiate+call", full, iters);
  report("instantiate+call (module cached)", warm, iters);
  rc = 0;
out:
  free(bytes);
  free(full);
  free(warm);
  return rc;
}
