/* test_json.c: the JSON layer as a specification: parsing (values, spans,
 * errors with offsets), limits at and past each bound, accessors, exact
 * number conversions and comparison, equality, and the writers' exact
 * output. */
#include "../harness.h"
#include "wasmgate/json.h"

#include <math.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Parses a NUL-terminated text with default limits. */
static wg_json_doc *parse(const char *s) {
  return wg_json_parse(s, strlen(s), NULL, NULL);
}

/* Parses s expecting failure; returns the error. */
static wg_json_error parse_err(const char *s, const wg_json_limits *lim) {
  wg_json_error e;
  wg_json_doc *d = wg_json_parse(s, strlen(s), lim, &e);
  if (d) {
    wg_json_free(d);
    e.code = WG_JSON_OK;
    e.offset = (size_t)-1;
  }
  return e;
}

#define CHECK_ERR(text, st, off)                        \
  do {                                                  \
    wg_json_error e_ = parse_err(text, NULL);           \
    CHECK_STR(wg_json_code_name(e_.code), wg_json_code_name(st)); \
    CHECK_INT(e_.offset, off);                          \
  } while (0)

/* Canonical output of s (or "<error>"), in a static buffer. */
static const char *canon(const char *s, bool canonical) {
  static char out[4096];
  wg_json_doc *d = parse(s);
  if (!d) return "<error>";
  wg_buf b;
  wg_buf_init(&b, 0);
  bool ok = wg_json_write(wg_json_root(d), canonical, &b);
  snprintf(out, sizeof out, "%s", ok ? b.data : "<overflow>");
  wg_buf_free(&b);
  wg_json_free(d);
  return out;
}

static void test_parse_scalars(void) {
  const char *lits[] = {"null", "false", "true", " 1 ", "\"x\"", "-0.0e+0"};
  wg_json_type types[] = {WG_JSON_NULL, WG_JSON_FALSE, WG_JSON_TRUE,
                          WG_JSON_NUMBER, WG_JSON_STRING, WG_JSON_NUMBER};
  for (size_t i = 0; i < 6; i++) {
    wg_json_doc *d = parse(lits[i]);
    REQUIRE(d);
    CHECK_INT(wg_json_root(d)->type, types[i]);
    wg_json_free(d);
  }
}

static void test_parse_tree_and_spans(void) {
  const char *s = " {\"b\": [1, \"two\", null], \"a\": {\"x\": true}} ";
  wg_json_doc *d = parse(s);
  REQUIRE(d);
  const wg_json *r = wg_json_root(d);
  CHECK_INT(r->type, WG_JSON_OBJECT);
  CHECK_INT(r->start, 1);
  CHECK_INT(r->end, strlen(s) - 1);
  REQUIRE(r->u.object.count == 2);
  CHECK_STR(r->u.object.members[0].key, "b"); /* document order kept */
  CHECK_STR(r->u.object.members[1].key, "a");
  const wg_json *b = wg_json_get(r, "b");
  REQUIRE(b && b->type == WG_JSON_ARRAY);
  CHECK_INT(b->start, 7);
  CHECK_INT(b->end, 23);
  CHECK_INT(b->u.array.count, 3);
  CHECK_STR(wg_json_str(wg_json_at(b, 1)), "two");
  CHECK_INT(wg_json_at(b, 1)->start, 11);
  CHECK_INT(wg_json_at(b, 1)->end, 16);
  CHECK(wg_json_at(b, 3) == NULL);
  CHECK(wg_json_get(b, "x") == NULL);
  CHECK(wg_json_get(r, "c") == NULL);
  CHECK_INT(wg_json_get(wg_json_get(r, "a"), "x")->type, WG_JSON_TRUE);
  CHECK(wg_json_str(b) == NULL);
  wg_json_free(d);
}

static void test_number_lexemes_kept(void) {
  const char *nums[] = {"1e400", "123456789012345678901234567890", "-0.0",
                        "1E+2", "0.000000000000000000000000000001"};
  for (size_t i = 0; i < 5; i++) {
    wg_json_doc *d = parse(nums[i]);
    REQUIRE(d);
    const wg_json *v = wg_json_root(d);
    CHECK_INT(v->u.number.len, strlen(nums[i]));
    CHECK_STR(v->u.number.text, nums[i]);
    wg_json_free(d);
  }
}

static void test_strings_decoded(void) {
  wg_json_doc *d = parse("\"a\\n\\u00e9\\ud83d\\ude00\\/\\u0000z\"");
  REQUIRE(d);
  const wg_json *v = wg_json_root(d);
  CHECK_INT(v->u.string.len, 11);
  CHECK(memcmp(v->u.string.text, "a\n\xC3\xA9\xF0\x9F\x98\x80/\0z", 11) == 0);
  wg_json_free(d);
  /* Key with NUL: lookup by length. */
  d = parse("{\"a\\u0000b\": 1}");
  REQUIRE(d);
  CHECK(wg_json_getn(wg_json_root(d), "a\0b", 3) != NULL);
  CHECK(wg_json_get(wg_json_root(d), "a") == NULL);
  wg_json_free(d);
}

static void test_rejections_with_offsets(void) {
  CHECK_ERR("", WG_JSON_SYNTAX, 0);
  CHECK_ERR("  ", WG_JSON_SYNTAX, 2);
  CHECK_ERR("[1,]", WG_JSON_SYNTAX, 3);
  CHECK_ERR("{\"a\":1,}", WG_JSON_SYNTAX, 7);
  CHECK_ERR("[1 2]", WG_JSON_SYNTAX, 3);
  CHECK_ERR("{\"a\" 1}", WG_JSON_SYNTAX, 5);
  CHECK_ERR("{1:1}", WG_JSON_SYNTAX, 1);
  CHECK_ERR("[1] x", WG_JSON_SYNTAX, 4);
  CHECK_ERR("01", WG_JSON_SYNTAX, 0);
  CHECK_ERR("-", WG_JSON_SYNTAX, 1);
  CHECK_ERR("1.", WG_JSON_SYNTAX, 2);
  CHECK_ERR("1e", WG_JSON_SYNTAX, 2);
  CHECK_ERR("[NaN]", WG_JSON_SYNTAX, 1);
  CHECK_ERR("Infinity", WG_JSON_SYNTAX, 0);
  CHECK_ERR("[1] // c", WG_JSON_SYNTAX, 4);
  CHECK_ERR("/* c */ 1", WG_JSON_SYNTAX, 0);
  CHECK_ERR("\xEF\xBB\xBF{}", WG_JSON_SYNTAX, 0);
  CHECK_ERR("\"a\tb\"", WG_JSON_SYNTAX, 2);
  CHECK_ERR("\"abc", WG_JSON_SYNTAX, 4);
  CHECK_ERR("\"\\x\"", WG_JSON_SYNTAX, 1);
  CHECK_ERR("\"\\u12g4\"", WG_JSON_SYNTAX, 1);
  CHECK_ERR("tru", WG_JSON_SYNTAX, 0);
  CHECK_ERR("[\"\\ud800\"]", WG_JSON_BAD_UTF8, 2);
  CHECK_ERR("[\"\\udc00\\ud800\"]", WG_JSON_BAD_UTF8, 2);
  CHECK_ERR("\"\\ud800\\u0041\"", WG_JSON_BAD_UTF8, 1);
  CHECK_ERR("\"\xC0\xAF\"", WG_JSON_BAD_UTF8, 1);
  CHECK_ERR("\"ab\xED\xA0\x80\"", WG_JSON_BAD_UTF8, 3);
  CHECK_ERR("\"\xE9t\xE9\"", WG_JSON_BAD_UTF8, 1);
  CHECK_ERR("{\"a\":1,\"b\":2,\"a\":3}", WG_JSON_DUPLICATE_KEY, 13);
}

