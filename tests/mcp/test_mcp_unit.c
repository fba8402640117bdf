/* test_mcp_unit.c: the MCP server's pure pieces: JSON-RPC classification
 * and its error codes, reply writers, base64, tools/list cursors, the HTTP
 * request policy (Origin, Host, bearer, Accept, Content-Type), version
 * negotiation and the bearer token file. */
#include "../harness.h"
#include "../../src/mcp/mcp_internal.h"

#include <fcntl.h>
#include <strings.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static mcp_msg parse(const char *s) {
  mcp_msg m;
  mcp_msg_parse(s, strlen(s), 1 << 20, &m);
  return m;
}

static char *id_text(const mcp_msg *m) {
  static char buf[200];
  if (!m->id) return "none";
  mcp_id_key(m->id, buf, sizeof buf);
  return buf;
}

static void test_requests_and_notifications(void) {
  mcp_msg m = parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\",\"params\":{}}");
  CHECK_INT(m.kind, MCP_MSG_REQUEST);
  CHECK(mcp_method_is(&m, "tools/list"));
  CHECK_STR(id_text(&m), "7");
  CHECK(m.params && m.params->type == WG_JSON_OBJECT);
  mcp_msg_free(&m);
  m = parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\\u0000b\",\"method\":\"ping\"}");
  CHECK_INT(m.kind, MCP_MSG_REQUEST);
  CHECK_STR(id_text(&m), "\"a\\u0000b\"");
  CHECK(m.params == NULL);
  mcp_msg_free(&m);
  m = parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
  CHECK_INT(m.kind, MCP_MSG_NOTIFICATION);
  mcp_msg_free(&m);
  /* A notification with bad params is still a notification (never answered). */
  m = parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":[1]}");
  CHECK_INT(m.kind, MCP_MSG_NOTIFICATION);
  mcp_msg_free(&m);
  m = parse("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}");
  CHECK_INT(m.kind, MCP_MSG_RESPONSE);
  mcp_msg_free(&m);
  m = parse("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":1,\"message\":\"x\"}}");
  CHECK_INT(m.kind, MCP_MSG_RESPONSE);
  mcp_msg_free(&m);
}

static void expect_invalid(const char *text, int code, const char *msg, const char *id) {
  mcp_msg m = parse(text);
  CHECK_INT(m.kind, MCP_MSG_INVALID);
  CHECK_INT(m.error_code, code);
  CHECK_STR(m.error_message, msg);
  CHECK_STR(id_text(&m), id);
  mcp_msg_free(&m);
}

static void test_invalid_messages(void) {
  expect_invalid("{\"id\":1,\"method\":\"ping\"}", MCP_INVALID_REQUEST,
                 "Invalid Request: \"jsonrpc\" must be \"2.0\"", "1");
  expect_invalid("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", MCP_INVALID_REQUEST,
                 "Invalid Request: \"jsonrpc\" must be \"2.0\"", "1");
  expect_invalid("{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}", MCP_INVALID_REQUEST,
                 "Invalid Request: \"jsonrpc\" must be \"2.0\"", "1");
  expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1}", MCP_INVALID_REQUEST,
                 "Invalid Request: no \"method\"", "1");
  expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", MCP_INVALID_REQUEST,
                 "Invalid Request: \"method\" must be a string", "1");
  expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", MCP_INVALID_REQUEST,
                 "Invalid Request: \"id\" must be a string or a number (never null)", "none");
  expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", MCP_INVALID_REQUEST,
                 "Invalid Request: \"id\" must be a string or a number (never null)", "none");
  expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":[1]}",
                 MCP_INVALID_PARAMS, "Invalid params: \"params\" must be an object", "2");
  expect_invalid("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", MCP_INVALID_REQUEST,
                 "Invalid Request: batches are not supported", "none");
  expect_invalid("\"ping\"", MCP_INVALID_REQUEST,
                 "Invalid Request: a message must be a JSON object", "none");
  mcp_msg m = parse("{\"jsonrpc\":\"2.0\",");
  CHECK_INT(m.kind, MCP_MSG_INVALID);
  CHECK_INT(m.error_code, MCP_PARSE_ERROR);
  CHECK(strncmp(m.error_message, "Parse error: ", 13) == 0);
  mcp_msg_free(&m);
  m = parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}");
  CHECK_INT(m.error_code, MCP_PARSE_ERROR); /* duplicate keys: not JSON we accept */
  mcp_msg_free(&m);
  m = parse("{\"a\":\"\xff\"}");
  CHECK_INT(m.error_code, MCP_PARSE_ERROR);
  mcp_msg_free(&m);
  const char *big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
  mcp_msg_parse(big, strlen(big), 10, &m);
  CHECK_INT(m.error_code, MCP_INVALID_REQUEST);
  CHECK_STR(m.error_message, "Invalid Request: message too large");
  mcp_msg_free(&m);
}

