/* equal.c: JSON value equality (the sense JSON Schema's const, enum and
 * uniqueItems use): numbers equal by exact decimal value (1 == 1.0 == 1e0,
 * -0 == 0), strings by bytes, arrays by position, objects by key set and
 * values regardless of member order.
 *
 * Non-recursive: an explicit stack of container pairs, so any depth is safe.
 * Objects above a few members are matched by sorting both member lists by
 * key (O(n log n)); if that allocation fails, a linear lookup is used
 * instead, which is slower but gives the same answer.
 *
 * json_equal_budget (for the schema layer's step budget) gives the same
 * answers with a cost it can charge: linear member lookup, each key compare
 * a step, so the cost is known before any allocation. */
#include "json_internal.h"
#include "json_budget.h"

#include <stdlib.h>
#include <string.h>

/* Objects up to this size are matched by linear lookup (n^2/2 key compares
 * are cheaper than two mallocs and two sorts). */
enum { JSON_EQ_LINEAR_MAX = 16 };

typedef struct json_eq_frame {
  const wg_json *a, *b;
  size_t i;
  const wg_json_member **sa, **sb; /* sorted members, or NULL */
} json_eq_frame;

static int json_member_cmp(const void *x, const void *y) {
  const wg_json_member *a = *(const wg_json_member *const *)x;
  const wg_json_member *b = *(const wg_json_member *const *)y;
  size_t al = json_key_len(a), bl = json_key_len(b);
  size_t n = al < bl ? al : bl;
  int c = n ? memcmp(a->key, b->key, n) : 0;
  if (c) return c;
  return (al > bl) - (al < bl);
}

