/* manifest_tool.c: [[tools]] entries: input_schema from TOML to canonical
 * JSON, and yoi's registration-time checks (name, schema, duplicates; plus
 * wasmgate's own bounds on what reaches the model verbatim).
 *
 * The TOML walk uses an explicit stack (the TOML parser already bounds the
 * depth to WG_MANIFEST_MAX_TOML_DEPTH): no recursion on input depth. Values JSON
 * cannot represent (date-times, nan, inf) are reported with their location,
 * e.g. "tools[0].input_schema.properties.x.default". */
#include "manifest_internal.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

typedef struct frame {
  const wg_toml_value *v;
  size_t next; /* index of the next member or item to emit */
} frame;

/* serde_json's float form (ryu's format64): the shortest digits that read
 * back exactly, placed as ryu places them: "1000.0", "0.25", "0.0001",
 * "1e20", "4.5e-7", "5e-324"; always a '.' or an exponent. d is finite. */
static bool write_float(wg_json_writer *w, double d) {
  char sci[40];
  int prec = 0;
  for (; prec < 17; prec++) {
    snprintf(sci, sizeof sci, "%.*e", prec, d);
    if (strtod(sci, NULL) == d) break;
  }
  /* sci is [-]D[.DDD]e[+-]XX (a decimal-comma locale changes only '.'). */
  const char *p = sci;
  bool neg = *p == '-';
  if (neg) p++;
  char digits[24];
  int len = 0;
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9' && len < 20) digits[len++] = *p;
  int exp10 = *p == 'e' ? atoi(p + 1) : 0;
  char t[64];
  int n = 0;
  if (neg) t[n++] = '-';
  if (len == 1 && digits[0] == '0') {
    memcpy(t + n, "0.0", 3);
    return wg_json_writer_number(w, t, (size_t)n + 3);
  }
  int kk = exp10 + 1; /* position of the decimal point */
  if (kk >= len && kk <= 16) { /* 1000.0 */
    for (int i = 0; i < len; i++) t[n++] = digits[i];
    for (int i = len; i < kk; i++) t[n++] = '0';
    t[n++] = '.';
    t[n++] = '0';
  } else if (kk > 0 && kk <= 16) { /* 1.25 */
    for (int i = 0; i < len; i++) {
      if (i == kk) t[n++] = '.';
      t[n++] = digits[i];
    }
  } else if (kk > -5 && kk <= 0) { /* 0.0001 */
    t[n++] = '0';
    t[n++] = '.';
    for (int i = kk; i < 0; i++) t[n++] = '0';
    for (int i = 0; i < len; i++) t[n++] = digits[i];
  } else { /* 1e20, 4.5e-7 */
    t[n++] = digits[0];
    if (len > 1) {
      t[n++] = '.';
      for (int i = 1; i < len; i++) t[n++] = digits[i];
    }
    n += snprintf(t + n, sizeof t - (size_t)n, "e%d", kk - 1);
  }
  return wg_json_writer_number(w, t, (size_t)n);
}

/* Writes a scalar; 1 if it has no JSON form. */
static int write_scalar(wg_json_writer *w, const wg_toml_value *v) {
  switch (v->type) {
  case WG_TOML_STRING:
    return wg_json_writer_string(w, v->u.string.text, v->u.string.len) ? 0 : -1;
  case WG_TOML_INTEGER: return wg_json_writer_int(w, v->u.integer) ? 0 : -1;
  case WG_TOML_BOOL: return wg_json_writer_bool(w, v->u.boolean) ? 0 : -1;
  case WG_TOML_FLOAT:
    if (!isfinite(v->u.floating.value)) return 1;
    return write_float(w, v->u.floating.value) ? 0 : -1;
  default: return 1; /* the four date-time types */
  }
}

void pkg_loc_key(wg_buf *where, const char *key, size_t len) {
  wg_buf_append_char(where, '.');
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)key[i];
    if (c >= 0x20 && c < 0x7f && c != '\\') wg_buf_append_char(where, (char)c);
    else wg_buf_printf(where, "\\x%02X", c);
  }
}

/* The location of the value being emitted: each open container's current
 * child. */
static void locate(wg_buf *where, const frame *stack, size_t depth) {
  for (size_t i = 0; i < depth; i++) {
    const wg_toml_value *c = stack[i].v;
    size_t at = stack[i].next - 1;
    if (c->type == WG_TOML_ARRAY) {
      wg_buf_printf(where, "[%zu]", at);
    } else {
      const wg_toml_member *m = wg_toml_member_at(c, at);
      pkg_loc_key(where, m->key, m->key_len);
    }
  }
}

/* Opens a container or writes a scalar. */
static int emit(wg_json_writer *w, const wg_toml_value *v, frame *stack,
                size_t *depth) {
  if (v->type != WG_TOML_ARRAY && v->type != WG_TOML_TABLE)
    return write_scalar(w, v);
  if (*depth >= WG_MANIFEST_MAX_TOML_DEPTH + 1) return -1; /* the parser forbids it */
  bool ok = v->type == WG_TOML_ARRAY ? wg_json_writer_begin_array(w)
                                     : wg_json_writer_begin_object(w);
  stack[(*depth)++] = (frame){v, 0};
  return ok ? 0 : -1;
}

