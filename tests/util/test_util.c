/* test_util.c: buffers, arenas and UTF-8 helpers. */
#include "../harness.h"
#include "wasmgate/util.h"

static void test_buf_cap_is_sticky(void) {
  wg_buf b;
  wg_buf_init(&b, 8);
  CHECK(wg_buf_append_str(&b, "abcd"));
  CHECK(wg_buf_printf(&b, "%d", 123));
  CHECK_STR(b.data, "abcd123");
  CHECK(!wg_buf_append_str(&b, "xy"));
  CHECK(b.overflow);
  CHECK(!wg_buf_append_char(&b, 'z'));
  CHECK_INT(b.len, 7);
  wg_buf_free(&b);
}

static void test_buf_printf_long(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  char big[1000];
  memset(big, 'q', sizeof big - 1);
  big[sizeof big - 1] = 0;
  CHECK(wg_buf_printf(&b, "<%s>", big));
  CHECK_INT(b.len, 1001);
  size_t len;
  char *p = wg_buf_take(&b, &len);
  CHECK_INT(len, 1001);
  CHECK(p[0] == '<' && p[1000] == '>');
  free(p);
}

static void test_arena_limit(void) {
  wg_arena a;
  wg_arena_init(&a, 100);
  CHECK(wg_arena_alloc(&a, 50) != NULL);
  CHECK(wg_arena_alloc(&a, 60) == NULL);
  CHECK(wg_arena_array(&a, SIZE_MAX / 2, 4) == NULL);
  char *s = wg_arena_strndup(&a, "hello", 3);
  CHECK_STR(s, "hel");
  wg_arena_free(&a);
  wg_arena_init(&a, 0);
  for (int i = 0; i < 10000; i++) REQUIRE(wg_arena_alloc(&a, 100) != NULL);
  wg_arena_free(&a);
}

static void test_utf8(void) {
  uint32_t cp;
  CHECK_INT(wg_utf8_decode((const uint8_t *)"\xE2\x82\xAC", 3, &cp), 3);
  CHECK_U64(cp, 0x20AC);
  CHECK_INT(wg_utf8_decode((const uint8_t *)"\xC0\xAF", 2, &cp), 0);
  CHECK_INT(wg_utf8_decode((const uint8_t *)"\xED\xA0\x80", 3, &cp), 0);
  CHECK_INT(wg_utf8_decode((const uint8_t *)"\xF4\x90\x80\x80", 4, &cp), 0);
  CHECK_INT(wg_utf8_decode((const uint8_t *)"\xF0\x9F\x98", 3, &cp), 0);
  CHECK(wg_utf8_valid((const uint8_t *)"a\xF0\x9F\x98\x80z", 6));
  CHECK(!wg_utf8_valid((const uint8_t *)"a\x80", 2));
  uint8_t out[4];
  CHECK_INT(wg_utf8_encode(0x1F600, out), 4);
  CHECK(memcmp(out, "\xF0\x9F\x98\x80", 4) == 0);
  CHECK_INT(wg_utf8_trim((const uint8_t *)"ab\xF0\x9F\x98", 5), 2);
  CHECK_INT(wg_utf8_trim((const uint8_t *)"ab\xF0\x9F\x98\x80", 6), 6);
  CHECK_INT(wg_utf8_trim((const uint8_t *)"ab\xC3", 3), 2);
  CHECK_INT(wg_utf8_trim((const uint8_t *)"abc", 3), 3);
}

