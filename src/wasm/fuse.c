/* fuse.c: the instructions whose code fuses into superinstructions
 * (vm_opcodes.h): numeric operators (immediate forms, chains), loads and
 * stores (folded address, load-operand and store-result forms), and the
 * comparison a conditional branch takes over. Each looks at the
 * instruction just emitted (last_start, last_dst, last_load) and replaces
 * it when the two have a fused form. */
#include <string.h>

#include "compile_internal.h"

/* Emits `op a [b] dst` for a numeric operator: pops its operands, pushes
 * its result. */
static vm_op imm_form(vm_op op) {
  switch (op) {
#define VM_IMM_CASE(name, kind, expr) \
  case VM_OP_##name:                  \
    return VM_OP_##name##_I;
    VM_IMM_OPS(VM_IMM_CASE)
#undef VM_IMM_CASE
    default:
      return VM_OP_COUNT;
  }
}

/* Pops the top operand if it is a lazy constant of type t. */
static bool take_const(cc *c, uint8_t t, uint64_t *imm) {
  size_t top = c->nvals - 1;
  if (c->nvals <= c->ctls[c->nctls - 1].height ||
      !(c->locs[top] & CONST_LOC) || c->vals[top] != t)
    return false;
  *imm = c->consts[c->locs[top] & ~CONST_LOC];
  c->nvals--;
  if (c->nvals < c->chk_nvals) c->chk_types = NULL;
  if (--c->lazy_count == 0) c->lowest_lazy = NO_FIXUP;
  return true;
}

/* Whether operand slot lb (just popped, the right operand of op) was
 * produced by the last instruction, a full-width load of op's type: then
 * the load folds into op (VM_MEM_BIN_OPS), and *m is the fused form. */
static bool loaded_operand(const cc *c, vm_op op, uint32_t lb, vm_op *m) {
  if (c->last_load == NO_FIXUP || c->last_dst == NO_FIXUP ||
      c->last_end != c->ncode || c->code[c->last_dst] != lb ||
      lb != home(c, c->nvals + 1))
    return false;
  vm_word load = c->code[c->last_load];
  switch (op) {
#define VM_MEM_M_CASE(name, kind, expr)          \
  case VM_OP_##name:                             \
    *m = VM_OP_##name##_M;                       \
    return load == VM_OP_##kind##_LOAD;
    VM_MEM_BIN_OPS(VM_MEM_M_CASE)
#undef VM_MEM_M_CASE
    default:
      return false;
  }
}

/* The fused store form of the last instruction (VM_MEM_BIN_OPS) when it
 * is an operator of the store's own type whose result, in slot lv (just
 * popped), the store writes. */
static bool stored_result(const cc *c, vm_op store, uint32_t lv, vm_op *s) {
  if (c->last_start == NO_FIXUP || c->last_dst == NO_FIXUP ||
      c->last_end != c->ncode || c->code[c->last_dst] != lv ||
      lv != home(c, c->nvals + 1))
    return false;
  switch (c->code[c->last_start]) {
#define VM_MEM_S_CASE(name, kind, expr)          \
  case VM_OP_##name:                             \
    *s = VM_OP_##name##_S;                       \
    return store == VM_OP_##kind##_STORE;        \
  case VM_OP_##name##_M:                         \
    *s = VM_OP_##name##_MS;                      \
    return store == VM_OP_##kind##_STORE;
    VM_MEM_BIN_OPS(VM_MEM_S_CASE)
#undef VM_MEM_S_CASE
    default:
      return false;
  }
}

/* Whether slot `slot` (at operand height h, just popped) holds the result
 * of the last instruction emitted, a numeric operator. */
static bool produced_last(const cc *c, uint32_t slot, size_t h) {
  return c->last_start != NO_FIXUP && c->last_dst != NO_FIXUP &&
         c->last_end == c->ncode && c->code[c->last_dst] == slot &&
         slot == home(c, h);
}

/* The fused form (VM_CHAIN_OPS) of `first` followed by `second` taking
 * its result on `side`, or VM_OP_COUNT. */