static bool json_bytes_eq(const char *a, size_t an, const char *b, size_t bn) {
  return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static bool json_numbers_eq(const wg_json *a, const wg_json *b) {
  json_dec x, y;
  if (json_dec_parse(a->u.number.text, a->u.number.len, &x) &&
      json_dec_parse(b->u.number.text, b->u.number.len, &y))
    return json_dec_cmp(&x, &y) == 0;
  /* Not a valid lexeme (hand-built node): fall back to the bytes. */
  return json_bytes_eq(a->u.number.text, a->u.number.len, b->u.number.text,
                       b->u.number.len);
}

/* Sorted member pointers of an object, or NULL (then: linear lookup). */
static const wg_json_member **json_sorted_members(const wg_json *o) {
  size_t n = json_count(o);
  const wg_json_member **s = json_realloc_array(NULL, n, sizeof *s);
  if (!s) return NULL;
  for (size_t i = 0; i < n; i++) s[i] = &o->u.object.members[i];
  qsort(s, n, sizeof *s, json_member_cmp);
  return s;
}

/* Everything but the children: type, scalar value, size, key sets. Fills
 * the frame's sorted arrays for big objects. */
static bool json_eq_shallow(json_eq_frame *f) {
  const wg_json *a = f->a, *b = f->b;
  if (a->type != b->type) return false;
  switch (a->type) {
    case WG_JSON_NUMBER: return json_numbers_eq(a, b);
    case WG_JSON_STRING:
      return json_bytes_eq(a->u.string.text, a->u.string.len, b->u.string.text,
                           b->u.string.len);
    case WG_JSON_ARRAY: return json_count(a) == json_count(b);
    case WG_JSON_OBJECT: break;
    default: return true;
  }
  size_t n = json_count(a);
  if (n != json_count(b)) return false;
  if (n <= JSON_EQ_LINEAR_MAX) return true;
  f->sa = json_sorted_members(a);
  f->sb = f->sa ? json_sorted_members(b) : NULL;
  if (!f->sb) {
    free(f->sa);
    f->sa = NULL;
    return true;
  }
  for (size_t i = 0; i < n; i++)
    if (json_member_cmp(&f->sa[i], &f->sb[i]) != 0) return false;
  return true;
}

/* The next pair of children to compare, or false when the frame is done.
 * Sets *missing if an object key of a is absent from b. */
static bool json_eq_next(json_eq_frame *f, const wg_json **x,
                         const wg_json **y, bool *missing) {
  const wg_json *a = f->a;
  if (a->type == WG_JSON_ARRAY) {
    if (f->i >= json_count(a)) return false;
    *x = a->u.array.items[f->i];
    *y = f->b->u.array.items[f->i];
  } else {
    if (a->type != WG_JSON_OBJECT || f->i >= json_count(a)) return false;
    if (f->sa) {
      *x = f->sa[f->i]->value;
      *y = f->sb[f->i]->value;
    } else {
      const wg_json_member *m = &a->u.object.members[f->i];
      *x = m->value;
      *y = wg_json_getn(f->b, m->key, json_key_len(m));
      if (!*y) *missing = true;
    }
  }
  f->i++;
  return true;
}

static void json_eq_pop(json_eq_frame *f) {
  free(f->sa);
  free(f->sb);
}

bool wg_json_equal(const wg_json *a, const wg_json *b) {
  if (!a || !b) return a == b;
  json_eq_frame *stack = NULL;
  size_t depth = 0, cap = 0;
  bool eq = true;
  json_eq_frame cur = {a, b, 0, NULL, NULL};
  for (;;) {
    /* cur is a fresh pair: compare it, then descend if it has children. */
    if (!cur.a || !cur.b || !json_eq_shallow(&cur)) {
      json_eq_pop(&cur);
      eq = false;
      break;
    }
    if (cur.a->type == WG_JSON_ARRAY || cur.a->type == WG_JSON_OBJECT) {
      json_eq_frame *ns = wg_vec_reserve(stack, &cap, depth + 1, sizeof *ns, 0);
      if (!ns) { /* documented: out of memory compares unequal */
        json_eq_pop(&cur);
        eq = false;
        break;
      }
      stack = ns;
      stack[depth++] = cur;
    }
    /* Find the next pair to compare, popping finished frames. */
    bool found = false, missing = false;
    while (depth && !found) {
      const wg_json *x = NULL, *y = NULL;
      found = json_eq_next(&stack[depth - 1], &x, &y, &missing);
      if (found) {
        cur = (json_eq_frame){x, y, 0, NULL, NULL};
      } else {
        json_eq_pop(&stack[--depth]);
      }
    }
    if (missing) {
      eq = false;
      break;
    }
    if (!found) break;
  }
  while (depth) json_eq_pop(&stack[--depth]);
  free(stack);
  return eq;
}

/* ---- with a step budget (json_budget.h) ---- */

typedef struct json_bpair {
  const wg_json *a, *b;
} json_bpair;

typedef struct json_bstack {
  json_bpair *items;
  size_t len, cap;
} json_bstack;

static bool json_bpush(json_bstack *st, const wg_json *a, const wg_json *b) {
  json_bpair *p = wg_vec_reserve(st->items, &st->cap, st->len + 1, sizeof *p, 0);
  if (!p) return false;
  st->items = p;
  st->items[st->len++] = (json_bpair){a, b};
  return true;
}

static const wg_json *json_bmember(const wg_json *obj, const char *key, size_t len,
                                   uint64_t *steps) {
  for (size_t i = 0; i < obj->u.object.count; i++) {
    const wg_json_member *m = &obj->u.object.members[i];
    (*steps)++;
    if (json_bytes_eq(m->key, json_key_len(m), key, len)) return m->value;
  }
  return NULL;
}

/* Compares one pair; pushes children. 1 equal so far, 0 different, -2 OOM. */
static int json_bstep(json_bstack *st, const wg_json *a, const wg_json *b, uint64_t *steps) {
  if (a->type != b->type) return 0;
  switch (a->type) {
    case WG_JSON_NULL:
    case WG_JSON_FALSE:
    case WG_JSON_TRUE: return 1;
    case WG_JSON_NUMBER: return json_numbers_eq(a, b);
    case WG_JSON_STRING:
      *steps += a->u.string.len / 64;
      return json_bytes_eq(a->u.string.text, a->u.string.len, b->u.string.text,
                           b->u.string.len);
    case WG_JSON_ARRAY:
      if (a->u.array.count != b->u.array.count) return 0;
      for (size_t i = a->u.array.count; i-- > 0;)
        if (!json_bpush(st, a->u.array.items[i], b->u.array.items[i])) return -2;
      return 1;
    case WG_JSON_OBJECT:
      if (a->u.object.count != b->u.object.count) return 0;
      for (size_t i = 0; i < a->u.object.count; i++) {
        const wg_json_member *m = &a->u.object.members[i];
        const wg_json *bv = json_bmember(b, m->key, json_key_len(m), steps);
        if (!bv) return 0;
        if (!json_bpush(st, m->value, bv)) return -2;
      }
      return 1;
  }
  return 0;
}

int json_equal_budget(const wg_json *a, const wg_json *b, uint64_t *steps,
                      uint64_t max_steps) {
  json_bstack st = {0};
  int result = 1;
  if (!json_bpush(&st, a, b)) return -2;
  while (st.len > 0 && result == 1) {
    json_bpair p = st.items[--st.len];
    if (++*steps > max_steps) {
      result = -1;
      break;
    }
    result = json_bstep(&st, p.a, p.b, steps);
  }
  free(st.items);
  return result;
}
