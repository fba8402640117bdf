/* write.c: compact and canonical JSON output of a tree.
 *
 * Canonical form (what the runtime hashes and hands to tools):
 *   - no whitespace; object members sorted by key bytes (memcmp order, a
 *     key that is a prefix of another sorts first), at every level;
 *   - numbers copied verbatim as their lexeme (never reformatted, so 1e400
 *     and -0.0 survive);
 *   - strings with minimal escapes: \" \\ \b \f \n \r \t, every other byte
 *     below 0x20 as \u00xx (lowercase hex), everything else raw UTF-8
 *     (including '/', DEL, U+2028 and U+2029).
 * With WG_JSON_ESCAPE_TERMINAL (never in the canonical form the runtime
 * hands a tool), code points a terminal would act on are escaped too: DEL,
 * the C1 controls U+0080-U+009F and the bidi controls U+061C, U+200E,
 * U+200F, U+202A-U+202E and U+2066-U+2069, as \u00xx / \u202e.
 * Compact form is the same except members stay in document order. Pretty
 * form adds a newline and `indent` spaces per level before each member and
 * closing bracket of a non-empty container, and ": " after keys.
 *
 * Output is valid UTF-8 JSON whatever the tree holds: an invalid UTF-8 byte
 * in a string becomes U+FFFD (one per byte that does not start a valid
 * sequence), a number node whose lexeme is not a JSON number, a NULL child
 * or an unknown type is written as null. Non-recursive: an explicit stack
 * of open containers, so depth is bounded only by memory. */
#include "json_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct json_wframe {
  const wg_json *v;
  size_t i;
  size_t *order; /* canonical: member indices sorted by key; else NULL */
} json_wframe;

/* The escape for an ASCII byte that is not plain: '"', '\\' or a control
 * character (u has room for "\u00xx"). */
static const char *json_ascii_escape(uint8_t c, char u[7]) {
  static const char hex[] = "0123456789abcdef";
  switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default:
      memcpy(u, "\\u00", 4);
      u[4] = hex[(c >> 4) & 15];
      u[5] = hex[c & 15];
      u[6] = '\0';
      return u;
  }
}

