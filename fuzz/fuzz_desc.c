/* fuzz_desc.c: libFuzzer entry for the bytes a guest hands to
 * `yoi:https.request`: the descriptor decoder, then the policy's static
 * decision (tests/host/desc_check.h says what is checked; CI runs
 * test_https_mutate instead). Built by the libFuzzer build of
 * fuzz/CMakeLists.txt (-DWG_FUZZ=ON, target fuzz_desc; fuzz/README.md):
 *   build/fuzz/fuzz/fuzz_desc -max_len=49200 */
#include <stdlib.h>

#include "../tests/host/desc_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static desc_env env;
  static bool ready;
  if (!ready) {
    if (!desc_env_init(&env)) abort();
    ready = true;
  }
  if (!desc_check_one(&env, (const char *)data, size)) abort();
  return 0;
}