static void test_error_messages(void) {
  wg_json_error e = parse_err("{\"a\" 1}", NULL);
  CHECK_STR(e.message, "expected ':' after key");
  e = parse_err("[1,]", NULL);
  CHECK_STR(e.message, "trailing comma before ']'");
  e = parse_err("\xEF\xBB\xBF{}", NULL);
  CHECK_STR(e.message, "byte-order mark is not allowed");
  e = parse_err("[1, x]", NULL);
  CHECK_STR(e.message, "unexpected character 'x', expected a value");
  e = parse_err("[\x01]", NULL);
  CHECK_STR(e.message, "unexpected byte 0x01, expected a value");
  e = parse_err("{\"a\":\xFF}", NULL);
  CHECK_STR(e.message, "unexpected byte 0xff, expected a value");
  /* A duplicate key is named by position, never quoted (the input is
   * untrusted and messages are shown and recorded). */
  e = parse_err("{\"k\":1,\"k\":1}", NULL);
  CHECK_STR(e.message, "duplicate object key at member index 1 (first at member index 0)");
  e = parse_err("{\"x\":0,\"a\\nb\":1,\"y\":2,\"a\\nb\":1}", NULL);
  CHECK_STR(e.message, "duplicate object key at member index 3 (first at member index 1)");
  CHECK_INT(e.offset, 22);
  e = parse_err("{\"sk-live-secret\":1,\"o\":{\"sk-live-secret\":1,\"sk-live-secret\":2}}", NULL);
  CHECK_STR(e.message, "duplicate object key at member index 1 (first at member index 0)");
  CHECK(strstr(e.message, "secret") == NULL);
  CHECK_STR(wg_json_type_name(WG_JSON_OBJECT), "object");
  CHECK_STR(wg_json_type_name((wg_json_type)99), "unknown");
  CHECK_STR(wg_json_code_name(WG_JSON_TOO_DEEP), "too_deep");
  CHECK_STR(wg_json_code_name(WG_JSON_NOMEM), "nomem");
}

static void test_duplicate_keys_large_object(void) {
  /* 2000 members, the repeat at the end: found by sorting, offset exact. */
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_buf_append_char(&b, '{');
  for (int i = 0; i < 2000; i++) wg_buf_printf(&b, "\"k%d\":%d,", i, i);
  size_t dup_at = b.len;
  wg_buf_append_str(&b, "\"k1234\":0,\"k7\":1}");
  wg_json_error e;
  CHECK(wg_json_parse(b.data, b.len, NULL, &e) == NULL);
  CHECK_INT(e.code, WG_JSON_DUPLICATE_KEY);
  CHECK_INT(e.offset, dup_at);
  /* Without the repeats it parses, and lookups work. */
  b.data[dup_at - 1] = '}';
  wg_json_doc *d = wg_json_parse(b.data, dup_at, NULL, &e);
  REQUIRE(d);
  int64_t x = 0;
  CHECK(wg_json_to_int64(wg_json_get(wg_json_root(d), "k1999"), &x));
  CHECK_INT(x, 1999);
  wg_json_free(d);
  wg_buf_free(&b);
}

static void test_limit_depth(void) {
  wg_json_limits lim = wg_json_default_limits();
  CHECK_INT(lim.max_depth, 512);
  lim.max_depth = 3;
  wg_json_doc *d = wg_json_parse("[[{\"a\":[]}]]", 12, &lim, NULL);
  CHECK(d == NULL);
  wg_json_error e = parse_err("[[{\"a\":[]}]]", &lim);
  CHECK_INT(e.code, WG_JSON_TOO_DEEP);
  CHECK_INT(e.offset, 7);
  d = wg_json_parse("[[{\"a\":1}]]", 11, &lim, NULL);
  CHECK(d != NULL);
  wg_json_free(d);
  /* Default: 512 levels fine, 513 not, 100000 rejected without recursion. */
  char *deep = malloc(100001);
  memset(deep, '[', 100000);
  deep[100000] = 0;
  e = parse_err(deep, NULL);
  CHECK_INT(e.code, WG_JSON_TOO_DEEP);
  CHECK_INT(e.offset, 512);
  memset(deep + 512, ']', 512);
  d = wg_json_parse(deep, 1024, NULL, &e);
  CHECK(d != NULL);
  wg_json_free(d);
  memset(deep, '[', 513);
  memset(deep + 513, ']', 513);
  CHECK(wg_json_parse(deep, 1026, NULL, &e) == NULL);
  CHECK_INT(e.code, WG_JSON_TOO_DEEP);
  free(deep);
}

static void test_limit_size_members_strings(void) {
  wg_json_limits lim = {.max_size = 5};
  wg_json_error e;
  wg_json_doc *d = wg_json_parse("[1,2]", 5, &lim, &e);
  CHECK(d != NULL);
  wg_json_free(d);
  CHECK(wg_json_parse("[1,2] ", 6, &lim, &e) == NULL);
  CHECK_INT(e.code, WG_JSON_TOO_LARGE);
  CHECK_INT(e.offset, 5);

  lim = (wg_json_limits){.max_members = 3};
  d = wg_json_parse("[1,2,3]", 7, &lim, &e);
  CHECK(d != NULL);
  wg_json_free(d);
  CHECK(wg_json_parse("[1,2,3,4]", 9, &lim, &e) == NULL);
  CHECK_INT(e.code, WG_JSON_TOO_LARGE);
  CHECK_INT(e.offset, 7);
  CHECK_STR(e.message, "too many array items");
  CHECK(wg_json_parse("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", 25, &lim, &e) ==
        NULL);
  CHECK_INT(e.offset, 23);
  CHECK_STR(e.message, "too many object members");

  lim = (wg_json_limits){.max_string_len = 4};
  d = wg_json_parse("[\"\\u00e9\\u00e9\"]", 16, &lim, &e); /* 4 bytes */
  CHECK(d != NULL);
  wg_json_free(d);
  CHECK(wg_json_parse("[\"abcde\"]", 9, &lim, &e) == NULL);
  CHECK_INT(e.code, WG_JSON_TOO_LARGE);
  CHECK_INT(e.offset, 1);
  CHECK(wg_json_parse("{\"abcde\":1}", 11, &lim, &e) == NULL);
  CHECK_INT(e.code, WG_JSON_TOO_LARGE);
}

