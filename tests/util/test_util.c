/* test_util.c: buffers, arenas and UTF-8 helpers. */
#include "../harness.h"
#include "wasmgate/util.h"

static void hex(const uint8_t *d, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* FIPS 180-2 vectors, one shot and streamed in uneven pieces. */
static void test_sha256_vectors(void) {
  uint8_t md[WG_SHA256_LEN];
  char h[65];
  wg_sha256("", 0, md);
  hex(md, 32, h);
  CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  wg_sha256("abc", 3, md);
  hex(md, 32, h);
  CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  wg_sha256(two, strlen(two), md);
  hex(md, 32, h);
  CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  static char million[1000000];
  memset(million, 'a', sizeof million);
  wg_sha256_ctx c;
  wg_sha256_init(&c);
  for (size_t off = 0, step = 1; off < sizeof million; off += step, step = step * 3 % 9973 + 1)
    wg_sha256_update(&c, million + off, off + step > sizeof million ? sizeof million - off : step);
  wg_sha256_final(&c, md);
  hex(md, 32, h);
  CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

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

WG_TEST_LIST {
  WG_TEST(test_sha256_vectors),
  WG_TEST(test_buf_cap_is_sticky),
  WG_TEST(test_buf_printf_long),
  WG_TEST(test_arena_limit),
  WG_TEST(test_utf8),
};
WG_TEST_MAIN()