static void test_reply_writers(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  mcp_write_error(&b, NULL, MCP_PARSE_ERROR, "Parse error", NULL);
  CHECK_STR(b.data, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}");
  wg_buf_reset(&b);
  mcp_msg m = parse("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"m\"}");
  mcp_write_error(&b, m.id, MCP_UNSUPPORTED_VERSION, "Unsupported protocol version",
                  "{\"supported\":[\"2026-07-28\"],\"requested\":\"1\"}");
  CHECK_STR(b.data, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":-32022,\"message\":"
                    "\"Unsupported protocol version\",\"data\":{\"supported\":[\"2026-07-28\"],"
                    "\"requested\":\"1\"}}}");
  wg_buf_reset(&b);
  wg_json_writer w;
  mcp_result_begin(&w, &b, m.id);
  mcp_result_end(&w);
  CHECK(wg_json_writer_finish(&w));
  CHECK_STR(b.data, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}}");
  mcp_msg_free(&m);
  wg_buf_free(&b);
}

static void test_base64(void) {
  const char *cases[][3] = {
    {"", "", ""}, {"f", "Zg==", "Zg"}, {"fo", "Zm8=", "Zm8"}, {"foo", "Zm9v", "Zm9v"},
    {"\xfb\xff", "+/8=", "-_8"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (int url = 0; url < 2; url++) {
      wg_buf b;
      wg_buf_init(&b, 0);
      CHECK(mcp_base64_encode((const uint8_t *)cases[i][0], strlen(cases[i][0]), url, &b));
      CHECK_STR(b.data ? b.data : "", cases[i][1 + url]);
      uint8_t out[16];
      long n = mcp_base64_decode(cases[i][1 + url], strlen(cases[i][1 + url]), url, out);
      CHECK_INT(n, (long)strlen(cases[i][0]));
      CHECK(n >= 0 && memcmp(out, cases[i][0], (size_t)n) == 0);
      wg_buf_free(&b);
    }
  }
  uint8_t out[16];
  CHECK_INT(mcp_base64_decode("Zg=", 3, false, out), -1);  /* padding required */
  CHECK_INT(mcp_base64_decode("Zh==", 4, false, out), -1); /* non-zero spare bits */
  CHECK_INT(mcp_base64_decode("Zg==", 4, true, out), -1);  /* no padding in url form */
  CHECK_INT(mcp_base64_decode("Z", 1, true, out), -1);
  CHECK_INT(mcp_base64_decode("Zm 9", 4, false, out), -1);
  CHECK_INT(mcp_base64_decode("+/8=", 4, true, out), -1); /* wrong alphabet */
}

static void test_cursor(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(mcp_cursor_encode(100, 0x0123456789abcdefull, &b));
  size_t idx = 0;
  CHECK(mcp_cursor_decode(b.data, b.len, 0x0123456789abcdefull, 150, &idx));
  CHECK_INT(idx, 100);
  CHECK(!mcp_cursor_decode(b.data, b.len, 0x0123456789abcdeeull, 150, &idx)); /* other tools */
  CHECK(!mcp_cursor_decode(b.data, b.len, 0x0123456789abcdefull, 100, &idx)); /* past the end */
  CHECK(!mcp_cursor_decode(b.data, b.len - 1, 0x0123456789abcdefull, 150, &idx));
  CHECK(!mcp_cursor_decode("", 0, 0, 10, &idx));
  CHECK(!mcp_cursor_decode("bm9wZQ", 6, 0, 10, &idx)); /* "nope" */
  wg_buf_reset(&b);
  CHECK(mcp_cursor_encode(0, 7, &b)); /* index 0 is the first page: never a cursor */
  CHECK(!mcp_cursor_decode(b.data, b.len, 7, 10, &idx));
  /* "05.<fp>": a second spelling of 5 is refused. */
  const char *text = "05.0000000000000007";
  wg_buf_reset(&b);
  mcp_base64_encode((const uint8_t *)text, strlen(text), true, &b);
  CHECK(!mcp_cursor_decode(b.data, b.len, 7, 10, &idx));
  wg_buf_free(&b);
}

static void test_origin_and_host(void) {
  wg_mcp_options o;
  wg_mcp_options_default(&o);
  CHECK(mcp_origin_allowed(NULL, &o));
  CHECK(mcp_origin_allowed("http://localhost", &o));
  CHECK(mcp_origin_allowed("http://localhost:6274", &o));
  CHECK(mcp_origin_allowed("https://127.0.0.1:8443", &o));
  CHECK(mcp_origin_allowed("http://[::1]:3000", &o));
  CHECK(mcp_origin_allowed("http://LOCALHOST:1", &o));
  CHECK(!mcp_origin_allowed("http://evil.example.com", &o));
  CHECK(!mcp_origin_allowed("http://localhost.evil.example.com", &o));
  CHECK(!mcp_origin_allowed("http://127.0.0.1.evil.example", &o));
  CHECK(!mcp_origin_allowed("http://localhost:80:80", &o));
  CHECK(!mcp_origin_allowed("http://localhost:abc", &o));
  CHECK(!mcp_origin_allowed("null", &o));
  CHECK(!mcp_origin_allowed("", &o));
  CHECK(!mcp_origin_allowed("localhost", &o));
  CHECK(!mcp_origin_allowed("http://user@localhost", &o));
  o.allowed_origins[0] = "https://app.example.com";
  o.allowed_origin_count = 1;
  CHECK(mcp_origin_allowed("https://app.example.com", &o));
  CHECK(mcp_origin_allowed("HTTPS://APP.EXAMPLE.COM", &o));
  CHECK(!mcp_origin_allowed("https://app.example.com:444", &o));
  CHECK(mcp_host_allowed(NULL));
  CHECK(mcp_host_allowed("localhost"));
  CHECK(mcp_host_allowed("127.0.0.1:8080"));
  CHECK(mcp_host_allowed("[::1]:8080"));
  CHECK(!mcp_host_allowed("evil.example.com"));
  CHECK(!mcp_host_allowed("evil.example.com:8080"));
  CHECK(!mcp_host_allowed("127.0.0.2"));
  CHECK(!mcp_host_allowed(""));
  CHECK(!mcp_host_allowed("localhost:"));
}

static void test_bearer_accept_content_type(void) {
  const char *tok = "0123456789abcdef0123";
  size_t n = strlen(tok);
  CHECK(mcp_bearer_ok("Bearer 0123456789abcdef0123", tok, n));
  CHECK(mcp_bearer_ok("bearer  0123456789abcdef0123 ", tok, n));
  CHECK(!mcp_bearer_ok(NULL, tok, n));
  CHECK(!mcp_bearer_ok("Bearer 0123456789abcdef012", tok, n));   /* prefix */
  CHECK(!mcp_bearer_ok("Bearer 0123456789abcdef01234", tok, n)); /* longer */
  CHECK(!mcp_bearer_ok("Bearer 0123456789abcdef0124", tok, n));
  CHECK(!mcp_bearer_ok("Basic 0123456789abcdef0123", tok, n));
  CHECK(!mcp_bearer_ok("Bearer ", tok, n));
  CHECK(mcp_accept_ok(NULL));
  CHECK(mcp_accept_ok("application/json, text/event-stream"));
  CHECK(mcp_accept_ok("text/event-stream;q=0.9, application/json;q=1"));
  CHECK(mcp_accept_ok("*/*"));
  CHECK(mcp_accept_ok("application/*"));
  CHECK(!mcp_accept_ok("text/event-stream"));
  CHECK(!mcp_accept_ok("text/html, application/jsonx"));
  CHECK(mcp_content_type_json("application/json"));
  CHECK(mcp_content_type_json("application/json; charset=utf-8"));
  CHECK(mcp_content_type_json("Application/JSON"));
  CHECK(!mcp_content_type_json(NULL));
  CHECK(!mcp_content_type_json("text/plain"));
  CHECK(!mcp_content_type_json("application/jsonp"));
}

static void test_versions(void) {
  CHECK_STR(mcp_negotiate_legacy("2025-06-18", 10), "2025-06-18");
  CHECK_STR(mcp_negotiate_legacy("2024-11-05", 10), "2024-11-05");
  CHECK_STR(mcp_negotiate_legacy("2026-07-28", 10), "2025-11-25"); /* not via initialize */
  CHECK_STR(mcp_negotiate_legacy("1999-01-01", 10), "2025-11-25");
  CHECK_STR(mcp_negotiate_legacy("", 0), "2025-11-25");
  CHECK(mcp_is_legacy_version("2025-03-26", 10));
  CHECK(!mcp_is_legacy_version("2026-07-28", 10));
  CHECK_INT(mcp_version_count, 5);
}

static const char *write_token(const char *content, mode_t mode) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/wg_mcp_token_%d", (int)getpid());
  unlink(path);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return NULL;
  if (write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
    close(fd);
    return NULL;
  }
  close(fd);
  chmod(path, mode);
  return path;
}

