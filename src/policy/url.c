/* url.c: the WHATWG URL parser for the one scheme we accept (https), with
 * and without a base (a redirect's Location), and the URL's two printed
 * forms: href (what is sent, placeholders still in) and the safe form
 * (logs, errors, history: no query, path cut).
 *
 * Where WHATWG silently repairs input that no honest client writes (tab,
 * CR, LF, leading/trailing controls), we refuse it instead; everything else
 * follows the spec's state machine for special URLs. */
#include "pol_internal.h"

#include <stdlib.h>
#include <string.h>

static wg_pol_code syntax(wg_pol_error *err, const char *what) {
  return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_URL_SYNTAX, "HTTPS URL %s", what);
}

static wg_pol_code check_text(const char *text, size_t len, wg_pol_error *err) {
  if (len > WG_POL_URL_MAX)
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_URL_TOO_LONG,
                    "HTTPS URL is longer than %d bytes", WG_POL_URL_MAX);
  if (len == 0) return syntax(err, "is empty");
  if (!wg_utf8_valid((const uint8_t *)text, len)) return syntax(err, "is not valid UTF-8");
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
      return syntax(err, "contains a tab or line break");
  if ((unsigned char)text[0] <= 0x20 || (unsigned char)text[len - 1] <= 0x20)
    return syntax(err, "has leading or trailing spaces or control characters");
  return WG_POL_OK;
}

/* Length of the scheme if text starts with "scheme:", else 0. */
static size_t scheme_len(const char *text, size_t len) {
  if (len == 0 || !pol_is_alpha(text[0])) return 0;
  size_t i = 1;
  while (i < len && (pol_is_alpha(text[i]) || pol_is_digit(text[i]) || text[i] == '+' ||
                     text[i] == '-' || text[i] == '.'))
    i++;
  return i < len && text[i] == ':' ? i : 0;
}

static bool is_slash(char c) { return c == '/' || c == '\\'; }

static size_t find_any(const char *s, size_t from, size_t len, const char *set) {
  while (from < len && (s[from] == 0 || !strchr(set, s[from]))) from++;
  return from;
}

static bool contains(const char *s, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(s + i, needle, n) == 0) return true;
  return false;
}

static wg_pol_code nomem(wg_pol_error *err) {
  return pol_fail(err, WG_POL_INTERNAL, WG_POL_RULE_NOMEM, "out of memory");
}

static wg_pol_code parse_port(const char *s, size_t len, wg_pol_url *out,
                              wg_pol_error *err) {
  out->port = 443;
  if (len == 0) return WG_POL_OK; /* "host:" is the default port */
  uint32_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!pol_is_digit(s[i]))
      return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_PORT,
                      "HTTPS URL port is not a number");
    if (v <= 65535) v = v * 10 + (uint32_t)(s[i] - '0');
  }
  if (v == 0 || v > 65535)
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_PORT,
                    "HTTPS URL port must be 1-65535");
  out->port = (uint16_t)v;
  out->explicit_port = v != 443;
  return WG_POL_OK;
}

/* The authority at text[*p..]: slashes skipped, no userinfo, host, port. */
static wg_pol_code parse_authority(const char *text, size_t len, size_t *p,
                                   bool placeholders, wg_pol_url *out,
                                   wg_pol_error *err) {
  size_t i = *p;
  while (i < len && is_slash(text[i])) i++;
  size_t end = find_any(text, i, len, "/\\?#");
  const char *a = text + i;
  size_t n = end - i;
  *p = end;
  if (memchr(a, '@', n))
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_USERINFO,
                    "HTTPS URLs with embedded credentials are not allowed");
  if (placeholders && contains(a, n, "{{secret:"))
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_PLACEHOLDER,
                    "HTTPS URL secret placeholders are only substituted in the path");
  size_t host_len;
  const char *port = NULL;
  if (n > 0 && a[0] == '[') {
    const char *rb = memchr(a, ']', n);
    host_len = rb ? (size_t)(rb - a) + 1 : n;
    if (host_len < n) {
      if (a[host_len] != ':')
        return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_IPV6_INVALID,
                        "HTTPS URL host is not a valid IPv6 address");
      port = a + host_len + 1;
    }
  } else {
    const char *colon = memchr(a, ':', n);
    host_len = colon ? (size_t)(colon - a) : n;
    if (colon) port = colon + 1;
  }
  if (host_len == 0)
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_NO_HOST,
                    "HTTPS URL must include a host");
  wg_pol_code rc = parse_port(port, port ? (size_t)(a + n - port) : 0, out, err);
  if (rc) return rc;
  return wg_pol_host_parse(a, host_len, &out->host, err);
}

