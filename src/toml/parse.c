/* parse.c: TOML 1.0 documents: statements (key/value, [table], [[array]]),
 * keys, the definition rules, and values with arrays and inline tables
 * walked with an explicit stack (no recursion).
 *
 * Definition rules, by table kind (see wg_toml_table_kind):
 * - a dotted key may pass through tables it created (DOTTED) or that a
 *   header only implied (IMPLICIT, which then counts as DOTTED); never
 *   through a HEADER, INLINE or array-of-tables element, nor a value;
 * - a header path may pass through any non-inline table and, for an array
 *   of tables, its last element; the last segment may only name a new table
 *   or an IMPLICIT one ([a.b] then [a] is fine, [a] twice is not);
 * - [[x]] appends to an array made by [[x]] only, never to a value array;
 * - a key names a value once. */
#include "toml_internal.h"

#include <stdlib.h>
#include <string.h>

wg_toml_limits wg_toml_default_limits(void) {
  wg_toml_limits l = {
      .max_size = WG_TOML_DEFAULT_MAX_SIZE,
      .max_depth = WG_TOML_DEFAULT_MAX_DEPTH,
      .max_memory = WG_TOML_DEFAULT_MAX_MEMORY,
  };
  return l;
}

/* ---- whitespace, comments, newlines ---- */

static void skip_ws(toml_parser *p) {
  while (!toml_eof(p) && (p->s[p->i] == ' ' || p->s[p->i] == '\t')) p->i++;
}

/* p->i at '#': skips to the end of the line (not the newline itself). */
static bool skip_comment(toml_parser *p) {
  while (!toml_eof(p)) {
    uint8_t b = p->s[p->i];
    if (b == '\n' || (b == '\r' && toml_peek(p, 1) == '\n')) return true;
    if ((b < 0x20 && b != '\t') || b == 0x7f)
      return toml_fail(p, p->i, WG_TOML_CONTROL_CHAR,
                       "control character in a comment");
    p->i++;
  }
  return true;
}

/* Consumes one newline if there is one; a bare CR is an error. Returns 1
 * when a newline was consumed, 0 if none, -1 on error. */
static int newline(toml_parser *p) {
  int c = toml_peek(p, 0);
  if (c == '\n') {
    p->i++;
    return 1;
  }
  if (c == '\r') {
    if (toml_peek(p, 1) != '\n')
      return toml_fail(p, p->i, WG_TOML_CONTROL_CHAR, "bare carriage return"),
             -1;
    p->i += 2;
    return 1;
  }
  return 0;
}

/* Whitespace, newlines and comments (inside arrays). */
static bool skip_ws_lines(toml_parser *p) {
  for (;;) {
    skip_ws(p);
    if (toml_peek(p, 0) == '#' && !skip_comment(p)) return false;
    int r = newline(p);
    if (r < 0) return false;
    if (r == 0) return true;
  }
}

/* After a statement: optional whitespace and comment, then a newline or the
 * end of the input. */
static bool end_of_line(toml_parser *p, const char *what) {
  skip_ws(p);
  if (toml_peek(p, 0) == '#' && !skip_comment(p)) return false;
  if (toml_eof(p)) return true;
  int r = newline(p);
  if (r < 0) return false;
  if (r == 0) return toml_fail(p, p->i, WG_TOML_SYNTAX, what);
  return true;
}

/* ---- keys ---- */

