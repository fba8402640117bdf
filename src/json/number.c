/* number.c: exact reasoning on number lexemes.
 *
 * Nothing here goes through double except wg_json_to_double itself: a
 * lexeme is read as sign, significant digits and a decimal exponent (see
 * json_dec in json_internal.h), and conversions and comparisons work on
 * those digits, so "1e400", 30-digit integers and "-0.0" are all exact.
 * Exponents may be arbitrarily long; exponent arithmetic saturates only
 * where the result is provably beyond any value it is compared with. */
#include "json_internal.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool json_is_digit(char c) { return c >= '0' && c <= '9'; }

size_t json_number_scan(const char *s, size_t len, size_t *err_at,
                        const char **why) {
  size_t i = 0;
  if (i < len && s[i] == '-') i++;
  if (i >= len || !json_is_digit(s[i])) {
    *err_at = i;
    *why = i ? "expected digit after '-'" : "expected a number";
    return 0;
  }
  if (s[i] == '0') {
    i++;
    if (i < len && json_is_digit(s[i])) {
      *err_at = i - 1;
      *why = "leading zero in number";
      return 0;
    }
  } else {
    while (i < len && json_is_digit(s[i])) i++;
  }
  if (i < len && s[i] == '.') {
    i++;
    if (i >= len || !json_is_digit(s[i])) {
      *err_at = i;
      *why = "expected digit after '.'";
      return 0;
    }
    while (i < len && json_is_digit(s[i])) i++;
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    if (i >= len || !json_is_digit(s[i])) {
      *err_at = i;
      *why = "expected digit in exponent";
      return 0;
    }
    while (i < len && json_is_digit(s[i])) i++;
  }
  return i;
}

/* Lexemes at least this long are refused so shift arithmetic cannot
 * overflow int64 (no real input comes close). */
#define JSON_MAX_LEXEME ((size_t)1 << 56)

static char json_c_at(const json_dec *d, size_t k) {
  return k < d->int_len ? d->int_digits[k] : d->frac_digits[k - d->int_len];
}

bool json_dec_parse(const char *text, size_t len, json_dec *d) {
  size_t err_at;
  const char *why;
  memset(d, 0, sizeof *d);
  /* an empty lexeme (a hand-built node) scans as a "whole" number of
   * length 0: refused before anything reads text[0] */
  if (!text || len == 0 || len >= JSON_MAX_LEXEME) return false;
  if (json_number_scan(text, len, &err_at, &why) != len) return false;
  size_t i = 0;
  if (text[i] == '-') {
    d->neg = true;
    i++;
  }
  d->int_digits = text + i;
  while (i < len && json_is_digit(text[i])) i++;
  d->int_len = (size_t)(text + i - d->int_digits);
  d->frac_digits = text + i;
  if (i < len && text[i] == '.') {
    d->frac_digits = text + ++i;
    while (i < len && json_is_digit(text[i])) i++;
    d->frac_len = (size_t)(text + i - d->frac_digits);
  }
  if (i < len) { /* exponent */
    i++;
    if (text[i] == '+' || text[i] == '-') d->exp_neg = text[i++] == '-';
    while (i < len && text[i] == '0') i++;
    d->exp_digits = text + i;
    d->exp_len = len - i;
  }
  size_t n = d->int_len + d->frac_len;
  size_t first = 0;
  while (first < n && json_c_at(d, first) == '0') first++;
  if (first == n) {
    d->zero = true;
    return true;
  }
  size_t last = n - 1;
  while (json_c_at(d, last) == '0') last--;
  d->first = first;
  d->last = last;
  d->shift = (int64_t)d->int_len - (int64_t)first;
  return true;
}

size_t json_dec_ndigits(const json_dec *d) {
  return d->zero ? 0 : d->last - d->first + 1;
}

int json_dec_digit(const json_dec *d, size_t k) {
  return json_c_at(d, d->first + k) - '0';
}

/* Magnitudes below 10^18 are "small": they fit int64 with room to add a
 * shift (|shift| < 2^56). */
#define JSON_SMALL_DIGITS 18

static uint64_t json_digits_value(const char *s, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v = v * 10 + (uint64_t)(s[i] - '0');
  return v;
}

/* The exponent written in the lexeme, if small. */
static bool json_exp_small(const json_dec *d, int64_t *x) {
  if (d->exp_len > JSON_SMALL_DIGITS) return false;
  int64_t v = (int64_t)json_digits_value(d->exp_digits, d->exp_len);
  *x = d->exp_neg ? -v : v;
  return true;
}