/* WHATWG special-query percent-encode set: C0, above 0x7E, space " # < > '. */
static bool query_encode(unsigned char c) {
  return c < 0x21 || c > 0x7E || strchr("\"#<>'", c) != NULL;
}

static wg_pol_code parse_query(const char *q, size_t n, bool placeholders,
                               wg_pol_url *out, wg_pol_error *err) {
  static const char hex[] = "0123456789ABCDEF";
  if (placeholders && contains(q, n, "{{secret:"))
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_PLACEHOLDER,
                    "HTTPS URL secret placeholders are only substituted in the path");
  wg_buf b;
  wg_buf_init(&b, WG_POL_SEND_URL_MAX);
  wg_buf_append(&b, "", 0);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)q[i];
    if (query_encode(c)) {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      wg_buf_append(&b, e, 3);
    } else {
      wg_buf_append_char(&b, (char)c);
    }
  }
  if (!wg_buf_ok(&b)) {
    bool oom = b.oom;
    wg_buf_free(&b);
    return oom ? nomem(err)
               : pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_URL_TOO_LONG,
                          "HTTPS URL is longer than %d bytes once encoded",
                          WG_POL_SEND_URL_MAX);
  }
  out->query = wg_buf_take(&b, &out->query_len);
  return out->query ? WG_POL_OK : nomem(err);
}

/* Path (from text[p], with base's directory when base_path is given) and
 * query; the fragment is dropped. */
static wg_pol_code parse_rest(const char *text, size_t len, size_t p,
                              bool placeholders, const char *base_path,
                              size_t base_len, wg_pol_url *out, wg_pol_error *err) {
  size_t path_end = find_any(text, p, len, "?#");
  wg_buf b;
  wg_buf_init(&b, WG_POL_SEND_URL_MAX);
  wg_pol_code rc = pol_path_parse(text + p, path_end - p, placeholders, base_path,
                                  base_len, &b, &out->placeholder_count, err);
  if (rc) {
    wg_buf_free(&b);
    return rc;
  }
  out->path = wg_buf_take(&b, &out->path_len);
  if (!out->path) return nomem(err);
  if (path_end < len && text[path_end] == '?') {
    size_t q_end = find_any(text, path_end + 1, len, "#");
    return parse_query(text + path_end + 1, q_end - path_end - 1, placeholders, out, err);
  }
  return WG_POL_OK;
}

static char *dup_n(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

static void copy_origin(const wg_pol_url *base, wg_pol_url *out) {
  out->host = base->host;
  out->port = base->port;
  out->explicit_port = base->explicit_port;
}

/* WHATWG relative state for a special base (the reference has no scheme,
 * or has "https:" not followed by "//"). */
static wg_pol_code parse_relative(const wg_pol_url *base, const char *text,
                                  size_t len, size_t p, wg_pol_url *out,
                                  wg_pol_error *err) {
  if (p < len && is_slash(text[p])) {
    if (p + 1 < len && is_slash(text[p + 1])) {
      wg_pol_code rc = parse_authority(text, len, &p, false, out, err);
      return rc ? rc : parse_rest(text, len, p, false, NULL, 0, out, err);
    }
    copy_origin(base, out);
    return parse_rest(text, len, p, false, NULL, 0, out, err);
  }
  copy_origin(base, out);
  if (p < len && text[p] != '?' && text[p] != '#')
    return parse_rest(text, len, p, false, base->path, base->path_len, out, err);
  /* "?query", "#fragment" or "": base's path (and query unless replaced). */
  out->path = dup_n(base->path, base->path_len);
  out->path_len = base->path_len;
  out->placeholder_count = base->placeholder_count;
  if (!out->path) return nomem(err);
  if (p < len && text[p] == '?') {
    size_t q_end = find_any(text, p + 1, len, "#");
    return parse_query(text + p + 1, q_end - p - 1, false, out, err);
  }
  if (base->query) {
    out->query = dup_n(base->query, base->query_len);
    out->query_len = base->query_len;
    if (!out->query) return nomem(err);
  }
  return WG_POL_OK;
}

wg_pol_code pol_url_parse(const wg_pol_url *base, const char *text, size_t len,
                          wg_pol_url *out, wg_pol_error *err) {
  memset(out, 0, sizeof *out);
  pol_ok(err);
  /* An empty reference is the base itself (WHATWG); an empty URL is not. */
  wg_pol_code rc = base && len == 0 ? WG_POL_OK : check_text(text, len, err);
  if (rc) return rc;
  size_t sl = scheme_len(text, len);
  if (sl && !pol_ieq(text, sl, "https")) {
    char q[POL_QUOTE_MAX + 4];
    pol_quote(q, sizeof q, text, sl, 32);
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_SCHEME,
                    "unsupported URL scheme \"%s\"; only https is allowed", q);
  }
  if (base) {
    rc = parse_relative(base, text, len, sl ? sl + 1 : 0, out, err);
  } else if (!sl) {
    rc = syntax(err, "is not absolute: it must start with https://");
  } else {
    size_t p = sl + 1;
    rc = parse_authority(text, len, &p, true, out, err);
    if (!rc) rc = parse_rest(text, len, p, true, NULL, 0, out, err);
  }
  if (rc) wg_pol_url_free(out);
  return rc;
}

