/* json_internal.h: what the json layer's files share and nobody else sees:
 * the decimal view of a number lexeme used by conversions, comparison and
 * equality, and the document struct. */
#ifndef WG_JSON_INTERNAL_H
#define WG_JSON_INTERNAL_H

#include "wasmgate/json.h"

#include <stdlib.h>
#include <string.h>

struct wg_json_doc {
  wg_arena arena; /* every node, string and array of the tree */
  wg_json *root;
};

/* A number lexeme seen as a decimal: the value is
 *   (neg ? -1 : 1) * 0.D * 10^(X + shift)
 * where D is the run of significant digits (no leading or trailing zeros)
 * of the digit string C = int_digits ++ frac_digits, X is the exponent
 * written in the lexeme (arbitrarily long, kept as digits) and shift counts
 * where D starts relative to the decimal point. Lexemes are assumed shorter
 * than 2^56 bytes, so shift never overflows. */
typedef struct json_dec {
  bool neg;
  bool zero;            /* all digits are 0 (then D is empty) */
  const char *int_digits;
  size_t int_len;
  const char *frac_digits;
  size_t frac_len;
  size_t first, last;   /* indices in C of D's first and last digit */
  bool exp_neg;
  const char *exp_digits; /* leading zeros stripped; length 0 means 0 */
  size_t exp_len;
  int64_t shift;        /* int_len - first */
} json_dec;

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

/* Parses a lexeme with the strict RFC 8259 number grammar. */
bool json_dec_parse(const char *text, size_t len, json_dec *d);
/* Number of significant digits (0 for zero). */
size_t json_dec_ndigits(const json_dec *d);
/* The k-th significant digit (0-based, k < ndigits), as a value 0..9. */
int json_dec_digit(const json_dec *d, size_t k);
/* Compares two decimals exactly: -1, 0 or 1. */
int json_dec_cmp(const json_dec *a, const json_dec *b);
/* Scans a JSON number at the start of text[0..len). Returns its length, or
 * 0 if text does not start with a valid number; then *err_at is the offset
 * of the offending byte and *why a short reason. A valid number may be
 * followed by anything: the caller checks what comes next. */
size_t json_number_scan(const char *text, size_t len, size_t *err_at,
                        const char **why);

#endif
