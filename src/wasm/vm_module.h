/* vm_module.h: the engine's internal structures: decoded modules, compiled
 * functions, and the run-time objects of a store (instances, functions,
 * tables, memories, globals).
 *
 * Invariants: a vm_module is immutable after wg_module_new returns and is
 * shared read-only between threads (only its atomic refcount changes). Every
 * run-time object belongs to exactly one store and is freed with it. Values
 * live in 64-bit slots: i32/f32 in the low 32 bits (upper bits zero),
 * references as pointers cast to uintptr_t (0 = null). */
#ifndef VM_MODULE_H
#define VM_MODULE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/util.h"
#include "wasmgate/wasm.h"

#include "reader_internal.h"

/* The engine's limits (WG_WASM_MAX_*, the compile and validation budgets,
 * the wg_limits defaults) are in wasmgate/limits.h. What follows tunes how
 * often the engine looks at the clock and charges fuel, not what it
 * admits. */
/* Units of decode/compile work between two reads of the clock and the
 * cancellation flag (~0.1 ms of work). */
#define VM_BUILD_TICK 16384u
#define VM_FUEL_SLICE 65536           /* instructions between clock checks */
#define VM_BLOCK_SPLIT 1000u          /* max instructions per fuel charge */
#define VM_MOVE_SLOTS_PER_FUEL 8u     /* branch/return value moves: 1 fuel
                                         per 8 slots (64 bytes, like bulk
                                         memory) */
#define VM_BULK_CHUNK (1u << 20)      /* bytes of a bulk memory operation
                                         between deadline checks */
#define VM_TABLE_CHUNK (1u << 17)     /* elements of a table operation
                                         between deadline checks (1 MiB of
                                         8-byte elements) */
#define VM_OWN_CODE_WORDS (1u << 16)  /* a function's code of at least this
                                         many words keeps its buffer instead
                                         of being copied (no second copy at
                                         the peak of a big compile) */

typedef uint64_t vm_word; /* one cell of compiled code */

/* A constant expression (only one instruction in our feature set). */
typedef enum vm_const_kind {
  VM_CONST_VALUE,   /* bits in `value` */
  VM_CONST_GLOBAL,  /* global.get index */
  VM_CONST_FUNC,    /* ref.func index */
} vm_const_kind;

typedef struct vm_const {
  vm_const_kind kind;
  uint32_t index;
  uint64_t value;
} vm_const;

typedef struct vm_limits_t {
  uint32_t min;
  uint32_t max;
  bool has_max;
} vm_limits_t;

typedef struct vm_tabletype {
  wg_valtype elem;
  vm_limits_t lim;
} vm_tabletype;

typedef struct vm_globaltype {
  wg_valtype type;
  bool is_mutable;
} vm_globaltype;

typedef struct vm_import {
  const char *module;
  uint32_t module_len;
  const char *name;
  uint32_t name_len;
  wg_externkind kind;
  uint32_t type_index;     /* func */
  vm_tabletype table;      /* table */
  vm_limits_t mem;         /* memory */
  vm_globaltype global;    /* global */
} vm_import;

typedef struct vm_export {
  const char *name;
  uint32_t name_len;
  wg_externkind kind;
  uint32_t index;
} vm_export;

typedef enum vm_seg_mode {
  VM_SEG_ACTIVE,
  VM_SEG_PASSIVE,
  VM_SEG_DECLARATIVE,
} vm_seg_mode;

typedef struct vm_elem {
  vm_seg_mode mode;
  wg_valtype type;
  uint32_t table;
  vm_const offset;
  uint32_t count;
  vm_const *items;
} vm_elem;

typedef struct vm_data {
  vm_seg_mode mode;
  uint32_t memory;
  vm_const offset;
  uint32_t len;
  const uint8_t *bytes; /* copied into the module's arena */
} vm_data;

/* A compiled function body. Frame layout while it runs: slots
 * fp[0 .. param_count) are the arguments, then the other locals (zeroed),
 * then max_stack home slots, one per operand stack height. code[0] is
 * always the entry block's FUEL instruction (calls pay it and skip it). */
typedef struct vm_code {
  uint32_t type_index;
  uint32_t local_count;  /* params included */
  uint32_t max_stack;    /* operand slots beyond the locals */
  bool owned;            /* code is its own allocation (a big function's
                            buffer, kept rather than copied), freed with
                            the module; else it is in the module's arena */
  vm_word *code;
  size_t code_len;
} vm_code;

/* The bounds of one wg_module_new_limited (decode.c, compile.c): the
 * deadline and cancellation flag read every VM_BUILD_TICK units of work,
 * and the memory budget. `scratch` is the compiler's working memory held
 * now; arena bytes plus scratch stay within max_memory. */