static void expect_token(const char *content, mode_t mode, const char *want, const char *err_want) {
  const char *p = write_token(content, mode);
  REQUIRE(p);
  char err[160] = "";
  size_t len = 0;
  char *t = wg_mcp_read_token_file(p, &len, err, sizeof err);
  if (want) {
    CHECK_STR(t, want);
    CHECK_INT(len, strlen(want));
  } else {
    CHECK(t == NULL);
    CHECK_STR(err, err_want);
  }
  free(t);
  unlink(p);
}

static void test_token_file(void) {
  expect_token("abcdefghijklmnop\n", 0600, "abcdefghijklmnop", NULL);
  expect_token("abcdefghijklmnopqrstuvwxyz", 0640, "abcdefghijklmnopqrstuvwxyz", NULL);
  expect_token("abcdefghijklmnop\r\n", 0400, "abcdefghijklmnop", NULL);
  expect_token("abcdefghijklmno\n", 0600, NULL, "the token is shorter than 16 bytes");
  expect_token("abcdefghijklmnop\n", 0644, NULL,
               "the token file is readable or writable by others (chmod o-rw it)");
  expect_token("abcdefgh ijklmnopq", 0600, NULL, "the token must be one line of visible ASCII");
  expect_token("abcdefghijklmnop\n\n", 0600, NULL, "the token must be one line of visible ASCII");
  static char big[WG_MCP_AUTH_TOKEN_MAX + 2];
  memset(big, 'a', WG_MCP_AUTH_TOKEN_MAX + 1);
  expect_token(big, 0600, NULL, "the token file is larger than 4096 bytes");
  big[WG_MCP_AUTH_TOKEN_MAX] = '\n';
  big[WG_MCP_AUTH_TOKEN_MAX + 1] = '\0';
  const char *p = write_token(big, 0600);
  char err[160];
  size_t len = 0;
  char *t = wg_mcp_read_token_file(p, &len, err, sizeof err);
  CHECK_INT(len, WG_MCP_AUTH_TOKEN_MAX); /* 4096 bytes and the newline: accepted */
  free(t);
  unlink(p);
  CHECK(wg_mcp_read_token_file("/nonexistent/token", &len, err, sizeof err) == NULL);
  CHECK_STR(err, "the token file cannot be opened");
  CHECK(wg_mcp_read_token_file("/tmp", &len, err, sizeof err) == NULL);
  CHECK_STR(err, "the token file is not a regular file");
}

