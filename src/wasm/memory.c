/* memory.c: linear memories.
 *
 * A memory reserves its whole effective maximum (declared max, capped by the
 * store's max_memory_pages and max_store_bytes) as PROT_NONE address space
 * and commits pages with mprotect on creation and growth, so its base never
 * moves. Committed pages count against the store's max_store_bytes. Every
 * access is bounds-checked explicitly (no signal handler). A commit failure
 * or the budget makes grow return -1. Freed reservations go to a small
 * per-thread pool (with the store's stack pool, the engine's only
 * per-thread state; both are given back when the thread exits) after being
 * cleaned to zero (scrub, or decommit), so instantiating in a loop pays no
 * mmap/munmap/mprotect and, for small memories, no page faults. */
#include <fcntl.h>
#include <pthread.h>
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

/* A thread's pool: the freed reservations, and its descriptor of
 * /proc/self/pagemap (pagemap_fd + 1, so that 0 is "none") with the process
 * it was opened in: a forked child inherits the descriptor, but it still
 * reads the parent's page tables, so the child opens its own. */
typedef struct vm_pool {
  vm_pool_entry slot[VM_POOL_SLOTS];
  int pagemap_fd1;
  pid_t pagemap_pid;
} vm_pool;

static _Thread_local vm_pool vm_pool_of_thread;

/* A thread that exits unmaps what it pooled and closes its pagemap
 * descriptor: a pthread key, made once per process and never deleted (as
 * the store's stack pool does). The key is set (any non-NULL value makes the
 * destructor run) before the thread first holds anything. */
static pthread_once_t vm_pool_once = PTHREAD_ONCE_INIT;
static pthread_key_t vm_pool_key;
static bool vm_pool_key_ok;

static void pool_free(void *pool) {
  vm_pool *p = pool;
  for (int i = 0; i < VM_POOL_SLOTS; i++)
    if (p->slot[i].base) munmap(p->slot[i].base, p->slot[i].reserved);
  if (p->pagemap_fd1) close(p->pagemap_fd1 - 1);
  memset(p, 0, sizeof *p);
}

static void pool_make_key(void) {
  vm_pool_key_ok = pthread_key_create(&vm_pool_key, pool_free) == 0;
}

/* The thread's pool, registered for clean-up at thread exit; NULL when
 * that cannot be done (then nothing is pooled). */
static vm_pool *pool_get(void) {
  pthread_once(&vm_pool_once, pool_make_key);
  if (!vm_pool_key_ok) return NULL;
  vm_pool *p = &vm_pool_of_thread;
  if (pthread_getspecific(vm_pool_key) != p &&
      pthread_setspecific(vm_pool_key, p) != 0)
    return NULL;
  return p;
}

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
  vm_pool *pool = &vm_pool_of_thread; /* only ever filled through pool_get */
  for (int i = 0; i < VM_POOL_SLOTS; i++) {
    vm_pool_entry *e = &pool->slot[i];
    if (e->base && e->reserved == bytes) {
      uint8_t *b = e->base;
      size_t have = e->committed;
      e->base = NULL;
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

/* Scrubbing: the pages of a small memory that were touched are zeroed in
 * place instead of decommitted. In this VM a page fault costs about a
 * microsecond, so MADV_DONTNEED followed by faulting the same pages back in
 * on the next instance was most of a fresh instance's cost.
 *
 * Which pages are touched comes from /proc/self/pagemap: one pread of 8
 * bytes per page, bit 63 "present", bit 62 "swapped". A swapped page
 * makes the caller decommit instead (its bytes are not where we could zero
 * them). Where pagemap cannot be read, mincore gives the present pages; it
 * cannot see swapped ones, so that path is taken only while the machine
 * has no swap (sysinfo, before and after). pagemap costs one system call
 * (plus getpid, to notice a fork) where mincore and the two swap checks
 * cost three: about 0.5 us of a 2 us fresh instance here. */
#define VM_SCRUB_MAX_BYTES (4u << 20)  /* scan memories up to this size */
#define VM_SCRUB_MAX_PAGES 64u         /* zero at most this many pages */
#define VM_SCRUB_CHUNK 256u            /* pagemap entries read at a time */
#define VM_PM_PRESENT (1ull << 63)
#define VM_PM_SWAPPED (1ull << 62)

/* The thread's pagemap descriptor, opened on first use and again after a
 * fork; false when /proc/self/pagemap cannot be opened. */
static bool pagemap_fd(vm_pool *pool, int *fd) {
  pid_t pid = getpid();
  if (pool->pagemap_fd1 && pool->pagemap_pid != pid) {
    close(pool->pagemap_fd1 - 1); /* the child's copy of the parent's */
    pool->pagemap_fd1 = 0;
  }
  if (!pool->pagemap_fd1) {
    int f = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (f < 0) return false;
    pool->pagemap_fd1 = f + 1;
    pool->pagemap_pid = pid;
  }
  *fd = pool->pagemap_fd1 - 1;
  return true;
}

/* Touched-page map of [base, base + n pages): marks[i] is 1 for a page
 * that holds memory, or the function returns false (a swapped page, or
 * pagemap could not be read). */
static bool marks_pagemap(vm_pool *pool, const uint8_t *base, size_t page,
                          size_t n, unsigned char *marks) {
  int fd;
  if (!pagemap_fd(pool, &fd)) return false;
  uint64_t e[VM_SCRUB_CHUNK];
  off_t first = (off_t)((uintptr_t)base / page) * 8;
  for (size_t i = 0; i < n; i += VM_SCRUB_CHUNK) {
    size_t k = n - i < VM_SCRUB_CHUNK ? n - i : VM_SCRUB_CHUNK;
    if (pread(fd, e, k * 8, first + (off_t)i * 8) != (ssize_t)(k * 8))
      return false;
    for (size_t j = 0; j < k; j++) {
      if (e[j] & VM_PM_SWAPPED) return false;
      marks[i + j] = (e[j] & VM_PM_PRESENT) != 0;
    }
  }
  return true;
}

static bool no_swap(void) {
  struct sysinfo si;
  return sysinfo(&si) == 0 && si.totalswap == 0;
}

static bool marks_mincore(uint8_t *base, size_t committed, size_t n,
                          unsigned char *marks) {
  if (!no_swap() || mincore(base, committed, marks) != 0) return false;
  /* Swap switched on between the first check and mincore could have moved
   * a written page out, so mincore would miss it and the next instance
   * would read another call's data: check again after mincore (a page
   * cannot leave memory while there is no swap on either side of it). */
  if (!no_swap()) return false;
  for (size_t i = 0; i < n; i++) marks[i] &= 1;
  return true;
}

/* True when a page holds only zero bytes; stops at the first that is not
 * (a written page usually has one near its start). */
static bool all_zero(const uint8_t *p, size_t n) {
  const uint64_t *w = (const uint64_t *)(const void *)p;
  for (size_t i = 0; i < n / 8; i += 8) {
    uint64_t acc = w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] |
                   w[i + 5] | w[i + 6] | w[i + 7];
    if (acc) return false;
  }
  return true;
}

/* Zeroes the touched pages; false when the caller must decommit instead
 * (too large, too many pages, a swapped page, a system call failed). */
static bool scrub(vm_pool *pool, uint8_t *base, size_t committed) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  unsigned char marks[VM_SCRUB_MAX_BYTES / 4096];
  if (committed > VM_SCRUB_MAX_BYTES || page < 4096 || page % 64 ||
      committed / page > sizeof marks)
    return false;
  size_t n = (committed + page - 1) / page, dirty = 0;
  if (!marks_pagemap(pool, base, page, n, marks) &&
      !marks_mincore(base, committed, n, marks))
    return false;
  for (size_t i = 0; i < n; i++) dirty += marks[i];
  if (dirty > VM_SCRUB_MAX_PAGES) return false;
  for (size_t i = 0; i < n; i++) {
    /* a page only read maps the shared zero page: writing it would fault */
    if (marks[i] && !all_zero(base + i * page, page))
      memset(base + i * page, 0, page);
  }
  return true;
}

