/* json_util.c: deep copy of wg_json trees, without recursion (trees come
 * from untrusted input; depth is bounded only by the parser's limit).
 * Equality is the JSON layer's json_equal_budget (src/include/json_budget.h). */
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

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
