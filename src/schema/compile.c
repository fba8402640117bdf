/* compile.c: turns a schema document (wg_json) into a wg_schema.
 *
 * One pass over the document compiles every subschema reachable through a
 * known keyword into a node (a map from JSON value to node index makes each
 * value compile once). `$id` and `$anchor` are recorded as they are met;
 * `$ref` values are resolved to absolute URIs and queued. After the pass the
 * queue is drained: each ref is looked up among the document's resources
 * (root and embedded `$id`s), its fragment (JSON pointer or anchor) applied,
 * and the target compiled on demand if no keyword reached it (e.g.
 * "#/examples/0"). So cycles are just indices and cost nothing here.
 *
 * Bounds: nesting depth (max_depth, checked before recursing, so the C stack
 * is bounded), node count (max_nodes), pattern length, arena size. Unknown
 * keywords and ill-typed keyword values are errors with a JSONPath-like
 * location. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compile_internal.h"
#include "schema_uri.h"

static const char *const code_names[] = {
    [WG_SCHEMA_OK] = "ok",
    [WG_SCHEMA_UNKNOWN_KEYWORD] = "unknown_keyword",
    [WG_SCHEMA_BAD_KEYWORD] = "bad_keyword",
    [WG_SCHEMA_BAD_REF] = "bad_ref",
    [WG_SCHEMA_BAD_PATTERN] = "bad_pattern",
    [WG_SCHEMA_TOO_DEEP] = "too_deep",
    [WG_SCHEMA_TOO_LARGE] = "too_large",
    [WG_SCHEMA_NOMEM] = "nomem",
    [WG_SCHEMA_INVALID] = "invalid",
    [WG_SCHEMA_BUDGET] = "budget",
    [WG_SCHEMA_DEPTH] = "depth",
    [WG_SCHEMA_REGEX_LIMIT] = "regex_limit",
    [WG_SCHEMA_NUMBER_LIMIT] = "number_limit",
};
WG_NAMES_COVER(code_names, WG_SCHEMA_NUMBER_LIMIT);

const char *wg_schema_code_name(wg_schema_code s) {
  return WG_NAME_IN(code_names, s);
}

wg_schema_options wg_schema_default_options(void) {
  return (wg_schema_options){
      .max_depth = WG_SCHEMA_DEFAULT_MAX_DEPTH,
      .max_nodes = WG_SCHEMA_DEFAULT_MAX_NODES,
      .max_pattern_len = WG_SCHEMA_DEFAULT_MAX_PATTERN_LEN,
      .max_validate_depth = WG_SCHEMA_DEFAULT_MAX_VALIDATE_DEPTH,
      .max_steps = WG_SCHEMA_DEFAULT_MAX_STEPS,
      .regex_match_limit = WG_SCHEMA_DEFAULT_REGEX_MATCH_LIMIT,
      .regex_depth_limit = WG_SCHEMA_DEFAULT_REGEX_DEPTH_LIMIT,
      .regex_heap_limit_kib = WG_SCHEMA_DEFAULT_REGEX_HEAP_KIB,
  };
}

void schema_clean_message(char *msg) {
  size_t len = strlen(msg);
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n = wg_utf8_decode((const uint8_t *)msg + i, len - i, &cp);
    if (n == 0 || cp < 0x20 || cp == 0x7f) { /* bad byte or control char */
      msg[i++] = '?';
      continue;
    }
    i += n;
  }
}

/* ---- errors and paths ---- */

bool schema_cerr(cctx *c, wg_schema_code st, const char *kw, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool schema_cerr(cctx *c, wg_schema_code st, const char *kw, const char *fmt, ...) {
  wg_schema_error *e = c->err;
  if (!e || e->code != WG_SCHEMA_OK) return false;
  e->code = st;
  wg_utf8_cut(e->schema_path, sizeof e->schema_path, c->path, c->path_len, SIZE_MAX, "...");
  wg_utf8_cut(e->keyword, sizeof e->keyword, kw, strlen(kw), SIZE_MAX, "...");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof e->message, fmt, ap);
  va_end(ap);
  schema_clean_message(e->message);
  return false;
}

static void path_add(cctx *c, const char *s, size_t n) {
  size_t room = sizeof c->path - 1 - c->path_len;
  if (n > room) n = room; /* cut; stored paths are cut again with "..." */
  memcpy(c->path + c->path_len, s, n);
  c->path_len += n;
  c->path[c->path_len] = '\0';
}

