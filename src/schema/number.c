/* number.c: exact decimal arithmetic on JSON number lexemes.
 *
 * JSON Schema compares numbers by value, and doubles get that wrong for big
 * integers and decimal fractions (0.0075 is a multiple of 0.0001). A lexeme
 * is read as sign * D * 10^exp with D a digit string without leading or
 * trailing zeros; comparison and divisibility work on those digits directly.
 * Exponents beyond +-SCHEMA_EXP_SAT are saturated (`huge`): comparisons stay
 * right unless both sides are that absurd, and multipleOf refuses them. */
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

#define SCHEMA_EXP_SAT ((int64_t)1000000000000000) /* 1e15 */

static char dec_digit(const schema_dec *d, size_t logical) {
  return logical < d->il ? d->ip[logical] : d->fp[logical - d->il];
}

/* i-th significant digit (0 = most significant) as 0..9. */
static int sig_digit(const schema_dec *d, size_t i) {
  return dec_digit(d, d->first + i) - '0';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool schema_dec_parse(const char *lex, size_t len, schema_dec *out) {
  memset(out, 0, sizeof *out);
  size_t i = 0;
  if (i < len && lex[i] == '-') {
    out->neg = true;
    i++;
  }
  out->ip = lex + i;
  while (i < len && is_digit(lex[i])) {
    out->il++;
    i++;
  }
  if (out->il == 0) return false;
  out->fp = lex + i;
  if (i < len && lex[i] == '.') {
    i++;
    out->fp = lex + i;
    while (i < len && is_digit(lex[i])) {
      out->fl++;
      i++;
    }
    if (out->fl == 0) return false;
  }
  int64_t e = 0;
  if (i < len && (lex[i] == 'e' || lex[i] == 'E')) {
    i++;
    bool eneg = false;
    if (i < len && (lex[i] == '+' || lex[i] == '-')) eneg = lex[i++] == '-';
    if (i >= len || !is_digit(lex[i])) return false;
    for (; i < len && is_digit(lex[i]); i++) {
      if (e < SCHEMA_EXP_SAT) e = e * 10 + (lex[i] - '0');
      if (e >= SCHEMA_EXP_SAT) {
        e = SCHEMA_EXP_SAT;
        out->huge = true;
      }
    }
    if (eneg) e = -e;
  }
  if (i != len) return false;
  size_t total = out->il + out->fl, lead = 0, trail = 0;
  while (lead < total && dec_digit(out, lead) == '0') lead++;
  if (lead == total) { /* zero: sign and exponent do not matter */
    out->neg = false;
    out->huge = false;
    return true;
  }
  while (dec_digit(out, total - 1 - trail) == '0') trail++;
  out->first = lead;
  out->count = total - lead - trail;
  /* |e| <= 1e15 and lengths are far below 1e15, so this cannot overflow. */
  out->exp = e - (int64_t)out->fl + (int64_t)trail;
  return true;
}

/* Position of the most significant digit: value in [10^(m-1), 10^m). */
static int64_t magnitude(const schema_dec *d) { return (int64_t)d->count + d->exp; }

static int cmp_abs(const schema_dec *a, const schema_dec *b) {
  int64_t ma = magnitude(a), mb = magnitude(b);
  if (ma != mb) return ma < mb ? -1 : 1;
  size_t n = a->count < b->count ? a->count : b->count;
  for (size_t i = 0; i < n; i++) {
    int da = sig_digit(a, i), db = sig_digit(b, i);
    if (da != db) return da < db ? -1 : 1;
  }
  if (a->count == b->count) return 0;
  return a->count < b->count ? -1 : 1;
}

int schema_dec_cmp(const schema_dec *a, const schema_dec *b) {
  bool za = a->count == 0, zb = b->count == 0;
  if (za || zb) {
    if (za && zb) return 0;
    if (za) return b->neg ? 1 : -1;
    return a->neg ? -1 : 1;
  }
  if (a->neg != b->neg) return a->neg ? -1 : 1;
  int c = cmp_abs(a, b);
  return a->neg ? -c : c;
}

bool schema_dec_is_integer(const schema_dec *d) { return d->count == 0 || d->exp >= 0; }

uint64_t schema_dec_to_u64(const schema_dec *d) {
  if (d->count == 0 || d->neg) return 0;
  if (magnitude(d) > 20) return UINT64_MAX;
  uint64_t v = 0;
  for (size_t i = 0; i < d->count; i++) {
    if (__builtin_mul_overflow(v, 10, &v) ||
        __builtin_add_overflow(v, (uint64_t)sig_digit(d, i), &v))
      return UINT64_MAX;
  }
  for (int64_t i = 0; i < d->exp; i++)
    if (__builtin_mul_overflow(v, 10, &v)) return UINT64_MAX;
  return v;
}

/* Remainder of (digits of v, then `zeros` zeros) divided by a divisor that
 * fits in 60 bits. */
static bool small_divides(const schema_dec *v, uint64_t zeros, uint64_t dv) {
  uint64_t r = 0;
  for (size_t i = 0; i < v->count; i++) r = (r * 10 + (uint64_t)sig_digit(v, i)) % dv;
  for (uint64_t i = 0; i < zeros && r != 0; i++) r = (r * 10) % dv;
  return r == 0;
}

/* Same for a divisor of any length: schoolbook long division on decimal
 * digits, the remainder kept in rem[0..n] (most significant first). */
static int big_divides(const schema_dec *v, uint64_t zeros, const schema_dec *d) {
  size_t n = d->count;
  uint8_t *rem = calloc(n + 1, 1), *div = calloc(n + 1, 1);
  if (!rem || !div) {
    free(rem);
    free(div);
    return -2;
  }
  for (size_t i = 0; i < n; i++) div[i + 1] = (uint8_t)sig_digit(d, i);
  uint64_t total = (uint64_t)v->count + zeros;
  for (uint64_t k = 0; k < total; k++) {
    int next = k < v->count ? sig_digit(v, (size_t)k) : 0;
    memmove(rem, rem + 1, n); /* rem = rem * 10 + next */
    rem[n] = (uint8_t)next;
    for (;;) { /* while rem >= div: rem -= div (at most 9 times) */
      int c = memcmp(rem, div, n + 1);
      if (c < 0) break;
      int borrow = 0;
      for (size_t j = n + 1; j-- > 0;) {
        int x = rem[j] - div[j] - borrow;
        borrow = x < 0;
        rem[j] = (uint8_t)(x + (borrow ? 10 : 0));
      }
    }
  }
  bool zero = true;
  for (size_t i = 0; i <= n; i++) zero = zero && rem[i] == 0;
  free(rem);
  free(div);
  return zero;
}

int schema_dec_multiple_of(const schema_dec *v, const schema_dec *d, uint64_t max_work,
                           uint64_t *work) {
  *work = 1;
  if (v->count == 0) return 1;
  if (v->huge || d->huge || d->count == 0) return -1;
  /* v/d = Dv * 10^k / Dd with k = ev - ed. Dv has no trailing zero, so for
   * k < 0 the quotient is never an integer. For k >= 0, Dd = 2^p 5^q r and
   * extra factors of ten stop mattering once k >= max(p, q), which is below
   * 4 * digits(Dd) + 4; cap k there. */
  int64_t k = v->exp - d->exp;
  if (k < 0) return 0;
  uint64_t cap = 4 * (uint64_t)d->count + 4;
  uint64_t zeros = (uint64_t)k < cap ? (uint64_t)k : cap;
  uint64_t len = (uint64_t)v->count + zeros;
  if (d->count <= 17) {
    *work = len;
    if (len > max_work) return -1;
    uint64_t dv = 0;
    for (size_t i = 0; i < d->count; i++) dv = dv * 10 + (uint64_t)sig_digit(d, i);
    return small_divides(v, zeros, dv);
  }
  uint64_t cost;
  if (__builtin_mul_overflow(len, (uint64_t)d->count * 10, &cost) || cost > max_work) {
    *work = max_work;
    return -1;
  }
  *work = cost;
  return big_divides(v, zeros, d);
}