typedef struct vm_build {
  uint64_t deadline_ns;
  atomic_int *cancel;
  size_t max_memory;
  size_t scratch;
  uint32_t ticks;
  bool over;               /* an allocation failed on the budget */
  void *compiler;          /* compile.c's state, reused across functions */
} vm_build;

typedef struct vm_module {
  atomic_int refs;
  wg_arena arena; /* everything below */

  uint32_t type_count;
  wg_functype *types;

  uint32_t import_count;
  vm_import *imports;
  uint32_t import_func_count, import_table_count, import_mem_count,
      import_global_count;

  uint32_t func_count;     /* imported + defined */
  uint32_t *func_types;    /* type index per function */
  bool *func_declared;     /* may be used by ref.func */

  uint32_t table_count;
  vm_tabletype *tables;

  uint32_t mem_count;
  vm_limits_t *mems;

  uint32_t global_count;
  vm_globaltype *globals;
  vm_const *global_inits;  /* for defined globals (index - imports) */

  uint32_t export_count;
  vm_export *exports;

  bool has_start;
  uint32_t start;

  uint32_t elem_count;
  vm_elem *elems;

  bool has_data_count;
  size_t data_count_needed_at; /* offset of a memory.init/data.drop seen
                                  without a data count section, or 0 */
  uint32_t data_count;
  vm_data *datas;

  vm_code *codes;          /* defined functions (index - imported funcs) */
  size_t owned_code_bytes; /* of the codes that own their buffer */

  vm_build *build;         /* while wg_module_new_limited runs, else NULL */
} vm_module;

struct wg_module {
  vm_module m;
};


/* ---- Run-time objects -------------------------------------------------- */

struct wg_func {
  const wg_functype *type;
  wg_instance *inst;       /* NULL for host functions */
  const vm_code *code;     /* wasm functions */
  wg_host_fn host;
  void *host_user;
};

struct wg_table {
  wg_store *store;         /* whose budgets its elements count against */
  wg_valtype elem;
  uint32_t size;
  uint32_t max;            /* effective maximum (type max and store limit) */
  bool has_type_max;       /* the declared type, for import matching */
  uint32_t type_max;
  uint64_t *elems;
};

struct wg_memory {
  wg_store *store;         /* whose max_store_bytes its pages count against */
  uint8_t *base;
  uint64_t size;           /* bytes committed and accessible */
  uint32_t pages;
  uint32_t max_pages;      /* effective maximum */
  bool has_type_max;       /* the declared type, for import matching */
  uint32_t type_max;
  size_t reserved;         /* bytes reserved (PROT_NONE beyond size) */
};

struct wg_global {
  wg_valtype type;
  bool is_mutable;
  uint64_t value;
};

struct wg_instance {
  wg_store *store;
  const vm_module *mod;    /* retained */
  wg_func **funcs;
  wg_table **tables;
  wg_memory *mem0;         /* NULL when the module has no memory */
  wg_global **globals;
  bool *elem_dropped;
  bool *data_dropped;
  wg_func *own_funcs;      /* the defined functions, then globals: all */
  wg_global *own_globals;  /* of these live in the instance's one block */
};

/* Objects are kept in one list per store and freed with it. */
typedef enum vm_obj_kind {
  VM_OBJ_FUNC, VM_OBJ_TABLE, VM_OBJ_MEMORY, VM_OBJ_GLOBAL, VM_OBJ_INSTANCE,
  VM_OBJ_BLOB,
} vm_obj_kind;

typedef struct vm_obj {
  struct vm_obj *next;
  vm_obj_kind kind;
  void *ptr;
} vm_obj;

typedef struct vm_frame {
  const vm_word *ret_pc;   /* where the caller continues */
  uint64_t *fp;            /* caller's frame */
  wg_func *func;           /* caller's function */
} vm_frame;

struct wg_store {
  wg_limits limits;
  uint64_t fuel_remaining; /* UINT64_MAX = unlimited */
  uint64_t fuel_used;
  uint64_t table_elements; /* all tables together (limits.max_table_elements) */
  uint64_t memory_bytes;   /* committed memory + table bytes (max_store_bytes) */
  vm_obj *objs;
  /* Execution stacks, allocated on first call, reused afterwards. */
  uint64_t *stack;
  size_t stack_slots;
  vm_frame *frames;
  uint32_t frame_cap;
  uint32_t depth;          /* nesting of wg_func_call (host re-entry) */
  uint64_t *stack_top;     /* first free slot for a nested call */
  uint32_t frame_top;
};

struct wg_caller {
  wg_store *store;
  wg_instance *inst;
  char *message;           /* points into the error being filled */
};

/* ---- Internal functions ------------------------------------------------ */