static bool ident_key(const char *k, size_t n) {
  if (n == 0 || (k[0] >= '0' && k[0] <= '9')) return false;
  for (size_t i = 0; i < n; i++) {
    char ch = k[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch >= '0' && ch <= '9') || ch == '_' || ch == '$'))
      return false;
  }
  return true;
}

/* Appends ".key" or "['key']" (quote and backslash escaped, control
 * characters as '?'); returns the previous length for path_pop. */
size_t schema_path_key(cctx *c, const char *k, size_t n) {
  size_t saved = c->path_len;
  if (ident_key(k, n)) {
    path_add(c, ".", 1);
    path_add(c, k, n);
    return saved;
  }
  path_add(c, "['", 2);
  for (size_t i = 0; i < n && c->path_len < sizeof c->path - 1; i++) {
    char ch = k[i];
    if (ch == '\'' || ch == '\\') path_add(c, "\\", 1);
    if ((unsigned char)ch < 0x20) ch = '?';
    path_add(c, &ch, 1);
  }
  path_add(c, "']", 2);
  return saved;
}

static size_t path_index(cctx *c, size_t i) {
  size_t saved = c->path_len;
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "[%zu]", i);
  path_add(c, tmp, (size_t)n);
  return saved;
}

void schema_path_pop(cctx *c, size_t saved) {
  c->path_len = saved;
  c->path[saved] = '\0';
}

/* ---- small containers ---- */

static size_t ptr_hash(const wg_json *p, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 17) & (cap - 1);
}

static bool map_get(const ptr_map *m, const wg_json *key, uint32_t *val) {
  if (m->cap == 0) return false;
  for (size_t i = ptr_hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (!m->keys[i]) return false;
    if (m->keys[i] == key) {
      *val = m->vals[i];
      return true;
    }
  }
}

static void map_put_raw(ptr_map *m, const wg_json *key, uint32_t val) {
  size_t i = ptr_hash(key, m->cap);
  while (m->keys[i]) i = (i + 1) & (m->cap - 1);
  m->keys[i] = key;
  m->vals[i] = val;
  m->len++;
}

static bool map_put(ptr_map *m, const wg_json *key, uint32_t val) {
  if ((m->len + 1) * 2 > m->cap) {
    ptr_map n = {0};
    n.cap = m->cap ? m->cap * 2 : 64;
    n.keys = calloc(n.cap, sizeof *n.keys);
    n.vals = calloc(n.cap, sizeof *n.vals);
    if (!n.keys || !n.vals) {
      free(n.keys);
      free(n.vals);
      return false;
    }
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i]) map_put_raw(&n, m->keys[i], m->vals[i]);
    free(m->keys);
    free(m->vals);
    *m = n;
  }
  map_put_raw(m, key, val);
  return true;
}

schema_node *schema_node_at(cctx *c, uint32_t i) { return &c->s->nodes[i]; }

static const wg_json *obj_get(const wg_json *o, const char *k, size_t n) {
  if (!o || o->type != WG_JSON_OBJECT) return NULL;
  for (size_t i = 0; i < o->u.object.count; i++)
    if (o->u.object.members[i].key_len == n &&
        memcmp(o->u.object.members[i].key, k, n) == 0)
      return o->u.object.members[i].value;
  return NULL;
}

char *schema_arena_str(cctx *c, const char *s, size_t n) {
  char *r = wg_arena_strndup(&c->s->arena, s, n);
  if (!r) schema_cerr(c, WG_SCHEMA_NOMEM, "", "out of memory");
  return r;
}

void *schema_arena_arr(cctx *c, size_t count, size_t size) {
  void *r = wg_arena_array(&c->s->arena, count, size);
  if (!r) schema_cerr(c, WG_SCHEMA_NOMEM, "", "out of memory (schema too large?)");
  return r;
}

/* ---- nodes ---- */

