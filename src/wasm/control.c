/* control.c: the body compiler's control instructions (the rows of
 * wasm_ops.h compiled by vm_control): blocks, loops, if/else, end,
 * branches, br_table, calls and return. The stack's values are
 * materialized first, so branches and blocks only ever move home slots. */
#include <string.h>

#include "compile_internal.h"

/* Values that reach the end of a block are in their home slots (control
 * instructions materialize first), so `end` emits no moves. */
static wg_wasm_code op_end(cc *c) {
  ctl *k = &c->ctls[c->nctls - 1];
  TRY(vm_pop_vals(c, k->nresults, k->results));
  if (c->nvals != k->height) INVALIDC(c, "type mismatch");
  if (k->kind == CTL_IF) {
    /* the missing else passes the params through as results */
    if (k->nparams != k->nresults ||
        (k->nparams && memcmp(k->params, k->results,
                              k->nparams * sizeof *k->params) != 0))
      INVALIDC(c, "type mismatch");
  }
  if (k->kind == CTL_FUNC) {
    vm_close_block(c);
    vm_patch_chain(c, k->fixups, c->ncode);
    vm_emit_return(c, home(c, 0), k->nresults);
    c->nctls--; /* the body's last instruction: compile.c's loop ends */
    return WG_WASM_OK;
  }
  size_t here = c->ncode;
  /* a new basic block starts here only if some branch lands here (never
   * after a loop: its branches go to its start) */
  bool targeted = k->fixups != NO_FIXUP || k->else_fixup != NO_FIXUP;
  vm_patch_chain(c, k->fixups, here);
  if (k->else_fixup != NO_FIXUP) vm_patch_chain(c, k->else_fixup, here);
  ctl done_k = *k;
  c->nctls--;
  vm_push_vals(c, done_k.nresults, done_k.results);
  if (targeted) vm_begin_block(c);
  return WG_WASM_OK;
}

/* Checks each label once (spec algorithm: every label's types must match
 * the operands, which stay on the stack), in one pass over the targets
 * plus one type comparison per distinct label; then re-reads the labels
 * to emit the jump table:
 * BR_TABLE index n src keep (target charge dst)*(n+1). */
static wg_wasm_code op_br_table(cc *c) {
  uint32_t n, l, li;
  U32C(&n);
  if (n > (size_t)(c->r->end - c->r->p)) MALFORMEDC(c, "unexpected end");
  if (n > WG_WASM_MAX_BR_TABLE)
    FAILC(c, WG_WASM_LIMIT, "br_table with %u targets (limit %u)", n,
          WG_WASM_MAX_BR_TABLE);
  TRY(vm_popl(c, WG_I32, NULL, &li));
  vm_materialize_all(c);
  const uint8_t *labels = c->r->p;
  for (uint32_t i = 0; i <= n; i++) TRY(vm_read_label(c, &l));
  const uint8_t *after = c->r->p;
  uint32_t arity = vm_label_arity(&c->ctls[c->nctls - 1 - l]);
  const wg_valtype *checked = NULL;
  c->r->p = labels;
  c->brt_serial++;
  c->work += n;
  for (uint32_t i = 0; i <= n; i++) {
    TRY(vm_read_label(c, &l));
    ctl *k = &c->ctls[c->nctls - 1 - l];
    if (k->brt_stamp == c->brt_serial) continue;
    k->brt_stamp = c->brt_serial;
    if (vm_label_arity(k) != arity) INVALIDC(c, "type mismatch");
    if (vm_label_types(k) == checked) continue;
    TRY(vm_check_top(c, arity, vm_label_types(k), false));
    checked = vm_label_types(k);
  }
  TRY(vm_pop_vals(c, arity, vm_label_types(&c->ctls[c->nctls - 1 - l])));
  uint32_t src = home(c, c->nvals);
  vm_emit_op(c, VM_OP_BR_TABLE);
  emit(c, li);
  emit(c, n);
  emit(c, src);
  emit(c, arity);
  c->r->p = labels;
  for (uint32_t i = 0; i <= n; i++) {
    TRY(vm_read_label(c, &l));
    uint32_t dst = vm_label_dst(c, l);
    vm_emit_target(c, l, src != dst ? vm_move_charge(arity) : 0);
    emit(c, dst);
  }
  c->r->p = after;
  vm_set_unreachable(c);
  return WG_WASM_OK;
}

/* CALL f base | CALL_INDIRECT type table index base: the arguments are in
 * home slots from `base` on, which becomes the callee's frame. */
static wg_wasm_code op_call(cc *c, bool indirect) {
  uint32_t f = 0, t, tab = 0, li = 0;
  U32C(indirect ? &t : &f);
  if (indirect) {
    U32C(&tab);
    if (tab >= c->m->table_count) INVALIDC(c, "unknown table %u", tab);
    if (t >= c->m->type_count) INVALIDC(c, "unknown type %u", t);
    if (c->m->tables[tab].elem != WG_FUNCREF) INVALIDC(c, "type mismatch");
    TRY(vm_popl(c, WG_I32, NULL, &li));
  } else {
    if (f >= c->m->func_count) INVALIDC(c, "unknown function %u", f);
    t = c->m->func_types[f];
  }
  const wg_functype *ft = &c->m->types[t];
  TRY(vm_pop_vals(c, ft->param_count, ft->params));
  uint32_t base = home(c, c->nvals);
  vm_push_vals(c, ft->result_count, ft->results);
  if (indirect) {
    vm_emit_op(c, VM_OP_CALL_INDIRECT);
    emit(c, t);
    emit(c, tab);
    emit(c, li);
  } else {
    vm_emit_op(c, VM_OP_CALL);
    emit(c, f);
  }
  emit(c, base);
  return WG_WASM_OK;
}

