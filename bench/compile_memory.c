/* compile_memory.c: for each module given, the smallest compile memory
 * budget (wg_module_limits.max_memory_bytes) it compiles under, found by
 * bisection, as a multiple of its size, and its compile speed. The engine's
 * default budget is 16 x the size + 16 MiB (docs/engine.md, "Limits").
 * usage: compile_memory FILE.wasm... (bench/compile_memory.sh builds it) */
#include <stdio.h>
#include <stdlib.h>

#include "wasmgate/util.h"
#include "wasmgate/wasm.h"

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *b = NULL;
  long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)n + 1)) &&
      fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return b;
}

static bool compiles(const unsigned char *b, size_t len, size_t budget) {
  wg_module_limits lim = {.max_memory_bytes = budget};
  wg_module *m;
  wg_wasm_error err;
  if (wg_module_new_limited(b, len, &lim, &m, &err) != WG_WASM_OK) return false;
  wg_module_release(m);
  return true;
}

int main(int argc, char **argv) {
  printf("| module | bytes | smallest budget | x size | compile MB/s |\n"
         "|---|---|---|---|---|\n");
  for (int i = 1; i < argc; i++) {
    size_t len;
    unsigned char *b = slurp(argv[i], &len);
    if (!b || !compiles(b, len, 0)) {
      fprintf(stderr, "%s: cannot read or compile\n", argv[i]);
      free(b);
      return 1;
    }
    size_t lo = 1, hi = len * 64 + (64u << 20);
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (compiles(b, len, mid)) hi = mid;
      else lo = mid + 1;
    }
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < 5; k++) {
      uint64_t t0 = wg_now_ns();
      compiles(b, len, 0);
      uint64_t t = wg_now_ns() - t0;
      if (t < best) best = t;
    }
    const char *name = argv[i];
    for (const char *p = argv[i]; *p; p++)
      if (*p == '/') name = p + 1;
    printf("| %s | %zu | %zu | %.1f | %.0f |\n", name, len, lo, (double)lo / (double)len,
           (double)len / 1e6 / (best / 1e9));
    free(b);
  }
  return 0;
}
