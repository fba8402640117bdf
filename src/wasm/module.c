/* module.c: the module API (create, share, inspect) and wg_func_call.
 *
 * A module is decoded, validated and compiled once by wg_module_new; after
 * that it is immutable and only its atomic reference count changes, so it
 * can be shared freely between threads and stores. */
#include <stdlib.h>
#include <string.h>

#include "vm_module.h"

wg_wasm_result wg_module_new(const uint8_t *bytes, size_t len,
                             wg_module **out, wg_wasm_error *err) {
  *out = NULL;
  if (err) memset(err, 0, sizeof *err);
  if (!bytes && len) {
    vm_error(err, WG_WASM_ARGS, 0, "NULL bytes");
    return WG_WASM_ARGS;
  }
  wg_module *mod = calloc(1, sizeof *mod);
  if (!mod) {
    vm_error(err, WG_WASM_NOMEM, 0, "out of memory");
    return WG_WASM_NOMEM;
  }
  vm_module *m = &mod->m;
  atomic_init(&m->refs, 1);
  wg_arena_init(&m->arena, 0);
  wg_wasm_result r = vm_decode(m, bytes ? bytes : (const uint8_t *)"", len, err);
  if (r != WG_WASM_OK) {
    wg_arena_free(&m->arena);
    free(mod);
    return r;
  }
  *out = mod;
  return WG_WASM_OK;
}

void wg_module_retain(wg_module *m) {
  atomic_fetch_add_explicit(&m->m.refs, 1, memory_order_relaxed);
}

void wg_module_release(wg_module *m) {
  if (!m) return;
  if (atomic_fetch_sub_explicit(&m->m.refs, 1, memory_order_acq_rel) != 1)
    return;
  wg_arena_free(&m->m.arena);
  free(m);
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

static wg_wasm_result call_args_error(wg_wasm_error *err, const char *msg) {
  vm_error(err, WG_WASM_ARGS, 0, "%s", msg);
  return WG_WASM_ARGS;
}

wg_wasm_result wg_func_call(wg_store *s, wg_func *f, const wg_val *args,
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
  wg_wasm_result r = WG_WASM_OK;
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
    err->result = WG_WASM_TRAP;
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
