/* check.c: the whole static decision for one request, in yoi's order
 * (docs/https.md#the-order-of-checks): method, header count, headers,
 * body, URL, static target, grants; then the guest may not set a header
 * the matched grant sets itself (the grant's value would otherwise be
 * doubled or overridden by guest text). */
#include "pol_internal.h"

#include <string.h>

static bool ieq_n(const char *a, size_t an, const char *b, size_t bn) {
  if (an != bn) return false;
  for (size_t i = 0; i < an; i++)
    if (pol_lower(a[i]) != pol_lower(b[i])) return false;
  return true;
}

static wg_pol_code check_granted_headers(const wg_config_https_grant *g,
                                         const wg_pol_request *req, wg_pol_error *err) {
  for (size_t i = 0; i < req->header_count; i++) {
    const wg_pol_header *h = &req->headers[i];
    for (size_t k = 0; k < g->header_count; k++)
      if (ieq_n(h->name, h->name_len, g->headers[k].name, strlen(g->headers[k].name)))
        return pol_fail(err, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_GRANTED,
                        "HTTPS request header `%.*s` is set by the grant, not the guest",
                        (int)h->name_len, h->name);
  }
  return WG_POL_OK;
}

wg_pol_code wg_pol_check_request(const wg_policy *pol, const wg_pol_grants *gs,
                                 const wg_pol_request *req, wg_pol_decision *out,
                                 wg_pol_error *err) {
  memset(out, 0, sizeof *out);
  out->match.grant = SIZE_MAX;
  wg_pol_code rc = wg_pol_check_method(req->method, req->method_len, err);
  if (!rc) rc = wg_pol_check_headers(req->headers, req->header_count, err);
  if (!rc) rc = wg_pol_check_body(req->body_len, err);
  if (rc) return rc;
  rc = wg_pol_url_parse(req->url, req->url_len, &out->url, err);
  if (rc) return rc;
  out->has_url = true;
  rc = wg_pol_check_host(pol, &out->url.host, err);
  if (!rc) rc = wg_pol_match_grants(gs, req->method, req->method_len, &out->url, &out->match, err);
  if (!rc) rc = check_granted_headers(pol_grant_config(gs, out->match.grant), req, err);
  return rc;
}

void wg_pol_decision_free(wg_pol_decision *d) {
  if (!d) return;
  wg_pol_url_free(&d->url);
  d->has_url = false;
}
