/* test_policy.c: the policy's behaviour beyond the tables: exact messages,
 * safe URLs, redirects, allow_networks and resolve pins, grant matching and
 * its reasons, request checks, the whole decision, secrets (expansion,
 * path substitution) and redaction (raw, URL-encoded, base64 at every
 * alignment, yoi's needle rule). */
#include "../harness.h"
#include "wasmgate/policy.h"

static wg_pol_code parse(const char *url, wg_pol_url *u, wg_pol_error *e) {
  return wg_pol_url_parse(url, strlen(url), u, e);
}

static char *safe_of(const char *url) {
  static char out[1024];
  wg_pol_url u;
  wg_pol_error e;
  out[0] = '\0';
  if (parse(url, &u, &e)) return strcpy(out, e.message);
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_pol_url_safe(&u, &b);
  snprintf(out, sizeof out, "%s", b.data);
  wg_buf_free(&b);
  wg_pol_url_free(&u);
  return out;
}

static void test_messages(void) {
  static const struct { const char *url, *msg; } cases[] = {
      {"http://x/", "unsupported URL scheme \"http\"; only https is allowed"},
      {"FILE:///etc", "unsupported URL scheme \"FILE\"; only https is allowed"},
      {"https:///", "HTTPS URL must include a host"},
      {"https://:8443/x", "HTTPS URL must include a host"},
      {"https://u:p@h/", "HTTPS URLs with embedded credentials are not allowed"},
      {"https://localhost/", "HTTPS blocked local/private host \"localhost\""},
      {"https://127.1/", "HTTPS blocked local/private address 127.0.0.1 for host \"127.0.0.1\" "
                         "(loopback 127.0.0.0/8)"},
      {"https://[::ffff:10.1.2.3]/", "HTTPS blocked local/private address ::ffff:a01:203 for host "
                                     "\"::ffff:a01:203\" (private 10.0.0.0/8, embedded in "
                                     "IPv4-mapped ::ffff:0:0/96)"},
      {"https://[fe80::1%25eth0]/", "HTTPS URL host has an IPv6 zone id: it names a local interface"},
      {"https://example.com:0/", "HTTPS URL port must be 1-65535"},
      {"https://xn--zz.example/", "HTTPS URL host is not a valid internationalized domain name "
                                  "(IDN2_PUNYCODE_BAD_INPUT)"},
      {"https://e.com/\nx", "HTTPS URL contains a tab or line break"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_pol_url u;
    wg_pol_error e;
    wg_pol_code rc = parse(cases[i].url, &u, &e);
    if (!rc) rc = wg_pol_check_host(NULL, &u.host, &e);
    CHECK(rc != WG_POL_OK);
    CHECK_STR(e.message, cases[i].msg);
    wg_pol_url_free(&u);
  }
}

static void test_scheme_quote_is_bounded(void) {
  char url[200];
  memset(url, 'a', 100);
  strcpy(url + 100, ":x");
  wg_pol_url u;
  wg_pol_error e;
  CHECK_INT(parse(url, &u, &e), WG_POL_URL_REJECTED);
  CHECK_STR(e.message, "unsupported URL scheme \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"; only "
                       "https is allowed");
}

static void test_too_long(void) {
  size_t n = WG_POL_URL_MAX + 1;
  char *url = malloc(n);
  memcpy(url, "https://e.com/", 14);
  memset(url + 14, 'a', n - 14);
  wg_pol_url u;
  wg_pol_error e;
  CHECK_INT(wg_pol_url_parse(url, n, &u, &e), WG_POL_URL_REJECTED);
  CHECK_INT(e.rule, WG_POL_RULE_URL_TOO_LONG);
  CHECK_INT(wg_pol_url_parse(url, n - 1, &u, &e), WG_POL_OK);
  CHECK_INT(u.path_len, n - 1 - 13);
  wg_pol_url_free(&u);
  /* Encoding triples bytes: still bounded by WG_POL_SEND_URL_MAX. */
  memset(url + 14, ' ', n - 16);
  CHECK_INT(wg_pol_url_parse(url, n - 1, &u, &e), WG_POL_OK);
  CHECK_INT(u.path_len, 1 + 3 * (n - 16) + 1);
  wg_pol_url_free(&u);
  free(url);
}

static void test_safe_url(void) {
  CHECK_STR(safe_of("https://Example.com:8443/a/b?token=SECRET#frag"), "https://example.com:8443/a/b");
  CHECK_STR(safe_of("https://example.com:443/x?q"), "https://example.com/x");
  CHECK_STR(safe_of("https://[2606:4700::1]/x"), "https://[2606:4700::1]/x");
  CHECK_STR(safe_of("https://h.example/hook/{{secret:tok}}?a=1"), "https://h.example/hook/{{secret:tok}}");
  char url[400];
  strcpy(url, "https://h.example/");
  memset(url + 18, 'p', 200);
  url[218] = '\0';
  char expect[300];
  snprintf(expect, sizeof expect, "https://h.example/%.*s\xE2\x80\xA6", 119, url + 18);
  CHECK_STR(safe_of(url), expect);
  /* A cut never leaves half of a %XX escape. */
  strcpy(url, "https://h.example/");
  memset(url + 18, 'p', 118);
  strcpy(url + 136, "%C3%BC-rest");
  snprintf(expect, sizeof expect, "https://h.example/%.*s\xE2\x80\xA6", 118, url + 18);
  CHECK_STR(safe_of(url), expect);
}

static void test_safe_url_text(void) {
  static const struct { const char *in, *out; } cases[] = {
      {"http://user:pw@h.example/p?token=1", "http://h.example/p"},
      {"https://a@b@h/x#f", "https://h/x"},
      {"ftp://h/\x01\x7f", "ftp://h/??"},
      {"not a url?x", "not a url"},
      {"https://h/p@x", "https://h/p@x"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_buf b;
    wg_buf_init(&b, 0);
    CHECK(wg_pol_safe_url_text(cases[i].in, strlen(cases[i].in), &b));
    CHECK_STR(b.data, cases[i].out);
    wg_buf_free(&b);
  }
  char big[600];
  memset(big, 'x', sizeof big);
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(wg_pol_safe_url_text(big, sizeof big, &b));
  CHECK_INT(b.len, 200 + 3);
  wg_buf_free(&b);
}

static char *resolve_href(const char *base, const char *ref) {
  static char out[512];
  wg_pol_url b, u;
  wg_pol_error e;
  REQUIRE(parse(base, &b, &e) == WG_POL_OK);
  wg_pol_code rc = wg_pol_url_resolve(&b, ref, strlen(ref), &u, &e);
  if (rc) {
    snprintf(out, sizeof out, "%s %s", wg_pol_code_name(rc), wg_pol_rule_name(e.rule));
  } else {
    wg_buf h;
    wg_buf_init(&h, 0);
    wg_pol_url_href(&u, &h);
    snprintf(out, sizeof out, "%s", h.data);
    wg_buf_free(&h);
  }
  wg_pol_url_free(&b);
  wg_pol_url_free(&u);
  return out;
}

static void test_redirect_resolution(void) {
  const char *base = "https://a.example:8443/v1/items/7?x=1";
  CHECK_STR(resolve_href(base, "https://b.example/z"), "https://b.example/z");
  CHECK_STR(resolve_href(base, "//c.example/p"), "https://c.example/p");
  CHECK_STR(resolve_href(base, "\\\\c.example\\p"), "https://c.example/p");
  CHECK_STR(resolve_href(base, "/root"), "https://a.example:8443/root");
  CHECK_STR(resolve_href(base, "other"), "https://a.example:8443/v1/items/other");
  CHECK_STR(resolve_href(base, "../up?q"), "https://a.example:8443/v1/up?q");
  CHECK_STR(resolve_href(base, "../../../../x"), "https://a.example:8443/x");
  CHECK_STR(resolve_href(base, "?y=2"), "https://a.example:8443/v1/items/7?y=2");
  CHECK_STR(resolve_href(base, "#f"), "https://a.example:8443/v1/items/7?x=1");
  CHECK_STR(resolve_href(base, ""), "https://a.example:8443/v1/items/7?x=1");
  CHECK_STR(resolve_href(base, "https:rel"), "https://a.example:8443/v1/items/rel");
  CHECK_STR(resolve_href(base, "https:/abs"), "https://a.example:8443/abs");
  CHECK_STR(resolve_href(base, "HTTPS://D.example"), "https://d.example/");
  CHECK_STR(resolve_href(base, "http://b.example/"), "https_url_rejected scheme");
  CHECK_STR(resolve_href(base, "//u@b.example/"), "https_url_rejected userinfo");
  CHECK_STR(resolve_href(base, "//127.1/"), "https://127.0.0.1/");
  /* A server cannot ask for a secret: no placeholders in a Location. */
  CHECK_STR(resolve_href(base, "/h/{{secret:tok}}"), "https://a.example:8443/h/%7B%7Bsecret:tok%7D%7D");
  /* ... but a relative one keeps those of the base directory. */
  CHECK_STR(resolve_href("https://h.example/{{secret:t}}/a", "b"), "https://h.example/{{secret:t}}/b");
  wg_pol_url b, u;
  wg_pol_error e;
  REQUIRE(!parse("https://h.example/{{secret:t}}/a", &b, &e));
  CHECK_INT(b.placeholder_count, 1);
  REQUIRE(!wg_pol_url_resolve(&b, "b", 1, &u, &e));
  CHECK_INT(u.placeholder_count, 1);
  wg_pol_url_free(&u);
  REQUIRE(!wg_pol_url_resolve(&b, "../x", 4, &u, &e));
  CHECK_INT(u.placeholder_count, 0);
  CHECK_STR(u.path, "/x");
  wg_pol_url_free(&u);
  wg_pol_url_free(&b);
}

static wg_config *config(const char *toml) {
  wg_config_error err;
  wg_config *cfg = wg_config_parse(toml, strlen(toml), &err);
  if (!cfg) fprintf(stderr, "config: %u:%u: %s\n", err.line, err.column, err.message);
  return cfg;
}

static void test_allow_networks_and_pins(void) {
  wg_config *cfg = config("[https]\nallow_networks = [\"127.0.0.1/32\", \"fd00::/8\", \"10.0.0.0/8\"]\n"
                          "resolve = [\"Test.Example:8443:127.0.0.1,[fd00::5]\", \"x.example:443:8.8.8.8\"]\n");
  REQUIRE(cfg);
  wg_policy *pol;
  wg_pol_error e;
  REQUIRE(wg_policy_new(cfg, &pol, &e) == WG_POL_OK);
  wg_ip ip;
  wg_pol_addr_verdict v;
  REQUIRE(wg_ip_parse("127.0.0.1", 9, &ip));
  wg_pol_classify(pol, &ip, &v);
  CHECK(v.allowed && v.exception);
  CHECK_STR(v.range, "allow_networks 127.0.0.1/32");
  REQUIRE(wg_ip_parse("127.0.0.2", 9, &ip));
  wg_pol_classify(pol, &ip, &v);
  CHECK(!v.allowed);
  CHECK_STR(v.range, "loopback 127.0.0.0/8");
  /* The embedded IPv4 of a mapped address is excepted too. */
  REQUIRE(wg_ip_parse("::ffff:10.9.9.9", 15, &ip));
  wg_pol_classify(pol, &ip, &v);
  CHECK(v.allowed && v.exception && v.embedded);
  CHECK_STR(v.range, "allow_networks 10.0.0.0/8");
  REQUIRE(wg_ip_parse("8.8.8.8", 7, &ip));
  wg_pol_classify(pol, &ip, &v);
  CHECK(v.allowed && !v.exception && v.range == NULL);
  /* Pins: host normalised, port exact. */
  wg_pol_host h;
  REQUIRE(wg_pol_host_parse("TEST.example.", 13, &h, &e) == WG_POL_OK);
  const wg_ip *addrs;
  size_t n;
  CHECK(wg_policy_resolve(pol, &h, 8443, &addrs, &n));
  REQUIRE(n == 2);
  CHECK_INT(addrs[0].family, 4);
  CHECK_INT(addrs[1].family, 6);
  /* A pinned address is still judged. */
  CHECK_INT(wg_pol_check_address(pol, &h, &addrs[1], &e), WG_POL_OK);
  CHECK(!wg_policy_resolve(pol, &h, 443, &addrs, &n));
  CHECK_INT(n, 0);
  REQUIRE(wg_ip_parse("192.168.1.1", 11, &ip));
  CHECK_INT(wg_pol_check_address(pol, &h, &ip, &e), WG_POL_PRIVATE_ADDRESS);
  CHECK_STR(e.message, "HTTPS blocked local/private address 192.168.1.1 for host "
                       "\"test.example\" (private 192.168.0.0/16)");
  wg_policy_free(pol);
  wg_config_free(cfg);
  /* No policy: no exceptions. */
  REQUIRE(wg_ip_parse("127.0.0.1", 9, &ip));
  CHECK_INT(wg_pol_check_address(NULL, &h, &ip, &e), WG_POL_PRIVATE_ADDRESS);
}

static const char *grants_toml =
    "[secrets]\ntok = { env = \"T\" }\nhook = { env = \"H\" }\n"
    "[[plugins.enabled]]\nid = \"project:x\"\n[plugins.enabled.grants]\n"
    "https = [\n"
    "  { host = \"API.example.com.\", methods = [\"get\", \"POST\"], path_prefixes = [\"/v1\", \"/v2/\"] },\n"
    "  { host = \"api.example.com\", port = 8443, methods = [\"DELETE\"] },\n"
    "  { host = \"*.cdn.example\", methods = [\"GET\"] },\n"
    "  { host = \"hooks.example\", methods = [\"POST\"], path_secrets = [\"hook\"], "
    "headers = [ { name = \"authorization\", value = \"Bearer ${secret:tok}\" } ] },\n"
    "  { host = \"[2606:4700::1]\", methods = [\"PUT\"], path_prefixes = [\"/a/%7e\"] },\n"
    "  { host = \"xn--zz.example\", methods = [\"GET\"] },\n"
    "  { host = \"nomethods.example\" },\n"
    "]\n";

typedef struct match_case {
  const char *method, *url;
  wg_pol_code code;
  wg_pol_rule rule;
  size_t grant;
} match_case;

static void test_grant_matching(void) {
  wg_config *cfg = config(grants_toml);
  REQUIRE(cfg);
  const wg_config_grants *g = &cfg->enabled[0].grants;
  wg_pol_grants *gs = wg_pol_grants_new(g->https, g->https_count);
  REQUIRE(gs);
  CHECK(wg_pol_grant_problem(gs, 0) == NULL);
  CHECK_STR(wg_pol_grant_problem(gs, 5), "grant host is not a valid host name or IP address");
  CHECK_STR(wg_pol_grant_problem(gs, 6), "grant lists no allowed method");
  const size_t none = SIZE_MAX;
  static const match_case cases[] = {
      {"GET", "https://api.example.com/v1", WG_POL_OK, WG_POL_RULE_NONE, 0},
      {"GET", "https://API.EXAMPLE.COM./v1/x?q=1", WG_POL_OK, WG_POL_RULE_NONE, 0},
      {"get", "https://api.example.com/v1/", WG_POL_OK, WG_POL_RULE_NONE, 0},
      {"POST", "https://api.example.com/v2/", WG_POL_OK, WG_POL_RULE_NONE, 0},
      {"POST", "https://api.example.com/v2/a", WG_POL_OK, WG_POL_RULE_NONE, 0},
      {"GET", "https://api.example.com/v1admin", WG_POL_GRANT_DENIED, WG_POL_RULE_PATH_NOT_GRANTED, 0},
      {"GET", "https://api.example.com/v2", WG_POL_GRANT_DENIED, WG_POL_RULE_PATH_NOT_GRANTED, 0},
      {"GET", "https://api.example.com/v1/../admin", WG_POL_GRANT_DENIED, WG_POL_RULE_PATH_NOT_GRANTED, 0},
      {"GET", "https://api.example.com/v1/%2e%2e/admin", WG_POL_GRANT_DENIED, WG_POL_RULE_PATH_NOT_GRANTED, 0},
      {"GET", "https://api.example.com/admin?/v1", WG_POL_GRANT_DENIED, WG_POL_RULE_PATH_NOT_GRANTED, 0},
      {"GET", "https://api.example.com/x/../v1/y", WG_POL_OK, WG_POL_RULE_NONE, 0},
      {"PUT", "https://api.example.com/v1", WG_POL_METHOD_DENIED, WG_POL_RULE_METHOD_NOT_GRANTED, 0},
      {"GET", "https://api.example.com:8443/v1", WG_POL_METHOD_DENIED, WG_POL_RULE_METHOD_NOT_GRANTED, 1},
      {"DELETE", "https://api.example.com:8443/anything", WG_POL_OK, WG_POL_RULE_NONE, 1},
      {"GET", "https://api.example.com:9443/v1", WG_POL_GRANT_DENIED, WG_POL_RULE_PORT_NOT_GRANTED, 0},
      {"GET", "https://other.example.com/v1", WG_POL_GRANT_DENIED, WG_POL_RULE_HOST_NOT_GRANTED, none},
      {"GET", "https://example.com/v1", WG_POL_GRANT_DENIED, WG_POL_RULE_HOST_NOT_GRANTED, none},
      {"GET", "https://img.cdn.example/a", WG_POL_OK, WG_POL_RULE_NONE, 2},
      {"GET", "https://a.b.cdn.example/a", WG_POL_OK, WG_POL_RULE_NONE, 2},
      {"GET", "https://cdn.example/a", WG_POL_GRANT_DENIED, WG_POL_RULE_HOST_NOT_GRANTED, none},
      {"GET", "https://xcdn.example/a", WG_POL_GRANT_DENIED, WG_POL_RULE_HOST_NOT_GRANTED, none},
      {"POST", "https://hooks.example/h/{{secret:hook}}", WG_POL_OK, WG_POL_RULE_NONE, 3},
      {"POST", "https://hooks.example/h/{{secret:tok}}", WG_POL_GRANT_DENIED, WG_POL_RULE_PATH_SECRET_NOT_GRANTED, 3},
      {"PUT", "https://[2606:4700:0::1]/a/%7e/b", WG_POL_OK, WG_POL_RULE_NONE, 4},
      {"PUT", "https://[2606:4700::1]/a/~/b", WG_POL_GRANT_DENIED, WG_POL_RULE_PATH_NOT_GRANTED, 4},
      {"GET", "https://nomethods.example/", WG_POL_GRANT_DENIED, WG_POL_RULE_HOST_NOT_GRANTED, none},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const match_case *c = &cases[i];
    wg_pol_url u;
    wg_pol_error e;
    REQUIRE(parse(c->url, &u, &e) == WG_POL_OK);
    wg_pol_match m;
    wg_pol_code rc = wg_pol_match_grants(gs, c->method, strlen(c->method), &u, &m, &e);
    if (rc != c->code || m.rule != c->rule || m.grant != c->grant)
      WG_TEST_FAIL_("case %zu %s %s: got %s %s grant %zu (%s)", i, c->method, c->url,
                    wg_pol_code_name(rc), wg_pol_rule_name(m.rule), m.grant, e.message);
    CHECK(m.matched == (rc == WG_POL_OK));
    wg_pol_url_free(&u);
  }
  /* Messages: safe URL (no query), the reason. */
  wg_pol_url u;
  wg_pol_error e;
  wg_pol_match m;
  REQUIRE(!parse("https://api.example.com/v1admin?token=abc", &u, &e));
  wg_pol_match_grants(gs, "GET", 3, &u, &m, &e);
  CHECK_STR(e.message, "HTTPS request GET https://api.example.com/v1admin is not covered by "
                       "host/method/path grants (path not granted)");
  wg_pol_url_free(&u);
  REQUIRE(!parse("https://api.example.com:8443/v1", &u, &e));
  wg_pol_match_grants(gs, "PATCH", 5, &u, &m, &e);
  CHECK_STR(e.message, "HTTPS request PATCH https://api.example.com:8443/v1 is not covered by "
                       "host/method/path grants (method PATCH not granted for this host)");
  wg_pol_url_free(&u);
  wg_pol_grants_free(gs);
  /* No usable grant at all. */
  gs = wg_pol_grants_new(NULL, 0);
  REQUIRE(!parse("https://api.example.com/", &u, &e));
  CHECK_INT(wg_pol_match_grants(gs, "GET", 3, &u, &m, &e), WG_POL_GRANT_DENIED);
  CHECK_INT(m.rule, WG_POL_RULE_NO_GRANTS);
  CHECK_STR(e.message, "granted host_api.https allowlist is missing");
  wg_pol_url_free(&u);
  wg_pol_grants_free(gs);
  wg_config_free(cfg);
}

static void test_request_checks(void) {
  wg_pol_error e;
  static const char *const ok[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  for (size_t i = 0; i < 5; i++) CHECK_INT(wg_pol_check_method(ok[i], strlen(ok[i]), &e), WG_POL_OK);
  static const char *const bad[] = {"get", " GET", "GET ", "HEAD", "OPTIONS", "TRACE", "CONNECT", "", "G\nET"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK_INT(wg_pol_check_method(bad[i], strlen(bad[i]), &e), WG_POL_METHOD_DENIED);
    CHECK_INT(e.rule, WG_POL_RULE_METHOD);
  }
  CHECK_STR(e.message, "HTTPS method `G?ET` is not allowed");
  wg_pol_header h[17];
  for (int i = 0; i < 17; i++) h[i] = (wg_pol_header){"x-a", 3, "v", 1};
  CHECK_INT(wg_pol_check_headers(h, 16, &e), WG_POL_OK);
  CHECK_INT(wg_pol_check_headers(h, 17, &e), WG_POL_HEADER_REJECTED);
  CHECK_STR(e.message, "HTTPS request has too many headers (max 16)");
  char name65[66], val[1026];
  memset(name65, 'n', 65);
  memset(val, 'v', 1025);
  static const char secret_value[] = "s3cr3t-value";
  const struct { wg_pol_header h; wg_pol_code code; wg_pol_rule rule; const char *msg; } cases[] = {
      {{"Content-Type", 12, "application/json", 16}, WG_POL_OK, WG_POL_RULE_NONE, ""},
      {{name65, 64, "v", 1}, WG_POL_OK, WG_POL_RULE_NONE, ""},
      {{name65, 65, "v", 1}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_NAME, "HTTPS request header name is invalid"},
      {{"", 0, "v", 1}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_NAME, "HTTPS request header name is invalid"},
      {{"a b", 3, "v", 1}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_NAME, "HTTPS request header name is invalid"},
      {{"a:b", 3, "v", 1}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_NAME, "HTTPS request header name is invalid"},
      {{"a\r\nb", 4, "v", 1}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_NAME, "HTTPS request header name is invalid"},
      {{"x-v", 3, val, 1024}, WG_POL_OK, WG_POL_RULE_NONE, ""},
      {{"x-v", 3, val, 1025}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_VALUE, "HTTPS request header `x-v` exceeds 1024 bytes"},
      {{"x-v", 3, "a\tb", 3}, WG_POL_OK, WG_POL_RULE_NONE, ""},
      {{"x-v", 3, "caf\xc3\xa9", 5}, WG_POL_OK, WG_POL_RULE_NONE, ""},
      {{"x-v", 3, "a\r\nX-Evil: 1", 12}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_VALUE,
       "HTTPS request header `x-v` has an invalid value (a control character)"},
      {{"x-v", 3, "a\0b", 3}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_VALUE,
       "HTTPS request header `x-v` has an invalid value (a control character)"},
      {{"x-v", 3, "a\x7f", 2}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_VALUE,
       "HTTPS request header `x-v` has an invalid value (a control character)"},
      {{"Authorization", 13, secret_value, 12}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_SENSITIVE,
       "HTTPS request header `Authorization` is credential-like and must be supplied by a grant "
       "from [secrets], not guest memory"},
      {{"COOKIE", 6, secret_value, 12}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_SENSITIVE, NULL},
      {{"apikey", 6, secret_value, 12}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_SENSITIVE, NULL},
      {{"x-auth-token", 12, secret_value, 12}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_SENSITIVE, NULL},
      {{"Host", 4, "internal.example", 16}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_MANAGED,
       "HTTPS request header `Host` is set by the host, not the guest"},
      {{"transfer-encoding", 17, "chunked", 7}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_MANAGED, NULL},
      {{"content-length", 14, "5", 1}, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_MANAGED, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_pol_code rc = wg_pol_check_headers(&cases[i].h, 1, &e);
    if (rc != cases[i].code || e.rule != cases[i].rule)
      WG_TEST_FAIL_("header case %zu: got %s %s", i, wg_pol_code_name(rc), wg_pol_rule_name(e.rule));
    if (cases[i].msg) CHECK_STR(e.message, cases[i].msg);
    CHECK(strstr(e.message, secret_value) == NULL);
  }
  CHECK_INT(wg_pol_check_body(32768, &e), WG_POL_OK);
  CHECK_INT(wg_pol_check_body(32769, &e), WG_POL_BODY_TOO_LARGE);
  CHECK_STR(e.message, "HTTPS request body exceeds 32768 bytes");
}

static wg_pol_code decide(wg_pol_grants *gs, const char *method, const char *url,
                          const wg_pol_header *h, size_t hn, size_t body, wg_pol_error *e,
                          wg_pol_decision *d) {
  wg_pol_request req = {method, strlen(method), url, strlen(url), h, hn, body};
  return wg_pol_check_request(NULL, gs, &req, d, e);
}

static void test_whole_decision_order(void) {
  wg_config *cfg = config(grants_toml);
  REQUIRE(cfg);
  const wg_config_grants *g = &cfg->enabled[0].grants;
  wg_pol_grants *gs = wg_pol_grants_new(g->https, g->https_count);
  REQUIRE(gs);
  wg_pol_error e;
  wg_pol_decision d;
  wg_pol_header bad = {"cookie", 6, "x", 1}, auth_dup = {"Authorization", 13, "x", 1},
                fine = {"accept", 6, "*/*", 3};
  /* Method first, then headers, body, URL, target, grants. */
  CHECK_INT(decide(gs, "HEAD", "http://localhost/", &bad, 1, 99999, &e, &d), WG_POL_METHOD_DENIED);
  CHECK(!d.has_url);
  wg_pol_decision_free(&d);
  CHECK_INT(decide(gs, "GET", "http://localhost/", &bad, 1, 99999, &e, &d), WG_POL_HEADER_REJECTED);
  wg_pol_decision_free(&d);
  CHECK_INT(decide(gs, "GET", "http://localhost/", &fine, 1, 99999, &e, &d), WG_POL_BODY_TOO_LARGE);
  wg_pol_decision_free(&d);
  CHECK_INT(decide(gs, "GET", "http://localhost/", &fine, 1, 0, &e, &d), WG_POL_URL_REJECTED);
  CHECK(!d.has_url);
  wg_pol_decision_free(&d);
  CHECK_INT(decide(gs, "GET", "https://localhost/", &fine, 1, 0, &e, &d), WG_POL_PRIVATE_ADDRESS);
  CHECK(d.has_url);
  wg_pol_decision_free(&d);
  CHECK_INT(decide(gs, "GET", "https://evil.example/", &fine, 1, 0, &e, &d), WG_POL_GRANT_DENIED);
  CHECK_INT(d.match.rule, WG_POL_RULE_HOST_NOT_GRANTED);
  wg_pol_decision_free(&d);
  CHECK_INT(decide(gs, "GET", "https://api.example.com/v1/x?k=v", &fine, 1, 0, &e, &d), WG_POL_OK);
  CHECK(d.match.matched && d.match.grant == 0);
  CHECK_STR(d.url.query, "k=v");
  wg_pol_decision_free(&d);
  /* The grant sets authorization: a guest copy is refused (it is also
   * sensitive; an ordinary granted header shows the rule). */
  CHECK_INT(decide(gs, "POST", "https://hooks.example/x", &auth_dup, 1, 0, &e, &d), WG_POL_HEADER_REJECTED);
  CHECK_INT(e.rule, WG_POL_RULE_HEADER_SENSITIVE);
  wg_pol_decision_free(&d);
  wg_pol_grants_free(gs);
  wg_config_free(cfg);
  cfg = config("[[plugins.enabled]]\nid = \"project:x\"\n[plugins.enabled.grants]\n"
               "https = [ { host = \"h.example\", methods = [\"GET\"], headers = [ { name = \"X-Team\", "
               "value = \"blue\" } ] } ]\n");
  REQUIRE(cfg);
  g = &cfg->enabled[0].grants;
  gs = wg_pol_grants_new(g->https, g->https_count);
  wg_pol_header team = {"x-team", 6, "red", 3};
  CHECK_INT(decide(gs, "GET", "https://h.example/", &team, 1, 0, &e, &d), WG_POL_HEADER_REJECTED);
  CHECK_INT(e.rule, WG_POL_RULE_HEADER_GRANTED);
  CHECK_STR(e.message, "HTTPS request header `x-team` is set by the grant, not the guest");
  wg_pol_decision_free(&d);
  wg_pol_grants_free(gs);
  wg_config_free(cfg);
}

static wg_pol_secrets *secrets2(const char *a, const char *b) {
  wg_pol_secret items[2] = {{"tok", (const uint8_t *)a, strlen(a)},
                            {"hook", (const uint8_t *)b, strlen(b)}};
  wg_pol_secrets *s = NULL;
  wg_pol_error e;
  REQUIRE(wg_pol_secrets_new(items, 2, &s, &e) == WG_POL_OK);
  return s;
}

static void test_secret_set_rules(void) {
  wg_pol_secrets *s = NULL;
  wg_pol_error e;
  wg_pol_secret shortone = {"a", (const uint8_t *)"1234567", 7};
  CHECK_INT(wg_pol_secrets_new(&shortone, 1, &s, &e), WG_POL_GRANT_DENIED);
  CHECK_STR(e.message, "secret `a` is shorter than 8 bytes");
  CHECK(s == NULL);
  wg_pol_secret nl = {"b", (const uint8_t *)"abcdefgh\n", 9};
  CHECK_INT(wg_pol_secrets_new(&nl, 1, &s, &e), WG_POL_GRANT_DENIED);
  CHECK_STR(e.message, "secret `b` holds a control character");
  wg_pol_secret dup[2] = {{"c", (const uint8_t *)"abcdefgh", 8}, {"c", (const uint8_t *)"ijklmnop", 8}};
  CHECK_INT(wg_pol_secrets_new(dup, 2, &s, &e), WG_POL_GRANT_DENIED);
  CHECK_STR(e.message, "secret `c` is given twice");
  wg_pol_secret badname = {"a b", (const uint8_t *)"abcdefgh", 8};
  CHECK_INT(wg_pol_secrets_new(&badname, 1, &s, &e), WG_POL_GRANT_DENIED);
  CHECK_INT(e.rule, WG_POL_RULE_SECRET_INVALID);
  CHECK_INT(wg_pol_secrets_new(NULL, 0, &s, &e), WG_POL_OK);
  wg_pol_secrets_free(s);
}

static void test_expand_header(void) {
  wg_pol_secrets *s = secrets2("ghp_0123456789abcdef", "hook-value-1");
  wg_pol_error e;
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_buf_append_str(&b, "[");
  const char *t = "Bearer ${secret:tok} and ${secret:hook}!";
  CHECK_INT(wg_pol_expand_header(s, t, strlen(t), &b, &e), WG_POL_OK);
  CHECK_STR(b.data, "[Bearer ghp_0123456789abcdef and hook-value-1!");
  wg_buf_reset(&b);
  wg_buf_append_str(&b, "[");
  t = "x ${secret:tok} ${secret:missing}";
  CHECK_INT(wg_pol_expand_header(s, t, strlen(t), &b, &e), WG_POL_GRANT_DENIED);
  CHECK_INT(e.rule, WG_POL_RULE_SECRET_MISSING);
  CHECK_STR(e.message, "secret `missing` is not available");
  CHECK_STR(b.data, "["); /* the partial expansion is wiped */
  t = "${secret:tok";
  CHECK_INT(wg_pol_expand_header(s, t, strlen(t), &b, &e), WG_POL_GRANT_DENIED);
  CHECK_INT(wg_pol_expand_header(NULL, "plain", 5, &b, &e), WG_POL_OK);
  CHECK_STR(b.data, "[plain");
  wg_buf_free(&b);
  wg_pol_secrets_free(s);
  /* Too long once expanded. */
  char big[1100];
  memset(big, 'a', 1015);
  strcpy(big + 1015, "${secret:tok}");
  s = secrets2("ghp_0123456789abcdef", "hook-value-1");
  wg_buf_init(&b, 0);
  CHECK_INT(wg_pol_expand_header(s, big, strlen(big), &b, &e), WG_POL_HEADER_REJECTED);
  CHECK_INT(b.len, 0);
  CHECK(strstr(e.message, "ghp_") == NULL);
  wg_buf_free(&b);
  wg_pol_secrets_free(s);
}

static void test_url_substitute(void) {
  wg_config *cfg = config(grants_toml);
  REQUIRE(cfg);
  const wg_config_https_grant *hooks = &cfg->enabled[0].grants.https[3];
  wg_pol_secrets *s = secrets2("t0k/../?#x", "a b/c?d#e%f..");
  wg_pol_url u;
  wg_pol_error e;
  wg_buf b;
  wg_buf_init(&b, 0);
  REQUIRE(!parse("https://hooks.example:8443/h/{{secret:hook}}/x?q=1", &u, &e));
  CHECK_INT(wg_pol_url_substitute(&u, hooks, s, &b, &e), WG_POL_OK);
  CHECK_STR(b.data, "https://hooks.example:8443/h/a%20b%2Fc%3Fd%23e%25f../x?q=1");
  wg_buf_reset(&b);
  wg_pol_url_free(&u);
  REQUIRE(!parse("https://hooks.example/h/{{secret:tok}}", &u, &e));
  CHECK_INT(wg_pol_url_substitute(&u, hooks, s, &b, &e), WG_POL_GRANT_DENIED);
  CHECK_INT(e.rule, WG_POL_RULE_PATH_SECRET_NOT_GRANTED);
  CHECK_INT(b.len, 0);
  wg_pol_url_free(&u);
  wg_pol_secrets_free(s);
  s = secrets2("only-tok-here", "not-the-hook");
  wg_pol_secrets *only = NULL;
  wg_pol_secret one = {"tok", (const uint8_t *)"only-tok-here", 13};
  REQUIRE(!wg_pol_secrets_new(&one, 1, &only, &e));
  REQUIRE(!parse("https://hooks.example/h/{{secret:hook}}", &u, &e));
  CHECK_INT(wg_pol_url_substitute(&u, hooks, only, &b, &e), WG_POL_GRANT_DENIED);
  CHECK_STR(e.message, "secret `hook` is not available");
  CHECK_INT(b.len, 0);
  wg_pol_url_free(&u);
  wg_pol_secrets_free(only);
  wg_pol_secrets_free(s);
  wg_buf_free(&b);
  wg_config_free(cfg);
}

static char *redact(const wg_pol_secrets *s, const char *text) {
  static char out[4096];
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(wg_pol_redact(s, text, strlen(text), &b));
  snprintf(out, sizeof out, "%s", b.data ? b.data : "");
  wg_buf_free(&b);
  return out;
}

/* Standard base64 of p[0..n). */
static void b64(const unsigned char *p, size_t n, char *out, bool url, bool pad) {
  const char *a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned w = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                 (i + 2 < n ? p[i + 2] : 0);
    out[o++] = a[w >> 18 & 63];
    out[o++] = a[w >> 12 & 63];
    if (i + 1 < n) out[o++] = a[w >> 6 & 63]; else if (pad) out[o++] = '=';
    if (i + 2 < n) out[o++] = a[w & 63]; else if (pad) out[o++] = '=';
  }
  out[o] = '\0';
}

static void test_redact_forms(void) {
  const char *secret = "s3cr3t>?~+value";
  wg_pol_secrets *s = secrets2(secret, "hook-value-1");
  CHECK_STR(redact(s, "a s3cr3t>?~+value b"), "a <redacted> b");
  CHECK_STR(redact(s, "s3cr3t>?~+values3cr3t>?~+value"), "<redacted>");
  CHECK_STR(redact(s, "x=s3cr3t%3E%3F~%2Bvalue&y"), "x=<redacted>&y");
  CHECK_STR(redact(s, "x=s3cr3t%3e%3f~%2bvalue&y"), "x=<redacted>&y");
  CHECK_STR(redact(s, "nothing here"), "nothing here");
  CHECK_STR(redact(NULL, "s3cr3t>?~+value"), "s3cr3t>?~+value");
  CHECK_STR(redact(s, "hook-value-1hook-value-"), "<redacted>hook-value-");
  /* Base64 of the secret inside longer plaintext, at every alignment, both
   * alphabets, padded or not: no 4-char run of the secret's own base64
   * (chars depending only on the secret) survives. */
  for (int prefix = 0; prefix < 6; prefix++) {
    for (int suffix = 0; suffix < 4; suffix++) {
      for (int alpha = 0; alpha < 2; alpha++) {
        unsigned char plain[64];
        size_t n = 0;
        for (int k = 0; k < prefix; k++) plain[n++] = (unsigned char)('A' + k);
        memcpy(plain + n, secret, strlen(secret));
        n += strlen(secret);
        for (int k = 0; k < suffix; k++) plain[n++] = (unsigned char)('z' - k);
        char enc[128], text[160];
        b64(plain, n, enc, alpha, suffix % 2 == 0);
        snprintf(text, sizeof text, "Basic %s;", enc);
        /* Exactly the characters that depend on the secret alone go, plus
         * the partial last one when the secret ends the stream. */
        size_t sl = strlen(secret), left = (8 * (size_t)prefix + 5) / 6;
        size_t right = suffix == 0 ? strlen(enc) : 8 * ((size_t)prefix + sl) / 6;
        char expect[200];
        snprintf(expect, sizeof expect, "Basic %.*s<redacted>%s;", (int)left, enc, enc + right);
        char *r = redact(s, text);
        if (strcmp(r, expect) != 0)
          WG_TEST_FAIL_("prefix %d suffix %d alpha %d: %s gave %s, expected %s", prefix, suffix,
                        alpha, text, r, expect);
      }
    }
  }
  /* The base64 of the whole secret alone, padded. */
  char enc[64], text[80];
  b64((const unsigned char *)secret, strlen(secret), enc, false, true);
  snprintf(text, sizeof text, "[%s]", enc);
  CHECK_STR(redact(s, text), "[<redacted>]");
  wg_pol_secrets_free(s);
}

static void test_redact_output_bound(void) {
  wg_pol_secrets *s = secrets2("aaaaaaaa", "bbbbbbbbbb");
  char text[1000];
  for (int i = 0; i < 999; i++) text[i] = i % 9 == 8 ? ' ' : 'a';
  text[999] = '\0';
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(wg_pol_redact(s, text, 999, &b));
  CHECK(b.len <= 999 * 10 / 8 + 10);
  CHECK(strstr(b.data, "aaaaaaaa") == NULL);
  wg_buf_free(&b);
  wg_pol_secrets_free(s);
}

static char *like(const char *text) {
  static char out[1024];
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(wg_pol_redact_secret_like(text, strlen(text), &b));
  snprintf(out, sizeof out, "%s", b.data ? b.data : "");
  wg_buf_free(&b);
  return out;
}

static void test_redact_secret_like(void) {
  CHECK_STR(like("Authorization: Bearer X"), "Authorization: <redacted> X");
  CHECK_STR(like("authorization: Bearer secret-token"), "authorization: <redacted> secret<redacted>");
  CHECK_STR(like("password=hunter2; user=bob"), "password=<redacted>; user=bob");
  CHECK_STR(like("TOKEN:\tabc,def"), "TOKEN:\t<redacted>,def");
  CHECK_STR(like("x-api-key: k1\r\nnext"), "x-api-key: <redacted>\r\nnext");
  CHECK_STR(like("no needles here"), "no needles here");
  CHECK_STR(like("token"), "token");
  CHECK_STR(like("token= "), "token= ");
  CHECK_STR(like("Cookie: a=1; b=2"), "Cookie: <redacted>; b=2");
  CHECK_STR(like("my secret is out"), "my secret <redacted> out");
}

WG_TEST_LIST{
    WG_TEST(test_messages),
    WG_TEST(test_scheme_quote_is_bounded),
    WG_TEST(test_too_long),
    WG_TEST(test_safe_url),
    WG_TEST(test_safe_url_text),
    WG_TEST(test_redirect_resolution),
    WG_TEST(test_allow_networks_and_pins),
    WG_TEST(test_grant_matching),
    WG_TEST(test_request_checks),
    WG_TEST(test_whole_decision_order),
    WG_TEST(test_secret_set_rules),
    WG_TEST(test_expand_header),
    WG_TEST(test_url_substitute),
    WG_TEST(test_redact_forms),
    WG_TEST(test_redact_output_bound),
    WG_TEST(test_redact_secret_like),
};
WG_TEST_MAIN()
