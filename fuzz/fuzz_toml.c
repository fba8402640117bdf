/* fuzz_toml.c: libFuzzer entry point for the TOML parser (src/toml/). The
 * checks are the mutation test's (tests/toml/toml_check.h), and a
 * violation aborts; CI runs that test (ctest toml). Built by the libFuzzer
 * build of fuzz/CMakeLists.txt (-DWG_FUZZ=ON, target fuzz_toml; keep
 * -max_len under the default 1 MiB input limit). */
#include <stdlib.h>

#include "../tests/toml/toml_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wg_toml_error e;
  wg_toml_doc *doc = wg_toml_parse((const char *)data, size, NULL, &e);
  size_t nodes;
  if (doc ? !toml_tree_ok(wg_toml_root(doc), size, &nodes) : !toml_error_ok(&e, size))
    abort();
  wg_toml_free(doc);
  return 0;
}
