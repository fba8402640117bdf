/* spec_runner.c: runs the WebAssembly spec test suite (wast2json's JSON plus
 * NAME.N.wasm files, see README.md) against the wg_wasm engine.
 *
 * usage: spec_runner [-v] [--no-fork] [--fuel N] PATH...
 *   PATH is a NAME.json file or a directory (all its *.json, sorted).
 *   -v          print every failure as FILE:LINE: COMMAND: reason
 *   --no-fork   run every file in this process (default when one file is
 *               given; with several files each runs in a child process so a
 *               crash in one file is reported and the others still run)
 *   --fuel N    run every call (and instantiation) with a fuel budget of N,
 *               to check that metered execution gives the same results
 *
 * Prints one line per file and ends with `N passed, M failed, K skipped`.
 * Exit status: 0 only if nothing failed.
 *
 * Design: one wg_store per file holds the `spectest` host module and every
 * instance the file creates. Imports are resolved by hand, by name, against
 * `spectest` and the per-file registry (`register`); kinds and types are
 * deliberately left to wg_instance_new so the engine's import checks are
 * exercised. Values cross as raw bits; externref N is &sf->extern_refs[N].
 * A trap is also checked against the expected text where the text names a
 * trap kind (see expected_trap). Text-format assert_malformed cases do not
 * apply to a binary engine and are counted as skipped. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wasmgate/json.h"
#include "wasmgate/util.h"
#include "wasmgate/wasm.h"
#include "../../test_file.h"

/* Why these numbers: the largest spec module is a few hundred KiB and the
 * largest JSON about 2 MiB; the externref numbers used go up to 137. */
#define SPEC_MAX_FILE_BYTES (64u << 20)
#define SPEC_EXTERN_REFS 256
#define SPEC_MAX_VALUES 1024
/* A call that runs longer than this is an engine bug (hang), not a test. */
#define SPEC_CALL_DEADLINE_NS (20ull * 1000 * 1000 * 1000)

typedef struct spec_counts {
  uint64_t passed, failed, skipped;
} spec_counts;

typedef struct spec_name {
  char *name;
  size_t len;
  wg_instance *inst;
} spec_name;

typedef struct spec_export {
  const char *name;
  wg_extern ext;
} spec_export;

enum { SPECTEST_EXPORTS = 13 };

typedef struct spec_file {
  const char *path;   /* the JSON file */
  char *dir;          /* its directory, for module file names */
  bool verbose;
  uint64_t fuel;      /* per-call fuel budget, 0 = unlimited */
  wg_store *store;
  wg_instance *current;
  spec_name *names;   /* `(module $M ...)` */
  size_t name_count, name_cap;
  spec_name *registry; /* `(register "as" $M)` */
  size_t reg_count, reg_cap;
  wg_module **modules; /* released after the store is freed */
  size_t module_count, module_cap;
  spec_export spectest[SPECTEST_EXPORTS];
  char extern_refs[SPEC_EXTERN_REFS];
  spec_counts counts;
  const char *cmd_type;
  int64_t line;
} spec_file;

/* ---- Small helpers ------------------------------------------------------- */

