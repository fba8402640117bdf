/* escape.c: bytes a user or a module wrote (config keys, import names),
 * shown in a message as printable ASCII with every other byte as \xNN,
 * bounded and cut the way wg_utf8_cut cuts text. */
#include "wasmgate/util.h"

#include <stdio.h>
#include <string.h>

static bool shown_as_is(unsigned char c, const char *escape_also) {
  return c >= 0x20 && c < 0x7f && !(escape_also && c && strchr(escape_also, c));
}

/* Bytes of the escaped form of src[0..n). */
static size_t escaped_len(const char *src, size_t n, const char *escape_also) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += shown_as_is((unsigned char)src[i], escape_also) ? 1 : 4;
  return total;
}

size_t wg_escape_ascii(char *dst, size_t dst_size, const char *src, size_t len,
                       size_t max_in, const char *escape_also) {
  if (dst_size == 0) return 0;
  size_t room = dst_size - 1, n = len < max_in ? len : max_in;
  bool cut = n < len || escaped_len(src, n, escape_also) > room;
  if (cut && room < 3) { /* no byte of text fits beside the mark: show none */
    dst[0] = '\0';
    return 0;
  }
  size_t limit = cut ? room - 3 : room, o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)src[i];
    bool plain = shown_as_is(c, escape_also);
    if (o + (plain ? 1 : 4) > limit) break; /* never half an escape */
    if (plain) dst[o++] = (char)c;
    else o += (size_t)snprintf(dst + o, 5, "\\x%02X", c);
  }
  if (cut) memcpy(dst + o, "...", 3), o += 3;
  dst[o] = '\0';
  return o;
}
