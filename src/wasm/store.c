/* store.c: stores (the owner of every run-time object), their limits and
 * fuel accounting, and the extern constructors of the public API.
 *
 * Invariant: every object reachable from a store's instances is on its
 * `objs` list and is freed exactly once by wg_store_free. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vm_module.h"

void *vm_store_track(wg_store *s, vm_obj_kind kind, void *ptr) {
  vm_obj *o = malloc(sizeof *o);
  if (!o) {
    if (kind == VM_OBJ_MEMORY) vm_memory_destroy(ptr);
    if (kind == VM_OBJ_TABLE) vm_table_destroy(ptr);
    free(ptr);
    return NULL;
  }
  o->kind = kind;
  o->ptr = ptr;
  o->next = s->objs;
  s->objs = o;
  return ptr;
}

/* Execution stacks of freed stores, kept per thread so that a fresh store
 * per call (the runtime's pattern) does not malloc and free megabytes
 * each time (glibc consolidates its heap on every large free). A reused
 * stack holds the previous store's slot values: compiled code zeroes a
 * frame's locals and writes every operand slot before reading it, so
 * guest code cannot observe them. */
#define VM_STACK_POOL_SLOTS 2

typedef struct vm_stacks {
  uint64_t *stack;
  size_t stack_slots;
  vm_frame *frames;
  uint32_t frame_cap;
} vm_stacks;

static _Thread_local vm_stacks vm_stack_pool[VM_STACK_POOL_SLOTS];

/* A thread that exits frees what it pooled: a pthread key (made once per
 * process, never deleted, like the policy layer's libidn2 handle) whose
 * destructor runs at thread exit. Without the key (pthread_key_create
 * failed) nothing is pooled. */
static pthread_once_t vm_stack_once = PTHREAD_ONCE_INIT;
static pthread_key_t vm_stack_key;
static bool vm_stack_key_ok;

static void free_pool(void *unused) {
  (void)unused;
  for (int i = 0; i < VM_STACK_POOL_SLOTS; i++) {
    free(vm_stack_pool[i].stack);
    free(vm_stack_pool[i].frames);
    memset(&vm_stack_pool[i], 0, sizeof vm_stack_pool[i]);
  }
}

static void make_key(void) {
  vm_stack_key_ok = pthread_key_create(&vm_stack_key, free_pool) == 0;
}

bool vm_store_stacks(wg_store *s) {
  size_t slots = s->limits.max_stack_bytes / sizeof(uint64_t);
  uint32_t cap = s->limits.max_call_depth;
  for (int i = 0; i < VM_STACK_POOL_SLOTS; i++) {
    vm_stacks *p = &vm_stack_pool[i];
    if (p->stack && p->stack_slots == slots && p->frame_cap == cap) {
      s->stack = p->stack;
      s->frames = p->frames;
      memset(p, 0, sizeof *p);
      break;
    }
  }
  if (!s->stack) {
    s->stack = malloc(slots * sizeof *s->stack);
    s->frames = malloc((size_t)cap * sizeof *s->frames);
  }
  if (!s->stack || !s->frames) {
    free(s->stack);
    free(s->frames);
    s->stack = NULL;
    s->frames = NULL;
    return false;
  }
  s->stack_slots = slots;
  s->frame_cap = cap;
  s->stack_top = s->stack;
  s->frame_top = 0;
  return true;
}

static void release_stacks(wg_store *s) {
  if (!s->stack) return;
  pthread_once(&vm_stack_once, make_key);
  /* any non-NULL value makes the destructor run for this thread */
  for (int i = 0; vm_stack_key_ok && i < VM_STACK_POOL_SLOTS; i++) {
    vm_stacks *p = &vm_stack_pool[i];
    if (!p->stack && pthread_setspecific(vm_stack_key, vm_stack_pool) == 0) {
      *p = (vm_stacks){s->stack, s->stack_slots, s->frames, s->frame_cap};
      return;
    }
  }
  free(s->stack);
  free(s->frames);
}

void *vm_store_alloc(wg_store *s, size_t size) {
  void *p = calloc(1, size ? size : 1);
  if (!p) return NULL;
  return vm_store_track(s, VM_OBJ_BLOB, p);
}

wg_store *wg_store_new(const wg_limits *limits) {
  wg_store *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  if (limits) s->limits = *limits;
  wg_limits *l = &s->limits;
  if (!l->max_memory_pages || l->max_memory_pages > WG_WASM_MAX_PAGES)
    l->max_memory_pages = WG_WASM_MAX_PAGES;
  if (!l->max_table_elements) l->max_table_elements = WG_WASM_DEFAULT_MAX_TABLE;
  if (!l->max_call_depth) l->max_call_depth = WG_WASM_DEFAULT_MAX_CALL_DEPTH;
  if (!l->max_stack_bytes) l->max_stack_bytes = WG_WASM_DEFAULT_MAX_STACK_BYTES;
  s->fuel_remaining = l->fuel ? l->fuel : UINT64_MAX;
  return s;
}

void wg_store_free(wg_store *s) {
  if (!s) return;
  vm_obj *o = s->objs;
  while (o) {
    vm_obj *next = o->next;
    switch (o->kind) {
      case VM_OBJ_MEMORY: vm_memory_destroy(o->ptr); break;
      case VM_OBJ_TABLE: vm_table_destroy(o->ptr); break;
      case VM_OBJ_INSTANCE: vm_instance_destroy(o->ptr); break;
      default: break;
    }
    free(o->ptr);
    free(o);
    o = next;
  }
  release_stacks(s);
  free(s);
}