static void fail(spec_file *sf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(spec_file *sf, const char *fmt, ...) {
  sf->counts.failed++;
  if (!sf->verbose) return;
  va_list ap;
  va_start(ap, fmt);
  printf("%s:%" PRId64 ": %s: ", sf->path, sf->line, sf->cmd_type);
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
}

static void pass(spec_file *sf) { sf->counts.passed++; }

static bool grow(void **items, size_t *cap, size_t count, size_t elem) {
  if (count < *cap) return true;
  size_t next = *cap ? *cap * 2 : 8;
  void *p = realloc(*items, next * elem);
  if (!p) return false;
  *items = p;
  *cap = next;
  return true;
}

static bool str_eq(const wg_json *v, const char *s) {
  return v && v->type == WG_JSON_STRING && v->u.string.len == strlen(s) &&
         memcmp(v->u.string.text, s, v->u.string.len) == 0;
}

/* Unsigned decimal (the JSON's encoding of every number value). */
static bool parse_u64(const char *s, size_t len, uint64_t *out) {
  if (len == 0 || len > 20) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

static bool parse_valtype(const wg_json *t, wg_valtype *out) {
  static const struct { const char *name; wg_valtype type; } types[] = {
    {"i32", WG_I32}, {"i64", WG_I64}, {"f32", WG_F32}, {"f64", WG_F64},
    {"externref", WG_EXTERNREF}, {"funcref", WG_FUNCREF},
  };
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    if (str_eq(t, types[i].name)) {
      *out = types[i].type;
      return true;
    }
  }
  return false;
}

/* ---- Values -------------------------------------------------------------- */

typedef enum spec_nan { NAN_NONE, NAN_CANONICAL, NAN_ARITHMETIC } spec_nan;

/* An expected value: a concrete value, or a NaN class, or "any non-null
 * reference" (a funcref with no value). */
typedef struct spec_value {
  wg_val val;
  spec_nan nan;
  bool any_ref;
} spec_value;

static bool parse_value(spec_file *sf, const wg_json *j, spec_value *out,
                        bool allow_pattern) {
  memset(out, 0, sizeof *out);
  if (!j || j->type != WG_JSON_OBJECT) return false;
  if (!parse_valtype(wg_json_get(j, "type"), &out->val.type)) return false;
  const wg_json *v = wg_json_get(j, "value");
  if (!v) {
    out->any_ref = true; /* only meaningful for references */
    return allow_pattern;
  }
  if (v->type != WG_JSON_STRING) return false;
  const char *s = v->u.string.text;
  size_t n = v->u.string.len;
  wg_valtype t = out->val.type;
  if (t == WG_FUNCREF || t == WG_EXTERNREF) {
    if (str_eq(v, "null")) return true; /* zeroed union = null */
    uint64_t k;
    if (t == WG_FUNCREF || !parse_u64(s, n, &k) || k >= SPEC_EXTERN_REFS)
      return false;
    out->val.of.externref = &sf->extern_refs[k];
    return true;
  }
  if ((t == WG_F32 || t == WG_F64) && allow_pattern) {
    if (str_eq(v, "nan:canonical")) {
      out->nan = NAN_CANONICAL;
      return true;
    }
    if (str_eq(v, "nan:arithmetic")) {
      out->nan = NAN_ARITHMETIC;
      return true;
    }
  }
  uint64_t bits;
  if (!parse_u64(s, n, &bits)) return false;
  bool is32 = t == WG_I32 || t == WG_F32;
  if (is32 && bits > UINT32_MAX) return false;
  if (t == WG_I32) out->val.of.i32 = (uint32_t)bits;
  else if (t == WG_F32) out->val.of.f32_bits = (uint32_t)bits;
  else if (t == WG_I64) out->val.of.i64 = bits;
  else out->val.of.f64_bits = bits;
  return true;
}

/* Formats a value for failure messages. */
static void format_val(spec_file *sf, const wg_val *v, char *buf, size_t size) {
  const char *tn = wg_valtype_name(v->type);
  if (!tn) tn = "?";
  switch (v->type) {
  case WG_I32: snprintf(buf, size, "i32:%" PRIu32, v->of.i32); break;
  case WG_F32: snprintf(buf, size, "f32:0x%08" PRIx32, v->of.f32_bits); break;
  case WG_I64: snprintf(buf, size, "i64:%" PRIu64, v->of.i64); break;
  case WG_F64: snprintf(buf, size, "f64:0x%016" PRIx64, v->of.f64_bits); break;
  case WG_EXTERNREF: {
    /* Integer compare: relational operators on unrelated pointers are UB. */
    uintptr_t p = (uintptr_t)v->of.externref;
    uintptr_t base = (uintptr_t)sf->extern_refs;
    if (!p) snprintf(buf, size, "externref:null");
    else if (p >= base && p - base < SPEC_EXTERN_REFS)
      snprintf(buf, size, "externref:%d", (int)(p - base));
    else snprintf(buf, size, "externref:%p", v->of.externref);
    break;
  }
  case WG_FUNCREF:
    snprintf(buf, size, "funcref:%s", v->of.funcref ? "non-null" : "null");
    break;
  default: snprintf(buf, size, "%s(type 0x%x)", tn, (unsigned)v->type); break;
  }
}

static bool value_matches(const spec_value *want, const wg_val *got) {
  if (got->type != want->val.type) return false;
  switch (want->val.type) {
  case WG_I32: return got->of.i32 == want->val.of.i32;
  case WG_I64: return got->of.i64 == want->val.of.i64;
  case WG_F32: {
    uint32_t b = got->of.f32_bits;
    if (want->nan == NAN_CANONICAL) return (b & 0x7fffffffu) == 0x7fc00000u;
    if (want->nan == NAN_ARITHMETIC) return (b & 0x7fc00000u) == 0x7fc00000u;
    return b == want->val.of.f32_bits;
  }
  case WG_F64: {
    uint64_t b = got->of.f64_bits;
    const uint64_t q = 0x7ff8000000000000ull;
    if (want->nan == NAN_CANONICAL) return (b & 0x7fffffffffffffffull) == q;
    if (want->nan == NAN_ARITHMETIC) return (b & q) == q;
    return b == want->val.of.f64_bits;
  }
  case WG_EXTERNREF:
    if (want->any_ref) return got->of.externref != NULL;
    return got->of.externref == want->val.of.externref;
  case WG_FUNCREF:
    if (want->any_ref) return got->of.funcref != NULL;
    return got->of.funcref == want->val.of.funcref;
  }
  return false;
}

/* ---- Traps --------------------------------------------------------------- */

/* True if trap t is what the reference interpreter's message `text`
 * describes. Texts that name no trap kind accept any trap except the
 * resource limits, which the suite never expects. */
static bool expected_trap(const wg_json *text, wg_trap t) {
  static const struct { const char *text; wg_trap trap, alt; } map[] = {
    {"unreachable", WG_TRAP_UNREACHABLE, WG_TRAP_NONE},
    {"integer divide by zero", WG_TRAP_INTEGER_DIVIDE_BY_ZERO, WG_TRAP_NONE},
    {"integer overflow", WG_TRAP_INTEGER_OVERFLOW, WG_TRAP_NONE},
    {"invalid conversion to integer", WG_TRAP_INVALID_CONVERSION, WG_TRAP_NONE},
    {"out of bounds memory access", WG_TRAP_MEMORY_OUT_OF_BOUNDS, WG_TRAP_NONE},
    {"out of bounds table access", WG_TRAP_TABLE_OUT_OF_BOUNDS, WG_TRAP_NONE},
    /* call_indirect past the table's end: either name is defensible. */
    {"undefined element", WG_TRAP_TABLE_OUT_OF_BOUNDS,
     WG_TRAP_UNINITIALIZED_ELEMENT},
    {"uninitialized element", WG_TRAP_UNINITIALIZED_ELEMENT, WG_TRAP_NONE},
    {"indirect call type mismatch", WG_TRAP_INDIRECT_CALL_TYPE_MISMATCH,
     WG_TRAP_NONE},
    {"call stack exhausted", WG_TRAP_CALL_STACK_EXHAUSTED, WG_TRAP_NONE},
  };
  if (t == WG_TRAP_NONE || t == WG_TRAP_FUEL_EXHAUSTED ||
      t == WG_TRAP_DEADLINE || t == WG_TRAP_CANCELLED)
    return false;
  const char *s = wg_json_str(text);
  if (!s) return true;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    if (strncmp(s, map[i].text, strlen(map[i].text)) == 0)
      return t == map[i].trap || (map[i].alt != WG_TRAP_NONE && t == map[i].alt);
  }
  return true;
}