/* Compares digit strings without leading zeros as magnitudes. */
static int json_mag_cmp(const char *a, size_t an, const char *b, size_t bn) {
  if (an != bn) return an < bn ? -1 : 1;
  int c = an ? memcmp(a, b, an) : 0;
  return (c > 0) - (c < 0);
}

/* |a| - |b| for |a| >= |b|, or |a| + |b|: the exact value if below 10^18,
 * else *huge is set. Works digit by digit from the least significant end,
 * so any length is fine. */
static uint64_t json_mag_addsub(const char *a, size_t an, const char *b,
                                size_t bn, bool subtract, bool *huge) {
  size_t n = an > bn ? an : bn;
  int carry = 0;
  uint64_t v = 0, pow10 = 1;
  *huge = false;
  for (size_t k = 0; k < n; k++) {
    int da = k < an ? a[an - 1 - k] - '0' : 0;
    int db = k < bn ? b[bn - 1 - k] - '0' : 0;
    int r = subtract ? da - db - carry : da + db + carry;
    carry = subtract ? r < 0 : r > 9;
    r = subtract ? (r < 0 ? r + 10 : r) : (r > 9 ? r - 10 : r);
    if (k < JSON_SMALL_DIGITS) {
      v += (uint64_t)r * pow10;
      pow10 *= 10;
    } else if (r) {
      *huge = true;
    }
  }
  if (carry) *huge = true; /* only an addition can carry out */
  return v;
}

/* Sign of (X_a + shift_a) - (X_b + shift_b), the exponents of a and b. */
static int json_exp_cmp(const json_dec *a, const json_dec *b) {
  int64_t xa, xb;
  if (json_exp_small(a, &xa) && json_exp_small(b, &xb)) {
    int64_t ea = xa + a->shift, eb = xb + b->shift;
    return (ea > eb) - (ea < eb);
  }
  /* D = X_a - X_b, exactly if |D| < 10^18, else just its sign. */
  bool huge, d_neg;
  uint64_t mag;
  if (a->exp_neg != b->exp_neg) {
    mag = json_mag_addsub(a->exp_digits, a->exp_len, b->exp_digits,
                          b->exp_len, false, &huge);
    d_neg = a->exp_neg;
  } else {
    int c = json_mag_cmp(a->exp_digits, a->exp_len, b->exp_digits, b->exp_len);
    if (c >= 0)
      mag = json_mag_addsub(a->exp_digits, a->exp_len, b->exp_digits,
                            b->exp_len, true, &huge);
    else
      mag = json_mag_addsub(b->exp_digits, b->exp_len, a->exp_digits,
                            a->exp_len, true, &huge);
    d_neg = (c < 0) != a->exp_neg;
  }
  if (mag == 0 && !huge) d_neg = false;
  if (huge) return d_neg ? -1 : 1; /* |D| >= 10^18 > any shift difference */
  int64_t dd = d_neg ? -(int64_t)mag : (int64_t)mag;
  int64_t s = b->shift - a->shift;
  return (dd > s) - (dd < s);
}

/* Compares |a| and |b| for non-zero a, b. */
static int json_mag_dec_cmp(const json_dec *a, const json_dec *b) {
  int c = json_exp_cmp(a, b);
  if (c) return c;
  size_t na = json_dec_ndigits(a), nb = json_dec_ndigits(b);
  size_t n = na < nb ? na : nb;
  for (size_t k = 0; k < n; k++) {
    int x = json_dec_digit(a, k), y = json_dec_digit(b, k);
    if (x != y) return x < y ? -1 : 1;
  }
  return (na > nb) - (na < nb);
}

int json_dec_cmp(const json_dec *a, const json_dec *b) {
  if (a->zero && b->zero) return 0;
  if (a->zero) return b->neg ? 1 : -1;
  if (b->zero) return a->neg ? -1 : 1;
  if (a->neg != b->neg) return a->neg ? -1 : 1;
  int c = json_mag_dec_cmp(a, b);
  return a->neg ? -c : c;
}

int wg_json_number_cmp(const wg_json *a, const wg_json *b) {
  json_dec x, y;
  if (!a || !b || a->type != WG_JSON_NUMBER || b->type != WG_JSON_NUMBER)
    return 0;
  if (!json_dec_parse(a->u.number.text, a->u.number.len, &x) ||
      !json_dec_parse(b->u.number.text, b->u.number.len, &y))
    return 0;
  return json_dec_cmp(&x, &y);
}