/* Document-order JSON of v into out. 0, 1 (location in where) or -1. */
static int toml_json_compact(const wg_toml_value *v, wg_buf *out,
                             wg_buf *where) {
  frame stack[WG_MANIFEST_MAX_TOML_DEPTH + 1];
  size_t depth = 0;
  wg_json_writer w;
  wg_json_writer_init(&w, out);
  int rc = emit(&w, v, stack, &depth);
  while (rc == 0 && depth > 0) {
    frame *top = &stack[depth - 1];
    const wg_toml_value *c = top->v;
    if (top->next == wg_toml_count(c)) {
      bool ok = c->type == WG_TOML_ARRAY ? wg_json_writer_end_array(&w)
                                         : wg_json_writer_end_object(&w);
      depth--;
      if (!ok) rc = -1;
      continue;
    }
    const wg_toml_value *child;
    if (c->type == WG_TOML_ARRAY) {
      child = wg_toml_at(c, top->next);
    } else {
      const wg_toml_member *m = wg_toml_member_at(c, top->next);
      if (!wg_json_writer_key(&w, m->key, m->key_len)) rc = -1;
      child = m->value;
    }
    top->next++;
    if (rc == 0) rc = emit(&w, child, stack, &depth);
  }
  if (rc == 1) locate(where, stack, depth);
  if (rc == 0 && !wg_json_writer_finish(&w)) rc = -1;
  return rc;
}

int pkg_toml_to_json(const wg_toml_value *v, wg_arena *arena, const char **json,
                    size_t *json_len, wg_buf *where) {
  *json = NULL;
  *json_len = 0;
  wg_buf compact, canon;
  wg_buf_init(&compact, WG_MANIFEST_MAX_SCHEMA_JSON);
  wg_buf_init(&canon, WG_MANIFEST_MAX_SCHEMA_JSON);
  int rc = toml_json_compact(v, &compact, where);
  wg_json_doc *doc = NULL;
  if (rc == 0) {
    /* Re-read and write canonically: sorted keys, as serde_json shows it. */
    doc = wg_json_parse(compact.data, compact.len, NULL, NULL);
    if (!doc || !wg_json_write(wg_json_root(doc), true, &canon)) rc = -1;
  }
  if (rc == 0) {
    *json = wg_arena_strndup(arena, canon.data, canon.len);
    *json_len = canon.len;
    if (!*json) rc = -1;
  }
  wg_json_free(doc);
  wg_buf_free(&compact);
  wg_buf_free(&canon);
  return rc;
}

/* ---- checks ------------------------------------------------------------ */

static int tool_fail(wg_manifest_diag *d, wg_pkg_code kind, const char *msg) {
  pkg_diag_set(&d->diag, kind, WG_PKG_PHASE_MANIFEST, msg);
  return -1;
}

/* "tools[i].field" + suffix; the suffix (a schema path holding manifest
 * keys) gets non-printable bytes escaped as \xNN, and the whole is cut to
 * the field's size. */
static void set_location(wg_manifest_diag *d, size_t index, const char *field,
                         const char *suffix) {
  wg_buf b;
  wg_buf_init(&b, sizeof d->location - 1);
  wg_buf_printf(&b, "tools[%zu].%s", index, field);
  for (const char *c = suffix ? suffix : ""; *c; c++) {
    unsigned char u = (unsigned char)*c;
    if (u >= 0x20 && u < 0x7f) wg_buf_append_char(&b, *c);
    else wg_buf_printf(&b, "\\x%02X", u);
  }
  snprintf(d->location, sizeof d->location, "%s", b.data ? b.data : "");
  wg_buf_free(&b);
}

/* Rust's char::is_control (general category Cc). */
static bool is_control(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* yoi's validate_tool_name: 1-128 bytes, no Unicode whitespace or control
 * character. */
static const char *name_problem(const char *s, size_t len) {
  if (len == 0) return "plugin tool name is empty";
  if (len > WG_MANIFEST_MAX_TOOL_NAME) return "plugin tool name exceeds 128 bytes";
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n = wg_utf8_decode((const uint8_t *)s + i, len - i, &cp);
    if (n == 0) return "plugin tool name is not valid UTF-8";
    if (is_control(cp) || pkg_unicode_space(cp))
      return "plugin tool name contains whitespace or control characters";
    i += n;
  }
  return NULL;
}

static const char *description_problem(const char *s, size_t len) {
  if (len > WG_MANIFEST_MAX_TOOL_DESCRIPTION)
    return "plugin tool description exceeds 4096 bytes";
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n = wg_utf8_decode((const uint8_t *)s + i, len - i, &cp);
    if (n == 0) return "plugin tool description is not valid UTF-8";
    if (is_control(cp) && cp != '\n' && cp != '\t')
      return "plugin tool description contains control characters other "
             "than newline and tab";
    i += n;
  }
  return NULL;
}

