/* error.c: the policy's codes and rules (stable names) and its bounded,
 * printable messages. */
#include "pol_internal.h"

#include <stdio.h>
#include <string.h>

const char *wg_pol_code_name(wg_pol_code code) {
  switch (code) {
  case WG_POL_OK: return "ok";
  case WG_POL_GRANT_DENIED: return "https_grant_denied";
  case WG_POL_URL_REJECTED: return "https_url_rejected";
  case WG_POL_PRIVATE_ADDRESS: return "https_private_address";
  case WG_POL_METHOD_DENIED: return "https_method_denied";
  case WG_POL_HEADER_REJECTED: return "https_header_rejected";
  case WG_POL_BODY_TOO_LARGE: return "https_body_too_large";
  case WG_POL_DNS_FAILED: return "https_dns_failed";
  case WG_POL_TLS_FAILED: return "https_tls_failed";
  case WG_POL_TIMEOUT: return "https_timeout";
  case WG_POL_NETWORK: return "https_network";
  case WG_POL_TOO_MANY_REQUESTS: return "https_too_many_requests";
  case WG_POL_INTERNAL: return "internal";
  }
  return WG_NAME_UNKNOWN;
}

const char *wg_pol_rule_name(wg_pol_rule rule) {
  static const char *const names[] = {
      [WG_POL_RULE_NONE] = "none",
      [WG_POL_RULE_URL_TOO_LONG] = "url_too_long",
      [WG_POL_RULE_URL_SYNTAX] = "url_syntax",
      [WG_POL_RULE_SCHEME] = "scheme",
      [WG_POL_RULE_USERINFO] = "userinfo",
      [WG_POL_RULE_NO_HOST] = "no_host",
      [WG_POL_RULE_HOST_INVALID] = "host_invalid",
      [WG_POL_RULE_IDN] = "idn",
      [WG_POL_RULE_IPV4_INVALID] = "ipv4_invalid",
      [WG_POL_RULE_IPV6_INVALID] = "ipv6_invalid",
      [WG_POL_RULE_ZONE_ID] = "zone_id",
      [WG_POL_RULE_PORT] = "port",
      [WG_POL_RULE_PLACEHOLDER] = "placeholder",
      [WG_POL_RULE_LOCAL_NAME] = "local_name",
      [WG_POL_RULE_BLOCKED_ADDRESS] = "blocked_address",
      [WG_POL_RULE_METHOD] = "method",
      [WG_POL_RULE_HEADER_COUNT] = "header_count",
      [WG_POL_RULE_HEADER_NAME] = "header_name",
      [WG_POL_RULE_HEADER_VALUE] = "header_value",
      [WG_POL_RULE_HEADER_SENSITIVE] = "header_sensitive",
      [WG_POL_RULE_HEADER_MANAGED] = "header_managed",
      [WG_POL_RULE_HEADER_GRANTED] = "header_granted",
      [WG_POL_RULE_BODY] = "body",
      [WG_POL_RULE_NO_GRANTS] = "no_grants",
      [WG_POL_RULE_HOST_NOT_GRANTED] = "host_not_granted",
      [WG_POL_RULE_PORT_NOT_GRANTED] = "port_not_granted",
      [WG_POL_RULE_METHOD_NOT_GRANTED] = "method_not_granted",
      [WG_POL_RULE_PATH_NOT_GRANTED] = "path_not_granted",
      [WG_POL_RULE_PATH_SECRET_NOT_GRANTED] = "path_secret_not_granted",
      [WG_POL_RULE_SECRET_MISSING] = "secret_missing",
      [WG_POL_RULE_SECRET_INVALID] = "secret_invalid",
      [WG_POL_RULE_NOMEM] = "nomem",
  };
  WG_NAMES_COVER(names, WG_POL_RULE_NOMEM);
  return WG_NAME_IN(names, rule);
}

wg_pol_code pol_fail(wg_pol_error *err, wg_pol_code code, wg_pol_rule rule,
                     const char *fmt, ...) {
  if (!err) return code;
  err->code = code;
  err->rule = rule;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  /* A cut message must not end inside a UTF-8 sequence. */
  size_t n = strlen(err->message);
  err->message[wg_utf8_trim((const uint8_t *)err->message, n)] = '\0';
  return code;
}

void pol_ok(wg_pol_error *err) {
  if (!err) return;
  err->code = WG_POL_OK;
  err->rule = WG_POL_RULE_NONE;
  err->message[0] = '\0';
}

void pol_quote(char *out, size_t size, const char *text, size_t len, size_t max) {
  size_t o = 0, i = 0;
  if (size < max + 4) max = size > 4 ? size - 4 : 0;
  while (i < len && o < max) {
    unsigned char c = (unsigned char)text[i];
    if (c >= 0x80) {
      uint32_t cp;
      size_t k = wg_utf8_decode((const uint8_t *)text + i, len - i, &cp);
      if (k && cp >= 0xA0 && o + k <= max) {
        memcpy(out + o, text + i, k);
        o += k, i += k;
        continue;
      }
      if (k && o + k > max) break;
      out[o++] = '?';
      i += k ? k : 1;
      continue;
    }
    out[o++] = (c < 0x20 || c == 0x7F) ? '?' : (c == '"' || c == '`') ? '\'' : (char)c;
    i++;
  }
  if (i < len) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = '\0';
}

bool pol_ieq(const char *a, size_t alen, const char *b) {
  size_t n = strlen(b);
  if (alen != n) return false;
  for (size_t i = 0; i < n; i++)
    if (pol_lower(a[i]) != b[i]) return false;
  return true;
}

bool pol_secret_name_valid(const char *s, size_t len) {
  if (len == 0 || len > 64) return false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!(pol_is_alpha(c) || pol_is_digit(c) || c == '_' || c == '-' || c == '.'))
      return false;
  }
  return true;
}

size_t pol_placeholder(const char *s, size_t len, const char **name,
                       size_t *name_len) {
  static const char open[] = "{{secret:";
  const size_t olen = sizeof open - 1;
  if (len < olen || memcmp(s, open, olen) != 0) return 0;
  size_t i = olen;
  while (i < len && i - olen <= 64 && s[i] != '}') i++;
  if (i + 1 >= len || s[i] != '}' || s[i + 1] != '}') return SIZE_MAX;
  if (!pol_secret_name_valid(s + olen, i - olen)) return SIZE_MAX;
  *name = s + olen;
  *name_len = i - olen;
  return i + 2;
}