/* The decimal exponent E of 0.D * 10^E if it is small, i.e. the value has
 * E digits before the point. */
static bool json_dec_e(const json_dec *d, int64_t *e) {
  int64_t x;
  if (!json_exp_small(d, &x)) {
    /* |X| >= 10^18 while |shift| < 2^56: E is beyond +-10^17. */
    *e = d->exp_neg ? INT64_MIN / 2 : INT64_MAX / 2;
    return true;
  }
  *e = x + d->shift;
  return true;
}

static bool json_number_dec(const wg_json *v, json_dec *d) {
  return v && v->type == WG_JSON_NUMBER &&
         json_dec_parse(v->u.number.text, v->u.number.len, d);
}

bool json_dec_is_integer(const json_dec *d) {
  int64_t e;
  if (d->zero) return true;
  json_dec_e(d, &e);
  return e >= (int64_t)json_dec_ndigits(d);
}

bool json_dec_lsd_exp(const json_dec *d, int64_t *exp) {
  int64_t x;
  *exp = 0;
  if (d->zero) return true;
  if (!json_exp_small(d, &x)) return false;
  /* |x| < 10^18 and |shift|, ndigits < 2^56: no overflow */
  *exp = x + d->shift - (int64_t)json_dec_ndigits(d);
  return true;
}

bool wg_json_is_integer(const wg_json *v) {
  json_dec d;
  return json_number_dec(v, &d) && json_dec_is_integer(&d);
}

/* The magnitude of an integral value if it fits in uint64. */
bool json_dec_to_u64(const json_dec *d, uint64_t *out) {
  *out = 0;
  if (d->zero) return true;
  int64_t e;
  json_dec_e(d, &e);
  size_t n = json_dec_ndigits(d);
  if (e < (int64_t)n || e > 20) return false;
  uint64_t v = 0;
  for (int64_t k = 0; k < e; k++) {
    uint64_t digit = (size_t)k < n ? (uint64_t)json_dec_digit(d, (size_t)k) : 0;
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

bool wg_json_to_uint64(const wg_json *v, uint64_t *out) {
  json_dec d;
  uint64_t m;
  if (!json_number_dec(v, &d) || !json_dec_to_u64(&d, &m)) return false;
  if (d.neg && m) return false;
  *out = m;
  return true;
}

bool wg_json_to_int64(const wg_json *v, int64_t *out) {
  json_dec d;
  uint64_t m;
  if (!json_number_dec(v, &d) || !json_dec_to_u64(&d, &m)) return false;
  uint64_t lim = d.neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  if (m > lim) return false;
  if (d.neg) *out = m == lim ? INT64_MIN : -(int64_t)m;
  else *out = (int64_t)m;
  return true;
}

/* strtod in the "C" locale whatever the process locale is (glibc hands out
 * its static C locale object here, so this does not allocate). */
static double json_strtod_c(const char *z) {
  locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
  if (!c) return strtod(z, NULL);
  double x = strtod_l(z, NULL, c);
  freelocale(c);
  return x;
}

/* Enough digits for the exact decimal expansion of any double (the longest
 * needs 767 significant digits) plus sign, point and exponent. */
enum { JSON_DOUBLE_EXACT_DIGITS = 780 };

bool wg_json_to_double(const wg_json *v, double *out) {
  json_dec d;
  if (!json_number_dec(v, &d)) return false;
  /* The lexeme is NUL-terminated when it comes from the parser, but a
   * hand-built node need not be: copy it. */
  size_t len = v->u.number.len;
  char small[128];
  char *z = len < sizeof small ? small : malloc(len + 1);
  if (!z) return false;
  memcpy(z, v->u.number.text, len);
  z[len] = '\0';
  double x = json_strtod_c(z);
  if (z != small) free(z);
  *out = x;
  if (!isfinite(x)) return false;
  if (x == 0) return d.zero;
  /* Exact iff the double's full decimal expansion equals the lexeme. */
  char exact[JSON_DOUBLE_EXACT_DIGITS + 16];
  int n = snprintf(exact, sizeof exact, "%.*e", JSON_DOUBLE_EXACT_DIGITS, x);
  for (int i = 0; i < n && i < 4; i++) /* a decimal comma from the locale */
    if (exact[i] == ',') exact[i] = '.';
  json_dec back;
  if (n <= 0 || (size_t)n >= sizeof exact ||
      !json_dec_parse(exact, (size_t)n, &back))
    return false;
  return json_dec_cmp(&d, &back) == 0;
}
