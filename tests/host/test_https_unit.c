/* test_https_unit.c: the https pieces that need no network: the descriptor
 * decoder (every shape error with its code and message), the response
 * encoder (field order, header filtering and bounds, redaction of every
 * secret form, lossy UTF-8, the 64 KiB cut on a character boundary), the
 * secret loader (env and file, unusable values named, never shown), the
 * [https] client config keys, and that none of it loads libcurl. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "host_https.h"

/* ---- the descriptor ------------------------------------------------------ */

static void decode_fails(const char *text, size_t len, wg_err code, const char *msg) {
  host_desc d;
  host_fail f = {0};
  CHECK(!host_desc_decode(text, len, &d, &f));
  CHECK_INT(f.code, code);
  CHECK_STR(f.message, msg);
  host_desc_free(&d);
}

#define FAILS(text, code, msg) decode_fails(text, sizeof text - 1, code, msg)

static void test_desc_ok(void) {
  static const char t[] =
      "{\"method\":\"POST\",\"url\":\"https://a.test/x\",\"headers\":[{\"name\":\"x-a\","
      "\"value\":\"1\"},{\"value\":\"\",\"name\":\"x-b\"}],\"body\":\"a\\u0000b\"}";
  host_desc d;
  host_fail f = {0};
  REQUIRE(host_desc_decode(t, sizeof t - 1, &d, &f));
  CHECK_INT(d.method_len, 4);
  CHECK(memcmp(d.method, "POST", 4) == 0);
  CHECK_STR(d.url, "https://a.test/x");
  CHECK_INT(d.header_count, 2);
  CHECK_STR(d.headers[1].name, "x-b");
  CHECK_INT(d.headers[1].value_len, 0);
  CHECK_INT(d.body_len, 3); /* NUL kept: lengths, not C strings */
  CHECK(memcmp(d.body, "a\0b", 3) == 0);
  host_desc_free(&d);
  /* headers and body are optional; body may be null */
  static const char t2[] = "{\"url\":\"u\",\"method\":\"GET\",\"body\":null}";
  REQUIRE(host_desc_decode(t2, sizeof t2 - 1, &d, &f));
  CHECK(d.body == NULL);
  CHECK_INT(d.header_count, 0);
  host_desc_free(&d);
}

