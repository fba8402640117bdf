/* desc_check.h: the property checked on any bytes a guest could hand to
 * `yoi:https.request`, shared by the libFuzzer entry (fuzz/fuzz_desc.c)
 * and the deterministic mutation run (test_https_mutate.c): the descriptor
 * decoder and then the policy's whole static decision (pure, no network).
 * Checked: only documented codes come out, every message is bounded valid
 * UTF-8 without control characters, a decoded descriptor's fields lie
 * inside sane bounds, and an allowed request names a grant that exists and
 * a method from the five. Returns false (after printing why) on a
 * violation. */
#ifndef WG_TEST_DESC_CHECK_H
#define WG_TEST_DESC_CHECK_H

#include <stdio.h>
#include <string.h>

#include "host_https.h"

static bool desc_message_ok(const char *m) {
  size_t n = strlen(m);
  if (n > WG_ERROR_MESSAGE_MAX || !wg_utf8_valid((const uint8_t *)m, n)) return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] == 0x7f) return false;
  return true;
}

static bool desc_code_ok(wg_err c) {
  return c == WG_ERR_HTTPS_URL_REJECTED || c == WG_ERR_HTTPS_METHOD_DENIED ||
         c == WG_ERR_HTTPS_HEADER_REJECTED || c == WG_ERR_HTTPS_BODY_TOO_LARGE ||
         c == WG_ERR_HTTPS_GRANT_DENIED || c == WG_ERR_HTTPS_PRIVATE_ADDRESS;
}

typedef struct desc_env {
  wg_config *cfg;
  wg_policy *policy;
  wg_pol_grants *grants;
  size_t accepted, refused;
} desc_env;

/* A config with two grants, allow_networks and resolve pins, like an
 * operator's. */
static bool desc_env_init(desc_env *e) {
  static const char text[] =
      "[[plugins.enabled]]\nid = \"project:p\"\n[plugins.enabled.grants]\n"
      "id = \"project:p\"\nversion = \"1.0.0\"\ndigest = \"sha256:"
      "0000000000000000000000000000000000000000000000000000000000000000\"\n"
      "permissions = [ { kind = \"host_api\", api = \"https\" } ]\n"
      "[[plugins.enabled.grants.https]]\nhost = \"api.example.com\"\nmethods = [\"GET\", \"POST\"]\n"
      "path_prefixes = [\"/v1\"]\npath_secrets = [\"hook\"]\nmax_redirects = 2\n"
      "headers = [ { name = \"authorization\", value = \"Bearer ${secret:tok}\" } ]\n"
      "[[plugins.enabled.grants.https]]\nhost = \"*.example.org\"\nport = 8443\n"
      "methods = [\"PUT\", \"DELETE\"]\n"
      "[https]\nallow_networks = [\"10.1.2.3/32\"]\nresolve = [\"api.example.com:443:10.1.2.3\"]\n"
      "[secrets]\ntok = { env = \"X\" }\nhook = { env = \"Y\" }\n";
  wg_config_error ce;
  wg_pol_error pe;
  memset(e, 0, sizeof *e);
  e->cfg = wg_config_parse(text, sizeof text - 1, &ce);
  if (!e->cfg || wg_policy_new(e->cfg, &e->policy, &pe) != WG_POL_OK) return false;
  const wg_config_grants *g = &e->cfg->enabled[0].grants;
  e->grants = wg_pol_grants_new(g->https, g->https_count);
  return e->grants != NULL;
}

static void desc_env_free(desc_env *e) {
  wg_pol_grants_free(e->grants);
  wg_policy_free(e->policy);
  wg_config_free(e->cfg);
}

static bool desc_check_one(desc_env *e, const char *data, size_t size) {
  host_desc d;
  host_fail f = {0};
  bool ok = true;
  if (!host_desc_decode(data, size, &d, &f)) {
    if ((!desc_code_ok(f.code) && f.code != WG_ERR_INTERNAL) || !desc_message_ok(f.message)) {
      fprintf(stderr, "decoder: code %s message \"%s\"\n", wg_err_name(f.code), f.message);
      ok = false;
    }
    e->refused++;
    host_desc_free(&d);
    return ok;
  }
  if (!d.method || !d.url || d.method_len > size || d.url_len > size || d.body_len > size ||
      d.header_count > size / 2) {
    fprintf(stderr, "decoder: accepted fields out of bounds\n");
    host_desc_free(&d);
    return false;
  }
  wg_pol_request pr = {d.method, d.method_len, d.url, d.url_len, d.headers, d.header_count,
                       d.body_len};
  wg_pol_decision dec;
  wg_pol_error pe;
  memset(&dec, 0, sizeof dec);
  wg_pol_code c = wg_pol_check_request(e->policy, e->grants, &pr, &dec, &pe);
  if (c == WG_POL_OK) {
    const wg_config_grants *g = &e->cfg->enabled[0].grants;
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    bool known = false;
    for (size_t i = 0; i < 5; i++)
      known |= d.method_len == strlen(methods[i]) && memcmp(d.method, methods[i], d.method_len) == 0;
    if (!dec.match.matched || dec.match.grant >= g->https_count || !known || !dec.has_url) {
      fprintf(stderr, "policy: allowed without a grant or with a bad method\n");
      ok = false;
    }
    wg_buf safe;
    wg_buf_init(&safe, 0);
    if (!wg_pol_url_safe(&dec.url, &safe) || memchr(safe.data, '?', safe.len)) {
      fprintf(stderr, "policy: the safe URL holds a query\n");
      ok = false;
    }
    wg_buf_free(&safe);
    e->accepted++;
  } else {
    host_fail_set(&f, WG_ERR_INTERNAL, "%s", pe.message);
    if (c == WG_POL_INTERNAL || !desc_message_ok(f.message) || strlen(pe.message) >= WG_POL_MESSAGE_MAX) {
      fprintf(stderr, "policy: code %s message \"%s\"\n", wg_pol_code_name(c), pe.message);
      ok = false;
    }
    e->refused++;
  }
  wg_pol_decision_free(&dec);
  host_desc_free(&d);
  return ok;
}

#endif