static const char *trap_name(wg_trap t) {
  const char *n = wg_trap_name(t);
  return n ? n : "?";
}

static const char *result_name(wg_wasm_code r) {
  const char *n = wg_wasm_code_name(r);
  return n ? n : "?";
}

/* ---- The spectest host module -------------------------------------------- */

static wg_trap spectest_print(wg_caller *c, void *user, const wg_val *args,
                              wg_val *results) {
  (void)c, (void)user, (void)args, (void)results;
  return WG_TRAP_NONE;
}

static bool spectest_func(spec_file *sf, size_t *i, const char *name,
                          const wg_valtype *params, uint32_t n) {
  wg_functype ft = {.param_count = n, .params = params};
  wg_func *f = wg_func_new_host(sf->store, &ft, spectest_print, NULL);
  if (!f) return false;
  sf->spectest[(*i)++] = (spec_export){name, {WG_EXTERN_FUNC, {.func = f}}};
  return true;
}

static bool spectest_global(spec_file *sf, size_t *i, const char *name,
                            wg_val v) {
  wg_global *g = wg_global_new(sf->store, v.type, false, v);
  if (!g) return false;
  sf->spectest[(*i)++] =
      (spec_export){name, {WG_EXTERN_GLOBAL, {.global = g}}};
  return true;
}

