/* test_util.c: buffers, growable arrays, file reads, arenas and UTF-8 helpers. */
#include "../harness.h"
#include "wasmgate/util.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* wg_vec_reserve: doubling from 8, clamped to max, NULL (array untouched)
 * past max, on size overflow and for elem 0. */
static void test_vec_reserve(void) {
  size_t cap = 0;
  int *v = wg_vec_reserve(NULL, &cap, 1, sizeof *v, 0);
  REQUIRE(v);
  CHECK_INT(cap, 8);
  for (int i = 0; i < 8; i++) v[i] = i;
  CHECK(wg_vec_reserve(v, &cap, 8, sizeof *v, 0) == v); /* fits: no move */
  CHECK_INT(cap, 8);
  int *w = wg_vec_reserve(v, &cap, 9, sizeof *v, 0);
  REQUIRE(w);
  v = w;
  CHECK_INT(cap, 16);
  CHECK_INT(v[7], 7); /* contents kept */
  v = wg_vec_reserve(v, &cap, 100, sizeof *v, 0); /* doubles until it fits */
  REQUIRE(v);
  CHECK_INT(cap, 128);
  v = wg_vec_reserve(v, &cap, 129, sizeof *v, 200); /* clamped to max */
  REQUIRE(v);
  CHECK_INT(cap, 200);
  CHECK(wg_vec_reserve(v, &cap, 201, sizeof *v, 200) == NULL); /* past max */
  CHECK_INT(cap, 200);
  CHECK(wg_vec_reserve(v, &cap, SIZE_MAX / 2, sizeof *v, 0) == NULL);
  CHECK_INT(cap, 200);
  CHECK(wg_vec_reserve(v, &cap, 300, 0, 0) == NULL);
  CHECK_INT(v[7], 7); /* still the caller's after every refusal */
  free(v);
  size_t small = 0; /* a max under the first size */
  char *c = wg_vec_reserve(NULL, &small, 0, 1, 3);
  REQUIRE(c);
  CHECK_INT(small, 3);
  free(c);
  size_t huge = 0; /* need * elem overflows size_t */
  CHECK(wg_vec_reserve(NULL, &huge, SIZE_MAX / 8 + 1, 8, 0) == NULL);
  CHECK_INT(huge, 0);
}

/* A scratch directory for the file tests; removed by rm_scratch. */
static void scratch_path(char *out, size_t n, const char *dir, const char *name) {
  snprintf(out, n, "%s/%s", dir, name);
}

static void write_bytes(const char *path, const char *text, size_t n) {
  FILE *f = fopen(path, "wb");
  REQUIRE(f);
  REQUIRE(fwrite(text, 1, n, f) == n);
  REQUIRE(fclose(f) == 0);
}

/* wg_read_file: exact bytes and terminator, the max bound (one byte over is
 * TOO_BIG), and each refusal with its errnum. */
static void test_read_file(void) {
  char dir[] = "/tmp/wg_util_read_XXXXXX";
  REQUIRE(mkdtemp(dir));
  char file[256], empty[256], link[256], fifo[256], missing[256];
  scratch_path(file, sizeof file, dir, "f");
  scratch_path(empty, sizeof empty, dir, "e");
  scratch_path(link, sizeof link, dir, "l");
  scratch_path(fifo, sizeof fifo, dir, "p");
  scratch_path(missing, sizeof missing, dir, "m");
  write_bytes(file, "hello", 5);
  write_bytes(empty, "", 0);
  REQUIRE(symlink(file, link) == 0);
  REQUIRE(mkfifo(fifo, 0600) == 0);
  uint8_t *d = NULL;
  size_t len = 99;
  int e = -1;
  CHECK_INT(wg_read_file(file, 5, 0, &d, &len, &e), WG_READ_OK);
  CHECK_INT(len, 5);
  CHECK_STR((char *)d, "hello");
  free(d);
  CHECK_INT(wg_read_file(file, 4, 0, &d, &len, &e), WG_READ_TOO_BIG);
  CHECK(d == NULL);
  CHECK_INT(len, 0);
  CHECK_INT(e, EFBIG);
  CHECK_INT(wg_read_file(empty, 0, WG_READ_REGULAR, &d, &len, &e), WG_READ_OK);
  CHECK(d != NULL && d[0] == 0 && len == 0);
  free(d);
  CHECK_INT(wg_read_file(missing, 10, 0, &d, &len, &e), WG_READ_OPEN);
  CHECK_INT(e, ENOENT);
  CHECK_INT(wg_read_file(link, 10, 0, &d, &len, &e), WG_READ_OK); /* followed */
  CHECK_STR((char *)d, "hello");
  free(d);
  CHECK_INT(wg_read_file(link, 10, WG_READ_NOFOLLOW, &d, &len, &e), WG_READ_OPEN);
  CHECK_INT(e, ELOOP);
  CHECK_INT(wg_read_file(dir, 10, WG_READ_REGULAR, &d, &len, &e), WG_READ_IS_DIR);
  CHECK_INT(e, EISDIR);
  CHECK_INT(wg_read_file(dir, 10, 0, &d, &len, &e), WG_READ_IO); /* read(2) on a dir */
  CHECK_INT(e, EISDIR);
  /* Non-blocking: no writer, yet refused at once rather than waited on. */
  CHECK_INT(wg_read_file(fifo, 10, WG_READ_NONBLOCK | WG_READ_REGULAR, &d, &len, &e),
            WG_READ_NOT_REGULAR);
  CHECK_INT(e, 0);
  CHECK(d == NULL);
  unlink(file);
  unlink(empty);
  unlink(link);
  unlink(fifo);
  rmdir(dir);
}

