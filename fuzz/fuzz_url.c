/* fuzz_url.c: libFuzzer entry point for the policy's URL and host parsers
 * (CI runs test_url_mutate instead, with the same checks from
 * tests/policy/url_check.h). Built by the libFuzzer build of
 * fuzz/CMakeLists.txt (-DWG_FUZZ=ON, target fuzz_url; fuzz/README.md):
 *   build/fuzz/fuzz/fuzz_url -max_len=4096 -dict=tests/policy/url.dict */
#include "../tests/policy/url_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uc_check(data, size);
  return 0;
}
