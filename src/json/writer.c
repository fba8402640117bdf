/* writer.c: the streaming JSON writer (wg_json_writer).
 *
 * State: one bit per open level says object or array, one says whether a
 * ',' is due; `after_key` says an object member's value comes next. Every
 * call first checks it is legal in the current state; an illegal call
 * writes nothing and sets `misused`, so the buffer always holds a prefix of
 * valid JSON and wg_json_writer_finish tells whether it is complete. */
#include "json_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool writer_bit(const uint8_t *bits, size_t level) {
  return (bits[level / 8] >> (level % 8)) & 1;
}

static void writer_set_bit(uint8_t *bits, size_t level, bool on) {
  uint8_t m = (uint8_t)(1u << (level % 8));
  bits[level / 8] = on ? (uint8_t)(bits[level / 8] | m)
                       : (uint8_t)(bits[level / 8] & ~m);
}

void wg_json_writer_init(wg_json_writer *w, wg_buf *out) {
  memset(w, 0, sizeof *w);
  w->out = out;
}

static bool writer_misuse(wg_json_writer *w) {
  w->misused = true;
  return false;
}

/* Checks a value may come now and writes the ',' before it if due. */
static bool writer_before_value(wg_json_writer *w) {
  if (w->misused || w->done) return writer_misuse(w);
  if (w->depth == 0) return true;
  size_t level = w->depth - 1;
  if (writer_bit(w->in_object, level)) {
    if (!w->after_key) return writer_misuse(w);
    w->after_key = false;
    return true;
  }
  if (writer_bit(w->has_items, level)) wg_buf_append_char(w->out, ',');
  writer_set_bit(w->has_items, level, true);
  return true;
}

/* Marks a value complete (the top-level one ends the document). */
static bool writer_after_value(wg_json_writer *w) {
  if (w->depth == 0) w->done = true;
  return wg_buf_ok(w->out);
}

static bool writer_begin(wg_json_writer *w, bool object) {
  if (w->depth >= WG_JSON_WRITER_MAX_DEPTH)
    return writer_misuse(w);
  if (!writer_before_value(w)) return false;
  size_t level = w->depth++;
  writer_set_bit(w->in_object, level, object);
  writer_set_bit(w->has_items, level, false);
  return wg_buf_append_char(w->out, object ? '{' : '[');
}

static bool writer_end(wg_json_writer *w, bool object) {
  if (w->misused || w->depth == 0 || w->after_key ||
      writer_bit(w->in_object, w->depth - 1) != object)
    return writer_misuse(w);
  w->depth--;
  wg_buf_append_char(w->out, object ? '}' : ']');
  return writer_after_value(w);
}

bool wg_json_writer_begin_object(wg_json_writer *w) {
  return writer_begin(w, true);
}
bool wg_json_writer_end_object(wg_json_writer *w) {
  return writer_end(w, true);
}
bool wg_json_writer_begin_array(wg_json_writer *w) {
  return writer_begin(w, false);
}
bool wg_json_writer_end_array(wg_json_writer *w) {
  return writer_end(w, false);
}

bool wg_json_writer_key(wg_json_writer *w, const char *key, size_t len) {
  if (w->misused || w->depth == 0 || w->after_key ||
      !writer_bit(w->in_object, w->depth - 1))
    return writer_misuse(w);
  size_t level = w->depth - 1;
  if (writer_bit(w->has_items, level)) wg_buf_append_char(w->out, ',');
  writer_set_bit(w->has_items, level, true);
  wg_json_write_string_flags(w->out, key, len, w->flags);
  w->after_key = true;
  return wg_buf_append_char(w->out, ':');
}

/* Writes text that is known to be one complete JSON scalar. */
static bool writer_scalar(wg_json_writer *w, const char *text, size_t len) {
  if (!writer_before_value(w)) return false;
  wg_buf_append(w->out, text, len);
  return writer_after_value(w);
}

bool wg_json_writer_string(wg_json_writer *w, const char *s, size_t len) {
  if (!writer_before_value(w)) return false;
  wg_json_write_string_flags(w->out, s, len, w->flags);
  return writer_after_value(w);
}

bool wg_json_writer_cstr(wg_json_writer *w, const char *s) {
  return s ? wg_json_writer_string(w, s, strlen(s)) : wg_json_writer_null(w);
}

bool wg_json_writer_int(wg_json_writer *w, int64_t v) {
  char t[24];
  int n = snprintf(t, sizeof t, "%" PRId64, v);
  return writer_scalar(w, t, (size_t)n);
}

bool wg_json_writer_uint(wg_json_writer *w, uint64_t v) {
  char t[24];
  int n = snprintf(t, sizeof t, "%" PRIu64, v);
  return writer_scalar(w, t, (size_t)n);
}

bool wg_json_writer_double(wg_json_writer *w, double v) {
  if (!isfinite(v)) return wg_json_writer_null(w);
  char t[40];
  int n = 0;
  /* The fewest significant digits (at most 17) that read back exactly. */
  for (int prec = 1; prec <= 17; prec++) {
    n = snprintf(t, sizeof t, "%.*g", prec, v);
    if (strtod(t, NULL) == v) break;
  }
  /* A locale with a decimal comma must not leak into JSON. */
  for (int i = 0; i < n; i++)
    if (t[i] == ',') t[i] = '.';
  return wg_json_writer_number(w, t, (size_t)n);
}

bool wg_json_writer_bool(wg_json_writer *w, bool v) {
  return v ? writer_scalar(w, "true", 4) : writer_scalar(w, "false", 5);
}

bool wg_json_writer_null(wg_json_writer *w) {
  return writer_scalar(w, "null", 4);
}

bool wg_json_writer_number(wg_json_writer *w, const char *lexeme, size_t len) {
  size_t err_at;
  const char *why;
  if (!lexeme || !len || json_number_scan(lexeme, len, &err_at, &why) != len)
    return writer_misuse(w);
  return writer_scalar(w, lexeme, len);
}

bool wg_json_writer_value(wg_json_writer *w, const wg_json *v, bool canonical) {
  if (!writer_before_value(w)) return false;
  wg_json_write_flags(v, canonical, w->flags, w->out);
  return writer_after_value(w);
}

bool wg_json_writer_finish(const wg_json_writer *w) {
  return w->done && !w->misused && w->depth == 0 && wg_buf_ok(w->out);
}