static uint32_t new_node(cctx *c, const wg_json *v) {
  wg_schema *s = c->s;
  if (s->nnodes >= s->opt.max_nodes || s->nnodes >= SCHEMA_NONE - 1) {
    schema_cerr(c, WG_SCHEMA_TOO_LARGE, "", "more than %zu subschemas", s->opt.max_nodes);
    return SCHEMA_NONE;
  }
  schema_node *nodes = wg_vec_reserve(s->nodes, &s->nodes_cap, s->nnodes + 1, sizeof *nodes, 0);
  if (nodes) s->nodes = nodes;
  if (!nodes || !map_put(&c->map, v, (uint32_t)s->nnodes)) {
    schema_cerr(c, WG_SCHEMA_NOMEM, "", "out of memory");
    return SCHEMA_NONE;
  }
  char cut[SCHEMA_PATH_MAX];
  wg_utf8_cut(cut, sizeof cut, c->path, c->path_len, SIZE_MAX, "...");
  const char *path = schema_arena_str(c, cut, strlen(cut));
  if (!path) return SCHEMA_NONE;
  uint32_t i = (uint32_t)s->nnodes++;
  s->nodes[i] = (schema_node){.kind = SCHEMA_KIND_OBJECT,
                              .path = path,
                              .ref = SCHEMA_NONE,
                              .additional = SCHEMA_NONE,
                              .property_names = SCHEMA_NONE,
                              .items = SCHEMA_NONE,
                              .contains = SCHEMA_NONE,
                              .min_contains = 1,
                              .max_contains = UINT64_MAX,
                              .max_props = UINT64_MAX,
                              .max_items = UINT64_MAX,
                              .max_len = UINT64_MAX,
                              .not_ = SCHEMA_NONE,
                              .if_ = SCHEMA_NONE,
                              .then_ = SCHEMA_NONE,
                              .else_ = SCHEMA_NONE};
  return i;
}

/* Compiles the subschema v found under `key` (and index `idx` if >= 0) of
 * the current schema. */
uint32_t schema_sub(cctx *c, const wg_json *v, const char *base, const char *key,
                    size_t keylen, long idx) {
  size_t saved = schema_path_key(c, key, keylen);
  if (idx >= 0) path_index(c, (size_t)idx);
  uint32_t r = schema_compile_at(c, v, base);
  schema_path_pop(c, saved);
  return r;
}

static bool valid_anchor(const char *s, size_t n) {
  if (n == 0 ||
      !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
    return false;
  for (size_t i = 1; i < n; i++) {
    char ch = s[i];
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
          (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
      return false;
  }
  return true;
}

/* $id and $anchor of object v: registers them; *base becomes v's base. */
static bool identify(cctx *c, const wg_json *v, const char **base) {
  const wg_json *id = obj_get(v, "$id", 3);
  if (id) {
    if (id->type != WG_JSON_STRING || strlen(id->u.string.text) != id->u.string.len)
      return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, "$id", "\"$id\" must be a string");
    const char *hash = strchr(id->u.string.text, '#');
    if (hash && hash[1] != '\0')
      return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, "$id",
                         "\"$id\" must not have a fragment");
    if (c->nres > WG_SCHEMA_MAX_IDS)
      return schema_cerr(c, WG_SCHEMA_TOO_LARGE, "$id", "more than %d \"$id\"s",
                         WG_SCHEMA_MAX_IDS);
    char *uri = schema_uri_resolve(&c->s->arena, *base, id->u.string.text);
    if (!uri) return schema_cerr(c, WG_SCHEMA_NOMEM, "$id", "out of memory");
    char *frag = strchr(uri, '#');
    if (frag) *frag = '\0';
    resource *res = wg_vec_reserve(c->res, &c->res_cap, c->nres + 1, sizeof *res, 0);
    if (!res) return schema_cerr(c, WG_SCHEMA_NOMEM, "$id", "out of memory");
    c->res = res;
    c->res[c->nres++] = (resource){uri, v};
    *base = uri;
  }
  const wg_json *an = obj_get(v, "$anchor", 7);
  if (an) {
    if (an->type != WG_JSON_STRING || !valid_anchor(an->u.string.text, an->u.string.len))
      return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, "$anchor",
                         "\"$anchor\" must be a plain name");
    if (c->nanchors >= WG_SCHEMA_MAX_IDS)
      return schema_cerr(c, WG_SCHEMA_TOO_LARGE, "$anchor", "more than %d \"$anchor\"s",
                         WG_SCHEMA_MAX_IDS);
    anchor *anchors = wg_vec_reserve(c->anchors, &c->anchors_cap, c->nanchors + 1,
                                     sizeof *anchors, 0);
    if (!anchors) return schema_cerr(c, WG_SCHEMA_NOMEM, "$anchor", "out of memory");
    c->anchors = anchors;
    c->anchors[c->nanchors++] = (anchor){*base, an->u.string.text, v};
  }
  return true;
}