/* module.c: the build bounds. vm_build_tick adds `work` units and, every
 * VM_BUILD_TICK of them, reads the cancellation flag and the clock: on
 * either it fills err (WG_WASM_TRAP, trap cancelled/deadline) and returns
 * that. vm_build_over says whether `more` bytes (arena or scratch) would
 * pass the memory budget, and vm_build_oom reports a failed allocation as
 * WG_WASM_LIMIT when the budget was the cause, else WG_WASM_NOMEM. Outside
 * a build (m->build NULL) none of them limits anything. */
wg_wasm_code vm_build_tick(vm_module *m, uint32_t work, size_t offset,
                             wg_wasm_error *err);
bool vm_build_over(const vm_module *m, size_t more);
wg_wasm_code vm_build_oom(const vm_module *m, size_t offset,
                            wg_wasm_error *err);
/* Zeroed bytes from the module's arena within the budget (NULL: over it,
 * with m->build->over set, or no host memory). */
void *vm_alloc(vm_module *m, size_t bytes);

/* decode.c: decodes and validates a whole module (compile.c does bodies). */
wg_wasm_code vm_decode(vm_module *m, const uint8_t *bytes, size_t len,
                         wg_wasm_error *err);

/* compile.c: validates one body and translates it to internal code. */
wg_wasm_code vm_compile_body(vm_module *m, uint32_t func_index,
                               vm_reader *r, wg_wasm_error *err);
/* Frees the compiler's buffers at the end of a build. */
void vm_compile_done(vm_module *m);

/* True if `op` is a (single-byte or prefix) opcode of our feature set. */
bool vm_opcode_exists(uint8_t op);

/* store.c */
void *vm_store_track(wg_store *s, vm_obj_kind kind, void *ptr);
void *vm_store_alloc(wg_store *s, size_t size); /* zeroed, freed with s */
/* Reserves `elements` table elements and/or `bytes` of memory against the
 * store's budgets; false (nothing reserved) when either would pass. */
bool vm_store_reserve(wg_store *s, uint64_t elements, uint64_t bytes);
/* Gives the store its execution stacks (a freed store's, pooled per
 * thread, or new); false when there is no memory for them. */
bool vm_store_stacks(wg_store *s);
/* Cancellation flag, then deadline (WG_TRAP_NONE when neither). */
wg_trap vm_check_time(const wg_store *s);

/* memory.c. vm_memory_create reserves its initial pages against the
 * store's budget (NULL: over it, or no host memory); vm_memory_fits says
 * whether `min` pages would pass the store's limits. */
bool vm_memory_fits(const wg_store *s, uint32_t min);
wg_memory *vm_memory_create(wg_store *s, uint32_t min, bool has_max,
                            uint32_t max); /* NULL: no memory for it */
void vm_memory_destroy(wg_memory *m);
int64_t vm_memory_grow(wg_memory *m, uint32_t delta);

/* instance.c. Tables count their elements against the store's budgets;
 * vm_table_fits says whether a new table of `min` would pass them. */
bool vm_table_fits(const wg_store *s, uint32_t min, bool has_max, uint32_t max);
bool vm_table_can_grow(const wg_table *t, uint32_t delta);
wg_trap vm_table_grow_checked(wg_table *t, uint32_t delta, uint64_t init,
                              bool check_time, int64_t *result);
wg_table *vm_table_create(wg_store *s, wg_valtype elem, uint32_t min,
                          bool has_max, uint32_t max);
void vm_table_destroy(wg_table *t);
void vm_instance_destroy(wg_instance *inst);
uint64_t vm_elem_item(wg_instance *inst, const vm_elem *e, uint32_t i);

/* interp.c: the handler address of every vm_op (computed-goto builds), or
 * NULL when the interpreter dispatches with a switch on opcode numbers. */
const void *const *vm_dispatch_table(void);

/* verify.c: whether a function's compiled code, its opcode words still
 * opcode numbers, is well formed (vm_opcodes.h): every opcode known, the
 * walk by instruction length ending on the code's end, every branch
 * target an instruction after a FUEL (or the final RETURN), every slot
 * operand inside the frame of frame_slots. On failure *why says where and
 * what. vm_code_verified checks a compiled body and prints the reason; the
 * compiler calls it under WG_ASSERT, so only debug builds run it. */
bool vm_verify_code(const vm_word *code, size_t n, uint64_t frame_slots,
                    char *why, size_t why_size);
bool vm_code_verified(const vm_code *code);

/* interp.c: runs f with args already in the store's stack. */
wg_trap vm_invoke(wg_store *s, wg_func *f, uint64_t *args, uint64_t *results,
                  char *message);

/* names.c */
bool vm_functype_equal(const wg_functype *a, const wg_functype *b);

#endif
