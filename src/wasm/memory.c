/* memory.c: linear memories.
 *
 * A memory reserves its whole effective maximum (declared max, capped by the
 * store's max_memory_pages and max_store_bytes) as PROT_NONE address space
 * and commits pages with mprotect on creation and growth, so its base never
 * moves. Committed pages count against the store's max_store_bytes. Every
 * access is bounds-checked explicitly (no signal handler). A commit failure
 * or the budget makes grow return -1. Freed reservations go to a small
 * per-thread pool (the engine's only per-thread state) after being
 * decommitted, so instantiating in a loop does not pay an mmap/munmap pair
 * each time. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm_module.h"

#define VM_POOL_SLOTS 4

typedef struct vm_pool_entry {
  uint8_t *base;
  size_t reserved;
} vm_pool_entry;

static _Thread_local vm_pool_entry vm_pool[VM_POOL_SLOTS];

static uint8_t *reserve(size_t bytes) {
  for (int i = 0; i < VM_POOL_SLOTS; i++) {
    if (vm_pool[i].base && vm_pool[i].reserved == bytes) {
      uint8_t *b = vm_pool[i].base;
      vm_pool[i].base = NULL;
      return b;
    }
  }
  void *p = mmap(NULL, bytes, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* Decommits (pages read as zero again) and pools or unmaps. */
static void release(uint8_t *base, size_t reserved, size_t committed) {
  if (committed) {
    madvise(base, committed, MADV_DONTNEED);
    mprotect(base, committed, PROT_NONE);
  }
  for (int i = 0; i < VM_POOL_SLOTS; i++) {
    if (!vm_pool[i].base) {
      vm_pool[i].base = base;
      vm_pool[i].reserved = reserved;
      return;
    }
  }
  munmap(base, reserved);
}

bool vm_memory_fits(const wg_store *s, uint32_t min) {
  uint64_t bytes = (uint64_t)min * VM_PAGE_SIZE, cap = s->limits.max_store_bytes;
  return min <= s->limits.max_memory_pages &&
         (!cap || (s->memory_bytes <= cap && bytes <= cap - s->memory_bytes));
}

/* Committed pages count against the store's max_store_bytes (address space
 * reserved beyond them does not: it costs no host memory). */
static bool reserve_pages(wg_store *s, uint32_t pages) {
  return vm_store_reserve(s, 0, (uint64_t)pages * VM_PAGE_SIZE);
}

static void unreserve_pages(wg_store *s, uint32_t pages) {
  s->memory_bytes -= (uint64_t)pages * VM_PAGE_SIZE;
}

wg_memory *vm_memory_create(wg_store *s, uint32_t min, bool has_max,
                            uint32_t max) {
  uint32_t limit = s->limits.max_memory_pages;
  uint64_t cap = s->limits.max_store_bytes / VM_PAGE_SIZE;
  if (s->limits.max_store_bytes && cap < limit) limit = (uint32_t)cap;
  /* the effective maximum never exceeds what the store's budget allows, so
   * no more address space is reserved than could ever be committed */
  uint32_t eff = has_max && max < limit ? max : limit;
  if (min > eff || !reserve_pages(s, min)) return NULL;
  wg_memory *m = calloc(1, sizeof *m);
  if (!m) {
    unreserve_pages(s, min);
    return NULL;
  }
  m->store = s;
  /* at least one page of address space so base is never NULL */
  m->reserved = (size_t)(eff ? eff : 1) * VM_PAGE_SIZE;
  m->base = reserve(m->reserved);
  if (!m->base) {
    unreserve_pages(s, min);
    free(m);
    return NULL;
  }
  m->max_pages = eff;
  m->has_type_max = has_max;
  m->type_max = max;
  size_t bytes = (size_t)min * VM_PAGE_SIZE;
  if (bytes && mprotect(m->base, bytes, PROT_READ | PROT_WRITE) != 0) {
    release(m->base, m->reserved, 0);
    unreserve_pages(s, min);
    free(m);
    return NULL;
  }
  m->pages = min;
  m->size = bytes;
  return vm_store_track(s, VM_OBJ_MEMORY, m);
}

void vm_memory_destroy(wg_memory *m) {
  if (m->base) release(m->base, m->reserved, (size_t)m->size);
  m->base = NULL;
}

int64_t vm_memory_grow(wg_memory *m, uint32_t delta) {
  uint32_t old = m->pages;
  if ((uint64_t)old + delta > m->max_pages) return -1;
  if (delta == 0) return old;
  if (!reserve_pages(m->store, delta)) return -1;
  size_t add = (size_t)delta * VM_PAGE_SIZE;
  if (mprotect(m->base + m->size, add, PROT_READ | PROT_WRITE) != 0) {
    unreserve_pages(m->store, delta);
    return -1;
  }
  m->pages = old + delta;
  m->size += add;
  return old;
}
