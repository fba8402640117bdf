/* https_response.c: the response JSON a guest reads with
 * `yoi:https.response_read`, with yoi's bounds pass (body, header count,
 * header values):
 *
 *   {"status":200,"headers":[{"name":"content-type","value":"..."}],
 *    "body":"...","truncated":false}
 *
 * Headers in the server's order with lowercase names; sensitive ones
 * (wg_pol_header_sensitive) dropped; a value that is not visible ASCII
 * (tab allowed) skipped, as yoi's to_str(); the first 16 kept; each value
 * redacted (every secret form, then yoi's needle rule) and cut to 1 KiB
 * plus "...". The body has every secret form replaced before it is cut (the
 * client reads slack past the limit for this), is decoded as lossy UTF-8
 * (an invalid byte becomes U+FFFD) and cut to 64 KiB on a character
 * boundary; `truncated` says something was cut. */
#include "host_https.h"

#include <string.h>

static bool visible_ascii(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!(c == '\t' || (c >= 0x20 && c < 0x7f))) return false;
  }
  return true;
}

/* Redacted and cut header value, as a JSON string. */
static bool write_value(wg_json_writer *w, const wg_pol_secrets *secrets,
                        const host_header *h) {
  wg_buf a, b;
  wg_buf_init(&a, 0);
  wg_buf_init(&b, 0);
  bool ok = wg_pol_redact(secrets, h->value, h->value_len, &a) &&
            wg_pol_redact_secret_like(a.data ? a.data : "", a.len, &b);
  if (ok) {
    const char *v = b.data ? b.data : "";
    size_t n = b.len;
    if (n > WG_HTTPS_MAX_RESPONSE_HEADER_VALUE) {
      char cut[WG_HTTPS_MAX_RESPONSE_HEADER_VALUE + 4];
      size_t cn = wg_utf8_cut(cut, sizeof cut, v, n, WG_HTTPS_MAX_RESPONSE_HEADER_VALUE,
                              "\xe2\x80\xa6");
      ok = wg_json_writer_string(w, cut, cn);
    } else {
      ok = wg_json_writer_string(w, v, n);
    }
  }
  wg_buf_free(&a);
  wg_buf_free(&b);
  return ok;
}

static bool write_headers(wg_json_writer *w, const host_transfer_resp *r,
                          const wg_pol_secrets *secrets) {
  wg_json_writer_begin_array(w);
  size_t kept = 0;
  for (size_t i = 0; i < r->header_count && kept < WG_HTTPS_MAX_RESPONSE_HEADERS; i++) {
    const host_header *h = &r->headers[i];
    if (wg_pol_header_sensitive(h->name, h->name_len)) continue;
    if (!visible_ascii(h->value, h->value_len)) continue;
    wg_json_writer_begin_object(w);
    wg_json_writer_key(w, "name", 4);
    wg_json_writer_string(w, h->name, h->name_len);
    wg_json_writer_key(w, "value", 5);
    if (!write_value(w, secrets, h)) return false;
    wg_json_writer_end_object(w);
    kept++;
  }
  return wg_json_writer_end_array(w);
}

/* Lossy UTF-8 of s[0..n) into out, stopping before the first character
 * that would pass `limit` bytes; *cut says whether anything was left. */
static void lossy_utf8(const char *s, size_t n, size_t limit, wg_buf *out, bool *cut) {
  static const char fffd[] = "\xef\xbf\xbd";
  const uint8_t *p = (const uint8_t *)s;
  *cut = false;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t k = wg_utf8_decode(p + i, n - i, &cp);
    const char *bytes = k ? s + i : fffd;
    size_t blen = k ? k : 3;
    if (out->len + blen > limit) {
      *cut = true;
      return;
    }
    wg_buf_append(out, bytes, blen);
    i += k ? k : 1;
  }
}

bool host_response_encode(const host_transfer_resp *r, const wg_pol_secrets *secrets,
                          wg_buf *out) {
  wg_buf redacted, body;
  wg_buf_init(&redacted, 0);
  wg_buf_init(&body, 0);
  bool cut = false;
  bool ok = wg_pol_redact(secrets, r->body ? r->body : "", r->body_len, &redacted);
  if (ok) {
    lossy_utf8(redacted.data ? redacted.data : "", redacted.len, WG_HTTPS_MAX_RESPONSE_BODY, &body, &cut);
    ok = wg_buf_ok(&body);
  }
  wg_json_writer w;
  wg_json_writer_init(&w, out);
  if (ok) {
    wg_json_writer_begin_object(&w);
    wg_json_writer_key(&w, "status", 6);
    wg_json_writer_int(&w, r->status);
    wg_json_writer_key(&w, "headers", 7);
    ok = write_headers(&w, r, secrets);
  }
  if (ok) {
    wg_json_writer_key(&w, "body", 4);
    wg_json_writer_string(&w, body.data ? body.data : "", body.len);
    wg_json_writer_key(&w, "truncated", 9);
    wg_json_writer_bool(&w, r->truncated || cut);
    wg_json_writer_end_object(&w);
    ok = wg_json_writer_finish(&w);
  }
  wg_buf_free(&redacted);
  wg_buf_free(&body);
  return ok;
}
