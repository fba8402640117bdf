/* vec.c: the one growth rule for malloc'd arrays (every layer's "double it
 * when full"), with the size arithmetic checked so no caller multiplies a
 * count by an element size on its own. */
#include "wasmgate/util.h"

#include <stdlib.h>

/* First allocation: small, since most lists here hold a handful. */
enum { VEC_FIRST = 8 };

/* The capacity to allocate: doubled from *cap (or VEC_FIRST) until it holds
 * need, clamped to max (need <= max is checked by the caller). */
static size_t vec_next_cap(size_t cap, size_t need, size_t max) {
  size_t n = cap ? cap : VEC_FIRST;
  while (n < need) n = n > max / 2 ? max : n * 2;
  return n < max ? n : max;
}

void *wg_vec_reserve(void *p, size_t *cap, size_t need, size_t elem,
                     size_t max) {
  if (p && need <= *cap) return p;
  if (elem == 0) return NULL;
  size_t limit = SIZE_MAX / elem;
  if (max == 0 || max > limit) max = limit;
  if (need > max) return NULL;
  size_t n = vec_next_cap(p ? *cap : 0, need ? need : 1, max);
  void *q = realloc(p, n * elem);
  if (!q) return NULL;
  *cap = n;
  return q;
}
