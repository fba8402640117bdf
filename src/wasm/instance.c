/* instance.c: instantiation (import checks, allocation of tables, memories
 * and globals, segment initialization, start function) and tables.
 *
 * Instantiation never recompiles: functions point at the module's shared
 * compiled code. Segments are applied in order; a trap leaves the writes of
 * earlier segments in place (imported tables/memories see them). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_module.h"

/* ---- Tables --------------------------------------------------------------- */

/* Every element of every table counts against the store's
 * max_table_elements and, at WG_TABLE_ELEMENT_BYTES each, against its
 * max_store_bytes: initial sizes when created, deltas when grown. The
 * budget is checked before anything is allocated. */
static bool reserve_elements(wg_store *s, uint64_t n) {
  return vm_store_reserve(s, n, n * WG_TABLE_ELEMENT_BYTES);
}

static void unreserve_elements(wg_store *s, uint64_t n) {
  s->table_elements -= n;
  s->memory_bytes -= n * WG_TABLE_ELEMENT_BYTES;
}

/* The effective maximum: the declared one, capped by the store's limit. */
static uint32_t table_max(const wg_store *s, bool has_max, uint32_t max) {
  uint32_t limit = s->limits.max_table_elements;
  return has_max && max < limit ? max : limit;
}

bool vm_table_fits(const wg_store *s, uint32_t min, bool has_max, uint32_t max) {
  const wg_limits *l = &s->limits;
  uint64_t bytes = (uint64_t)min * WG_TABLE_ELEMENT_BYTES;
  return min <= table_max(s, has_max, max) &&
         min <= l->max_table_elements - s->table_elements &&
         (!l->max_store_bytes || (s->memory_bytes <= l->max_store_bytes &&
                                  bytes <= l->max_store_bytes - s->memory_bytes));
}

wg_table *vm_table_create(wg_store *s, wg_valtype elem, uint32_t min,
                          bool has_max, uint32_t max) {
  if (min > table_max(s, has_max, max) || !reserve_elements(s, min)) return NULL;
  wg_table *t = calloc(1, sizeof *t);
  if (t) t->elems = calloc(min ? min : 1, sizeof *t->elems);
  if (!t || !t->elems) {
    free(t);
    unreserve_elements(s, min);
    return NULL;
  }
  t->store = s;
  t->elem = elem;
  t->size = min;
  t->max = table_max(s, has_max, max);
  t->has_type_max = has_max;
  t->type_max = max;
  return vm_store_track(s, VM_OBJ_TABLE, t);
}

void vm_table_destroy(wg_table *t) {
  free(t->elems);
  t->elems = NULL;
}

bool vm_table_can_grow(const wg_table *t, uint32_t delta) {
  const wg_store *s = t->store;
  const wg_limits *l = &s->limits;
  uint64_t bytes = (uint64_t)delta * WG_TABLE_ELEMENT_BYTES;
  return (uint64_t)t->size + delta <= t->max &&
         delta <= l->max_table_elements - s->table_elements &&
         (!l->max_store_bytes || (s->memory_bytes <= l->max_store_bytes &&
                                  bytes <= l->max_store_bytes - s->memory_bytes));
}

/* A failed grow (past the maximum, the store's budget or host memory)
 * returns -1 in *result and changes nothing; the caller charges fuel for
 * the new elements only before a grow that can succeed. The new elements
 * are written in chunks with the deadline and cancellation checked between
 * them (check_time): a trap there leaves the table as it was. */
wg_trap vm_table_grow_checked(wg_table *t, uint32_t delta, uint64_t init,
                              bool check_time, int64_t *result) {
  uint32_t old = t->size;
  *result = -1;
  if (!vm_table_can_grow(t, delta)) return WG_TRAP_NONE;
  if (delta == 0) {
    *result = old;
    return WG_TRAP_NONE;
  }
  if (!reserve_elements(t->store, delta)) return WG_TRAP_NONE;
  uint64_t *e = realloc(t->elems, ((size_t)old + delta) * sizeof *e);
  if (!e) {
    unreserve_elements(t->store, delta);
    return WG_TRAP_NONE;
  }
  t->elems = e;
  for (uint32_t done = 0; done < delta;) {
    uint32_t k = delta - done < VM_TABLE_CHUNK ? delta - done : VM_TABLE_CHUNK;
    for (uint32_t i = 0; i < k; i++) e[old + done + i] = init;
    done += k;
    wg_trap tr = check_time && done < delta ? vm_check_time(t->store) : WG_TRAP_NONE;
    if (tr) {
      unreserve_elements(t->store, delta);
      return tr;
    }
  }
  t->size = old + delta;
  *result = old;
  return WG_TRAP_NONE;
}