/* wg_read_fd on a pipe (no size known): grows past the first 4096 bytes,
 * and the bound holds there too. */
static void test_read_fd_pipe(void) {
  static char big[10000];
  memset(big, 'x', sizeof big);
  for (int round = 0; round < 2; round++) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    REQUIRE(write(fds[1], big, sizeof big) == (ssize_t)sizeof big);
    close(fds[1]);
    uint8_t *d = NULL;
    size_t len = 0;
    int e = 0;
    size_t max = round == 0 ? sizeof big : sizeof big - 1;
    wg_read_code st = wg_read_fd(fds[0], max, &d, &len, &e);
    close(fds[0]);
    if (round == 0) {
      CHECK_INT(st, WG_READ_OK);
      CHECK_INT(len, sizeof big);
      CHECK(d && memcmp(d, big, sizeof big) == 0 && d[sizeof big] == 0);
    } else {
      CHECK_INT(st, WG_READ_TOO_BIG);
      CHECK(d == NULL);
    }
    free(d);
  }
}

/* wg_utf8_cut: whole when it fits under max and dst, else cut on a UTF-8
 * boundary with the mark after; "" when only the mark would fit. */
static void test_utf8_cut(void) {
  char d[8];
  CHECK_INT(wg_utf8_cut(d, sizeof d, "abcdefg", 7, SIZE_MAX, "..."), 7);
  CHECK_STR(d, "abcdefg");
  CHECK_INT(wg_utf8_cut(d, sizeof d, "abcdefgh", 8, SIZE_MAX, "..."), 7);
  CHECK_STR(d, "abcd...");
  CHECK_INT(wg_utf8_cut(d, sizeof d, "abcdef", 6, 3, "..."), 6); /* max */
  CHECK_STR(d, "abc...");
  CHECK_INT(wg_utf8_cut(d, sizeof d, "abc", 3, 3, "..."), 3);
  CHECK_STR(d, "abc");
  /* "a\xC3\xA9b...": 4 bytes of room; the cut may not split the U+00E9. */
  CHECK_INT(wg_utf8_cut(d, sizeof d, "abc\xC3\xA9xyz", 9, SIZE_MAX, "..."), 6);
  CHECK_STR(d, "abc...");
  CHECK_INT(wg_utf8_cut(d, sizeof d, "ab\xC3\xA9xyz", 8, SIZE_MAX, "..."), 7);
  CHECK_STR(d, "ab\xC3\xA9...");
  char u[16]; /* the U+2026 mark, as the manifest and host layers use */
  CHECK_INT(wg_utf8_cut(u, sizeof u, "0123456789", 10, 4, "\xE2\x80\xA6"), 7);
  CHECK_STR(u, "0123\xE2\x80\xA6");
  char t[4];
  CHECK_INT(wg_utf8_cut(t, sizeof t, "abcdef", 6, SIZE_MAX, "..."), 0);
  CHECK_STR(t, "");
  CHECK_INT(wg_utf8_cut(t, sizeof t, "abc", 3, SIZE_MAX, "..."), 3);
  CHECK_STR(t, "abc");
  CHECK_INT(wg_utf8_cut(t, 0, "abc", 3, SIZE_MAX, "..."), 0);
}

