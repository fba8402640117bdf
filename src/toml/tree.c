/* tree.c: the TOML document tree: node allocation, tables with a hash index
 * once they grow, arrays, source positions, errors and the public read-only
 * accessors.
 *
 * Tables and arrays grow by doubling inside the arena (old blocks are
 * abandoned, so the waste is at most the final size). The hash is seeded per
 * document, so crafted keys cannot make every insert probe the whole table. */
#include "toml_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const code_names[] = {
    [WG_TOML_OK] = "ok",
    [WG_TOML_SYNTAX] = "syntax",
    [WG_TOML_BAD_UTF8] = "bad_utf8",
    [WG_TOML_CONTROL_CHAR] = "control_char",
    [WG_TOML_BAD_VALUE] = "bad_value",
    [WG_TOML_OVERFLOW] = "overflow",
    [WG_TOML_DUPLICATE] = "duplicate",
    [WG_TOML_TOO_DEEP] = "too_deep",
    [WG_TOML_TOO_LARGE] = "too_large",
    [WG_TOML_NOMEM] = "nomem",
};
WG_NAMES_COVER(code_names, WG_TOML_NOMEM);

const char *wg_toml_code_name(wg_toml_code s) {
  return WG_NAME_IN(code_names, s);
}

static const char *const type_names[] = {
    [WG_TOML_STRING] = "string",
    [WG_TOML_INTEGER] = "integer",
    [WG_TOML_FLOAT] = "float",
    [WG_TOML_BOOL] = "bool",
    [WG_TOML_OFFSET_DATETIME] = "offset-datetime",
    [WG_TOML_LOCAL_DATETIME] = "local-datetime",
    [WG_TOML_LOCAL_DATE] = "local-date",
    [WG_TOML_LOCAL_TIME] = "local-time",
    [WG_TOML_ARRAY] = "array",
    [WG_TOML_TABLE] = "table",
};
WG_NAMES_COVER(type_names, WG_TOML_TABLE);

const char *wg_toml_type_name(wg_toml_type t) {
  return WG_NAME_IN(type_names, t);
}

wg_toml_pos toml_pos_at(toml_parser *p, size_t offset) {
  if (offset > p->len) offset = p->len;
  if (offset < p->pc_line_start) { /* rare: only error paths look back */
    p->pc_off = p->pc_line_start = p->start;
    p->pc_line = 1;
    p->pc_col = 1;
  } else if (offset < p->pc_off) { /* e.g. a header's '[' after its keys */
    p->pc_off = p->pc_line_start;
    p->pc_col = 1;
  }
  while (p->pc_off < offset) {
    uint8_t b = p->s[p->pc_off++];
    if (b == '\n') {
      if (p->pc_line < UINT32_MAX) p->pc_line++;
      p->pc_col = 1;
      p->pc_line_start = p->pc_off;
    } else if ((b & 0xC0) != 0x80 && p->pc_col < UINT32_MAX) {
      p->pc_col++; /* count lead bytes only: columns are code points */
    }
  }
  wg_toml_pos pos = {p->pc_line, p->pc_col, offset};
  return pos;
}

bool toml_fail(toml_parser *p, size_t offset, wg_toml_code code,
               const char *message) {
  if (p->failed) return false;
  p->failed = true;
  if (!p->err) return false;
  wg_toml_pos pos = toml_pos_at(p, offset);
  p->err->code = code;
  p->err->line = pos.line;
  p->err->column = pos.column;
  p->err->offset = pos.offset;
  snprintf(p->err->message, sizeof p->err->message, "%s", message);
  return false;
}

void *toml_alloc(toml_parser *p, size_t size) {
  void *mem = wg_arena_alloc(p->arena, size);
  if (mem) return mem;
  size_t total;
  if (!wg_add_size(p->arena->used_total, size, &total) ||
      total > p->arena->limit)
    toml_fail(p, p->i, WG_TOML_TOO_LARGE, "document needs too much memory");
  else
    toml_fail(p, p->i, WG_TOML_NOMEM, "out of memory");
  return NULL;
}

char *toml_strndup(toml_parser *p, const char *s, size_t n) {
  if (n == SIZE_MAX) {
    toml_fail(p, p->i, WG_TOML_NOMEM, "out of memory");
    return NULL;
  }
  char *copy = toml_alloc(p, n + 1);
  if (!copy) return NULL;
  if (n) memcpy(copy, s, n);
  return copy; /* the arena zeroes, so it is NUL-terminated */
}

wg_toml_value *toml_new_scalar(toml_parser *p, wg_toml_type type,
                               size_t offset) {
  wg_toml_value *v = toml_alloc(p, sizeof *v);
  if (!v) return NULL;
  v->type = type;
  v->pos = toml_pos_at(p, offset);
  return v;
}

toml_node *toml_new_container(toml_parser *p, wg_toml_type type,
                              size_t offset, uint32_t parent_depth) {
  if (parent_depth >= p->max_depth) {
    toml_fail(p, offset, WG_TOML_TOO_DEEP, "nesting too deep");
    return NULL;
  }
  toml_node *n = toml_alloc(p, sizeof *n);
  if (!n) return NULL;
  n->v.type = type;
  n->v.pos = toml_pos_at(p, offset);
  n->depth = parent_depth + 1;
  return n;
}

/* FNV-1a over a seeded basis, then a 64-bit finalizer (murmur3 fmix64) so
 * the low bits used for the bucket depend on every input bit. */
