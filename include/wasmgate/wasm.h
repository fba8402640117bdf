/* wasm.h: wasmgate's WebAssembly engine: decode + validate + compile a
 * module once, instantiate it cheaply many times, call functions under hard
 * limits (fuel, deadline, cancellation, memory, table, call depth, stack).
 *
 * The engine knows nothing of plugins. Feature set: WebAssembly 1.0 plus
 * sign-extension, non-trapping float-to-int, multi-value, mutable globals,
 * bulk memory and reference types. Everything else is rejected when the
 * module is decoded.
 *
 * Ownership: a wg_module is immutable and reference-counted; it may be shared
 * by any number of threads and stores. Everything created at run time
 * (instances, memories, tables, globals, functions) belongs to one wg_store
 * and is freed with it. A store is used by one thread at a time; the only
 * thing another thread may touch is the cancellation flag named in the
 * store's limits. */
#ifndef WASMGATE_WASM_H
#define WASMGATE_WASM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/limits.h"

/* Value types use their binary encodings. */
typedef enum wg_valtype {
  WG_I32 = 0x7f,
  WG_I64 = 0x7e,
  WG_F32 = 0x7d,
  WG_F64 = 0x7c,
  WG_FUNCREF = 0x70,
  WG_EXTERNREF = 0x6f,
} wg_valtype;

const char *wg_valtype_name(wg_valtype t); /* "i32", ..., "externref" */

typedef struct wg_func wg_func;
typedef struct wg_table wg_table;
typedef struct wg_memory wg_memory;
typedef struct wg_global wg_global;

/* A value. Floats are carried as raw bits so NaN payloads survive. A funcref
 * is a wg_func* (NULL = null); an externref is any host pointer (NULL =
 * null) that the engine never dereferences. */
typedef struct wg_val {
  wg_valtype type;
  union {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    wg_func *funcref;
    void *externref;
  } of;
} wg_val;

typedef struct wg_functype {
  uint32_t param_count;
  uint32_t result_count;
  const wg_valtype *params;
  const wg_valtype *results;
} wg_functype;

/* Outcome of an engine operation. */
typedef enum wg_wasm_code {
  WG_WASM_OK = 0,
  WG_WASM_MALFORMED,   /* bytes are not a well-formed binary module */
  WG_WASM_UNSUPPORTED, /* well-formed use of a feature we do not implement
                          (SIMD, threads, exceptions, tail calls, GC,
                          memory64, multi-memory) */
  WG_WASM_INVALID,     /* decodes, but fails validation */
  WG_WASM_LINK,        /* an import is missing or has the wrong type */
  WG_WASM_LIMIT,       /* over an implementation or store limit: one of
                          the engine's per-module caps (docs/engine.md,
                          "Limits": locals, params, nesting, br_table size,
                          counts of types, functions, tables, ...), the
                          compile memory budget, or an instance whose
                          initial memories and tables exceed the store's
                          limits */
  WG_WASM_TRAP,        /* execution trapped (also in a start function or
                          while applying segments); see wg_wasm_error.trap.
                          A compile cut short by its deadline or
                          cancellation flag is reported the same way
                          (trap deadline / cancelled) */
  WG_WASM_NOMEM,       /* host allocation failed */
  WG_WASM_ARGS,        /* API misuse: wrong argument count or types */
} wg_wasm_code;

const char *wg_wasm_code_name(wg_wasm_code r); /* "malformed", ... */

typedef enum wg_trap {
  WG_TRAP_NONE = 0,
  WG_TRAP_UNREACHABLE,
  WG_TRAP_MEMORY_OUT_OF_BOUNDS,
  WG_TRAP_TABLE_OUT_OF_BOUNDS,
  WG_TRAP_INDIRECT_CALL_TYPE_MISMATCH,
  WG_TRAP_UNINITIALIZED_ELEMENT,
  WG_TRAP_INTEGER_DIVIDE_BY_ZERO,
  WG_TRAP_INTEGER_OVERFLOW,
  WG_TRAP_INVALID_CONVERSION,
  WG_TRAP_CALL_STACK_EXHAUSTED,
  WG_TRAP_FUEL_EXHAUSTED,
  WG_TRAP_DEADLINE,
  WG_TRAP_CANCELLED,
  WG_TRAP_HOST_ERROR,
} wg_trap;

/* Stable snake_case names: "unreachable", "memory_out_of_bounds", ... */
const char *wg_trap_name(wg_trap t);
/* A short human description: "integer divide by zero", ... */
const char *wg_trap_message(wg_trap t);

/* Details of a failure. `offset` is the byte offset in the module for
 * malformed/invalid/unsupported (else 0). `message` is short, bounded and
 * NUL-terminated; for link errors it names the import ("module"."name"). */
typedef struct wg_wasm_error {
  wg_wasm_code code;
  wg_trap trap;
  size_t offset;
  char message[256];
} wg_wasm_error;