static bool is_bare_key_char(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool push_key(toml_parser *p, const char *text, size_t len,
                     size_t offset) {
  if (p->nkeys > p->max_depth)
    return toml_fail(p, offset, WG_TOML_TOO_DEEP, "key has too many parts");
  toml_key *keys = wg_vec_reserve(p->keys, &p->keys_cap, p->nkeys + 1, sizeof *keys, 0);
  if (!keys) return toml_fail(p, offset, WG_TOML_NOMEM, "out of memory");
  p->keys = keys;
  char *copy = toml_strndup(p, text, len);
  if (!copy) return false;
  p->keys[p->nkeys++] = (toml_key){copy, len, offset};
  return true;
}

static bool parse_simple_key(toml_parser *p) {
  size_t start = p->i;
  int c = toml_peek(p, 0);
  if (c == '"' || c == '\'') {
    if (!toml_scan_string(p, false)) return false;
    return push_key(p, p->scratch.data ? p->scratch.data : "",
                    p->scratch.len, start);
  }
  while (!toml_eof(p) && is_bare_key_char(p->s[p->i])) p->i++;
  if (p->i == start)
    return toml_fail(p, start, WG_TOML_SYNTAX, "expected a key");
  return push_key(p, (const char *)p->s + start, p->i - start, start);
}

/* A dotted key into p->keys; leaves p->i after trailing whitespace. */
static bool parse_key(toml_parser *p) {
  p->nkeys = 0;
  for (;;) {
    skip_ws(p);
    if (!parse_simple_key(p)) return false;
    skip_ws(p);
    if (toml_peek(p, 0) != '.') return true;
    p->i++;
  }
}

/* ---- definitions ---- */

static wg_toml_value *member_value(toml_node *t, size_t i) {
  return t->v.u.table.members[i].value;
}

static toml_node *add_table(toml_parser *p, toml_node *parent,
                            const toml_key *key, size_t offset,
                            wg_toml_table_kind kind) {
  toml_node *t = toml_new_container(p, WG_TOML_TABLE, offset, parent->depth);
  if (!t) return NULL;
  t->v.u.table.kind = kind;
  if (toml_table_add(p, parent, key, &t->v) == SIZE_MAX) return NULL;
  return t;
}

/* Resolves p->keys (a key/value's key) below base: walks or creates the
 * dotted tables and adds the last segment with no value yet. */
static bool define_key(toml_parser *p, toml_node *base, toml_node **table,
                       size_t *member) {
  toml_node *t = base;
  for (size_t k = 0; k + 1 < p->nkeys; k++) {
    const toml_key *key = &p->keys[k];
    size_t i = toml_table_lookup(t, key->text, key->len);
    if (i == SIZE_MAX) {
      t = add_table(p, t, key, key->offset, WG_TOML_TABLE_DOTTED);
      if (!t) return false;
      continue;
    }
    wg_toml_value *v = member_value(t, i);
    bool open = v && v->type == WG_TOML_TABLE &&
                (v->u.table.kind == WG_TOML_TABLE_DOTTED ||
                 v->u.table.kind == WG_TOML_TABLE_IMPLICIT);
    if (!open)
      return toml_fail(p, key->offset, WG_TOML_DUPLICATE,
                       "dotted key extends a value or a defined table");
    v->u.table.kind = WG_TOML_TABLE_DOTTED;
    t = (toml_node *)v;
  }
  const toml_key *last = &p->keys[p->nkeys - 1];
  if (toml_table_lookup(t, last->text, last->len) != SIZE_MAX)
    return toml_fail(p, last->offset, WG_TOML_DUPLICATE, "duplicate key");
  *member = toml_table_add(p, t, last, NULL);
  *table = t;
  return *member != SIZE_MAX;
}

/* Walks the header path except its last segment. */
static toml_node *walk_header(toml_parser *p) {
  toml_node *t = p->root;
  for (size_t k = 0; k + 1 < p->nkeys; k++) {
    const toml_key *key = &p->keys[k];
    size_t i = toml_table_lookup(t, key->text, key->len);
    if (i == SIZE_MAX) {
      t = add_table(p, t, key, key->offset, WG_TOML_TABLE_IMPLICIT);
      if (!t) return NULL;
      continue;
    }
    wg_toml_value *v = member_value(t, i);
    if (v->type == WG_TOML_TABLE && v->u.table.kind != WG_TOML_TABLE_INLINE) {
      t = (toml_node *)v;
    } else if (v->type == WG_TOML_ARRAY && v->u.array.of_tables) {
      t = (toml_node *)v->u.array.items[v->u.array.count - 1];
    } else {
      toml_fail(p, key->offset, WG_TOML_DUPLICATE,
                "table header extends a value or an inline table");
      return NULL;
    }
  }
  return t;
}

static bool define_table(toml_parser *p, size_t bracket) {
  toml_node *parent = walk_header(p);
  if (!parent) return false;
  const toml_key *last = &p->keys[p->nkeys - 1];
  size_t i = toml_table_lookup(parent, last->text, last->len);
  if (i == SIZE_MAX) {
    p->section = add_table(p, parent, last, bracket, WG_TOML_TABLE_HEADER);
    return p->section != NULL;
  }
  wg_toml_value *v = member_value(parent, i);
  if (v->type != WG_TOML_TABLE || v->u.table.kind != WG_TOML_TABLE_IMPLICIT)
    return toml_fail(p, last->offset, WG_TOML_DUPLICATE,
                     "table defined twice or conflicts with a key");
  v->u.table.kind = WG_TOML_TABLE_HEADER;
  v->pos = toml_pos_at(p, bracket);
  p->section = (toml_node *)v;
  return true;
}

static bool define_array_table(toml_parser *p, size_t bracket) {
  toml_node *parent = walk_header(p);
  if (!parent) return false;
  const toml_key *last = &p->keys[p->nkeys - 1];
  size_t i = toml_table_lookup(parent, last->text, last->len);
  toml_node *array;
  if (i == SIZE_MAX) {
    array = toml_new_container(p, WG_TOML_ARRAY, bracket, parent->depth);
    if (!array || toml_table_add(p, parent, last, &array->v) == SIZE_MAX)
      return false;
    array->v.u.array.of_tables = true;
  } else {
    wg_toml_value *v = member_value(parent, i);
    if (v->type != WG_TOML_ARRAY || !v->u.array.of_tables)
      return toml_fail(p, last->offset, WG_TOML_DUPLICATE,
                       "array of tables conflicts with a key or table");
    array = (toml_node *)v;
  }
  toml_node *t = toml_new_container(p, WG_TOML_TABLE, bracket, array->depth);
  if (!t || !toml_array_push(p, array, &t->v)) return false;
  t->v.u.table.kind = WG_TOML_TABLE_ARRAY_ELEMENT;
  p->section = t;
  return true;
}

/* [a.b] or [[a.b]] */
static bool parse_header(toml_parser *p) {
  size_t bracket = p->i;
  bool array = toml_peek(p, 1) == '[';
  p->i += array ? 2 : 1;
  if (!parse_key(p)) return false;
  if (toml_peek(p, 0) != ']' || (array && toml_peek(p, 1) != ']'))
    return toml_fail(p, p->i, WG_TOML_SYNTAX,
                     array ? "expected ']]' after table name"
                           : "expected ']' after table name");
  p->i += array ? 2 : 1;
  bool ok = array ? define_array_table(p, bracket) : define_table(p, bracket);
  return ok && end_of_line(p, "expected a newline after a table header");
}

/* ---- values ---- */

static bool push_frame(toml_parser *p, toml_node *node) {
  toml_frame *frames = wg_vec_reserve(p->frames, &p->frames_cap, p->nframes + 1,
                                      sizeof *frames, 0);
  if (!frames) return toml_fail(p, p->i, WG_TOML_NOMEM, "out of memory");
  p->frames = frames;
  p->frames[p->nframes++] = (toml_frame){node, NULL, 0};
  return true;
}

/* In an inline table at a key: parses `key =` and reserves its slot. */
static bool inline_key(toml_parser *p, toml_frame *f) {
  if (!parse_key(p)) return false;
  if (toml_peek(p, 0) != '=')
    return toml_fail(p, p->i, WG_TOML_SYNTAX, "expected '=' after a key");
  p->i++;
  skip_ws(p);
  return define_key(p, f->node, &f->target, &f->member);
}

/* Opens an array or inline table at p->i. *done is set with *out when it
 * closed at once ([] or {}). */
static bool open_container(toml_parser *p, uint32_t depth, wg_toml_value **out,
                           bool *done) {
  bool array = p->s[p->i] == '[';
  toml_node *n = toml_new_container(
      p, array ? WG_TOML_ARRAY : WG_TOML_TABLE, p->i, depth);
  if (!n) return false;
  if (!array) n->v.u.table.kind = WG_TOML_TABLE_INLINE;
  p->i++;
  *out = &n->v;
  *done = true;
  if (array) {
    if (!skip_ws_lines(p)) return false;
    if (toml_peek(p, 0) == ']') return p->i++, true;
  } else {
    skip_ws(p);
    if (toml_peek(p, 0) == '}') return p->i++, true;
  }
  *done = false;
  if (!push_frame(p, n)) return false;
  return array || inline_key(p, &p->frames[p->nframes - 1]);
}

/* Gives a finished value to the innermost open container. Sets *closed
 * with the container when this closed it; *closed stays NULL when another
 * value is expected. */
static bool attach(toml_parser *p, wg_toml_value *v, wg_toml_value **closed) {
  toml_frame *f = &p->frames[p->nframes - 1];
  *closed = NULL;
  if (f->node->v.type == WG_TOML_ARRAY) {
    if (!toml_array_push(p, f->node, v) || !skip_ws_lines(p)) return false;
    int c = toml_peek(p, 0);
    if (c == ',') {
      p->i++;
      if (!skip_ws_lines(p)) return false;
      c = toml_peek(p, 0);
      if (c != ']') return true;
    }
    if (c != ']')
      return toml_fail(p, p->i, WG_TOML_SYNTAX, "expected ',' or ']' in array");
  } else {
    f->target->v.u.table.members[f->member].value = v;
    skip_ws(p);
    int c = toml_peek(p, 0);
    if (c == ',') {
      p->i++;
      skip_ws(p);
      return inline_key(p, f);
    }
    if (c != '}')
      return toml_fail(p, p->i, WG_TOML_SYNTAX,
                       "expected ',' or '}' in inline table");
  }
  p->i++;
  *closed = &f->node->v;
  p->nframes--;
  return true;
}

/* Depth of the container a value being parsed now would be nested in. */
static uint32_t value_depth(const toml_parser *p, uint32_t outer) {
  if (p->nframes == 0) return outer;
  const toml_frame *f = &p->frames[p->nframes - 1];
  return f->node->v.type == WG_TOML_ARRAY ? f->node->depth : f->target->depth;
}

/* One whole value at p->i, nested in a table of depth `outer`. */
static wg_toml_value *parse_value(toml_parser *p, uint32_t outer) {
  p->nframes = 0;
  for (;;) {
    wg_toml_value *v = NULL;
    int c = toml_peek(p, 0);
    if (c == '[' || c == '{') {
      bool done;
      if (!open_container(p, value_depth(p, outer), &v, &done)) return NULL;
      if (!done) continue;
    } else {
      v = toml_parse_scalar(p);
      if (!v) return NULL;
    }
    /* Close every container this value completes. */
    while (v && p->nframes > 0) {
      wg_toml_value *closed;
      if (!attach(p, v, &closed)) return NULL;
      v = closed;
    }
    if (v) return v;
  }
}

static bool parse_keyval(toml_parser *p) {
  if (!parse_key(p)) return false;
  if (toml_peek(p, 0) != '=')
    return toml_fail(p, p->i, WG_TOML_SYNTAX, "expected '=' after a key");
  p->i++;
  skip_ws(p);
  toml_node *t;
  size_t member;
  if (!define_key(p, p->section, &t, &member)) return false;
  if (toml_eof(p) || p->s[p->i] == '\n' || p->s[p->i] == '\r' ||
      p->s[p->i] == '#')
    return toml_fail(p, p->i, WG_TOML_SYNTAX, "expected a value");
  wg_toml_value *v = parse_value(p, t->depth);
  if (!v) return false;
  t->v.u.table.members[member].value = v;
  return end_of_line(p, "expected a newline after a value");
}

static bool parse_document(toml_parser *p) {
  for (;;) {
    skip_ws(p);
    if (toml_eof(p)) return true;
    int c = p->s[p->i];
    bool ok;
    if (c == '#' || c == '\n' || c == '\r') {
      ok = end_of_line(p, "expected a newline");
    } else if (c == '[') {
      ok = parse_header(p);
    } else {
      ok = parse_keyval(p);
    }
    if (!ok) return false;
  }
}

/* ---- entry point ---- */

static bool check_utf8(toml_parser *p) {
  size_t i = p->start;
  while (i < p->len) {
    if (p->s[i] < 0x80) {
      i++;
      continue;
    }
    uint32_t cp;
    size_t n = wg_utf8_decode(p->s + i, p->len - i, &cp);
    if (n == 0) return toml_fail(p, i, WG_TOML_BAD_UTF8, "invalid UTF-8");
    i += n;
  }
  return true;
}

static bool parse_all(toml_parser *p) {
  if (!check_utf8(p)) return false;
  p->root = toml_new_container(p, WG_TOML_TABLE, p->start, 0);
  if (!p->root) return false;
  p->root->depth = 0;
  p->root->v.u.table.kind = WG_TOML_TABLE_ROOT;
  p->section = p->root;
  return parse_document(p);
}

wg_toml_doc *wg_toml_parse(const char *text, size_t len,
                           const wg_toml_limits *limits, wg_toml_error *err) {
  wg_toml_limits lim = limits ? *limits : wg_toml_default_limits();
  if (err) memset(err, 0, sizeof *err);
  toml_parser p;
  memset(&p, 0, sizeof p);
  p.s = (const uint8_t *)(text ? text : "");
  p.len = text ? len : 0;
  p.err = err;
  /* depths are uint32_t; no real document nests 4 billion levels */
  p.max_depth = lim.max_depth < UINT32_MAX ? (uint32_t)lim.max_depth
                                           : UINT32_MAX - 1;
  p.pc_line = p.pc_col = 1;
  if (p.len >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0) p.start = 3;
  p.i = p.pc_off = p.pc_line_start = p.start;
  if (p.len > lim.max_size) {
    toml_fail(&p, 0, WG_TOML_TOO_LARGE, "input too large");
    return NULL;
  }
  if (!text && len) {
    toml_fail(&p, 0, WG_TOML_SYNTAX, "no input text");
    return NULL;
  }
  wg_toml_doc *doc = malloc(sizeof *doc);
  if (!doc) {
    toml_fail(&p, 0, WG_TOML_NOMEM, "out of memory");
    return NULL;
  }
  wg_arena_init(&doc->arena, lim.max_memory ? lim.max_memory : SIZE_MAX);
  p.arena = &doc->arena;
  p.seed = wg_now_ns() ^ (uint64_t)(uintptr_t)doc;
  wg_buf_init(&p.scratch, lim.max_size + 1);
  bool ok = parse_all(&p);
  wg_buf_free(&p.scratch);
  free(p.keys);
  free(p.frames);
  if (!ok) {
    wg_toml_free(doc);
    return NULL;
  }
  doc->root = p.root;
  return doc;
}
