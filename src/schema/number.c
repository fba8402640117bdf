/* number.c: multipleOf, decided exactly on the decimal digits of the two
 * lexemes (doubles get it wrong: 0.0075 is a multiple of 0.0001).
 *
 * Numbers are read with the JSON layer's exact decimals (json_dec.h), the
 * same view minimum/maximum and the integer checks use, so a value the
 * JSON layer calls equal is judged alike here. Exponents written with more
 * than 18 digits are beyond what this arithmetic decides: -1 (the caller
 * reports number_limit). The work is bounded by the caller's budget. */
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

/* Remainder of (digits of v, then `zeros` zeros) divided by a divisor that
 * fits in 60 bits. */
static bool small_divides(const json_dec *v, uint64_t zeros, uint64_t dv) {
  uint64_t r = 0;
  size_t nv = json_dec_ndigits(v);
  for (size_t i = 0; i < nv; i++) r = (r * 10 + (uint64_t)json_dec_digit(v, i)) % dv;
  for (uint64_t i = 0; i < zeros && r != 0; i++) r = (r * 10) % dv;
  return r == 0;
}

/* Same for a divisor of any length: schoolbook long division on decimal
 * digits, the remainder kept in rem[0..n] (most significant first). */
static int big_divides(const json_dec *v, uint64_t zeros, const json_dec *d) {
  size_t n = json_dec_ndigits(d), nv = json_dec_ndigits(v);
  uint8_t *rem = calloc(n + 1, 1), *div = calloc(n + 1, 1);
  if (!rem || !div) {
    free(rem);
    free(div);
    return -2;
  }
  for (size_t i = 0; i < n; i++) div[i + 1] = (uint8_t)json_dec_digit(d, i);
  uint64_t total = (uint64_t)nv + zeros;
  for (uint64_t k = 0; k < total; k++) {
    int next = k < nv ? json_dec_digit(v, (size_t)k) : 0;
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

int schema_multiple_of(const json_dec *v, const json_dec *d, uint64_t max_work,
                       uint64_t *work) {
  *work = 1;
  if (v->zero) return 1;
  int64_t ev, ed;
  if (!json_dec_lsd_exp(v, &ev) || !json_dec_lsd_exp(d, &ed) || d->zero) return -1;
  size_t nv = json_dec_ndigits(v), nd = json_dec_ndigits(d);
  /* v/d = Dv * 10^k / Dd with k = ev - ed. Dv has no trailing zero, so for
   * k < 0 the quotient is never an integer. For k >= 0, Dd = 2^p 5^q r and
   * extra factors of ten stop mattering once k >= max(p, q), which is below
   * 4 * digits(Dd) + 4; cap k there. |ev|, |ed| < 2^61: no overflow. */
  int64_t k = ev - ed;
  if (k < 0) return 0;
  uint64_t cap = 4 * (uint64_t)nd + 4;
  uint64_t zeros = (uint64_t)k < cap ? (uint64_t)k : cap;
  uint64_t len = (uint64_t)nv + zeros;
  if (nd <= 17) {
    *work = len;
    if (len > max_work) return -1;
    uint64_t dv = 0;
    for (size_t i = 0; i < nd; i++) dv = dv * 10 + (uint64_t)json_dec_digit(d, i);
    return small_divides(v, zeros, dv);
  }
  uint64_t cost;
  if (__builtin_mul_overflow(len, (uint64_t)nd * 10, &cost) || cost > max_work) {
    *work = max_work;
    return -1;
  }
  *work = cost;
  return big_divides(v, zeros, d);
}