/* The instance's arrays are in its own block, which the store frees. */
void vm_instance_destroy(wg_instance *inst) {
  wg_module_release((wg_module *)inst->mod);
}

/* ---- Import checks -------------------------------------------------------- */

static bool limits_match(uint32_t size, bool has_max, uint32_t max,
                         const vm_limits_t *want) {
  if (size < want->min) return false;
  if (!want->has_max) return true;
  return has_max && max <= want->max;
}

static wg_wasm_code check_import(const vm_module *m, const vm_import *im,
                                   const wg_extern *ext, wg_wasm_error *err) {
  bool ok = ext->kind == im->kind;
  if (ok) {
    switch (im->kind) {
      case WG_EXTERN_FUNC:
        ok = ext->of.func &&
             vm_functype_equal(ext->of.func->type, &m->types[im->type_index]);
        break;
      case WG_EXTERN_TABLE: {
        const wg_table *t = ext->of.table;
        ok = t && t->elem == im->table.elem &&
             limits_match(t->size, t->has_type_max, t->type_max, &im->table.lim);
        break;
      }
      case WG_EXTERN_MEMORY: {
        const wg_memory *mem = ext->of.memory;
        ok = mem && limits_match(mem->pages, mem->has_type_max, mem->type_max,
                                 &im->mem);
        break;
      }
      case WG_EXTERN_GLOBAL:
        ok = ext->of.global && ext->of.global->type == im->global.type &&
             ext->of.global->is_mutable == im->global.is_mutable;
        break;
    }
  }
  if (ok) return WG_WASM_OK;
  vm_error(err, WG_WASM_LINK, 0, "incompatible import type for \"%.*s\".\"%.*s\"",
           (int)(im->module_len > 100 ? 100 : im->module_len), im->module,
           (int)(im->name_len > 100 ? 100 : im->name_len), im->name);
  return WG_WASM_LINK;
}

/* ---- Instantiation -------------------------------------------------------- */

static uint64_t eval_const(const wg_instance *inst, const vm_const *c) {
  switch (c->kind) {
    case VM_CONST_GLOBAL: return inst->globals[c->index]->value;
    case VM_CONST_FUNC: return (uint64_t)(uintptr_t)inst->funcs[c->index];
    default: return c->value;
  }
}

static wg_wasm_code fail(wg_wasm_error *err, wg_wasm_code r,
                           const char *msg) {
  vm_error(err, r, 0, "%s", msg);
  return r;
}

/* The instance and everything sized by its module, in one allocation (a
 * fresh instance per call is the runtime's pattern, and each malloc and
 * free is a measurable part of it): the struct, the index arrays of
 * functions, tables and globals, the defined functions and globals, and the
 * dropped flags of the segments. Each part starts on max_align_t. The
 * counts are bounded by the decoder's caps, so the sum cannot overflow;
 * it is checked anyway. */
static size_t block_part(size_t *at, size_t count, size_t elem) {
  const size_t a = _Alignof(max_align_t);
  size_t start = (*at + a - 1) / a * a;
  if (start < *at || (elem && count > (SIZE_MAX - start) / elem))
    return SIZE_MAX;
  *at = start + count * elem;
  return start;
}

