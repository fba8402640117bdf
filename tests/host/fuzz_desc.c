/* fuzz_desc.c: libFuzzer entry for the bytes a guest hands to
 * `yoi:https.request`: the descriptor decoder, then the policy's static
 * decision (desc_check.h says what is checked). Not built by CMake
 * (test_https_mutate is what CI runs); build from the repository root:
 *   clang -std=c11 -D_GNU_SOURCE -DWG_VERSION='"fuzz"' -g -O1 \
 *     -fsanitize=fuzzer,address,undefined -Iinclude -Isrc/host \
 *     tests/host/fuzz_desc.c src/host/[a-z]*.c src/policy/[a-z]*.c \
 *     src/config/[a-z]*.c src/package/[a-z]*.c src/schema/[a-z]*.c \
 *     src/toml/[a-z]*.c src/json/[a-z]*.c src/wasm/[a-z]*.c src/util/[a-z]*.c \
 *     -lidn2 -lpcre2-8 -lcrypto -lm -lpthread -ldl -o /tmp/fuzz_desc
 *   /tmp/fuzz_desc -max_len=49200 */
#include <stdlib.h>

#include "desc_check.h"

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
