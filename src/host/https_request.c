/* https_request.c: one guest `yoi:https.request`, start to end.
 *
 * Order (yoi's, plus wasmgate's additions:
 * docs/https.md#what-the-host-does-in-order), every step before any
 * network access except the last ones:
 *   1. host_api.https authorized again (binding, manifest, grant);
 *   2. the per-call limit ([https] max_requests_per_call);
 *   3. the descriptor decoded (https_desc.c);
 *   4. the policy's static decision (policy.h: method, headers, body, URL,
 *      target, grants), which names the matched grant;
 *   5. the grant's secrets usable (loaded once per call);
 *   6. addresses: [https] resolve pins, else DNS (c-ares); every address
 *      judged, one refusal fails the request;
 *   7. the transfer (https_client.c) with the grant's headers injected, the
 *      path secrets substituted, every socket judged again at connect time;
 *   8. a 3xx with a Location, while the grant's max_redirects allows: the
 *      target is resolved and decided again as a new request (steps 4-7),
 *      the grant's headers dropped once the host or port changes;
 *   9. the response JSON (https_response.c), redacted.
 * One time budget covers the request and its redirects: min([https]
 * timeout_ms, the call's remaining deadline). Every request and hop is
 * recorded for the history (method, safe URL, status or error, bytes, ms).
 * Messages never carry a query, a header value, a body or a secret value:
 * they are built from the policy's texts, fixed text and safe URLs, and
 * every one goes through the secret redactor before it leaves. */
#include "host_https.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static wg_err map_code(wg_pol_code c) {
  switch (c) {
  case WG_POL_OK: return WG_ERR_NONE;
  case WG_POL_GRANT_DENIED: return WG_ERR_HTTPS_GRANT_DENIED;
  case WG_POL_URL_REJECTED: return WG_ERR_HTTPS_URL_REJECTED;
  case WG_POL_PRIVATE_ADDRESS: return WG_ERR_HTTPS_PRIVATE_ADDRESS;
  case WG_POL_METHOD_DENIED: return WG_ERR_HTTPS_METHOD_DENIED;
  case WG_POL_HEADER_REJECTED: return WG_ERR_HTTPS_HEADER_REJECTED;
  case WG_POL_BODY_TOO_LARGE: return WG_ERR_HTTPS_BODY_TOO_LARGE;
  case WG_POL_DNS_FAILED: return WG_ERR_HTTPS_DNS_FAILED;
  case WG_POL_TLS_FAILED: return WG_ERR_HTTPS_TLS_FAILED;
  case WG_POL_TIMEOUT: return WG_ERR_HTTPS_TIMEOUT;
  case WG_POL_NETWORK: return WG_ERR_HTTPS_NETWORK;
  case WG_POL_TOO_MANY_REQUESTS: return WG_ERR_HTTPS_TOO_MANY_REQUESTS;
  default: return WG_ERR_INTERNAL;
  }
}

static void pol_fail(host_fail *f, const wg_pol_error *pe) {
  host_fail_set(f, map_code(pe->code), "%s", pe->message);
}

/* ---- records -------------------------------------------------------------- */

static wg_https_record *new_record(host_https_state *st) {
  wg_https_record *grown = wg_vec_reserve(st->records, &st->record_cap,
                                          st->record_count + 1, sizeof *grown, 0);
  if (!grown) return NULL;
  st->records = grown;
  wg_https_record *r = &st->records[st->record_count++];
  memset(r, 0, sizeof *r);
  return r;
}

static void record_url(wg_https_record *r, const wg_buf *safe) {
  if (!safe->data) return;
  size_t n = safe->len > WG_HTTPS_RECORD_URL_MAX ? WG_HTTPS_RECORD_URL_MAX : safe->len;
  n = wg_utf8_trim((const uint8_t *)safe->data, n);
  memcpy(r->url, safe->data, n);
  r->url[n] = '\0';
}

static void record_method(wg_https_record *r, const char *m, size_t n) {
  wg_pol_error pe;
  if (wg_pol_check_method(m, n, &pe) != WG_POL_OK) return;
  memcpy(r->method, m, n);
  r->method[n] = '\0';
}

/* ---- one hop -------------------------------------------------------------- */

