/* json_dec.h: the exact decimal view of a JSON number lexeme, for the json
 * layer (conversions, comparison, equality) and the schema layer (minimum,
 * maximum, multipleOf, integer checks), so both judge a number the same
 * way. Not public: an embedder uses wg_json_number_cmp, wg_json_is_integer
 * and the wg_json_to_* conversions (json.h). Lexemes of any length work;
 * nothing here allocates. */
#ifndef WASMGATE_JSON_DEC_H
#define WASMGATE_JSON_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Parses a lexeme with the strict RFC 8259 number grammar. */
bool json_dec_parse(const char *text, size_t len, json_dec *d);
/* Number of significant digits (0 for zero). */
size_t json_dec_ndigits(const json_dec *d);
/* The k-th significant digit (0-based, k < ndigits), as a value 0..9. */
int json_dec_digit(const json_dec *d, size_t k);
/* Compares two decimals exactly: -1, 0 or 1. */
int json_dec_cmp(const json_dec *a, const json_dec *b);
/* True if the value is an integer (at any size: "1e400", "10.0", "-0"). */
bool json_dec_is_integer(const json_dec *d);
/* The magnitude of an integral value if it fits in uint64 (false if it is
 * not integral or is larger). The sign is the caller's: d->neg (and
 * d->zero, since "-0" is zero). */
bool json_dec_to_u64(const json_dec *d, uint64_t *out);
/* The value as (neg ? -1 : 1) * D * 10^*exp, D the ndigits significant
 * digits: *exp is the exponent of the least significant digit (0 for
 * zero). False when the written exponent has more than 18 digits (|*exp|
 * would be beyond 10^17): callers that do arithmetic on the exponent treat
 * such numbers as out of their range. */
bool json_dec_lsd_exp(const json_dec *d, int64_t *exp);

#endif