static size_t toml_hash(uint64_t seed, const char *key, size_t len) {
  uint64_t h = seed ^ 0xcbf29ce484222325u;
  for (size_t i = 0; i < len; i++) {
    h ^= (uint8_t)key[i];
    h *= 0x100000001b3u;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdu;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53u;
  h ^= h >> 33;
  return (size_t)h;
}

static bool key_equal(const wg_toml_member *m, const char *key, size_t len) {
  return m->key_len == len && (len == 0 || memcmp(m->key, key, len) == 0);
}

size_t toml_table_lookup(const toml_node *t, const char *key, size_t len) {
  const wg_toml_member *members = t->v.u.table.members;
  const toml_index *ix = t->index;
  if (!ix) {
    for (size_t i = 0; i < t->v.u.table.count; i++)
      if (key_equal(&members[i], key, len)) return i;
    return SIZE_MAX;
  }
  for (size_t b = toml_hash(ix->seed, key, len) & ix->mask;;
       b = (b + 1) & ix->mask) {
    size_t slot = ix->slots[b];
    if (slot == 0) return SIZE_MAX;
    if (key_equal(&members[slot - 1], key, len)) return slot - 1;
  }
}

static void index_insert(toml_node *t, size_t member) {
  const wg_toml_member *m = &t->v.u.table.members[member];
  toml_index *ix = t->index;
  size_t b = toml_hash(ix->seed, m->key, m->key_len) & ix->mask;
  while (ix->slots[b]) b = (b + 1) & ix->mask;
  ix->slots[b] = member + 1;
}

/* Keeps the index at most half full: rebuilt at 4x the member count. */
static bool index_update(toml_parser *p, toml_node *t) {
  size_t count = t->v.u.table.count;
  if (count <= TOML_INDEX_THRESHOLD) return true;
  if (t->index && count * 2 <= t->index->mask + 1) {
    index_insert(t, count - 1);
    return true;
  }
  size_t size = 16;
  while (size < count * 4) size *= 2; /* count < 2^32: no overflow */
  toml_index *ix = toml_alloc(p, sizeof *ix + size * sizeof ix->slots[0]);
  if (!ix) return false;
  ix->seed = p->seed;
  ix->mask = size - 1;
  t->index = ix;
  for (size_t i = 0; i < count; i++) index_insert(t, i);
  return true;
}

/* Doubles *items (of elem_size each) when count reaches cap. */
static bool grow(toml_parser *p, void **items, size_t count, uint32_t *cap,
                 size_t elem_size) {
  if (count < *cap) return true;
  if (*cap > UINT32_MAX / 2)
    return toml_fail(p, p->i, WG_TOML_TOO_LARGE, "too many members");
  uint32_t want = *cap ? *cap * 2 : 1; /* most tables stay tiny */
  size_t bytes;
  if (!wg_mul_size(want, elem_size, &bytes))
    return toml_fail(p, p->i, WG_TOML_NOMEM, "out of memory");
  void *fresh = toml_alloc(p, bytes);
  if (!fresh) return false;
  if (count) memcpy(fresh, *items, count * elem_size);
  *items = fresh;
  *cap = want;
  return true;
}

size_t toml_table_add(toml_parser *p, toml_node *t, const toml_key *key,
                      wg_toml_value *value) {
  void *members = t->v.u.table.members;
  size_t count = t->v.u.table.count;
  if (!grow(p, &members, count, &t->cap, sizeof(wg_toml_member)))
    return SIZE_MAX;
  t->v.u.table.members = members;
  wg_toml_member *m = &t->v.u.table.members[count];
  m->key = key->text;
  m->key_len = key->len;
  m->key_pos = toml_pos_at(p, key->offset);
  m->value = value;
  t->v.u.table.count = count + 1;
  if (!index_update(p, t)) return SIZE_MAX;
  return count;
}

bool toml_array_push(toml_parser *p, toml_node *a, wg_toml_value *item) {
  void *items = a->v.u.array.items;
  size_t count = a->v.u.array.count;
  if (!grow(p, &items, count, &a->cap, sizeof(wg_toml_value *))) return false;
  a->v.u.array.items = items;
  a->v.u.array.items[count] = item;
  a->v.u.array.count = count + 1;
  return true;
}

/* ---- public accessors ---- */

const wg_toml_value *wg_toml_root(const wg_toml_doc *doc) {
  return doc ? &doc->root->v : NULL;
}

void wg_toml_free(wg_toml_doc *doc) {
  if (!doc) return;
  wg_arena_free(&doc->arena);
  free(doc);
}

const wg_toml_member *wg_toml_find(const wg_toml_value *table,
                                   const char *key, size_t key_len) {
  if (!table || table->type != WG_TOML_TABLE || (!key && key_len)) return NULL;
  const toml_node *t = (const toml_node *)table;
  size_t i = toml_table_lookup(t, key ? key : "", key_len);
  return i == SIZE_MAX ? NULL : &table->u.table.members[i];
}

const wg_toml_value *wg_toml_get(const wg_toml_value *table, const char *key) {
  if (!key) return NULL;
  const wg_toml_member *m = wg_toml_find(table, key, strlen(key));
  return m ? m->value : NULL;
}

size_t wg_toml_count(const wg_toml_value *v) {
  if (!v) return 0;
  if (v->type == WG_TOML_TABLE) return v->u.table.count;
  if (v->type == WG_TOML_ARRAY) return v->u.array.count;
  return 0;
}

const wg_toml_member *wg_toml_member_at(const wg_toml_value *table, size_t i) {
  if (!table || table->type != WG_TOML_TABLE || i >= table->u.table.count)
    return NULL;
  return &table->u.table.members[i];
}

const wg_toml_value *wg_toml_at(const wg_toml_value *array, size_t i) {
  if (!array || array->type != WG_TOML_ARRAY || i >= array->u.array.count)
    return NULL;
  return array->u.array.items[i];
}