typedef struct hop {
  const char *method;
  size_t method_len;
  const char *body;
  size_t body_len;
  bool drop_body_headers; /* the method became GET on a redirect */
  wg_pol_decision dec;
  bool has_dec;
  wg_buf safe;     /* the safe URL of this hop */
  wg_buf send;     /* the URL handed to libcurl */
  host_addrs addrs;
  host_header *headers;
  size_t header_count;
  wg_buf header_text; /* owns the expanded grant header values */
} hop;

typedef struct judge_ctx {
  const wg_policy *policy;
  const wg_pol_host *host;
} judge_ctx;

/* The connect-time check: the policy's own verdict on the raw address. */
static bool judge(void *p, int family, const uint8_t *bytes, char *why, size_t n) {
  const judge_ctx *j = p;
  wg_ip ip;
  memset(&ip, 0, sizeof ip);
  ip.family = family == AF_INET ? 4 : 6;
  memcpy(ip.bytes, bytes, family == AF_INET ? 4 : 16);
  wg_pol_error pe;
  if (wg_pol_check_address(j->policy, j->host, &ip, &pe) == WG_POL_OK) return true;
  wg_pol_addr_verdict v;
  wg_pol_classify(j->policy, &ip, &v);
  snprintf(why, n, "%s", v.range ? v.range : "blocked");
  return false;
}

static void hop_free(hop *h) {
  if (h->has_dec) wg_pol_decision_free(&h->dec);
  wg_buf_free(&h->safe);
  wg_buf_free(&h->send);
  wg_buf_free(&h->header_text);
  free(h->headers);
  memset(h, 0, sizeof *h);
}

typedef struct run {
  const host_call *hc;
  const wg_https_ctx *ctx;
  host_https_state *st;
  const host_desc *desc;
  host_wait wait;
  bool inject;          /* still on the first hop's host and port */
  char origin_host[WG_POL_HOST_MAX + 1];
  uint16_t origin_port;
} run;

/* Step 5: every secret the matched grant names must be usable. */
static bool grant_secrets_usable(run *rn, const wg_config_https_grant *g, host_fail *f) {
  const host_secrets *s = &rn->st->secrets;
  for (size_t k = 0; k < g->header_count; k++) {
    const char *v = g->headers[k].value;
    for (const char *p = strstr(v, "${secret:"); p; p = strstr(p + 1, "${secret:")) {
      const char *name = p + strlen("${secret:");
      const char *end = strchr(name, '}');
      const char *why = end ? host_secret_problem(s, name, (size_t)(end - name)) : NULL;
      if (why) {
        host_fail_set(f, WG_ERR_HTTPS_GRANT_DENIED,
                      "the https grant for \"%s\" is unusable: secret `%.*s` is unavailable: %s",
                      g->host, (int)(end - name), name, why);
        return false;
      }
    }
  }
  for (size_t k = 0; k < g->path_secret_count; k++) {
    const char *why = host_secret_problem(s, g->path_secrets[k], strlen(g->path_secrets[k]));
    if (why) {
      host_fail_set(f, WG_ERR_HTTPS_GRANT_DENIED,
                    "the https grant for \"%s\" is unusable: secret `%s` is unavailable: %s", g->host,
                    g->path_secrets[k], why);
      return false;
    }
  }
  return true;
}

/* Step 4 for one hop: the policy's decision on (method, url text). */
static bool decide(run *rn, hop *h, const char *url, size_t url_len, host_fail *f) {
  const host_desc *d = rn->desc;
  wg_pol_request pr = {h->method, h->method_len, url, url_len, d->headers, d->header_count,
                       h->body_len};
  wg_pol_error pe;
  h->has_dec = true;
  wg_pol_code c = wg_pol_check_request(rn->ctx->policy, rn->ctx->grants, &pr, &h->dec, &pe);
  wg_buf_init(&h->safe, 0);
  if (h->dec.has_url) wg_pol_url_safe(&h->dec.url, &h->safe);
  else wg_pol_safe_url_text(url, url_len, &h->safe);
  if (c != WG_POL_OK) {
    pol_fail(f, &pe);
    return false;
  }
  return true;
}

