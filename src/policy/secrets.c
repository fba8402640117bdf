/* secrets.c: a set of secret values given by the host, their expansion
 * into grant header values (${secret:NAME}) and URL paths
 * ({{secret:NAME}}), and the forms redaction looks for.
 *
 * The policy never reads a secret from anywhere: values come from the
 * caller, are copied, and are wiped on free. Every failure path that may
 * have written part of a value into a caller's buffer wipes it again. */
#include "pol_internal.h"
#include "pol_secrets.h"

#include <stdlib.h>
#include <string.h>

static void wipe(void *p, size_t n) {
  volatile unsigned char *v = p;
  while (n--) *v++ = 0;
}

/* Truncates out back to `mark`, zeroing what was appended after it. */
static void wipe_tail(wg_buf *out, size_t mark) {
  if (out->data && out->len > mark) wipe(out->data + mark, out->len - mark);
  if (out->data) {
    out->len = mark;
    out->data[mark] = '\0';
  }
}

static bool add_form(wg_pol_secrets *s, const char *bytes, size_t n) {
  if (n == 0) return true;
  for (size_t i = 0; i < s->form_count; i++)
    if (s->forms[i].len == n && memcmp(s->forms[i].bytes, bytes, n) == 0) return true;
  char *copy = malloc(n);
  if (!copy) return false;
  memcpy(copy, bytes, n);
  s->forms[s->form_count++] = (pol_form){copy, n};
  if (n > s->max_form) s->max_form = n;
  return true;
}

static bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

/* Percent-encodes v into out (3 * n bytes): every byte but unreserved;
 * `plus` writes space as '+'. Returns the length. */
static size_t url_encode(const uint8_t *v, size_t n, bool lower, bool plus, char *out) {
  const char *hex = lower ? "0123456789abcdef" : "0123456789ABCDEF";
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (unreserved(v[i])) {
      out[o++] = (char)v[i];
    } else if (plus && v[i] == ' ') {
      out[o++] = '+';
    } else {
      out[o++] = '%';
      out[o++] = hex[v[i] >> 4];
      out[o++] = hex[v[i] & 15];
    }
  }
  return o;
}

/* The base64 text of (a zero bytes, v) with padding; returns its length. */
static size_t b64(const uint8_t *v, size_t n, unsigned a, bool url, char *out) {
  const char *alpha = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t total = n + a, o = 0;
  for (size_t i = 0; i < total; i += 3) {
    uint32_t w = 0;
    size_t k = 0;
    for (; k < 3 && i + k < total; k++) {
      size_t at = i + k;
      w |= (uint32_t)(at < a ? 0 : v[at - a]) << (16 - 8 * k);
    }
    out[o++] = alpha[(w >> 18) & 63];
    out[o++] = alpha[(w >> 12) & 63];
    out[o++] = k > 1 ? alpha[(w >> 6) & 63] : '=';
    out[o++] = k > 2 ? alpha[w & 63] : '=';
  }
  return o;
}

/* Base64 forms of v at byte alignment a inside a longer stream: the
 * characters that depend on v alone (interior), and, for v at the end of
 * the stream, through the last partial character with and without '='. */
static bool add_b64_forms(wg_pol_secrets *s, const uint8_t *v, size_t n, unsigned a,
                          bool url, char *scratch) {
  size_t full = b64(v, n, a, url, scratch);
  size_t first = (8 * a + 5) / 6;      /* chars touching the a unknown bytes */
  size_t last = (8 * (a + n)) / 6;     /* chars wholly inside v: [first, last) */
  if (last > first && !add_form(s, scratch + first, last - first)) return false;
  size_t unpadded = full;
  while (unpadded > 0 && scratch[unpadded - 1] == '=') unpadded--;
  return add_form(s, scratch + first, full - first) &&
         add_form(s, scratch + first, unpadded - first);
}

static bool add_forms(wg_pol_secrets *s, const uint8_t *v, size_t n) {
  char *scratch = malloc(3 * n + 8);
  if (!scratch) return false;
  bool ok = add_form(s, (const char *)v, n);
  for (int lower = 0; ok && lower < 2; lower++)
    ok = add_form(s, scratch, url_encode(v, n, lower, false, scratch));
  if (ok && memchr(v, ' ', n)) ok = add_form(s, scratch, url_encode(v, n, false, true, scratch));
  for (unsigned a = 0; ok && a < 3; a++)
    for (int url = 0; ok && url < 2; url++) ok = add_b64_forms(s, v, n, a, url, scratch);
  wipe(scratch, 3 * n + 8);
  free(scratch);
  return ok;
}

