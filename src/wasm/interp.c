/* interp.c: the interpreter loop for internal code (vm_opcodes.h).
 *
 * One function, vm_run, executes compiled code. Hot state lives in locals:
 * pc, fp (frame base: locals, then the operand home slots that instructions
 * name directly; there is no stack pointer), the current instance and its
 * cached memory base/size (reloaded after every call, return, host call and
 * memory.grow, since any of them can change memory). Wasm calls do not
 * recurse on the C stack: frames are pushed on the store's frame array, so
 * depth is bounded by limits.max_call_depth. Fuel is handed out in slices
 * (VM_FUEL_SLICE); when a slice runs out, vm_fuel_refill reads the clock and
 * the cancellation flag. Each block's fuel is paid by its FUEL instruction
 * on fallthrough, or by the branch or call that enters it. Slow paths (bulk
 * operations, host calls, traps) are helpers outside the loop. Dispatch is
 * direct-threaded computed goto with GCC/Clang (code words hold handler
 * addresses); -DVM_USE_SWITCH builds a switch on opcode numbers from the
 * same vmcase/vmbreak source. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm_module.h"
#include "vm_opcodes.h"
#include "wg_assert.h"

#if defined(__GNUC__) && !defined(VM_USE_SWITCH)
#define VM_COMPUTED_GOTO 1
#endif

/* ---- Value helpers -------------------------------------------------------- */

static inline float f32_of(uint64_t b) {
  uint32_t u = (uint32_t)b;
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static inline double f64_of(uint64_t b) {
  double d;
  memcpy(&d, &b, 8);
  return d;
}
static inline uint64_t bits_f32(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}
static inline uint64_t bits_f64(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}

/* Rounding a NaN must give an arithmetic (quiet) NaN; libm may return a
 * signalling input unchanged. */
static inline uint64_t quiet32(uint64_t in, uint64_t out) {
  return isnan(f32_of(in)) ? (in | 0x00400000u) : out;
}
static inline uint64_t quiet64(uint64_t in, uint64_t out) {
  return isnan(f64_of(in)) ? (in | 0x0008000000000000ull) : out;
}

/* wasm min/max: NaN propagates, -0 < +0 (fmin/fmax do neither). */
static float vm_fminf(float a, float b) {
  if (isnan(a) || isnan(b)) return a + b;
  if (a == 0 && b == 0) return signbit(a) ? a : b;
  return a < b ? a : b;
}
static float vm_fmaxf(float a, float b) {
  if (isnan(a) || isnan(b)) return a + b;
  if (a == 0 && b == 0) return signbit(a) ? b : a;
  return a > b ? a : b;
}
static double vm_fmin(double a, double b) {
  if (isnan(a) || isnan(b)) return a + b;
  if (a == 0 && b == 0) return signbit(a) ? a : b;
  return a < b ? a : b;
}
static double vm_fmax(double a, double b) {
  if (isnan(a) || isnan(b)) return a + b;
  if (a == 0 && b == 0) return signbit(a) ? b : a;
  return a > b ? a : b;
}

static uint32_t rotl32(uint32_t x, uint32_t k) {
  k &= 31;
  return k ? (x << k) | (x >> (32 - k)) : x;
}
static uint32_t rotr32(uint32_t x, uint32_t k) {
  k &= 31;
  return k ? (x >> k) | (x << (32 - k)) : x;
}
static uint64_t rotl64(uint64_t x, uint64_t k) {
  k &= 63;
  return k ? (x << k) | (x >> (64 - k)) : x;
}
static uint64_t rotr64(uint64_t x, uint64_t k) {
  k &= 63;
  return k ? (x >> k) | (x << (64 - k)) : x;
}

/* Float -> int conversions. `lo`/`hi` are exclusive bounds in double. */
static wg_trap trunc_check(double x, double lo, double hi) {
  if (isnan(x)) return WG_TRAP_INVALID_CONVERSION;
  if (!(x > lo && x < hi)) return WG_TRAP_INTEGER_OVERFLOW;
  return WG_TRAP_NONE;
}
static int64_t sat_s(double x, double lo, double hi, int64_t min, int64_t max) {
  if (isnan(x)) return 0;
  if (x <= lo) return min;
  if (x >= hi) return max;
  return (int64_t)x;
}
static uint64_t sat_u(double x, double hi, uint64_t max) {
  if (isnan(x) || x <= -1.0) return 0;
  if (x >= hi) return max;
  return (uint64_t)x;
}

/* ---- Slow paths ------------------------------------------------------------ */

/* Bulk operations are split into chunks (VM_BULK_CHUNK bytes,
 * VM_TABLE_CHUNK elements) with the cancellation flag and the deadline
 * checked between them, so that one operation of gigabytes cannot outlive
 * them. Their bounds are checked, and their fuel charged, by the caller
 * before they start; a trap between chunks leaves what was already
 * written. */

/* Slow paths stay out of the loop (not inlined into vm_run), so that they
 * do not change how the compiler allocates the loop's registers. */
#define VM_SLOW __attribute__((noinline, cold))

/* Hands out the next fuel slice after checking cancellation and deadline.
 * *fuel holds what is left of the current slice (< need). */
VM_SLOW static wg_trap vm_fuel_refill(wg_store *s, int64_t *fuel,
                                      uint64_t need) {
  wg_trap t = vm_check_time(s);
  if (t) return t;
  uint64_t take = need > VM_FUEL_SLICE ? need : VM_FUEL_SLICE;
  if (s->fuel_remaining != UINT64_MAX) {
    if (take > s->fuel_remaining) take = s->fuel_remaining;
    if ((uint64_t)*fuel + take < need) return WG_TRAP_FUEL_EXHAUSTED;
    s->fuel_remaining -= take;
  }
  s->fuel_used += take;
  *fuel += (int64_t)take;
  return WG_TRAP_NONE;
}

static bool range_ok(uint64_t start, uint64_t len, uint64_t size) {
  return start <= size && len <= size - start;
}

/* Copies n units of `unit` bytes from src to dst (overlap allowed), in
 * chunks of `chunk` units, in the direction that keeps overlapping copies
 * correct. */
VM_SLOW static wg_trap chunked_move(const wg_store *st, uint8_t *dst,
                                    const uint8_t *src, uint64_t n,
                                    size_t unit, uint64_t chunk) {
  bool backward = (uintptr_t)dst > (uintptr_t)src;
  while (n) {
    uint64_t k = n < chunk ? n : chunk;
    uint64_t off = backward ? n - k : 0;
    memmove(dst + off * unit, src + off * unit, (size_t)(k * unit));
    n -= k;
    if (!backward) {
      dst += k * unit;
      src += k * unit;
    }
    if (n) {
      wg_trap t = vm_check_time(st);
      if (t) return t;
    }
  }
  return WG_TRAP_NONE;
}

VM_SLOW static bool memory_init_ok(const wg_instance *inst, uint32_t seg,
                                   uint32_t d, uint32_t s, uint32_t n) {
  uint32_t len = inst->data_dropped[seg] ? 0 : inst->mod->datas[seg].len;
  return range_ok(s, n, len) && range_ok(d, n, inst->mem0->size);
}

VM_SLOW static wg_trap memory_init(const wg_store *st, wg_instance *inst,
                                   uint32_t seg, uint32_t d, uint32_t s,
                                   uint32_t n) {
  const vm_data *data = &inst->mod->datas[seg];
  return chunked_move(st, inst->mem0->base + d, data->bytes + s, n, 1,
                      VM_BULK_CHUNK);
}

VM_SLOW static wg_trap memory_fill(const wg_store *st, wg_memory *m,
                                   uint32_t d, uint32_t v, uint32_t n) {
  while (n) {
    uint32_t k = n < VM_BULK_CHUNK ? n : VM_BULK_CHUNK;
    memset(m->base + d, (int)(v & 0xff), k);
    d += k;
    n -= k;
    if (n) {
      wg_trap t = vm_check_time(st);
      if (t) return t;
    }
  }
  return WG_TRAP_NONE;
}

/* Evaluates element item i of segment `seg` for instance `inst`. */
uint64_t vm_elem_item(wg_instance *inst, const vm_elem *e, uint32_t i) {
  const vm_const *c = &e->items[i];
  switch (c->kind) {
    case VM_CONST_FUNC: return (uint64_t)(uintptr_t)inst->funcs[c->index];
    case VM_CONST_GLOBAL: return inst->globals[c->index]->value;
    default: return c->value;
  }
}

VM_SLOW static bool table_init_ok(const wg_instance *inst, uint32_t seg,
                                  uint32_t ti, uint32_t d, uint32_t s,
                                  uint32_t n) {
  uint32_t len = inst->elem_dropped[seg] ? 0 : inst->mod->elems[seg].count;
  return range_ok(s, n, len) && range_ok(d, n, inst->tables[ti]->size);
}

VM_SLOW static wg_trap table_init(const wg_store *st, wg_instance *inst,
                                  uint32_t seg, uint32_t ti, uint32_t d,
                                  uint32_t s, uint32_t n) {
  const vm_elem *e = &inst->mod->elems[seg];
  wg_table *t = inst->tables[ti];
  for (uint32_t i = 0; i < n; i++) {
    if (i && i % VM_TABLE_CHUNK == 0) {
      wg_trap tr = vm_check_time(st);
      if (tr) return tr;
    }
    t->elems[d + i] = vm_elem_item(inst, e, s + i);
  }
  return WG_TRAP_NONE;
}

VM_SLOW static wg_trap table_fill(const wg_store *st, wg_table *t,
                                  uint32_t d, uint64_t v, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (i && i % VM_TABLE_CHUNK == 0) {
      wg_trap tr = vm_check_time(st);
      if (tr) return tr;
    }
    t->elems[d + i] = v;
  }
  return WG_TRAP_NONE;
}

