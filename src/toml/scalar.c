/* scalar.c: TOML scalars: the four string forms with their escapes, bools,
 * integers (decimal, hex, octal, binary; int64 with overflow checks),
 * floats (kept as value and lexeme) and the four date-time kinds (range
 * checked, leap years, leap second 60, normalized text).
 *
 * Every scanner starts at p->i, reads only inside [p->i, p->len) and leaves
 * p->i after what it accepted. The input is valid UTF-8 (checked before), so
 * bytes >= 0x80 are copied through unchanged. */
#include "toml_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static bool is_control(uint8_t b) {
  return (b < 0x20 && b != '\t') || b == 0x7f;
}

static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool append(toml_parser *p, const void *bytes, size_t n) {
  if (wg_buf_append(&p->scratch, bytes, n)) return true;
  return toml_fail(p, p->i, WG_TOML_NOMEM, "out of memory");
}

/* ---- strings ---- */

/* \uXXXX or \UXXXXXXXX; p->i is at the 'u' or 'U'. */
static bool scan_unicode_escape(toml_parser *p, size_t digits) {
  size_t at = p->i - 1; /* the backslash */
  uint32_t cp = 0;
  for (size_t k = 1; k <= digits; k++) {
    int h = hex_value(toml_peek(p, k));
    if (h < 0)
      return toml_fail(p, at, WG_TOML_SYNTAX, "invalid unicode escape");
    cp = cp * 16 + (uint32_t)h;
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return toml_fail(p, at, WG_TOML_BAD_VALUE,
                     "unicode escape is not a scalar value");
  uint8_t out[4];
  size_t n = wg_utf8_encode(cp, out);
  p->i += digits + 1;
  return append(p, out, n);
}

/* A backslash at the end of a line in a multi-line basic string: skips
 * whitespace, the newline, and all whitespace and newlines after it. p->i is
 * just after the backslash. */
static bool scan_line_continuation(toml_parser *p) {
  size_t at = p->i - 1;
  size_t j = p->i;
  while (j < p->len && (p->s[j] == ' ' || p->s[j] == '\t')) j++;
  bool newline = (j < p->len && p->s[j] == '\n') ||
                 (j + 1 < p->len && p->s[j] == '\r' && p->s[j + 1] == '\n');
  if (!newline) return toml_fail(p, at, WG_TOML_SYNTAX, "invalid escape");
  for (;;) {
    if (j < p->len && (p->s[j] == ' ' || p->s[j] == '\t' || p->s[j] == '\n')) {
      j++;
    } else if (j + 1 < p->len && p->s[j] == '\r' && p->s[j + 1] == '\n') {
      j += 2;
    } else {
      break;
    }
  }
  p->i = j;
  return true;
}

static bool scan_escape(toml_parser *p, bool multiline) {
  size_t at = p->i;
  p->i++; /* the backslash */
  int c = toml_peek(p, 0);
  char out;
  switch (c) {
    case 'b': out = '\b'; break;
    case 't': out = '\t'; break;
    case 'n': out = '\n'; break;
    case 'f': out = '\f'; break;
    case 'r': out = '\r'; break;
    case '"': out = '"'; break;
    case '\\': out = '\\'; break;
    case 'u': return scan_unicode_escape(p, 4);
    case 'U': return scan_unicode_escape(p, 8);
    case ' ': case '\t': case '\n': case '\r':
      if (multiline) return scan_line_continuation(p);
      return toml_fail(p, at, WG_TOML_SYNTAX, "invalid escape");
    default:
      return toml_fail(p, at, WG_TOML_SYNTAX, "invalid escape");
  }
  p->i++;
  return append(p, &out, 1);
}

/* At a run of quote characters inside a multi-line string: 1-2 are content,
 * 3-5 close the string (the extra 1-2 are content), more is an error.
 * Returns 1 when closed, 0 to go on, -1 on error. */
static int scan_ml_quotes(toml_parser *p, uint8_t quote) {
  size_t n = 0;
  while (p->i + n < p->len && p->s[p->i + n] == quote) n++;
  if (n > 5)
    return toml_fail(p, p->i, WG_TOML_SYNTAX, "too many quotes"), -1;
  size_t content = n >= 3 ? n - 3 : n;
  static const char quotes[2] = {'"', '"'};
  static const char apos[2] = {'\'', '\''};
  if (content && !append(p, quote == '"' ? quotes : apos, content)) return -1;
  p->i += n;
  return n >= 3;
}

/* Copies a run of ordinary bytes (no quote, backslash, or control). */
static bool copy_run(toml_parser *p, uint8_t quote, bool escapes) {
  size_t j = p->i;
  while (j < p->len) {
    uint8_t b = p->s[j];
    if (b == quote || (escapes && b == '\\') || is_control(b)) break;
    j++;
  }
  bool ok = append(p, p->s + p->i, j - p->i);
  p->i = j;
  return ok;
}

/* A newline or control byte inside a string at p->i. */
static bool scan_string_control(toml_parser *p, bool multiline) {
  uint8_t b = p->s[p->i];
  if (multiline && b == '\n') {
    p->i++;
    return append(p, "\n", 1);
  }
  if (multiline && b == '\r' && toml_peek(p, 1) == '\n') {
    p->i += 2; /* CRLF is normalized to LF */
    return append(p, "\n", 1);
  }
  if (b == '\n' || (b == '\r' && toml_peek(p, 1) == '\n'))
    return toml_fail(p, p->i, WG_TOML_SYNTAX, "newline in a one-line string");
  return toml_fail(p, p->i, WG_TOML_CONTROL_CHAR,
                   "control character in a string");
}

bool toml_scan_string(toml_parser *p, bool allow_multiline) {
  size_t open = p->i;
  uint8_t quote = p->s[p->i];
  bool escapes = quote == '"';
  bool multiline = allow_multiline && toml_peek(p, 1) == quote &&
                   toml_peek(p, 2) == quote;
  wg_buf_reset(&p->scratch);
  p->i += multiline ? 3 : 1;
  if (multiline) { /* a newline right after the opening quotes is dropped */
    if (toml_peek(p, 0) == '\n') p->i++;
    else if (toml_peek(p, 0) == '\r' && toml_peek(p, 1) == '\n') p->i += 2;
  }
  for (;;) {
    if (toml_eof(p))
      return toml_fail(p, open, WG_TOML_SYNTAX, "unterminated string");
    uint8_t b = p->s[p->i];
    if (b == quote) {
      if (!multiline) {
        p->i++;
        return true;
      }
      int r = scan_ml_quotes(p, quote);
      if (r != 0) return r > 0;
    } else if (escapes && b == '\\') {
      if (!scan_escape(p, multiline)) return false;
    } else if (is_control(b)) {
      if (!scan_string_control(p, multiline)) return false;
    } else if (!copy_run(p, quote, escapes)) {
      return false;
    }
  }
}

static wg_toml_value *parse_string(toml_parser *p) {
  size_t start = p->i;
  if (!toml_scan_string(p, true)) return NULL;
  wg_toml_value *v = toml_new_scalar(p, WG_TOML_STRING, start);
  if (!v) return NULL;
  v->u.string.len = p->scratch.len;
  v->u.string.text =
      toml_strndup(p, p->scratch.data ? p->scratch.data : "", p->scratch.len);
  if (!v->u.string.text) return NULL;
  return v;
}

/* ---- bools ---- */

static wg_toml_value *parse_word(toml_parser *p, const char *word, bool val) {
  size_t n = strlen(word);
  if (p->len - p->i < n || memcmp(p->s + p->i, word, n) != 0) {
    toml_fail(p, p->i, WG_TOML_SYNTAX, "invalid value");
    return NULL;
  }
  wg_toml_value *v = toml_new_scalar(p, WG_TOML_BOOL, p->i);
  if (!v) return NULL;
  v->u.boolean = val;
  p->i += n;
  return v;
}

/* ---- integers and floats ---- */

static bool is_number_char(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '_' || c == '.' || c == '+' || c == '-';
}

/* Digits of the given base with single underscores between digits, from
 * s[*j] to at most end. Returns the number of digits (0 = error). */
static size_t scan_digits(const uint8_t *s, size_t *j, size_t end, int base) {
  size_t digits = 0;
  bool after_digit = false;
  while (*j < end) {
    int c = s[*j];
    int d = hex_value(c);
    if (c == '_') {
      if (!after_digit) return 0;
      after_digit = false;
    } else if (d >= 0 && d < base) {
      digits++;
      after_digit = true;
    } else {
      break;
    }
    (*j)++;
  }
  return after_digit ? digits : 0;
}

/* Accumulates the digits of s[from, to) (underscores skipped) into *out,
 * limit being the largest magnitude allowed. */
static bool accumulate(const uint8_t *s, size_t from, size_t to, int base,
                       uint64_t limit, uint64_t *out) {
  uint64_t v = 0;
  for (size_t k = from; k < to; k++) {
    if (s[k] == '_') continue;
    uint64_t d = (uint64_t)hex_value(s[k]);
    if (v > (limit - d) / (uint64_t)base) return false;
    v = v * (uint64_t)base + d;
  }
  *out = v;
  return true;
}

static wg_toml_value *make_integer(toml_parser *p, size_t start, size_t end,
                                   int64_t value) {
  wg_toml_value *v = toml_new_scalar(p, WG_TOML_INTEGER, start);
  if (!v) return NULL;
  v->u.integer = value;
  p->i = end;
  return v;
}

/* 0x, 0o, 0b: no sign allowed, lower-case prefix only. */
static wg_toml_value *parse_prefixed(toml_parser *p, size_t start, size_t end,
                                     int base) {
  size_t j = start + 2;
  if (scan_digits(p->s, &j, end, base) == 0 || j != end) {
    toml_fail(p, start, WG_TOML_SYNTAX, "invalid integer");
    return NULL;
  }
  uint64_t u;
  if (!accumulate(p->s, start + 2, end, base, INT64_MAX, &u)) {
    toml_fail(p, start, WG_TOML_OVERFLOW, "integer out of 64-bit range");
    return NULL;
  }
  return make_integer(p, start, end, (int64_t)u);
}

static wg_toml_value *make_float(toml_parser *p, size_t start, size_t end,
                                 double value) {
  wg_toml_value *v = toml_new_scalar(p, WG_TOML_FLOAT, start);
  if (!v) return NULL;
  v->u.floating.value = value;
  v->u.floating.len = end - start;
  v->u.floating.lexeme =
      toml_strndup(p, (const char *)p->s + start, end - start);
  if (!v->u.floating.lexeme) return NULL;
  p->i = end;
  return v;
}

/* inf and nan, with an optional sign. */
static bool special_float(toml_parser *p, size_t start, size_t end,
                          double *out) {
  size_t j = start;
  bool neg = false;
  if (p->s[j] == '+' || p->s[j] == '-') neg = p->s[j++] == '-';
  if (end - j != 3) return false;
  if (memcmp(p->s + j, "inf", 3) == 0) {
    *out = neg ? -__builtin_inf() : __builtin_inf();
    return true;
  }
  if (memcmp(p->s + j, "nan", 3) == 0) {
    *out = neg ? -__builtin_nan("") : __builtin_nan("");
    return true;
  }
  return false;
}

/* strtod on the lexeme without underscores. Assumes the "C" LC_NUMERIC
 * locale (the library never calls setlocale). */
static wg_toml_value *convert_float(toml_parser *p, size_t start, size_t end) {
  wg_buf_reset(&p->scratch);
  for (size_t k = start; k < end; k++)
    if (p->s[k] != '_' && !wg_buf_append_char(&p->scratch, (char)p->s[k])) {
      toml_fail(p, start, WG_TOML_NOMEM, "out of memory");
      return NULL;
    }
  errno = 0;
  char *stop = NULL;
  double d = strtod(p->scratch.data, &stop);
  if (stop != p->scratch.data + p->scratch.len) {
    toml_fail(p, start, WG_TOML_SYNTAX, "invalid float");
    return NULL;
  }
  if (errno == ERANGE && (d > 1.0 || d < -1.0)) {
    toml_fail(p, start, WG_TOML_OVERFLOW, "float out of range");
    return NULL;
  }
  return make_float(p, start, end, d);
}

static wg_toml_value *parse_decimal(toml_parser *p, size_t start, size_t end) {
  const uint8_t *s = p->s;
  size_t j = start;
  bool neg = false;
  if (s[j] == '+' || s[j] == '-') neg = s[j++] == '-';
  size_t int_start = j;
  size_t digits = scan_digits(s, &j, end, 10);
  if (digits == 0) goto bad;
  if (s[int_start] == '0' && digits > 1) {
    toml_fail(p, start, WG_TOML_SYNTAX, "leading zero in a number");
    return NULL;
  }
  size_t int_end = j;
  bool is_float = false;
  if (j < end && s[j] == '.') {
    j++;
    if (scan_digits(s, &j, end, 10) == 0) goto bad;
    is_float = true;
  }
  if (j < end && (s[j] == 'e' || s[j] == 'E')) {
    j++;
    if (j < end && (s[j] == '+' || s[j] == '-')) j++;
    if (scan_digits(s, &j, end, 10) == 0) goto bad;
    is_float = true;
  }
  if (j != end) goto bad;
  if (is_float) return convert_float(p, start, end);
  uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  uint64_t u;
  if (!accumulate(s, int_start, int_end, 10, limit, &u)) {
    toml_fail(p, start, WG_TOML_OVERFLOW, "integer out of 64-bit range");
    return NULL;
  }
  /* -(2^63) is representable; convert without signed overflow. */
  int64_t value = neg ? (u ? -(int64_t)(u - 1) - 1 : 0) : (int64_t)u;
  return make_integer(p, start, end, value);
bad:
  toml_fail(p, start, WG_TOML_SYNTAX, "invalid number");
  return NULL;
}

static wg_toml_value *parse_number(toml_parser *p) {
  size_t start = p->i, end = p->i;
  while (end < p->len && is_number_char(p->s[end])) end++;
  if (end == start) {
    toml_fail(p, start, WG_TOML_SYNTAX, "invalid value");
    return NULL;
  }
  double special;
  if (special_float(p, start, end, &special))
    return make_float(p, start, end, special);
  if (end - start >= 2 && p->s[start] == '0') {
    switch (p->s[start + 1]) {
      case 'x': return parse_prefixed(p, start, end, 16);
      case 'o': return parse_prefixed(p, start, end, 8);
      case 'b': return parse_prefixed(p, start, end, 2);
      default: break;
    }
  }
  return parse_decimal(p, start, end);
}

/* ---- dates and times ---- */

/* n decimal digits at s[*j]; advances *j. */
static bool fixed_digits(toml_parser *p, size_t *j, size_t n, int32_t *out) {
  int32_t v = 0;
  for (size_t k = 0; k < n; k++, (*j)++) {
    if (*j >= p->len || !is_digit(p->s[*j])) return false;
    v = v * 10 + (p->s[*j] - '0');
  }
  *out = v;
  return true;
}

static bool expect_char(toml_parser *p, size_t *j, char c) {
  if (*j >= p->len || p->s[*j] != (uint8_t)c) return false;
  (*j)++;
  return true;
}

static int days_in_month(int32_t year, int32_t month) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD. Returns 0 ok, 1 malformed, 2 out of range. */
static int scan_date(toml_parser *p, size_t *j, wg_toml_datetime *dt) {
  if (!fixed_digits(p, j, 4, &dt->year) || !expect_char(p, j, '-') ||
      !fixed_digits(p, j, 2, &dt->month) || !expect_char(p, j, '-') ||
      !fixed_digits(p, j, 2, &dt->day))
    return 1;
  if (dt->month < 1 || dt->month > 12 || dt->day < 1 ||
      dt->day > days_in_month(dt->year, dt->month))
    return 2;
  return 0;
}

/* HH:MM:SS[.fraction]; the fraction is truncated to nanoseconds and its
 * kept digits counted in *frac_digits. */
static int scan_time(toml_parser *p, size_t *j, wg_toml_datetime *dt,
                     int *frac_digits) {
  if (!fixed_digits(p, j, 2, &dt->hour) || !expect_char(p, j, ':') ||
      !fixed_digits(p, j, 2, &dt->minute) || !expect_char(p, j, ':') ||
      !fixed_digits(p, j, 2, &dt->second))
    return 1;
  *frac_digits = 0;
  if (*j < p->len && p->s[*j] == '.') {
    (*j)++;
    if (*j >= p->len || !is_digit(p->s[*j])) return 1;
    uint32_t ns = 0;
    for (; *j < p->len && is_digit(p->s[*j]); (*j)++)
      if (*frac_digits < 9) {
        ns = ns * 10 + (uint32_t)(p->s[*j] - '0');
        (*frac_digits)++;
      }
    for (int k = *frac_digits; k < 9; k++) ns *= 10;
    dt->nanosecond = ns;
  }
  if (dt->hour > 23 || dt->minute > 59 || dt->second > 60) return 2;
  return 0;
}

/* Z or +HH:MM / -HH:MM. */
static int scan_offset(toml_parser *p, size_t *j, wg_toml_datetime *dt,
                       bool *zulu) {
  int c = *j < p->len ? p->s[*j] : -1;
  *zulu = c == 'Z' || c == 'z';
  if (*zulu) {
    (*j)++;
    return 0;
  }
  (*j)++;
  int32_t h, m;
  if (!fixed_digits(p, j, 2, &h) || !expect_char(p, j, ':') ||
      !fixed_digits(p, j, 2, &m))
    return 1;
  if (h > 23 || m > 59) return 2;
  dt->offset_minutes = (c == '-' ? -1 : 1) * (h * 60 + m);
  return 0;
}

static void format_datetime(wg_toml_type type, wg_toml_datetime *dt,
                            int frac_digits, bool zulu) {
  char *t = dt->text;
  size_t cap = sizeof dt->text, n = 0;
  if (type != WG_TOML_LOCAL_TIME)
    n += (size_t)snprintf(t + n, cap - n, "%04d-%02d-%02d", (int)dt->year,
                          (int)dt->month, (int)dt->day);
  if (type == WG_TOML_LOCAL_DATE) return;
  if (type != WG_TOML_LOCAL_TIME) t[n++] = 'T';
  n += (size_t)snprintf(t + n, cap - n, "%02d:%02d:%02d", (int)dt->hour,
                        (int)dt->minute, (int)dt->second);
  if (frac_digits) {
    uint32_t ns = dt->nanosecond;
    for (int k = frac_digits; k < 9; k++) ns /= 10;
    n += (size_t)snprintf(t + n, cap - n, ".%0*u", frac_digits, (unsigned)ns);
  }
  if (type != WG_TOML_OFFSET_DATETIME) return;
  if (zulu) {
    snprintf(t + n, cap - n, "Z");
    return;
  }
  int off = dt->offset_minutes < 0 ? -dt->offset_minutes : dt->offset_minutes;
  snprintf(t + n, cap - n, "%c%02d:%02d", dt->offset_minutes < 0 ? '-' : '+',
           off / 60, off % 60);
}

/* True if a time (HH:) starts at s[j]. */
static bool time_follows(const toml_parser *p, size_t j) {
  return j + 2 < p->len && is_digit(p->s[j]) && is_digit(p->s[j + 1]) &&
         p->s[j + 2] == ':';
}

static wg_toml_value *parse_datetime(toml_parser *p, bool has_date) {
  size_t start = p->i, j = p->i;
  wg_toml_datetime dt;
  memset(&dt, 0, sizeof dt);
  wg_toml_type type = WG_TOML_LOCAL_TIME;
  int frac = 0, r = 0;
  bool zulu = false;
  if (has_date) {
    type = WG_TOML_LOCAL_DATE;
    r = scan_date(p, &j, &dt);
    if (r == 0 && j < p->len) {
      int sep = p->s[j];
      if (sep == 'T' || sep == 't' || (sep == ' ' && time_follows(p, j + 1))) {
        j++;
        type = WG_TOML_LOCAL_DATETIME;
      }
    }
  }
  if (r == 0 && type != WG_TOML_LOCAL_DATE) r = scan_time(p, &j, &dt, &frac);
  if (r == 0 && type == WG_TOML_LOCAL_DATETIME && j < p->len &&
      (p->s[j] == 'Z' || p->s[j] == 'z' || p->s[j] == '+' || p->s[j] == '-')) {
    type = WG_TOML_OFFSET_DATETIME;
    r = scan_offset(p, &j, &dt, &zulu);
  }
  if (r == 0 && j < p->len && is_number_char(p->s[j])) r = 1;
  if (r != 0) {
    if (r == 1) toml_fail(p, start, WG_TOML_SYNTAX, "invalid date or time");
    else toml_fail(p, start, WG_TOML_BAD_VALUE, "date or time out of range");
    return NULL;
  }
  wg_toml_value *v = toml_new_scalar(p, type, start);
  wg_toml_datetime *copy = v ? toml_alloc(p, sizeof *copy) : NULL;
  if (!copy) return NULL;
  format_datetime(type, &dt, frac, zulu);
  *copy = dt;
  v->u.datetime = copy;
  p->i = j;
  return v;
}

wg_toml_value *toml_parse_scalar(toml_parser *p) {
  int c = toml_peek(p, 0);
  if (c == '"' || c == '\'') return parse_string(p);
  if (c == 't') return parse_word(p, "true", true);
  if (c == 'f') return parse_word(p, "false", false);
  if (is_digit(c) && is_digit(toml_peek(p, 1))) {
    if (is_digit(toml_peek(p, 2)) && is_digit(toml_peek(p, 3)) &&
        toml_peek(p, 4) == '-')
      return parse_datetime(p, true);
    if (toml_peek(p, 2) == ':') return parse_datetime(p, false);
  }
  return parse_number(p);
}
