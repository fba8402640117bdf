/* arena.c: bump allocator. Chunks grow geometrically; one call frees all.
 *
 * Invariants (checked by WG_ASSERT in the sanitizer build): every chunk has
 * used <= size; every allocation is a multiple of 16 bytes, so data + used
 * stays 16-aligned; used_total is the sum of the allocations and never
 * passes a nonzero limit. */
#include "wasmgate/util.h"
#include "wg_assert.h"

#include <stdlib.h>
#include <string.h>

struct wg_arena_chunk {
  wg_arena_chunk *next;
  size_t size;
  size_t used;
  _Alignas(16) unsigned char data[];
};

enum { ARENA_MIN_CHUNK = 4096 - 64 };

void wg_arena_init(wg_arena *a, size_t limit) {
  a->head = NULL;
  a->used_total = 0;
  a->limit = limit;
}

void wg_arena_free(wg_arena *a) {
  wg_arena_chunk *c = a->head;
  while (c) {
    wg_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  a->head = NULL;
  a->used_total = 0;
}

void *wg_arena_alloc(wg_arena *a, size_t size) {
  size_t rounded;
  if (!wg_add_size(size, 15, &rounded)) return NULL;
  rounded &= ~(size_t)15;
  if (rounded == 0) rounded = 16;
  size_t total;
  if (!wg_add_size(a->used_total, rounded, &total)) return NULL;
  if (a->limit && total > a->limit) return NULL;
  WG_ASSERT(rounded % 16 == 0);
  wg_arena_chunk *c = a->head;
  if (!c || c->size - c->used < rounded) {
    size_t want = c ? c->size * 2 : ARENA_MIN_CHUNK;
    if (want < rounded) want = rounded;
    if (want > ((size_t)1 << 24) && rounded < want) want = rounded > ((size_t)1 << 24) ? rounded : ((size_t)1 << 24);
    size_t bytes;
    if (!wg_add_size(sizeof(wg_arena_chunk), want, &bytes)) return NULL;
    wg_arena_chunk *n = malloc(bytes);
    if (!n) return NULL;
    n->size = want;
    n->used = 0;
    n->next = c;
    a->head = n;
    c = n;
  }
  WG_ASSERT(c->used <= c->size && c->size - c->used >= rounded && c->used % 16 == 0);
  void *p = c->data + c->used;
  c->used += rounded;
  a->used_total = total;
  memset(p, 0, rounded);
  return p;
}

void *wg_arena_array(wg_arena *a, size_t count, size_t elem_size) {
  size_t bytes;
  if (!wg_mul_size(count, elem_size, &bytes)) return NULL;
  return wg_arena_alloc(a, bytes);
}

char *wg_arena_strndup(wg_arena *a, const char *s, size_t n) {
  size_t bytes;
  if (!wg_add_size(n, 1, &bytes)) return NULL;
  char *p = wg_arena_alloc(a, bytes);
  if (!p) return NULL;
  if (n) memcpy(p, s, n);
  p[n] = '\0';
  return p;
}