static bool compile_object(cctx *c, uint32_t n, const wg_json *v, const char *base) {
  if (!identify(c, v, &base)) return false;
  for (size_t i = 0; i < v->u.object.count; i++)
    if (!schema_compile_keyword(c, n, &v->u.object.members[i], base)) return false;
  return true;
}

uint32_t schema_compile_at(cctx *c, const wg_json *v, const char *base) {
  uint32_t n;
  if (map_get(&c->map, v, &n)) return n;
  if (v->type != WG_JSON_OBJECT && v->type != WG_JSON_TRUE && v->type != WG_JSON_FALSE) {
    schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, "", "a schema must be an object or a boolean");
    return SCHEMA_NONE;
  }
  if (c->depth >= c->s->opt.max_depth) {
    schema_cerr(c, WG_SCHEMA_TOO_DEEP, "", "schema nested deeper than %zu",
                c->s->opt.max_depth);
    return SCHEMA_NONE;
  }
  n = new_node(c, v);
  if (n == SCHEMA_NONE) return n;
  if (v->type != WG_JSON_OBJECT) {
    schema_node_at(c, n)->kind =
        v->type == WG_JSON_TRUE ? SCHEMA_KIND_TRUE : SCHEMA_KIND_FALSE;
    return n;
  }
  c->depth++;
  bool ok = compile_object(c, n, v, base);
  c->depth--;
  return ok ? n : SCHEMA_NONE;
}

/* ---- $ref resolution ---- */

static int hexv(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f') return (ch | 0x20) - 'a' + 10;
  return -1;
}

/* Percent-decodes s in place; false on a bad escape. */
static bool percent_decode(char *s, size_t *len) {
  size_t o = 0, n = strlen(s);
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '%') {
      s[o++] = s[i];
      continue;
    }
    if (i + 2 >= n) return false;
    int h = hexv(s[i + 1]), l = hexv(s[i + 2]);
    if (h < 0 || l < 0) return false;
    s[o++] = (char)(h * 16 + l);
    i += 2;
  }
  s[o] = '\0';
  *len = o;
  return true;
}

/* Applies JSON pointer p[0..len) to root; NULL if it leads nowhere (or
 * through a key longer than the 1 KiB segment buffer). */
static const wg_json *walk_pointer(const wg_json *root, const char *p, size_t len) {
  const wg_json *cur = root;
  size_t i = 0;
  char seg[1024];
  while (cur && i < len) {
    if (p[i] != '/') return NULL;
    i++;
    size_t sl = 0;
    for (; i < len && p[i] != '/'; i++) {
      char ch = p[i];
      if (ch == '~') {
        if (i + 1 >= len || (p[i + 1] != '0' && p[i + 1] != '1')) return NULL;
        ch = p[++i] == '0' ? '~' : '/';
      }
      if (sl >= sizeof seg) return NULL;
      seg[sl++] = ch;
    }
    if (cur->type == WG_JSON_OBJECT) {
      cur = obj_get(cur, seg, sl);
    } else if (cur->type == WG_JSON_ARRAY) {
      if (sl == 0 || sl > 9 || (sl > 1 && seg[0] == '0')) return NULL;
      size_t idx = 0;
      for (size_t k = 0; k < sl; k++) {
        if (seg[k] < '0' || seg[k] > '9') return NULL;
        idx = idx * 10 + (size_t)(seg[k] - '0');
      }
      cur = idx < cur->u.array.count ? cur->u.array.items[idx] : NULL;
    } else {
      return NULL;
    }
  }
  return cur;
}

static bool resolve_one(cctx *c, const pending_ref *r) {
  size_t tl = strlen(r->target);
  char *uri = schema_arena_str(c, r->target, tl);
  if (!uri) return false;
  char *frag = strchr(uri, '#');
  if (frag)
    *frag++ = '\0';
  else
    frag = uri + tl;
  const resource *res = NULL;
  for (size_t i = 0; i < c->nres && !res; i++)
    if (!strcmp(c->res[i].uri, uri)) res = &c->res[i];
  if (!res)
    return schema_cerr(c, WG_SCHEMA_BAD_REF, "$ref",
                       "cannot resolve \"%.120s\" in this document (no remote refs)",
                       r->target);
  size_t fl;
  if (!percent_decode(frag, &fl))
    return schema_cerr(c, WG_SCHEMA_BAD_REF, "$ref", "bad percent-escape in \"%.120s\"",
                       r->target);
  const wg_json *target = NULL;
  if (fl == 0) {
    target = res->json;
  } else if (frag[0] == '/') {
    target = walk_pointer(res->json, frag, fl);
  } else {
    for (size_t i = 0; i < c->nanchors && !target; i++)
      if (!strcmp(c->anchors[i].uri, uri) && !strcmp(c->anchors[i].name, frag))
        target = c->anchors[i].json;
  }
  if (!target)
    return schema_cerr(c, WG_SCHEMA_BAD_REF, "$ref", "\"%.120s\" points to nothing",
                       r->target);
  uint32_t idx = schema_compile_at(c, target, res->uri);
  if (idx == SCHEMA_NONE) return false;
  c->s->nodes[r->node].ref = idx;
  return true;
}