static bool i64(const char *s, int64_t *out) {
  wg_json_doc *d = parse(s);
  bool ok = d && wg_json_to_int64(wg_json_root(d), out);
  wg_json_free(d);
  return ok;
}

static bool u64(const char *s, uint64_t *out) {
  wg_json_doc *d = parse(s);
  bool ok = d && wg_json_to_uint64(wg_json_root(d), out);
  wg_json_free(d);
  return ok;
}

static void test_to_int64(void) {
  int64_t x = 7;
  CHECK(i64("1e2", &x));
  CHECK_INT(x, 100);
  CHECK(i64("-0", &x));
  CHECK_INT(x, 0);
  CHECK(i64("1.0", &x));
  CHECK_INT(x, 1);
  CHECK(i64("12.5e1", &x));
  CHECK_INT(x, 125);
  CHECK(i64("1000e-3", &x));
  CHECK_INT(x, 1);
  CHECK(i64("9223372036854775807", &x));
  CHECK(x == INT64_MAX);
  CHECK(i64("-9223372036854775808", &x));
  CHECK(x == INT64_MIN);
  CHECK(i64("0e999999999999999999999", &x));
  CHECK_INT(x, 0);
  CHECK(!i64("9223372036854775808", &x));
  CHECK(!i64("-9223372036854775809", &x));
  CHECK(!i64("1.5", &x));
  CHECK(!i64("1e-1", &x));
  CHECK(!i64("1e400", &x));
  CHECK(!i64("1e99999999999999999999999", &x));
  CHECK(!i64("1e-99999999999999999999999", &x));
  CHECK(!i64("\"1\"", &x));
  uint64_t u = 0;
  CHECK(u64("18446744073709551615", &u));
  CHECK(u == UINT64_MAX);
  CHECK(u64("1.8446744073709551615e19", &u));
  CHECK(u == UINT64_MAX);
  CHECK(!u64("18446744073709551616", &u));
  CHECK(!u64("-1", &u));
  CHECK(u64("-0.0", &u));
  CHECK_U64(u, 0);
}

static bool dbl(const char *s, double *out) {
  wg_json_doc *d = parse(s);
  bool ok = d && wg_json_to_double(wg_json_root(d), out);
  wg_json_free(d);
  return ok;
}

static void test_to_double(void) {
  double x = 0;
  CHECK(dbl("1.5", &x));
  CHECK(x == 1.5);
  CHECK(dbl("1e2", &x));
  CHECK(x == 100.0);
  CHECK(dbl("-0.0", &x));
  CHECK(x == 0 && signbit(x));
  CHECK(dbl("9007199254740993e0", &x) == false); /* 2^53+1 */
  CHECK(dbl("9007199254740992", &x));
  CHECK(!dbl("0.1", &x));
  CHECK(x == 0.1); /* nearest double still stored */
  CHECK(!dbl("1e400", &x));
  CHECK(!dbl("1e-400", &x));
  /* The smallest subnormal, written out exactly. */
  CHECK(dbl(
            "4.9406564584124654417656879286822137236505980261432476442558568250"
            "067550727020875186529983636163599237979656469544571773092665671035"
            "593979639877479601078187812630071319031140452784581716784898210368"
            "871863605699873072305000638740915356498438731247339727316961514003"
            "171538539807412623856559117102665855668676818703956031062493194527"
            "159149245532930545654440112748012970999954193198940908041656332452"
            "475714786901472678015935523861155013480352649347201937902681071074"
            "917033322268447533357208324319360923828934583680601060115061698097"
            "530783422773183292479049825247307763759272478746560847782037344696"
            "995336470179726777175851256605511991315048911014510378627381672509"
            "558373897335989936648099411642057026370902792427675445652290875386"
            "82506419718265533447265625E-324",
            &x));
  CHECK(x == 5e-324);
}

static int ncmp(const char *a, const char *b) {
  wg_json_doc *x = parse(a), *y = parse(b);
  int c = (x && y) ? wg_json_number_cmp(wg_json_root(x), wg_json_root(y)) : 99;
  wg_json_free(x);
  wg_json_free(y);
  return c;
}

static void test_number_cmp(void) {
  CHECK_INT(ncmp("1", "1.0"), 0);
  CHECK_INT(ncmp("1", "1e0"), 0);
  CHECK_INT(ncmp("100", "1e2"), 0);
  CHECK_INT(ncmp("0.01", "1e-2"), 0);
  CHECK_INT(ncmp("-0", "0.0"), 0);
  CHECK_INT(ncmp("1e400", "1"), 1);
  CHECK_INT(ncmp("-1e400", "1"), -1);
  CHECK_INT(ncmp("1e-400", "0"), 1);
  CHECK_INT(ncmp("-1e-400", "0"), -1);
  CHECK_INT(ncmp("1.5", "1.25"), 1);
  CHECK_INT(ncmp("-1.5", "-1.25"), -1);
  CHECK_INT(ncmp("123456789012345678901234567890",
                 "123456789012345678901234567891"), -1);
  CHECK_INT(ncmp("12345678901234567890123456789e1",
                 "123456789012345678901234567890"), 0);
  CHECK_INT(ncmp("10", "9.99999999999999999999999"), 1);
  /* Exponents too long for any machine integer. */
  CHECK_INT(ncmp("1e100000000000000000000000", "1e99999999999999999999999"),
            1);
  CHECK_INT(ncmp("10e99999999999999999999999", "1e100000000000000000000000"),
            0);
  CHECK_INT(ncmp("1e-100000000000000000000000", "1e-99999999999999999999999"),
            -1);
  CHECK_INT(ncmp("1e99999999999999999999999", "1e-99999999999999999999999"),
            1);
  CHECK_INT(ncmp("1e99999999999999999999999", "1e18"), 1);
  CHECK_INT(ncmp("0.1e-99999999999999999999999", "1e-100000000000000000000000"),
            0);
}

static void test_is_integer(void) {
  const char *yes[] = {"0", "-0", "1.0", "1e400", "1.5e1", "-20e-1"};
  const char *no[] = {"1.5", "1e-400", "0.1", "123.000001"};
  for (size_t i = 0; i < 6; i++) {
    wg_json_doc *d = parse(yes[i]);
    CHECK(d && wg_json_is_integer(wg_json_root(d)));
    wg_json_free(d);
  }
  for (size_t i = 0; i < 4; i++) {
    wg_json_doc *d = parse(no[i]);
    CHECK(d && !wg_json_is_integer(wg_json_root(d)));
    wg_json_free(d);
  }
}