/* ---- Modules ---------------------------------------------------------- */

typedef struct wg_module wg_module;

/* Decodes, validates and compiles. On failure returns the result code, fills
 * err (if non-NULL) and sets *out to NULL. The byte buffer is not retained. */
wg_wasm_code wg_module_new(const uint8_t *bytes, size_t len,
                             wg_module **out, wg_wasm_error *err);

/* Bounds on building a module (zero / NULL: none, or the default). The
 * work is linear in the module's size; these make it also end by a
 * deadline, stop on a cancellation flag, and stay within a memory budget
 * (the module's own data plus the compiler's scratch space). */
typedef struct wg_module_limits {
  uint64_t deadline_ns;      /* absolute, wg_now_ns() clock; WG_TRAP_DEADLINE */
  atomic_int *cancel;        /* non-zero => WG_TRAP_CANCELLED */
  uint64_t max_memory_bytes; /* default and ceiling:
                                WG_WASM_COMPILE_MEMORY_FACTOR x len +
                                WG_WASM_COMPILE_MEMORY_BASE (WG_WASM_LIMIT
                                past it) */
} wg_module_limits;

/* wg_module_new under limits (NULL = wg_module_new). */
wg_wasm_code wg_module_new_limited(const uint8_t *bytes, size_t len,
                                     const wg_module_limits *limits,
                                     wg_module **out, wg_wasm_error *err);
void wg_module_retain(wg_module *m);
void wg_module_release(wg_module *m); /* frees at zero; NULL is fine */

typedef enum wg_externkind {
  WG_EXTERN_FUNC = 0,
  WG_EXTERN_TABLE = 1,
  WG_EXTERN_MEMORY = 2,
  WG_EXTERN_GLOBAL = 3,
} wg_externkind;

/* Names are raw UTF-8 with explicit lengths (they may contain NUL). For
 * WG_EXTERN_FUNC, functype is set; other kinds leave it zeroed. Pointers stay
 * valid while the module lives. */
typedef struct wg_import_info {
  const char *module;
  size_t module_len;
  const char *name;
  size_t name_len;
  wg_externkind kind;
  wg_functype functype;
} wg_import_info;

typedef struct wg_export_info {
  const char *name;
  size_t name_len;
  wg_externkind kind;
  wg_functype functype;
} wg_export_info;

size_t wg_module_import_count(const wg_module *m);
bool wg_module_import(const wg_module *m, size_t i, wg_import_info *out);
size_t wg_module_export_count(const wg_module *m);
bool wg_module_export(const wg_module *m, size_t i, wg_export_info *out);

/* ---- Stores and limits ------------------------------------------------ */

/* Per-store limits. Zero in a numeric field means "engine default", except
 * fuel, deadline_ns and max_store_bytes where zero means "none". Growing
 * past a memory or table limit returns -1 (and costs no fuel); initial
 * sizes past them fail instantiation with WG_WASM_LIMIT. */
typedef struct wg_limits {
  uint64_t fuel;              /* wasm instructions, charged per basic block */
  uint64_t deadline_ns;       /* absolute, on wg_now_ns()'s monotonic clock */
  atomic_int *cancel;         /* non-zero => running code traps "cancelled" */
  uint32_t max_memory_pages;  /* per memory; default WG_WASM_MAX_PAGES */
  uint32_t max_table_elements;/* all tables of the store together (every
                                 instance, initial sizes and growth);
                                 default WG_WASM_DEFAULT_MAX_TABLE */
  uint32_t max_call_depth;    /* wasm frames; default
                                 WG_WASM_DEFAULT_MAX_CALL_DEPTH */
  uint32_t max_stack_bytes;   /* value stack (locals + operands); default
                                 WG_WASM_DEFAULT_MAX_STACK_BYTES */
  uint64_t max_store_bytes;   /* memories and tables together:
                                 WG_WASM_PAGE_SIZE a page,
                                 WG_TABLE_ELEMENT_BYTES an element */
} wg_limits;

typedef struct wg_store wg_store;

wg_store *wg_store_new(const wg_limits *limits); /* NULL limits = defaults */
void wg_store_free(wg_store *s);                 /* frees everything in it */
/* Fuel still available (UINT64_MAX when unlimited) and fuel used so far. */
uint64_t wg_store_fuel_remaining(const wg_store *s);
uint64_t wg_store_fuel_used(const wg_store *s);
/* Replaces the fuel budget / deadline for later calls. */
void wg_store_set_fuel(wg_store *s, uint64_t fuel);
void wg_store_set_deadline(wg_store *s, uint64_t deadline_ns);
/* Bytes held by the store's memories and tables, as max_store_bytes counts
 * them, and the number of table elements (both only grow). */
uint64_t wg_store_memory_bytes(const wg_store *s);
uint64_t wg_store_table_elements(const wg_store *s);

/* ---- Externs ----------------------------------------------------------- */