/* Headers for mcp_check_param_headers: "Name: value\n" pairs. */
static const char *fake_header(void *ctx, const char *name) {
  static char value[256];
  const char *p = ctx;
  size_t n = strlen(name);
  while (p && *p) {
    const char *nl = strchr(p, '\n');
    if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
      const char *v = p + n + 2;
      size_t len = (size_t)(nl - v);
      memcpy(value, v, len);
      value[len] = '\0';
      return value;
    }
    p = nl + 1;
  }
  return NULL;
}

static const char *param_check(const char *args_json, const char *headers) {
  static const char schema[] =
      "{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
      "\"n\":{\"type\":\"integer\",\"x-mcp-header\":\"N\"},\"ok\":{\"type\":\"boolean\",\"x-mcp-header\":\"Ok\"},"
      "\"inner\":{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\",\"x-mcp-header\":\"Zone\"}}},"
      "\"list\":{\"type\":\"array\",\"items\":{\"x-mcp-header\":\"Item\"}}}}";
  wg_tool t = {.input_schema_json = schema, .input_schema_len = sizeof schema - 1};
  wg_json_doc *d = wg_json_parse(args_json, strlen(args_json), NULL, NULL);
  static char why[200];
  const char *r = mcp_check_param_headers(&t, d ? wg_json_root(d) : NULL, fake_header, (void *)headers,
                                          why, sizeof why);
  wg_json_free(d);
  return r ? r : "ok";
}

