/* fuzz_schema.c: libFuzzer entry point for the schema layer (src/schema/):
 * the input is a schema's JSON text, then optionally a NUL byte and an
 * instance's JSON text (without one, a few fixed instances). The schema is
 * compiled with the mutation run's small limits and each instance
 * validated; the checks are the mutation run's
 * (tests/schema/schema_check.h), and a violation aborts. CI runs that
 * mutation run (ctest schema_mutate). Built by the libFuzzer build of
 * fuzz/CMakeLists.txt (-DWG_FUZZ=ON, target fuzz_schema; seeds: schemas
 * of tests/schema/JSON-Schema-Test-Suite). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/json.h"
#include "../tests/schema/schema_check.h"

static void check(const char *why) {
  if (!why) return;
  fprintf(stderr, "fuzz_schema: %s\n", why);
  abort();
}

static void validate(const wg_schema *s, const char *text, size_t len) {
  wg_json_doc *d = wg_json_parse(text, len, NULL, NULL);
  if (!d) return;
  wg_schema_error err;
  wg_schema_result r = wg_schema_validate(s, wg_json_root(d), &err);
  check(schema_validate_check(r, &err));
  wg_json_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  const char *nul = memchr(text, '\0', size);
  size_t schema_len = nul ? (size_t)(nul - text) : size;
  wg_json_doc *d = wg_json_parse(text, schema_len, NULL, NULL);
  if (!d) return 0;
  wg_schema_options opt = wg_schema_default_options();
  opt.max_steps = 200000;
  opt.regex_match_limit = 100000;
  wg_schema_error err;
  wg_schema *s = wg_schema_compile(wg_json_root(d), &opt, &err);
  check(schema_compile_check(s, &err));
  if (s && nul) {
    validate(s, nul + 1, size - schema_len - 1);
  } else if (s) {
    static const char *const fixed[] = {"null", "0", "-1.5e3", "\"a\"", "[]",
                                        "{}", "[1,\"x\",{\"a\":null}]",
                                        "{\"a\":1,\"b\":[true]}"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
      validate(s, fixed[i], strlen(fixed[i]));
  }
  wg_schema_free(s);
  wg_json_free(d);
  return 0;
}