/* wg_size_text: whole GiB/MiB/KiB by name, anything else in bytes; cut
 * to dst's room. */
static void test_size_text(void) {
  char d[WG_SIZE_TEXT_MAX];
  CHECK_INT(wg_size_text(d, sizeof d, 1u << 20), 5);
  CHECK_STR(d, "1 MiB");
  wg_size_text(d, sizeof d, 64u << 10);
  CHECK_STR(d, "64 KiB");
  wg_size_text(d, sizeof d, 4ull << 30);
  CHECK_STR(d, "4 GiB");
  wg_size_text(d, sizeof d, (1u << 20) + 1024);
  CHECK_STR(d, "1025 KiB");
  wg_size_text(d, sizeof d, 1000);
  CHECK_STR(d, "1000 bytes");
  wg_size_text(d, sizeof d, 1);
  CHECK_STR(d, "1 byte");
  wg_size_text(d, sizeof d, 0);
  CHECK_STR(d, "0 bytes");
  CHECK_INT(wg_size_text(d, sizeof d, UINT64_MAX), 26);
  CHECK_STR(d, "18446744073709551615 bytes");
  CHECK_INT(wg_size_text(d, 4, 1000), 3);
  CHECK_STR(d, "100");
  CHECK_INT(wg_size_text(d, 0, 1000), 0);
}

/* wg_escape_ascii: printable ASCII kept, the rest \xNN; cut at max_in
 * bytes of input or at dst's room, never inside an escape, then "...". */
static void test_escape_ascii(void) {
  char d[32];
  CHECK_INT(wg_escape_ascii(d, sizeof d, "a b~", 4, 48, NULL), 4);
  CHECK_STR(d, "a b~");
  CHECK_INT(wg_escape_ascii(d, sizeof d, "a\nb`c\\", 6, 48, "`\\"), 15);
  CHECK_STR(d, "a\\x0Ab\\x60c\\x5C");
  CHECK_INT(wg_escape_ascii(d, sizeof d, "\x7f\x80\xff", 3, 48, ""), 12);
  CHECK_STR(d, "\\x7F\\x80\\xFF");
  CHECK_INT(wg_escape_ascii(d, sizeof d, "abcdef", 6, 3, NULL), 6); /* max_in */
  CHECK_STR(d, "abc...");
  CHECK_INT(wg_escape_ascii(d, sizeof d, "abc", 3, 3, NULL), 3);
  CHECK_STR(d, "abc");
  char s[12]; /* 11 bytes of room: "a\x01" fits, the next escape does not */
  CHECK_INT(wg_escape_ascii(s, sizeof s, "a\x01\x02\x03", 4, 48, NULL), 8);
  CHECK_STR(s, "a\\x01...");
  CHECK_INT(wg_escape_ascii(s, sizeof s, "abcdefghijk", 11, 48, NULL), 11);
  CHECK_STR(s, "abcdefghijk");
  CHECK_INT(wg_escape_ascii(s, sizeof s, "abcdefghijkl", 12, 48, NULL), 11);
  CHECK_STR(s, "abcdefgh...");
  char t[3];
  CHECK_INT(wg_escape_ascii(t, sizeof t, "abc", 3, 48, NULL), 0);
  CHECK_STR(t, "");
  CHECK_INT(wg_escape_ascii(t, 0, "abc", 3, 48, NULL), 0);
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
  static const struct { const char *s; wg_cidr_code st; } cases[] = {
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
  WG_TEST(test_sha256_vectors),
  WG_TEST(test_ip_text_forms),
  WG_TEST(test_cidr),
  WG_TEST(test_http_vocabulary),
  WG_TEST(test_vec_reserve),
  WG_TEST(test_read_file),
  WG_TEST(test_read_fd_pipe),
  WG_TEST(test_buf_cap_is_sticky),
  WG_TEST(test_buf_printf_long),
  WG_TEST(test_arena_limit),
  WG_TEST(test_utf8),
  WG_TEST(test_utf8_cut),
  WG_TEST(test_escape_ascii),
  WG_TEST(test_size_text),
};
WG_TEST_MAIN()