static int jeq(const char *a, const char *b) {
  wg_json_doc *x = parse(a), *y = parse(b);
  int r = (x && y) ? wg_json_equal(wg_json_root(x), wg_json_root(y)) : 99;
  wg_json_free(x);
  wg_json_free(y);
  return r;
}

static void test_equal(void) {
  CHECK_INT(jeq("1", "1.0"), 1);
  CHECK_INT(jeq("[1, 1e0, 10e-1]", "[1.0,1,1]"), 1);
  CHECK_INT(jeq("{\"a\":1,\"b\":[true,null]}", "{\"b\":[true,null],\"a\":1}"),
            1);
  CHECK_INT(jeq("{\"a\":1}", "{\"a\":1,\"b\":2}"), 0);
  CHECK_INT(jeq("{\"a\":1,\"c\":2}", "{\"a\":1,\"b\":2}"), 0);
  CHECK_INT(jeq("[1,2]", "[2,1]"), 0);
  CHECK_INT(jeq("\"a\"", "\"b\""), 0);
  CHECK_INT(jeq("\"\\u00e9\"", "\"\xC3\xA9\""), 1);
  CHECK_INT(jeq("true", "1"), 0);
  CHECK_INT(jeq("null", "null"), 1);
  CHECK_INT(jeq("[]", "{}"), 0);
  CHECK_INT(jeq("[[[[1]]]]", "[[[[1.0]]]]"), 1);
  CHECK_INT(jeq("[[[[1]]]]", "[[[[2]]]]"), 0);
  CHECK(wg_json_equal(NULL, NULL));
  /* Large objects (sorted path), different member order. */
  wg_buf a, b;
  wg_buf_init(&a, 0);
  wg_buf_init(&b, 0);
  wg_buf_append_char(&a, '{');
  wg_buf_append_char(&b, '{');
  for (int i = 0; i < 100; i++) {
    wg_buf_printf(&a, "%s\"k%d\":[%d]", i ? "," : "", i, i);
    wg_buf_printf(&b, "%s\"k%d\":[%d.0]", i ? "," : "", 99 - i, 99 - i);
  }
  wg_buf_append_char(&a, '}');
  wg_buf_append_char(&b, '}');
  CHECK_INT(jeq(a.data, b.data), 1);
  b.data[b.len - 3] = '5'; /* "k0":[0.0] becomes [0.5] */
  CHECK_INT(jeq(a.data, b.data), 0);
  wg_buf_free(&a);
  wg_buf_free(&b);
  /* Deep trees: no recursion. */
  char *deep = malloc(2 * 512 + 1);
  memset(deep, '[', 512);
  memset(deep + 512, ']', 512);
  deep[1024] = 0;
  CHECK_INT(jeq(deep, deep), 1);
  free(deep);
}

static void test_write_compact_and_canonical(void) {
  const char *s = "{ \"b\" : 1e400, \"a\": [ -0.0, \"x\\/y\" ], \"\": {} , "
                  "\"ab\": true, \"a\\u0000\": null}";
  CHECK_STR(canon(s, false),
            "{\"b\":1e400,\"a\":[-0.0,\"x/y\"],\"\":{},\"ab\":true,"
            "\"a\\u0000\":null}");
  CHECK_STR(canon(s, true),
            "{\"\":{},\"a\":[-0.0,\"x/y\"],\"a\\u0000\":null,\"ab\":true,"
            "\"b\":1e400}");
  CHECK_STR(canon("\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\\\u007f\\u2028\"",
                  true),
            "\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\\x7f\xE2\x80\xA8\"");
  CHECK_STR(canon("[]", true), "[]");
  CHECK_STR(canon("{\"z\":{\"y\":1,\"x\":2},\"a\":[{\"d\":1,\"c\":2}]}", true),
            "{\"a\":[{\"c\":2,\"d\":1}],\"z\":{\"x\":2,\"y\":1}}");
  CHECK_STR(canon("  123  ", true), "123");
}