static vm_op chain_op(vm_word first, vm_op second, char side) {
#define VM_CHAIN_CASE(name, f, sec, sd)                                  \
  if (first == VM_OP_##f && second == VM_OP_##sec && side == #sd[0]) \
    return VM_OP_CHAIN_##name;
  VM_CHAIN_OPS(VM_CHAIN_CASE)
#undef VM_CHAIN_CASE
  return VM_OP_COUNT;
}

/* Emits `op x y z dst`, the last instruction (x, y) folded in as the
 * first operator of a chain. */
static void emit_chain(cc *c, vm_op op, uint32_t z, uint32_t d) {
  const vm_word *last = c->code + c->last_start + 1; /* BIN or BIN_I */
  vm_word x = last[VM_BIN_A], y = last[VM_BIN_B];
  vm_cut_last(c, c->last_start, c->last_end);
  size_t start = c->ncode;
  vm_emit_op(c, op);
  emit(c, x);
  emit(c, y);
  emit(c, z);
  vm_emit_dst(c, d);
  c->last_start = start;
}

wg_wasm_code vm_numeric(cc *c, vm_op op, uint8_t ta, uint8_t tb,
                              uint8_t to) {
  uint32_t la, lb = 0;
  uint64_t imm;
  if (tb && imm_form(op) != VM_OP_COUNT && take_const(c, tb, &imm)) {
    TRY(vm_popl(c, ta, NULL, &la));
    vm_op ch = produced_last(c, la, c->nvals)
                   ? chain_op(c->code[c->last_start], imm_form(op), 'L')
                   : VM_OP_COUNT;
    uint32_t d = vm_push(c, to);
    if (ch != VM_OP_COUNT) {
      emit_chain(c, ch, (uint32_t)imm, d);
      return WG_WASM_OK;
    }
    size_t start = c->ncode;
    vm_emit_op(c, imm_form(op));
    emit(c, la);
    emit(c, imm);
    vm_emit_dst(c, d);
    c->last_start = start;
    return WG_WASM_OK;
  }
  if (tb) TRY(vm_popl(c, tb, NULL, &lb));
  TRY(vm_popl(c, ta, NULL, &la));
  if (tb) {
    /* the last instruction computed one operand: fold it in */
    vm_op ch = VM_OP_COUNT;
    uint32_t z = 0;
    if (produced_last(c, lb, c->nvals + 1)) {
      ch = chain_op(c->code[c->last_start], op, 'R');
      z = la;
    } else if (produced_last(c, la, c->nvals)) {
      ch = chain_op(c->code[c->last_start], op, 'L');
      z = lb;
    }
    if (ch != VM_OP_COUNT) {
      emit_chain(c, ch, z, vm_push(c, to));
      return WG_WASM_OK;
    }
  }
  vm_op m_op;
  if (tb && loaded_operand(c, op, lb, &m_op)) {
    /* LOAD offset addr t; OP a t dst  ->  OP_M offset addr a dst */
    vm_word offset = c->code[c->last_load + 1 + VM_MEM_OFFSET];
    vm_word addr = c->code[c->last_load + 1 + VM_MEM_ADDR];
    vm_cut_last(c, c->last_load, c->last_end);
    uint32_t d = vm_push(c, to);
    size_t start = c->ncode;
    vm_emit_op(c, m_op);
    emit(c, offset);
    emit(c, addr);
    emit(c, la);
    vm_emit_dst(c, d);
    c->last_start = start; /* a store of the result may fold in (_MS) */
    return WG_WASM_OK;
  }
  uint32_t d = vm_push(c, to);
  size_t start = c->ncode;
  vm_emit_op(c, op);
  emit(c, la);
  if (tb) emit(c, lb);
  vm_emit_dst(c, d);
  c->last_start = start;
  return WG_WASM_OK;
}

/* A memarg: the alignment (at most the access's natural one) and the
 * offset; the memory must exist. */
static wg_wasm_code read_memarg(cc *c, uint8_t natural, uint32_t *offset) {
  uint32_t align;
  U32C(&align);
  U32C(offset);
  if (c->m->mem_count == 0) INVALIDC(c, "unknown memory 0");
  if (align >= 32 || (1u << align) > natural)
    INVALIDC(c, "alignment must not be larger than natural");
  return WG_WASM_OK;
}

/* A load (WASM_OPS_LOAD): `plain offset addr dst`, or, when the address
 * was just computed by `i32.add x imm`, `folded offset x imm dst` with the
 * add folded in. */
wg_wasm_code vm_load(cc *c, uint8_t type, uint8_t natural, vm_op plain,
                     vm_op folded) {
  uint32_t offset, la;
  TRY(read_memarg(c, natural, &offset));
  TRY(vm_popl(c, WG_I32, NULL, &la));
  bool fold = la == home(c, c->nvals) && c->last_dst != NO_FIXUP &&
              c->last_start != NO_FIXUP && c->last_end == c->ncode &&
              c->code[c->last_dst] == la &&
              c->code[c->last_start] == VM_OP_I32_ADD_I;
  vm_word x = fold ? c->code[c->last_start + 1 + VM_BIN_I_A] : 0;
  vm_word imm = fold ? c->code[c->last_start + 1 + VM_BIN_I_IMM] : 0;
  if (fold) vm_cut_last(c, c->last_start, c->last_end);
  uint32_t d = vm_push(c, type);
  size_t start = c->ncode;
  vm_emit_op(c, fold ? folded : plain);
  emit(c, offset);
  if (fold) {
    emit(c, x);
    emit(c, imm);
  } else {
    emit(c, la);
  }
  vm_emit_dst(c, d);
  if (!fold) c->last_load = start;
  return WG_WASM_OK;
}

/* A store (WASM_OPS_STORE): `plain offset addr value`; a constant value
 * takes the immediate form `with_imm offset addr imm`; a value just
 * computed by a VM_MEM_BIN_OPS operator fuses with it. */
wg_wasm_code vm_store(cc *c, uint8_t type, uint8_t natural, vm_op plain,
                      vm_op with_imm) {
  uint32_t offset, la, lv;
  uint64_t imm;
  TRY(read_memarg(c, natural, &offset));
  bool is_imm = take_const(c, type, &imm);
  if (!is_imm) TRY(vm_popl(c, type, NULL, &lv));
  TRY(vm_popl(c, WG_I32, NULL, &la));
  vm_op s_op;
  if (!is_imm && stored_result(c, plain, lv, &s_op)) {
    /* OP a b t; STORE offset addr t  ->  OP_S a b offset addr, and
     * OP_M o x a t; STORE offset addr t  ->  OP_MS o x a offset addr */
    vm_word w[3];
    size_t n = c->last_dst - c->last_start - 1;
    memcpy(w, c->code + c->last_start + 1, n * sizeof *w);
    vm_cut_last(c, c->last_start, c->last_end);
    c->last_dst = NO_FIXUP;
    c->last_start = NO_FIXUP;
    vm_emit_op(c, s_op);
    for (size_t i = 0; i < n; i++) emit(c, w[i]);
    emit(c, offset);
    emit(c, la);
    return WG_WASM_OK;
  }
  vm_emit_op(c, is_imm ? with_imm : plain);
  emit(c, offset);
  emit(c, la);
  emit(c, is_imm ? imm : lv);
  return WG_WASM_OK;
}

static bool fused_op(vm_word prev, bool negate, vm_op *f) {
  switch (prev) {
#define VM_FUSE_CASE(name, neg)                                         \
  case VM_OP_##name:                                                    \
    *f = negate ? VM_OP_BR_IF_##neg : VM_OP_BR_IF_##name;               \
    return true;                                                        \
  case VM_OP_##name##_I:                                                \
    *f = negate ? VM_OP_BR_IF_##neg##_I : VM_OP_BR_IF_##name##_I;       \
    return true;
    VM_CMP_BR(VM_FUSE_CASE)
#undef VM_FUSE_CASE
    case VM_OP_I32_EQZ:
      *f = negate ? VM_OP_BR_IF_I32_NE_I : VM_OP_BR_IF_I32_EQ_I;
      return true;
  }
  return false;
}

/* Emits the head of a conditional branch on the condition in slot lc
 * (which was the top of the stack, so `at_home` says lc is its home slot):
 * when the instruction just emitted computed it with an i32 comparison,
 * that instruction is replaced by BR_IF_<CMP> a b (negated for `if`);
 * otherwise `plain cond`. The caller emits target src dst keep. Returns
 * whether it fused. */
bool vm_emit_cond_branch(cc *c, uint32_t lc, bool at_home, bool negate,
                             vm_op plain) {
  vm_op f;
  if (at_home && c->last_dst != NO_FIXUP && c->last_start != NO_FIXUP &&
      c->last_end == c->ncode && c->code[c->last_dst] == lc &&
      fused_op(c->code[c->last_start], negate, &f)) {
    vm_word prev = c->code[c->last_start];
    const vm_word *last = c->code + c->last_start + 1; /* UN, BIN, BIN_I */
    vm_word a = last[VM_BIN_A];
    vm_word b = prev == VM_OP_I32_EQZ ? 0 : last[VM_BIN_B];
    vm_cut_last(c, c->last_start, c->last_end);
    c->last_dst = NO_FIXUP;
    vm_emit_op(c, f);
    emit(c, a);
    emit(c, b);
    return true;
  }
  vm_emit_op(c, plain);
  emit(c, lc);
  return false;
}

/* Materializes the lazy entries under a branch condition in slot lc (just
 * popped: it is not materialized, the branch reads it where it is). When
 * the last instruction computed the condition, the copies go before it,
 * so that it stays last and can fuse into the branch (vm_emit_cond_branch):
 * they read locals and write home slots below the condition's, which that
 * instruction neither reads nor writes. */
void vm_materialize_under(cc *c, uint32_t lc) {
  vm_word w[8];
  size_t n = c->last_end - c->last_start;
  if (!c->lazy_count || c->last_start == NO_FIXUP || c->last_dst == NO_FIXUP ||
      c->last_end != c->ncode || c->code[c->last_dst] != lc ||
      lc != home(c, c->nvals) || n > sizeof w / sizeof w[0]) {
    vm_materialize_all(c);
    return;
  }
  memcpy(w, c->code + c->last_start, n * sizeof *w);
  vm_cut_last(c, c->last_start, c->last_end);
  vm_materialize_all(c);
  size_t start = c->ncode;
  vm_emit_op(c, (vm_op)w[0]);
  for (size_t i = 1; i < n; i++) emit(c, w[i]);
  c->last_start = start;
  c->last_dst = c->ncode - 1;
  c->last_end = c->ncode;
}
