/* fuzz_url.c: libFuzzer entry point for the policy's URL and host parsers
 * (not built by CMake; test_url_mutate is what CI runs, with the same
 * checks from url_check.h). Build from the repository root:
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Iinclude tests/policy/fuzz_url.c src/policy/[a-z]*.c \
 *     src/util/[a-z]*.c -o /tmp/fuzz_url
 *   /tmp/fuzz_url -max_len=4096 -dict=tests/policy/url.dict
 * (src/config is not needed: the URL paths use no config; libidn2 is
 * opened at run time.) */
#include "url_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uc_check(data, size);
  return 0;
}