static void test_write_string_invalid_utf8(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(wg_json_write_string(&b, "a\xFF" "b\xC3", 4));
  CHECK_STR(b.data, "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\"");
  wg_buf_reset(&b);
  CHECK(wg_json_write_string(&b, "\xED\xA0\x80", 3)); /* surrogate */
  CHECK_STR(b.data, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  wg_buf_reset(&b);
  CHECK(wg_json_write_string(&b, "\0", 1));
  CHECK_STR(b.data, "\"\\u0000\"");
  wg_buf_free(&b);
}

static void test_write_cap_overflow(void) {
  wg_json_doc *d = parse("[\"abcdefgh\"]");
  REQUIRE(d);
  wg_buf b;
  wg_buf_init(&b, 8);
  CHECK(!wg_json_write(wg_json_root(d), true, &b));
  CHECK(b.overflow);
  wg_buf_free(&b);
  wg_json_free(d);
}

static void test_write_hand_built(void) {
  /* Trees need not come from the parser: bad lexemes and NULL children are
   * written as null, bad text is replaced. */
  wg_json num = {.type = WG_JSON_NUMBER};
  num.u.number.text = "1x";
  num.u.number.len = 2;
  wg_json str = {.type = WG_JSON_STRING};
  str.u.string.text = "\x80";
  str.u.string.len = 1;
  wg_json *items[] = {&num, NULL, &str};
  wg_json arr = {.type = WG_JSON_ARRAY};
  arr.u.array.items = items;
  arr.u.array.count = 3;
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(wg_json_write(&arr, true, &b));
  CHECK_STR(b.data, "[null,null,\"\xEF\xBF\xBD\"]");
  /* A container whose array pointer is NULL is empty; a NULL key is "". */
  wg_json obj = {.type = WG_JSON_OBJECT};
  obj.u.object.count = 5;
  wg_buf_reset(&b);
  CHECK(wg_json_write(&obj, true, &b));
  CHECK_STR(b.data, "{}");
  wg_json_member m[2] = {{NULL, 3, &num}, {"k", 1, NULL}};
  obj.u.object.members = m;
  obj.u.object.count = 2;
  wg_buf_reset(&b);
  CHECK(wg_json_write(&obj, true, &b));
  CHECK_STR(b.data, "{\"\":null,\"k\":null}");
  CHECK(wg_json_get(&obj, "k") == NULL);
  wg_buf_free(&b);
}

static void test_write_deep(void) {
  size_t n = 100000; /* hand-built, deeper than any parse limit */
  wg_json *nodes = calloc(n, sizeof *nodes);
  wg_json **kids = calloc(n, sizeof *kids);
  REQUIRE(nodes && kids);
  for (size_t i = 0; i < n; i++) {
    nodes[i].type = WG_JSON_ARRAY;
    if (i + 1 < n) {
      kids[i] = &nodes[i + 1];
      nodes[i].u.array.items = &kids[i];
      nodes[i].u.array.count = 1;
    }
  }
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(wg_json_write(nodes, true, &b));
  CHECK_INT(b.len, 2 * n);
  CHECK(b.data[n - 1] == '[' && b.data[n] == ']');
  CHECK(wg_json_equal(nodes, nodes));
  wg_buf_free(&b);
  free(nodes);
  free(kids);
}

static void test_streaming_writer(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_json_writer w;
  wg_json_writer_init(&w, &b);
  CHECK(wg_json_writer_begin_object(&w));
  CHECK(wg_json_writer_key(&w, "n", 1));
  CHECK(wg_json_writer_int(&w, INT64_MIN));
  CHECK(wg_json_writer_key(&w, "u", 1));
  CHECK(wg_json_writer_uint(&w, UINT64_MAX));
  CHECK(wg_json_writer_key(&w, "list", 4));
  CHECK(wg_json_writer_begin_array(&w));
  CHECK(wg_json_writer_double(&w, 0.1));
  CHECK(wg_json_writer_double(&w, 1e300));
  CHECK(wg_json_writer_double(&w, -0.0));
  CHECK(wg_json_writer_null(&w) && wg_json_writer_bool(&w, true));
  CHECK(wg_json_writer_number(&w, "1e400", 5));
  CHECK(wg_json_writer_cstr(&w, "a\"\n"));
  CHECK(wg_json_writer_end_array(&w));
  CHECK(wg_json_writer_key(&w, "bad\xFF", 4));
  wg_json_doc *d = parse("{\"y\":1,\"x\":[]}");
  CHECK(wg_json_writer_value(&w, wg_json_root(d), true));
  wg_json_free(d);
  CHECK(wg_json_writer_end_object(&w));
  CHECK(wg_json_writer_finish(&w));
  CHECK_STR(b.data, "{\"n\":-9223372036854775808,\"u\":18446744073709551615,"
                    "\"list\":[0.1,1e+300,-0,null,true,1e400,\"a\\\"\\n\"],"
                    "\"bad\xEF\xBF\xBD\":{\"x\":[],\"y\":1}}");
  wg_buf_free(&b);
}

static void test_streaming_writer_misuse(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_json_writer w;
  /* A value where a key is due is ignored. */
  wg_json_writer_init(&w, &b);
  CHECK(wg_json_writer_begin_object(&w));
  CHECK(!wg_json_writer_int(&w, 1));
  CHECK(w.misused);
  CHECK(!wg_json_writer_end_object(&w)); /* stays ignored once misused */
  CHECK(!wg_json_writer_finish(&w));
  CHECK_STR(b.data, "{");
  /* Mismatched end, invalid lexeme, second top-level value, open at end. */
  wg_buf_reset(&b);
  wg_json_writer_init(&w, &b);
  CHECK(wg_json_writer_begin_array(&w));
  CHECK(!wg_json_writer_end_object(&w));
  wg_json_writer_init(&w, &b);
  CHECK(!wg_json_writer_number(&w, "01", 2));
  wg_json_writer_init(&w, &b);
  CHECK(wg_json_writer_null(&w));
  CHECK(wg_json_writer_finish(&w));
  CHECK(!wg_json_writer_null(&w));
  CHECK(!wg_json_writer_finish(&w));
  wg_json_writer_init(&w, &b);
  CHECK(wg_json_writer_begin_array(&w));
  CHECK(!wg_json_writer_finish(&w));
  CHECK(!wg_json_writer_key(&w, "k", 1)); /* key inside an array */
  /* Depth bound. */
  wg_buf_reset(&b);
  wg_json_writer_init(&w, &b);
  for (int i = 0; i < WG_JSON_WRITER_MAX_DEPTH; i++)
    CHECK(wg_json_writer_begin_array(&w));
  CHECK(!wg_json_writer_begin_array(&w));
  CHECK(!wg_json_writer_finish(&w));
  wg_buf_free(&b);
}

static void test_streaming_writer_nan(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_json_writer w;
  wg_json_writer_init(&w, &b);
  CHECK(wg_json_writer_begin_array(&w));
  CHECK(wg_json_writer_double(&w, NAN));
  CHECK(wg_json_writer_double(&w, -INFINITY));
  CHECK(wg_json_writer_double(&w, 5e-324));
  CHECK(wg_json_writer_double(&w, 123456789.0));
  CHECK(wg_json_writer_end_array(&w));
  CHECK(wg_json_writer_finish(&w));
  CHECK_STR(b.data, "[null,null,5e-324,123456789]");
  wg_buf_free(&b);
}

static void test_canonical_key_order(void) {
  /* Bytewise (memcmp) order on the decoded UTF-8 key, a prefix first. */
  CHECK_STR(canon("{\"\\u00e9\":1,\"z\":2,\"a\":3,\"B\":4,\"ab\":5,\"\":6,"
                  "\"a\\u0000\":7,\"\\ud83d\\ude00\":8,\"\\uffff\":9}",
                  true),
            "{\"\":6,\"B\":4,\"a\":3,\"a\\u0000\":7,\"ab\":5,\"z\":2,"
            "\"\xC3\xA9\":1,\"\xEF\xBF\xBF\":9,\"\xF0\x9F\x98\x80\":8}");
  /* Escapes are re-encoded minimally: backslash-u0041 is A, \/ is /. */
  CHECK_STR(canon("[\"\\u0041\\/\\u001F\\u007F\"]", true),
            "[\"A/\\u001f\x7f\"]");
  /* Whitespace disappears, number lexemes do not change. */
  CHECK_STR(canon(" [ 1.50 , -0 , 1E+02 , 0.0e-0 ] ", true),
            "[1.50,-0,1E+02,0.0e-0]");
}

static void test_round_trips(void) {
  const char *docs[] = {
      ("{\"b\":{\"d\":[1,{\"f\":null,\"e\":\"\\ud834\\udd1e\"}],\"c\":true},"
       "\"a\":-1.0e-7}"),
      "[[],{},\"\",0,\"\\u0000\",\"\xE2\x80\xA8\"]",
      "123456789012345678901234567890.000000000000000000001e-99999",
      "\"\\\\\\\"\\b\\f\\n\\r\\t\"",
  };
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
    wg_json_doc *d1 = parse(docs[i]);
    REQUIRE(d1);
    wg_buf a, b;
    wg_buf_init(&a, 0);
    wg_buf_init(&b, 0);
    CHECK(wg_json_write(wg_json_root(d1), true, &a));
    wg_json_doc *d2 = wg_json_parse(a.data, a.len, NULL, NULL);
    REQUIRE(d2);
    CHECK(wg_json_equal(wg_json_root(d1), wg_json_root(d2)));
    CHECK(wg_json_write(wg_json_root(d2), true, &b));
    CHECK_STR(a.data, b.data);
    wg_buf_free(&a);
    wg_buf_free(&b);
    wg_json_free(d1);
    wg_json_free(d2);
  }
}

