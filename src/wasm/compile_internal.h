/* compile_internal.h: what the files of the body compiler share.
 *
 * compile.c (entry points, locals, the per-body driver), skim.c (syntax
 * pre-pass), validate.c (operand and control stacks), emit.c (code words,
 * blocks, fixups, final passes), fuse.c (numeric and memory instructions
 * and their superinstructions), control.c (control instructions) and
 * instr.c (dispatch and the other instructions) all work on one compiler
 * state, cc, and go by the opcode table (wasm_ops.h). The rest of src/wasm sees only vm_compile_body,
 * vm_compile_done and vm_opcode_exists (vm_module.h). */
#ifndef WG_WASM_COMPILE_INTERNAL_H
#define WG_WASM_COMPILE_INTERNAL_H

#include "vm_module.h"
#include "vm_opcodes.h"
#include "wasm_ops.h"

#define NO_FIXUP ((size_t)-1)
#define T_UNKNOWN 0
#define VM_LAZY_WINDOW 32
#define CONST_LOC 0x80000000u /* loc flag: lazy constant, index in consts */

typedef enum ctl_kind { CTL_BLOCK, CTL_LOOP, CTL_IF, CTL_ELSE, CTL_FUNC } ctl_kind;

typedef struct ctl {
  ctl_kind kind;
  uint32_t nparams, nresults;
  const wg_valtype *params, *results;
  uint32_t height;
  bool unreachable;
  size_t loop_pc;
  size_t fixups;     /* chain of words to patch with the end pc */
  size_t else_fixup; /* BR_UNLESS target of an `if` */
  uint32_t brt_stamp; /* cc.brt_serial of the last br_table that checked it */
} ctl;

typedef struct cc {
  vm_module *m;
  vm_reader *r;
  wg_wasm_error *err;
  const wg_functype *ft;
  uint32_t nlocals;
  uint64_t declared_locals; /* after the params (the syntax pass sums them) */
  uint8_t *locals;
  uint32_t *refs;    /* per local: lazy stack entries reading it */
  size_t caplocals, caprefs;
  uint8_t *vals;     /* operand types */
  uint32_t *locs;    /* operand slots, parallel to vals */
  uint64_t *consts;  /* values of lazy constants */
  size_t nconsts, capconsts;
  size_t nvals, capvals, caplocs, maxvals;
  size_t lazy_count, lowest_lazy;
  size_t last_dst;   /* dst word of the last value-producing instruction */
  size_t last_end;   /* code length right after it */
  size_t last_start; /* its first word, if it is a numeric operator */
  size_t last_load;  /* its first word, if it is a plain full-width load */
  size_t last_copy;  /* first word of a COPY ending at ncode (COPY2) */
  ctl *ctls;
  size_t nctls, capctls;
  vm_word *code;
  size_t ncode, capcode;
  size_t fuel_pos;
  size_t *ops;       /* index of every opcode word, for direct threading */
  size_t nops, capops;
  size_t *targets;   /* every branch target word (vm_fold_fuel) */
  size_t ntargets, captargets;
  size_t *refunds;   /* refund words of conditional branches in the block */
  size_t nrefunds, caprefunds;
  size_t scratch;    /* bytes of the buffers above (the build's budget) */
  uint64_t work;     /* validation work: instructions, types pushed, popped
                        or compared (WG_WASM_VALIDATE_WORK_PER_BYTE) */
  uint64_t work_max, work_ticked;
  uint32_t brt_serial; /* br_table being validated (ctl.brt_stamp) */
  /* The top `chk_arity` operand types were checked against label types
   * `chk_types` when the stack height was `chk_nvals`, and nothing at or
   * below that height has been popped since (br_if, br_table). */
  const wg_valtype *chk_types;
  uint32_t chk_arity;
  size_t chk_nvals;
  bool oom;
} cc;

/* The error macros (reader_internal.h) on the compiler state c, which
 * holds the reader and the error; C-suffixed apart from decode.c's forms,
 * which take a reader and an `err` parameter. */
#define OFF(c) VM_OFFSET((c)->r)
/* A failed allocation: over the build's memory budget, or out of memory. */
#define OOMC(c) return vm_build_oom((c)->m, OFF(c), (c)->err)
#define FAILC(c, res, ...) VM_FAIL((c)->err, (res), (c)->r, __VA_ARGS__)
#define INVALIDC(c, ...) FAILC(c, WG_WASM_INVALID, __VA_ARGS__)
#define MALFORMEDC(c, ...) FAILC(c, WG_WASM_MALFORMED, __VA_ARGS__)
/* READC needs `rmsg_` passed to the reader: */
#define READC(call) VM_READ(c->err, c->r, call)
#define U32C(out) READC(vm_read_u32(c->r, (out), &rmsg_))