/* Makes the memory read as zero again (scrub, or decommit: the pages go
 * back to the kernel) and pools or unmaps it. A pooled reservation keeps
 * its protection, so reusing it for the same size costs no mprotect. A
 * memory that cannot be made zero is never pooled. */
static void release(uint8_t *base, size_t reserved, size_t committed) {
  vm_pool *pool = pool_get();
  int slot = -1;
  for (int i = 0; pool && i < VM_POOL_SLOTS && slot < 0; i++)
    if (!pool->slot[i].base) slot = i;
  if (slot < 0 || (committed && !scrub(pool, base, committed) &&
                   madvise(base, committed, MADV_DONTNEED) != 0)) {
    munmap(base, reserved);
    return;
  }
  pool->slot[slot] = (vm_pool_entry){base, reserved, committed};
}

bool vm_memory_fits(const wg_store *s, uint32_t min) {
  uint64_t bytes = (uint64_t)min * WG_WASM_PAGE_SIZE, cap = s->limits.max_store_bytes;
  return min <= s->limits.max_memory_pages &&
         (!cap || (s->memory_bytes <= cap && bytes <= cap - s->memory_bytes));
}

/* Committed pages count against the store's max_store_bytes (address space
 * reserved beyond them does not: it costs no host memory). */
static bool reserve_pages(wg_store *s, uint32_t pages) {
  return vm_store_reserve(s, 0, (uint64_t)pages * WG_WASM_PAGE_SIZE);
}

static void unreserve_pages(wg_store *s, uint32_t pages) {
  s->memory_bytes -= (uint64_t)pages * WG_WASM_PAGE_SIZE;
}

wg_memory *vm_memory_create(wg_store *s, uint32_t min, bool has_max,
                            uint32_t max) {
  uint32_t limit = s->limits.max_memory_pages;
  uint64_t cap = s->limits.max_store_bytes / WG_WASM_PAGE_SIZE;
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
  m->reserved = (size_t)(eff ? eff : 1) * WG_WASM_PAGE_SIZE;
  size_t bytes = (size_t)min * WG_WASM_PAGE_SIZE;
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
  size_t add = (size_t)delta * WG_WASM_PAGE_SIZE;
  if (mprotect(m->base + m->size, add, PROT_READ | PROT_WRITE) != 0) {
    unreserve_pages(m->store, delta);
    return -1;
  }
  m->pages = old + delta;
  m->size += add;
  return old;
}