static wg_wasm_code alloc_instance(wg_store *s, const vm_module *m,
                                     wg_instance **out, wg_wasm_error *err) {
  size_t at = sizeof(wg_instance);
  size_t o_funcs = block_part(&at, m->func_count + 1, sizeof(wg_func *));
  size_t o_tables = block_part(&at, m->table_count + 1, sizeof(wg_table *));
  size_t o_globals = block_part(&at, m->global_count + 1, sizeof(wg_global *));
  size_t o_fns = block_part(&at, m->func_count - m->import_func_count,
                            sizeof(wg_func));
  size_t o_gls = block_part(&at, m->global_count - m->import_global_count,
                            sizeof(wg_global));
  size_t o_elem = block_part(&at, m->elem_count + 1, 1);
  size_t o_data = block_part(&at, m->data_count + 1, 1);
  if (o_funcs == SIZE_MAX || o_tables == SIZE_MAX || o_globals == SIZE_MAX ||
      o_fns == SIZE_MAX || o_gls == SIZE_MAX || o_elem == SIZE_MAX ||
      o_data == SIZE_MAX)
    return fail(err, WG_WASM_NOMEM, "out of memory");
  char *b = calloc(1, at);
  if (!b) return fail(err, WG_WASM_NOMEM, "out of memory");
  wg_instance *inst = (wg_instance *)(void *)b;
  inst->store = s;
  inst->mod = m;
  inst->funcs = (wg_func **)(void *)(b + o_funcs);
  inst->tables = (wg_table **)(void *)(b + o_tables);
  inst->globals = (wg_global **)(void *)(b + o_globals);
  inst->own_funcs = (wg_func *)(void *)(b + o_fns);
  inst->own_globals = (wg_global *)(void *)(b + o_gls);
  inst->elem_dropped = (bool *)(void *)(b + o_elem);
  inst->data_dropped = (bool *)(void *)(b + o_data);
  /* tracked before retaining: a failed track frees the block, and the
   * destructor (which releases the module) must not run for it */
  if (!vm_store_track(s, VM_OBJ_INSTANCE, inst))
    return fail(err, WG_WASM_NOMEM, "out of memory");
  wg_module_retain((wg_module *)m);
  *out = inst;
  return WG_WASM_OK;
}

static wg_wasm_code bind_imports(wg_instance *inst, const wg_extern *imports,
                                   wg_wasm_error *err) {
  const vm_module *m = inst->mod;
  uint32_t f = 0, t = 0, g = 0;
  for (uint32_t i = 0; i < m->import_count; i++) {
    const vm_import *im = &m->imports[i];
    wg_wasm_code r = check_import(m, im, &imports[i], err);
    if (r) return r;
    switch (im->kind) {
      case WG_EXTERN_FUNC: inst->funcs[f++] = imports[i].of.func; break;
      case WG_EXTERN_TABLE: inst->tables[t++] = imports[i].of.table; break;
      case WG_EXTERN_MEMORY: inst->mem0 = imports[i].of.memory; break;
      case WG_EXTERN_GLOBAL: inst->globals[g++] = imports[i].of.global; break;
    }
  }
  return WG_WASM_OK;
}

static wg_wasm_code create_defined(wg_store *s, wg_instance *inst,
                                     wg_wasm_error *err) {
  const vm_module *m = inst->mod;
  wg_func *fns = inst->own_funcs;  /* in the instance's block */
  wg_global *gls = inst->own_globals;
  for (uint32_t i = m->import_func_count; i < m->func_count; i++) {
    wg_func *fn = &fns[i - m->import_func_count];
    fn->inst = inst;
    fn->code = &m->codes[i - m->import_func_count];
    fn->type = &m->types[m->func_types[i]];
    inst->funcs[i] = fn;
  }
  for (uint32_t i = m->import_table_count; i < m->table_count; i++) {
    const vm_tabletype *tt = &m->tables[i];
    if (!vm_table_fits(s, tt->lim.min, tt->lim.has_max, tt->lim.max))
      return fail(err, WG_WASM_LIMIT,
                  "tables larger than the store allows (table elements or "
                  "memory budget)");
    inst->tables[i] = vm_table_create(s, tt->elem, tt->lim.min,
                                      tt->lim.has_max, tt->lim.max);
    if (!inst->tables[i]) return fail(err, WG_WASM_NOMEM, "out of memory");
  }
  if (m->mem_count > m->import_mem_count) {
    const vm_limits_t *ml = &m->mems[0];
    if (!vm_memory_fits(s, ml->min))
      return fail(err, WG_WASM_LIMIT,
                  "memory larger than the store allows (pages or memory "
                  "budget)");
    inst->mem0 = vm_memory_create(s, ml->min, ml->has_max, ml->max);
    if (!inst->mem0) return fail(err, WG_WASM_NOMEM, "cannot reserve memory");
  }
  for (uint32_t i = m->import_global_count; i < m->global_count; i++) {
    wg_global *gl = &gls[i - m->import_global_count];
    gl->type = m->globals[i].type;
    gl->is_mutable = m->globals[i].is_mutable;
    gl->value = eval_const(inst, &m->global_inits[i - m->import_global_count]);
    inst->globals[i] = gl;
  }
  return WG_WASM_OK;
}