typedef struct wg_extern {
  wg_externkind kind;
  union {
    wg_func *func;
    wg_table *table;
    wg_memory *memory;
    wg_global *global;
  } of;
} wg_extern;

/* Host functions. A host function receives the caller (for memory access
 * and trap messages), its user pointer, the arguments and a results array
 * sized by its type. It returns WG_TRAP_NONE, or a trap kind (normally
 * WG_TRAP_HOST_ERROR) to abort the whole call. */
typedef struct wg_caller wg_caller;
typedef wg_trap (*wg_host_fn)(wg_caller *caller, void *user,
                              const wg_val *args, wg_val *results);

/* The memory of the instance whose code called the host function (its
 * memory index 0, imported or defined), or NULL if it has none. */
wg_memory *wg_caller_memory(wg_caller *c);
wg_store *wg_caller_store(wg_caller *c);
/* Sets the message reported with a trap the host function returns. */
void wg_caller_set_message(wg_caller *c, const char *msg);
/* "Should I stop?" for a long host function: WG_TRAP_CANCELLED or
 * WG_TRAP_DEADLINE once the call's cancellation flag is set or its
 * deadline has passed (return it to end the call), else WG_TRAP_NONE.
 * Costs one atomic load and one clock read. The engine also checks both
 * as soon as a host function returns. */
wg_trap wg_caller_check(const wg_caller *c);

wg_func *wg_func_new_host(wg_store *s, const wg_functype *type, wg_host_fn fn,
                          void *user);
wg_global *wg_global_new(wg_store *s, wg_valtype type, bool is_mutable,
                         wg_val init);
/* has_max=false => no maximum. */
wg_table *wg_table_new(wg_store *s, wg_valtype elem, uint32_t min,
                       bool has_max, uint32_t max);
wg_memory *wg_memory_new(wg_store *s, uint32_t min_pages, bool has_max,
                         uint32_t max_pages);

const wg_functype *wg_func_type(const wg_func *f);
wg_val wg_global_get(const wg_global *g);
uint32_t wg_table_size(const wg_table *t);
uint32_t wg_memory_pages(const wg_memory *m);
/* Bounds-checked access to linear memory: false (and nothing copied) when
 * [offset, offset+len) is not entirely inside the memory. */
bool wg_memory_read(const wg_memory *m, uint64_t offset, void *dst, size_t len);
bool wg_memory_write(wg_memory *m, uint64_t offset, const void *src, size_t len);
/* Returns the previous size in pages, or -1 if it cannot grow. */
int64_t wg_memory_grow(wg_memory *m, uint32_t delta_pages);

/* ---- Linking and instances ------------------------------------------- */

typedef struct wg_instance wg_instance;

/* Instantiates with imports given in the module's import order (count must
 * equal wg_module_import_count). Checks every import's kind and type exactly
 * (WG_WASM_LINK, message names the import), allocates memories and tables
 * (WG_WASM_LIMIT if over the store's limits), initializes globals, applies
 * element and data segments and runs the start function (WG_WASM_TRAP if any
 * of that traps; segments applied before the trap stay applied). */
wg_wasm_code wg_instance_new(wg_store *s, const wg_module *m,
                               const wg_extern *imports, size_t import_count,
                               wg_instance **out, wg_wasm_error *err);

/* Looks up an export by name. */
bool wg_instance_export(const wg_instance *inst, const char *name,
                        size_t name_len, wg_extern *out);

/* A linker resolves imports by (module, name). Host functions defined on a
 * linker are store-independent and may be used by many stores and threads
 * once the linker is no longer modified. Externs added with
 * wg_linker_define_extern belong to one store and must only be used with it. */
typedef struct wg_linker wg_linker;

wg_linker *wg_linker_new(void);
void wg_linker_free(wg_linker *l);
bool wg_linker_define_host_func(wg_linker *l, const char *module,
                                size_t module_len, const char *name,
                                size_t name_len, const wg_functype *type,
                                wg_host_fn fn, void *user);
bool wg_linker_define_extern(wg_linker *l, const char *module,
                             size_t module_len, const char *name,
                             size_t name_len, wg_extern ext);
/* Resolves every import (missing => WG_WASM_LINK naming it) and
 * instantiates. */
wg_wasm_code wg_linker_instantiate(const wg_linker *l, wg_store *s,
                                     const wg_module *m, wg_instance **out,
                                     wg_wasm_error *err);

/* ---- Calls -------------------------------------------------------------- */

/* Calls f with exactly its parameter count/types; writes its results.
 * Returns WG_WASM_OK or WG_WASM_TRAP (err->trap says which), or WG_WASM_ARGS.
 * After a trap the store stays usable (the spec tests call on). */
wg_wasm_code wg_func_call(wg_store *s, wg_func *f, const wg_val *args,
                            size_t arg_count, wg_val *results,
                            size_t result_count, wg_wasm_error *err);

#endif
