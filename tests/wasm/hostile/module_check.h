/* module_check.h: what must hold for any bytes given to the engine, shared
 * by the seeded mutation run (test_mutation.c) and the libFuzzer entry
 * (fuzz/fuzz_wasm.c).
 *
 * mc_check_module decodes the bytes; when they decode, it instantiates the
 * module in a fresh store through a wg_linker (stub host functions and
 * spectest-like memory/table/global defined for its imports) under tight
 * limits (fuel, deadline, 256 pages, call depth), and calls every exported
 * function with zero arguments of its parameter types. Checked: the result
 * code is a decoding outcome (OK, MALFORMED, UNSUPPORTED, INVALID, LIMIT); a
 * failure leaves no module, err.code matches, the offset lies inside the
 * input and the message is terminated; decoding is deterministic (decoded
 * twice when asked); a call's outcome is OK (with results of the declared
 * types) or a typed trap. Each violation goes to the run's fail callback. */
#ifndef WG_TESTS_MODULE_CHECK_H
#define WG_TESTS_MODULE_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/util.h"
#include "wasmgate/wasm.h"

#define MC_FUEL 100000              /* per call */
#define MC_DEADLINE_NS 1000000000ull /* per call: a hang guard only */
#define MC_MAX_PAGES 256
#define MC_MAX_TABLE 100000
#define MC_MAX_DEPTH 1000

typedef struct mc_stats {
  uint64_t decoded[WG_WASM_ARGS + 1];
  uint64_t instantiated[WG_WASM_ARGS + 1];
  uint64_t calls_ok, calls_trapped, calls_other;
  uint64_t traps[WG_TRAP_HOST_ERROR + 1];
  uint64_t passed, failed;
} mc_stats;

typedef struct mc_run mc_run;
struct mc_run {
  mc_stats st;
  uint64_t iteration;
  /* told of each violation (st.failed already counts it) */
  void (*fail)(mc_run *r, const char *what, const wg_wasm_error *err);
  void *user;
};

static void failure(mc_run *r, const char *what, const wg_wasm_error *err) {
  r->st.failed++;
  r->fail(r, what, err);
}

static bool mc_result_in_range(wg_wasm_code res) {
  return (unsigned)res <= (unsigned)WG_WASM_ARGS;
}

static wg_trap stub_host(wg_caller *c, void *user, const wg_val *args,
                         wg_val *results) {
  (void)c, (void)args;
  const wg_functype *ft = user;
  for (uint32_t i = 0; i < ft->result_count; i++) {
    memset(&results[i], 0, sizeof results[i]);
    results[i].type = ft->results[i];
  }
  return WG_TRAP_NONE;
}

/* Defines a stand-in for each import on the linker. Non-function imports
 * only give their kind, so they get spectest-like objects and may well fail
 * to link. A repeated (module, name) pair keeps its first definition. */
static bool define_imports(wg_store *s, wg_linker *l, const wg_module *m,
                           wg_functype *types) {
  for (size_t i = 0; i < wg_module_import_count(m); i++) {
    wg_import_info imp;
    if (!wg_module_import(m, i, &imp)) return false;
    wg_extern ext = {.kind = imp.kind};
    switch (imp.kind) {
    case WG_EXTERN_FUNC:
      types[i] = imp.functype;
      wg_linker_define_host_func(l, imp.module, imp.module_len, imp.name,
                                 imp.name_len, &types[i], stub_host, &types[i]);
      continue;
    case WG_EXTERN_TABLE:
      ext.of.table = wg_table_new(s, WG_FUNCREF, 10, true, 20);
      break;
    case WG_EXTERN_MEMORY:
      ext.of.memory = wg_memory_new(s, 1, true, 2);
      break;
    case WG_EXTERN_GLOBAL:
      ext.of.global = wg_global_new(
          s, WG_I32, false, (wg_val){.type = WG_I32, .of.i32 = 666});
      break;
    }
    if (!ext.of.table) return false; /* any member: they share storage */
    wg_linker_define_extern(l, imp.module, imp.module_len, imp.name,
                            imp.name_len, ext);
  }
  return true;
}

