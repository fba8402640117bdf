/* request.c: the request checks that run before the URL, in yoi's order
 * (docs/https.md#the-order-of-checks): method, header count, each header,
 * body size. Header values are never quoted in a message; names only once
 * they are valid tokens. */
#include "pol_internal.h"

#include <string.h>

wg_pol_code wg_pol_check_method(const char *method, size_t len, wg_pol_error *err) {
  if (wg_http_method(method, len, false) >= 0) {
    pol_ok(err);
    return WG_POL_OK;
  }
  char q[POL_QUOTE_MAX + 4];
  pol_quote(q, sizeof q, method, len, 16);
  return pol_fail(err, WG_POL_METHOD_DENIED, WG_POL_RULE_METHOD,
                  "HTTPS method `%s` is not allowed", q);
}

bool wg_pol_header_sensitive(const char *name, size_t len) {
  return wg_http_header_sensitive(name, len);
}

bool wg_pol_header_name_valid(const char *name, size_t len) {
  return len >= 1 && len <= WG_POL_HEADER_NAME_MAX && wg_http_token(name, len);
}

static wg_pol_code check_header(const wg_pol_header *h, wg_pol_error *err) {
  if (!wg_pol_header_name_valid(h->name, h->name_len))
    return pol_fail(err, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_NAME,
                    "HTTPS request header name is invalid");
  /* A valid token is printable ASCII: safe to quote as it is. */
  int n = (int)h->name_len;
  if (wg_http_header_sensitive(h->name, h->name_len))
    return pol_fail(err, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_SENSITIVE,
                    "HTTPS request header `%.*s` is credential-like and must be "
                    "supplied by a grant from [secrets], not guest memory", n, h->name);
  if (wg_http_header_managed(h->name, h->name_len))
    return pol_fail(err, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_MANAGED,
                    "HTTPS request header `%.*s` is set by the host, not the guest", n,
                    h->name);
  if (h->value_len > WG_POL_HEADER_VALUE_MAX)
    return pol_fail(err, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_VALUE,
                    "HTTPS request header `%.*s` exceeds %d bytes", n, h->name,
                    WG_POL_HEADER_VALUE_MAX);
  if (!wg_http_field_value(h->value, h->value_len))
    return pol_fail(err, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_VALUE,
                    "HTTPS request header `%.*s` has an invalid value (a control "
                    "character)", n, h->name);
  return WG_POL_OK;
}

wg_pol_code wg_pol_check_headers(const wg_pol_header *headers, size_t count,
                                 wg_pol_error *err) {
  if (count > WG_POL_HEADERS_MAX)
    return pol_fail(err, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_COUNT,
                    "HTTPS request has too many headers (max %d)", WG_POL_HEADERS_MAX);
  for (size_t i = 0; i < count; i++) {
    wg_pol_code rc = check_header(&headers[i], err);
    if (rc) return rc;
  }
  pol_ok(err);
  return WG_POL_OK;
}

wg_pol_code wg_pol_check_body(size_t len, wg_pol_error *err) {
  if (len > WG_POL_BODY_MAX)
    return pol_fail(err, WG_POL_BODY_TOO_LARGE, WG_POL_RULE_BODY,
                    "HTTPS request body exceeds %d bytes", WG_POL_BODY_MAX);
  pol_ok(err);
  return WG_POL_OK;
}