static void test_desc_errors(void) {
  FAILS("", WG_ERR_HTTPS_URL_REJECTED, "invalid HTTPS request JSON: unexpected end of input, expected a value at byte 0");
  FAILS("{\"method\":\"GET\",\"url\":\"u\"} x", WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: trailing characters after value at byte 27");
  FAILS("\"GET\"", WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: expected an object, got string");
  FAILS("{\"method\":\"GET\",\"url\":\"u\",\"extra\":1}", WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: unknown field `extra`");
  FAILS("{\"url\":\"u\"}", WG_ERR_HTTPS_METHOD_DENIED,
        "invalid HTTPS request JSON: missing field `method`");
  FAILS("{\"method\":null,\"url\":\"u\"}", WG_ERR_HTTPS_METHOD_DENIED,
        "invalid HTTPS request JSON: `method` must be a string");
  FAILS("{\"method\":\"GET\"}", WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: missing field `url`");
  FAILS("{\"method\":\"GET\",\"url\":[\"u\"]}", WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: `url` must be a string");
  FAILS("{\"method\":\"GET\",\"url\":\"u\",\"headers\":null}", WG_ERR_HTTPS_HEADER_REJECTED,
        "invalid HTTPS request JSON: `headers` must be an array");
  FAILS("{\"method\":\"GET\",\"url\":\"u\",\"headers\":[\"a: b\"]}", WG_ERR_HTTPS_HEADER_REJECTED,
        "invalid HTTPS request JSON: headers[0] must be an object with `name` and `value`");
  FAILS("{\"method\":\"GET\",\"url\":\"u\",\"headers\":[{\"name\":\"a\"}]}",
        WG_ERR_HTTPS_HEADER_REJECTED,
        "invalid HTTPS request JSON: headers[0] needs string `name` and `value`");
  FAILS("{\"method\":\"GET\",\"url\":\"u\",\"headers\":[{\"name\":\"a\",\"value\":\"b\"},"
        "{\"name\":\"a\",\"value\":\"b\",\"Value\":\"c\"}]}",
        WG_ERR_HTTPS_HEADER_REJECTED, "invalid HTTPS request JSON: headers[1] has unknown field `Value`");
  FAILS("{\"method\":\"GET\",\"url\":\"u\",\"body\":{\"base64\":\"AA==\"}}", WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: `body` must be a string or null (text only)");
  FAILS("{\"method\":\"GET\",\"url\":\"u\",\"headers\":[[[[]]]]}", WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: nested too deeply at byte 39");
  FAILS("{\"method\":\"GET\",\"url\":\"u\",\"url\":\"v\"}", WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: duplicate object key at byte 26");
  FAILS("{\"method\":\"GET\",\"url\":\"\xff\"}", WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: invalid UTF-8 at byte 23");
  /* An unknown key is quoted cut and cleaned, never raw. */
  FAILS("{\"method\":\"GET\",\"url\":\"u\",\"a\\nbcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\":1}",
        WG_ERR_HTTPS_URL_REJECTED,
        "invalid HTTPS request JSON: unknown field `a bcdefghijklmnopqrstuvwxyz0123456789ABC`");
}

static void test_desc_size(void) {
  size_t n = WG_HOST_MAX_HTTPS_REQUEST + 1;
  char *big = malloc(n);
  REQUIRE(big);
  memset(big, ' ', n);
  decode_fails(big, n, WG_ERR_HTTPS_BODY_TOO_LARGE, "HTTPS request descriptor exceeds 49152 bytes");
  /* At the bound, whitespace around a valid object is fine. */
  static const char obj[] = "{\"method\":\"GET\",\"url\":\"u\"}";
  memcpy(big, obj, sizeof obj - 1);
  host_desc d;
  host_fail f = {0};
  CHECK(host_desc_decode(big, n - 1, &d, &f));
  host_desc_free(&d);
  /* Many headers decode (the policy counts them); the array is bounded by
   * the descriptor's size. */
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_buf_append_str(&b, "{\"method\":\"GET\",\"url\":\"u\",\"headers\":[");
  for (int i = 0; i < 1000; i++)
    wg_buf_printf(&b, "%s{\"name\":\"h\",\"value\":\"v\"}", i ? "," : "");
  wg_buf_append_str(&b, "]}");
  REQUIRE(host_desc_decode(b.data, b.len, &d, &f));
  CHECK_INT(d.header_count, 1000);
  host_desc_free(&d);
  wg_buf_free(&b);
  free(big);
}

/* ---- the response -------------------------------------------------------- */

static void add_header(host_transfer_resp *r, const char *name, const char *value) {
  host_header *h = &r->headers[r->header_count++];
  h->name = strdup(name);
  h->name_len = strlen(name);
  h->value = strdup(value);
  h->value_len = strlen(value);
}

static wg_pol_secrets *one_secret(const char *name, const char *value) {
  wg_pol_secret s = {name, (const uint8_t *)value, strlen(value)};
  wg_pol_secrets *set = NULL;
  wg_pol_error pe;
  REQUIRE(wg_pol_secrets_new(&s, 1, &set, &pe) == WG_POL_OK);
  return set;
}

static char *encode(host_transfer_resp *r, const wg_pol_secrets *s) {
  wg_buf out;
  wg_buf_init(&out, 0);
  REQUIRE(host_response_encode(r, s, &out));
  size_t n;
  return wg_buf_take(&out, &n);
}

static void test_response_shape(void) {
  host_transfer_resp r;
  memset(&r, 0, sizeof r);
  r.status = 201;
  add_header(&r, "content-type", "application/json");
  add_header(&r, "set-cookie", "a=b");
  add_header(&r, "authorization", "Bearer x");
  add_header(&r, "x-utf8", "caf\xc3\xa9");
  add_header(&r, "x-ctl", "a\x01z");
  add_header(&r, "x-tab", "a\tb");
  add_header(&r, "x-pass", "password: hunter2, ok");
  r.body = strdup("hi \"there\"\n");
  r.body_len = strlen(r.body);
  char *j = encode(&r, NULL);
  CHECK_STR(j, "{\"status\":201,\"headers\":[{\"name\":\"content-type\",\"value\":\"application/json\"},"
               "{\"name\":\"x-tab\",\"value\":\"a\\tb\"},"
               "{\"name\":\"x-pass\",\"value\":\"password: <redacted>, ok\"}],"
               "\"body\":\"hi \\\"there\\\"\\n\",\"truncated\":false}");
  free(j);
  host_transfer_resp_free(&r);
}

static void test_response_header_bounds(void) {
  host_transfer_resp r;
  memset(&r, 0, sizeof r);
  char name[16];
  for (int i = 0; i < 20; i++) {
    snprintf(name, sizeof name, "x-%02d", i);
    add_header(&r, name, "v");
  }
  char *long_value = malloc(2001);
  memset(long_value, 'L', 2000);
  long_value[2000] = '\0';
  free(r.headers[0].value);
  r.headers[0].value = long_value;
  r.headers[0].value_len = 2000;
  char *j = encode(&r, NULL);
  wg_json_doc *doc = wg_json_parse(j, strlen(j), NULL, NULL);
  REQUIRE(doc);
  const wg_json *hs = wg_json_get(wg_json_root(doc), "headers");
  CHECK_INT(hs->u.array.count, 16);
  CHECK_STR(wg_json_str(wg_json_get(wg_json_at(hs, 15), "name")), "x-15");
  const wg_json *v0 = wg_json_get(wg_json_at(hs, 0), "value");
  CHECK_INT(v0->u.string.len, 1024 + 3); /* 1 KiB plus U+2026 */
  CHECK(memcmp(v0->u.string.text + 1024, "\xe2\x80\xa6", 3) == 0);
  wg_json_free(doc);
  free(j);
  host_transfer_resp_free(&r);
}

static void test_response_redaction(void) {
  const char *secret = "s3cr3t-V4lue/+?=";
  wg_pol_secrets *set = one_secret("tok", secret);
  host_transfer_resp r;
  memset(&r, 0, sizeof r);
  r.status = 200;
  add_header(&r, "x-echo", secret);
  add_header(&r, "x-b64", "czNjcjN0LVY0bHVlLys/PQ==");      /* base64 of the value */
  add_header(&r, "x-url", "s3cr3t-V4lue%2F%2B%3F%3D");      /* URL-encoded */
  r.body = strdup("a s3cr3t-V4lue/+?= b czNjcjN0LVY0bHVlLys/PQ== c s3cr3t-V4lue%2f%2b%3f%3d");
  r.body_len = strlen(r.body);
  char *j = encode(&r, set);
  CHECK(strstr(j, "s3cr3t") == NULL);
  CHECK(strstr(j, "czNjcjN0") == NULL);
  CHECK_CONTAINS(j, "\"body\":\"a <redacted> b <redacted> c <redacted>\"");
  CHECK_CONTAINS(j, "{\"name\":\"x-echo\",\"value\":\"<redacted>\"}");
  CHECK_CONTAINS(j, "{\"name\":\"x-b64\",\"value\":\"<redacted>\"}");
  CHECK_CONTAINS(j, "{\"name\":\"x-url\",\"value\":\"<redacted>\"}");
  free(j);
  host_transfer_resp_free(&r);
  wg_pol_secrets_free(set);
}

static void test_response_body_cut(void) {
  host_transfer_resp r;
  memset(&r, 0, sizeof r);
  r.status = 200;
  /* 65535 ASCII bytes then a 3-byte character: it does not fit whole, so
   * the body ends before it and is marked truncated. */
  r.body_len = 65535 + 3;
  r.body = malloc(r.body_len);
  memset(r.body, 'a', 65535);
  memcpy(r.body + 65535, "\xe2\x82\xac", 3);
  char *j = encode(&r, NULL);
  wg_json_doc *doc = wg_json_parse(j, strlen(j), NULL, NULL);
  REQUIRE(doc);
  CHECK_INT(wg_json_get(wg_json_root(doc), "body")->u.string.len, 65535);
  CHECK(wg_json_get(wg_json_root(doc), "truncated")->type == WG_JSON_TRUE);
  wg_json_free(doc);
  free(j);
  /* Invalid bytes become U+FFFD (3 bytes each): the cut counts output. */
  memset(r.body, 0xff, r.body_len);
  j = encode(&r, NULL);
  doc = wg_json_parse(j, strlen(j), NULL, NULL);
  REQUIRE(doc);
  CHECK_INT(wg_json_get(wg_json_root(doc), "body")->u.string.len, 65535); /* 21845 x 3 */
  CHECK(wg_json_get(wg_json_root(doc), "truncated")->type == WG_JSON_TRUE);
  wg_json_free(doc);
  free(j);
  /* A secret straddling the 64 KiB mark is redacted before the cut. */
  const char *secret = "straddling-secret-value";
  wg_pol_secrets *set = one_secret("s", secret);
  free(r.body);
  r.body_len = 65530 + strlen(secret);
  r.body = malloc(r.body_len);
  memset(r.body, 'b', 65530);
  memcpy(r.body + 65530, secret, strlen(secret));
  j = encode(&r, set);
  CHECK(strstr(j, "straddl") == NULL);
  CHECK_CONTAINS(j, "bbbb<redac");
  free(j);
  wg_pol_secrets_free(set);
  host_transfer_resp_free(&r);
}

/* ---- secrets ---------------------------------------------------------------- */

static const char secrets_config[] =
    "[[plugins.enabled]]\nid = \"project:p\"\n[plugins.enabled.grants]\n"
    "id = \"project:p\"\nversion = \"1.0.0\"\ndigest = \"sha256:"
    "0000000000000000000000000000000000000000000000000000000000000000\"\n"
    "permissions = [ { kind = \"host_api\", api = \"https\" } ]\n"
    "[[plugins.enabled.grants.https]]\nhost = \"a.test\"\nmethods = [\"GET\"]\n"
    "headers = [ { name = \"authorization\", value = \"Bearer ${secret:env_ok}\" },\n"
    "            { name = \"x-k\", value = \"${secret:short}-${secret:unset}\" } ]\n"
    "path_secrets = [\"file_ok\", \"file_missing\", \"file_ctl\"]\n"
    "[secrets]\nenv_ok = { env = \"WG_UNIT_ENV_OK\" }\nshort = { env = \"WG_UNIT_SHORT\" }\n"
    "unset = { env = \"WG_UNIT_UNSET\" }\nfile_ok = { file = \"ok.secret\" }\n"
    "file_missing = { file = \"missing.secret\" }\nfile_ctl = { file = \"/tmp/wg-unit-ctl.secret\" }\n"
    "unused = { env = \"WG_UNIT_UNUSED\" }\n";

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  REQUIRE(f);
  fputs(text, f);
  fclose(f);
}

static void test_secrets_load(void) {
  char dir[] = "/tmp/wg-unit-secrets-XXXXXX";
  REQUIRE(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/ok.secret", dir);
  write_file(path, "file-secret-value\r\n");
  write_file("/tmp/wg-unit-ctl.secret", "has\x01control-char");
  setenv("WG_UNIT_ENV_OK", "env-secret-value", 1);
  setenv("WG_UNIT_SHORT", "1234567", 1);
  setenv("WG_UNIT_UNUSED", "unused-secret-value", 1);
  unsetenv("WG_UNIT_UNSET");
  wg_config_error ce;
  wg_config *cfg = wg_config_parse(secrets_config, sizeof secrets_config - 1, &ce);
  if (!cfg) fprintf(stderr, "config: %s\n", ce.message);
  REQUIRE(cfg);
  wg_resolved plugin = {.entry = &cfg->enabled[0]};
  wg_https_ctx ctx = {.cfg = cfg, .plugin = &plugin, .base_dir = dir};
  host_secrets s;
  host_fail f = {0};
  REQUIRE(host_secrets_load(&ctx, &s, &f));
  CHECK(host_secret_problem(&s, "env_ok", 6) == NULL);
  CHECK(host_secret_problem(&s, "file_ok", 7) == NULL);
  CHECK_STR(host_secret_problem(&s, "short", 5), "it is shorter than 8 bytes");
  CHECK_STR(host_secret_problem(&s, "unset", 5), "its environment variable is not set");
  CHECK_STR(host_secret_problem(&s, "file_missing", 12),
            "its file cannot be read (or is over 4096 bytes)");
  CHECK_STR(host_secret_problem(&s, "file_ctl", 8), "it holds a control character");
  CHECK_INT(s.bad_count, 4);
  /* The usable values are in the set (redaction finds them); the unused
   * secret was never read. */
  wg_buf out;
  wg_buf_init(&out, 0);
  const char text[] = "env-secret-value file-secret-value unused-secret-value 1234567";
  REQUIRE(wg_pol_redact(s.set, text, sizeof text - 1, &out));
  CHECK_STR(out.data, "<redacted> <redacted> unused-secret-value 1234567");
  wg_buf_free(&out);
  host_secrets_free(&s);
  wg_config_free(cfg);
  unlink(path);
  unlink("/tmp/wg-unit-ctl.secret");
  rmdir(dir);
}

/* ---- config keys of the client ---------------------------------------------- */

static void config_error(const char *text, uint32_t line, uint32_t col, const char *msg) {
  wg_config_error e;
  wg_config *cfg = wg_config_parse(text, strlen(text), &e);
  CHECK(cfg == NULL);
  if (cfg) {
    wg_config_free(cfg);
    return;
  }
  CHECK_INT(e.line, line);
  CHECK_INT(e.column, col);
  CHECK_STR(e.message, msg);
}

static void test_config_keys(void) {
  wg_config_error de;
  wg_config *d = wg_config_parse("", 0, &de); /* an empty file: defaults only */
  REQUIRE(d);
  CHECK_INT(d->https_timeout_ms, 5000);
  CHECK_INT(d->dns_server_count, 0);
  wg_config_free(d);
  static const char ok[] = "[https]\ndns_servers = [\"127.0.0.1:5353\", \"[::1]:53\"]\ntimeout_ms = 250\n";
  wg_config_error e;
  wg_config *cfg = wg_config_parse(ok, sizeof ok - 1, &e);
  REQUIRE(cfg);
  CHECK_INT(cfg->dns_server_count, 2);
  CHECK_STR(cfg->dns_servers[1], "[::1]:53");
  CHECK_INT(cfg->https_timeout_ms, 250);
  wg_config_free(cfg);
  static const char *const bad[] = {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:053",
                                    "127.0.0.1:65536", "::1:53", "[::1]", "[::1%lo]:53",
                                    "localhost:53", "127.1:53", "[127.0.0.1]:53"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[128];
    snprintf(text, sizeof text, "[https]\ndns_servers = [\"%s\"]\n", bad[i]);
    config_error(text, 2, 16,
                 "`https.dns_servers[0]` must be \"IPv4:PORT\" or \"[IPv6]:PORT\", such as "
                 "\"127.0.0.1:53\"");
  }
  config_error("[https]\ndns_servers = [\"1.1.1.1:53\",\"1.1.1.1:53\",\"1.1.1.1:53\",\"1.1.1.1:53\","
               "\"1.1.1.1:53\",\"1.1.1.1:53\",\"1.1.1.1:53\",\"1.1.1.1:53\",\"1.1.1.1:53\"]\n",
               2, 15, "`https.dns_servers` holds at most 8 servers");
  config_error("[https]\ntimeout_ms = 0\n", 2, 14, "`https.timeout_ms` must be between 1 and 600000");
  config_error("[https]\ntimeout_ms = 600001\n", 2, 14,
               "`https.timeout_ms` must be between 1 and 600000");
  config_error("[https]\ntimeout_ms = \"5s\"\n", 2, 14,
               "`https.timeout_ms` must be an integer, not a string");
  config_error("[https]\ndns_servers = \"127.0.0.1:53\"\n", 2, 15,
               "`https.dns_servers` must be an array, not a string");
}

static void test_nothing_loaded(void) {
  /* Everything above ran without a request: libcurl was never opened. */
  CHECK(!wg_https_client_loaded());
  CHECK(!host_libs_loaded());
}

WG_TEST_LIST {
  WG_TEST(test_desc_ok),
  WG_TEST(test_desc_errors),
  WG_TEST(test_desc_size),
  WG_TEST(test_response_shape),
  WG_TEST(test_response_header_bounds),
  WG_TEST(test_response_redaction),
  WG_TEST(test_response_body_cut),
  WG_TEST(test_secrets_load),
  WG_TEST(test_config_keys),
  WG_TEST(test_nothing_loaded),
};

WG_TEST_MAIN()
