/* memory.c: linear memories.
 *
 * A memory reserves its whole effective maximum (declared max, capped by the
 * store's max_memory_pages and max_store_bytes) as PROT_NONE address space
 * and commits pages with mprotect on creation and growth, so its base never
 * moves. Committed pages count against the store's max_store_bytes. Every
 * access is bounds-checked explicitly (no signal handler). A commit failure
 * or the budget makes grow return -1. Freed reservations go to a small
 * per-thread pool (with the store's stack pool, the engine's only
 * per-thread state) after being cleaned to zero (scrub, or decommit), so
 * instantiating in a loop pays no mmap/munmap/mprotect and, for small
 * memories, no page faults. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "vm_module.h"

#define VM_POOL_SLOTS 4

typedef struct vm_pool_entry {
  uint8_t *base;
  size_t reserved;
  size_t committed; /* bytes left PROT_READ|PROT_WRITE (decommitted) */
} vm_pool_entry;

static _Thread_local vm_pool_entry vm_pool[VM_POOL_SLOTS];

/* Makes [0, want) of a reservation accessible and the rest of what was
 * `have` inaccessible again; no system call when they are equal (a
 * pooled memory reused by the same module). */
static bool set_committed(uint8_t *base, size_t have, size_t want) {
  if (want > have)
    return mprotect(base + have, want - have, PROT_READ | PROT_WRITE) == 0;
  if (want < have) return mprotect(base + want, have - want, PROT_NONE) == 0;
  return true;
}

/* A reservation of `bytes` with its first `commit` bytes accessible and
 * zero: a pooled one of the same size if there is one, else a new
 * mapping. */
static uint8_t *reserve(size_t bytes, size_t commit) {
  for (int i = 0; i < VM_POOL_SLOTS; i++) {
    if (vm_pool[i].base && vm_pool[i].reserved == bytes) {
      uint8_t *b = vm_pool[i].base;
      size_t have = vm_pool[i].committed;
      vm_pool[i].base = NULL;
      if (set_committed(b, have, commit)) return b;
      munmap(b, bytes);
      return NULL;
    }
  }
  void *p = mmap(NULL, bytes, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return NULL;
  if (!set_committed(p, 0, commit)) {
    munmap(p, bytes);
    return NULL;
  }
  return p;
}

/* Zeroes the pages of a small memory that were touched, instead of
 * decommitting them: in this VM a page fault costs about a microsecond, so
 * MADV_DONTNEED followed by faulting the same pages back in on the next
 * instance was most of a fresh instance's cost. mincore tells which pages
 * are mapped; a page it does not report is either untouched (it reads as
 * zero) or swapped out, so this is only done when the machine has no swap.
 * Returns false when the caller must decommit instead (too many pages, swap,
 * or a system call failed). */
#define VM_SCRUB_MAX_BYTES (4u << 20)  /* scan memories up to this size */
#define VM_SCRUB_MAX_PAGES 64u         /* zero at most this many pages */

static bool all_zero(const uint8_t *p, size_t n) {
  const uint64_t *w = (const uint64_t *)(const void *)p;
  uint64_t acc = 0;
  for (size_t i = 0; i < n / 8; i++) acc |= w[i];
  return acc == 0;
}

static bool scrub(uint8_t *base, size_t committed) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  unsigned char vec[VM_SCRUB_MAX_BYTES / 4096];
  struct sysinfo si;
  if (committed > VM_SCRUB_MAX_BYTES || page < 4096 ||
      committed / page > sizeof vec)
    return false;
  if (sysinfo(&si) != 0 || si.totalswap != 0) return false;
  size_t n = (committed + page - 1) / page, dirty = 0;
  if (mincore(base, committed, vec) != 0) return false;
  /* Swap switched on between the first check and mincore could have moved
   * a written page out, so mincore would miss it and the next instance
   * would read another call's data: check again after mincore (a page
   * cannot leave memory while there is no swap on either side of it). */
  if (sysinfo(&si) != 0 || si.totalswap != 0) return false;
  for (size_t i = 0; i < n; i++) dirty += vec[i] & 1;
  if (dirty > VM_SCRUB_MAX_PAGES) return false;
  for (size_t i = 0; i < n; i++) {
    /* a page only read maps the shared zero page: writing it would fault */
    if ((vec[i] & 1) && !all_zero(base + i * page, page))
      memset(base + i * page, 0, page);
  }
  return true;
}

/* Makes the memory read as zero again (scrub, or decommit: the pages go
 * back to the kernel) and pools or unmaps it. A pooled reservation keeps
 * its protection, so reusing it for the same size costs no mprotect. */
static void release(uint8_t *base, size_t reserved, size_t committed) {
  int slot = -1;
  for (int i = 0; i < VM_POOL_SLOTS && slot < 0; i++)
    if (!vm_pool[i].base) slot = i;
  if (slot < 0) {
    munmap(base, reserved);
    return;
  }
  if (committed && !scrub(base, committed))
    madvise(base, committed, MADV_DONTNEED);
  vm_pool[slot].base = base;
  vm_pool[slot].reserved = reserved;
  vm_pool[slot].committed = committed;
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
  size_t bytes = (size_t)min * VM_PAGE_SIZE;
  m->base = reserve(m->reserved, bytes);
  if (!m->base) {
    unreserve_pages(s, min);
    free(m);
    return NULL;
  }
  m->max_pages = eff;
  m->has_type_max = has_max;
  m->type_max = max;
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