static wg_pol_code check_item(const wg_pol_secret *it, const wg_pol_secrets *s,
                              wg_pol_error *err) {
  size_t nlen = it->name ? strlen(it->name) : 0;
  if (!pol_secret_name_valid(it->name ? it->name : "", nlen))
    return pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_SECRET_INVALID,
                    "secret name is not a valid [secrets] name");
  for (size_t i = 0; i < s->count; i++)
    if (strcmp(s->items[i].name, it->name) == 0)
      return pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_SECRET_INVALID,
                      "secret `%s` is given twice", it->name);
  if (it->len < WG_POL_SECRET_MIN)
    return pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_SECRET_INVALID,
                    "secret `%s` is shorter than %d bytes", it->name, WG_POL_SECRET_MIN);
  if (it->len > WG_POL_SECRET_VALUE_MAX)
    return pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_SECRET_INVALID,
                    "secret `%s` is longer than %d bytes", it->name, WG_POL_SECRET_VALUE_MAX);
  if (!wg_http_field_value((const char *)it->value, it->len))
    return pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_SECRET_INVALID,
                    "secret `%s` holds a control character", it->name);
  return WG_POL_OK;
}

wg_pol_code wg_pol_secrets_new(const wg_pol_secret *items, size_t n,
                               wg_pol_secrets **out, wg_pol_error *err) {
  *out = NULL;
  if (n > WG_POL_SECRETS_MAX)
    return pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_SECRET_INVALID,
                    "more than %d secrets", WG_POL_SECRETS_MAX);
  wg_pol_secrets *s = calloc(1, sizeof *s);
  if (!s) return pol_fail(err, WG_POL_INTERNAL, WG_POL_RULE_NOMEM, "out of memory");
  s->items = calloc(n ? n : 1, sizeof *s->items);
  s->forms = calloc(n ? n * POL_FORMS_PER_SECRET : 1, sizeof *s->forms);
  wg_pol_code rc = WG_POL_OK;
  if (!s->items || !s->forms) goto nomem;
  for (size_t i = 0; i < n; i++) {
    rc = check_item(&items[i], s, err);
    if (rc) goto fail;
    pol_secret *it = &s->items[s->count];
    memcpy(it->name, items[i].name, strlen(items[i].name) + 1);
    it->value = malloc(items[i].len);
    if (!it->value) goto nomem;
    memcpy(it->value, items[i].value, items[i].len);
    it->len = items[i].len;
    s->count++;
    if (!add_forms(s, it->value, it->len)) goto nomem;
  }
  *out = s;
  pol_ok(err);
  return WG_POL_OK;
nomem:
  rc = pol_fail(err, WG_POL_INTERNAL, WG_POL_RULE_NOMEM, "out of memory");
fail:
  wg_pol_secrets_free(s);
  return rc;
}

void wg_pol_secrets_free(wg_pol_secrets *s) {
  if (!s) return;
  for (size_t i = 0; s->items && i < s->count; i++) {
    wipe(s->items[i].value, s->items[i].len);
    free(s->items[i].value);
  }
  for (size_t i = 0; s->forms && i < s->form_count; i++) {
    wipe(s->forms[i].bytes, s->forms[i].len);
    free(s->forms[i].bytes);
  }
  free(s->items);
  free(s->forms);
  free(s);
}

static const pol_secret *find(const wg_pol_secrets *s, const char *name, size_t n) {
  for (size_t i = 0; s && i < s->count; i++)
    if (strlen(s->items[i].name) == n && memcmp(s->items[i].name, name, n) == 0)
      return &s->items[i];
  return NULL;
}

static wg_pol_code missing(wg_pol_error *err, const char *name, size_t n) {
  return pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_SECRET_MISSING,
                  "secret `%.*s` is not available", (int)n, name);
}

