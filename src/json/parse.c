/* parse.c: the strict RFC 8259 parser.
 *
 * Design: one loop with an explicit stack of open containers (bounded by
 * limits.max_depth), so input depth never becomes C stack depth. Children of
 * open containers wait in one scratch vector of slots; when a container
 * closes, its slots are copied into one arena array and popped. Every node,
 * decoded string and number lexeme is copied into the document's arena, so
 * the tree does not point into the caller's input.
 *
 * Invariants: at most max_depth frames; each container has at most
 * max_members children; memory is O(input size) because every node needs at
 * least one input byte. Duplicate keys are checked when an object closes:
 * pairwise for small objects, by sorting for large ones (O(n log n)); the
 * reported offset is the first key (in document order) that repeats an
 * earlier key of the same object. */
#include "json_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects with at most this many members are checked for duplicate keys
 * pairwise; larger ones are sorted. 8 keeps the pairwise cost at 28
 * comparisons, below the price of a malloc and a sort. */
enum { JSON_PAIRWISE_MAX = 8 };

typedef struct json_slot {
  const char *key; /* NULL for array items */
  size_t key_len;
  size_t key_off;  /* offset of the key's opening quote */
  wg_json *value;
} json_slot;

typedef struct json_frame {
  wg_json *node;
  size_t base;     /* index of this container's first slot */
  const char *key; /* pending key of an object member */
  size_t key_len;
  size_t key_off;
} json_frame;

typedef struct json_parser {
  const unsigned char *s;
  size_t len;
  size_t pos;
  wg_json_limits lim;
  wg_arena *arena;
  json_slot *slots;
  size_t nslots, slots_cap;
  json_frame *frames;
  size_t depth, frames_cap;
  wg_json_error *err;
} json_parser;

static const char *const json_type_names[] = {
    [WG_JSON_NULL] = "null",     [WG_JSON_FALSE] = "false", [WG_JSON_TRUE] = "true",
    [WG_JSON_NUMBER] = "number", [WG_JSON_STRING] = "string", [WG_JSON_ARRAY] = "array",
    [WG_JSON_OBJECT] = "object",
};
WG_NAMES_COVER(json_type_names, WG_JSON_OBJECT);

const char *wg_json_type_name(wg_json_type t) {
  return WG_NAME_IN(json_type_names, t);
}

static const char *const json_code_names[] = {
    [WG_JSON_OK] = "ok",
    [WG_JSON_SYNTAX] = "syntax",
    [WG_JSON_BAD_UTF8] = "bad_utf8",
    [WG_JSON_DUPLICATE_KEY] = "duplicate_key",
    [WG_JSON_TOO_DEEP] = "too_deep",
    [WG_JSON_TOO_LARGE] = "too_large",
    [WG_JSON_NOMEM] = "nomem",
};
WG_NAMES_COVER(json_code_names, WG_JSON_NOMEM);

const char *wg_json_code_name(wg_json_code s) {
  return WG_NAME_IN(json_code_names, s);
}

/* The defaults, and why: wasmgate/limits.h. */
wg_json_limits wg_json_default_limits(void) {
  wg_json_limits l = {
      .max_depth = WG_JSON_DEFAULT_MAX_DEPTH,
      .max_size = WG_JSON_DEFAULT_MAX_SIZE,
      .max_members = WG_JSON_DEFAULT_MAX_MEMBERS,
      .max_string_len = WG_JSON_DEFAULT_MAX_STRING_LEN,
  };
  return l;
}

static bool json_fail(json_parser *p, wg_json_code st, size_t off,
                      const char *why) {
  if (p->err) {
    p->err->code = st;
    p->err->offset = off;
    snprintf(p->err->message, sizeof p->err->message, "%s", why);
  }
  return false;
}

static bool json_nomem(json_parser *p) {
  return json_fail(p, WG_JSON_NOMEM, p->pos, "out of memory");
}

