/* toml_decoder.c: the toml-test decoder for wg_toml. Reads one TOML
 * document on stdin; if it parses, writes toml-test's tagged JSON on stdout
 * and exits 0, else prints the error (status, line, column, message) on
 * stderr and exits 1. The JSON writer is local on purpose (the json layer is
 * not a dependency of toml). Recursion here is bounded by the parser's
 * max_depth. */
#include "wasmgate/toml.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_json_string(const char *s, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      putchar('\\');
      putchar(c);
    } else if (c < 0x20 || c == 0x7f) {
      printf("\\u%04x", c);
    } else {
      putchar(c);
    }
  }
  putchar('"');
}

static void put_tagged(const char *type, const char *value) {
  printf("{\"type\":\"%s\",\"value\":", type);
  put_json_string(value, strlen(value));
  putchar('}');
}

static void put_float(double d) {
  char buf[64];
  if (isnan(d)) snprintf(buf, sizeof buf, "nan");
  else if (isinf(d)) snprintf(buf, sizeof buf, d < 0 ? "-inf" : "inf");
  else snprintf(buf, sizeof buf, "%.17g", d);
  put_tagged("float", buf);
}

static void put_value(const wg_toml_value *v) {
  char buf[32];
  switch (v->type) {
    case WG_TOML_STRING:
      printf("{\"type\":\"string\",\"value\":");
      put_json_string(v->u.string.text, v->u.string.len);
      putchar('}');
      return;
    case WG_TOML_INTEGER:
      snprintf(buf, sizeof buf, "%" PRId64, v->u.integer);
      put_tagged("integer", buf);
      return;
    case WG_TOML_FLOAT: put_float(v->u.floating.value); return;
    case WG_TOML_BOOL:
      put_tagged("bool", v->u.boolean ? "true" : "false");
      return;
    case WG_TOML_OFFSET_DATETIME:
      put_tagged("datetime", v->u.datetime->text);
      return;
    case WG_TOML_LOCAL_DATETIME:
      put_tagged("datetime-local", v->u.datetime->text);
      return;
    case WG_TOML_LOCAL_DATE:
      put_tagged("date-local", v->u.datetime->text);
      return;
    case WG_TOML_LOCAL_TIME:
      put_tagged("time-local", v->u.datetime->text);
      return;
    case WG_TOML_ARRAY:
      putchar('[');
      for (size_t i = 0; i < wg_toml_count(v); i++) {
        if (i) putchar(',');
        put_value(wg_toml_at(v, i));
      }
      putchar(']');
      return;
    case WG_TOML_TABLE:
      putchar('{');
      for (size_t i = 0; i < wg_toml_count(v); i++) {
        const wg_toml_member *m = wg_toml_member_at(v, i);
        if (i) putchar(',');
        put_json_string(m->key, m->key_len);
        putchar(':');
        put_value(m->value);
      }
      putchar('}');
      return;
  }
}

int main(void) {
  wg_toml_limits lim = wg_toml_default_limits();
  size_t cap = lim.max_size + 1, len = 0;
  char *text = malloc(cap);
  if (!text) return 2;
  size_t n;
  while (len < cap && (n = fread(text + len, 1, cap - len, stdin)) > 0)
    len += n;
  wg_toml_error err;
  wg_toml_doc *doc = wg_toml_parse(text, len, &lim, &err);
  free(text);
  if (!doc) {
    fprintf(stderr, "%s at line %u, column %u (offset %zu): %s\n",
            wg_toml_code_name(err.code), (unsigned)err.line,
            (unsigned)err.column, err.offset, err.message);
    return 1;
  }
  put_value(wg_toml_root(doc));
  putchar('\n');
  wg_toml_free(doc);
  return 0;
}