static bool resolve_refs(cctx *c) {
  for (size_t i = 0; i < c->nrefs; i++) { /* nrefs grows as targets compile */
    pending_ref r = c->refs[i];
    schema_path_pop(c, 0);
    path_add(c, r.path, strlen(r.path));
    c->depth = 0;
    if (!resolve_one(c, &r)) return false;
  }
  return true;
}

/* ---- public ---- */

/* The caller's options with zero fields replaced by defaults and the depth
 * options capped. */
static wg_schema_options effective_options(const wg_schema_options *opt) {
  wg_schema_options d = wg_schema_default_options();
  if (!opt) return d;
  wg_schema_options o = *opt;
  if (!o.max_depth) o.max_depth = d.max_depth;
  if (!o.max_nodes) o.max_nodes = d.max_nodes;
  if (!o.max_pattern_len) o.max_pattern_len = d.max_pattern_len;
  if (!o.max_validate_depth) o.max_validate_depth = d.max_validate_depth;
  if (!o.max_steps) o.max_steps = d.max_steps;
  if (!o.regex_match_limit) o.regex_match_limit = d.regex_match_limit;
  if (!o.regex_depth_limit) o.regex_depth_limit = d.regex_depth_limit;
  if (!o.regex_heap_limit_kib) o.regex_heap_limit_kib = d.regex_heap_limit_kib;
  if (o.max_depth > WG_SCHEMA_MAX_COMPILE_DEPTH) o.max_depth = WG_SCHEMA_MAX_COMPILE_DEPTH;
  if (o.max_validate_depth > WG_SCHEMA_MAX_VALIDATE_DEPTH)
    o.max_validate_depth = WG_SCHEMA_MAX_VALIDATE_DEPTH;
  if (o.max_pattern_len > WG_SCHEMA_MAX_PATTERN_LEN) o.max_pattern_len = WG_SCHEMA_MAX_PATTERN_LEN;
  return o;
}

void wg_schema_free(wg_schema *s) {
  if (!s) return;
  for (size_t i = 0; i < s->nregexes; i++) pcre2_code_free(s->regexes[i]);
  free(s->regexes);
  free(s->nodes);
  wg_arena_free(&s->arena);
  free(s);
}

wg_schema *wg_schema_compile(const wg_json *schema, const wg_schema_options *opt,
                             wg_schema_error *err) {
  wg_schema_error local;
  if (!err) err = &local;
  memset(err, 0, sizeof *err);
  if (!schema) {
    err->code = WG_SCHEMA_BAD_KEYWORD;
    snprintf(err->message, sizeof err->message, "no schema");
    return NULL;
  }
  wg_schema *s = calloc(1, sizeof *s);
  cctx *c = calloc(1, sizeof *c);
  if (!s || !c) {
    free(s);
    free(c);
    err->code = WG_SCHEMA_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    return NULL;
  }
  s->opt = effective_options(opt);
  wg_arena_init(&s->arena, WG_SCHEMA_MAX_ARENA);
  c->s = s;
  c->err = err;
  path_add(c, "$", 1);
  resource *res = wg_vec_reserve(c->res, &c->res_cap, 1, sizeof *res, 0);
  bool ok = res != NULL;
  if (ok) c->res = res;
  if (ok)
    c->res[c->nres++] = (resource){"", schema};
  else
    schema_cerr(c, WG_SCHEMA_NOMEM, "", "out of memory");
  if (ok) {
    s->root = schema_compile_at(c, schema, "");
    ok = s->root != SCHEMA_NONE && resolve_refs(c);
  }
  free(c->map.keys);
  free(c->map.vals);
  free(c->res);
  free(c->anchors);
  free(c->refs);
  free(c);
  if (!ok) {
    wg_schema_free(s);
    return NULL;
  }
  return s;
}