static void test_duplicates_after_decoding(void) {
  CHECK_ERR("{\"a\":1,\"\\u0061\":2}", WG_JSON_DUPLICATE_KEY, 7);
  CHECK_ERR("{\"\":1,\"\":2}", WG_JSON_DUPLICATE_KEY, 6);
  /* Same key in different objects is fine; a NUL makes keys differ. */
  wg_json_doc *d = parse("{\"a\":{\"a\":1},\"b\":{\"a\":2},\"a\\u0000\":3}");
  CHECK(d != NULL);
  wg_json_free(d);
  /* The first repeat in document order is reported, not the first in
   * key order (sorted path: more than 8 members). */
  CHECK_ERR("{\"z\":0,\"b\":1,\"c\":2,\"d\":3,\"e\":4,\"f\":5,\"g\":6,\"h\":7,"
            "\"z\":8,\"b\":9}", WG_JSON_DUPLICATE_KEY, 49);
}

static void test_limit_depth_objects_and_key_length(void) {
  wg_json_limits lim = {.max_depth = 2};
  wg_json_error e;
  wg_json_doc *d = wg_json_parse("{\"a\":{\"b\":1}}", 13, &lim, &e);
  CHECK(d != NULL);
  wg_json_free(d);
  CHECK(wg_json_parse("{\"a\":{\"b\":{}}}", 14, &lim, &e) == NULL);
  CHECK_INT(e.code, WG_JSON_TOO_DEEP);
  CHECK_INT(e.offset, 10);
  CHECK_STR(e.message, "nesting too deep");
  lim = (wg_json_limits){.max_string_len = 3};
  d = wg_json_parse("{\"abc\":\"xyz\"}", 13, &lim, &e);
  CHECK(d != NULL);
  wg_json_free(d);
  CHECK(wg_json_parse("{\"abcd\":1}", 10, &lim, &e) == NULL);
  CHECK_INT(e.code, WG_JSON_TOO_LARGE);
  CHECK_INT(e.offset, 1);
  CHECK_STR(e.message, "string too long");
}

static void test_spans_of_scalars(void) {
  wg_json_doc *d = parse("[ true ,-1.5e3, \"\\n\" ,null]");
  REQUIRE(d);
  const wg_json *r = wg_json_root(d);
  CHECK_INT(wg_json_at(r, 0)->start, 2);
  CHECK_INT(wg_json_at(r, 0)->end, 6);
  CHECK_INT(wg_json_at(r, 1)->start, 8);
  CHECK_INT(wg_json_at(r, 1)->end, 14);
  CHECK_INT(wg_json_at(r, 2)->start, 16);
  CHECK_INT(wg_json_at(r, 2)->end, 20);
  CHECK_INT(wg_json_at(r, 3)->start, 22);
  CHECK_INT(wg_json_at(r, 3)->end, 26);
  CHECK_INT(r->end, 27);
  wg_json_free(d);
}

static void test_numbers_hand_built_and_non_numbers(void) {
  /* A lexeme that is not NUL-terminated (hand-built node). */
  char text[] = "2.5xyz";
  wg_json n = {.type = WG_JSON_NUMBER};
  n.u.number.text = text;
  n.u.number.len = 3;
  double x = 0;
  CHECK(wg_json_to_double(&n, &x));
  CHECK(x == 2.5);
  int64_t i = 0;
  CHECK(!wg_json_to_int64(&n, &i));
  n.u.number.len = 4; /* "2.5x" is not a number */
  CHECK(!wg_json_to_double(&n, &x));
  wg_json s = {.type = WG_JSON_STRING};
  CHECK_INT(wg_json_number_cmp(&s, &n), 0);
  CHECK(!wg_json_is_integer(&s));
  CHECK(!wg_json_to_int64(NULL, &i));
  /* An empty lexeme is not a number, and nothing reads its first byte
   * (ASan: the text is one byte before a guard in a malloc'd block). */
  char *empty = malloc(1);
  CHECK(empty != NULL);
  wg_json e = {.type = WG_JSON_NUMBER};
  e.u.number.text = empty + 1;
  e.u.number.len = 0;
  CHECK(!wg_json_is_integer(&e));
  CHECK(!wg_json_to_int64(&e, &i));
  CHECK(!wg_json_to_double(&e, &x));
  CHECK_INT(wg_json_number_cmp(&e, &n), 0);
  free(empty);
}

/* Spells m * 10^k as a JSON number in one of several equivalent ways. */
static void spell(char *out, size_t cap, int64_t m, int k, unsigned style) {
  char digits[32];
  bool neg = m < 0;
  snprintf(digits, sizeof digits, "%lld", (long long)(neg ? -m : m));
  size_t n = strlen(digits);
  const char *sign = neg ? "-" : "";
  switch (style % 5) {
    case 0: snprintf(out, cap, "%s%se%d", sign, digits, k); break;
    case 1: snprintf(out, cap, "%s%s000E%+04d", sign, digits, k - 3); break;
    case 2: /* point after the first digit, exponent adjusted */
      snprintf(out, cap, "%s%c.%s0e%d", sign, digits[0], digits + 1,
               k + (int)n - 1);
      break;
    case 3: /* 0.digits */
      snprintf(out, cap, "%s0.00%se%d", sign, digits, k + (int)n + 2);
      break;
    default: { /* plain decimal when k is small */
      if (k >= 0) {
        snprintf(out, cap, "%s%s%.*s", sign, digits, k, "0000000000");
      } else if ((size_t)-k < n) {
        int ip = (int)n + k;
        snprintf(out, cap, "%s%.*s.%s", sign, ip, digits, digits + ip);
      } else {
        snprintf(out, cap, "%s0.%.*s%s", sign, (int)((size_t)-k - n),
                 "0000000000000000000000", digits);
      }
    }
  }
}

static wg_json_doc *parse_buf(const char *s) {
  return wg_json_parse(s, strlen(s), NULL, NULL);
}