static void call_export(mc_run *r, wg_store *s, wg_func *f) {
  const wg_functype *ft = wg_func_type(f);
  wg_val args[64], results[64];
  if (!ft || ft->param_count > 64 || ft->result_count > 64) return;
  for (uint32_t i = 0; i < ft->param_count; i++) {
    memset(&args[i], 0, sizeof args[i]);
    args[i].type = ft->params[i];
  }
  wg_store_set_fuel(s, MC_FUEL);
  wg_store_set_deadline(s, wg_now_ns() + MC_DEADLINE_NS);
  wg_wasm_error err = {0};
  wg_wasm_code res = wg_func_call(s, f, args, ft->param_count, results,
                                    ft->result_count, &err);
  if (res == WG_WASM_OK) {
    r->st.calls_ok++;
    for (uint32_t i = 0; i < ft->result_count; i++)
      if (results[i].type != ft->results[i])
        failure(r, "result of the wrong type", &err);
  } else if (res == WG_WASM_TRAP && err.trap > WG_TRAP_NONE &&
             err.trap <= WG_TRAP_HOST_ERROR) {
    r->st.calls_trapped++;
    r->st.traps[err.trap]++;
  } else {
    r->st.calls_other++;
    failure(r, "call neither returned nor trapped with a typed trap", &err);
  }
}

static void run_instance(mc_run *r, const wg_module *m) {
  wg_limits lim = {.fuel = MC_FUEL,
                   .deadline_ns = wg_now_ns() + MC_DEADLINE_NS,
                   .max_memory_pages = MC_MAX_PAGES,
                   .max_table_elements = MC_MAX_TABLE,
                   .max_call_depth = MC_MAX_DEPTH};
  size_t n = wg_module_import_count(m);
  wg_store *s = wg_store_new(&lim);
  wg_linker *l = wg_linker_new();
  wg_functype *types = calloc(n + 1, sizeof *types);
  wg_instance *inst = NULL;
  wg_wasm_error err = {0};
  if (!s || !l || !types || !define_imports(s, l, m, types)) {
    failure(r, "cannot set up a store and imports", NULL);
    goto out;
  }
  wg_wasm_code res = wg_linker_instantiate(l, s, m, &inst, &err);
  if (!mc_result_in_range(res)) {
    failure(r, "instantiation result out of range", &err);
    goto out;
  }
  r->st.instantiated[res]++;
  if (res != WG_WASM_OK) goto out;
  for (size_t i = 0; i < wg_module_export_count(m); i++) {
    wg_export_info ex;
    wg_extern ext;
    if (!wg_module_export(m, i, &ex) || ex.kind != WG_EXTERN_FUNC) continue;
    if (!wg_instance_export(inst, ex.name, ex.name_len, &ext) ||
        ext.kind != WG_EXTERN_FUNC) {
      failure(r, "declared function export not found on the instance", NULL);
      continue;
    }
    call_export(r, s, ext.of.func);
  }
out:
  wg_store_free(s);
  wg_linker_free(l);
  free(types);
}

static bool decode_ok(mc_run *r, wg_wasm_code res, const wg_module *m,
                      const wg_wasm_error *err, size_t len) {
  /* LIMIT: an implementation limit (say 4 billion locals) is neither
   * malformed nor invalid; the engine reports it as a limit. */
  if (res != WG_WASM_OK && res != WG_WASM_MALFORMED && res != WG_WASM_INVALID &&
      res != WG_WASM_UNSUPPORTED && res != WG_WASM_LIMIT) {
    failure(r, "decoding gave a result other than "
               "ok/malformed/invalid/unsupported/limit", err);
    return false;
  }
  if (res == WG_WASM_OK) {
    if (!m) failure(r, "OK without a module", err);
    return m != NULL;
  }
  if (m) failure(r, "failure left a module", err);
  else if (err->code != res) failure(r, "err.code differs", err);
  else if (err->offset > len) failure(r, "error offset past the input", err);
  else if (!memchr(err->message, '\0', sizeof err->message))
    failure(r, "message not terminated", err);
  else return true;
  return false;
}

/* Decodes bytes, checks the outcome and, when it decodes, runs it; every
 * `twice_every`th call (0: never) decodes it twice. */
static void mc_check_module(mc_run *r, const unsigned char *bytes, size_t len,
                            uint64_t twice_every) {
  wg_module *m = NULL;
  wg_wasm_error err;
  memset(&err, 0, sizeof err);
  wg_wasm_code res = wg_module_new(bytes, len, &m, &err);
  uint64_t failed_before = r->st.failed;
  if (mc_result_in_range(res)) r->st.decoded[res]++;
  if (!decode_ok(r, res, m, &err, len)) goto out;
  if (twice_every && r->iteration % twice_every == 0) {
    wg_module *m2 = NULL;
    wg_wasm_error err2 = {0};
    wg_wasm_code res2 = wg_module_new(bytes, len, &m2, &err2);
    if (res2 != res || (res != WG_WASM_OK && err2.offset != err.offset))
      failure(r, "decoding the same bytes twice differs", &err2);
    wg_module_release(m2);
  }
  if (res == WG_WASM_OK) run_instance(r, m);
out:
  wg_module_release(m);
  if (r->st.failed == failed_before) r->st.passed++;
}

#endif