/* Step 6: the addresses to connect to, every one judged now. */
static bool addresses(run *rn, hop *h, host_fail *f) {
  const wg_pol_url *u = &h->dec.url;
  if (u->host.kind != WG_POL_HOST_DOMAIN) return true; /* judged by the policy already */
  const wg_ip *pins = NULL;
  size_t npins = 0;
  if (wg_policy_resolve(rn->ctx->policy, &u->host, u->port, &pins, &npins)) {
    for (size_t i = 0; i < npins; i++) {
      int fam = pins[i].family == 4 ? AF_INET : AF_INET6;
      if (!host_addrs_add(&h->addrs, fam, pins[i].bytes)) break;
    }
  } else {
    const wg_config *cfg = rn->ctx->cfg;
    host_dns_config dc = {cfg->dns_servers, cfg->dns_server_count};
    size_t total = 0;
    if (!host_dns_lookup(u->host.name, &dc, &rn->wait, &h->addrs, &total, f)) {
      if (f->code == WG_ERR_HTTPS_TIMEOUT)
        host_fail_set(f, WG_ERR_HTTPS_TIMEOUT, "HTTPS request to %s timed out (DNS lookup)",
                      h->safe.data);
      return false;
    }
  }
  for (size_t i = 0; i < h->addrs.count; i++) {
    wg_ip ip;
    memset(&ip, 0, sizeof ip);
    ip.family = h->addrs.a[i].family == AF_INET ? 4 : 6;
    memcpy(ip.bytes, h->addrs.a[i].bytes, 16);
    wg_pol_error pe;
    if (wg_pol_check_address(rn->ctx->policy, &u->host, &ip, &pe) != WG_POL_OK) {
      pol_fail(f, &pe);
      return false;
    }
  }
  return true;
}

