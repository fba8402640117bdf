/* utf8.c: strict UTF-8 decoding, validation, encoding and safe cutting. */
#include "wasmgate/util.h"

#include <string.h>

size_t wg_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp) {
  if (n == 0) return 0;
  uint8_t c = s[0];
  if (c < 0x80) { *cp = c; return 1; }
  size_t len;
  uint32_t v, min;
  if (c >= 0xC2 && c <= 0xDF) { len = 2; v = c & 0x1Fu; min = 0x80; }
  else if (c >= 0xE0 && c <= 0xEF) { len = 3; v = c & 0x0Fu; min = 0x800; }
  else if (c >= 0xF0 && c <= 0xF4) { len = 4; v = c & 0x07u; min = 0x10000; }
  else return 0;
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3Fu);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

bool wg_utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) { i++; continue; }
    uint32_t cp;
    size_t k = wg_utf8_decode(s + i, n - i, &cp);
    if (!k) return false;
    i += k;
  }
  return true;
}

size_t wg_utf8_encode(uint32_t cp, uint8_t out[4]) {
  if (cp < 0x80) { out[0] = (uint8_t)cp; return 1; }
  if (cp < 0x800) {
    out[0] = (uint8_t)(0xC0 | (cp >> 6));
    out[1] = (uint8_t)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (uint8_t)(0xE0 | (cp >> 12));
    out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (uint8_t)(0xF0 | (cp >> 18));
  out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (uint8_t)(0x80 | (cp & 0x3F));
  return 4;
}

size_t wg_utf8_trim(const uint8_t *s, size_t n) {
  /* Step back over at most 3 continuation bytes to the last lead byte and
   * drop that sequence if it is incomplete. */
  if (n == 0) return 0;
  size_t i = n;
  size_t back = 0;
  while (i > 0 && back < 4 && (s[i - 1] & 0xC0) == 0x80) { i--; back++; }
  if (i == 0) return n;
  uint8_t lead = s[i - 1];
  size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (back + 1 < need) return i - 1;
  return n;
}

size_t wg_utf8_cut(char *dst, size_t dst_size, const char *src, size_t len,
                   size_t max, const char *mark) {
  if (dst_size == 0) return 0;
  size_t room = dst_size - 1;
  if (len <= max && len <= room) {
    if (len) memcpy(dst, src, len);
    dst[len] = '\0';
    return len;
  }
  size_t mark_len = strlen(mark);
  if (room <= mark_len) { /* no byte of text fits beside the mark: show none */
    dst[0] = '\0';
    return 0;
  }
  size_t keep = room - mark_len < max ? room - mark_len : max;
  keep = wg_utf8_trim((const uint8_t *)src, keep);
  memcpy(dst, src, keep);
  memcpy(dst + keep, mark, mark_len + 1);
  return keep + mark_len;
}
