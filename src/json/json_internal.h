/* json_internal.h: what the json layer's files share and nobody else sees:
 * the document struct, the string scanners, the number scanner. (The
 * decimal view of a number lexeme is in src/include/json_dec.h: the schema
 * layer uses it too.) */
#ifndef WG_JSON_INTERNAL_H
#define WG_JSON_INTERNAL_H

#include "wasmgate/json.h"
#include "json_dec.h"

#include <stdlib.h>
#include <string.h>

struct wg_json_doc {
  wg_arena arena; /* every node, string and array of the tree */
  wg_json *root;
};


/* A string byte that needs no escaping, decoding or UTF-8 check. */
static inline bool json_is_plain(uint8_t c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Children of a container; 0 for scalars and for hand-built containers
 * whose array pointer is NULL (the writers and equality never read one). */
static inline size_t json_count(const wg_json *v) {
  if (v->type == WG_JSON_ARRAY) return v->u.array.items ? v->u.array.count : 0;
  if (v->type == WG_JSON_OBJECT)
    return v->u.object.members ? v->u.object.count : 0;
  return 0;
}

/* realloc for n elements of size bytes; NULL (p untouched) on overflow. */
static inline void *json_realloc_array(void *p, size_t n, size_t size) {
  size_t bytes;
  if (!wg_mul_size(n, size, &bytes)) return NULL;
  return realloc(p, bytes ? bytes : 1);
}

/* A member's key length; a hand-built NULL key counts as "". */
static inline size_t json_key_len(const wg_json_member *m) {
  return m->key ? m->key_len : 0;
}

/* The length of the run of plain bytes at s[0..n). Eight bytes at a time
 * while it can (SWAR): a word is plain iff no byte is >= 0x80, < 0x20, '"'
 * or '\\'. The "has a byte below k" test ((x - k*ones) & ~x & highs) can
 * only misfire next to a true hit, so "any hit" is exact. */
static inline size_t json_plain_run(const uint8_t *s, size_t n) {
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  size_t i = 0;
  while (n - i >= 8) {
    uint64_t v;
    memcpy(&v, s + i, 8);
    uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
    uint64_t hit = v | ((v - ones * 0x20) & ~v) | ((q - ones) & ~q) |
                   ((b - ones) & ~b);
    if (hit & highs) break;
    i += 8;
  }
  while (i < n && json_is_plain(s[i])) i++;
  return i;
}

/* Scans a JSON number at the start of text[0..len). Returns its length, or
 * 0 if text does not start with a valid number; then *err_at is the offset
 * of the offending byte and *why a short reason. A valid number may be
 * followed by anything: the caller checks what comes next. */
size_t json_number_scan(const char *text, size_t len, size_t *err_at,
                        const char **why);

#endif