/* Builds the exports README.md lists, with the reference values. */
static bool spectest_init(spec_file *sf) {
  static const wg_valtype i32[] = {WG_I32}, i64[] = {WG_I64}, f32[] = {WG_F32},
                          f64[] = {WG_F64}, i32_f32[] = {WG_I32, WG_F32},
                          f64_f64[] = {WG_F64, WG_F64};
  size_t i = 0;
  double d = 666.6;
  float f = 666.6f;
  wg_val gf32 = {.type = WG_F32}, gf64 = {.type = WG_F64};
  memcpy(&gf32.of.f32_bits, &f, 4);
  memcpy(&gf64.of.f64_bits, &d, 8);
  bool ok = spectest_func(sf, &i, "print", NULL, 0) &&
            spectest_func(sf, &i, "print_i32", i32, 1) &&
            spectest_func(sf, &i, "print_i64", i64, 1) &&
            spectest_func(sf, &i, "print_f32", f32, 1) &&
            spectest_func(sf, &i, "print_f64", f64, 1) &&
            spectest_func(sf, &i, "print_i32_f32", i32_f32, 2) &&
            spectest_func(sf, &i, "print_f64_f64", f64_f64, 2) &&
            spectest_global(sf, &i, "global_i32",
                            (wg_val){.type = WG_I32, .of.i32 = 666}) &&
            spectest_global(sf, &i, "global_i64",
                            (wg_val){.type = WG_I64, .of.i64 = 666}) &&
            spectest_global(sf, &i, "global_f32", gf32) &&
            spectest_global(sf, &i, "global_f64", gf64);
  if (!ok) return false;
  wg_table *t = wg_table_new(sf->store, WG_FUNCREF, 10, true, 20);
  wg_memory *m = wg_memory_new(sf->store, 1, true, 2);
  if (!t || !m) return false;
  sf->spectest[i++] = (spec_export){"table", {WG_EXTERN_TABLE, {.table = t}}};
  sf->spectest[i++] =
      (spec_export){"memory", {WG_EXTERN_MEMORY, {.memory = m}}};
  return i == SPECTEST_EXPORTS;
}

/* ---- Modules and instances ----------------------------------------------- */

static wg_instance *find_name(const spec_name *list, size_t count,
                              const char *name, size_t len) {
  for (size_t i = count; i-- > 0;) /* latest definition wins */
    if (list[i].len == len && memcmp(list[i].name, name, len) == 0)
      return list[i].inst;
  return NULL;
}

static bool add_name(spec_name **list, size_t *count, size_t *cap,
                     const char *name, size_t len, wg_instance *inst) {
  if (!grow((void **)list, cap, *count, sizeof **list)) return false;
  char *copy = malloc(len + 1);
  if (!copy) return false;
  memcpy(copy, name, len);
  copy[len] = '\0';
  (*list)[(*count)++] = (spec_name){copy, len, inst};
  return true;
}

/* Resolves one import by name; false if nothing of that name exists. */
static bool resolve_import(spec_file *sf, const wg_import_info *imp,
                           wg_extern *out) {
  if (imp->module_len == 8 && memcmp(imp->module, "spectest", 8) == 0) {
    for (size_t i = 0; i < SPECTEST_EXPORTS; i++) {
      const char *n = sf->spectest[i].name;
      if (strlen(n) == imp->name_len && memcmp(n, imp->name, imp->name_len) == 0) {
        *out = sf->spectest[i].ext;
        return true;
      }
    }
    return false;
  }
  wg_instance *inst = find_name(sf->registry, sf->reg_count, imp->module,
                                imp->module_len);
  return inst && wg_instance_export(inst, imp->name, imp->name_len, out);
}