/* br: BR target src dst keep (or JUMP target when nothing moves). */
static void emit_br(cc *c, uint32_t l, uint32_t src, uint32_t keep) {
  uint32_t dst = vm_label_dst(c, l);
  if (keep == 0 || src == dst) {
    vm_emit_op(c, VM_OP_JUMP);
    vm_emit_target(c, l, 0);
    return;
  }
  vm_emit_op(c, VM_OP_BR);
  vm_emit_target(c, l, vm_move_charge(keep));
  emit(c, src);
  emit(c, dst);
  emit(c, keep);
}


static wg_wasm_code op_block(cc *c, uint8_t op) {
  ctl bt;
  uint32_t lc = 0;
  TRY(vm_read_blocktype(c, &bt));
  if (op == WASM_OP_IF) TRY(vm_popl(c, WG_I32, NULL, &lc));
  bool at_home = lc == home(c, c->nvals);
  if (op == WASM_OP_IF) vm_materialize_under(c, lc);
  TRY(vm_pop_vals(c, bt.nparams, bt.params));
  if (op == WASM_OP_LOOP) {
    vm_begin_block(c);
    bt.loop_pc = c->fuel_pos - 1;
  }
  ctl_kind kind = op == WASM_OP_BLOCK  ? CTL_BLOCK
                  : op == WASM_OP_LOOP ? CTL_LOOP
                                       : CTL_IF;
  TRY(vm_push_ctl(c, kind, &bt));
  if (op == WASM_OP_IF) {
    /* BR_UNLESS cond target, or BR_IF_<negated cmp> a b target 0 0 0 */
    bool fused = vm_emit_cond_branch(c, lc, at_home, true, VM_OP_BR_UNLESS);
    vm_emit_fixup(c, &c->ctls[c->nctls - 1].else_fixup, 0);
    if (fused) {
      emit(c, 0);
      emit(c, 0);
      emit(c, 0);
    }
    vm_emit_refund(c); /* the then-part continues this block */
  }
  return WG_WASM_OK;
}

static wg_wasm_code op_else(cc *c) {
  ctl *k = &c->ctls[c->nctls - 1];
  if (k->kind != CTL_IF) INVALIDC(c, "else without if");
  TRY(vm_pop_vals(c, k->nresults, k->results));
  if (c->nvals != k->height) INVALIDC(c, "type mismatch");
  vm_emit_op(c, VM_OP_JUMP);
  vm_emit_fixup(c, &k->fixups, 0);
  vm_patch_chain(c, k->else_fixup, c->ncode);
  k->else_fixup = NO_FIXUP;
  k->kind = CTL_ELSE;
  k->unreachable = false;
  vm_push_vals(c, k->nparams, k->params);
  vm_begin_block(c);
  return WG_WASM_OK;
}

/* The control instructions (the vm_control rows of wasm_ops.h). All
 * values are made to live in their home slots first, so branches and
 * blocks only ever move home slots. */
wg_wasm_code vm_control(cc *c, uint8_t op) {
  uint32_t l, lc;
  /* if, br_if and br_table pop their operand first (vm_materialize_under) */
  if (op != WASM_OP_IF && op != WASM_OP_BR_IF && op != WASM_OP_BR_TABLE)
    vm_materialize_all(c);
  switch (op) {
    case WASM_OP_UNREACHABLE:
      vm_emit_op(c, VM_OP_UNREACHABLE);
      vm_set_unreachable(c);
      return WG_WASM_OK;
    case WASM_OP_NOP:
      return WG_WASM_OK;
    case WASM_OP_BLOCK: case WASM_OP_LOOP: case WASM_OP_IF:
      return op_block(c, op);
    case WASM_OP_ELSE:
      return op_else(c);
    case WASM_OP_END:
      return op_end(c);
    case WASM_OP_BR: {
      TRY(vm_read_label(c, &l));
      ctl *k = &c->ctls[c->nctls - 1 - l];
      TRY(vm_pop_vals(c, vm_label_arity(k), vm_label_types(k)));
      emit_br(c, l, home(c, c->nvals), vm_label_arity(k));
      vm_set_unreachable(c);
      return WG_WASM_OK;
    }
    case WASM_OP_BR_IF: {
      TRY(vm_read_label(c, &l));
      TRY(vm_popl(c, WG_I32, NULL, &lc));
      bool at_home = lc == home(c, c->nvals);
      vm_materialize_under(c, lc);
      ctl *k = &c->ctls[c->nctls - 1 - l];
      uint32_t a = vm_label_arity(k);
      TRY(vm_check_top(c, a, vm_label_types(k), true));
      uint32_t src = home(c, c->nvals - a), dst = vm_label_dst(c, l);
      vm_emit_cond_branch(c, lc, at_home, false, VM_OP_BR_IF);
      vm_emit_target(c, l, src != dst ? vm_move_charge(a) : 0);
      emit(c, src);
      emit(c, dst);
      emit(c, a);
      vm_emit_refund(c); /* the fallthrough continues this block */
      return WG_WASM_OK;
    }
    case WASM_OP_BR_TABLE:
      return op_br_table(c);
    case WASM_OP_RETURN:
      TRY(vm_pop_vals(c, c->ft->result_count, c->ft->results));
      vm_emit_return(c, home(c, c->nvals), c->ft->result_count);
      vm_set_unreachable(c);
      return WG_WASM_OK;
    case WASM_OP_CALL:
    case WASM_OP_CALL_INDIRECT:
      return op_call(c, op == WASM_OP_CALL_INDIRECT);
  }
  MALFORMEDC(c, "illegal opcode 0x%02x", op);
}