bool vm_store_reserve(wg_store *s, uint64_t elements, uint64_t bytes) {
  const wg_limits *l = &s->limits;
  if (elements > l->max_table_elements - s->table_elements) return false;
  if (l->max_store_bytes &&
      (s->memory_bytes > l->max_store_bytes ||
       bytes > l->max_store_bytes - s->memory_bytes))
    return false;
  s->table_elements += elements;
  s->memory_bytes += bytes;
  return true;
}

wg_trap vm_check_time(const wg_store *s) {
  if (s->limits.cancel &&
      atomic_load_explicit(s->limits.cancel, memory_order_relaxed))
    return WG_TRAP_CANCELLED;
  if (s->limits.deadline_ns && wg_now_ns() >= s->limits.deadline_ns)
    return WG_TRAP_DEADLINE;
  return WG_TRAP_NONE;
}

uint64_t wg_store_memory_bytes(const wg_store *s) { return s->memory_bytes; }
uint64_t wg_store_table_elements(const wg_store *s) { return s->table_elements; }

uint64_t wg_store_fuel_remaining(const wg_store *s) { return s->fuel_remaining; }
uint64_t wg_store_fuel_used(const wg_store *s) { return s->fuel_used; }

void wg_store_set_fuel(wg_store *s, uint64_t fuel) {
  s->limits.fuel = fuel;
  s->fuel_remaining = fuel ? fuel : UINT64_MAX;
}

void wg_store_set_deadline(wg_store *s, uint64_t deadline_ns) {
  s->limits.deadline_ns = deadline_ns;
}

/* ---- Externs ------------------------------------------------------------- */

wg_func *wg_func_new_host(wg_store *s, const wg_functype *type, wg_host_fn fn,
                          void *user) {
  if (!s || !type || !fn) return NULL;
  size_t n = (size_t)type->param_count + type->result_count;
  size_t size = sizeof(wg_func) + sizeof(wg_functype) + n * sizeof(wg_valtype);
  wg_func *f = vm_store_alloc(s, size);
  if (!f) return NULL;
  wg_functype *ft = (wg_functype *)(f + 1);
  wg_valtype *vals = (wg_valtype *)(ft + 1);
  if (type->param_count)
    memcpy(vals, type->params, type->param_count * sizeof *vals);
  if (type->result_count)
    memcpy(vals + type->param_count, type->results,
           type->result_count * sizeof *vals);
  ft->param_count = type->param_count;
  ft->result_count = type->result_count;
  ft->params = vals;
  ft->results = vals + type->param_count;
  f->type = ft;
  f->host = fn;
  f->host_user = user;
  return f;
}

wg_global *wg_global_new(wg_store *s, wg_valtype type, bool is_mutable,
                         wg_val init) {
  wg_global *g = vm_store_alloc(s, sizeof *g);
  if (!g) return NULL;
  g->type = type;
  g->is_mutable = is_mutable;
  switch (type) {
    case WG_I32: g->value = init.of.i32; break;
    case WG_F32: g->value = init.of.f32_bits; break;
    case WG_FUNCREF: g->value = (uint64_t)(uintptr_t)init.of.funcref; break;
    case WG_EXTERNREF: g->value = (uint64_t)(uintptr_t)init.of.externref; break;
    default: g->value = init.of.i64; break;
  }
  return g;
}

wg_table *wg_table_new(wg_store *s, wg_valtype elem, uint32_t min,
                       bool has_max, uint32_t max) {
  return vm_table_create(s, elem, min, has_max, max);
}

wg_memory *wg_memory_new(wg_store *s, uint32_t min_pages, bool has_max,
                         uint32_t max_pages) {
  return vm_memory_create(s, min_pages, has_max, max_pages);
}

const wg_functype *wg_func_type(const wg_func *f) { return f->type; }

wg_val wg_global_get(const wg_global *g) {
  wg_val v;
  memset(&v, 0, sizeof v);
  v.type = g->type;
  switch (g->type) {
    case WG_I32: v.of.i32 = (uint32_t)g->value; break;
    case WG_F32: v.of.f32_bits = (uint32_t)g->value; break;
    case WG_FUNCREF: v.of.funcref = (wg_func *)(uintptr_t)g->value; break;
    case WG_EXTERNREF: v.of.externref = (void *)(uintptr_t)g->value; break;
    default: v.of.i64 = g->value; break;
  }
  return v;
}

uint32_t wg_table_size(const wg_table *t) { return t->size; }
uint32_t wg_memory_pages(const wg_memory *m) { return m->pages; }

bool wg_memory_read(const wg_memory *m, uint64_t offset, void *dst,
                    size_t len) {
  if (offset > m->size || len > m->size - offset) return false;
  if (len) memcpy(dst, m->base + offset, len);
  return true;
}

bool wg_memory_write(wg_memory *m, uint64_t offset, const void *src,
                     size_t len) {
  if (offset > m->size || len > m->size - offset) return false;
  if (len) memcpy(m->base + offset, src, len);
  return true;
}

int64_t wg_memory_grow(wg_memory *m, uint32_t delta_pages) {
  return vm_memory_grow(m, delta_pages);
}

/* ---- Callers -------------------------------------------------------------- */

wg_memory *wg_caller_memory(wg_caller *c) {
  return c->inst ? c->inst->mem0 : NULL;
}

wg_store *wg_caller_store(wg_caller *c) { return c->store; }

wg_trap wg_caller_check(const wg_caller *c) { return vm_check_time(c->store); }

void wg_caller_set_message(wg_caller *c, const char *msg) {
  if (!c->message || !msg) return;
  size_t n = strlen(msg);
  if (n > 255) n = 255;
  memcpy(c->message, msg, n);
  c->message[n] = '\0';
}