static void test_number_cmp_property(void) {
  /* 100,000 random pairs: the exact comparison must agree with integer
   * comparison of m * 10^(k + 6), which fits int64 for these ranges. */
  uint64_t s = 0x243F6A8885A308D3ull;
  int bad = 0;
  for (int it = 0; it < 100000 && bad < 5; it++) {
    int64_t m[2], scaled[2];
    int k[2];
    wg_json_doc *d[2];
    char text[2][64];
    for (int j = 0; j < 2; j++) {
      s ^= s << 13, s ^= s >> 7, s ^= s << 17;
      m[j] = (int64_t)(s % 2000001) - 1000000;
      if (j == 1 && s % 4 == 0) m[1] = m[0] * 10, k[1] = k[0] - 1;
      else k[j] = (int)((s >> 32) % 11) - 5;
      if (m[j] == 0) m[j] = 7;
      scaled[j] = m[j];
      for (int e = 0; e < k[j] + 6; e++) scaled[j] *= 10;
      spell(text[j], sizeof text[j], m[j], k[j], (unsigned)(s >> 40));
      d[j] = parse_buf(text[j]);
    }
    if (!d[0] || !d[1]) {
      WG_TEST_FAIL_("does not parse: %s / %s", text[0], text[1]);
      bad++;
    } else {
      int want = (scaled[0] > scaled[1]) - (scaled[0] < scaled[1]);
      const wg_json *a = wg_json_root(d[0]), *b = wg_json_root(d[1]);
      int got = wg_json_number_cmp(a, b);
      int64_t ia;
      bool int_want = k[0] >= 0 || scaled[0] % 1000000 == 0;
      if (got != want || wg_json_number_cmp(b, a) != -want ||
          wg_json_equal(a, b) != (want == 0) ||
          wg_json_is_integer(a) != int_want ||
          (wg_json_to_int64(a, &ia) && ia * 1000000 != scaled[0])) {
        WG_TEST_FAIL_("%s vs %s: got %d, want %d", text[0], text[1], got, want);
        bad++;
      }
    }
    wg_json_free(d[0]);
    wg_json_free(d[1]);
  }
}

static void test_canonicalize(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_json_error e;
  const char *in = " {\"units\": \"metric\", \"city\": \"Paris\", \"days\": 3e0} ";
  CHECK_INT(wg_json_canonicalize(in, strlen(in), NULL, &b, &e), WG_JSON_OK);
  CHECK_STR(b.data, "{\"city\":\"Paris\",\"days\":3e0,\"units\":\"metric\"}");
  wg_buf_reset(&b);
  CHECK_INT(wg_json_canonicalize("{\"a\":1,\"a\":2}", 13, NULL, &b, &e), WG_JSON_DUPLICATE_KEY);
  CHECK_INT(e.code, WG_JSON_DUPLICATE_KEY);
  CHECK_INT(e.offset, 7);
  wg_buf_free(&b);
  wg_buf_init(&b, 10);
  CHECK_INT(wg_json_canonicalize(in, strlen(in), NULL, &b, &e), WG_JSON_TOO_LARGE);
  CHECK_INT(e.code, WG_JSON_TOO_LARGE);
  CHECK_STR(e.message, "output too large");
  wg_buf_free(&b);
}

static void test_strings_backslash_runs(void) {
  /* The closing quote is the first one after an even backslash run. */
  const char *in[] = {"[\"a\\\\\"]", "[\"\\\"\"]", "[\"\\\\\\\"x\"]",
                      "[\"\\\"\\\"\",\"\\\\\"]"};
  const char *first[] = {"a\\", "\"", "\\\"x", "\"\""};
  for (size_t i = 0; i < 4; i++) {
    wg_json_doc *d = parse(in[i]);
    REQUIRE(d);
    CHECK_STR(wg_json_str(wg_json_at(wg_json_root(d), 0)), first[i]);
    wg_json_free(d);
  }
  CHECK_ERR("[\"a\\\"]", WG_JSON_SYNTAX, 6); /* ["a\"] : quote escaped */
}

static void test_string_special_byte_positions(void) {
  /* A special byte at every position of strings up to 24 bytes long, so
   * both the 8-byte and the byte-wise scans meet it. */
  for (size_t len = 1; len <= 24; len++) {
    for (size_t at = 0; at < len; at++) {
      char in[64], want[64];
      wg_json_error e;
      /* An escape \n round-trips through decode and canonical output. */
      memset(in, 'a', sizeof in);
      in[0] = '"';
      memcpy(in + 1 + at, "\\n", 2);
      in[len + 2] = '"';
      memset(want, 'a', len);
      want[at] = '\n';
      want[len] = 0;
      wg_json_doc *d = wg_json_parse(in, len + 3, NULL, &e);
      REQUIRE(d);
      CHECK_STR(wg_json_str(wg_json_root(d)), want);
      wg_buf b;
      wg_buf_init(&b, 0);
      wg_json_write(wg_json_root(d), true, &b);
      CHECK(b.len == len + 3 && memcmp(b.data, in, len + 3) == 0);
      wg_buf_free(&b);
      wg_json_free(d);
      /* A raw control byte, an invalid byte: errors at their offsets. */
      memset(in, 'a', sizeof in);
      in[0] = '"';
      in[len + 1] = '"';
      in[1 + at] = 0x1f;
      CHECK(wg_json_parse(in, len + 2, NULL, &e) == NULL);
      CHECK_INT(e.offset, 1 + at);
      CHECK_INT(e.code, WG_JSON_SYNTAX);
      in[1 + at] = (char)0xFF;
      CHECK(wg_json_parse(in, len + 2, NULL, &e) == NULL);
      CHECK_INT(e.offset, 1 + at);
      CHECK_INT(e.code, WG_JSON_BAD_UTF8);
    }
  }
}

static void test_json_pointer(void) {
  wg_json_doc *d = parse("{\"a\":[10,{\"b/c\":1,\"d~e\":2,\"\":3}],"
                         "\"\\u0000\":4,\"01\":5}");
  REQUIRE(d);
  const wg_json *r = wg_json_root(d);
  int64_t x = 0;
#define PTR(s) wg_json_pointer(r, s, sizeof s - 1)
  CHECK(PTR("") == r);
  CHECK(wg_json_to_int64(PTR("/a/0"), &x) && x == 10);
  CHECK(wg_json_to_int64(PTR("/a/1/b~1c"), &x) && x == 1);
  CHECK(wg_json_to_int64(PTR("/a/1/d~0e"), &x) && x == 2);
  CHECK(wg_json_to_int64(PTR("/a/1/"), &x) && x == 3);
  CHECK(wg_json_to_int64(PTR("/\0"), &x) && x == 4);
  CHECK(wg_json_to_int64(PTR("/01"), &x) && x == 5); /* object key, not index */
  CHECK(PTR("/a/01") == NULL);
  CHECK(PTR("/a/2") == NULL);
  CHECK(PTR("/a/-") == NULL);
  CHECK(PTR("/a/1/b~2c") == NULL);
  CHECK(PTR("/a/0/x") == NULL);
  CHECK(PTR("a") == NULL);
  CHECK(PTR("/a/99999999999999999999999") == NULL);
#undef PTR
  wg_json_free(d);
}