static bool root_is_object(const wg_json *root) {
  const wg_json *type = wg_json_get(root, "type");
  const char *s = wg_json_str(type);
  return s && type->u.string.len == 6 && memcmp(s, "object", 6) == 0;
}

static int schema_problem(const wg_manifest_tool *t, size_t index,
                          wg_manifest_diag *d) {
  if (!t->input_schema_json) {
    snprintf(d->location, sizeof d->location, "%s",
             t->input_schema_error ? t->input_schema_error : "");
    return tool_fail(d, WG_PKG_MALFORMED,
                     "plugin tool input_schema holds a value JSON cannot "
                     "represent (date-time, nan or inf)");
  }
  wg_json_doc *doc = wg_json_parse(t->input_schema_json, t->input_schema_len,
                                   NULL, NULL);
  if (!doc) return tool_fail(d, WG_PKG_IO, "plugin tool check: out of memory");
  bool object = root_is_object(wg_json_root(doc));
  wg_json_free(doc);
  if (!object) {
    set_location(d, index, "input_schema", ".type");
    return tool_fail(d, WG_PKG_MALFORMED,
                     "plugin tool input_schema root must have type \"object\"");
  }
  wg_schema_error err;
  wg_schema *s = wg_manifest_tool_schema(t, &err);
  if (s) {
    wg_schema_free(s);
    return 0;
  }
  const char *path = err.schema_path[0] == '$' ? err.schema_path + 1 : "";
  set_location(d, index, "input_schema", path);
  char msg[WG_PKG_MESSAGE_MAX];
  snprintf(msg, sizeof msg,
           "plugin tool input_schema is not a supported JSON Schema (%s)",
           wg_schema_code_name(err.code));
  return tool_fail(d, WG_PKG_MALFORMED, msg);
}

static bool same_name(const wg_manifest_tool *a, const wg_manifest_tool *b) {
  return a->name_len == b->name_len &&
         memcmp(a->name, b->name, a->name_len) == 0;
}

static int check_tool(const wg_manifest *m, size_t index, wg_manifest_diag *d) {
  memset(d, 0, sizeof *d);
  d->tool_index = index;
  if (index >= m->tool_count) {
    d->tool_index = SIZE_MAX;
    return tool_fail(d, WG_PKG_MISSING, "plugin tool index is out of range");
  }
  const wg_manifest_tool *t = &m->tools[index];
  const char *why = name_problem(t->name, t->name_len);
  if (why) {
    set_location(d, index, "name", NULL);
    return tool_fail(d, WG_PKG_MALFORMED, why);
  }
  for (size_t j = 0; j < index; j++) {
    if (same_name(&m->tools[j], t)) {
      set_location(d, index, "name", NULL);
      return tool_fail(d, WG_PKG_DUPLICATE,
                       "plugin tool name is declared twice in the same "
                       "plugin package");
    }
  }
  why = description_problem(t->description, t->description_len);
  if (why) {
    set_location(d, index, "description", NULL);
    return tool_fail(d, WG_PKG_MALFORMED, why);
  }
  return schema_problem(t, index, d);
}

wg_pkg_code wg_manifest_tool_check(const wg_manifest *m, size_t index,
                                   wg_manifest_diag *d) {
  return pkg_code_of(check_tool(m, index, d), &d->diag);
}

bool wg_manifest_tool_name_portable(const char *name, size_t len) {
  if (len == 0 || len > WG_MANIFEST_PORTABLE_TOOL_NAME) return false;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool wg_manifest_tool_warning(const wg_manifest *m, size_t index,
                              wg_manifest_diag *d) {
  memset(d, 0, sizeof *d);
  if (index >= m->tool_count) return false;
  const wg_manifest_tool *t = &m->tools[index];
  if (wg_manifest_tool_name_portable(t->name, t->name_len)) return false;
  d->warning = true;
  d->tool_index = index;
  set_location(d, index, "name", NULL);
  pkg_diag_set(&d->diag, WG_PKG_MALFORMED, WG_PKG_PHASE_MANIFEST,
               "plugin tool name is outside [A-Za-z0-9_-]{1,64}, which most "
               "model APIs require");
  return true;
}

wg_schema *wg_manifest_tool_schema(const wg_manifest_tool *t,
                                   wg_schema_error *err) {
  if (err) memset(err, 0, sizeof *err);
  if (!t->input_schema_json) {
    if (err) err->code = WG_SCHEMA_BAD_KEYWORD;
    return NULL;
  }
  wg_json_doc *doc = wg_json_parse(t->input_schema_json, t->input_schema_len,
                                   NULL, NULL);
  if (!doc) {
    if (err) err->code = WG_SCHEMA_NOMEM;
    return NULL;
  }
  wg_schema *s = wg_schema_compile(wg_json_root(doc), NULL, err);
  wg_json_free(doc);
  return s;
}
