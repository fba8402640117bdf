/* module.c: the module API (create, share, inspect) and wg_func_call.
 *
 * A module is decoded, validated and compiled once by wg_module_new; after
 * that it is immutable and only its atomic reference count changes, so it
 * can be shared freely between threads and stores. */
#include <stdlib.h>
#include <string.h>

#include "vm_module.h"

/* ---- Build bounds --------------------------------------------------------- */

/* WG_WASM_COMPILE_MEMORY_FACTOR x len + WG_WASM_COMPILE_MEMORY_BASE, saturating. */
static size_t default_build_memory(size_t len) {
  size_t scaled;
  if (len > (SIZE_MAX - WG_WASM_COMPILE_MEMORY_BASE) / WG_WASM_COMPILE_MEMORY_FACTOR)
    return SIZE_MAX;
  scaled = len * WG_WASM_COMPILE_MEMORY_FACTOR;
  return scaled + WG_WASM_COMPILE_MEMORY_BASE;
}

static wg_wasm_code build_stopped(vm_module *m, size_t offset,
                                    wg_wasm_error *err) {
  vm_build *b = m->build;
  wg_trap t = WG_TRAP_NONE;
  if (b->cancel && atomic_load_explicit(b->cancel, memory_order_relaxed))
    t = WG_TRAP_CANCELLED;
  else if (b->deadline_ns && wg_now_ns() >= b->deadline_ns)
    t = WG_TRAP_DEADLINE;
  if (!t) return WG_WASM_OK;
  vm_error(err, WG_WASM_TRAP, offset, "compilation stopped: %s",
           wg_trap_message(t));
  if (err) err->trap = t;
  return WG_WASM_TRAP;
}

wg_wasm_code vm_build_tick(vm_module *m, uint32_t work, size_t offset,
                             wg_wasm_error *err) {
  vm_build *b = m->build;
  if (!b) return WG_WASM_OK;
  if (work < VM_BUILD_TICK - b->ticks) {
    b->ticks += work;
    return WG_WASM_OK;
  }
  b->ticks = 0;
  return build_stopped(m, offset, err);
}

bool vm_build_over(const vm_module *m, size_t more) {
  const vm_build *b = m->build;
  if (!b) return false;
  size_t used = m->arena.used_total + m->owned_code_bytes + b->scratch;
  return used > b->max_memory || more > b->max_memory - used;
}

wg_wasm_code vm_build_oom(const vm_module *m, size_t offset,
                            wg_wasm_error *err) {
  const vm_build *b = m->build;
  if (b && b->over) {
    vm_error(err, WG_WASM_LIMIT, offset,
             "compiling the module needs more than %zu bytes of memory",
             b->max_memory);
    return WG_WASM_LIMIT;
  }
  vm_error(err, WG_WASM_NOMEM, offset, "out of memory");
  return WG_WASM_NOMEM;
}

void *vm_alloc(vm_module *m, size_t bytes) {
  if (vm_build_over(m, bytes + 16)) {
    m->build->over = true;
    return NULL;
  }
  return wg_arena_alloc(&m->arena, bytes);
}

/* ---- Modules -------------------------------------------------------------- */

static void module_free(wg_module *mod) {
  vm_module *m = &mod->m;
  if (m->codes)
    for (uint32_t i = 0; i < m->func_count - m->import_func_count; i++)
      if (m->codes[i].owned) free(m->codes[i].code);
  wg_arena_free(&m->arena);
  free(mod);
}

wg_wasm_code wg_module_new_limited(const uint8_t *bytes, size_t len,
                                     const wg_module_limits *limits,
                                     wg_module **out, wg_wasm_error *err) {
  *out = NULL;
  if (err) memset(err, 0, sizeof *err);
  if (!bytes && len) {
    vm_error(err, WG_WASM_ARGS, 0, "NULL bytes");
    return WG_WASM_ARGS;
  }
  vm_build b = {0};
  b.max_memory = default_build_memory(len);
  if (limits) {
    b.deadline_ns = limits->deadline_ns;
    b.cancel = limits->cancel;
    if (limits->max_memory_bytes) b.max_memory = limits->max_memory_bytes;
  }
  wg_module *mod = calloc(1, sizeof *mod);
  if (!mod) {
    vm_error(err, WG_WASM_NOMEM, 0, "out of memory");
    return WG_WASM_NOMEM;
  }
  vm_module *m = &mod->m;
  atomic_init(&m->refs, 1);
  wg_arena_init(&m->arena, 0);
  m->build = &b;
  /* a deadline that has already passed stops the build before it starts */
  wg_wasm_code r = build_stopped(m, 0, err);
  if (r == WG_WASM_OK)
    r = vm_decode(m, bytes ? bytes : (const uint8_t *)"", len, err);
  vm_compile_done(m);
  m->build = NULL;
  if (r != WG_WASM_OK) {
    module_free(mod);
    return r;
  }
  *out = mod;
  return WG_WASM_OK;
}