static void test_line_col(void) {
  const char *s = "{\n  \"a\": 1,\n  x\n}";
  size_t line, col;
  wg_json_error e = parse_err(s, NULL);
  CHECK_INT(e.offset, 14);
  wg_json_line_col(s, strlen(s), e.offset, &line, &col);
  CHECK_INT(line, 3);
  CHECK_INT(col, 3);
  wg_json_line_col(s, strlen(s), 0, &line, &col);
  CHECK_INT(line, 1);
  CHECK_INT(col, 1);
  wg_json_line_col(s, strlen(s), 999, &line, &col);
  CHECK_INT(line, 4);
  CHECK_INT(col, 2);
}

static void test_write_pretty(void) {
  wg_json_doc *d = parse("{\"b\":[1,{}],\"a\":[],\"c\":{\"x\":\"y\"}}");
  REQUIRE(d);
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(wg_json_write_pretty(wg_json_root(d), true, 2, &b));
  CHECK_STR(b.data,
            "{\n  \"a\": [],\n  \"b\": [\n    1,\n    {}\n  ],\n"
            "  \"c\": {\n    \"x\": \"y\"\n  }\n}");
  /* It parses back to the same tree. */
  wg_json_doc *d2 = wg_json_parse(b.data, b.len, NULL, NULL);
  CHECK(d2 && wg_json_equal(wg_json_root(d), wg_json_root(d2)));
  wg_json_free(d2);
  wg_buf_reset(&b);
  CHECK(wg_json_write_pretty(wg_json_root(d), false, 0, &b)); /* indent 1 */
  CHECK_CONTAINS(b.data, "{\n \"b\": [\n  1,");
  wg_buf_free(&b);
  wg_json_free(d);
}

/* Out of memory is an error, not a crash: in a child process whose address
 * space is capped at 256 MiB, a 24 MB "[0,0,...]" (which needs ~1 GB) must
 * fail with WG_JSON_NOMEM, and writing a string whose escaped form needs
 * 240 MB must fail with the buffer's oom flag set. Skipped under ASan,
 * which needs terabytes of address space. */
static void test_out_of_memory(void) {
#ifndef WG_SANITIZE
  fflush(NULL);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    size_t n = 12u << 20;
    char *text = malloc(2 * n + 2);
    if (!text) _exit(10);
    text[0] = '[';
    for (size_t i = 0; i < n; i++) {
      text[1 + 2 * i] = '0';
      text[2 + 2 * i] = ',';
    }
    text[2 * n] = ']';
    size_t big = 40u << 20; /* allocated before the cap: always there */
    char *s = malloc(big);
    if (!s) _exit(14);
    memset(s, 1, big);
    struct rlimit rl = {(rlim_t)256 << 20, (rlim_t)256 << 20};
    if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(11);
    wg_json_error e;
    wg_json_limits lim = {.max_members = SIZE_MAX};
    wg_json_doc *d = wg_json_parse(text, 2 * n + 1, &lim, &e);
    if (d) _exit(12);
    if (e.code != WG_JSON_NOMEM || strcmp(e.message, "out of memory"))
      _exit(13);
    /* 40 MB of control bytes escape to 240 MB, which cannot fit under the
     * cap next to the input: the writer's buffer fails and says so. */
    wg_json str = {.type = WG_JSON_STRING};
    str.u.string.text = s;
    str.u.string.len = big;
    wg_buf b;
    wg_buf_init(&b, 0);
    if (wg_json_write(&str, true, &b) || !b.oom) _exit(15);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK_INT(WEXITSTATUS(status), 0);
#endif
}

/* Under ASan, ctest runs this with allocator_may_return_null=1 and a 16 MiB
 * cap on one allocation: the parser's scratch vector for 4M items cannot
 * grow, so the parse fails with WG_JSON_NOMEM and LeakSanitizer checks that
 * the error path freed everything. Elsewhere it is a no-op. */
static void test_out_of_memory_asan(void) {
  const char *opts = getenv("ASAN_OPTIONS");
  if (!opts || !strstr(opts, "max_allocation_size_mb")) return;
  size_t n = 4u << 20;
  char *text = malloc(2 * n + 2);
  REQUIRE(text);
  text[0] = '[';
  for (size_t i = 0; i < n; i++) {
    text[1 + 2 * i] = '0';
    text[2 + 2 * i] = ',';
  }
  text[2 * n] = ']';
  wg_json_error e;
  wg_json_limits lim = {.max_members = SIZE_MAX};
  wg_json_doc *d = wg_json_parse(text, 2 * n + 1, &lim, &e);
  CHECK(d == NULL);
  CHECK_INT(e.code, WG_JSON_NOMEM);
  wg_json_free(d);
  /* 8 MiB of control bytes escape to 48 MiB, but the writer's buffer
   * cannot grow past 16 MiB: it fails and says so. */
  memset(text, 1, 2 * n);
  wg_json str = {.type = WG_JSON_STRING};
  str.u.string.text = text;
  str.u.string.len = 2 * n;
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(!wg_json_write(&str, true, &b));
  CHECK(b.oom);
  wg_buf_free(&b);
  free(text);
}

WG_TEST_LIST {
  WG_TEST(test_parse_scalars),
  WG_TEST(test_parse_tree_and_spans),
  WG_TEST(test_number_lexemes_kept),
  WG_TEST(test_strings_decoded),
  WG_TEST(test_strings_backslash_runs),
  WG_TEST(test_string_special_byte_positions),
  WG_TEST(test_rejections_with_offsets),
  WG_TEST(test_error_messages),
  WG_TEST(test_duplicate_keys_large_object),
  WG_TEST(test_limit_depth),
  WG_TEST(test_limit_size_members_strings),
  WG_TEST(test_out_of_memory),
  WG_TEST(test_out_of_memory_asan),
  WG_TEST(test_to_int64),
  WG_TEST(test_to_double),
  WG_TEST(test_number_cmp),
  WG_TEST(test_is_integer),
  WG_TEST(test_number_cmp_property),
  WG_TEST(test_equal),
  WG_TEST(test_write_compact_and_canonical),
  WG_TEST(test_write_string_invalid_utf8),
  WG_TEST(test_write_cap_overflow),
  WG_TEST(test_write_pretty),
  WG_TEST(test_write_hand_built),
  WG_TEST(test_write_deep),
  WG_TEST(test_streaming_writer),
  WG_TEST(test_canonical_key_order),
  WG_TEST(test_canonicalize),
  WG_TEST(test_json_pointer),
  WG_TEST(test_line_col),
  WG_TEST(test_round_trips),
  WG_TEST(test_duplicates_after_decoding),
  WG_TEST(test_limit_depth_objects_and_key_length),
  WG_TEST(test_spans_of_scalars),
  WG_TEST(test_numbers_hand_built_and_non_numbers),
  WG_TEST(test_streaming_writer_misuse),
  WG_TEST(test_streaming_writer_nan),
};
WG_TEST_MAIN()