wg_pol_code wg_pol_url_parse(const char *text, size_t len, wg_pol_url *out,
                             wg_pol_error *err) {
  return pol_url_parse(NULL, text, len, out, err);
}

wg_pol_code wg_pol_url_resolve(const wg_pol_url *base, const char *ref,
                               size_t len, wg_pol_url *out, wg_pol_error *err) {
  return pol_url_parse(base, ref, len, out, err);
}

void wg_pol_url_free(wg_pol_url *u) {
  if (!u) return;
  free(u->path);
  free(u->query);
  memset(u, 0, sizeof *u);
}

static void append_origin(const wg_pol_url *u, wg_buf *out) {
  wg_buf_append_str(out, "https://");
  if (u->host.kind == WG_POL_HOST_IPV6) wg_buf_append_char(out, '[');
  wg_buf_append_str(out, u->host.name);
  if (u->host.kind == WG_POL_HOST_IPV6) wg_buf_append_char(out, ']');
  if (u->explicit_port) wg_buf_printf(out, ":%u", (unsigned)u->port);
}

bool wg_pol_url_href(const wg_pol_url *u, wg_buf *out) {
  append_origin(u, out);
  wg_buf_append(out, u->path, u->path_len);
  if (u->query) {
    wg_buf_append_char(out, '?');
    wg_buf_append(out, u->query, u->query_len);
  }
  return wg_buf_ok(out);
}

bool wg_pol_url_safe(const wg_pol_url *u, wg_buf *out) {
  append_origin(u, out);
  size_t n = u->path_len;
  if (n > WG_POL_SAFE_PATH_MAX) {
    n = WG_POL_SAFE_PATH_MAX;
    /* Do not leave half of a %XX escape. */
    if (u->path[n - 1] == '%') n -= 1;
    else if (n >= 2 && u->path[n - 2] == '%') n -= 2;
    n = wg_utf8_trim((const uint8_t *)u->path, n);
  }
  wg_buf_append(out, u->path, n);
  if (n < u->path_len) wg_buf_append_str(out, "\xE2\x80\xA6");
  return wg_buf_ok(out);
}

bool wg_pol_safe_url_text(const char *text, size_t len, wg_buf *out) {
  size_t end = find_any(text, 0, len, "?#");
  size_t start = 0, scheme_end = 0;
  /* Drop userinfo: from the authority's start to its last '@'. */
  for (size_t i = 0; i + 2 < end; i++) {
    if (text[i] == ':' && is_slash(text[i + 1]) && is_slash(text[i + 2])) {
      scheme_end = i + 3;
      break;
    }
  }
  if (scheme_end) {
    size_t a_end = find_any(text, scheme_end, end, "/\\");
    for (size_t i = scheme_end; i < a_end; i++)
      if (text[i] == '@') start = i + 1;
  }
  size_t o = 0, i = 0;
  while (i < end && o < POL_SAFE_TEXT_MAX) {
    if (start && i == scheme_end) i = start;
    if (i >= end) break;
    unsigned char c = (unsigned char)text[i];
    uint32_t cp;
    size_t k = c >= 0x80 ? wg_utf8_decode((const uint8_t *)text + i, end - i, &cp) : 1;
    if (c >= 0x80 && k && cp >= 0xA0) {
      if (o + k > POL_SAFE_TEXT_MAX) break;
      wg_buf_append(out, text + i, k);
      o += k, i += k;
      continue;
    }
    wg_buf_append_char(out, (c < 0x20 || c >= 0x7F) ? '?' : (char)c);
    o++;
    i += k ? k : 1;
  }
  if (i < end) wg_buf_append_str(out, "\xE2\x80\xA6");
  return wg_buf_ok(out);
}