static uint64_t val_to_slot(const wg_val *v) {
  switch (v->type) {
    case WG_I32: return v->of.i32;
    case WG_F32: return v->of.f32_bits;
    case WG_FUNCREF: return (uint64_t)(uintptr_t)v->of.funcref;
    case WG_EXTERNREF: return (uint64_t)(uintptr_t)v->of.externref;
    default: return v->of.i64;
  }
}

static wg_val slot_to_val(wg_valtype t, uint64_t x) {
  wg_val v;
  memset(&v, 0, sizeof v);
  v.type = t;
  switch (t) {
    case WG_I32: v.of.i32 = (uint32_t)x; break;
    case WG_F32: v.of.f32_bits = (uint32_t)x; break;
    case WG_FUNCREF: v.of.funcref = (wg_func *)(uintptr_t)x; break;
    case WG_EXTERNREF: v.of.externref = (void *)(uintptr_t)x; break;
    default: v.of.i64 = x; break;
  }
  return v;
}

/* Calls a host function with arguments in slots[0..params); results are
 * written back to slots[0..results). */
VM_SLOW static wg_trap call_host(wg_store *s, wg_instance *caller_inst,
                                 wg_func *f, uint64_t *slots, char *message) {
  const wg_functype *t = f->type;
  wg_val small_args[8], small_res[8];
  wg_val *args = small_args, *res = small_res;
  if (t->param_count > 8) args = calloc(t->param_count, sizeof *args);
  if (t->result_count > 8) res = calloc(t->result_count, sizeof *res);
  wg_trap trap = WG_TRAP_HOST_ERROR;
  if (args && res) {
    for (uint32_t i = 0; i < t->param_count; i++)
      args[i] = slot_to_val(t->params[i], slots[i]);
    for (uint32_t i = 0; i < t->result_count; i++)
      res[i] = slot_to_val(t->results[i], 0);
    wg_caller caller = {s, caller_inst, message};
    trap = f->host(&caller, f->host_user, args, res);
    if (trap == WG_TRAP_NONE)
      for (uint32_t i = 0; i < t->result_count; i++)
        slots[i] = val_to_slot(&res[i]);
  } else if (message) {
    strcpy(message, "out of memory in host call");
  }
  if (args != small_args) free(args);
  if (res != small_res) free(res);
  return trap;
}

/* ---- The loop ----------------------------------------------------------- */

#ifdef VM_COMPUTED_GOTO
/* Direct threading: code words hold handler addresses (vm_compile_body
 * rewrites the opcodes with vm_dispatch_table). */
#define vmdispatch(o) goto *(const void *)(uintptr_t)(o);
#define vmcase(l) L_##l:
#define vmbreak vmdispatch(*pc++)
#else
#define vmdispatch(o) switch (o)
#define vmcase(l) case VM_OP_##l:
#define vmbreak break
#endif

#define TRAP(t)         \
  do {                  \
    trap = (t);         \
    goto trapped;       \
  } while (0)
#define RELOAD_MEMORY()                              \
  do {                                               \
    mem_base = inst->mem0 ? inst->mem0->base : NULL; \
    mem_size = inst->mem0 ? inst->mem0->size : 0;    \
  } while (0)
#define CHARGE(n)                                                       \
  do {                                                                  \
    uint64_t charge_ = (n);                                             \
    if ((uint64_t)fuel < charge_) {                                     \
      wg_trap ft_ = vm_fuel_refill(s, &fuel, charge_);                  \
      if (ft_) TRAP(ft_);                                               \
    }                                                                   \
    fuel -= (int64_t)charge_;                                           \
  } while (0)

/* Operand words by name (the VM_<SHAPE>_<WORD> of vm_opcodes.h): W(p, F)
 * is word F of the operands starting at p. ARG and SLOT read the current
 * instruction's (pc is past its opcode word), NEXT steps past them. */
#define W(p, f) ((p)[VM_##f])
#define ARG(f) W(pc, f)
#define SLOT(f) fp[ARG(f)]
#define NEXT(shape) (pc += VM_LEN_##shape)

/* Pays the charge of the target pair at t (the target block's fuel) and
 * jumps to its target. */
#define TAKE(t)                                                         \
  do {                                                                  \
    const vm_word *t_ = (t);                                            \
    CHARGE(t_[VM_TARGET_CHARGE]);                                       \
    pc = code->code + t_[VM_TARGET_PC];                                 \
  } while (0)
#define TAKE_AT(f) TAKE(pc + VM_##f)

#define U32_(x) ((uint32_t)(x))
#define I32_(x) ((int32_t)(uint32_t)(x))
/* dst = expr of a (type T, from slot A) and b (the expression B), as R:
 * the register (BIN) and immediate (BIN_I) forms of every binary op. */