wg_wasm_code wg_module_new(const uint8_t *bytes, size_t len,
                             wg_module **out, wg_wasm_error *err) {
  return wg_module_new_limited(bytes, len, NULL, out, err);
}

void wg_module_retain(wg_module *m) {
  atomic_fetch_add_explicit(&m->m.refs, 1, memory_order_relaxed);
}

void wg_module_release(wg_module *m) {
  if (!m) return;
  if (atomic_fetch_sub_explicit(&m->m.refs, 1, memory_order_acq_rel) != 1)
    return;
  module_free(m);
}

size_t wg_module_import_count(const wg_module *m) { return m->m.import_count; }

bool wg_module_import(const wg_module *mod, size_t i, wg_import_info *out) {
  const vm_module *m = &mod->m;
  if (i >= m->import_count) return false;
  const vm_import *im = &m->imports[i];
  memset(out, 0, sizeof *out);
  out->module = im->module;
  out->module_len = im->module_len;
  out->name = im->name;
  out->name_len = im->name_len;
  out->kind = im->kind;
  if (im->kind == WG_EXTERN_FUNC) out->functype = m->types[im->type_index];
  return true;
}

size_t wg_module_export_count(const wg_module *m) { return m->m.export_count; }

bool wg_module_export(const wg_module *mod, size_t i, wg_export_info *out) {
  const vm_module *m = &mod->m;
  if (i >= m->export_count) return false;
  const vm_export *e = &m->exports[i];
  memset(out, 0, sizeof *out);
  out->name = e->name;
  out->name_len = e->name_len;
  out->kind = e->kind;
  if (e->kind == WG_EXTERN_FUNC) out->functype = m->types[m->func_types[e->index]];
  return true;
}

/* ---- Calls ---------------------------------------------------------------- */

static wg_wasm_code call_args_error(wg_wasm_error *err, const char *msg) {
  vm_error(err, WG_WASM_ARGS, 0, "%s", msg);
  return WG_WASM_ARGS;
}

wg_wasm_code wg_func_call(wg_store *s, wg_func *f, const wg_val *args,
                            size_t arg_count, wg_val *results,
                            size_t result_count, wg_wasm_error *err) {
  wg_wasm_error local;
  if (!err) err = &local;
  memset(err, 0, sizeof *err);
  if (!s || !f) return call_args_error(err, "NULL store or function");
  const wg_functype *t = f->type;
  if (arg_count != t->param_count || result_count != t->result_count)
    return call_args_error(err, "wrong number of arguments or results");
  if ((arg_count && !args) || (result_count && !results))
    return call_args_error(err, "NULL arguments or results");
  size_t n = arg_count > result_count ? arg_count : result_count;
  uint64_t small[16];
  uint64_t *slots = n <= 16 ? small : calloc(n, sizeof *slots);
  if (!slots) return call_args_error(err, "out of memory");
  wg_wasm_code r = WG_WASM_OK;
  for (size_t i = 0; i < arg_count; i++) {
    if (args[i].type != t->params[i]) {
      r = call_args_error(err, "argument type mismatch");
      goto out;
    }
    switch (args[i].type) {
      case WG_I32: slots[i] = args[i].of.i32; break;
      case WG_F32: slots[i] = args[i].of.f32_bits; break;
      case WG_FUNCREF: slots[i] = (uint64_t)(uintptr_t)args[i].of.funcref; break;
      case WG_EXTERNREF: slots[i] = (uint64_t)(uintptr_t)args[i].of.externref; break;
      default: slots[i] = args[i].of.i64; break;
    }
  }
  wg_trap trap = vm_invoke(s, f, slots, slots, err->message);
  if (trap) {
    if (!err->message[0]) vm_error(err, WG_WASM_TRAP, 0, "%s", wg_trap_message(trap));
    err->code = WG_WASM_TRAP;
    err->trap = trap;
    r = WG_WASM_TRAP;
    goto out;
  }
  for (size_t i = 0; i < result_count; i++) {
    wg_val *v = &results[i];
    memset(v, 0, sizeof *v);
    v->type = t->results[i];
    switch (v->type) {
      case WG_I32: v->of.i32 = (uint32_t)slots[i]; break;
      case WG_F32: v->of.f32_bits = (uint32_t)slots[i]; break;
      case WG_FUNCREF: v->of.funcref = (wg_func *)(uintptr_t)slots[i]; break;
      case WG_EXTERNREF: v->of.externref = (void *)(uintptr_t)slots[i]; break;
      default: v->of.i64 = slots[i]; break;
    }
  }
out:
  if (slots != small) free(slots);
  return r;
}
