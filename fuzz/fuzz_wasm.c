/* fuzz_wasm.c: libFuzzer entry point for the engine (src/wasm/): decoding,
 * validation and compilation of any bytes, then instantiation and a call
 * of every export under tight limits. The checks are the seeded mutation
 * run's (tests/wasm/hostile/module_check.h), and a violation aborts; CI runs
 * that mutation run (ctest wasm_hostile_mutation). Built by the libFuzzer
 * build of fuzz/CMakeLists.txt (-DWG_FUZZ=ON, target fuzz_wasm; seeds: the
 * converted spec corpus, build/<dir>/tests/wasm/spec/json/ in a build with
 * tests, or any folder of modules). */
#include <stdio.h>
#include <stdlib.h>

#include "../tests/wasm/hostile/module_check.h"

static void fail(mc_run *r, const char *what, const wg_wasm_error *err) {
  (void)r;
  fprintf(stderr, "fuzz_wasm: %s (offset %zu: %s)\n", what,
          err ? err->offset : 0, err ? err->message : "");
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mc_run r = {.fail = fail, .iteration = 0};
  mc_check_module(&r, data, size, 1); /* decoded twice: determinism */
  return 0;
}
