/* test_schema_oom.c: allocation-failure injection for the schema layer.
 *
 * The test is linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
 * so every allocation made by our static libraries goes through the
 * wrappers below. Run k fails the k-th allocation of one compile + validate
 * cycle, for k = 0, 1, 2, ... until a cycle finishes without reaching k.
 * Each cycle must end cleanly: compile gives a schema or WG_SCHEMA_NOMEM,
 * validation gives the right answer or WG_SCHEMA_ERROR with
 * WG_SCHEMA_NOMEM; under ASan, every error path must free what it took
 * (LeakSanitizer). PCRE2's own allocations are not wrapped. */
#include "../harness.h"
#include "wasmgate/json.h"
#include "wasmgate/schema.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);

static long countdown = -1; /* allocations left before the failure; -1: none */

static bool inject(void) {
  if (countdown < 0) return false;
  return countdown-- == 0;
}

void *__wrap_malloc(size_t n) { return inject() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return inject() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return inject() ? NULL : __real_realloc(p, n); }

static const char *const schema_text =
    "{\"$id\":\"urn:example:oom\",\"$defs\":{\"name\":{\"$anchor\":\"nm\",\"type\":\"string\","
    "\"pattern\":\"^[a-z][\\\\w-]*$\",\"maxLength\":20},"
    "\"tag\":{\"enum\":[{\"k\":\"a\",\"v\":[1,2]},{\"k\":\"b\",\"v\":[3]},\"plain\"]}},"
    "\"type\":\"object\",\"required\":[\"name\",\"items\"],"
    "\"properties\":{\"name\":{\"$ref\":\"#nm\"},"
    "\"items\":{\"type\":\"array\",\"uniqueItems\":true,\"items\":{\"type\":\"object\","
    "\"properties\":{\"id\":{\"type\":\"integer\",\"multipleOf\":123456789012345678901},"
    "\"tag\":{\"$ref\":\"#/$defs/tag\"}},\"additionalProperties\":false}},"
    "\"ratio\":{\"multipleOf\":0.0001,\"exclusiveMaximum\":1e400}},"
    "\"patternProperties\":{\"^x-[\\\\s\\\\S]+$\":{\"type\":[\"string\",\"null\"]}},"
    "\"additionalProperties\":false,\"dependentRequired\":{\"ratio\":[\"name\"]},"
    "\"if\":{\"required\":[\"ratio\"]},\"then\":{\"not\":{\"required\":[\"x-off\"]}}}";

typedef struct instance {
  const char *text;
  wg_schema_result want;
} instance;

static const instance instances[] = {
    {"{\"name\":\"ab-c\",\"items\":[{\"id\":246913578024691357802,\"tag\":{\"v\":[1,2],\"k\":\"a\"}},"
     "{\"id\":0,\"tag\":\"plain\"}],\"ratio\":0.0075,\"x-note\":null}",
     WG_SCHEMA_VALID},
    {"{\"name\":\"ab\",\"items\":[{\"id\":1}]}", WG_SCHEMA_NOT_VALID},
    {"{\"name\":\"ab\",\"items\":[{\"tag\":{\"k\":\"a\",\"v\":[1,2]}},{\"tag\":{\"v\":[1,2],"
     "\"k\":\"a\"}}]}",
     WG_SCHEMA_NOT_VALID},
    {"{\"name\":\"ab\",\"items\":[],\"ratio\":0.5,\"x-off\":\"1\"}", WG_SCHEMA_NOT_VALID},
    {"{\"name\":\"Ab\",\"items\":[]}", WG_SCHEMA_NOT_VALID},
};

#define NINST (sizeof instances / sizeof instances[0])

static void test_every_allocation_failure(void) {
  wg_json_doc *sdoc = wg_json_parse(schema_text, strlen(schema_text), NULL, NULL);
  REQUIRE(sdoc != NULL);
  wg_json_doc *idocs[NINST];
  for (size_t i = 0; i < NINST; i++) {
    idocs[i] = wg_json_parse(instances[i].text, strlen(instances[i].text), NULL, NULL);
    REQUIRE(idocs[i] != NULL);
  }
  /* Without failures, every instance gets its expected answer. */
  wg_schema_error err;
  wg_schema *s = wg_schema_compile(wg_json_root(sdoc), NULL, &err);
  REQUIRE(s != NULL);
  for (size_t i = 0; i < NINST; i++)
    CHECK_INT(wg_schema_validate(s, wg_json_root(idocs[i]), &err), instances[i].want);
  wg_schema_free(s);

  long k = 0, compile_failures = 0, validate_failures = 0;
  for (;; k++) {
    countdown = k;
    s = wg_schema_compile(wg_json_root(sdoc), NULL, &err);
    if (!s) {
      compile_failures++;
      CHECK_STR(wg_schema_code_name(err.code), "nomem");
    }
    for (size_t i = 0; s && i < NINST; i++) {
      wg_schema_result r = wg_schema_validate(s, wg_json_root(idocs[i]), &err);
      if (r == WG_SCHEMA_ERROR) {
        validate_failures++;
        CHECK_STR(wg_schema_code_name(err.code), "nomem");
      } else {
        CHECK_INT(r, instances[i].want);
      }
    }
    wg_schema_free(s);
    bool reached = countdown < 0;
    countdown = -1;
    if (!reached) break; /* a full cycle had fewer than k + 1 allocations */
    REQUIRE(k < 100000);
  }
  printf("%ld allocation points: %ld compile failures, %ld validation errors\n", k,
         compile_failures, validate_failures);
  CHECK(k > 20);
  CHECK(compile_failures > 0);
  CHECK(validate_failures > 0);
  for (size_t i = 0; i < NINST; i++) wg_json_free(idocs[i]);
  wg_json_free(sdoc);
}

WG_TEST_LIST{
    WG_TEST(test_every_allocation_failure),
};
WG_TEST_MAIN()
