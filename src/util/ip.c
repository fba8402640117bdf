/* ip.c: IP addresses as bytes and their strict text forms (dotted quad,
 * WHATWG's IPv6 parser and serializer), and CIDR blocks. Shared by the
 * config layer (allow_networks, resolve) and the policy (URL hosts), so an
 * address means the same thing to both. */
#include "wasmgate/util.h"

#include <stdio.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool wg_ip_parse4(const char *s, size_t len, wg_ip *out) {
  wg_ip ip = {.family = 4};
  size_t i = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= len || s[i] != '.') return false;
      i++;
    }
    size_t start = i;
    unsigned v = 0;
    while (i < len && is_digit(s[i]) && i - start < 3) v = v * 10 + (unsigned)(s[i++] - '0');
    size_t digits = i - start;
    if (digits == 0 || v > 255) return false;
    if (digits > 1 && s[start] == '0') return false; /* no octal look-alikes */
    ip.bytes[part] = (uint8_t)v;
  }
  if (i != len) return false;
  *out = ip;
  return true;
}

/* The dotted IPv4 tail of an IPv6 address (WHATWG IPv6 parser, step 6.5):
 * four decimal parts, no leading zeros, each at most 255. */
static bool parse6_tail(const char *s, size_t len, size_t *i, uint16_t *pieces,
                        int *piece) {
  int seen = 0;
  if (*piece > 6) return false;
  while (*i < len) {
    if (seen > 0) {
      if (s[*i] != '.' || seen >= 4) return false;
      (*i)++;
    }
    if (*i >= len || !is_digit(s[*i])) return false;
    int v = -1;
    while (*i < len && is_digit(s[*i])) {
      int d = s[*i] - '0';
      if (v == 0) return false;
      v = v < 0 ? d : v * 10 + d;
      if (v > 255) return false;
      (*i)++;
    }
    pieces[*piece] = (uint16_t)(pieces[*piece] * 0x100 + v);
    seen++;
    if (seen == 2 || seen == 4) (*piece)++;
  }
  return seen == 4;
}

bool wg_ip_parse6(const char *s, size_t len, wg_ip *out) {
  uint16_t pieces[8] = {0};
  int piece = 0, compress = -1;
  size_t i = 0;
  if (len > 0 && s[0] == ':') {
    if (len < 2 || s[1] != ':') return false;
    i = 2;
    compress = ++piece;
  }
  while (i < len) {
    if (piece == 8) return false;
    if (s[i] == ':') {
      if (compress >= 0) return false;
      i++;
      compress = ++piece;
      continue;
    }
    unsigned value = 0;
    size_t n = 0;
    while (n < 4 && i < len && hex_value(s[i]) >= 0) {
      value = value * 16 + (unsigned)hex_value(s[i]);
      i++, n++;
    }
    if (i < len && s[i] == '.') {
      if (n == 0) return false;
      i -= n;
      if (!parse6_tail(s, len, &i, pieces, &piece)) return false;
      break;
    }
    if (i < len && s[i] == ':') {
      i++;
      if (i >= len) return false;
    } else if (i < len) {
      return false;
    }
    pieces[piece++] = (uint16_t)value;
  }
  if (compress >= 0) {
    int swaps = piece - compress;
    piece = 7;
    while (piece != 0 && swaps > 0) {
      uint16_t t = pieces[piece];
      pieces[piece] = pieces[compress + swaps - 1];
      pieces[compress + swaps - 1] = t;
      piece--, swaps--;
    }
  } else if (piece != 8) {
    return false;
  }
  wg_ip ip = {.family = 6};
  for (int k = 0; k < 8; k++) {
    ip.bytes[2 * k] = (uint8_t)(pieces[k] >> 8);
    ip.bytes[2 * k + 1] = (uint8_t)(pieces[k] & 0xFF);
  }
  *out = ip;
  return true;
}

bool wg_ip_parse(const char *s, size_t len, wg_ip *out) {
  return wg_ip_parse4(s, len, out) || wg_ip_parse6(s, len, out);
}

size_t wg_ip_format(const wg_ip *ip, char out[WG_IP_TEXT_MAX]) {
  if (ip->family == 4)
    return (size_t)snprintf(out, WG_IP_TEXT_MAX, "%u.%u.%u.%u", ip->bytes[0],
                            ip->bytes[1], ip->bytes[2], ip->bytes[3]);
  uint16_t p[8];
  for (int k = 0; k < 8; k++) p[k] = (uint16_t)(ip->bytes[2 * k] << 8 | ip->bytes[2 * k + 1]);
  /* The first longest run of two or more zero pieces becomes "::". */
  int best = -1, best_len = 1;
  for (int k = 0; k < 8;) {
    if (p[k] != 0) { k++; continue; }
    int start = k;
    while (k < 8 && p[k] == 0) k++;
    if (k - start > best_len) best = start, best_len = k - start;
  }
  size_t n = 0;
  for (int k = 0; k < 8; k++) {
    if (k == best) {
      n += (size_t)snprintf(out + n, WG_IP_TEXT_MAX - n, k == 0 ? "::" : ":");
      k += best_len - 1;
      continue;
    }
    n += (size_t)snprintf(out + n, WG_IP_TEXT_MAX - n, "%x%s", p[k], k == 7 ? "" : ":");
  }
  return n;
}

static const char *const cidr_names[] = {
  [WG_CIDR_OK] = "ok",         [WG_CIDR_SYNTAX] = "syntax",
  [WG_CIDR_PREFIX] = "prefix", [WG_CIDR_HOST_BITS] = "host_bits",
};
WG_NAMES_COVER(cidr_names, WG_CIDR_HOST_BITS);

const char *wg_cidr_code_name(wg_cidr_code code) { return WG_NAME_IN(cidr_names, code); }

bool wg_ip_equal(const wg_ip *a, const wg_ip *b) {
  return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

wg_cidr_code wg_cidr_parse(const char *s, size_t len, wg_cidr *out) {
  const char *slash = memchr(s, '/', len);
  if (!slash) return WG_CIDR_SYNTAX;
  wg_cidr c = {0};
  if (!wg_ip_parse(s, (size_t)(slash - s), &c.ip)) return WG_CIDR_SYNTAX;
  const char *p = slash + 1, *end = s + len;
  size_t digits = (size_t)(end - p);
  if (digits == 0 || digits > 3 || (digits > 1 && p[0] == '0')) return WG_CIDR_PREFIX;
  unsigned n = 0;
  for (; p < end; p++) {
    if (!is_digit(*p)) return WG_CIDR_PREFIX;
    n = n * 10 + (unsigned)(*p - '0');
  }
  if (n > (c.ip.family == 4 ? 32u : 128u)) return WG_CIDR_PREFIX;
  c.prefix = (uint8_t)n;
  size_t total = c.ip.family == 4 ? 4 : 16;
  for (size_t bit = n; bit < total * 8; bit++)
    if (c.ip.bytes[bit / 8] & (0x80u >> (bit % 8))) return WG_CIDR_HOST_BITS;
  *out = c;
  return WG_CIDR_OK;
}

bool wg_cidr_contains(const wg_cidr *c, const wg_ip *ip) {
  if (c->ip.family != ip->family) return false;
  unsigned full = c->prefix / 8u, rest = c->prefix % 8u;
  if (memcmp(c->ip.bytes, ip->bytes, full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = (uint8_t)(0xFFu << (8 - rest));
  return (c->ip.bytes[full] & mask) == (ip->bytes[full] & mask);
}