static bool starts_with_ci(const char *s, size_t n, const char *prefix) {
  size_t k = strlen(prefix);
  return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* Step 7's headers: the guest's, then the grant's (expanded) while the
 * request is still on its first host and port. */
static bool build_headers(run *rn, hop *h, const wg_config_https_grant *g, host_fail *f) {
  const host_desc *d = rn->desc;
  size_t extra = rn->inject ? g->header_count : 0;
  h->headers = calloc(d->header_count + extra + 1, sizeof *h->headers);
  if (!h->headers) {
    host_fail_set(f, WG_ERR_INTERNAL, "out of memory for the request headers");
    return false;
  }
  for (size_t i = 0; i < d->header_count; i++) {
    const wg_pol_header *ph = &d->headers[i];
    if (h->drop_body_headers && starts_with_ci(ph->name, ph->name_len, "content-")) continue;
    h->headers[h->header_count++] = (host_header){(char *)ph->name, ph->name_len,
                                                  (char *)ph->value, ph->value_len};
  }
  if (!extra) return true;
  /* Expanded values go into one buffer; offsets first, pointers after (the
   * buffer may move while it grows). */
  size_t offs[WG_POL_HEADERS_MAX * 4 + 16], lens[WG_POL_HEADERS_MAX * 4 + 16];
  if (extra > sizeof offs / sizeof offs[0]) extra = sizeof offs / sizeof offs[0];
  wg_buf_init(&h->header_text, 0);
  for (size_t k = 0; k < extra; k++) {
    const wg_config_header *gh = &g->headers[k];
    offs[k] = h->header_text.len;
    wg_pol_error pe;
    if (wg_pol_expand_header(rn->st->secrets.set, gh->value, strlen(gh->value), &h->header_text,
                             &pe) != WG_POL_OK) {
      pol_fail(f, &pe);
      return false;
    }
    lens[k] = h->header_text.len - offs[k];
  }
  for (size_t k = 0; k < extra; k++) {
    const wg_config_header *gh = &g->headers[k];
    h->headers[h->header_count++] = (host_header){(char *)gh->name, strlen(gh->name),
                                                  h->header_text.data + offs[k], lens[k]};
  }
  return true;
}

static const char *location_of(const host_transfer_resp *r, size_t *len) {
  for (size_t i = 0; i < r->header_count; i++)
    if (strcmp(r->headers[i].name, "location") == 0) {
      *len = r->headers[i].value_len;
      return r->headers[i].value;
    }
  return NULL;
}

static bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Steps 5-7 for a decided hop; resp is filled on success. */
static bool send_hop(run *rn, hop *h, host_transfer_resp *resp, wg_https_record *rec,
                     host_fail *f) {
  const wg_config_https_grant *g = &rn->ctx->plugin->entry->grants.https[h->dec.match.grant];
  if (!grant_secrets_usable(rn, g, f)) return false;
  if (!addresses(rn, h, f)) return false;
  if (!build_headers(rn, h, g, f)) return false;
  wg_buf_init(&h->send, WG_POL_SEND_URL_MAX);
  wg_pol_error pe;
  if (wg_pol_url_substitute(&h->dec.url, g, rn->st->secrets.set, &h->send, &pe) != WG_POL_OK) {
    pol_fail(f, &pe);
    return false;
  }
  judge_ctx jc = {rn->ctx->policy, &h->dec.url.host};
  host_transfer_req tr = {
    .method = rec->method, .url = h->send.data, .safe_url = h->safe.data,
    .host = h->dec.url.host.name, .port = h->dec.url.port, .pin = &h->addrs,
    .headers = h->headers, .header_count = h->header_count,
    .body = h->body, .body_len = h->body_len,
    .ca_file = NULL, .judge = judge, .judge_ctx = &jc, .wait = rn->wait,
  };
  char ca[4096 + 256];
  const char *ca_file = rn->ctx->cfg->ca_file;
  if (ca_file) {
    if (ca_file[0] != '/' && rn->ctx->base_dir) snprintf(ca, sizeof ca, "%s/%s", rn->ctx->base_dir, ca_file);
    else snprintf(ca, sizeof ca, "%s", ca_file);
    tr.ca_file = ca;
  }
  bool ok = host_transfer(&tr, resp);
  rec->bytes = resp->bytes;
  if (!ok) *f = resp->fail;
  return ok;
}

/* Step 8: the next hop's method and URL from a redirect response. */
static bool next_hop(run *rn, const hop *prev, const host_transfer_resp *resp, hop *next,
                     host_fail *f) {
  bool to_get = resp->status == 303 ||
                ((resp->status == 301 || resp->status == 302) && strcmp(prev->method, "POST") == 0);
  next->method = to_get ? "GET" : prev->method;
  next->method_len = to_get ? 3 : prev->method_len;
  next->body = to_get ? NULL : prev->body;
  next->body_len = to_get ? 0 : prev->body_len;
  next->drop_body_headers = to_get && prev->body;
  size_t llen = 0;
  const char *loc = location_of(resp, &llen);
  wg_pol_url target;
  memset(&target, 0, sizeof target);
  wg_pol_error pe;
  if (wg_pol_url_resolve(&prev->dec.url, loc, llen, &target, &pe) != WG_POL_OK) {
    wg_buf_init(&next->safe, 0);
    wg_pol_safe_url_text(loc, llen, &next->safe);
    pol_fail(f, &pe);
    wg_pol_url_free(&target);
    return false;
  }
  wg_buf href;
  wg_buf_init(&href, WG_POL_SEND_URL_MAX);
  bool ok = wg_pol_url_href(&target, &href);
  wg_pol_url_free(&target);
  if (!ok) {
    wg_buf_free(&href);
    wg_buf_init(&next->safe, 0);
    host_fail_set(f, WG_ERR_HTTPS_URL_REJECTED, "HTTPS redirect target is too long");
    return false;
  }
  ok = decide(rn, next, href.data, href.len, f);
  wg_buf_free(&href);
  if (ok && (strcmp(next->dec.url.host.name, rn->origin_host) != 0 ||
             next->dec.url.port != rn->origin_port))
    rn->inject = false; /* secrets never follow a redirect to another origin */
  return ok;
}

static void finish_record(wg_https_record *rec, uint64_t t0, const host_transfer_resp *r,
                          const host_fail *f, bool ok) {
  rec->ms = (wg_now_ns() - t0) / 1000000u;
  if (ok) rec->status = (uint16_t)r->status;
  else rec->error = f->code;
}

/* The request's hops. On success the final response is in *final. */
static bool run_hops(run *rn, host_transfer_resp *final, host_fail *f) {
  const host_desc *d = rn->desc;
  hop cur;
  memset(&cur, 0, sizeof cur);
  cur.method = d->method, cur.method_len = d->method_len;
  cur.body = d->body, cur.body_len = d->body_len;
  bool decided = false, ok = false;
  uint32_t max_redirects = 0;
  for (uint32_t k = 0;; k++) {
    uint64_t t0 = wg_now_ns();
    wg_https_record *rec = new_record(rn->st);
    if (!rec) {
      host_fail_set(f, WG_ERR_INTERNAL, "out of memory recording the request");
      break;
    }
    rec->hop = k;
    record_method(rec, cur.method, cur.method_len);
    if (k == 0) decided = decide(rn, &cur, d->url, d->url_len, f);
    record_url(rec, &cur.safe);
    if (!decided) {
      finish_record(rec, t0, NULL, f, false);
      break;
    }
    if (k == 0) {
      const wg_config_https_grant *g = &rn->ctx->plugin->entry->grants.https[cur.dec.match.grant];
      max_redirects = g->max_redirects;
      snprintf(rn->origin_host, sizeof rn->origin_host, "%s", cur.dec.url.host.name);
      rn->origin_port = cur.dec.url.port;
      rn->inject = true;
    }
    host_transfer_resp resp;
    memset(&resp, 0, sizeof resp);
    bool sent = send_hop(rn, &cur, &resp, rec, f);
    finish_record(rec, t0, &resp, f, sent);
    size_t llen;
    if (!sent) {
      host_transfer_resp_free(&resp);
      break;
    }
    if (!is_redirect(resp.status) || k >= max_redirects || !location_of(&resp, &llen)) {
      *final = resp;
      ok = true;
      break;
    }
    hop next;
    memset(&next, 0, sizeof next);
    decided = next_hop(rn, &cur, &resp, &next, f);
    host_transfer_resp_free(&resp);
    hop_free(&cur);
    cur = next; /* a failed decision is recorded at the top of the loop */
  }
  hop_free(&cur);
  return ok;
}

bool host_https_run(const host_call *hc, host_https_state *st, const char *text,
                    size_t len, wg_buf *json, host_fail *f) {
  const wg_https_ctx *ctx = hc->https;
  char msg[WG_AUTH_MESSAGE_MAX];
  if (!wg_authorize_host_api(ctx->plugin, WG_HOST_API_HTTPS, msg)) {
    host_fail_set(f, WG_ERR_HTTPS_GRANT_DENIED, "plugin host API dispatch denied: %s", msg);
    wg_https_record *rec = new_record(st);
    if (rec) rec->error = f->code;
    return false;
  }
  if (st->requests >= ctx->cfg->max_requests_per_call) {
    host_fail_set(f, WG_ERR_HTTPS_TOO_MANY_REQUESTS,
                  "HTTPS request limit reached: at most %u requests per call",
                  ctx->cfg->max_requests_per_call);
    wg_https_record *rec = new_record(st);
    if (rec) rec->error = f->code;
    return false;
  }
  st->requests++;
  host_desc d;
  if (!host_desc_decode(text, len, &d, f)) {
    wg_https_record *rec = new_record(st);
    if (rec) rec->error = f->code;
    host_desc_free(&d);
    return false;
  }
  if (!st->secrets_loaded) {
    if (!host_secrets_load(ctx, &st->secrets, f)) {
      host_desc_free(&d);
      return false;
    }
    st->secrets_loaded = true;
  }
  uint64_t now = wg_now_ns();
  uint64_t ms = ctx->cfg->https_timeout_ms ? ctx->cfg->https_timeout_ms : WG_HTTPS_DEFAULT_TIMEOUT_MS;
  uint64_t deadline = now + ms * 1000000u;
  if (hc->deadline_ns && hc->deadline_ns < deadline) deadline = hc->deadline_ns;
  run rn = {
    .hc = hc, .ctx = ctx, .st = st, .desc = &d,
    .wait = {.deadline_ns = deadline, .call_deadline_ns = hc->deadline_ns, .cancel = hc->cancel},
  };
  host_transfer_resp resp;
  memset(&resp, 0, sizeof resp);
  bool ok = run_hops(&rn, &resp, f);
  if (ok && !host_response_encode(&resp, st->secrets.set, json)) {
    host_fail_set(f, WG_ERR_INTERNAL, "out of memory writing the response");
    ok = false;
  }
  host_transfer_resp_free(&resp);
  host_desc_free(&d);
  if (!ok) {
    /* Defence in depth: no secret value leaves in a message. */
    wg_buf red;
    wg_buf_init(&red, 0);
    if (wg_pol_redact(st->secrets.set, f->message, strlen(f->message), &red) && red.data)
      wg_error_sanitize(f->message, sizeof f->message, red.data, red.len);
    wg_buf_free(&red);
  }
  return ok;
}