static void test_ip_text_forms(void) {
  static const struct { const char *in, *out; } ok[] = {
      {"1.2.3.4", "1.2.3.4"}, {"0.0.0.0", "0.0.0.0"}, {"255.255.255.255", "255.255.255.255"},
      {"::", "::"}, {"::1", "::1"}, {"1::", "1::"}, {"0:0:0:0:0:0:0:1", "::1"},
      {"2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
      {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"}, {"1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"},
      {"::ffff:1.2.3.4", "::ffff:102:304"}, {"0001:02:3::", "1:2:3::"},
      {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    wg_ip ip;
    char text[WG_IP_TEXT_MAX];
    if (!wg_ip_parse(ok[i].in, strlen(ok[i].in), &ip)) {
      WG_TEST_FAIL_("%s does not parse", ok[i].in);
      continue;
    }
    CHECK_INT(wg_ip_format(&ip, text), strlen(ok[i].out));
    CHECK_STR(text, ok[i].out);
  }
  static const char *const bad[] = {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1.2.3.-1",
                                    "0x1.2.3.4", "1.2.3.4 ", ":", ":1", "1:", "1::2::3",
                                    "1:2:3:4:5:6:7:8:9", "12345::", "g::", "::1.2.3", "::01.2.3.4",
                                    "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    wg_ip ip;
    if (wg_ip_parse(bad[i], strlen(bad[i]), &ip)) WG_TEST_FAIL_("%s parsed", bad[i]);
  }
  wg_ip a, b;
  CHECK(wg_ip_parse("::1", 3, &a) && wg_ip_parse("0::0:1", 6, &b) && wg_ip_equal(&a, &b));
  CHECK(wg_ip_parse("0.0.0.1", 7, &b) && !wg_ip_equal(&a, &b));
}

static void test_cidr(void) {
  static const struct { const char *s; wg_cidr_status st; } cases[] = {
      {"10.0.0.0/8", WG_CIDR_OK}, {"0.0.0.0/0", WG_CIDR_OK}, {"1.2.3.4/32", WG_CIDR_OK},
      {"fd00::/8", WG_CIDR_OK}, {"::1/128", WG_CIDR_OK}, {"::/0", WG_CIDR_OK},
      {"10.1.2.3/8", WG_CIDR_HOST_BITS}, {"fd00::1/8", WG_CIDR_HOST_BITS},
      {"10.0.0.0/33", WG_CIDR_PREFIX}, {"::/129", WG_CIDR_PREFIX}, {"10.0.0.0/08", WG_CIDR_PREFIX},
      {"10.0.0.0/", WG_CIDR_PREFIX}, {"10.0.0.0/x", WG_CIDR_PREFIX}, {"10.0.0.0/1000", WG_CIDR_PREFIX},
      {"10.0.0.0", WG_CIDR_SYNTAX}, {"/8", WG_CIDR_SYNTAX}, {"10.0.0/8", WG_CIDR_SYNTAX},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_cidr c;
    CHECK_INT(wg_cidr_parse(cases[i].s, strlen(cases[i].s), &c), cases[i].st);
  }
  wg_cidr c;
  wg_ip ip;
  REQUIRE(wg_cidr_parse("172.16.0.0/12", 13, &c) == WG_CIDR_OK);
  CHECK(wg_ip_parse("172.31.255.255", 14, &ip) && wg_cidr_contains(&c, &ip));
  CHECK(wg_ip_parse("172.32.0.0", 10, &ip) && !wg_cidr_contains(&c, &ip));
  CHECK(wg_ip_parse("::ffff:172.16.0.1", 17, &ip) && !wg_cidr_contains(&c, &ip));
  REQUIRE(wg_cidr_parse("0.0.0.0/0", 9, &c) == WG_CIDR_OK);
  CHECK(wg_ip_parse("8.8.8.8", 7, &ip) && wg_cidr_contains(&c, &ip));
  REQUIRE(wg_cidr_parse("2001:db8::/33", 13, &c) == WG_CIDR_OK);
  CHECK(wg_ip_parse("2001:db8:7fff::1", 16, &ip) && wg_cidr_contains(&c, &ip));
  CHECK(wg_ip_parse("2001:db8:8000::1", 16, &ip) && !wg_cidr_contains(&c, &ip));
}

static void test_http_vocabulary(void) {
  CHECK(wg_http_token("X-Custom_1.a~!", 14));
  CHECK(!wg_http_token("", 0));
  CHECK(!wg_http_token("a b", 3));
  CHECK(!wg_http_token("a:b", 3));
  CHECK(!wg_http_token("a\0b", 3));
  CHECK(wg_http_field_value("a\tb \xc3\xa9", 6));
  CHECK(!wg_http_field_value("a\rb", 3));
  CHECK(!wg_http_field_value("a\x7f", 2));
  CHECK(wg_http_header_sensitive("Proxy-Authorization", 19));
  CHECK(!wg_http_header_sensitive("authorizations", 14));
  CHECK(wg_http_header_managed("TE", 2));
  CHECK(!wg_http_header_managed("x-host", 6));
  CHECK_INT(wg_http_method("PATCH", 5, false), 3);
  CHECK_INT(wg_http_method("patch", 5, false), -1);
  CHECK_INT(wg_http_method("patch", 5, true), 3);
  CHECK_INT(wg_http_method("HEAD", 4, true), -1);
  CHECK_INT(wg_http_method("GE", 2, true), -1);
}

WG_TEST_LIST {
  WG_TEST(test_ip_text_forms),
  WG_TEST(test_cidr),
  WG_TEST(test_http_vocabulary),
  WG_TEST(test_buf_cap_is_sticky),
  WG_TEST(test_buf_printf_long),
  WG_TEST(test_arena_limit),
  WG_TEST(test_utf8),
};
WG_TEST_MAIN()
