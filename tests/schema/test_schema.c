/* test_schema.c: unit and hostile-input tests of the schema layer: exact
 * compile errors and locations, exact validation errors (instance path,
 * schema path, keyword), exact decimal numbers, the ECMA-262 regex dialect,
 * and bounded behaviour on hostile schemas and instances. */
#include <pthread.h>

#include "../harness.h"
#include "wasmgate/json.h"
#include "wasmgate/schema.h"

static wg_json_doc *parse(const char *text) {
  wg_json_limits lim = wg_json_default_limits();
  lim.max_depth = 100000;
  wg_json_error jerr;
  wg_json_doc *d = wg_json_parse(text, strlen(text), &lim, &jerr);
  if (!d)
    fprintf(stderr, "bad test JSON: %s at %zu: %s\n", jerr.message, jerr.offset, text);
  return d;
}

/* Compiles schema text; the parsed document is freed right away, so every
 * test also checks that a wg_schema does not point into its input. */
static wg_schema *compile_opt(const char *text, const wg_schema_options *opt,
                              wg_schema_error *err) {
  wg_json_doc *d = parse(text);
  if (!d) return NULL;
  wg_schema *s = wg_schema_compile(wg_json_root(d), opt, err);
  wg_json_free(d);
  return s;
}

static wg_schema *compile(const char *text, wg_schema_error *err) {
  return compile_opt(text, NULL, err);
}

static wg_schema_result check(const wg_schema *s, const char *inst,
                              wg_schema_error *err) {
  wg_json_doc *d = parse(inst);
  if (!d) return (wg_schema_result)99;
  wg_schema_result r = wg_schema_validate(s, wg_json_root(d), err);
  wg_json_free(d);
  return r;
}

/* One-shot: compile schema, validate instance, return the result. */
static wg_schema_result run(const char *schema, const char *inst, wg_schema_error *err) {
  wg_schema_error cerr;
  wg_schema *s = compile(schema, &cerr);
  if (!s) {
    fprintf(stderr, "compile failed: %s %s %s\n", cerr.schema_path, cerr.keyword,
            cerr.message);
    return (wg_schema_result)98;
  }
  wg_schema_result r = check(s, inst, err);
  wg_schema_free(s);
  return r;
}

static bool valid(const char *schema, const char *inst) {
  wg_schema_error err;
  return run(schema, inst, &err) == WG_SCHEMA_VALID;
}

static bool invalid(const char *schema, const char *inst) {
  wg_schema_error err;
  return run(schema, inst, &err) == WG_SCHEMA_NOT_VALID;
}

/* Expects compilation to fail with status st at path/keyword. */
static void expect_compile_error(const char *schema, wg_schema_code st,
                                 const char *path, const char *keyword) {
  wg_schema_error err;
  wg_schema *s = compile(schema, &err);
  CHECK(s == NULL);
  wg_schema_free(s);
  if (err.code != st)
    fprintf(stderr, "schema %s: got %s (%s)\n", schema, wg_schema_code_name(err.code),
            err.message);
  CHECK_STR(wg_schema_code_name(err.code), wg_schema_code_name(st));
  if (path) CHECK_STR(err.schema_path, path);
  if (keyword) CHECK_STR(err.keyword, keyword);
}

/* ---- compile errors ---- */

static void test_unknown_keyword_location(void) {
  expect_compile_error(
      "{\"properties\":{\"q\":{\"oneOf\":[{\"type\":\"string\"},{\"minLenght\":3}]}}}",
      WG_SCHEMA_UNKNOWN_KEYWORD, "$.properties.q.oneOf[1]", "minLenght");
  expect_compile_error("{\"unevaluatedProperties\":false}", WG_SCHEMA_UNKNOWN_KEYWORD,
                       "$", "unevaluatedProperties");
  expect_compile_error("{\"$defs\":{\"a b\":{\"$dynamicRef\":\"#x\"}}}",
                       WG_SCHEMA_UNKNOWN_KEYWORD, "$.$defs['a b']", "$dynamicRef");
  expect_compile_error("{\"properties\":{\"it's\":{\"definitions\":{}}}}",
                       WG_SCHEMA_UNKNOWN_KEYWORD, "$.properties['it\\'s']",
                       "definitions");
  expect_compile_error("{\"items\":{\"dependencies\":{}}}", WG_SCHEMA_UNKNOWN_KEYWORD,
                       "$.items", "dependencies");
  /* an unknown keyword inside an otherwise unused $defs entry still fails */
  expect_compile_error("{\"$defs\":{\"x\":{\"contentEncoding\":\"base64\"}}}",
                       WG_SCHEMA_UNKNOWN_KEYWORD, "$.$defs.x", "contentEncoding");
}

static void test_bad_keyword_values(void) {
  expect_compile_error("{\"minLength\":-1}", WG_SCHEMA_BAD_KEYWORD, "$", "minLength");
  expect_compile_error("{\"maxItems\":2.5}", WG_SCHEMA_BAD_KEYWORD, "$", "maxItems");
  expect_compile_error("{\"type\":\"text\"}", WG_SCHEMA_BAD_KEYWORD, "$", "type");
  expect_compile_error("{\"type\":[\"string\",\"string\"]}", WG_SCHEMA_BAD_KEYWORD, "$",
                       "type");
  expect_compile_error("{\"multipleOf\":0}", WG_SCHEMA_BAD_KEYWORD, "$", "multipleOf");
  expect_compile_error("{\"multipleOf\":-2}", WG_SCHEMA_BAD_KEYWORD, "$", "multipleOf");
  expect_compile_error("{\"required\":[\"a\",1]}", WG_SCHEMA_BAD_KEYWORD, "$",
                       "required");
  expect_compile_error("{\"allOf\":[]}", WG_SCHEMA_BAD_KEYWORD, "$", "allOf");
  expect_compile_error("{\"anyOf\":{}}", WG_SCHEMA_BAD_KEYWORD, "$", "anyOf");
  expect_compile_error("{\"items\":[{}]}", WG_SCHEMA_BAD_KEYWORD, "$", "items");
  expect_compile_error("{\"properties\":{\"a\":3}}", WG_SCHEMA_BAD_KEYWORD,
                       "$.properties.a", "");
  expect_compile_error("{\"uniqueItems\":1}", WG_SCHEMA_BAD_KEYWORD, "$", "uniqueItems");
  expect_compile_error("{\"title\":7}", WG_SCHEMA_BAD_KEYWORD, "$", "title");
  expect_compile_error("{\"$anchor\":\"1bad\"}", WG_SCHEMA_BAD_KEYWORD, "$", "$anchor");
  expect_compile_error("{\"$id\":\"http://x/y#frag\"}", WG_SCHEMA_BAD_KEYWORD, "$",
                       "$id");
  expect_compile_error("{\"minimum\":\"3\"}", WG_SCHEMA_BAD_KEYWORD, "$", "minimum");
  expect_compile_error("42", WG_SCHEMA_BAD_KEYWORD, "$", "");
  expect_compile_error("{\"dependentRequired\":{\"a\":\"b\"}}", WG_SCHEMA_BAD_KEYWORD, "$",
                       "dependentRequired");
  expect_compile_error("{\"$ref\":\"#/a\\u0000b\"}", WG_SCHEMA_BAD_REF, "$", "$ref");
  expect_compile_error("{\"$schema\":\"http://localhost:1234/my-meta.json\"}",
                       WG_SCHEMA_BAD_KEYWORD, "$", "$schema");
  expect_compile_error("{\"items\":{\"$schema\":\"https://json-schema.org/draft/2020-12/hyper-schema\"}}",
                       WG_SCHEMA_BAD_KEYWORD, "$.items", "$schema");
  CHECK(valid("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\"}", "{}"));
  CHECK(valid("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\"}", "1"));
}