/* Loads filename (relative to the JSON's directory) and decodes it. */
static wg_wasm_code load_module(spec_file *sf, const wg_json *cmd,
                                  wg_module **out, wg_wasm_error *err) {
  *out = NULL;
  memset(err, 0, sizeof *err);
  const char *fname = wg_json_str(wg_json_get(cmd, "filename"));
  if (!fname) {
    snprintf(err->message, sizeof err->message, "command has no filename");
    return WG_WASM_ARGS;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", sf->dir, fname);
  unsigned char *bytes;
  size_t len;
  if (!(bytes = (unsigned char *)wg_test_read_file(path, SPEC_MAX_FILE_BYTES, &len))) {
    snprintf(err->message, sizeof err->message, "cannot read %s", fname);
    return WG_WASM_ARGS;
  }
  wg_wasm_code r = wg_module_new(bytes, len, out, err);
  free(bytes);
  if (r == WG_WASM_OK && !grow((void **)&sf->modules, &sf->module_cap,
                               sf->module_count, sizeof *sf->modules)) {
    wg_module_release(*out);
    *out = NULL;
    return WG_WASM_NOMEM;
  }
  if (r == WG_WASM_OK) sf->modules[sf->module_count++] = *out;
  return r;
}

/* Resolves every import of m by name and instantiates it. */
static wg_wasm_code instantiate(spec_file *sf, const wg_module *m,
                                  wg_instance **out, wg_wasm_error *err) {
  *out = NULL;
  memset(err, 0, sizeof *err);
  size_t n = wg_module_import_count(m);
  wg_extern *imports = calloc(n ? n : 1, sizeof *imports);
  if (!imports) return WG_WASM_NOMEM;
  for (size_t i = 0; i < n; i++) {
    wg_import_info imp;
    if (!wg_module_import(m, i, &imp) || !resolve_import(sf, &imp, &imports[i])) {
      snprintf(err->message, sizeof err->message,
               "unknown import %zu (runner)", i);
      free(imports);
      err->code = WG_WASM_LINK;
      return WG_WASM_LINK;
    }
  }
  if (sf->fuel) wg_store_set_fuel(sf->store, sf->fuel); /* start function */
  wg_wasm_code r = wg_instance_new(sf->store, m, imports, n, out, err);
  free(imports);
  return r;
}

/* ---- Actions ------------------------------------------------------------- */

typedef struct spec_outcome {
  wg_wasm_code result;
  wg_wasm_error err;
  wg_val results[SPEC_MAX_VALUES];
  size_t result_count;
  char setup_error[160]; /* non-empty: the action could not even start */
} spec_outcome;

static wg_instance *action_instance(spec_file *sf, const wg_json *action) {
  const wg_json *mod = wg_json_get(action, "module");
  if (!mod) return sf->current;
  if (mod->type != WG_JSON_STRING) return NULL;
  return find_name(sf->names, sf->name_count, mod->u.string.text,
                   mod->u.string.len);
}

static void do_get(spec_file *sf, const wg_extern *ext, spec_outcome *o) {
  (void)sf;
  if (ext->kind != WG_EXTERN_GLOBAL) {
    snprintf(o->setup_error, sizeof o->setup_error, "export is not a global");
    return;
  }
  o->results[0] = wg_global_get(ext->of.global);
  o->result_count = 1;
  o->result = WG_WASM_OK;
}

static void do_invoke(spec_file *sf, const wg_json *action,
                      const wg_extern *ext, spec_outcome *o) {
  if (ext->kind != WG_EXTERN_FUNC) {
    snprintf(o->setup_error, sizeof o->setup_error, "export is not a function");
    return;
  }
  const wg_functype *ft = wg_func_type(ext->of.func);
  const wg_json *args = wg_json_get(action, "args");
  size_t argc = args && args->type == WG_JSON_ARRAY ? args->u.array.count : 0;
  if (!ft || argc != ft->param_count || argc > SPEC_MAX_VALUES ||
      ft->result_count > SPEC_MAX_VALUES) {
    snprintf(o->setup_error, sizeof o->setup_error,
             "argument count %zu does not match the function type", argc);
    return;
  }
  wg_val argv[SPEC_MAX_VALUES];
  for (size_t i = 0; i < argc; i++) {
    spec_value v;
    if (!parse_value(sf, wg_json_at(args, i), &v, false) ||
        v.val.type != ft->params[i]) {
      snprintf(o->setup_error, sizeof o->setup_error, "bad argument %zu", i);
      return;
    }
    argv[i] = v.val;
  }
  wg_store_set_deadline(sf->store, wg_now_ns() + SPEC_CALL_DEADLINE_NS);
  if (sf->fuel) wg_store_set_fuel(sf->store, sf->fuel);
  o->result = wg_func_call(sf->store, ext->of.func, argv, argc, o->results,
                           ft->result_count, &o->err);
  o->result_count = ft->result_count;
}

/* Performs an invoke or get action; the outcome says what happened. */
static void do_action(spec_file *sf, const wg_json *action, spec_outcome *o) {
  memset(&o->err, 0, sizeof o->err);
  o->result = WG_WASM_ARGS;
  o->result_count = 0;
  o->setup_error[0] = '\0';
  wg_instance *inst = action_instance(sf, action);
  const wg_json *field = wg_json_get(action, "field");
  if (!inst || !field || field->type != WG_JSON_STRING) {
    snprintf(o->setup_error, sizeof o->setup_error,
             inst ? "action has no field" : "no such module instance");
    return;
  }
  wg_extern ext;
  if (!wg_instance_export(inst, field->u.string.text, field->u.string.len,
                          &ext)) {
    snprintf(o->setup_error, sizeof o->setup_error, "no export \"%.60s\"",
             field->u.string.text);
    return;
  }
  const wg_json *type = wg_json_get(action, "type");
  if (str_eq(type, "invoke")) do_invoke(sf, action, &ext, o);
  else if (str_eq(type, "get")) do_get(sf, &ext, o);
  else snprintf(o->setup_error, sizeof o->setup_error, "unknown action type");
}

/* Reports an outcome that is not the expected one; true if it is. */
static bool outcome_ok(spec_file *sf, const spec_outcome *o, bool want_trap,
                       const wg_json *text) {
  if (o->setup_error[0]) {
    fail(sf, "%s", o->setup_error);
    return false;
  }
  if (o->result == WG_WASM_OK && !want_trap) return true;
  if (o->result == WG_WASM_OK) {
    fail(sf, "returned normally, expected trap \"%s\"",
         wg_json_str(text) ? wg_json_str(text) : "?");
    return false;
  }
  if (o->result != WG_WASM_TRAP) {
    fail(sf, "call failed: %s: %s", result_name(o->result), o->err.message);
    return false;
  }
  if (!want_trap) {
    fail(sf, "trap: %s: %s", trap_name(o->err.trap), o->err.message);
    return false;
  }
  if (!expected_trap(text, o->err.trap)) {
    fail(sf, "wrong trap %s (%s), expected \"%s\"", trap_name(o->err.trap),
         o->err.message, wg_json_str(text) ? wg_json_str(text) : "?");
    return false;
  }
  return true;
}

/* ---- Commands ------------------------------------------------------------ */

static void cmd_module(spec_file *sf, const wg_json *cmd) {
  sf->current = NULL; /* later commands must not hit an older module */
  wg_module *m;
  wg_wasm_error err;
  wg_wasm_code r = load_module(sf, cmd, &m, &err);
  if (r != WG_WASM_OK) {
    fail(sf, "load failed: %s at %zu: %s", result_name(r), err.offset,
         err.message);
    return;
  }
  wg_instance *inst;
  r = instantiate(sf, m, &inst, &err);
  if (r != WG_WASM_OK) {
    bool trapped = r == WG_WASM_TRAP;
    fail(sf, "instantiate failed: %s%s%s: %s", result_name(r),
         trapped ? " " : "", trapped ? trap_name(err.trap) : "", err.message);
    return;
  }
  sf->current = inst;
  const wg_json *name = wg_json_get(cmd, "name");
  if (name && name->type == WG_JSON_STRING &&
      !add_name(&sf->names, &sf->name_count, &sf->name_cap, name->u.string.text,
                name->u.string.len, inst)) {
    fail(sf, "out of memory");
    return;
  }
  pass(sf);
}

static void cmd_register(spec_file *sf, const wg_json *cmd) {
  const wg_json *as = wg_json_get(cmd, "as");
  const wg_json *name = wg_json_get(cmd, "name");
  wg_instance *inst = sf->current;
  if (name && name->type == WG_JSON_STRING)
    inst = find_name(sf->names, sf->name_count, name->u.string.text,
                     name->u.string.len);
  if (!inst || !as || as->type != WG_JSON_STRING) {
    fail(sf, "nothing to register");
    return;
  }
  if (!add_name(&sf->registry, &sf->reg_count, &sf->reg_cap, as->u.string.text,
                as->u.string.len, inst))
    fail(sf, "out of memory");
  /* A successful register is not a test of its own (as spectest-interp). */
}

static void cmd_action(spec_file *sf, const wg_json *cmd, spec_outcome *o) {
  do_action(sf, wg_json_get(cmd, "action"), o);
  if (outcome_ok(sf, o, false, NULL)) pass(sf);
}

static void cmd_assert_return(spec_file *sf, const wg_json *cmd,
                              spec_outcome *o) {
  do_action(sf, wg_json_get(cmd, "action"), o);
  if (!outcome_ok(sf, o, false, NULL)) return;
  const wg_json *exp = wg_json_get(cmd, "expected");
  size_t n = exp && exp->type == WG_JSON_ARRAY ? exp->u.array.count : 0;
  if (n != o->result_count) {
    fail(sf, "got %zu results, expected %zu", o->result_count, n);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    spec_value want;
    if (!parse_value(sf, wg_json_at(exp, i), &want, true)) {
      fail(sf, "cannot parse expected value %zu", i);
      return;
    }
    if (!value_matches(&want, &o->results[i])) {
      char got[96], wanted[96];
      format_val(sf, &o->results[i], got, sizeof got);
      if (want.nan != NAN_NONE)
        snprintf(wanted, sizeof wanted, "%s:nan:%s",
                 want.val.type == WG_F32 ? "f32" : "f64",
                 want.nan == NAN_CANONICAL ? "canonical" : "arithmetic");
      else format_val(sf, &want.val, wanted, sizeof wanted);
      fail(sf, "result %zu: got %s, expected %s", i, got, wanted);
      return;
    }
  }
  pass(sf);
}

static void cmd_assert_trap(spec_file *sf, const wg_json *cmd, spec_outcome *o,
                            bool exhaustion) {
  const wg_json *text = wg_json_get(cmd, "text");
  do_action(sf, wg_json_get(cmd, "action"), o);
  if (!outcome_ok(sf, o, true, text)) return;
  if (exhaustion && o->err.trap != WG_TRAP_CALL_STACK_EXHAUSTED) {
    fail(sf, "trap %s, expected call_stack_exhausted", trap_name(o->err.trap));
    return;
  }
  pass(sf);
}

/* assert_invalid / assert_malformed (binary): decoding must give `want`. */
static void cmd_assert_decode(spec_file *sf, const wg_json *cmd,
                              wg_wasm_code want) {
  if (str_eq(wg_json_get(cmd, "module_type"), "text")) {
    sf->counts.skipped++; /* text-format case: not applicable to binaries */
    return;
  }
  wg_module *m;
  wg_wasm_error err;
  wg_wasm_code r = load_module(sf, cmd, &m, &err);
  if (r == want) {
    pass(sf);
    return;
  }
  const char *text = wg_json_str(wg_json_get(cmd, "text"));
  fail(sf, "got %s (%s), expected %s \"%s\"", result_name(r), err.message,
       result_name(want), text ? text : "?");
}

/* assert_unlinkable (want LINK) / assert_uninstantiable (want TRAP). */
static void cmd_assert_instantiate(spec_file *sf, const wg_json *cmd,
                                   wg_wasm_code want) {
  wg_module *m;
  wg_wasm_error err;
  wg_wasm_code r = load_module(sf, cmd, &m, &err);
  if (r != WG_WASM_OK) {
    fail(sf, "load failed: %s: %s", result_name(r), err.message);
    return;
  }
  wg_instance *inst;
  r = instantiate(sf, m, &inst, &err);
  if (r != want) {
    fail(sf, "got %s (%s), expected %s", result_name(r), err.message,
         result_name(want));
    return;
  }
  if (want == WG_WASM_TRAP && !expected_trap(wg_json_get(cmd, "text"), err.trap)) {
    fail(sf, "wrong trap %s (%s)", trap_name(err.trap), err.message);
    return;
  }
  pass(sf);
}

static void run_command(spec_file *sf, const wg_json *cmd, spec_outcome *o) {
  const wg_json *type = wg_json_get(cmd, "type");
  int64_t line = 0;
  wg_json_to_int64(wg_json_get(cmd, "line"), &line);
  sf->line = line;
  sf->cmd_type = wg_json_str(type) ? wg_json_str(type) : "?";
  if (str_eq(type, "module")) cmd_module(sf, cmd);
  else if (str_eq(type, "register")) cmd_register(sf, cmd);
  else if (str_eq(type, "action")) cmd_action(sf, cmd, o);
  else if (str_eq(type, "assert_return")) cmd_assert_return(sf, cmd, o);
  else if (str_eq(type, "assert_trap")) cmd_assert_trap(sf, cmd, o, false);
  else if (str_eq(type, "assert_exhaustion")) cmd_assert_trap(sf, cmd, o, true);
  else if (str_eq(type, "assert_invalid"))
    cmd_assert_decode(sf, cmd, WG_WASM_INVALID);
  else if (str_eq(type, "assert_malformed"))
    cmd_assert_decode(sf, cmd, WG_WASM_MALFORMED);
  else if (str_eq(type, "assert_unlinkable"))
    cmd_assert_instantiate(sf, cmd, WG_WASM_LINK);
  else if (str_eq(type, "assert_uninstantiable"))
    cmd_assert_instantiate(sf, cmd, WG_WASM_TRAP);
  else fail(sf, "unknown command type");
}

/* ---- Files --------------------------------------------------------------- */

static void spec_file_free(spec_file *sf) {
  wg_store_free(sf->store);
  for (size_t i = 0; i < sf->module_count; i++) wg_module_release(sf->modules[i]);
  for (size_t i = 0; i < sf->name_count; i++) free(sf->names[i].name);
  for (size_t i = 0; i < sf->reg_count; i++) free(sf->registry[i].name);
  free(sf->modules);
  free(sf->names);
  free(sf->registry);
  free(sf->dir);
}

/* Runs every command of one JSON file. */
/* Command-line options that apply to every file. */
typedef struct spec_options {
  bool verbose;
  uint64_t fuel; /* 0: unlimited; else each call starts with this budget */
} spec_options;

static spec_counts run_file(const char *path, const spec_options *opt) {
  spec_file *sf = calloc(1, sizeof *sf);
  spec_outcome *o = malloc(sizeof *o);
  spec_counts c = {0, 1, 0};
  if (!sf || !o) goto out;
  sf->path = path;
  sf->verbose = opt->verbose;
  sf->cmd_type = "file";
  const char *slash = strrchr(path, '/');
  size_t dlen = slash ? (size_t)(slash - path) : 1;
  sf->dir = malloc(dlen + 1);
  if (!sf->dir) goto out;
  memcpy(sf->dir, slash ? path : ".", dlen);
  sf->dir[dlen] = '\0';

  unsigned char *text;
  size_t len;
  if (!(text = (unsigned char *)wg_test_read_file(path, SPEC_MAX_FILE_BYTES, &len))) {
    fail(sf, "cannot read the file");
    goto done;
  }
  wg_json_error jerr;
  wg_json_doc *doc = wg_json_parse((const char *)text, len, NULL, &jerr);
  free(text);
  const wg_json *cmds = doc ? wg_json_get(wg_json_root(doc), "commands") : NULL;
  if (!cmds || cmds->type != WG_JSON_ARRAY) {
    fail(sf, "not spec-test JSON (%s at %zu: %s)",
         doc ? "no commands" : wg_json_code_name(jerr.code),
         doc ? 0 : jerr.offset, doc ? "" : jerr.message);
    wg_json_free(doc);
    goto done;
  }
  wg_limits limits = {.fuel = opt->fuel};
  sf->fuel = opt->fuel;
  sf->store = wg_store_new(&limits);
  if (!sf->store || !spectest_init(sf)) {
    fail(sf, "cannot create the store and the spectest module");
    wg_json_free(doc);
    goto done;
  }
  for (size_t i = 0; i < cmds->u.array.count; i++)
    run_command(sf, wg_json_at(cmds, i), o);
  wg_json_free(doc);
done:
  c = sf->counts;
out:
  if (sf) spec_file_free(sf);
  free(sf);
  free(o);
  return c;
}

static void print_counts(const char *label, spec_counts c) {
  printf("%s%s%" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64 " skipped\n",
         label ? label : "", label ? ": " : "", c.passed, c.failed, c.skipped);
}

/* Runs one file in a child process; a crash counts as one failure. */
static spec_counts run_file_forked(const char *path, const spec_options *opt) {
  spec_counts c = {0, 1, 0};
  int fds[2];
  fflush(stdout);
  if (pipe(fds) != 0) return c;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return c;
  }
  if (pid == 0) {
    close(fds[0]);
    spec_counts got = run_file(path, opt);
    fflush(stdout);
    ssize_t w = write(fds[1], &got, sizeof got);
    _exit(w == (ssize_t)sizeof got ? 0 : 1);
  }
  close(fds[1]);
  spec_counts got;
  ssize_t r = read(fds[0], &got, sizeof got);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (r == (ssize_t)sizeof got && WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return got;
  printf("%s: CRASHED (%s %d)\n", path,
         WIFSIGNALED(status) ? "signal" : "exit status",
         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
  if (r == (ssize_t)sizeof got) got.failed++;
  else got = c;
  return got;
}

static int json_filter(const struct dirent *d) {
  size_t n = strlen(d->d_name);
  return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

typedef struct path_list {
  char **items;
  size_t count, cap;
} path_list;

static bool add_path(path_list *l, const char *dir, const char *name) {
  if (!grow((void **)&l->items, &l->cap, l->count, sizeof *l->items))
    return false;
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (!p) return false;
  snprintf(p, n, "%s%s%s", dir, *dir ? "/" : "", name);
  l->items[l->count++] = p;
  return true;
}

/* Expands a directory argument into its sorted *.json files. */
static bool collect(path_list *l, const char *arg) {
  struct dirent **ents;
  int n = scandir(arg, &ents, json_filter, alphasort);
  if (n < 0) return errno == ENOTDIR ? add_path(l, "", arg) : false;
  bool ok = true;
  for (int i = 0; i < n; i++) {
    if (ok) ok = add_path(l, arg, ents[i]->d_name);
    free(ents[i]);
  }
  free(ents);
  return ok;
}

static const char usage[] =
    "usage: spec_runner [-v] [--no-fork] [--fuel N] FILE.json|DIR...\n";

int main(int argc, char **argv) {
  spec_options opt = {false, 0};
  bool no_fork = false;
  path_list paths = {0};
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0) opt.verbose = true;
    else if (strcmp(argv[i], "--no-fork") == 0) no_fork = true;
    else if (strcmp(argv[i], "--fuel") == 0 && i + 1 < argc)
      opt.fuel = strtoull(argv[++i], NULL, 10);
    else if (argv[i][0] == '-') {
      fputs(usage, stderr);
      status = 2;
      goto out;
    } else if (!collect(&paths, argv[i])) {
      fprintf(stderr, "spec_runner: cannot read %s\n", argv[i]);
      status = 2;
      goto out;
    }
  }
  if (paths.count == 0) {
    fputs(usage, stderr);
    status = 2;
    goto out;
  }
  bool forked = paths.count > 1 && !no_fork;
  spec_counts total = {0, 0, 0};
  for (size_t i = 0; i < paths.count; i++) {
    spec_counts c = forked ? run_file_forked(paths.items[i], &opt)
                           : run_file(paths.items[i], &opt);
    const char *base = strrchr(paths.items[i], '/');
    print_counts(base ? base + 1 : paths.items[i], c);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  print_counts(NULL, total);
  status = total.failed ? 1 : 0;
out:
  for (size_t i = 0; i < paths.count; i++) free(paths.items[i]);
  free(paths.items);
  return status;
}
