/* base64.c: RFC 4648 base64, the standard alphabet (the `=?base64?...?=`
 * header sentinel of Streamable HTTP) and the URL-safe one without padding
 * (tools/list cursors). Decoding is strict: no whitespace, no stray
 * padding, and the unused low bits of the last character must be zero, so
 * every byte string has exactly one accepted encoding. */
#include "mcp_internal.h"

static const char std_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool mcp_base64_encode(const uint8_t *in, size_t len, bool url, wg_buf *out) {
  const char *a = url ? url_alpha : std_alpha;
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    char q[4] = {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], a[v & 63]};
    wg_buf_append(out, q, 4);
  }
  size_t rest = len - i;
  if (rest) {
    uint32_t v = (uint32_t)in[i] << 16 | (rest == 2 ? (uint32_t)in[i + 1] << 8 : 0);
    char q[4] = {a[v >> 18], a[(v >> 12) & 63], rest == 2 ? a[(v >> 6) & 63] : '=', '='};
    wg_buf_append(out, q, url ? rest + 1 : 4);
  }
  return wg_buf_ok(out);
}

static int value_of(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (url ? '-' : '+')) return 62;
  if (c == (url ? '_' : '/')) return 63;
  return -1;
}

long mcp_base64_decode(const char *in, size_t len, bool url, uint8_t *out) {
  size_t data = len;
  if (!url) {
    if (len % 4 != 0) return -1;
    if (data && in[data - 1] == '=') data--;
    if (data && in[data - 1] == '=') data--;
  } else if (len % 4 == 1) {
    return -1;
  }
  if (data % 4 == 1) return -1;
  long n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < data; i++) {
    int v = value_of(in[i], url);
    if (v < 0) return -1;
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (uint8_t)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) return -1; /* non-zero padding bits: not the canonical form */
  return n;
}