#define BINOP(name, shape, T, B, R, expr)                   \
  vmcase(name) {                                            \
    T a = (T)SLOT(shape##_A), b = (B);                      \
    SLOT(shape##_DST) = (R)(expr);                          \
    NEXT(shape);                                            \
    vmbreak;                                                \
  }
#define BIN32(name, expr) \
  BINOP(name, BIN, uint32_t, U32_(SLOT(BIN_B)), uint32_t, expr)
#define BIN64(name, expr) BINOP(name, BIN, uint64_t, SLOT(BIN_B), uint64_t, expr)
#define CMP64(name, expr) BINOP(name, BIN, uint64_t, SLOT(BIN_B), uint32_t, expr)
/* Immediate forms: the right operand is the word itself. */
#define BIN32I(name, expr) \
  BINOP(name, BIN_I, uint32_t, (uint32_t)ARG(BIN_I_IMM), uint32_t, expr)
#define BIN64I(name, expr) \
  BINOP(name, BIN_I, uint64_t, ARG(BIN_I_IMM), uint64_t, expr)
#define CMP64I(name, expr) \
  BINOP(name, BIN_I, uint64_t, ARG(BIN_I_IMM), uint32_t, expr)
/* Each VM_IMM_OPS entry makes both forms from its one expression. */
#define PLAIN_CASE(name, kind, expr) kind(name, expr)
#define IMM_CASE(name, kind, expr) kind##I(name##_I, expr)
#define VM_ROTL32 rotl32(a, b)
#define VM_ROTR32 rotr32(a, b)
#define VM_ROTL64 rotl64(a, b)
#define VM_ROTR64 rotr64(a, b)
/* The i32 entries of VM_IMM_OPS as functions of a and b (eval_<NAME> and
 * eval_<NAME>_I alike), for compare-and-branch, the chains and the pairs
 * below: each operator's expression stays written once. CH_IMM_<op> says
 * whether an op's b is the word itself (an _I form) or a slot. */
#define VM_EVAL_BIN32(name, expr)                                          \
  static inline __attribute__((always_inline)) uint32_t eval_##name(       \
      uint32_t a, uint32_t b) {                                            \
    return (uint32_t)(expr);                                               \
  }                                                                        \
  static inline __attribute__((always_inline)) uint32_t eval_##name##_I(   \
      uint32_t a, uint32_t b) {                                            \
    return eval_##name(a, b);                                              \
  }
#define VM_EVAL_BIN64(name, expr)
#define VM_EVAL_CMP64(name, expr)
#define VM_EVAL(name, kind, expr) VM_EVAL_##kind(name, expr)
VM_IMM_OPS(VM_EVAL)
#undef VM_EVAL
#define VM_IMM_FLAG(name, kind, expr) CH_IMM_##name = 0, CH_IMM_##name##_I = 1,
enum { VM_IMM_OPS(VM_IMM_FLAG) };
#undef VM_IMM_FLAG
/* Compare-and-branch (BR_CMP, BR_CMP_I: b a slot or the word itself). */
#define BR_CMP_BODY(shape, B, expr)                         \
  {                                                         \
    uint32_t a = U32_(SLOT(BR_CMP_A)), b = (B);             \
    if (expr) {                                             \
      fuel += (int64_t)ARG(BR_CMP_REFUND);                  \
      move_slots(fp, ARG(BR_CMP_SRC), ARG(BR_CMP_DST),      \
                 ARG(BR_CMP_KEEP));                         \
      TAKE_AT(BR_CMP_TARGET);                               \
    } else {                                                \
      NEXT(shape);                                          \
    }                                                       \
    vmbreak;                                                \
  }