/* Grows a scratch buffer geometrically; every byte counts against the
 * build's memory budget until the function is compiled. */
__attribute__((noinline)) bool vm_grow_slow(cc *c, void **p, size_t *cap,
                                        size_t need, size_t elem);
static inline bool grow(cc *c, void **p, size_t *cap, size_t need,
                        size_t elem) {
  return need <= *cap || vm_grow_slow(c, p, cap, need, elem);
}

static inline void emit(cc *c, vm_word w) {
  if (__builtin_expect(c->ncode >= c->capcode, 0) &&
      !grow(c, (void **)&c->code, &c->capcode, c->ncode + 1, sizeof *c->code)) {
    c->oom = true;
    return;
  }
  c->code[c->ncode++] = w;
}

static inline uint32_t home(const cc *c, size_t h) {
  return c->nlocals + (uint32_t)h;
}

static inline bool is_num(uint8_t t) {
  return t == WG_I32 || t == WG_I64 || t == WG_F32 || t == WG_F64;
}
static inline bool is_ref(uint8_t t) {
  return t == WG_FUNCREF || t == WG_EXTERNREF;
}

/* emit.c */
void vm_emit_op(cc *c, vm_op op);
void vm_emit_dst(cc *c, uint32_t slot);
void vm_emit_copy(cc *c, uint32_t src, uint32_t dst);
void vm_emit_refund(cc *c);
void vm_close_block(cc *c);
void vm_begin_block(cc *c);
void vm_note_target(cc *c, vm_word charge);
vm_word vm_move_charge(uint32_t keep);
void vm_emit_return(cc *c, uint32_t src, uint32_t keep);
void vm_emit_fixup(cc *c, size_t *chain, vm_word charge);
void vm_fold_fuel(cc *c);
void vm_pair_pass(cc *c);
void vm_patch_chain(cc *c, size_t chain, size_t target);
void vm_cut_last(cc *c, size_t start, size_t end);

/* validate.c */
uint32_t vm_push(cc *c, uint8_t t);
void vm_materialize_all(cc *c);
void vm_materialize_local(cc *c, uint32_t x);
void vm_push_lazy(cc *c, uint8_t t, uint32_t x);
wg_wasm_code vm_popl(cc *c, uint8_t want, uint8_t *got, uint32_t *loc);
wg_wasm_code vm_pop(cc *c, uint8_t want, uint8_t *got);
wg_wasm_code vm_pop_vals(cc *c, uint32_t n, const wg_valtype *ts);
void vm_push_vals(cc *c, uint32_t n, const wg_valtype *ts);
void vm_set_unreachable(cc *c);
wg_wasm_code vm_check_top(cc *c, uint32_t a, const wg_valtype *ts,
                            bool refine);
wg_wasm_code vm_push_ctl(cc *c, ctl_kind kind, const ctl *bt);
uint32_t vm_label_arity(const ctl *k);
const wg_valtype *vm_label_types(const ctl *k);
wg_wasm_code vm_read_blocktype(cc *c, ctl *bt);
void vm_emit_target(cc *c, uint32_t l, vm_word charge);
uint32_t vm_label_dst(const cc *c, uint32_t l);
wg_wasm_code vm_read_label(cc *c, uint32_t *l);

/* fuse.c */
wg_wasm_code vm_numeric(cc *c, vm_op op, uint8_t ta, uint8_t tb,
                          uint8_t to);
wg_wasm_code vm_load(cc *c, uint8_t type, uint8_t natural, vm_op plain,
                     vm_op folded);
wg_wasm_code vm_store(cc *c, uint8_t type, uint8_t natural, vm_op plain,
                      vm_op with_imm);
bool vm_emit_cond_branch(cc *c, uint32_t lc, bool at_home, bool negate,
                         vm_op plain);
void vm_materialize_under(cc *c, uint32_t lc);

/* control.c */
wg_wasm_code vm_control(cc *c, uint8_t op);

/* instr.c */
wg_wasm_code vm_zero_byte(cc *c);
wg_wasm_code vm_instruction(cc *c, uint8_t op);

/* skim.c */
wg_wasm_code vm_skim_body(cc *c);
/* A block type's syntax: *single is WASM_BLOCK_EMPTY or the one result's
 * value type, or 0 and *idx the type index (not yet checked against the
 * module's types). */
wg_wasm_code vm_blocktype_syntax(cc *c, uint8_t *single, int64_t *idx);

/* compile.c */
wg_wasm_code vm_compile_tick(cc *c);

#endif