wg_pol_code wg_pol_expand_header(const wg_pol_secrets *secrets, const char *value,
                                 size_t len, wg_buf *out, wg_pol_error *err) {
  static const char open[] = "${secret:";
  const size_t olen = sizeof open - 1;
  size_t mark = out->len, i = 0;
  wg_pol_code rc = WG_POL_OK;
  while (i < len) {
    if (len - i >= olen && memcmp(value + i, open, olen) == 0) {
      const char *name = value + i + olen;
      const char *close = memchr(name, '}', len - i - olen);
      size_t n = close ? (size_t)(close - name) : 0;
      if (!close || !pol_secret_name_valid(name, n)) {
        rc = pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_SECRET_MISSING,
                      "grant header value has a malformed ${secret:NAME} reference");
        goto fail;
      }
      const pol_secret *s = find(secrets, name, n);
      if (!s) {
        rc = missing(err, name, n);
        goto fail;
      }
      wg_buf_append(out, s->value, s->len);
      i += olen + n + 1;
      continue;
    }
    wg_buf_append_char(out, value[i++]);
  }
  if (!wg_buf_ok(out)) {
    rc = out->oom ? pol_fail(err, WG_POL_INTERNAL, WG_POL_RULE_NOMEM, "out of memory")
                  : pol_fail(err, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_VALUE,
                             "grant header value does not fit its buffer");
    goto fail;
  }
  size_t n = out->len - mark;
  if (n > WG_POL_HEADER_VALUE_MAX || !wg_http_field_value(out->data + mark, n)) {
    rc = pol_fail(err, WG_POL_HEADER_REJECTED, WG_POL_RULE_HEADER_VALUE,
                  "grant header value is not a valid header value once its secrets "
                  "are expanded (at most %d bytes, no control character)",
                  WG_POL_HEADER_VALUE_MAX);
    goto fail;
  }
  pol_ok(err);
  return WG_POL_OK;
fail:
  wipe_tail(out, mark);
  return rc;
}

static bool grant_lists(const wg_config_https_grant *g, const char *name, size_t n) {
  for (size_t i = 0; g && i < g->path_secret_count; i++)
    if (strlen(g->path_secrets[i]) == n && memcmp(g->path_secrets[i], name, n) == 0) return true;
  return false;
}

wg_pol_code wg_pol_url_substitute(const wg_pol_url *url, const wg_config_https_grant *grant,
                                  const wg_pol_secrets *secrets, wg_buf *out,
                                  wg_pol_error *err) {
  size_t mark = out->len;
  wg_pol_code rc = WG_POL_OK;
  wg_pol_url origin = *url;
  origin.path = "";
  origin.path_len = 0;
  origin.query = NULL;
  wg_pol_url_href(&origin, out);
  for (size_t i = 0; i < url->path_len;) {
    const char *name;
    size_t n, k = url->path[i] == '{' ? pol_placeholder(url->path + i, url->path_len - i, &name, &n) : 0;
    if (k == 0 || k == SIZE_MAX) {
      wg_buf_append_char(out, url->path[i++]);
      continue;
    }
    if (!grant_lists(grant, name, n)) {
      rc = pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_PATH_SECRET_NOT_GRANTED,
                    "path secret `%.*s` is not granted for this host", (int)n, name);
      goto fail;
    }
    const pol_secret *s = find(secrets, name, n);
    if (!s) {
      rc = missing(err, name, n);
      goto fail;
    }
    char enc[3 * WG_POL_SECRET_VALUE_MAX];
    size_t e = url_encode(s->value, s->len, false, false, enc);
    wg_buf_append(out, enc, e);
    wipe(enc, e);
    i += k;
  }
  if (url->query) {
    wg_buf_append_char(out, '?');
    wg_buf_append(out, url->query, url->query_len);
  }
  if (out->oom) {
    rc = pol_fail(err, WG_POL_INTERNAL, WG_POL_RULE_NOMEM, "out of memory");
    goto fail;
  }
  if (!wg_buf_ok(out) || out->len - mark > WG_POL_SEND_URL_MAX) {
    rc = pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_URL_TOO_LONG,
                  "HTTPS URL is longer than %d bytes once its secrets are substituted",
                  WG_POL_SEND_URL_MAX);
    goto fail;
  }
  pol_ok(err);
  return WG_POL_OK;
fail:
  wipe_tail(out, mark);
  return rc;
}
