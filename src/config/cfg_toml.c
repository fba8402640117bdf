/* cfg_toml.c: strict, typed reads of a TOML tree for the config and lock
 * files. Every failure names the dotted location of the key (keys are the
 * user's own config text; they are escaped and bounded) and carries the
 * line and column where the key or value is written. */
#include "cfg_internal.h"

#include <stdio.h>
#include <string.h>

/* Keys are quoted in messages: printable ASCII as is, everything else as
 * \xNN, at most 48 bytes of key, so a message stays bounded and readable. */
static void escape_key(char *out, size_t cap, const char *s, size_t len) {
  wg_escape_ascii(out, cap, s, len, 48, "`");
}

int cfg_fmt(char *out, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, cap, fmt, ap);
  va_end(ap);
  return n;
}

const char *wg_config_code_name(wg_config_code code) {
  switch (code) {
  case WG_CONFIG_OK: return "ok";
  case WG_CONFIG_TOML: return "toml";
  case WG_CONFIG_UNKNOWN_KEY: return "unknown_key";
  case WG_CONFIG_TYPE: return "type";
  case WG_CONFIG_RANGE: return "range";
  case WG_CONFIG_MISSING: return "missing";
  case WG_CONFIG_INVALID: return "invalid";
  case WG_CONFIG_IO: return "io";
  case WG_CONFIG_NOMEM: return "nomem";
  }
  return WG_NAME_UNKNOWN;
}