static void test_bad_refs(void) {
  expect_compile_error("{\"$ref\":\"#/$defs/missing\"}", WG_SCHEMA_BAD_REF, "$", "$ref");
  expect_compile_error(
      "{\"properties\":{\"a\":{\"$ref\":\"http://example.com/s.json\"}}}",
      WG_SCHEMA_BAD_REF, "$.properties.a", "$ref");
  expect_compile_error("{\"$ref\":\"#nope\"}", WG_SCHEMA_BAD_REF, "$", "$ref");
  expect_compile_error("{\"$ref\":\"#/%zz\"}", WG_SCHEMA_BAD_REF, "$", "$ref");
  /* a ref to a value that is not a schema fails where the ref is */
  expect_compile_error("{\"$defs\":{\"n\":{\"const\":5}},\"$ref\":\"#/$defs/n/const\"}",
                       WG_SCHEMA_BAD_KEYWORD, "$", "");
}

static void test_ref_resolution(void) {
  /* pointer escapes and percent-decoding */
  const char *s =
      "{\"$defs\":{\"a/b\":{\"type\":\"integer\"},\"c~d\":{\"minimum\":3},"
      "\"e%f\":{\"maximum\":5}},\"allOf\":[{\"$ref\":\"#/$defs/a~1b\"},"
      "{\"$ref\":\"#/$defs/c~0d\"},{\"$ref\":\"#/$defs/e%25f\"}]}";
  CHECK(valid(s, "4"));
  CHECK(invalid(s, "2"));
  CHECK(invalid(s, "6"));
  CHECK(invalid(s, "4.5"));
  /* anchors, $id-relative refs, ref to a non-keyword location */
  CHECK(valid("{\"$defs\":{\"x\":{\"$anchor\":\"pos\",\"minimum\":0}},\"$ref\":\"#pos\"}",
              "1"));
  CHECK(invalid(
      "{\"$defs\":{\"x\":{\"$anchor\":\"pos\",\"minimum\":0}},\"$ref\":\"#pos\"}", "-1"));
  const char *ids =
      "{\"$id\":\"http://example.com/root.json\",\"$defs\":{\"B\":{\"$id\":\"b.json\","
      "\"type\":\"string\"}},\"properties\":{\"x\":{\"$ref\":\"b.json\"},"
      "\"y\":{\"$ref\":\"http://example.com/root.json#/$defs/B\"}}}";
  CHECK(valid(ids, "{\"x\":\"s\",\"y\":\"t\"}"));
  CHECK(invalid(ids, "{\"x\":1}"));
  CHECK(invalid(ids, "{\"y\":1}"));
  CHECK(invalid("{\"examples\":[{\"type\":\"string\"}],\"$ref\":\"#/examples/0\"}", "1"));
  /* $ref applies together with its siblings (2020-12) */
  CHECK(invalid(
      "{\"$defs\":{\"i\":{\"type\":\"integer\"}},\"$ref\":\"#/$defs/i\",\"maximum\":3}",
      "4"));
  /* "$ref" as a property name is just a name */
  CHECK(valid("{\"properties\":{\"$ref\":{\"type\":\"string\"}}}", "{\"$ref\":\"x\"}"));
  CHECK(invalid("{\"properties\":{\"$ref\":{\"type\":\"string\"}}}", "{\"$ref\":1}"));
}

/* ---- validation errors ---- */