/* json_fail for functions that return a node. */
static wg_json *json_fail_node(json_parser *p, wg_json_code st, size_t off,
                               const char *why) {
  json_fail(p, st, off, why);
  return NULL;
}

static void json_skip_ws(json_parser *p) {
  while (p->pos < p->len) {
    unsigned char c = p->s[p->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    p->pos++;
  }
}

/* A node followed by `extra` bytes for its text (one arena call instead of
 * two: most nodes are strings or numbers). */
static wg_json *json_new_node_extra(json_parser *p, wg_json_type t,
                                    size_t start, size_t extra) {
  size_t bytes;
  wg_json *n = wg_add_size(sizeof *n, extra, &bytes)
                   ? wg_arena_alloc(p->arena, bytes)
                   : NULL;
  if (!n) {
    json_nomem(p);
    return NULL;
  }
  n->type = t;
  n->start = start;
  n->end = start;
  return n;
}

static wg_json *json_new_node(json_parser *p, wg_json_type t, size_t start) {
  return json_new_node_extra(p, t, start, 0);
}

static int json_hex(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads the 4 hex digits of a \u escape at s[i..]; -1 if malformed. */
static long json_hex4(const json_parser *p, size_t i) {
  if (p->len - i < 4) return -1;
  long v = 0;
  for (size_t k = 0; k < 4; k++) {
    int h = json_hex(p->s[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/* Decodes the escape at s[*i] (a backslash) into out; advances *i. */
static bool json_escape(json_parser *p, size_t *i, char *out, size_t *olen) {
  size_t at = *i;
  if (at + 1 >= p->len)
    return json_fail(p, WG_JSON_SYNTAX, at, "unterminated string");
  static const char names[] = "\"\\/bfnrt";
  static const char repl[] = "\"\\/\b\f\n\r\t";
  unsigned char e = p->s[at + 1];
  const char *simple = e ? strchr(names, e) : NULL;
  if (simple) {
    out[(*olen)++] = repl[simple - names];
    *i = at + 2;
    return true;
  }
  if (e != 'u')
    return json_fail(p, WG_JSON_SYNTAX, at, "invalid escape in string");
  long cp = json_hex4(p, at + 2);
  if (cp < 0)
    return json_fail(p, WG_JSON_SYNTAX, at, "invalid \\u escape");
  size_t next = at + 6;
  if (cp >= 0xDC00 && cp <= 0xDFFF)
    return json_fail(p, WG_JSON_BAD_UTF8, at, "lone low surrogate escape");
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    long lo = -1;
    if (next + 1 < p->len && p->s[next] == '\\' && p->s[next + 1] == 'u')
      lo = json_hex4(p, next + 2);
    if (lo < 0xDC00 || lo > 0xDFFF)
      return json_fail(p, WG_JSON_BAD_UTF8, at, "lone high surrogate escape");
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    next += 6;
  }
  *olen += wg_utf8_encode((uint32_t)cp, (uint8_t *)out + *olen);
  *i = next;
  return true;
}

/* The offset of the quote that closes a string whose text starts at i, or
 * len. A quote is escaped iff an odd run of backslashes precedes it (the
 * byte before such a run cannot be a backslash, so the run pairs up from
 * its first byte). memchr does the scanning. */
static size_t json_find_close(const unsigned char *s, size_t i, size_t len) {
  while (i < len) {
    const unsigned char *q = memchr(s + i, '"', len - i);
    if (!q) return len;
    size_t at = (size_t)(q - s), run = 0;
    while (at - run > i && s[at - run - 1] == '\\') run++;
    /* s[i - 1] is a quote (opening or escaped), so no run crosses i. */
    if (run % 2 == 0) return at;
    i = at + 1;
  }
  return len;
}

/* Parses the string whose opening quote is at pos; the decoded text goes
 * to the arena (NUL-terminated). With node, the text lives right after
 * a new string node, returned in *node; else it is a key. */
static bool json_string(json_parser *p, const char **text, size_t *tlen,
                        wg_json **node) {
  size_t open = p->pos, i;
  /* Pass 1 finds the closing quote, so the buffer is sized once: decoding
   * never makes a string longer. */
  size_t close = json_find_close(p->s, open + 1, p->len);
  if (close >= p->len)
    return json_fail(p, WG_JSON_SYNTAX, p->len, "unterminated string");
  char *out;
  if (node) {
    *node = json_new_node_extra(p, WG_JSON_STRING, open, close - open);
    if (!*node) return false;
    out = (char *)(*node + 1);
    text = &(*node)->u.string.text;
    tlen = &(*node)->u.string.len;
  } else {
    out = wg_arena_alloc(p->arena, close - open);
    if (!out) return json_nomem(p);
  }
  size_t olen = 0;
  for (i = open + 1; i < close;) {
    size_t run = i; /* copy plain ASCII runs in one go */
    i += json_plain_run(p->s + i, close - i);
    memcpy(out + olen, p->s + run, i - run);
    olen += i - run;
    if (i >= close) break;
    unsigned char c = p->s[i];
    if (c == '\\') {
      if (!json_escape(p, &i, out, &olen)) return false;
    } else if (c < 0x20) {
      return json_fail(p, WG_JSON_SYNTAX, i, "control character in string");
    } else {
      uint32_t cp;
      size_t k = wg_utf8_decode(p->s + i, close - i, &cp);
      if (!k) return json_fail(p, WG_JSON_BAD_UTF8, i, "invalid UTF-8");
      memcpy(out + olen, p->s + i, k);
      olen += k;
      i += k;
    }
  }
  if (olen > p->lim.max_string_len)
    return json_fail(p, WG_JSON_TOO_LARGE, open, "string too long");
  out[olen] = '\0';
  *text = out;
  *tlen = olen;
  p->pos = close + 1;
  return true;
}

static wg_json *json_number(json_parser *p) {
  size_t err_at = 0;
  const char *why = NULL;
  size_t n = json_number_scan((const char *)p->s + p->pos, p->len - p->pos,
                              &err_at, &why);
  if (!n) return json_fail_node(p, WG_JSON_SYNTAX, p->pos + err_at, why);
  wg_json *v = json_new_node_extra(p, WG_JSON_NUMBER, p->pos, n + 1);
  if (!v) return NULL;
  char *lex = (char *)(v + 1);
  memcpy(lex, p->s + p->pos, n);
  lex[n] = '\0';
  v->u.number.text = lex;
  v->u.number.len = n;
  p->pos += n;
  v->end = p->pos;
  return v;
}

static wg_json *json_literal(json_parser *p) {
  static const struct { const char *word; wg_json_type type; } lits[] = {
      {"true", WG_JSON_TRUE}, {"false", WG_JSON_FALSE}, {"null", WG_JSON_NULL}};
  for (size_t k = 0; k < 3; k++) {
    size_t wl = strlen(lits[k].word);
    if (p->len - p->pos >= wl && memcmp(p->s + p->pos, lits[k].word, wl) == 0) {
      wg_json *v = json_new_node(p, lits[k].type, p->pos);
      if (!v) return NULL;
      p->pos += wl;
      v->end = p->pos;
      return v;
    }
  }
  return json_fail_node(p, WG_JSON_SYNTAX, p->pos, "invalid literal");
}

/* Names the problem with a byte that cannot start a value (buf holds the
 * generic message, which quotes the byte). */
static const char *json_bad_start(const json_parser *p, char buf[64]) {
  unsigned char c = p->s[p->pos];
  if (p->pos == 0 && c == 0xEF) return "byte-order mark is not allowed";
  if (c == '/') return "comments are not allowed";
  if (c == 'N' || c == 'I') return "NaN and Infinity are not JSON";
  if (c == ']' || c == '}') return "unexpected closing bracket";
  if (c == ',') return "unexpected ','";
  if (c == '\'') return "single quotes are not JSON";
  if (c > 0x20 && c < 0x7F)
    snprintf(buf, 64, "unexpected character '%c', expected a value", c);
  else
    snprintf(buf, 64, "unexpected byte 0x%02x, expected a value", c);
  return buf;
}

static bool json_open(json_parser *p, wg_json_type t) {
  if (p->depth >= p->lim.max_depth)
    return json_fail(p, WG_JSON_TOO_DEEP, p->pos, "nesting too deep");
  json_frame *frames = wg_vec_reserve(p->frames, &p->frames_cap, p->depth + 1,
                                      sizeof *frames, 0);
  if (!frames) return json_nomem(p);
  p->frames = frames;
  wg_json *n = json_new_node(p, t, p->pos);
  if (!n) return false;
  json_frame *f = &p->frames[p->depth++];
  memset(f, 0, sizeof *f);
  f->node = n;
  f->base = p->nslots;
  p->pos++;
  return true;
}

static int json_slot_cmp(const void *a, const void *b) {
  const json_slot *x = *(const json_slot *const *)a;
  const json_slot *y = *(const json_slot *const *)b;
  size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
  int c = n ? memcmp(x->key, y->key, n) : 0;
  if (c) return c;
  if (x->key_len != y->key_len) return x->key_len < y->key_len ? -1 : 1;
  return x->key_off < y->key_off ? -1 : x->key_off > y->key_off;
}

static bool json_same_key(const json_slot *x, const json_slot *y) {
  return x->key_len == y->key_len &&
         (x->key_len == 0 || memcmp(x->key, y->key, x->key_len) == 0);
}

/* Finds the first member (in document order) whose key repeats an earlier
 * one: *dup is its slot, or NULL. Returns false on allocation failure. */
static bool json_find_dup(const json_slot *m, size_t n, const json_slot **dup) {
  *dup = NULL;
  if (n <= JSON_PAIRWISE_MAX) {
    for (size_t j = 1; j < n && !*dup; j++)
      for (size_t i = 0; i < j; i++)
        if (json_same_key(&m[i], &m[j])) {
          *dup = &m[j];
          break;
        }
    return true;
  }
  const json_slot **idx = json_realloc_array(NULL, n, sizeof *idx);
  if (!idx) return false;
  for (size_t i = 0; i < n; i++) idx[i] = &m[i];
  qsort(idx, n, sizeof *idx, json_slot_cmp);
  /* Equal keys sort by offset, so the second of each run is its first
   * repeat; the smallest of those is the first repeat in the document. */
  for (size_t i = 1; i < n; i++)
    if (json_same_key(idx[i - 1], idx[i]) &&
        (i < 2 || !json_same_key(idx[i - 2], idx[i])) &&
        (!*dup || idx[i]->key_off < (*dup)->key_off))
      *dup = idx[i];
  free(idx);
  return true;
}

/* Reports a duplicate key by position, never by its text: the input may
 * be anyone's (a tool's arguments, a guest's output), and messages are
 * shown to others and recorded. Members are indexed from 0 in document
 * order within their object (as a schema instance path's `{i}`); `m` is
 * the object's first slot. */
static wg_json *json_fail_dup(json_parser *p, const json_slot *m, const json_slot *dup) {
  size_t at = (size_t)(dup - m), first = 0;
  while (first < at && !json_same_key(&m[first], dup)) first++;
  if (p->err) {
    p->err->code = WG_JSON_DUPLICATE_KEY;
    p->err->offset = dup->key_off;
    snprintf(p->err->message, sizeof p->err->message,
             "duplicate object key at member index %zu (first at member index %zu)", at, first);
  }
  return NULL;
}

/* Closes the innermost container (pos is at its closing bracket). */
static wg_json *json_close(json_parser *p) {
  json_frame *f = &p->frames[p->depth - 1];
  wg_json *n = f->node;
  size_t count = p->nslots - f->base;
  const json_slot *s = count ? p->slots + f->base : NULL;
  if (n->type == WG_JSON_OBJECT) {
    const json_slot *dup;
    if (!json_find_dup(s, count, &dup))
      return json_fail_node(p, WG_JSON_NOMEM, p->pos, "out of memory");
    if (dup) return json_fail_dup(p, s, dup);
    wg_json_member *m = wg_arena_array(p->arena, count, sizeof *m);
    if (!m) return json_fail_node(p, WG_JSON_NOMEM, p->pos, "out of memory");
    for (size_t i = 0; i < count; i++) {
      m[i].key = s[i].key;
      m[i].key_len = s[i].key_len;
      m[i].value = s[i].value;
    }
    n->u.object.members = m;
    n->u.object.count = count;
  } else {
    wg_json **items = wg_arena_array(p->arena, count, sizeof *items);
    if (!items)
      return json_fail_node(p, WG_JSON_NOMEM, p->pos, "out of memory");
    for (size_t i = 0; i < count; i++) items[i] = s[i].value;
    n->u.array.items = items;
    n->u.array.count = count;
  }
  p->nslots = f->base;
  p->depth--;
  p->pos++;
  n->end = p->pos;
  return n;
}

/* Parses `"key" :` into the innermost frame. */
static bool json_key(json_parser *p) {
  json_frame *f = &p->frames[p->depth - 1];
  if (p->pos >= p->len)
    return json_fail(p, WG_JSON_SYNTAX, p->pos, "unexpected end of input");
  if (p->s[p->pos] != '"')
    return json_fail(p, WG_JSON_SYNTAX, p->pos,
                     p->s[p->pos] == '}' ? "trailing comma before '}'"
                                         : "expected string key");
  f->key_off = p->pos;
  if (!json_string(p, &f->key, &f->key_len, NULL)) return false;
  json_skip_ws(p);
  if (p->pos >= p->len || p->s[p->pos] != ':')
    return json_fail(p, WG_JSON_SYNTAX, p->pos, "expected ':' after key");
  p->pos++;
  return true;
}

/* Parses one scalar, or opens a container. *out is the finished value, or
 * NULL when a container was opened and awaits its first child. */
static bool json_value(json_parser *p, wg_json **out) {
  *out = NULL;
  json_skip_ws(p);
  if (p->pos >= p->len)
    return json_fail(p, WG_JSON_SYNTAX, p->pos,
                     "unexpected end of input, expected a value");
  unsigned char c = p->s[p->pos];
  if (c == '[' || c == '{') {
    if (!json_open(p, c == '[' ? WG_JSON_ARRAY : WG_JSON_OBJECT)) return false;
    json_skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == (c == '[' ? ']' : '}')) {
      *out = json_close(p);
      return *out != NULL;
    }
    return c == '{' ? json_key(p) : true;
  }
  if (c == '"') {
    wg_json *v = NULL;
    if (!json_string(p, NULL, NULL, &v)) return false;
    v->end = p->pos;
    *out = v;
    return true;
  }
  if (c == '-' || (c >= '0' && c <= '9')) *out = json_number(p);
  else if (c == 't' || c == 'f' || c == 'n') *out = json_literal(p);
  else {
    char buf[64];
    return json_fail(p, WG_JSON_SYNTAX, p->pos, json_bad_start(p, buf));
  }
  return *out != NULL;
}

/* Attaches a finished value to the innermost container, then reads what
 * follows: ',' (then *v = NULL: a value comes next) or the closing bracket
 * (then *v is the closed container). */
static bool json_after_value(json_parser *p, wg_json **v) {
  json_frame *f = &p->frames[p->depth - 1];
  bool is_obj = f->node->type == WG_JSON_OBJECT;
  if (p->nslots - f->base >= p->lim.max_members)
    return json_fail(p, WG_JSON_TOO_LARGE, (*v)->start,
                     is_obj ? "too many object members"
                            : "too many array items");
  json_slot *slots = wg_vec_reserve(p->slots, &p->slots_cap, p->nslots + 1,
                                    sizeof *slots, 0);
  if (!slots) return json_nomem(p);
  p->slots = slots;
  json_slot *s = &p->slots[p->nslots++];
  s->key = is_obj ? f->key : NULL;
  s->key_len = is_obj ? f->key_len : 0;
  s->key_off = f->key_off;
  s->value = *v;
  *v = NULL;
  json_skip_ws(p);
  if (p->pos >= p->len)
    return json_fail(p, WG_JSON_SYNTAX, p->pos, "unexpected end of input");
  unsigned char c = p->s[p->pos];
  if (c == ',') {
    p->pos++;
    json_skip_ws(p);
    if (is_obj) return json_key(p);
    if (p->pos < p->len && p->s[p->pos] == ']')
      return json_fail(p, WG_JSON_SYNTAX, p->pos, "trailing comma before ']'");
    return true;
  }
  if (c == (is_obj ? '}' : ']')) {
    *v = json_close(p);
    return *v != NULL;
  }
  return json_fail(p, WG_JSON_SYNTAX, p->pos,
                   is_obj ? "expected ',' or '}' after object member"
                          : "expected ',' or ']' after array item");
}

static wg_json *json_run(json_parser *p) {
  for (;;) {
    wg_json *v;
    if (!json_value(p, &v)) return NULL;
    while (v) {
      if (p->depth == 0) return v;
      if (!json_after_value(p, &v)) return NULL;
    }
  }
}

/* A zero field in caller limits means "the default". */
static wg_json_limits json_effective_limits(const wg_json_limits *in) {
  wg_json_limits d = wg_json_default_limits();
  if (!in) return d;
  wg_json_limits l = *in;
  if (!l.max_depth) l.max_depth = d.max_depth;
  if (!l.max_size) l.max_size = d.max_size;
  if (!l.max_members) l.max_members = d.max_members;
  if (!l.max_string_len) l.max_string_len = d.max_string_len;
  return l;
}

wg_json_doc *wg_json_parse(const char *text, size_t len,
                           const wg_json_limits *limits, wg_json_error *err) {
  json_parser p;
  memset(&p, 0, sizeof p);
  p.s = (const unsigned char *)text;
  p.len = len;
  p.lim = json_effective_limits(limits);
  p.err = err;
  if (err) {
    err->code = WG_JSON_OK;
    err->offset = 0;
    err->message[0] = '\0';
  }
  if (!text && len) {
    json_fail(&p, WG_JSON_SYNTAX, 0, "no input");
    return NULL;
  }
  if (len > p.lim.max_size) {
    json_fail(&p, WG_JSON_TOO_LARGE, p.lim.max_size, "input too large");
    return NULL;
  }
  wg_json_doc *doc = malloc(sizeof *doc);
  if (!doc) {
    json_nomem(&p);
    return NULL;
  }
  wg_arena_init(&doc->arena, 0);
  p.arena = &doc->arena;
  doc->root = json_run(&p);
  if (doc->root) {
    json_skip_ws(&p);
    if (p.pos < p.len) {
      json_fail(&p, WG_JSON_SYNTAX, p.pos, "trailing characters after value");
      doc->root = NULL;
    }
  }
  free(p.slots);
  free(p.frames);
  if (!doc->root) {
    wg_json_free(doc);
    return NULL;
  }
  return doc;
}

const wg_json *wg_json_root(const wg_json_doc *doc) {
  return doc ? doc->root : NULL;
}

void wg_json_free(wg_json_doc *doc) {
  if (!doc) return;
  wg_arena_free(&doc->arena);
  free(doc);
}