bool wg_json_terminal_unsafe(uint32_t cp) {
  return cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
         cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* "\u" + four lowercase hex digits of a BMP code point. */
static const char *json_u_escape(uint32_t cp, char u[7]) {
  static const char hex[] = "0123456789abcdef";
  u[0] = '\\';
  u[1] = 'u';
  for (int k = 0; k < 4; k++) u[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
  u[6] = '\0';
  return u;
}

static bool json_write_str(wg_buf *out, const char *s, size_t len, unsigned flags) {
  if (!s) {
    s = "";
    len = 0;
  }
  bool terminal = flags & WG_JSON_ESCAPE_TERMINAL;
  const uint8_t *p = (const uint8_t *)s;
  size_t run = 0; /* start of the pending run of bytes copied verbatim */
  wg_buf_append_char(out, '"');
  for (size_t i = 0; i < len;) {
    if (terminal) { /* DEL is plain to json_plain_run; not to a terminal */
      while (i < len && json_is_plain(p[i]) && p[i] != 0x7f) i++;
    } else {
      i += json_plain_run(p + i, len - i);
    }
    if (i >= len) break;
    size_t k = 1;
    const char *esc;
    char u[7];
    if (p[i] >= 0x80) {
      uint32_t cp;
      k = wg_utf8_decode(p + i, len - i, &cp);
      if (k && !(terminal && wg_json_terminal_unsafe(cp))) { /* stays in the verbatim run */
        i += k;
        continue;
      }
      if (k) esc = json_u_escape(cp, u);
      else k = 1, esc = "\xEF\xBF\xBD"; /* U+FFFD for one invalid byte */
    } else if (p[i] == 0x7f) { /* only reached when escaping for a terminal */
      esc = json_u_escape(0x7f, u);
    } else {
      esc = json_ascii_escape(p[i], u);
    }
    wg_buf_append(out, s + run, i - run);
    wg_buf_append_str(out, esc);
    i += k;
    run = i;
  }
  wg_buf_append(out, s + run, len - run);
  return wg_buf_append_char(out, '"');
}

bool wg_json_write_string(wg_buf *out, const char *s, size_t len) {
  return json_write_str(out, s, len, 0);
}

bool wg_json_write_string_flags(wg_buf *out, const char *s, size_t len, unsigned flags) {
  return json_write_str(out, s, len, flags);
}

bool wg_json_escape_terminal(const char *text, size_t len, wg_buf *out) {
  const uint8_t *p = (const uint8_t *)text;
  size_t run = 0;
  for (size_t i = 0; i < len;) {
    uint32_t cp = p[i];
    size_t k = p[i] < 0x80 ? 1 : wg_utf8_decode(p + i, len - i, &cp);
    if (k == 0) k = 1, cp = 0xfffd; /* not UTF-8: copied as it is */
    if (wg_json_terminal_unsafe(cp)) {
      char u[7];
      wg_buf_append(out, text + run, i - run);
      wg_buf_append_str(out, json_u_escape(cp, u));
      run = i + k;
    }
    i += k;
  }
  return wg_buf_append(out, text + run, len - run);
}

static void json_write_number(const wg_json *v, wg_buf *out) {
  size_t err_at;
  const char *why;
  const char *t = v->u.number.text;
  size_t n = v->u.number.len;
  if (t && n && json_number_scan(t, n, &err_at, &why) == n)
    wg_buf_append(out, t, n);
  else
    wg_buf_append_str(out, "null");
}

typedef struct json_sort_ctx_item {
  const wg_json_member *m;
  size_t index;
} json_sort_item;

static int json_key_cmp(const void *x, const void *y) {
  const wg_json_member *a = ((const json_sort_item *)x)->m;
  const wg_json_member *b = ((const json_sort_item *)y)->m;
  size_t al = json_key_len(a), bl = json_key_len(b);
  size_t n = al < bl ? al : bl;
  int c = n ? memcmp(a->key, b->key, n) : 0;
  if (c) return c;
  if (al != bl) return al < bl ? -1 : 1;
  /* Keep the sort total (stable) for hand-built trees with repeated keys. */
  size_t ia = ((const json_sort_item *)x)->index;
  size_t ib = ((const json_sort_item *)y)->index;
  return (ia > ib) - (ia < ib);
}

/* Member indices of o sorted by key; NULL on allocation failure. */
static size_t *json_key_order(const wg_json *o) {
  size_t n = json_count(o);
  json_sort_item *items = json_realloc_array(NULL, n, sizeof *items);
  size_t *order = json_realloc_array(NULL, n, sizeof *order);
  if (!items || !order) {
    free(items);
    free(order);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    items[i].m = &o->u.object.members[i];
    items[i].index = i;
  }
  qsort(items, n, sizeof *items, json_key_cmp);
  for (size_t i = 0; i < n; i++) order[i] = items[i].index;
  free(items);
  return order;
}

/* Writes a scalar, or the opening bracket of a container (then returns
 * true in *opened so the caller pushes a frame). */
static void json_write_open(const wg_json *v, unsigned flags, wg_buf *out, bool *opened) {
  *opened = false;
  switch (v ? v->type : (wg_json_type)-1) {
    case WG_JSON_FALSE: wg_buf_append_str(out, "false"); return;
    case WG_JSON_TRUE: wg_buf_append_str(out, "true"); return;
    case WG_JSON_NUMBER: json_write_number(v, out); return;
    case WG_JSON_STRING:
      json_write_str(out, v->u.string.text, v->u.string.len, flags);
      return;
    case WG_JSON_ARRAY:
    case WG_JSON_OBJECT:
      wg_buf_append_char(out, v->type == WG_JSON_ARRAY ? '[' : '{');
      *opened = true;
      return;
    default: wg_buf_append_str(out, "null"); return;
  }
}

/* A newline and indentation for `level` levels (pretty output only). */
static void json_indent(wg_buf *out, size_t indent, size_t level) {
  static const char spaces[] = "                                ";
  if (!indent) return;
  wg_buf_append_char(out, '\n');
  size_t n = indent * level; /* cannot overflow: level < memory, indent <= 8 */
  while (n && wg_buf_ok(out)) {
    size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
    wg_buf_append(out, spaces, k);
    n -= k;
  }
}

/* Writes the separator and key before child f->i and returns the child, or
 * returns NULL with *done when the container is finished. */
static const wg_json *json_next_child(json_wframe *f, unsigned flags, wg_buf *out,
                                      size_t indent, size_t level,
                                      bool *done) {
  const wg_json *v = f->v;
  *done = f->i >= json_count(v);
  if (*done) return NULL;
  if (f->i) wg_buf_append_char(out, ',');
  json_indent(out, indent, level);
  size_t i = f->i++;
  if (v->type == WG_JSON_ARRAY) return v->u.array.items[i];
  const wg_json_member *m = &v->u.object.members[f->order ? f->order[i] : i];
  json_write_str(out, m->key, json_key_len(m), flags);
  wg_buf_append_str(out, indent ? ": " : ":");
  return m->value;
}

/* Pushes a frame for an opened container; false when out of memory. */
static bool json_push(json_wframe **stack, size_t *depth, size_t *cap,
                      const wg_json *v, bool canonical) {
  json_wframe *ns = wg_vec_reserve(*stack, cap, *depth + 1, sizeof *ns, 0);
  if (!ns) return false;
  *stack = ns;
  json_wframe f = {v, 0, NULL};
  if (canonical && v->type == WG_JSON_OBJECT && json_count(v) > 1) {
    f.order = json_key_order(v);
    if (!f.order) return false;
  }
  (*stack)[(*depth)++] = f;
  return true;
}

/* The writer loop: one value at a time, containers on an explicit stack. */
static bool json_write_tree(const wg_json *v, bool canonical, size_t indent,
                            unsigned flags, wg_buf *out) {
  json_wframe *stack = NULL;
  size_t depth = 0, cap = 0;
  const wg_json *cur = v;
  for (;;) {
    bool opened;
    json_write_open(cur, flags, out, &opened);
    if (opened && !json_push(&stack, &depth, &cap, cur, canonical)) {
      out->oom = true;
      break;
    }
    cur = NULL;
    while (depth && wg_buf_ok(out)) {
      bool done;
      cur = json_next_child(&stack[depth - 1], flags, out, indent, depth, &done);
      if (!done) break;
      json_wframe *top = &stack[--depth];
      if (json_count(top->v)) json_indent(out, indent, depth);
      wg_buf_append_char(out, top->v->type == WG_JSON_ARRAY ? ']' : '}');
      free(top->order);
    }
    if (!depth || !wg_buf_ok(out)) break;
  }
  while (depth) free(stack[--depth].order);
  free(stack);
  return wg_buf_ok(out);
}

bool wg_json_write(const wg_json *v, bool canonical, wg_buf *out) {
  return json_write_tree(v, canonical, 0, 0, out);
}

bool wg_json_write_flags(const wg_json *v, bool canonical, unsigned flags, wg_buf *out) {
  return json_write_tree(v, canonical, 0, flags, out);
}

bool wg_json_write_pretty(const wg_json *v, bool canonical, size_t indent,
                          wg_buf *out) {
  if (indent < 1) indent = 1;
  if (indent > 8) indent = 8;
  return json_write_tree(v, canonical, indent, 0, out);
}

wg_json_code wg_json_canonicalize(const char *text, size_t len,
                                  const wg_json_limits *limits, wg_buf *out,
                                  wg_json_error *err) {
  wg_json_error own; /* the code is the answer even without err */
  if (!err) err = &own;
  wg_json_doc *d = wg_json_parse(text, len, limits, err);
  if (!d) return err->code;
  bool ok = wg_json_write(wg_json_root(d), true, out);
  wg_json_free(d);
  if (ok) return WG_JSON_OK;
  err->code = out->overflow ? WG_JSON_TOO_LARGE : WG_JSON_NOMEM;
  err->offset = 0;
  snprintf(err->message, sizeof err->message, "%s",
           out->overflow ? "output too large" : "out of memory");
  return err->code;
}