static void test_error_locations(void) {
  const char *schema =
      "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":"
      "{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{\"name\":"
      "{\"type\":\"string\",\"minLength\":2}}}}}}";
  wg_schema_error err;
  wg_schema *s = compile(schema, &err);
  REQUIRE(s != NULL);
  CHECK_INT(check(s,
                  "{\"items\":[{\"name\":\"ab\"},{\"name\":\"cd\"},{\"name\":\"ef\"},{"
                  "\"name\":\"g\"}]}",
                  &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(wg_schema_code_name(err.code), "invalid");
  CHECK_STR(err.instance_path, "/items/3/name");
  CHECK_STR(err.schema_path, "$.properties.items.items.properties.name");
  CHECK_STR(err.keyword, "minLength");
  CHECK_STR(err.message, "string shorter than 2 characters");
  CHECK_INT(check(s, "{\"items\":[{}]}", &err), WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.instance_path, "/items/0");
  CHECK_STR(err.keyword, "required");
  CHECK_STR(err.message, "missing required property \"name\"");
  CHECK_INT(check(s, "{\"items\":{}}", &err), WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.instance_path, "/items");
  CHECK_STR(err.keyword, "type");
  CHECK_STR(err.message, "expected array, got object");
  CHECK_INT(check(s, "{\"items\":[]}", &err), WG_SCHEMA_VALID);
  CHECK_INT(err.code, WG_SCHEMA_OK);
  CHECK_STR(err.instance_path, "");
  wg_schema_free(s);
  /* A key the schema names (properties) is shown, with JSON pointer
   * escapes; a key only the input has is shown by position, never quoted. */
  CHECK_INT(run("{\"properties\":{\"a/b~c\":{\"type\":\"string\"}}}", "{\"a/b~c\":1}", &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.instance_path, "/a~1b~0c");
  CHECK_INT(run("{\"additionalProperties\":false}", "{\"x\":0,\"sk-secret\":1}", &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.instance_path, "/{0}");
  CHECK_STR(err.keyword, "false");
  CHECK_STR(err.schema_path, "$.additionalProperties");
  CHECK_INT(run("{\"properties\":{\"o\":{\"patternProperties\":{\"^k\":{\"type\":\"string\"}}}}}",
                "{\"o\":{\"a\":1,\"key\":[1]}}", &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.instance_path, "/o/{1}");
  /* anyOf reports itself, not a branch */
  CHECK_INT(run("{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":5}]}", "3", &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.keyword, "anyOf");
  CHECK_STR(err.schema_path, "$");
  CHECK_INT(run("{\"oneOf\":[{\"minimum\":1},{\"minimum\":2}]}", "3", &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.keyword, "oneOf");
  CHECK_STR(err.message, "subschemas 0 and 1 of oneOf both match");
  CHECK_INT(run("{\"not\":{\"type\":\"null\"}}", "null", &err), WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.keyword, "not");
  CHECK_INT(run("{\"if\":{\"minimum\":10},\"then\":{\"multipleOf\":5}}", "12", &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.keyword, "multipleOf");
  CHECK_STR(err.schema_path, "$.then");
  CHECK_INT(run("{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"a\":1}", &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.keyword, "dependentRequired");
  CHECK_INT(
      run("{\"contains\":{\"type\":\"string\"},\"minContains\":2}", "[\"a\",1]", &err),
      WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.keyword, "minContains");
  CHECK_INT(run("{\"propertyNames\":{\"maxLength\":2}}", "{\"abc\":1}", &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.instance_path, "/{0}");
  CHECK_STR(err.schema_path, "$.propertyNames");
  CHECK_STR(err.keyword, "maxLength");
}

static void test_error_messages_clean(void) {
  wg_schema_error err;
  /* a required name with a control character and a multibyte character
   * cut by the 60-byte name limit */
  char schema[256], name[128] = "ab\\n";
  for (int i = 0; i < 30; i++) strcat(name, "\xc3\xa9");
  snprintf(schema, sizeof schema, "{\"required\":[\"%s\"]}", name);
  CHECK_INT(run(schema, "{}", &err), WG_SCHEMA_NOT_VALID);
  CHECK(strncmp(err.message, "missing required property \"ab?\xc3\xa9", 32) == 0);
  /* 'a', 'b', '?', 28 whole characters, '?' for the cut one, the quote */
  CHECK_INT(strlen(err.message), 27 + 3 + 28 * 2 + 2);
  CHECK(strcmp(err.message + strlen(err.message) - 4, "\xc3\xa9?\"") == 0);
  CHECK(wg_utf8_valid((const uint8_t *)err.message, strlen(err.message)));
  for (const char *p = err.message; *p; p++) CHECK((unsigned char)*p >= 0x20);
}

static void test_error_bounded(void) {
  char schema[4096], inst[8192];
  char key[3001];
  memset(key, 'k', 3000);
  key[3000] = '\0';
  snprintf(schema, sizeof schema, "{\"properties\":{\"%s\":{\"type\":\"string\"}}}", key);
  snprintf(inst, sizeof inst, "{\"%s\":1}", key);
  wg_schema_error err;
  CHECK_INT(run(schema, inst, &err), WG_SCHEMA_NOT_VALID);
  CHECK_INT(strlen(err.instance_path), sizeof err.instance_path - 1);
  CHECK(strcmp(err.instance_path + sizeof err.instance_path - 4, "...") == 0);
  CHECK_INT(strlen(err.schema_path), sizeof err.schema_path - 1);
  CHECK(strcmp(err.schema_path + sizeof err.schema_path - 4, "...") == 0);
  snprintf(schema, sizeof schema, "{\"%s\":1}", key);
  wg_schema *s = compile(schema, &err);
  CHECK(s == NULL);
  CHECK_STR(wg_schema_code_name(err.code), "unknown_keyword");
  CHECK(strlen(err.keyword) < sizeof err.keyword);
  CHECK(strlen(err.message) < sizeof err.message);
}

/* ---- keywords ---- */

static void test_types(void) {
  CHECK(valid("{\"type\":\"integer\"}", "1.0"));
  CHECK(valid("{\"type\":\"integer\"}", "1e2"));
  CHECK(valid("{\"type\":\"integer\"}", "-0"));
  CHECK(valid("{\"type\":\"integer\"}", "123456789012345678901234567890"));
  CHECK(invalid("{\"type\":\"integer\"}", "1.5"));
  CHECK(invalid("{\"type\":\"integer\"}", "1e-1"));
  CHECK(valid("{\"type\":\"number\"}", "1"));
  CHECK(valid("{\"type\":[\"string\",\"null\"]}", "null"));
  CHECK(invalid("{\"type\":[\"string\",\"null\"]}", "false"));
  CHECK(invalid("{\"type\":[]}", "null"));
  wg_schema_error err;
  CHECK_INT(run("{\"type\":[\"integer\",\"null\",\"string\"]}", "1.5", &err),
            WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.message, "expected null/string/integer, got number");
  CHECK_INT(run("{\"type\":[]}", "true", &err), WG_SCHEMA_NOT_VALID);
  CHECK_STR(err.message, "expected nothing, got boolean");
  CHECK(valid("true", "{\"anything\":[1]}"));
  CHECK(invalid("false", "null"));
}

static void test_enum_const_equality(void) {
  CHECK(valid("{\"enum\":[1,\"a\",null]}", "1.0"));
  CHECK(valid("{\"enum\":[1,\"a\",null]}", "null"));
  CHECK(invalid("{\"enum\":[0]}", "false"));
  CHECK(invalid("{\"enum\":[1]}", "true"));
  CHECK(invalid("{\"const\":[false]}", "[0]"));
  CHECK(valid("{\"const\":{\"a\":1,\"b\":[2,{\"c\":3}]}}",
              "{\"b\":[2.0,{\"c\":3e0}],\"a\":1}"));
  CHECK(invalid("{\"const\":{\"a\":1,\"b\":2}}", "{\"a\":1,\"c\":2}"));
  CHECK(invalid("{\"const\":{\"a\":false}}", "{\"a\":0}"));
  CHECK(valid("{\"const\":\"a\\u0000b\"}", "\"a\\u0000b\""));
  CHECK(invalid("{\"const\":\"a\\u0000b\"}", "\"a\\u0000c\""));
  CHECK(valid("{\"uniqueItems\":true}", "[1,\"1\",[1],{\"a\":1},{\"a\":2}]"));
  CHECK(invalid("{\"uniqueItems\":true}", "[{\"a\":1,\"b\":2},{\"b\":2,\"a\":1.00}]"));
  CHECK(invalid("{\"uniqueItems\":true}", "[1,2,1.0]"));
  CHECK(valid("{\"uniqueItems\":true}", "[0,false,null,[],{}]"));
}

static void test_numbers_exact(void) {
  CHECK(valid("{\"minimum\":1}", "1e400"));
  CHECK(invalid("{\"maximum\":1}", "1e400"));
  CHECK(invalid("{\"minimum\":1}", "-1e400"));
  CHECK(valid("{\"exclusiveMinimum\":0}", "1e-400"));
  CHECK(invalid("{\"exclusiveMaximum\":0}", "1e-400"));
  CHECK(invalid("{\"maximum\":18446744073709551615}", "18446744073709551616"));
  CHECK(valid("{\"maximum\":18446744073709551616}", "18446744073709551616.000"));
  CHECK(invalid("{\"exclusiveMaximum\":9007199254740993}", "9007199254740993"));
  CHECK(valid("{\"exclusiveMaximum\":9007199254740993}", "9007199254740992"));
  CHECK(valid("{\"minimum\":-0.5}", "-0.49999999999999999999999"));
  CHECK(invalid("{\"minimum\":-0.5}", "-0.50000000000000000000001"));
  CHECK(valid("{\"multipleOf\":0.0001}", "0.0075"));
  CHECK(invalid("{\"multipleOf\":0.0001}", "0.00751"));
  CHECK(valid("{\"multipleOf\":1e-8}", "12391239123"));
  CHECK(invalid("{\"multipleOf\":0.123456789}", "1e308"));
  CHECK(valid("{\"multipleOf\":0.5}", "1e308"));
  CHECK(valid("{\"multipleOf\":0.1}", "0.3"));
  CHECK(valid("{\"multipleOf\":3}", "123456789012345678901234567890"));
  CHECK(valid("{\"multipleOf\":7}", "123456789012345678901234567890"));
  CHECK(invalid("{\"multipleOf\":11}", "123456789012345678901234567890"));
  CHECK(valid("{\"multipleOf\":123456789012345678901234567891}",
              "246913578024691357802469135782"));
  CHECK(invalid("{\"multipleOf\":123456789012345678901234567891}",
                "246913578024691357802469135783"));
  CHECK(valid("{\"multipleOf\":2}", "0"));
  CHECK(valid("{\"multipleOf\":2}", "-4.0"));
  CHECK(valid("{\"minLength\":2.0,\"maxLength\":2e0}", "\"ab\""));
  wg_schema_error err;
  CHECK_INT(run("{\"multipleOf\":3}", "1e99999999999999999999", &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "number_limit");
  CHECK_STR(err.keyword, "multipleOf");
}

static void test_strings_code_points(void) {
  CHECK(valid("{\"maxLength\":1}", "\"\\ud83d\\ude00\""));
  CHECK(valid("{\"minLength\":2,\"maxLength\":2}", "\"\xc3\xa9\xe2\x82\xac\""));
  CHECK(invalid("{\"minLength\":3}", "\"\xc3\xa9\xe2\x82\xac\""));
  CHECK(valid("{\"minLength\":5}", "42"));
}

static void test_objects_and_arrays(void) {
  const char *s =
      "{\"properties\":{\"a\":{\"type\":\"integer\"}},\"patternProperties\":"
      "{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false,"
      "\"minProperties\":1,\"maxProperties\":3}";
  CHECK(valid(s, "{\"a\":1,\"x-b\":\"s\"}"));
  CHECK(invalid(s, "{\"a\":1,\"x-b\":2}"));
  CHECK(invalid(s, "{\"b\":1}"));
  CHECK(invalid(s, "{}"));
  CHECK(invalid(s, "{\"a\":1,\"x-1\":\"\",\"x-2\":\"\",\"x-3\":\"\"}"));
  CHECK(valid(s, "[]"));
  const char *d = "{\"dependentSchemas\":{\"card\":{\"required\":[\"billing\"]}}}";
  CHECK(valid(d, "{\"card\":1,\"billing\":2}"));
  CHECK(invalid(d, "{\"card\":1}"));
  CHECK(valid(d, "{\"billing\":2}"));
  const char *a =
      "{\"prefixItems\":[{\"type\":\"string\"},{\"type\":\"integer\"}],"
      "\"items\":{\"type\":\"boolean\"},\"minItems\":1,\"maxItems\":4}";
  CHECK(valid(a, "[\"a\",1,true,false]"));
  CHECK(invalid(a, "[\"a\",1,true,false,true]"));
  CHECK(invalid(a, "[\"a\",\"b\"]"));
  CHECK(invalid(a, "[\"a\",1,2]"));
  CHECK(invalid(a, "[]"));
  CHECK(valid("{\"contains\":{\"const\":1},\"maxContains\":1}", "[1,2,3]"));
  CHECK(invalid("{\"contains\":{\"const\":1},\"maxContains\":1}", "[1,1]"));
  CHECK(valid("{\"contains\":{\"const\":1},\"minContains\":0}", "[]"));
  CHECK(invalid("{\"contains\":{\"const\":1}}", "[]"));
  CHECK(valid("{\"maxContains\":0}", "[1]"));
}

static void test_annotations_accepted(void) {
  CHECK(
      valid("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
            "\"$id\":\"urn:example:x\",\"$comment\":\"c\",\"title\":\"t\","
            "\"description\":\"d\","
            "\"default\":{\"q\":1},\"examples\":[1,2],\"format\":\"email\","
            "\"readOnly\":true,\"writeOnly\":false,\"deprecated\":false}",
            "\"not an email\""));
}

/* ---- regex dialect ---- */

static void pattern_case(const char *pattern_json, const char *inst, bool want) {
  char schema[512];
  snprintf(schema, sizeof schema, "{\"pattern\":%s}", pattern_json);
  wg_schema_error err;
  wg_schema_result r = run(schema, inst, &err);
  if (r != (want ? WG_SCHEMA_VALID : WG_SCHEMA_NOT_VALID))
    fprintf(stderr, "pattern %s on %s: got %d (%s)\n", pattern_json, inst, (int)r,
            err.message);
  CHECK_INT(r, want ? WG_SCHEMA_VALID : WG_SCHEMA_NOT_VALID);
}

static void test_regex_ecma(void) {
  pattern_case("\"^\\\\d+$\"", "\"123\"", true);
  pattern_case("\"^\\\\d+$\"", "\"\xd9\xa3\"", false); /* ARABIC-INDIC THREE */
  pattern_case("\"^\\\\w$\"", "\"\xc3\xa9\"", false);
  pattern_case("\"^\\\\W$\"", "\"\xc3\xa9\"", true);
  pattern_case("\"^\\\\s$\"", "\"\\u00a0\"", true);
  pattern_case("\"^\\\\s$\"", "\"\\ufeff\"", true);
  pattern_case("\"^\\\\S$\"", "\"\\u2003\"", false);
  pattern_case("\"^[\\\\S]$\"", "\"\\u2003\"", false);
  pattern_case("\"^[\\\\Sx]$\"", "\"a\"", true);
  pattern_case("\"^[^\\\\S]$\"", "\"\\u3000\"", true);
  pattern_case("\"^[^\\\\Sx]$\"", "\"a\"", false);
  pattern_case("\"^[^\\\\S ]+$\"", "\"\\t \"", false); /* the quantifier covers the lookahead */
  pattern_case("\"^[^\\\\S ]+$\"", "\"\\t\\t\"", true);
  pattern_case("\"^[^\\\\Sx]+$\"", "\" \\u00a0 \"", true);
  pattern_case("\"^[\\\\Sx]+$\"", "\"ab x\"", false);
  pattern_case("\"^abc$\"", "\"abc\\n\"", false);
  pattern_case("\"^.$\"", "\"\\n\"", false);
  pattern_case("\"^.$\"", "\"\\u2028\"", false);
  pattern_case("\"^.$\"", "\"\\ud83d\\ude00\"", true);
  pattern_case("\"^\\\\u00e9\\\\u{1F600}$\"", "\"\xc3\xa9\\ud83d\\ude00\"", true);
  pattern_case("\"^\\\\ud83d\\\\ude00$\"", "\"\\ud83d\\ude00\"", true);
  pattern_case("\"^\\\\cJ$\"", "\"\\n\"", true);
  pattern_case("\"^\\\\x41\\\\0?$\"", "\"A\"", true);
  pattern_case("\"^[]$\"", "\"\"", false);
  pattern_case("\"^[^]$\"", "\"\\n\"", true);
  pattern_case("\"^(a)\\\\1$\"", "\"aa\"", true);
  pattern_case("\"^(?:(a)|b)\\\\1$\"", "\"b\"", true); /* unset group matches empty */
  pattern_case("\"^(?<y>[0-9]{4})-\\\\k<y>$\"", "\"2024-2024\"", true);
  pattern_case("\"(?<=\\\\$)\\\\d+\"", "\"$42\"", true);
  pattern_case("\"^a{2}$\"", "\"aa\"", true);
  pattern_case("\"^[[]$\"", "\"[\"", true); /* no POSIX classes: '[' is literal */
  pattern_case("\"^[[:a]$\"", "\":\"", true);
  pattern_case("\"^[\\\\-]\\\\/$\"", "\"-/\"", true);
  pattern_case("\"^\\\\p{Letter}\\\\p{Lu}\\\\P{L}$\"",
               "\"\xc3\xa9\xc3\x89"
               "1\"",
               true);
  pattern_case("\"^\\\\p{Script=Greek}+$\"", "\"\xce\xb1\xce\xb2\"", true);
  pattern_case("\"^\\\\p{digit}$\"", "\"\xe0\xa7\xaa\"", true);
  pattern_case("\"^\\\\p{gc=Lu}\\\\p{General_Category=Lowercase_Letter}$\"", "\"Ab\"", true);
  pattern_case("\"^\\\\p{Alphabetic}\\\\p{ASCII}\\\\p{Any}$\"", "\"\xc3\xa9" "a\xe2\x82\xac\"", true);
  pattern_case("\"^\\\\p{LC}$\"", "\"a\"", true);
  pattern_case("\"^\\\\p{sc=Grek}$\"", "\"\xce\xb1\"", true);
  pattern_case("\"\\\\bfoo\\\\b\"", "\"a foo b\"", true);
  pattern_case("\"^a+?b{2,}?$\"", "\"aabbb\"", true);
  pattern_case("\"^[\\\\u0041-\\\\u005A]+$\"", "\"AZ\"", true);
  pattern_case("\"^[\\\\x41-\\\\x5a]+$\"", "\"a\"", false);
  pattern_case("\"^[\\\\u{1F600}-\\\\u{1F64F}]$\"", "\"\\ud83d\\ude03\"", true);
  pattern_case("\"^[\\\\]a\\\\-]+$\"", "\"]-a\"", true);
  pattern_case("\"^\\\\/\\\\.\\\\*$\"", "\"/.*\"", true);
  pattern_case("\"^a(?=b)\"", "\"ab\"", true);
  pattern_case("\"^a(?!b)\"", "\"ab\"", false);
  pattern_case("\"a\\\\Bb\"", "\"ab\"", true);
  pattern_case("\"^[\\\\b]$\"", "\"\\b\"", true); /* [\b] is backspace */
  pattern_case("\"^\\\\v\\\\f$\"", "\"\\u000b\\f\"", true);
  pattern_case("\"^[\\\\s]+$\"", "\"\\u2029\\u1680 \"", true);
  pattern_case("\"^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\\\10$\"", "\"abcdefghijj\"", true);
  pattern_case("\"^a\\u0000[\\u0000]$\"", "\"a\\u0000\\u0000\"", true);
  pattern_case("\"^a\\u0000$\"", "\"a\"", false);
  pattern_case("\"\\\\bfoo\"",
               "\"\xc3\xa9"
               "foo\"",
               true); /* \\b is ASCII */
}

static void test_regex_rejected(void) {
  static const char *const bad[] = {
      "\"\\\\u{110000}\"", "\"\\\\u{}\"", "\"\\\\ud83d\\\\u0041\"", "\"\\\\p{L\"",
      "\"\\\\p{L-x}\"", "\"\\\\p\"", "\"^[[:alpha:]]$\"", "\"a{,2}\"", "\"x{2}}\"",
      "\"a]\"", "\"\\\\-\"", "\"\\\\ \"", "\"(?=a)*\"", "\"(?<=a){2}\"", "\"a{\"",
      "\"a++\"",
      "\"(?>a)\"",
      "\"\\\\Aa\"",
      "\"a\\\\Z\"",
      "\"a\\\\z\"",
      "\"(?i)a\"",
      "\"(?R)\"",
      "\"a\\\\K\"",
      "\"\\\\Qa\\\\E\"",
      "\"(*ACCEPT)\"",
      "\"(?#c)\"",
      "\"(?P<n>a)\"",
      "\"\\\\1(a)\\\\2\"",
      "\"\\\\ud800\"",
      "\"\\\\h\"",
      "\"\\\\e\"",
      "\"[a\"",
      "\"(a\"",
      "\"a{3,1}\"",
      "\"\\\\c1\"",
      "\"\\\\x4\"",
      "\"\\\\u12\"",
      "\"\\\\p{NotAProperty}\"", "\"\\\\p{letter}\"", "\"\\\\p{Greek}\"",
      "\"\\\\p{sc=greek}\"", "\"\\\\p{gc=Alphabetic}\"", "\"\\\\p{Foo=Bar}\"",
      "\"\\\\01\"",
      "\"a\\\\\"",
      "\"(?|a)\"",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char schema[128];
    snprintf(schema, sizeof schema, "{\"properties\":{\"p\":{\"pattern\":%s}}}", bad[i]);
    wg_schema_error err;
    wg_schema *s = compile(schema, &err);
    if (s) fprintf(stderr, "pattern %s was accepted\n", bad[i]);
    CHECK(s == NULL);
    wg_schema_free(s);
    CHECK_STR(wg_schema_code_name(err.code), "bad_pattern");
    CHECK_STR(err.schema_path, "$.properties.p");
    CHECK_STR(err.keyword, "pattern");
  }
  expect_compile_error("{\"patternProperties\":{\"a**\":true}}", WG_SCHEMA_BAD_PATTERN,
                       "$", "patternProperties");
}

/* ---- hostile inputs ---- */

static char *nested(size_t depth, const char *open, const char *mid, const char *close) {
  size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
  char *s = malloc(depth * (lo + lc) + lm + 1), *p = s;
  for (size_t i = 0; i < depth; i++) {
    memcpy(p, open, lo);
    p += lo;
  }
  memcpy(p, mid, lm);
  p += lm;
  for (size_t i = 0; i < depth; i++) {
    memcpy(p, close, lc);
    p += lc;
  }
  *p = '\0';
  return s;
}

static void test_hostile_deep_schema(void) {
  char *s = nested(10000, "{\"not\":", "true", "}");
  uint64_t t0 = wg_now_ns();
  wg_schema_error err;
  wg_schema *c = compile(s, &err);
  CHECK(c == NULL);
  CHECK_STR(wg_schema_code_name(err.code), "too_deep");
  CHECK(strncmp(err.schema_path, "$.not.not.not", 13) == 0);
  CHECK(wg_now_ns() - t0 < 2000000000ull);
  free(s);
  s = nested(10000, "{\"allOf\":[", "{}", "]}");
  c = compile(s, &err);
  CHECK(c == NULL);
  CHECK_STR(wg_schema_code_name(err.code), "too_deep");
  CHECK(strncmp(err.schema_path, "$.allOf[0].allOf[0]", 19) == 0);
  free(s);
  /* just under the limit compiles */
  wg_schema_options opt = wg_schema_default_options();
  s = nested(opt.max_depth - 1, "{\"items\":", "{}", "}");
  c = compile(s, &err);
  CHECK(c != NULL);
  wg_schema_free(c);
  free(s);
}

static void test_hostile_ref_cycles(void) {
  wg_schema_error err;
  const char *loops[] = {
      "{\"$ref\":\"#\"}",
      "{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/"
      "a\"}},\"$ref\":\"#/$defs/a\"}",
      "{\"anyOf\":[{\"$ref\":\"#\"}]}",
      "{\"not\":{\"$ref\":\"#\"}}",
  };
  for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
    wg_schema *s = compile(loops[i], &err);
    REQUIRE(s != NULL);
    CHECK_INT(check(s, "1", &err), WG_SCHEMA_ERROR);
    CHECK_STR(wg_schema_code_name(err.code), "depth");
    wg_schema_free(s);
  }
  /* depth options are capped, so a huge one cannot overflow the C stack */
  wg_schema_options opt = wg_schema_default_options();
  opt.max_validate_depth = 100000000;
  opt.max_depth = 100000000;
  wg_schema *capped = compile_opt("{\"allOf\":[{\"$ref\":\"#\"}]}", &opt, &err);
  REQUIRE(capped != NULL);
  CHECK_INT(check(capped, "1", &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "depth");
  CHECK_STR(err.message, "schema applications nested deeper than 2000");
  wg_schema_free(capped);
  char *deep_schema = nested(5000, "{\"not\":", "true", "}");
  capped = compile_opt(deep_schema, &opt, &err);
  CHECK(capped == NULL);
  CHECK_STR(err.message, "schema nested deeper than 1000");
  free(deep_schema);
  /* a cycle that consumes instance is fine */
  const char *tree =
      "{\"type\":\"object\",\"properties\":{\"kids\":{\"type\":\"array\","
      "\"items\":{\"$ref\":\"#\"}}},\"additionalProperties\":false}";
  CHECK(valid(tree, "{\"kids\":[{\"kids\":[]},{\"kids\":[{}]}]}"));
  CHECK(invalid(tree, "{\"kids\":[{\"kids\":[{\"x\":1}]}]}"));
  /* ... until the instance itself is too deep */
  char *deep = nested(1000, "{\"kids\":[", "{}", "]}");
  wg_schema *s = compile(tree, &err);
  REQUIRE(s != NULL);
  CHECK_INT(check(s, deep, &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "depth");
  wg_schema_free(s);
  free(deep);
}

static void test_hostile_regex(void) {
  wg_schema_error err;
  wg_schema *s = compile("{\"pattern\":\"^(a+)+$\"}", &err);
  REQUIRE(s != NULL);
  char inst[128];
  memset(inst, 'a', sizeof inst);
  inst[0] = '"';
  inst[sizeof inst - 3] = '!';
  inst[sizeof inst - 2] = '"';
  inst[sizeof inst - 1] = '\0';
  uint64_t t0 = wg_now_ns();
  CHECK_INT(check(s, inst, &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "regex_limit");
  CHECK_STR(err.keyword, "pattern");
  CHECK(wg_now_ns() - t0 < 2000000000ull);
  CHECK_INT(check(s, "\"aaaa\"", &err), WG_SCHEMA_VALID);
  wg_schema_free(s);
  /* a limit hit inside "not" is still an error, not a pass */
  s = compile("{\"not\":{\"pattern\":\"^(a|aa)+$\"}}", &err);
  REQUIRE(s != NULL);
  CHECK_INT(check(s, inst, &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "regex_limit");
  wg_schema_free(s);
  /* ... but a legitimate long input with a group loop is fine: base64 of
   * 45 KB iterates the group 15,000 times */
  s = compile("{\"pattern\":\"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$\"}",
              &err);
  REQUIRE(s != NULL);
  char *b64 = malloc(60003);
  b64[0] = '"';
  for (int i = 1; i <= 60000; i++) b64[i] = "QUJD"[i % 4];
  memcpy(b64 + 60001, "\"", 2);
  CHECK_INT(check(s, b64, &err), WG_SCHEMA_VALID);
  memcpy(b64 + 59999, "=\"", 3); /* one '=' after 3 of a group of 4: invalid */
  CHECK_INT(check(s, b64, &err), WG_SCHEMA_NOT_VALID);
  free(b64);
  wg_schema_free(s);
  /* regex work counts against the step budget of the whole validation */
  wg_schema_options small = wg_schema_default_options();
  small.max_steps = 5000;
  s = compile_opt("{\"items\":{\"pattern\":\"^(?:a|b)*$\"}}", &small, &err);
  REQUIRE(s != NULL);
  wg_buf many;
  wg_buf_init(&many, 0);
  wg_buf_append_char(&many, '[');
  for (int i = 0; i < 100; i++) wg_buf_printf(&many, "%s\"%0100d\"", i ? "," : "", 0);
  wg_buf_append_char(&many, ']');
  for (size_t i = 0; i < many.len; i++)
    if (many.data[i] == '0') many.data[i] = 'a';
  CHECK_INT(check(s, many.data, &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "budget");
  CHECK_STR(err.keyword, "pattern");
  CHECK_INT(check(s, "[\"abba\",\"b\"]", &err), WG_SCHEMA_VALID);
  wg_buf_free(&many);
  wg_schema_free(s);
  /* pattern length limit */
  wg_schema_options opt = wg_schema_default_options();
  opt.max_pattern_len = 8;
  s = compile_opt("{\"pattern\":\"abcdefghi\"}", &opt, &err);
  CHECK(s == NULL);
  CHECK_STR(wg_schema_code_name(err.code), "bad_pattern");
}

static void test_hostile_budget(void) {
  /* uniqueItems over 3000 distinct items is ~4.5M comparisons */
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_buf_append_char(&b, '[');
  for (int i = 0; i < 3000; i++) wg_buf_printf(&b, "%s%d", i ? "," : "", i);
  wg_buf_append_char(&b, ']');
  wg_schema_options opt = wg_schema_default_options();
  opt.max_steps = 100000;
  wg_schema_error err;
  wg_schema *s = compile_opt("{\"uniqueItems\":true}", &opt, &err);
  REQUIRE(s != NULL);
  CHECK_INT(check(s, b.data, &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "budget");
  CHECK_STR(err.keyword, "uniqueItems");
  wg_schema_free(s);
  /* an exponential anyOf tree: 2^20 paths, stopped by the budget */
  const char *expo =
      "{\"$defs\":{\"a\":{\"anyOf\":[{\"$ref\":\"#/$defs/b\"},{\"$ref\":\"#/$defs/b\"}]},"
      "\"b\":{\"anyOf\":[{\"$ref\":\"#/$defs/c\"},{\"$ref\":\"#/$defs/c\"}]},"
      "\"c\":{\"anyOf\":[{\"$ref\":\"#/$defs/d\"},{\"$ref\":\"#/$defs/d\"}]},"
      "\"d\":{\"anyOf\":[{\"$ref\":\"#/$defs/e\"},{\"$ref\":\"#/$defs/e\"}]},"
      "\"e\":{\"anyOf\":[{\"$ref\":\"#/$defs/f\"},{\"$ref\":\"#/$defs/f\"}]},"
      "\"f\":{\"anyOf\":[{\"$ref\":\"#/$defs/g\"},{\"$ref\":\"#/$defs/g\"}]},"
      "\"g\":{\"anyOf\":[{\"$ref\":\"#/$defs/h\"},{\"$ref\":\"#/$defs/h\"}]},"
      "\"h\":{\"anyOf\":[{\"$ref\":\"#/$defs/i\"},{\"$ref\":\"#/$defs/i\"}]},"
      "\"i\":{\"anyOf\":[{\"$ref\":\"#/$defs/j\"},{\"$ref\":\"#/$defs/j\"}]},"
      "\"j\":{\"anyOf\":[{\"$ref\":\"#/$defs/k\"},{\"$ref\":\"#/$defs/k\"}]},"
      "\"k\":{\"anyOf\":[{\"$ref\":\"#/$defs/a2\"},{\"$ref\":\"#/$defs/a2\"}]},"
      "\"a2\":{\"anyOf\":[{\"$ref\":\"#/$defs/b2\"},{\"$ref\":\"#/$defs/b2\"}]},"
      "\"b2\":{\"anyOf\":[{\"$ref\":\"#/$defs/c2\"},{\"$ref\":\"#/$defs/c2\"}]},"
      "\"c2\":{\"anyOf\":[{\"$ref\":\"#/$defs/d2\"},{\"$ref\":\"#/$defs/d2\"}]},"
      "\"d2\":{\"anyOf\":[{\"$ref\":\"#/$defs/e2\"},{\"$ref\":\"#/$defs/e2\"}]},"
      "\"e2\":{\"anyOf\":[{\"$ref\":\"#/$defs/f2\"},{\"$ref\":\"#/$defs/f2\"}]},"
      "\"f2\":{\"anyOf\":[{\"$ref\":\"#/$defs/g2\"},{\"$ref\":\"#/$defs/g2\"}]},"
      "\"g2\":{\"anyOf\":[{\"$ref\":\"#/$defs/h2\"},{\"$ref\":\"#/$defs/h2\"}]},"
      "\"h2\":{\"anyOf\":[{\"$ref\":\"#/$defs/i2\"},{\"$ref\":\"#/$defs/i2\"}]},"
      "\"i2\":{\"anyOf\":[{\"$ref\":\"#/$defs/z\"},{\"$ref\":\"#/$defs/z\"}]},"
      "\"z\":{\"type\":\"string\"}},\"$ref\":\"#/$defs/a\"}";
  opt.max_steps = 1000000;
  s = compile_opt(expo, &opt, &err);
  REQUIRE(s != NULL);
  uint64_t t0 = wg_now_ns();
  CHECK_INT(check(s, "1", &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "budget");
  CHECK(wg_now_ns() - t0 < 2000000000ull);
  CHECK_INT(check(s, "\"s\"", &err), WG_SCHEMA_VALID); /* first path succeeds */
  wg_schema_free(s);
  wg_buf_free(&b);
  /* a 100-deep enum value is compared without recursion trouble */
  char *deep = nested(100, "[", "1", "]");
  char *schema = malloc(strlen(deep) + 32);
  sprintf(schema, "{\"enum\":[%s]}", deep);
  CHECK(valid(schema, deep));
  free(schema);
  free(deep);
}

/* Trees built by hand (as another layer converting TOML might) can hold
 * what the JSON parser never produces; the schema layer must still answer. */
static void test_hand_built_trees(void) {
  wg_schema_error err;
  CHECK(wg_schema_compile(NULL, NULL, &err) == NULL);
  CHECK_STR(err.message, "no schema");
  wg_json t = {.type = WG_JSON_TRUE};
  wg_schema *s = wg_schema_compile(&t, NULL, &err);
  REQUIRE(s != NULL);
  CHECK_INT(wg_schema_validate(s, NULL, &err), WG_SCHEMA_ERROR);
  CHECK_INT(wg_schema_validate(NULL, &t, NULL), WG_SCHEMA_ERROR);
  wg_schema_free(s);
  /* a keyword number whose lexeme is not JSON */
  wg_json num = {.type = WG_JSON_NUMBER};
  num.u.number.text = "1_000";
  num.u.number.len = 5;
  wg_json_member m = {"maximum", 7, &num};
  wg_json obj = {.type = WG_JSON_OBJECT};
  obj.u.object.members = &m;
  obj.u.object.count = 1;
  CHECK(wg_schema_compile(&obj, NULL, &err) == NULL);
  CHECK_STR(wg_schema_code_name(err.code), "bad_keyword");
  CHECK_STR(err.keyword, "maximum");
  /* an instance number whose lexeme is not JSON */
  s = compile("{\"minimum\":0}", &err);
  REQUIRE(s != NULL);
  CHECK_INT(wg_schema_validate(s, &num, &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "number_limit");
  wg_schema_free(s);
  /* a pattern that is not UTF-8 */
  wg_json pat = {.type = WG_JSON_STRING};
  pat.u.string.text = "a\xff";
  pat.u.string.len = 2;
  wg_json_member pm = {"pattern", 7, &pat};
  obj.u.object.members = &pm;
  CHECK(wg_schema_compile(&obj, NULL, &err) == NULL);
  CHECK_STR(wg_schema_code_name(err.code), "bad_pattern");
  CHECK_STR(err.message, "pattern is not valid UTF-8");
}

static void test_limits_misc(void) {
  wg_schema_error err;
  /* $id count cap */
  wg_buf ids;
  wg_buf_init(&ids, 0);
  wg_buf_append_str(&ids, "{\"$defs\":{");
  for (int i = 0; i < 1100; i++)
    wg_buf_printf(&ids, "%s\"d%d\":{\"$id\":\"urn:x:%d\"}", i ? "," : "", i, i);
  wg_buf_append_str(&ids, "}}");
  wg_schema *s = compile(ids.data, &err);
  CHECK(s == NULL);
  CHECK_STR(wg_schema_code_name(err.code), "too_large");
  CHECK_STR(err.keyword, "$id");
  wg_buf_free(&ids);
  /* $anchor count is capped too */
  wg_buf anchors;
  wg_buf_init(&anchors, 0);
  wg_buf_append_str(&anchors, "{\"$defs\":{");
  for (int i = 0; i < 1100; i++)
    wg_buf_printf(&anchors, "%s\"d%d\":{\"$anchor\":\"a%d\"}", i ? "," : "", i, i);
  wg_buf_append_str(&anchors, "}}");
  s = compile(anchors.data, &err);
  CHECK(s == NULL);
  CHECK_STR(wg_schema_code_name(err.code), "too_large");
  CHECK_STR(err.keyword, "$anchor");
  CHECK_STR(err.schema_path, "$.$defs.d1000");
  wg_buf_free(&anchors);
  /* zero options mean defaults */
  wg_schema_options zero = {0};
  zero.max_steps = 1;
  s = compile_opt("{\"items\":{\"type\":\"integer\"}}", &zero, &err);
  REQUIRE(s != NULL);
  CHECK_INT(check(s, "[1]", &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "budget");
  wg_schema_free(s);
  /* node limit */
  wg_schema_options few = wg_schema_default_options();
  few.max_nodes = 3;
  s = compile_opt("{\"allOf\":[true,true,true]}", &few, &err);
  CHECK(s == NULL);
  CHECK_STR(wg_schema_code_name(err.code), "too_large");
  /* a regex limit inside patternProperties is an error too */
  s = compile("{\"patternProperties\":{\"^(a|aa)+$\":true}}", &err);
  REQUIRE(s != NULL);
  char inst[160];
  memset(inst, 'a', sizeof inst);
  memcpy(inst, "{\"", 2);
  memcpy(inst + sizeof inst - 6, "!\":1}", 6); /* {"aaa...a!":1} */
  CHECK_INT(check(s, inst, &err), WG_SCHEMA_ERROR);
  CHECK_STR(wg_schema_code_name(err.code), "regex_limit");
  CHECK_STR(err.keyword, "patternProperties");
  wg_schema_free(s);
}

/* ---- threads ---- */

typedef struct thread_arg {
  const wg_schema *s;
  int ok;
} thread_arg;

static void *thread_main(void *p) {
  thread_arg *a = p;
  wg_json_doc *good = parse("{\"name\":\"x\",\"tags\":[\"a\",\"b\"],\"n\":0.0075}");
  wg_json_doc *bad = parse("{\"name\":\"x\",\"tags\":[\"a\",\"a\"],\"n\":0.0075}");
  for (int i = 0; i < 2000; i++) {
    wg_schema_error err;
    a->ok += wg_schema_validate(a->s, wg_json_root(good), &err) == WG_SCHEMA_VALID;
    a->ok += wg_schema_validate(a->s, wg_json_root(bad), &err) == WG_SCHEMA_NOT_VALID &&
             strcmp(err.instance_path, "/tags") == 0;
  }
  wg_json_free(good);
  wg_json_free(bad);
  return NULL;
}

static void test_threads_share_schema(void) {
  wg_schema_error err;
  wg_schema *s = compile(
      "{\"properties\":{\"name\":{\"pattern\":\"^[a-z]+$\"},"
      "\"tags\":{\"uniqueItems\":true,\"items\":{\"enum\":[\"a\",\"b\"]}},"
      "\"n\":{\"multipleOf\":0.0001}},\"required\":[\"name\"]}",
      &err);
  REQUIRE(s != NULL);
  pthread_t th[4];
  thread_arg args[4] = {{s, 0}, {s, 0}, {s, 0}, {s, 0}};
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, thread_main, &args[i]);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 4; i++) CHECK_INT(args[i].ok, 4000);
  wg_schema_free(s);
}

static void test_code_names(void) {
  CHECK_STR(wg_schema_code_name(WG_SCHEMA_OK), "ok");
  CHECK_STR(wg_schema_code_name(WG_SCHEMA_UNKNOWN_KEYWORD), "unknown_keyword");
  CHECK_STR(wg_schema_code_name(WG_SCHEMA_INVALID), "invalid");
  CHECK_STR(wg_schema_code_name(WG_SCHEMA_BUDGET), "budget");
  CHECK_STR(wg_schema_code_name(WG_SCHEMA_REGEX_LIMIT), "regex_limit");
  CHECK_STR(wg_schema_code_name(WG_SCHEMA_NUMBER_LIMIT), "number_limit");
  CHECK_STR(wg_schema_code_name((wg_schema_code)999), "unknown");
}

/* A $defs chain of n $refs from properties.s, ending in {"type":"string"}. */
static char *ref_chain(int n) {
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_buf_printf(&b, "{\"type\":\"object\",\"properties\":{\"s\":{\"$ref\":\"#/$defs/d0\"}},"
                    "\"$defs\":{");
  for (int i = 0; i < n; i++) wg_buf_printf(&b, "\"d%d\":{\"$ref\":\"#/$defs/d%d\"},", i, i + 1);
  wg_buf_printf(&b, "\"d%d\":{\"type\":\"string\"}}}", n);
  return wg_buf_take(&b, NULL);
}

/* check's warning: a subschema that no input can get through. */
static void test_depth_warning(void) {
  wg_schema_error err, w;
  /* 300 $refs: every input with "s" fails with `depth`; warned at $.properties.s. */
  char *text = ref_chain(300);
  wg_schema *s = compile(text, &err);
  REQUIRE(s);
  CHECK_INT(wg_schema_depth_warning(s, &w), WG_SCHEMA_DEPTH);
  CHECK_INT(w.code, WG_SCHEMA_DEPTH);
  CHECK_STR(w.schema_path, "$.properties.s");
  CHECK_STR(w.keyword, "$ref");
  CHECK_STR(w.message, "schema can never validate here: its $ref/allOf chain needs more than "
                       "the validator's 256 nested schema applications (or loops), so every "
                       "input that reaches it is refused");
  CHECK_INT(check(s, "{\"s\":\"x\"}", &err), WG_SCHEMA_ERROR);
  CHECK_INT(err.code, WG_SCHEMA_DEPTH);
  CHECK_INT(check(s, "{}", &err), WG_SCHEMA_VALID); /* the warning is about that subschema */
  wg_schema_free(s);
  free(text);
  /* At the bound: root + s + 253 refs + the
   * string = 256 applications, exactly what the validator allows. */
  int ok_len = 253;
  text = ref_chain(ok_len);
  s = compile(text, &err);
  REQUIRE(s);
  CHECK_INT(wg_schema_depth_warning(s, &w), WG_SCHEMA_OK);
  CHECK_INT(check(s, "{\"s\":\"x\"}", &err), WG_SCHEMA_VALID);
  wg_schema_free(s);
  free(text);
  text = ref_chain(ok_len + 1);
  s = compile(text, &err);
  REQUIRE(s);
  CHECK_INT(wg_schema_depth_warning(s, &w), WG_SCHEMA_DEPTH);
  CHECK_STR(w.message, "schema can never validate here: reaching it takes 257 nested schema "
                       "applications, over the validator's 256, so every input that reaches "
                       "it is refused");
  CHECK_INT(check(s, "{\"s\":\"x\"}", &err), WG_SCHEMA_ERROR);
  wg_schema_free(s);
  free(text);
  /* A cycle of allOf/$ref consuming no input. */
  s = compile("{\"$defs\":{\"a\":{\"allOf\":[{\"$ref\":\"#/$defs/b\"}]},\"b\":{\"$ref\":"
              "\"#/$defs/a\"}},\"properties\":{\"x\":{\"$ref\":\"#/$defs/a\"}}}", &err);
  REQUIRE(s);
  CHECK_INT(wg_schema_depth_warning(s, &w), WG_SCHEMA_DEPTH);
  CHECK_STR(w.schema_path, "$.properties.x");
  wg_schema_free(s);
  /* Recursion that consumes the input (a tree) is fine, as are anyOf
   * branches (not every input goes through them). */
  s = compile("{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"kids\":{"
              "\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}}}},"
              "\"$ref\":\"#/$defs/node\"}", &err);
  REQUIRE(s);
  CHECK_INT(wg_schema_depth_warning(s, &w), WG_SCHEMA_OK);
  wg_schema_free(s);
  s = compile("{\"$defs\":{\"a\":{\"anyOf\":[{\"type\":\"string\"},{\"$ref\":\"#/$defs/a\"}]}},"
              "\"$ref\":\"#/$defs/a\"}", &err);
  REQUIRE(s);
  CHECK_INT(wg_schema_depth_warning(s, &w), WG_SCHEMA_OK);
  CHECK_INT(check(s, "\"x\"", &err), WG_SCHEMA_VALID);
  wg_schema_free(s);
}

WG_TEST_LIST{
    WG_TEST(test_depth_warning),
    WG_TEST(test_unknown_keyword_location),
    WG_TEST(test_bad_keyword_values),
    WG_TEST(test_bad_refs),
    WG_TEST(test_ref_resolution),
    WG_TEST(test_error_locations),
    WG_TEST(test_error_messages_clean),
    WG_TEST(test_error_bounded),
    WG_TEST(test_types),
    WG_TEST(test_enum_const_equality),
    WG_TEST(test_numbers_exact),
    WG_TEST(test_strings_code_points),
    WG_TEST(test_objects_and_arrays),
    WG_TEST(test_annotations_accepted),
    WG_TEST(test_regex_ecma),
    WG_TEST(test_regex_rejected),
    WG_TEST(test_hostile_deep_schema),
    WG_TEST(test_hostile_ref_cycles),
    WG_TEST(test_hostile_regex),
    WG_TEST(test_hostile_budget),
    WG_TEST(test_hand_built_trees),
    WG_TEST(test_limits_misc),
    WG_TEST(test_threads_share_schema),
    WG_TEST(test_code_names),
};
WG_TEST_MAIN()