#define BR_CMP_CASE(name, neg)                                            \
  vmcase(BR_IF_##name)                                                    \
      BR_CMP_BODY(BR_CMP, U32_(SLOT(BR_CMP_B)), eval_##name(a, b))        \
  vmcase(BR_IF_##name##_I)                                                \
      BR_CMP_BODY(BR_CMP_I, (uint32_t)ARG(BR_CMP_B), eval_##name(a, b))
#define UN(name, expr)                                      \
  vmcase(name) {                                            \
    uint64_t a = SLOT(UN_A);                                \
    SLOT(UN_DST) = (expr);                                  \
    NEXT(UN);                                               \
    vmbreak;                                                \
  }
#define BINF32(name, expr)                                  \
  vmcase(name) {                                            \
    float a = f32_of(SLOT(BIN_A)), b = f32_of(SLOT(BIN_B)); \
    SLOT(BIN_DST) = (expr);                                 \
    NEXT(BIN);                                              \
    vmbreak;                                                \
  }
#define BINF64(name, expr)                                  \
  vmcase(name) {                                            \
    double a = f64_of(SLOT(BIN_A)), b = f64_of(SLOT(BIN_B)); \
    SLOT(BIN_DST) = (expr);                                 \
    NEXT(BIN);                                              \
    vmbreak;                                                \
  }
/* A load of T at ea (bounds-checked), its conversion of v into slot dst. */
#define LOAD_BODY(shape, ea_, T, conv, dst)                            \
  {                                                                    \
    uint64_t ea = (ea_);                                               \
    if (ea + sizeof(T) > mem_size) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS); \
    T v;                                                               \
    memcpy(&v, mem_base + ea, sizeof v);                               \
    SLOT(dst) = conv;                                                  \
    NEXT(shape);                                                       \
    vmbreak;                                                           \
  }
/* A store of value (as T) at addr + offset. */
#define STORE_BODY(shape, T, value)                                    \
  {                                                                    \
    uint64_t ea = (uint64_t)U32_(SLOT(shape##_ADDR)) + ARG(shape##_OFFSET); \
    if (ea + sizeof(T) > mem_size) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS); \
    T v = (T)(value);                                                  \
    memcpy(mem_base + ea, &v, sizeof v);                               \
    NEXT(shape);                                                       \
    vmbreak;                                                           \
  }
/* Each VM_LOAD_OPS entry makes the plain load and the folded-add one
 * (address (u32)(x + imm) + offset); each VM_STORE_IMM_OPS entry the plain
 * store and the immediate one. */
#define LOAD(name, T, conv)                                                \
  vmcase(name) LOAD_BODY(MEM, (uint64_t)U32_(SLOT(MEM_ADDR)) + ARG(MEM_OFFSET), \
                         T, conv, MEM_VALUE)
#define LOAD_ADD(name, T, conv)                                          \
  vmcase(name##_A) LOAD_BODY(                                            \
      MEM_ADD,                                                           \
      (uint64_t)(uint32_t)(U32_(SLOT(MEM_ADD_X)) + (uint32_t)ARG(MEM_ADD_IMM)) + \
          ARG(MEM_ADD_OFFSET),                                           \
      T, conv, MEM_ADD_DST)
#define STORE(name, T) vmcase(name) STORE_BODY(MEM, T, SLOT(MEM_VALUE))
#define STORE_IMM(name, T) \
  vmcase(name##_I) STORE_BODY(MEM_IMM, T, ARG(MEM_IMM_IMM))
/* Division and remainder: operands of type T (converted by CV), a zero
 * divisor traps, and so does `overflow`; the result as R. */
#define DIVOP(name, T, CV, R, overflow, expr)                     \
  vmcase(name) {                                                  \
    T a = CV(SLOT(BIN_A)), b = CV(SLOT(BIN_B));                   \
    if (b == 0) TRAP(WG_TRAP_INTEGER_DIVIDE_BY_ZERO);             \
    if (overflow) TRAP(WG_TRAP_INTEGER_OVERFLOW);                 \
    SLOT(BIN_DST) = (R)(expr);                                    \
    NEXT(BIN);                                                    \
    vmbreak;                                                      \
  }
#define TRUNC(name, FROM, lo, hi, T)                              \
  vmcase(name) {                                                  \
    double x = FROM(SLOT(UN_A));                                  \
    wg_trap t_ = trunc_check(x, lo, hi);                          \
    if (t_) TRAP(t_);                                             \
    SLOT(UN_DST) = (uint64_t)(T)x;                                \
    NEXT(UN);                                                     \
    vmbreak;                                                      \
  }

/* Fused load/store + operator (VM_MEM_BIN_OPS). MEM_T: the memory type,
 * MEM_V: the operands' C type, MEM_IN: a slot or loaded word as an
 * operand, MEM_OUT: a result as slot
 * bits. */
#define MEM_T_I32 uint32_t
#define MEM_T_I64 uint64_t
#define MEM_T_F32 uint32_t
#define MEM_T_F64 uint64_t
#define MEM_V_I32 uint32_t
#define MEM_V_I64 uint64_t
#define MEM_V_F32 float
#define MEM_V_F64 double
#define MEM_IN_I32(x) U32_(x)
#define MEM_IN_I64(x) ((uint64_t)(x))
#define MEM_IN_F32(x) f32_of(x)
#define MEM_IN_F64(x) f64_of(x)
#define MEM_OUT_I32(x) ((uint32_t)(x))
#define MEM_OUT_I64(x) ((uint64_t)(x))
#define MEM_OUT_F32(x) bits_f32(x)
#define MEM_OUT_F64(x) bits_f64(x)
/* The effective address of the operands' addr and offset words. */
#define EA(addr, offset) ((uint64_t)U32_(SLOT(addr)) + ARG(offset))
#define MEM_BIN_CASE(name, kind, expr)                                 \
  vmcase(name##_M) {                                                   \
    uint64_t ea = EA(MEM_BIN_M_ADDR, MEM_BIN_M_OFFSET);                \
    if (ea + sizeof(MEM_T_##kind) > mem_size)                          \
      TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);                              \
    MEM_T_##kind v;                                                    \
    memcpy(&v, mem_base + ea, sizeof v);                               \
    MEM_V_##kind a = MEM_IN_##kind(SLOT(MEM_BIN_M_A)), b = MEM_IN_##kind(v); \
    SLOT(MEM_BIN_M_DST) = MEM_OUT_##kind(expr);                        \
    NEXT(MEM_BIN_M);                                                   \
    vmbreak;                                                           \
  }                                                                    \
  vmcase(name##_S) {                                                   \
    uint64_t ea = EA(MEM_BIN_S_ADDR, MEM_BIN_S_OFFSET);                \
    if (ea + sizeof(MEM_T_##kind) > mem_size)                          \
      TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);                              \
    MEM_V_##kind a = MEM_IN_##kind(SLOT(MEM_BIN_S_A)),                 \
                 b = MEM_IN_##kind(SLOT(MEM_BIN_S_B));                 \
    MEM_T_##kind v = (MEM_T_##kind)MEM_OUT_##kind(expr);               \
    memcpy(mem_base + ea, &v, sizeof v);                               \
    NEXT(MEM_BIN_S);                                                   \
    vmbreak;                                                           \
  }                                                                    \
  vmcase(name##_MS) {                                                  \
    uint64_t ea = EA(MEM_BIN_MS_ADDR, MEM_BIN_MS_OFFSET);              \
    uint64_t es = EA(MEM_BIN_MS_ADDR2, MEM_BIN_MS_OFFSET2);            \
    if (ea + sizeof(MEM_T_##kind) > mem_size)                          \
      TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);                              \
    MEM_T_##kind v;                                                    \
    memcpy(&v, mem_base + ea, sizeof v);                               \
    MEM_V_##kind a = MEM_IN_##kind(SLOT(MEM_BIN_MS_A)), b = MEM_IN_##kind(v); \
    if (es + sizeof(MEM_T_##kind) > mem_size)                          \
      TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);                              \
    v = (MEM_T_##kind)MEM_OUT_##kind(expr);                            \
    memcpy(mem_base + es, &v, sizeof v);                               \
    NEXT(MEM_BIN_MS);                                                  \
    vmbreak;                                                           \
  }

/* Operator chains (VM_CHAIN_OPS), through the eval_ functions above. */
/* operand y or z: a slot, or the word itself */
#define CH_ARG(op, f) (CH_IMM_##op ? (uint32_t)ARG(f) : U32_(SLOT(f)))
#define CH_SIDE_R(second) uint32_t a = U32_(SLOT(CHAIN_Z)), b = t
#define CH_SIDE_L(second) uint32_t a = t, b = CH_ARG(second, CHAIN_Z)
#define CHAIN_CASE(name, first, second, side)                    \
  vmcase(CHAIN_##name) {                                         \
    uint32_t t;                                                  \
    {                                                            \
      uint32_t a = U32_(SLOT(CHAIN_X)), b = CH_ARG(first, CHAIN_Y); \
      t = eval_##first(a, b);                                    \
    }                                                            \
    {                                                            \
      CH_SIDE_##side(second);                                    \
      SLOT(CHAIN_DST) = eval_##second(a, b);                     \
    }                                                            \
    NEXT(CHAIN);                                                 \
    vmbreak;                                                     \
  }

/* Pairs (VM_PAIR_OPS): each op's body on the operand words at q. */
#define QSLOT(f) fp[W(q, f)]
#define P_COPY QSLOT(COPY_DST) = QSLOT(COPY_SRC)
#define P_CONST QSLOT(CONST_DST) = W(q, CONST_BITS)
#define P_I32_ADD \
  QSLOT(BIN_DST) = eval_I32_ADD(U32_(QSLOT(BIN_A)), U32_(QSLOT(BIN_B)))
#define P_BIN_I(op) \
  QSLOT(BIN_I_DST) = eval_##op(U32_(QSLOT(BIN_I_A)), (uint32_t)W(q, BIN_I_IMM))
#define P_I32_ADD_I P_BIN_I(I32_ADD_I)
#define P_I32_AND_I P_BIN_I(I32_AND_I)
#define P_I32_SUB_I P_BIN_I(I32_SUB_I)
#define P_MEM(shape, T)                                                \
  uint64_t ea = (uint64_t)U32_(QSLOT(shape##_ADDR)) + W(q, shape##_OFFSET); \
  if (ea + sizeof(T) > mem_size) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);   \
  T v
#define P_LOAD(T, conv)                                                \
  P_MEM(MEM, T);                                                       \
  memcpy(&v, mem_base + ea, sizeof v);                                 \
  QSLOT(MEM_VALUE) = conv
#define P_I32_LOAD P_LOAD(uint32_t, v)
#define P_I32_LOAD8_U P_LOAD(uint8_t, v)
#define P_I32_LOAD16_U P_LOAD(uint16_t, v)
#define P_I32_LOAD8_S P_LOAD(int8_t, (uint32_t)(int32_t)v)
/* A branch, taken, pays its target's fuel, jumps and dispatches (the
 * rest of the pair, if any, is not run); not taken, it falls through. */
/* (a plain block, not do-while: vmbreak is `break` in the switch build) */
#define P_TAKEN(shape)                                                 \
  {                                                                    \
    fuel += (int64_t)W(q, shape##_REFUND);                             \
    move_slots(fp, W(q, shape##_SRC), W(q, shape##_DST),               \
               W(q, shape##_KEEP));                                    \
    TAKE(q + VM_##shape##_TARGET);                                     \
    vmbreak;                                                           \
  }
#define P_BR_IF \
  if (U32_(QSLOT(BR_IF_COND))) P_TAKEN(BR_IF)
#define P_BR_IF_I32_NE_I \
  if (U32_(QSLOT(BR_CMP_A)) != (uint32_t)W(q, BR_CMP_B)) P_TAKEN(BR_CMP)
#define P_BR_IF_I32_EQ_I \
  if (U32_(QSLOT(BR_CMP_A)) == (uint32_t)W(q, BR_CMP_B)) P_TAKEN(BR_CMP)
#define P_BR_UNLESS                                                    \
  if (!U32_(QSLOT(BR_UNLESS_COND))) {                                  \
    fuel += (int64_t)W(q, BR_UNLESS_REFUND);                           \
    TAKE(q + VM_BR_UNLESS_TARGET);                                     \
    vmbreak;                                                           \
  }
#define P_SELECT \
  QSLOT(SELECT_DST) = U32_(QSLOT(SELECT_COND)) ? QSLOT(SELECT_A) : QSLOT(SELECT_B)
#define P_I32_STORE                                                    \
  P_MEM(MEM, uint32_t) = (uint32_t)QSLOT(MEM_VALUE);                   \
  memcpy(mem_base + ea, &v, sizeof v)
#define P_I32_STORE8_I                                                 \
  P_MEM(MEM_IMM, uint8_t) = (uint8_t)W(q, MEM_IMM_IMM);                \
  memcpy(mem_base + ea, &v, sizeof v)
#define PAIR_CASE(name, a, b)                                          \
  vmcase(PAIR_##name) {                                                \
    const vm_word *q = pc;                                             \
    pc = q + VM_LEN_PAIR_##name; /* past both, unless a branch is taken */ \
    { P_##a; }                                                         \
    q += VM_OPLEN_##a + 1;                                             \
    { P_##b; }                                                         \
    vmbreak;                                                           \
  }

/* Moves `keep` slots (branch results) from src to dst within a frame. */
static inline void move_slots(uint64_t *fp, uint64_t src, uint64_t dst,
                              uint64_t keep) {
  /* one value (a return, a block result) is the common case: no call */
  if (keep == 1) fp[dst] = fp[src];
  else if (keep && src != dst) memmove(fp + dst, fp + src, keep * sizeof *fp);
}

/* Runs f; args are already at base[0..params). Results land at base.
 * Called with entry == NULL it only stores its dispatch table in *table.
 * Never inlined or cloned: label addresses must stay those of one copy. */
__attribute__((noinline, noclone)) static wg_trap vm_run(
    wg_store *s, wg_func *entry, uint64_t *base, uint64_t *stack_end,
    uint32_t frame_base, char *message, const void *const **table) {
#ifdef VM_COMPUTED_GOTO
  static const void *const dispatch_table[VM_OP_COUNT] = {
#define VM_OP_X(name, shape) &&L_##name,
      VM_ALL_OPS
#undef VM_OP_X
  };
  if (!entry) {
    *table = dispatch_table;
    return WG_TRAP_NONE;
  }
#else
  if (!entry) {
    *table = NULL;
    return WG_TRAP_NONE;
  }
#endif
  wg_func *func = entry;
  wg_instance *inst = func->inst;
  const vm_code *code = func->code;
  uint64_t *fp = base;
  uint32_t nframes = frame_base;
  const vm_word *pc = code->code;
  wg_trap trap = WG_TRAP_NONE;
  int64_t fuel = 0;
  uint8_t *mem_base;
  uint64_t mem_size;
  wg_func *callee;
  uint64_t call_base;

  if (fp + code->local_count + code->max_stack > stack_end)
    return WG_TRAP_CALL_STACK_EXHAUSTED;
  memset(fp + func->type->param_count, 0,
         (code->local_count - func->type->param_count) * sizeof *fp);
  RELOAD_MEMORY();

  for (;;) {
    vmdispatch(*pc++) {
      vmcase(UNREACHABLE) TRAP(WG_TRAP_UNREACHABLE);
      vmcase(FUEL) {
        uint64_t n = ARG(FUEL_N);
        NEXT(FUEL);
        fuel -= (int64_t)n;
        if (fuel < 0) {
          fuel += (int64_t)n;
          trap = vm_fuel_refill(s, &fuel, n);
          if (trap) goto trapped;
          fuel -= (int64_t)n;
        }
        vmbreak;
      }
      vmcase(COPY) {
        SLOT(COPY_DST) = SLOT(COPY_SRC);
        NEXT(COPY);
        vmbreak;
      }
      vmcase(COPY2) {
        SLOT(COPY2_DST) = SLOT(COPY2_SRC);
        SLOT(COPY2_DST2) = SLOT(COPY2_SRC2);
        NEXT(COPY2);
        vmbreak;
      }
      vmcase(CONST) {
        SLOT(CONST_DST) = ARG(CONST_BITS);
        NEXT(CONST);
        vmbreak;
      }
      vmcase(JUMP) {
        TAKE_AT(JUMP_TARGET);
        vmbreak;
      }
      vmcase(BR) {
        move_slots(fp, ARG(BR_SRC), ARG(BR_DST), ARG(BR_KEEP));
        TAKE_AT(BR_TARGET);
        vmbreak;
      }
      vmcase(BR_IF) {
        if (U32_(SLOT(BR_IF_COND))) {
          fuel += (int64_t)ARG(BR_IF_REFUND);
          move_slots(fp, ARG(BR_IF_SRC), ARG(BR_IF_DST), ARG(BR_IF_KEEP));
          TAKE_AT(BR_IF_TARGET);
        } else {
          NEXT(BR_IF);
        }
        vmbreak;
      }
      vmcase(BR_UNLESS) {
        if (!U32_(SLOT(BR_UNLESS_COND))) {
          fuel += (int64_t)ARG(BR_UNLESS_REFUND);
          TAKE_AT(BR_UNLESS_TARGET);
        } else {
          NEXT(BR_UNLESS);
        }
        vmbreak;
      }
      vmcase(BR_TABLE) {
        uint32_t i = U32_(SLOT(BR_TABLE_INDEX));
        uint64_t n = ARG(BR_TABLE_N);
        const vm_word *e = pc + VM_BR_TABLE_ENTRIES +
                           VM_BR_TABLE_ENTRY_LEN * (i < n ? i : n);
        move_slots(fp, ARG(BR_TABLE_SRC), W(e, BR_TABLE_ENTRY_DST),
                   ARG(BR_TABLE_KEEP));
        TAKE(e);
        vmbreak;
      }
      vmcase(RETURN) {
        move_slots(fp, ARG(RETURN_SRC), 0, ARG(RETURN_KEEP));
        if (nframes == frame_base) goto done;
        vm_frame *fr = &s->frames[--nframes];
        pc = fr->ret_pc;
        fp = fr->fp;
        func = fr->func;
        code = func->code;
        inst = func->inst;
        /* the caller's frame was checked when it was entered */
        WG_ASSERT(fp >= base && fp + code->local_count + code->max_stack <= stack_end);
        RELOAD_MEMORY();
        vmbreak;
      }
      vmcase(CALL) {
        callee = inst->funcs[ARG(CALL_FUNC)];
        call_base = ARG(CALL_BASE);
        NEXT(CALL);
      call: {
        if (callee->host) {
          s->stack_top = fp + code->local_count + code->max_stack;
          s->frame_top = nframes;
          trap = call_host(s, inst, callee, fp + call_base, message);
          if (trap) goto trapped;
          /* a slow host function may have used up the call's time */
          if (s->limits.deadline_ns || s->limits.cancel) {
            trap = vm_check_time(s);
            if (trap) goto trapped;
          }
          RELOAD_MEMORY();
          vmbreak;
        }
        const vm_code *cc = callee->code;
        uint64_t *nfp = fp + call_base;
        uint32_t np = callee->type->param_count;
        /* the compiler put the arguments inside the caller's frame */
        WG_ASSERT(call_base + np <= (uint64_t)code->local_count + code->max_stack);
        if (nframes >= s->frame_cap ||
            nfp + cc->local_count + cc->max_stack > stack_end)
          TRAP(WG_TRAP_CALL_STACK_EXHAUSTED);
        vm_frame *fr = &s->frames[nframes++];
        fr->ret_pc = pc;
        fr->fp = fp;
        fr->func = func;
        /* zero the callee's other locals (no memset call for a few) */
        uint32_t nl = cc->local_count - np;
        if (nl <= 4) {
          for (uint32_t i = 0; i < nl; i++) nfp[np + i] = 0;
        } else {
          memset(nfp + np, 0, nl * sizeof *nfp);
        }
        fp = nfp;
        func = callee;
        code = cc;
        /* the call pays the entry block's FUEL and starts past it */
        pc = cc->code + 1 + VM_LEN_FUEL;
        CHARGE(W(cc->code + 1, FUEL_N));
        if (callee->inst != inst) {
          inst = callee->inst;
          RELOAD_MEMORY();
        }
        vmbreak;
      }
      }
      vmcase(CALL_INDIRECT) {
        const wg_functype *want = &inst->mod->types[ARG(CALL_INDIRECT_TYPE)];
        wg_table *t = inst->tables[ARG(CALL_INDIRECT_TABLE)];
        uint32_t i = U32_(SLOT(CALL_INDIRECT_INDEX));
        call_base = ARG(CALL_INDIRECT_BASE);
        NEXT(CALL_INDIRECT);
        if (i >= t->size) TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
        callee = (wg_func *)(uintptr_t)t->elems[i];
        if (!callee) TRAP(WG_TRAP_UNINITIALIZED_ELEMENT);
        if (callee->type != want && !vm_functype_equal(callee->type, want))
          TRAP(WG_TRAP_INDIRECT_CALL_TYPE_MISMATCH);
        goto call;
      }
      vmcase(SELECT) {
        SLOT(SELECT_DST) =
            U32_(SLOT(SELECT_COND)) ? SLOT(SELECT_A) : SLOT(SELECT_B);
        NEXT(SELECT);
        vmbreak;
      }
      vmcase(GLOBAL_GET) {
        SLOT(GLOBAL_SLOT) = inst->globals[ARG(GLOBAL_INDEX)]->value;
        NEXT(GLOBAL);
        vmbreak;
      }
      vmcase(GLOBAL_SET) {
        inst->globals[ARG(GLOBAL_INDEX)]->value = SLOT(GLOBAL_SLOT);
        NEXT(GLOBAL);
        vmbreak;
      }
      vmcase(TABLE_GET) {
        wg_table *t = inst->tables[ARG(TABLE_ACCESS_TABLE)];
        uint32_t i = U32_(SLOT(TABLE_ACCESS_INDEX));
        if (i >= t->size) TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
        SLOT(TABLE_ACCESS_VALUE) = t->elems[i];
        NEXT(TABLE_ACCESS);
        vmbreak;
      }
      vmcase(TABLE_SET) {
        wg_table *t = inst->tables[ARG(TABLE_ACCESS_TABLE)];
        uint32_t i = U32_(SLOT(TABLE_ACCESS_INDEX));
        if (i >= t->size) TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
        t->elems[i] = SLOT(TABLE_ACCESS_VALUE);
        NEXT(TABLE_ACCESS);
        vmbreak;
      }
      VM_LOAD_OPS(LOAD)
      VM_STORE_IMM_OPS(STORE)
      vmcase(MEMORY_SIZE) {
        SLOT(MEMORY_SIZE_DST) = inst->mem0->pages;
        NEXT(MEMORY_SIZE);
        vmbreak;
      }
      vmcase(MEMORY_GROW) {
        int64_t r = vm_memory_grow(inst->mem0, U32_(SLOT(UN_A)));
        SLOT(UN_DST) = (uint32_t)r;
        NEXT(UN);
        RELOAD_MEMORY();
        vmbreak;
      }
      UN(I32_EQZ, U32_(a) == 0)
      VM_IMM_OPS(PLAIN_CASE)
      UN(I64_EQZ, a == 0)
      BINF32(F32_EQ, (uint32_t)(a == b))
      BINF32(F32_NE, (uint32_t)(a != b))
      BINF32(F32_LT, (uint32_t)(a < b))
      BINF32(F32_GT, (uint32_t)(a > b))
      BINF32(F32_LE, (uint32_t)(a <= b))
      BINF32(F32_GE, (uint32_t)(a >= b))
      BINF64(F64_EQ, (uint32_t)(a == b))
      BINF64(F64_NE, (uint32_t)(a != b))
      BINF64(F64_LT, (uint32_t)(a < b))
      BINF64(F64_GT, (uint32_t)(a > b))
      BINF64(F64_LE, (uint32_t)(a <= b))
      BINF64(F64_GE, (uint32_t)(a >= b))

      UN(I32_CLZ, U32_(a) ? (uint64_t)__builtin_clz(U32_(a)) : 32)
      UN(I32_CTZ, U32_(a) ? (uint64_t)__builtin_ctz(U32_(a)) : 32)
      UN(I32_POPCNT, (uint64_t)__builtin_popcount(U32_(a)))
      DIVOP(I32_DIV_S, int32_t, I32_, uint32_t, a == INT32_MIN && b == -1, a / b)
      DIVOP(I32_DIV_U, uint32_t, U32_, uint32_t, 0, a / b)
      DIVOP(I32_REM_S, int32_t, I32_, uint32_t, 0, (b == -1) ? 0 : (uint32_t)(a % b))
      DIVOP(I32_REM_U, uint32_t, U32_, uint32_t, 0, a % b)

      UN(I64_CLZ, a ? (uint64_t)__builtin_clzll(a) : 64)
      UN(I64_CTZ, a ? (uint64_t)__builtin_ctzll(a) : 64)
      UN(I64_POPCNT, (uint64_t)__builtin_popcountll(a))
      DIVOP(I64_DIV_S, int64_t, (int64_t), uint64_t, a == INT64_MIN && b == -1, a / b)
      DIVOP(I64_DIV_U, uint64_t, (uint64_t), uint64_t, 0, a / b)
      DIVOP(I64_REM_S, int64_t, (int64_t), uint64_t, 0, (b == -1) ? 0 : (uint64_t)(a % b))
      DIVOP(I64_REM_U, uint64_t, (uint64_t), uint64_t, 0, a % b)

      UN(F32_ABS, a & 0x7fffffffu)
      UN(F32_NEG, (a ^ 0x80000000u) & 0xffffffffu)
      UN(F32_CEIL, quiet32(a, bits_f32(ceilf(f32_of(a)))))
      UN(F32_FLOOR, quiet32(a, bits_f32(floorf(f32_of(a)))))
      UN(F32_TRUNC, quiet32(a, bits_f32(truncf(f32_of(a)))))
      UN(F32_NEAREST, quiet32(a, bits_f32(nearbyintf(f32_of(a)))))
      UN(F32_SQRT, bits_f32(sqrtf(f32_of(a))))
      BINF32(F32_ADD, bits_f32(a + b))
      BINF32(F32_SUB, bits_f32(a - b))
      BINF32(F32_MUL, bits_f32(a * b))
      BINF32(F32_DIV, bits_f32(a / b))
      BINF32(F32_MIN, bits_f32(vm_fminf(a, b)))
      BINF32(F32_MAX, bits_f32(vm_fmaxf(a, b)))
      BIN32(F32_COPYSIGN, (a & 0x7fffffffu) | (b & 0x80000000u))
      UN(F64_ABS, a & 0x7fffffffffffffffull)
      UN(F64_NEG, a ^ 0x8000000000000000ull)
      UN(F64_CEIL, quiet64(a, bits_f64(ceil(f64_of(a)))))
      UN(F64_FLOOR, quiet64(a, bits_f64(floor(f64_of(a)))))
      UN(F64_TRUNC, quiet64(a, bits_f64(trunc(f64_of(a)))))
      UN(F64_NEAREST, quiet64(a, bits_f64(nearbyint(f64_of(a)))))
      UN(F64_SQRT, bits_f64(sqrt(f64_of(a))))
      BINF64(F64_ADD, bits_f64(a + b))
      BINF64(F64_SUB, bits_f64(a - b))
      BINF64(F64_MUL, bits_f64(a * b))
      BINF64(F64_DIV, bits_f64(a / b))
      BINF64(F64_MIN, bits_f64(vm_fmin(a, b)))
      BINF64(F64_MAX, bits_f64(vm_fmax(a, b)))
      BIN64(F64_COPYSIGN, (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull))

      UN(I32_WRAP_I64, U32_(a))
      TRUNC(I32_TRUNC_F32_S, f32_of, -2147483649.0, 2147483648.0, int32_t)
      TRUNC(I32_TRUNC_F32_U, f32_of, -1.0, 4294967296.0, uint32_t)
      TRUNC(I32_TRUNC_F64_S, f64_of, -2147483649.0, 2147483648.0, int32_t)
      TRUNC(I32_TRUNC_F64_U, f64_of, -1.0, 4294967296.0, uint32_t)
      UN(I64_EXTEND_I32_S, (uint64_t)(int64_t)I32_(a))
      UN(I64_EXTEND_I32_U, (uint64_t)U32_(a))
      TRUNC(I64_TRUNC_F32_S, f32_of, -9223372036854777856.0, 9223372036854775808.0, int64_t)
      TRUNC(I64_TRUNC_F32_U, f32_of, -1.0, 18446744073709551616.0, uint64_t)
      TRUNC(I64_TRUNC_F64_S, f64_of, -9223372036854777856.0, 9223372036854775808.0, int64_t)
      TRUNC(I64_TRUNC_F64_U, f64_of, -1.0, 18446744073709551616.0, uint64_t)
      UN(F32_CONVERT_I32_S, bits_f32((float)I32_(a)))
      UN(F32_CONVERT_I32_U, bits_f32((float)U32_(a)))
      UN(F32_CONVERT_I64_S, bits_f32((float)(int64_t)a))
      UN(F32_CONVERT_I64_U, bits_f32((float)a))
      UN(F32_DEMOTE_F64, bits_f32((float)f64_of(a)))
      UN(F64_CONVERT_I32_S, bits_f64((double)I32_(a)))
      UN(F64_CONVERT_I32_U, bits_f64((double)U32_(a)))
      UN(F64_CONVERT_I64_S, bits_f64((double)(int64_t)a))
      UN(F64_CONVERT_I64_U, bits_f64((double)a))
      UN(F64_PROMOTE_F32, bits_f64((double)f32_of(a)))
      UN(I32_REINTERPRET_F32, a)
      UN(I64_REINTERPRET_F64, a)
      UN(F32_REINTERPRET_I32, a)
      UN(F64_REINTERPRET_I64, a)
      UN(I32_EXTEND8_S, (uint32_t)(int32_t)(int8_t)(uint8_t)a)
      UN(I32_EXTEND16_S, (uint32_t)(int32_t)(int16_t)(uint16_t)a)
      UN(I64_EXTEND8_S, (uint64_t)(int64_t)(int8_t)(uint8_t)a)
      UN(I64_EXTEND16_S, (uint64_t)(int64_t)(int16_t)(uint16_t)a)
      UN(I64_EXTEND32_S, (uint64_t)(int64_t)(int32_t)(uint32_t)a)

      UN(I32_TRUNC_SAT_F32_S, (uint32_t)sat_s(f32_of(a), -2147483649.0, 2147483648.0, INT32_MIN, INT32_MAX))
      UN(I32_TRUNC_SAT_F32_U, (uint32_t)sat_u(f32_of(a), 4294967296.0, UINT32_MAX))
      UN(I32_TRUNC_SAT_F64_S, (uint32_t)sat_s(f64_of(a), -2147483649.0, 2147483648.0, INT32_MIN, INT32_MAX))
      UN(I32_TRUNC_SAT_F64_U, (uint32_t)sat_u(f64_of(a), 4294967296.0, UINT32_MAX))
      UN(I64_TRUNC_SAT_F32_S, (uint64_t)sat_s(f32_of(a), -9223372036854777856.0, 9223372036854775808.0, INT64_MIN, INT64_MAX))
      UN(I64_TRUNC_SAT_F32_U, sat_u(f32_of(a), 18446744073709551616.0, UINT64_MAX))
      UN(I64_TRUNC_SAT_F64_S, (uint64_t)sat_s(f64_of(a), -9223372036854777856.0, 9223372036854775808.0, INT64_MIN, INT64_MAX))
      UN(I64_TRUNC_SAT_F64_U, sat_u(f64_of(a), 18446744073709551616.0, UINT64_MAX))

      VM_IMM_OPS(IMM_CASE)
      VM_CMP_BR(BR_CMP_CASE)
      VM_STORE_IMM_OPS(STORE_IMM)
      VM_LOAD_OPS(LOAD_ADD)
      VM_MEM_BIN_OPS(MEM_BIN_CASE)
      VM_CHAIN_OPS(CHAIN_CASE)
      VM_PAIR_OPS(PAIR_CASE)

      /* Bulk operations: bounds first (a trap costs only the instruction),
       * then the charge for the length, then the work in chunks. */
      vmcase(MEMORY_INIT) {
        uint32_t dst = U32_(SLOT(MEMORY_INIT_D));
        uint32_t src = U32_(SLOT(MEMORY_INIT_S)), n = U32_(SLOT(MEMORY_INIT_N));
        uint32_t seg = (uint32_t)ARG(MEMORY_INIT_SEG);
        NEXT(MEMORY_INIT);
        if (!memory_init_ok(inst, seg, dst, src, n))
          TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);
        CHARGE(n / 64);
        trap = memory_init(s, inst, seg, dst, src, n);
        if (trap) goto trapped;
        vmbreak;
      }
      vmcase(DATA_DROP) {
        inst->data_dropped[ARG(DROP_SEG)] = true;
        NEXT(DROP);
        vmbreak;
      }
      vmcase(MEMORY_COPY) {
        uint32_t dst = U32_(SLOT(BULK_D)), src = U32_(SLOT(BULK_S));
        uint32_t n = U32_(SLOT(BULK_N));
        NEXT(BULK);
        if (!range_ok(src, n, mem_size) || !range_ok(dst, n, mem_size))
          TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);
        CHARGE(n / 64);
        trap = chunked_move(s, mem_base + dst, mem_base + src, n, 1,
                            VM_BULK_CHUNK);
        if (trap) goto trapped;
        vmbreak;
      }
      vmcase(MEMORY_FILL) {
        uint32_t dst = U32_(SLOT(BULK_D)), v = U32_(SLOT(BULK_V));
        uint32_t n = U32_(SLOT(BULK_N));
        NEXT(BULK);
        if (!range_ok(dst, n, mem_size)) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);
        CHARGE(n / 64);
        trap = memory_fill(s, inst->mem0, dst, v, n);
        if (trap) goto trapped;
        vmbreak;
      }
      vmcase(TABLE_INIT) {
        uint32_t dst = U32_(SLOT(TABLE_BULK_D)), src = U32_(SLOT(TABLE_BULK_S));
        uint32_t n = U32_(SLOT(TABLE_BULK_N));
        uint32_t seg = (uint32_t)ARG(TABLE_BULK_X);
        uint32_t tab = (uint32_t)ARG(TABLE_BULK_Y);
        NEXT(TABLE_BULK);
        if (!table_init_ok(inst, seg, tab, dst, src, n))
          TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
        CHARGE(n);
        trap = table_init(s, inst, seg, tab, dst, src, n);
        if (trap) goto trapped;
        vmbreak;
      }
      vmcase(ELEM_DROP) {
        inst->elem_dropped[ARG(DROP_SEG)] = true;
        NEXT(DROP);
        vmbreak;
      }
      vmcase(TABLE_COPY) {
        uint32_t dst = U32_(SLOT(TABLE_BULK_D)), src = U32_(SLOT(TABLE_BULK_S));
        uint32_t n = U32_(SLOT(TABLE_BULK_N));
        wg_table *dt = inst->tables[ARG(TABLE_BULK_X)];
        wg_table *st = inst->tables[ARG(TABLE_BULK_Y)];
        NEXT(TABLE_BULK);
        if (!range_ok(src, n, st->size) || !range_ok(dst, n, dt->size))
          TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
        CHARGE(n);
        trap = chunked_move(s, (uint8_t *)(dt->elems + dst),
                            (const uint8_t *)(st->elems + src), n,
                            sizeof *dt->elems, VM_TABLE_CHUNK);
        if (trap) goto trapped;
        vmbreak;
      }
      vmcase(TABLE_GROW) {
        /* a grow that cannot succeed returns -1 and costs nothing more */
        uint64_t init = SLOT(TABLE_GROW_INIT);
        uint32_t n = U32_(SLOT(TABLE_GROW_N));
        wg_table *t = inst->tables[ARG(TABLE_GROW_TABLE)];
        int64_t r = -1;
        if (vm_table_can_grow(t, n)) {
          CHARGE(n);
          trap = vm_table_grow_checked(t, n, init, true, &r);
          if (trap) goto trapped;
          if (r < 0) fuel += n; /* host memory ran out: refunded */
        }
        SLOT(TABLE_GROW_DST) = (uint32_t)r;
        NEXT(TABLE_GROW);
        vmbreak;
      }
      vmcase(TABLE_SIZE) {
        SLOT(INDEX_DST_DST) = inst->tables[ARG(INDEX_DST_INDEX)]->size;
        NEXT(INDEX_DST);
        vmbreak;
      }
      vmcase(TABLE_FILL) {
        uint32_t dst = U32_(SLOT(TABLE_FILL_D)), n = U32_(SLOT(TABLE_FILL_N));
        uint64_t v = SLOT(TABLE_FILL_V);
        wg_table *t = inst->tables[ARG(TABLE_FILL_TABLE)];
        NEXT(TABLE_FILL);
        if (!range_ok(dst, n, t->size)) TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
        CHARGE(n);
        trap = table_fill(s, t, dst, v, n);
        if (trap) goto trapped;
        vmbreak;
      }
      vmcase(REF_IS_NULL) {
        SLOT(UN_DST) = SLOT(UN_A) == 0;
        NEXT(UN);
        vmbreak;
      }
      vmcase(REF_FUNC) {
        SLOT(INDEX_DST_DST) =
            (uint64_t)(uintptr_t)inst->funcs[ARG(INDEX_DST_INDEX)];
        NEXT(INDEX_DST);
        vmbreak;
      }
#ifndef VM_COMPUTED_GOTO
      default:
        TRAP(WG_TRAP_UNREACHABLE); /* cannot happen: code is validated */
#endif
    }
  }
done:
trapped:
  /* unused fuel of the slice goes back to the store */
  if (s->fuel_remaining != UINT64_MAX) s->fuel_remaining += (uint64_t)fuel;
  s->fuel_used -= (uint64_t)fuel;
  return trap;
}

const void *const *vm_dispatch_table(void) {
  const void *const *table = NULL;
  vm_run(NULL, NULL, NULL, NULL, 0, NULL, &table);
  return table;
}

/* Entry point: sets up the stacks (allocated once per store), copies args,
 * runs, copies results. Host functions called directly run without a frame.
 * A call from inside a host function (host re-entry) nests on the C stack:
 * s->depth counts the nesting (at most WG_MAX_HOST_REENTRY), and each
 * level also takes one of the max_call_depth frames. */
static wg_trap invoke(wg_store *s, wg_func *f, uint64_t *args,
                      uint64_t *results, char *message);

wg_trap vm_invoke(wg_store *s, wg_func *f, uint64_t *args, uint64_t *results,
                  char *message) {
  if (s->depth > WG_MAX_HOST_REENTRY) return WG_TRAP_CALL_STACK_EXHAUSTED;
  s->depth++;
  wg_trap t = invoke(s, f, args, results, message);
  s->depth--;
  return t;
}

static wg_trap invoke(wg_store *s, wg_func *f, uint64_t *args,
                      uint64_t *results, char *message) {
  const wg_functype *t = f->type;
  if (!s->stack && !vm_store_stacks(s)) return WG_TRAP_CALL_STACK_EXHAUSTED;
  uint64_t *base = s->stack_top;
  uint32_t saved_frame_top = s->frame_top;
  uint32_t frame_base = s->frame_top + (s->depth > 1);
  uint64_t *end = s->stack + s->stack_slots;
  size_t need = t->param_count > t->result_count ? t->param_count : t->result_count;
  if ((size_t)(end - base) < need + 1 || frame_base >= s->frame_cap)
    return WG_TRAP_CALL_STACK_EXHAUSTED;
  if (t->param_count) memcpy(base, args, t->param_count * sizeof *base);
  wg_trap trap;
  if (f->host) {
    s->stack_top = base + need;
    trap = call_host(s, NULL, f, base, message);
  } else {
    trap = vm_run(s, f, base, end, frame_base, message, NULL);
  }
  s->stack_top = base;
  s->frame_top = saved_frame_top;
  if (trap == WG_TRAP_NONE && t->result_count)
    memcpy(results, base, t->result_count * sizeof *base);
  return trap;
}