static void test_param_headers(void) {
  CHECK_STR(param_check("{}", ""), "ok");
  CHECK_STR(param_check("{\"region\":\"us-west1\"}", "Mcp-Param-Region: us-west1\n"), "ok");
  CHECK_STR(param_check("{\"region\":\"us-west1\"}", "mcp-param-region: us-west1\n"), "ok");
  CHECK_STR(param_check("{\"region\":\"us-west1\"}", ""), "the Mcp-Param-Region header is missing");
  CHECK_STR(param_check("{\"region\":\"us-west1\"}", "Mcp-Param-Region: us-east1\n"),
            "the Mcp-Param-Region header does not match the arguments");
  CHECK_STR(param_check("{\"region\":\"Hello, \u4e16\u754c\"}", "Mcp-Param-Region: =?base64?SGVsbG8sIOS4lueVjA==?=\n"), "ok");
  CHECK_STR(param_check("{\"region\":null}", ""), "ok"); /* null: no header expected */
  CHECK_STR(param_check("{\"n\":42}", "Mcp-Param-N: 42\n"), "ok");
  CHECK_STR(param_check("{\"n\":42}", "Mcp-Param-N: 42.0\n"), "ok"); /* numerically equal */
  CHECK_STR(param_check("{\"n\":42}", "Mcp-Param-N: 43\n"), "the Mcp-Param-N header does not match the arguments");
  CHECK_STR(param_check("{\"ok\":true}", "Mcp-Param-Ok: true\n"), "ok");
  CHECK_STR(param_check("{\"ok\":false}", "Mcp-Param-Ok: true\n"), "the Mcp-Param-Ok header does not match the arguments");
  CHECK_STR(param_check("{\"inner\":{\"zone\":\"b\"}}", "Mcp-Param-Zone: b\n"), "ok");
  CHECK_STR(param_check("{\"inner\":{\"zone\":\"b\"}}", ""), "the Mcp-Param-Zone header is missing");
  /* Not statically reachable through properties: not a header parameter. */
  CHECK_STR(param_check("{\"list\":[\"x\"]}", ""), "ok");
}

WG_TEST_LIST{
  WG_TEST(test_param_headers),
  WG_TEST(test_requests_and_notifications),
  WG_TEST(test_invalid_messages),
  WG_TEST(test_reply_writers),
  WG_TEST(test_base64),
  WG_TEST(test_cursor),
  WG_TEST(test_origin_and_host),
  WG_TEST(test_bearer_accept_content_type),
  WG_TEST(test_versions),
  WG_TEST(test_token_file),
};
WG_TEST_MAIN()