void cfg_error_set(wg_config_error *err, wg_config_code code, const char *fmt,
                   ...) {
  if (!err) return;
  memset(err, 0, sizeof *err);
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

static int vfail(cfg_ctx *c, wg_config_code code, uint32_t line,
                 uint32_t column, const char *fmt, va_list ap) {
  if (c->failed) return -1;
  c->failed = true;
  if (c->err) {
    c->err->code = code;
    c->err->line = line;
    c->err->column = column;
    vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
  }
  return -1;
}

int cfg_fail_at(cfg_ctx *c, uint32_t line, uint32_t column, const char *fmt,
                ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = vfail(c, WG_CONFIG_INVALID, line, column, fmt, ap);
  va_end(ap);
  return rc;
}

int cfg_fail_code(cfg_ctx *c, wg_config_code code, uint32_t line,
                  uint32_t column, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = vfail(c, code, line, column, fmt, ap);
  va_end(ap);
  return rc;
}

/* Line and column (code points, 1-based) of a byte offset; the text was
 * valid UTF-8 for the TOML parser, so counting non-continuation bytes
 * counts code points. */
int cfg_fail_offset(cfg_ctx *c, size_t offset, const char *fmt, ...) {
  uint32_t line = 1, column = 1;
  size_t end = offset < c->len ? offset : c->len;
  for (size_t i = 0; c->text && i < end; i++) {
    unsigned char ch = (unsigned char)c->text[i];
    if (ch == '\n') {
      line++;
      column = 1;
    } else if ((ch & 0xC0) != 0x80) {
      column++;
    }
  }
  va_list ap;
  va_start(ap, fmt);
  int rc = vfail(c, WG_CONFIG_INVALID, line, column, fmt, ap);
  va_end(ap);
  return rc;
}

void cfg_join(char *out, const char *where, const char *key) {
  char k[CFG_WHERE_MAX];
  escape_key(k, sizeof k, key, strlen(key));
  if (!where || !where[0]) cfg_fmt(out, CFG_WHERE_MAX, "%s", k);
  else cfg_fmt(out, CFG_WHERE_MAX, "%s.%s", where, k);
}

void cfg_index(char *out, const char *where, size_t i) {
  cfg_fmt(out, CFG_WHERE_MAX, "%s[%zu]", where, i);
}

int cfg_check_keys(cfg_ctx *c, const wg_toml_value *table,
                   const char *const *allowed, const char *where) {
  for (size_t i = 0; i < wg_toml_count(table); i++) {
    const wg_toml_member *m = wg_toml_member_at(table, i);
    bool ok = false;
    for (size_t a = 0; allowed[a] && !ok; a++)
      ok = strlen(allowed[a]) == m->key_len &&
           memcmp(allowed[a], m->key, m->key_len) == 0;
    if (ok) continue;
    char k[96];
    escape_key(k, sizeof k, m->key, m->key_len);
    if (!where || !where[0])
      return cfg_fail_code(c, WG_CONFIG_UNKNOWN_KEY, m->key_pos.line,
                           m->key_pos.column, "unknown key `%s` at the top level", k);
    return cfg_fail_code(c, WG_CONFIG_UNKNOWN_KEY, m->key_pos.line, m->key_pos.column,
                         "unknown key `%s` in `%s`", k, where);
  }
  return 0;
}

static const char *article_type(wg_toml_type t) {
  switch (t) {
  case WG_TOML_STRING: return "a string";
  case WG_TOML_INTEGER: return "an integer";
  case WG_TOML_FLOAT: return "a float";
  case WG_TOML_BOOL: return "a boolean";
  case WG_TOML_ARRAY: return "an array";
  case WG_TOML_TABLE: return "a table";
  default: return "a date-time";
  }
}

static int wrong_type(cfg_ctx *c, const wg_toml_value *v, const char *where,
                      const char *want) {
  return cfg_fail_code(c, WG_CONFIG_TYPE, v->pos.line, v->pos.column,
                       "`%s` must be %s, not %s", where, want, article_type(v->type));
}

int cfg_string_value(cfg_ctx *c, const wg_toml_value *v, const char *where,
                     const char **out) {
  if (v->type != WG_TOML_STRING) return wrong_type(c, v, where, "a string");
  if (strlen(v->u.string.text) != v->u.string.len)
    return cfg_fail_at(c, v->pos.line, v->pos.column,
                       "`%s` must not contain a NUL character", where);
  *out = v->u.string.text;
  return 0;
}

int cfg_get_string(cfg_ctx *c, const wg_toml_value *table, const char *key,
                   const char *where, const char **out) {
  const wg_toml_value *v = wg_toml_get(table, key);
  if (!v) return 0;
  char w[CFG_WHERE_MAX];
  cfg_join(w, where, key);
  return cfg_string_value(c, v, w, out);
}

int cfg_get_bool(cfg_ctx *c, const wg_toml_value *table, const char *key,
                 const char *where, bool *out) {
  const wg_toml_value *v = wg_toml_get(table, key);
  if (!v) return 0;
  char w[CFG_WHERE_MAX];
  cfg_join(w, where, key);
  if (v->type != WG_TOML_BOOL) return wrong_type(c, v, w, "a boolean");
  *out = v->u.boolean;
  return 0;
}

int cfg_get_u64(cfg_ctx *c, const wg_toml_value *table, const char *key,
                const char *where, uint64_t min, uint64_t max, uint64_t *out) {
  const wg_toml_value *v = wg_toml_get(table, key);
  if (!v) return 0;
  char w[CFG_WHERE_MAX];
  cfg_join(w, where, key);
  if (v->type != WG_TOML_INTEGER) return wrong_type(c, v, w, "an integer");
  int64_t n = v->u.integer;
  if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
    return cfg_fail_code(c, WG_CONFIG_RANGE, v->pos.line, v->pos.column,
                         "`%s` must be between %llu and %llu", w,
                       (unsigned long long)min, (unsigned long long)max);
  *out = (uint64_t)n;
  return 0;
}

int cfg_get_table(cfg_ctx *c, const wg_toml_value *table, const char *key,
                  const char *where, const wg_toml_value **out) {
  const wg_toml_value *v = wg_toml_get(table, key);
  if (!v) return 0;
  char w[CFG_WHERE_MAX];
  cfg_join(w, where, key);
  if (v->type != WG_TOML_TABLE) return wrong_type(c, v, w, "a table");
  *out = v;
  return 0;
}

int cfg_get_array(cfg_ctx *c, const wg_toml_value *table, const char *key,
                  const char *where, const wg_toml_value **out) {
  const wg_toml_value *v = wg_toml_get(table, key);
  if (!v) return 0;
  char w[CFG_WHERE_MAX];
  cfg_join(w, where, key);
  if (v->type != WG_TOML_ARRAY) return wrong_type(c, v, w, "an array");
  *out = v;
  return 0;
}

int cfg_get_strings(cfg_ctx *c, const wg_toml_value *table, const char *key,
                    const char *where, const char ***out, size_t *count) {
  const wg_toml_value *arr = NULL;
  if (cfg_get_array(c, table, key, where, &arr) || !arr) return c->failed ? -1 : 0;
  char w[CFG_WHERE_MAX], wi[CFG_WHERE_MAX];
  cfg_join(w, where, key);
  size_t n = wg_toml_count(arr);
  const char **items = wg_arena_array(c->arena, n ? n : 1, sizeof *items);
  if (!items) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
  for (size_t i = 0; i < n; i++) {
    cfg_index(wi, w, i);
    if (cfg_string_value(c, wg_toml_at(arr, i), wi, &items[i])) return -1;
  }
  *out = items;
  *count = n;
  return 0;
}

int cfg_require(cfg_ctx *c, const wg_toml_value *table, const char *key,
                const char *where) {
  if (wg_toml_get(table, key)) return 0;
  char w[CFG_WHERE_MAX];
  cfg_join(w, where, key);
  return cfg_fail_code(c, WG_CONFIG_MISSING, table->pos.line, table->pos.column,
                       "`%s` is required", w);
}

bool cfg_safe_id(const char *s, size_t len) {
  if (len == 0 || len > 128) return false;
  if (s[0] == '.' || s[len - 1] == '.') return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)s[i];
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
    if (!ok) return false;
  }
  return true;
}
