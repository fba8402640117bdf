/* host.c: the WHATWG host parser for special schemes (percent-decoding,
 * IDNA to ASCII, forbidden code points, the IPv4 number parser, "[v6]"),
 * then yoi's canonical form (trailing dots trimmed, brackets
 * stripped, lowercase) and DNS length rules.
 *
 * Decisions (docs/https.md): IDN via libidn2 (UTS 46 non-transitional over
 * IDNA2008; idn.c loads it on first use), called only for hosts with a non-ASCII byte or an "xn--"
 * label; libidn2 is stricter than WHATWG's UTS 46 (it refuses symbols such
 * as U+2603 and checks hyphens in IDN labels), so a few names a browser
 * accepts are refused here, never the reverse. Empty labels, labels over 63
 * bytes and hosts over 253 bytes are refused (WHATWG allows them; DNS does
 * not). Zone ids get their own rule. */
#include "pol_internal.h"

#include <stdlib.h>
#include <string.h>

/* WHATWG forbidden domain code points (ASCII part; IDNA output is ASCII). */
static bool forbidden_domain_byte(unsigned char c) {
  if (c <= 0x20 || c == 0x7F) return true;
  return strchr("#%/:<>?@[\\]^|", c) != NULL && c != 0;
}

/* WHATWG IPv4 number parser. Returns false on failure; a value above 2^32
 * saturates (it is refused by the caller either way). */
static bool ipv4_number(const char *s, size_t len, uint64_t *out) {
  if (len == 0) return false;
  unsigned radix = 10;
  if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2, len -= 2, radix = 16;
  } else if (len >= 2 && s[0] == '0') {
    s += 1, len -= 1, radix = 8;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    int d = pol_hex(s[i]);
    if (d < 0 || (unsigned)d >= radix) return false;
    if (v <= (1ull << 32)) v = v * radix + (unsigned)d;
  }
  *out = v > (1ull << 32) ? (1ull << 32) + 1 : v;
  return true;
}

/* WHATWG "ends in a number" on a host without trailing dots. */
static bool ends_in_number(const char *s, size_t len) {
  size_t start = len;
  while (start > 0 && s[start - 1] != '.') start--;
  const char *last = s + start;
  size_t n = len - start;
  if (n == 0) return false;
  bool digits = true;
  for (size_t i = 0; i < n && digits; i++) digits = pol_is_digit(last[i]);
  uint64_t v;
  return digits || ipv4_number(last, n, &v);
}

/* WHATWG IPv4 parser (no trailing empty part: dots were trimmed). */
static bool ipv4_parse(const char *s, size_t len, wg_ip *out) {
  uint64_t nums[4];
  size_t count = 0, start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && s[i] != '.') continue;
    if (count == 4) return false;
    if (!ipv4_number(s + start, i - start, &nums[count])) return false;
    count++;
    start = i + 1;
  }
  for (size_t i = 0; i + 1 < count; i++)
    if (nums[i] > 255) return false;
  uint64_t last = nums[count - 1];
  if (last >= (1ull << (8 * (5 - count)))) return false;
  uint64_t v = last;
  for (size_t i = 0; i + 1 < count; i++) v += nums[i] << (8 * (3 - i));
  *out = (wg_ip){.family = 4};
  out->bytes[0] = (uint8_t)(v >> 24);
  out->bytes[1] = (uint8_t)(v >> 16);
  out->bytes[2] = (uint8_t)(v >> 8);
  out->bytes[3] = (uint8_t)v;
  return true;
}

static wg_pol_code parse_ipv6(const char *text, size_t len, wg_pol_host *out,
                              wg_pol_error *err) {
  if (len < 2 || text[len - 1] != ']')
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_IPV6_INVALID,
                    "HTTPS URL host is not a valid IPv6 address");
  const char *inner = text + 1;
  size_t n = len - 2;
  if (memchr(inner, '%', n))
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_ZONE_ID,
                    "HTTPS URL host has an IPv6 zone id: it names a local "
                    "interface");
  if (!wg_ip_parse6(inner, n, &out->ip))
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_IPV6_INVALID,
                    "HTTPS URL host is not a valid IPv6 address");
  out->kind = WG_POL_HOST_IPV6;
  wg_ip_format(&out->ip, out->name);
  return WG_POL_OK;
}

/* Percent-decodes text into out (at most len bytes; out has len + 1).
 * Malformed escapes stay as written (WHATWG), and '%' is then refused as a
 * forbidden code point. */
static size_t percent_decode(const char *text, size_t len, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '%' && i + 2 < len && pol_hex(text[i + 1]) >= 0 &&
        pol_hex(text[i + 2]) >= 0) {
      out[o++] = (char)(pol_hex(text[i + 1]) * 16 + pol_hex(text[i + 2]));
      i += 2;
      continue;
    }
    out[o++] = text[i];
  }
  out[o] = '\0';
  return o;
}

