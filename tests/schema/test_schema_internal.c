/* test_schema_internal.c: tests of the schema layer's internal helpers:
 * RFC 3986 reference resolution (uri.c, with the RFC's own examples) and
 * exact decimal arithmetic (number.c). */
#include "../harness.h"
#include "../../src/schema/schema_internal.h"
#include "../../src/schema/schema_uri.h"

static void check_resolve(const char *base, const char *ref, const char *want) {
  wg_arena a;
  wg_arena_init(&a, 0);
  const char *got = schema_uri_resolve(&a, base, ref);
  if (!got || strcmp(got, want) != 0)
    fprintf(stderr, "resolve(%s, %s) = %s, want %s\n", base, ref, got ? got : "(null)",
            want);
  CHECK_STR(got, want);
  wg_arena_free(&a);
}

static void test_rfc3986_normal_examples(void) {
  const char *b = "http://a/b/c/d;p?q";
  static const char *const cases[][2] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_resolve(b, cases[i][0], cases[i][1]);
}

static void test_rfc3986_abnormal_examples(void) {
  const char *b = "http://a/b/c/d;p?q";
  static const char *const cases[][2] = {
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_resolve(b, cases[i][0], cases[i][1]);
}

static void test_schema_style_refs(void) {
  check_resolve("", "#/$defs/a", "#/$defs/a");
  check_resolve("", "#", "#");
  check_resolve("urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed", "#/$defs/bar",
                "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed#/$defs/bar");
  check_resolve("http://example.com/root.json", "nested.json#foo",
                "http://example.com/nested.json#foo");
  check_resolve("http://example.com/a/b.json", "/c.json", "http://example.com/c.json");
  check_resolve("file:///folder/file.json", "#/$defs/x",
                "file:///folder/file.json#/$defs/x");
}

/* The schema layer reads numbers with the JSON layer's exact decimals
 * (src/include/json_dec.h); these check the parts it relies on. */
static json_dec dec(const char *s) {
  json_dec d;
  bool ok = json_dec_parse(s, strlen(s), &d);
  CHECK(ok);
  return d;
}

static int cmp(const char *a, const char *b) {
  json_dec x = dec(a), y = dec(b);
  return json_dec_cmp(&x, &y);
}

static int mult(const char *v, const char *d) {
  json_dec x = dec(v), y = dec(d);
  uint64_t work;
  return schema_multiple_of(&x, &y, 1000000, &work);
}

static int64_t lsd_exp(const json_dec *d) {
  int64_t e = 12345;
  CHECK(json_dec_lsd_exp(d, &e));
  return e;
}

static void test_decimal_parse(void) {
  json_dec d = dec("-1.2300e+2");
  CHECK(d.neg);
  CHECK_INT(json_dec_ndigits(&d), 3); /* 123 */
  CHECK_INT(lsd_exp(&d), 0);          /* -1.23e2 = -123 */
  d = dec("0.000");
  CHECK(d.zero);
  CHECK_INT(json_dec_ndigits(&d), 0);
  CHECK_INT(lsd_exp(&d), 0);
  d = dec("-0e5");
  CHECK(d.zero);
  d = dec("12.5e-3"); /* 125 * 10^-4 */
  CHECK_INT(json_dec_ndigits(&d), 3);
  CHECK_INT(lsd_exp(&d), -4);
  d = dec("1e999999999999999999"); /* 18 exponent digits: still in range */
  CHECK(lsd_exp(&d) == 999999999999999999);
  d = dec("1e99999999999999999999999");
  int64_t e;
  CHECK(!json_dec_lsd_exp(&d, &e));
  json_dec bad;
  CHECK(!json_dec_parse("1.", 2, &bad));
  CHECK(!json_dec_parse("+1", 2, &bad));
  CHECK(!json_dec_parse("1e", 2, &bad));
  CHECK(!json_dec_parse("", 0, &bad));
  CHECK(!json_dec_parse("1x", 2, &bad));
  CHECK(!json_dec_parse("01", 2, &bad)); /* the JSON grammar, strictly */
}

static void test_decimal_compare(void) {
  CHECK_INT(cmp("1", "1.0"), 0);
  CHECK_INT(cmp("100", "1e2"), 0);
  CHECK_INT(cmp("-0", "0"), 0);
  CHECK_INT(cmp("1e400", "1"), 1);
  CHECK_INT(cmp("-1e400", "-1"), -1);
  CHECK_INT(cmp("0.1", "0.10000000000000000000001"), -1);
  CHECK_INT(cmp("9007199254740993", "9007199254740992"), 1);
  CHECK_INT(cmp("-0.5", "0"), -1);
  CHECK_INT(cmp("0", "1e-400"), -1);
  CHECK_INT(cmp("12", "1.2e1"), 0);
  CHECK_INT(cmp("123", "1234e-1"), -1);
  /* exponents past any fixed-width saturation still compare exactly */
  CHECK_INT(cmp("1e99999999999999999999999", "1e99999999999999999999998"), 1);
  CHECK_INT(cmp("2e99999999999999999999999", "1e99999999999999999999999"), 1);
}

static void test_decimal_integer_and_u64(void) {
  json_dec d = dec("1.0");
  CHECK(json_dec_is_integer(&d));
  d = dec("1e-1");
  CHECK(!json_dec_is_integer(&d));
  d = dec("1e400");
  CHECK(json_dec_is_integer(&d));
  uint64_t u = 0;
  d = dec("2.5e1");
  CHECK(json_dec_is_integer(&d));
  CHECK(json_dec_to_u64(&d, &u));
  CHECK_U64(u, 25);
  d = dec("18446744073709551615");
  CHECK(json_dec_to_u64(&d, &u));
  CHECK_U64(u, UINT64_MAX);
  d = dec("18446744073709551616");
  CHECK(!json_dec_to_u64(&d, &u));
  d = dec("1e19");
  CHECK(json_dec_to_u64(&d, &u));
  CHECK_U64(u, 10000000000000000000ull);
  d = dec("2.5");
  CHECK(!json_dec_to_u64(&d, &u));
}

static void test_decimal_multiple_of(void) {
  CHECK_INT(mult("0.0075", "0.0001"), 1);
  CHECK_INT(mult("0.00751", "0.0001"), 0);
  CHECK_INT(mult("10", "2.5"), 1);
  CHECK_INT(mult("10", "4"), 0);
  CHECK_INT(mult("1e308", "0.5"), 1);
  CHECK_INT(mult("1e308", "0.123456789"), 0);
  CHECK_INT(mult("1e400", "1e-400"), 1);
  CHECK_INT(mult("1e-400", "1e400"), 0);
  CHECK_INT(mult("0", "7"), 1);
  CHECK_INT(mult("-0", "7"), 1);
  CHECK_INT(mult("-15", "5"), 1);
  CHECK_INT(mult("15", "-5"), 1);
  CHECK_INT(mult("1024e1000", "2e1000"), 1);
  CHECK_INT(mult("1e50", "1024"), 1); /* 2^10 divides 10^50 */
  CHECK_INT(mult("1e9", "1024"), 0);  /* but not 10^9 */
  CHECK_INT(mult("1e300", "3"), 0);
  CHECK_INT(mult("99999999999999999999999999999999999999", "99999999999999999999"), 0);
  CHECK_INT(mult("99999999999999999999999999999999999999999999999999999999999999999999999"
                 "999999999",
                 "9999999999999999999999999999999999999999"),
            1);
  uint64_t work;
  json_dec v = dec("1e99999999999999999999"), m = dec("3");
  CHECK_INT(schema_multiple_of(&v, &m, 1000, &work), -1);
  v = dec("123456789012345678901234567890123456789012345678901234567890");
  m = dec("987654321098765432109876543210987654321");
  CHECK_INT(schema_multiple_of(&v, &m, 100, &work), -1); /* over max_work */
  CHECK(work >= 100);
}

WG_TEST_LIST{
    WG_TEST(test_rfc3986_normal_examples), WG_TEST(test_rfc3986_abnormal_examples),
    WG_TEST(test_schema_style_refs),       WG_TEST(test_decimal_parse),
    WG_TEST(test_decimal_compare),         WG_TEST(test_decimal_integer_and_u64),
    WG_TEST(test_decimal_multiple_of),
};
WG_TEST_MAIN()