static wg_wasm_code trap_error(wg_wasm_error *err, wg_trap t) {
  vm_error(err, WG_WASM_TRAP, 0, "%s", wg_trap_message(t));
  if (err) err->trap = t;
  return WG_WASM_TRAP;
}

/* Counts `n` units of instantiation work; every VM_TABLE_CHUNK of them the
 * store's deadline and cancellation flag are read (the work is bounded by
 * the module's size, and this bounds it by the call's time too). */
static wg_trap inst_tick(const wg_store *s, uint32_t *ticks, uint32_t n) {
  *ticks += n;
  if (*ticks < VM_TABLE_CHUNK) return WG_TRAP_NONE;
  *ticks = 0;
  return vm_check_time(s);
}

/* Active segments act like table.init/memory.init followed by a drop;
 * declarative ones are dropped right away. */
static wg_wasm_code apply_segments(wg_instance *inst, wg_wasm_error *err) {
  const vm_module *m = inst->mod;
  uint32_t ticks = 0;
  wg_trap t;
  for (uint32_t i = 0; i < m->elem_count; i++) {
    const vm_elem *e = &m->elems[i];
    if (e->mode == VM_SEG_PASSIVE) continue;
    inst->elem_dropped[i] = true;
    if (e->mode == VM_SEG_DECLARATIVE) continue;
    uint32_t off = (uint32_t)eval_const(inst, &e->offset);
    wg_table *tab = inst->tables[e->table];
    if (off > tab->size || e->count > tab->size - off)
      return trap_error(err, WG_TRAP_TABLE_OUT_OF_BOUNDS);
    for (uint32_t k = 0; k < e->count; k++) {
      if ((t = inst_tick(inst->store, &ticks, 1))) return trap_error(err, t);
      tab->elems[off + k] = vm_elem_item(inst, e, k);
    }
  }
  for (uint32_t i = 0; i < m->data_count; i++) {
    const vm_data *d = &m->datas[i];
    if ((t = inst_tick(inst->store, &ticks, 1 + d->len / 8)))
      return trap_error(err, t);
    if (d->mode != VM_SEG_ACTIVE) continue;
    inst->data_dropped[i] = true;
    uint32_t off = (uint32_t)eval_const(inst, &d->offset);
    wg_memory *mem = inst->mem0;
    if (off > mem->size || d->len > mem->size - off)
      return trap_error(err, WG_TRAP_MEMORY_OUT_OF_BOUNDS);
    if (d->len) memcpy(mem->base + off, d->bytes, d->len);
  }
  return WG_WASM_OK;
}

wg_wasm_code wg_instance_new(wg_store *s, const wg_module *mod,
                               const wg_extern *imports, size_t import_count,
                               wg_instance **out, wg_wasm_error *err) {
  *out = NULL;
  const vm_module *m = &mod->m;
  if (import_count != m->import_count || (import_count && !imports))
    return fail(err, WG_WASM_ARGS, "wrong number of imports");
  wg_trap t = vm_check_time(s);
  if (t) return trap_error(err, t);
  wg_instance *inst;
  wg_wasm_code r = alloc_instance(s, m, &inst, err);
  if (r) return r;
  if ((r = bind_imports(inst, imports, err))) return r;
  if ((r = create_defined(s, inst, err))) return r;
  if ((r = apply_segments(inst, err))) return r;
  if (m->has_start) {
    char msg[256] = "";
    t = vm_invoke(s, inst->funcs[m->start], NULL, NULL, msg);
    if (t) {
      r = trap_error(err, t);
      if (err && msg[0]) snprintf(err->message, sizeof err->message, "%s", msg);
      return r;
    }
  }
  *out = inst;
  return WG_WASM_OK;
}

bool wg_instance_export(const wg_instance *inst, const char *name,
                        size_t name_len, wg_extern *out) {
  const vm_module *m = inst->mod;
  for (uint32_t i = 0; i < m->export_count; i++) {
    const vm_export *e = &m->exports[i];
    if (e->name_len != name_len || memcmp(e->name, name, name_len) != 0)
      continue;
    out->kind = e->kind;
    switch (e->kind) {
      case WG_EXTERN_FUNC: out->of.func = inst->funcs[e->index]; break;
      case WG_EXTERN_TABLE: out->of.table = inst->tables[e->index]; break;
      case WG_EXTERN_MEMORY: out->of.memory = inst->mem0; break;
      case WG_EXTERN_GLOBAL: out->of.global = inst->globals[e->index]; break;
    }
    return true;
  }
  return false;
}