static bool has_xn_label(const char *s, size_t len) {
  for (size_t i = 0; i + 4 <= len; i++) {
    if (i > 0 && s[i - 1] != '.') continue;
    if (pol_lower(s[i]) == 'x' && pol_lower(s[i + 1]) == 'n' && s[i + 2] == '-' &&
        s[i + 3] == '-')
      return true;
  }
  return false;
}

/* buf holds *len bytes with no forbidden code point (so no NUL: libidn2
 * reads a C string) and has room for WG_POL_RAW_HOST_MAX + 1. */
static wg_pol_code to_ascii(char *buf, size_t *len, wg_pol_error *err) {
  bool ascii = true;
  for (size_t i = 0; i < *len && ascii; i++) ascii = (unsigned char)buf[i] < 0x80;
  if (ascii && !has_xn_label(buf, *len)) {
    for (size_t i = 0; i < *len; i++) buf[i] = pol_lower(buf[i]);
    return WG_POL_OK;
  }
  char *ace = NULL;
  const char *why;
  int rc = pol_idn_to_ascii(buf, &ace, &why);
  if (rc == POL_IDN_NOMEM)
    return pol_fail(err, WG_POL_INTERNAL, WG_POL_RULE_NOMEM, "out of memory");
  if (rc == POL_IDN_UNAVAILABLE)
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_IDN,
                    "HTTPS URL host needs IDN support (libidn2), which is not available");
  if (rc != POL_IDN_OK)
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_IDN,
                    "HTTPS URL host is not a valid internationalized domain name (%s)", why);
  size_t n = strlen(ace);
  if (n > WG_POL_RAW_HOST_MAX) {
    free(ace);
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                    "HTTPS URL host is longer than %d bytes", WG_POL_HOST_MAX);
  }
  memcpy(buf, ace, n + 1);
  for (size_t i = 0; i < n; i++) buf[i] = pol_lower(buf[i]);
  *len = n;
  free(ace);
  return WG_POL_OK;
}

static wg_pol_code check_labels(const char *s, size_t len, wg_pol_error *err) {
  if (len > WG_POL_HOST_MAX)
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                    "HTTPS URL host is longer than %d bytes", WG_POL_HOST_MAX);
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && s[i] != '.') continue;
    if (i == start)
      return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                      "HTTPS URL host has an empty label");
    if (i - start > WG_POL_LABEL_MAX)
      return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                      "HTTPS URL host has a label longer than %d bytes",
                      WG_POL_LABEL_MAX);
    start = i + 1;
  }
  return WG_POL_OK;
}

wg_pol_code wg_pol_host_parse(const char *text, size_t len, wg_pol_host *out,
                              wg_pol_error *err) {
  memset(out, 0, sizeof *out);
  if (len == 0)
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_NO_HOST,
                    "HTTPS URL must include a host");
  if (text[0] == '[') return parse_ipv6(text, len, out, err);
  if (len > WG_POL_RAW_HOST_MAX)
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                    "HTTPS URL host is longer than %d bytes", WG_POL_HOST_MAX);
  char buf[WG_POL_RAW_HOST_MAX + 1];
  size_t n = percent_decode(text, len, buf);
  if (!wg_utf8_valid((const uint8_t *)buf, n))
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                    "HTTPS URL host is not valid UTF-8 once percent-decoded");
  /* Forbidden ASCII is refused before IDNA too: the result is the same
   * (WHATWG checks after), and libidn2 then never sees it. */
  for (size_t i = 0; i < n; i++)
    if (forbidden_domain_byte((unsigned char)buf[i]))
      return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                      "HTTPS URL host has a forbidden code point");
  wg_pol_code rc = to_ascii(buf, &n, err);
  if (rc) return rc;
  for (size_t i = 0; i < n; i++)
    if (forbidden_domain_byte((unsigned char)buf[i]))
      return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                      "HTTPS URL host has a forbidden code point");
  while (n > 0 && buf[n - 1] == '.') n--;
  if (n == 0)
    return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_NO_HOST,
                    "HTTPS URL must include a host");
  if (ends_in_number(buf, n)) {
    if (!ipv4_parse(buf, n, &out->ip))
      return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_IPV4_INVALID,
                      "HTTPS URL host ends in a number but is not a valid "
                      "IPv4 address");
    out->kind = WG_POL_HOST_IPV4;
    wg_ip_format(&out->ip, out->name);
    return WG_POL_OK;
  }
  rc = check_labels(buf, n, err);
  if (rc) return rc;
  out->kind = WG_POL_HOST_DOMAIN;
  memcpy(out->name, buf, n);
  out->name[n] = '\0';
  return WG_POL_OK;
}
