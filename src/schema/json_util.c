/* json_util.c: value equality and deep copy of wg_json trees, without
 * recursion (trees come from untrusted input; depth is bounded only by the
 * parser's limit, and equality runs inside the validation step budget).
 *
 * Equality is JSON Schema's: numbers by exact decimal value (1 == 1.0),
 * strings by bytes, arrays in order, objects as unordered key sets; false,
 * 0 and null are all different. */
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

typedef struct eq_pair {
  const wg_json *a, *b;
} eq_pair;

typedef struct eq_stack {
  eq_pair *items;
  size_t len, cap;
} eq_stack;

static bool eq_push(eq_stack *st, const wg_json *a, const wg_json *b) {
  eq_pair *p = wg_vec_reserve(st->items, &st->cap, st->len + 1, sizeof *p, 0);
  if (!p) return false;
  st->items = p;
  st->items[st->len++] = (eq_pair){a, b};
  return true;
}

static bool numbers_equal(const wg_json *a, const wg_json *b) {
  schema_dec da, db;
  if (!schema_dec_parse(a->u.number.text, a->u.number.len, &da) ||
      !schema_dec_parse(b->u.number.text, b->u.number.len, &db))
    return a->u.number.len == b->u.number.len &&
           memcmp(a->u.number.text, b->u.number.text, a->u.number.len) == 0;
  return schema_dec_cmp(&da, &db) == 0;
}

static const wg_json *member_value(const wg_json *obj, const char *key, size_t len,
                                   uint64_t *steps) {
  for (size_t i = 0; i < obj->u.object.count; i++) {
    const wg_json_member *m = &obj->u.object.members[i];
    (*steps)++;
    if (m->key_len == len && memcmp(m->key, key, len) == 0) return m->value;
  }
  return NULL;
}

/* Compares one pair; pushes children. 1 equal so far, 0 different, -2 OOM. */
static int eq_step(eq_stack *st, const wg_json *a, const wg_json *b, uint64_t *steps) {
  if (a->type != b->type) return 0;
  switch (a->type) {
    case WG_JSON_NULL:
    case WG_JSON_FALSE:
    case WG_JSON_TRUE: return 1;
    case WG_JSON_NUMBER: return numbers_equal(a, b);
    case WG_JSON_STRING:
      *steps += a->u.string.len / 64;
      return a->u.string.len == b->u.string.len &&
             memcmp(a->u.string.text, b->u.string.text, a->u.string.len) == 0;
    case WG_JSON_ARRAY:
      if (a->u.array.count != b->u.array.count) return 0;
      for (size_t i = a->u.array.count; i-- > 0;)
        if (!eq_push(st, a->u.array.items[i], b->u.array.items[i])) return -2;
      return 1;
    case WG_JSON_OBJECT:
      if (a->u.object.count != b->u.object.count) return 0;
      for (size_t i = 0; i < a->u.object.count; i++) {
        const wg_json_member *m = &a->u.object.members[i];
        const wg_json *bv = member_value(b, m->key, m->key_len, steps);
        if (!bv) return 0;
        if (!eq_push(st, m->value, bv)) return -2;
      }
      return 1;
  }
  return 0;
}

int schema_json_equal(const wg_json *a, const wg_json *b, uint64_t *steps,
                      uint64_t max_steps) {
  eq_stack st = {0};
  int result = 1;
  if (!eq_push(&st, a, b)) return -2;
  while (st.len > 0 && result == 1) {
    eq_pair p = st.items[--st.len];
    if (++*steps > max_steps) {
      result = -1;
      break;
    }
    result = eq_step(&st, p.a, p.b, steps);
  }
  free(st.items);
  return result;
}

/* Copy: a work list of (source, destination) pairs whose destination node
 * is allocated but not yet filled. */
typedef struct copy_item {
  const wg_json *src;
  wg_json *dst;
} copy_item;

static bool copy_fill(wg_arena *arena, const wg_json *src, wg_json *dst, copy_item **list,
                      size_t *len, size_t *cap) {
  *dst = *src;
  size_t n = 0;
  if (src->type == WG_JSON_NUMBER || src->type == WG_JSON_STRING) {
    char *t = wg_arena_strndup(arena, src->u.string.text, src->u.string.len);
    if (!t) return false;
    dst->u.string.text = t; /* number and string share the layout */
    return true;
  }
  if (src->type == WG_JSON_ARRAY) n = src->u.array.count;
  if (src->type == WG_JSON_OBJECT) n = src->u.object.count;
  if (n == 0) { /* never keep a pointer into the source tree */
    if (src->type == WG_JSON_ARRAY) dst->u.array.items = NULL;
    if (src->type == WG_JSON_OBJECT) dst->u.object.members = NULL;
    return true;
  }
  size_t need;
  if (!wg_add_size(*len, n, &need)) return false;
  copy_item *p = wg_vec_reserve(*list, cap, need, sizeof *p, 0);
  if (!p) return false;
  *list = p;
  wg_json *kids = wg_arena_array(arena, n, sizeof *kids);
  if (!kids) return false;
  if (src->type == WG_JSON_ARRAY) {
    wg_json **items = wg_arena_array(arena, n, sizeof *items);
    if (!items) return false;
    for (size_t i = 0; i < n; i++) {
      items[i] = &kids[i];
      (*list)[(*len)++] = (copy_item){src->u.array.items[i], &kids[i]};
    }
    dst->u.array.items = items;
    return true;
  }
  wg_json_member *ms = wg_arena_array(arena, n, sizeof *ms);
  if (!ms) return false;
  for (size_t i = 0; i < n; i++) {
    const wg_json_member *m = &src->u.object.members[i];
    ms[i].key = wg_arena_strndup(arena, m->key, m->key_len);
    if (!ms[i].key) return false;
    ms[i].key_len = m->key_len;
    ms[i].value = &kids[i];
    (*list)[(*len)++] = (copy_item){m->value, &kids[i]};
  }
  dst->u.object.members = ms;
  return true;
}

wg_json *schema_json_copy(wg_arena *arena, const wg_json *v) {
  wg_json *root = wg_arena_alloc(arena, sizeof *root);
  copy_item *list = NULL;
  size_t len = 0, cap = 0;
  bool ok = root != NULL && copy_fill(arena, v, root, &list, &len, &cap);
  while (ok && len > 0) {
    copy_item it = list[--len];
    ok = copy_fill(arena, it.src, it.dst, &list, &len, &cap);
  }
  free(list);
  return ok ? root : NULL;
}
