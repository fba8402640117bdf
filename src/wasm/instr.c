/* instr.c: one instruction of a body (vm_instruction dispatches on its
 * opcode) and the instructions that neither branch nor fuse: drop and
 * select, variables, constants, references, tables, memory.size/grow and
 * the 0xFC prefix (saturating truncations, bulk memory, table operations). */
#include <string.h>

#include "compile_internal.h"

/* Signature of numeric ops 0x45..0xC4: in1, in2 (0 = unary), out. */
static void numeric_sig(uint8_t op, uint8_t *a, uint8_t *b, uint8_t *o) {
  const uint8_t I = WG_I32, L = WG_I64, F = WG_F32, D = WG_F64;
  *b = 0;
  if (op == 0x45) { *a = I; *o = I; return; }
  if (op <= 0x4f) { *a = *b = I; *o = I; return; }
  if (op == 0x50) { *a = L; *o = I; return; }
  if (op <= 0x5a) { *a = *b = L; *o = I; return; }
  if (op <= 0x60) { *a = *b = F; *o = I; return; }
  if (op <= 0x66) { *a = *b = D; *o = I; return; }
  if (op <= 0x69) { *a = I; *o = I; return; }
  if (op <= 0x78) { *a = *b = I; *o = I; return; }
  if (op <= 0x7b) { *a = L; *o = L; return; }
  if (op <= 0x8a) { *a = *b = L; *o = L; return; }
  if (op <= 0x91) { *a = F; *o = F; return; }
  if (op <= 0x98) { *a = *b = F; *o = F; return; }
  if (op <= 0x9f) { *a = D; *o = D; return; }
  if (op <= 0xa6) { *a = *b = D; *o = D; return; }
  static const uint8_t conv[][2] = {
      /* a7 */ {L, I}, {F, I}, {F, I}, {D, I}, {D, I}, {I, L}, {I, L},
      /* ae */ {F, L}, {F, L}, {D, L}, {D, L}, {I, F}, {I, F}, {L, F},
      /* b5 */ {L, F}, {D, F}, {I, D}, {I, D}, {L, D}, {L, D}, {F, D},
      /* bc */ {F, I}, {D, L}, {I, F}, {L, D},
      /* c0 */ {I, I}, {I, I}, {L, L}, {L, L}, {L, L}};
  *a = conv[op - 0xa7][0];
  *o = conv[op - 0xa7][1];
}

wg_wasm_code vm_zero_byte(cc *c) {
  uint8_t b;
  READC(vm_read_byte(c->r, &b, &rmsg_));
  if (b != 0) MALFORMEDC(c, "zero byte expected");
  return WG_WASM_OK;
}

static wg_wasm_code need_table(cc *c, uint32_t t) {
  if (t >= c->m->table_count) INVALIDC(c, "unknown table %u", t);
  return WG_WASM_OK;
}

static wg_wasm_code need_memory(cc *c) {
  if (c->m->mem_count == 0) INVALIDC(c, "unknown memory 0");
  return WG_WASM_OK;
}

static wg_wasm_code need_data(cc *c, uint32_t d) {
  if (!c->m->has_data_count) {
    /* malformed if a data section follows, else invalid: decided in
     * vm_decode once the rest of the module is known */
    if (!c->m->data_count_needed_at) c->m->data_count_needed_at = OFF(c);
    return WG_WASM_OK;
  }
  if (d >= c->m->data_count) INVALIDC(c, "unknown data segment %u", d);
  return WG_WASM_OK;
}

static wg_wasm_code need_elem(cc *c, uint32_t e) {
  if (e >= c->m->elem_count) INVALIDC(c, "unknown elem segment %u", e);
  return WG_WASM_OK;
}

/* Pops three i32 operands (x y z, z on top) and emits their slots. */
static wg_wasm_code pop3_i32(cc *c, uint32_t s[3]) {
  TRY(vm_popl(c, WG_I32, NULL, &s[2]));
  TRY(vm_popl(c, WG_I32, NULL, &s[1]));
  TRY(vm_popl(c, WG_I32, NULL, &s[0]));
  return WG_WASM_OK;
}

static void emit3(cc *c, const uint32_t s[3]) {
  emit(c, s[0]);
  emit(c, s[1]);
  emit(c, s[2]);
}

/* 0xFC 0..7: the saturating truncations, numeric operators. */
static wg_wasm_code trunc_sat(cc *c, uint32_t sub) {
  static const uint8_t in[] = {WG_F32, WG_F32, WG_F64, WG_F64,
                               WG_F32, WG_F32, WG_F64, WG_F64};
  return vm_numeric(c, VM_OP_I32_TRUNC_SAT_F32_S + sub, in[sub], 0,
                    sub < 4 ? WG_I32 : WG_I64);
}

/* 0xFC 8..11 (prefixed sends no other): memory.init, data.drop,
 * memory.copy, memory.fill. */
static wg_wasm_code bulk_memory(cc *c, uint32_t sub) {
  uint32_t a, s[3];
  switch (sub) {
    case 8: /* memory.init seg: MEMORY_INIT seg d s n */
      U32C(&a);
      TRY(need_data(c, a));
      TRY(vm_zero_byte(c));
      TRY(need_memory(c));
      TRY(pop3_i32(c, s));
      vm_emit_op(c, VM_OP_MEMORY_INIT);
      emit(c, a);
      emit3(c, s);
      return WG_WASM_OK;
    case 9: /* data.drop */
      U32C(&a);
      TRY(need_data(c, a));
      vm_emit_op(c, VM_OP_DATA_DROP);
      emit(c, a);
      return WG_WASM_OK;
    case 10: /* memory.copy: MEMORY_COPY d s n */
      TRY(vm_zero_byte(c));
      TRY(vm_zero_byte(c));
      TRY(need_memory(c));
      TRY(pop3_i32(c, s));
      vm_emit_op(c, VM_OP_MEMORY_COPY);
      emit3(c, s);
      return WG_WASM_OK;
  }
  /* 11: memory.fill: MEMORY_FILL d v n */
  TRY(vm_zero_byte(c));
  TRY(need_memory(c));
  TRY(pop3_i32(c, s));
  vm_emit_op(c, VM_OP_MEMORY_FILL);
  emit3(c, s);
  return WG_WASM_OK;
}

/* 0xFC 12..17 (prefixed sends no other): table.init, elem.drop,
 * table.copy, table.grow, table.size, table.fill. */
static wg_wasm_code bulk_table(cc *c, uint32_t sub) {
  uint32_t a, b, s[3], l1, l2;
  switch (sub) {
    case 12: /* table.init elem table: TABLE_INIT seg table d s n */
      U32C(&a);
      U32C(&b);
      TRY(need_table(c, b));
      TRY(need_elem(c, a));
      if (c->m->elems[a].type != c->m->tables[b].elem) INVALIDC(c, "type mismatch");
      TRY(pop3_i32(c, s));
      vm_emit_op(c, VM_OP_TABLE_INIT);
      emit(c, a);
      emit(c, b);
      emit3(c, s);
      return WG_WASM_OK;
    case 13: /* elem.drop */
      U32C(&a);
      TRY(need_elem(c, a));
      vm_emit_op(c, VM_OP_ELEM_DROP);
      emit(c, a);
      return WG_WASM_OK;
    case 14: /* table.copy dst src: TABLE_COPY dt st d s n */
      U32C(&a);
      U32C(&b);
      TRY(need_table(c, a));
      TRY(need_table(c, b));
      if (c->m->tables[a].elem != c->m->tables[b].elem) INVALIDC(c, "type mismatch");
      TRY(pop3_i32(c, s));
      vm_emit_op(c, VM_OP_TABLE_COPY);
      emit(c, a);
      emit(c, b);
      emit3(c, s);
      return WG_WASM_OK;
    case 15: /* table.grow: TABLE_GROW t init n dst */
      U32C(&a);
      TRY(need_table(c, a));
      TRY(vm_popl(c, WG_I32, NULL, &l2));
      TRY(vm_popl(c, c->m->tables[a].elem, NULL, &l1));
      vm_emit_op(c, VM_OP_TABLE_GROW);
      emit(c, a);
      emit(c, l1);
      emit(c, l2);
      vm_emit_dst(c, vm_push(c, WG_I32));
      return WG_WASM_OK;
    case 16: /* table.size: TABLE_SIZE t dst */
      U32C(&a);
      TRY(need_table(c, a));
      vm_emit_op(c, VM_OP_TABLE_SIZE);
      emit(c, a);
      vm_emit_dst(c, vm_push(c, WG_I32));
      return WG_WASM_OK;
  }
  /* 17: table.fill: TABLE_FILL t d v n */
  U32C(&a);
  TRY(need_table(c, a));
  TRY(vm_popl(c, WG_I32, NULL, &s[2]));
  TRY(vm_popl(c, c->m->tables[a].elem, NULL, &s[1]));
  TRY(vm_popl(c, WG_I32, NULL, &s[0]));
  vm_emit_op(c, VM_OP_TABLE_FILL);
  emit(c, a);
  emit3(c, s);
  return WG_WASM_OK;
}

/* 0xFC prefix: by group of sub-opcodes. */
static wg_wasm_code prefixed(cc *c) {
  uint32_t sub;
  U32C(&sub);
  if (sub <= 7) return trunc_sat(c, sub);
  if (sub <= 11) return bulk_memory(c, sub);
  if (sub <= 17) return bulk_table(c, sub);
  MALFORMEDC(c, "illegal opcode 0xfc %u", sub);
}

static wg_wasm_code op_select(cc *c, bool typed) {
  uint8_t want = T_UNKNOWN, t1, t2;
  uint32_t lc, l1, l2;
  if (typed) {
    uint32_t n;
    uint8_t b;
    U32C(&n);
    if (n != 1) INVALIDC(c, "invalid result arity");
    READC(vm_read_byte(c->r, &b, &rmsg_));
    if (b == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
    if (!is_num(b) && !is_ref(b)) MALFORMEDC(c, "malformed value type");
    want = b;
  }
  TRY(vm_popl(c, WG_I32, NULL, &lc));
  TRY(vm_popl(c, want, &t1, &l2));
  TRY(vm_popl(c, want, &t2, &l1));
  if (!typed) {
    /* untyped select only takes numeric operands */
    if ((t1 != T_UNKNOWN && !is_num(t1)) || (t2 != T_UNKNOWN && !is_num(t2)))
      INVALIDC(c, "type mismatch");
    if (t1 != T_UNKNOWN && t2 != T_UNKNOWN && t1 != t2)
      INVALIDC(c, "type mismatch");
    want = t1 != T_UNKNOWN ? t1 : t2;
  }
  uint32_t d = vm_push(c, want);
  vm_emit_op(c, VM_OP_SELECT);
  emit(c, l1);
  emit(c, l2);
  emit(c, lc);
  vm_emit_dst(c, d);
  return WG_WASM_OK;
}

/* local.get is free (a lazy stack entry); local.set/tee write the local,
 * retargeting the producing instruction when it was the last one. */
static wg_wasm_code op_local(cc *c, uint8_t op) {
  uint32_t x, l;
  U32C(&x);
  if (x >= c->nlocals) INVALIDC(c, "unknown local %u", x);
  uint8_t t = c->locals[x];
  if (op == 0x20) {
    vm_push_lazy(c, t, x);
    return WG_WASM_OK;
  }
  TRY(vm_popl(c, t, NULL, &l));
  bool fresh = c->last_dst != NO_FIXUP && c->last_end == c->ncode &&
               c->code[c->last_dst] == l && l == home(c, c->nvals);
  if (l != x) {
    if (fresh && !c->refs[x]) {
      c->code[c->last_dst] = x;
    } else {
      vm_materialize_local(c, x);
      vm_emit_copy(c, l, x);
    }
  }
  c->last_dst = NO_FIXUP;
  if (op == 0x22) vm_push_lazy(c, t, x);
  return WG_WASM_OK;
}

static wg_wasm_code op_global(cc *c, uint8_t op) {
  uint32_t i, l;
  U32C(&i);
  if (i >= c->m->global_count) INVALIDC(c, "unknown global %u", i);
  const vm_globaltype *g = &c->m->globals[i];
  if (op == 0x23) {
    uint32_t d = vm_push(c, g->type);
    vm_emit_op(c, VM_OP_GLOBAL_GET);
    emit(c, i);
    vm_emit_dst(c, d);
    return WG_WASM_OK;
  }
  if (!g->is_mutable) INVALIDC(c, "global is immutable");
  TRY(vm_popl(c, g->type, NULL, &l));
  vm_emit_op(c, VM_OP_GLOBAL_SET);
  emit(c, i);
  emit(c, l);
  return WG_WASM_OK;
}

static wg_wasm_code op_const(cc *c, uint8_t op) {
  uint64_t v = 0;
  uint8_t t;
  if (op == 0x41) {
    int32_t x;
    READC(vm_read_s32(c->r, &x, &rmsg_));
    v = (uint32_t)x;
    t = WG_I32;
  } else if (op == 0x42) {
    int64_t x;
    READC(vm_read_s64(c->r, &x, &rmsg_));
    v = (uint64_t)x;
    t = WG_I64;
  } else {
    size_t n = op == 0x43 ? 4 : 8;
    if ((size_t)(c->r->end - c->r->p) < n) MALFORMEDC(c, "unexpected end");
    memcpy(&v, c->r->p, n); /* little-endian host */
    c->r->p += n;
    t = op == 0x43 ? WG_F32 : WG_F64;
  }
  if (!grow(c, (void **)&c->consts, &c->capconsts, c->nconsts + 1,
            sizeof *c->consts))
    OOMC(c);
  c->consts[c->nconsts] = v;
  vm_push_lazy(c, t, CONST_LOC | (uint32_t)c->nconsts++);
  return WG_WASM_OK;
}

static wg_wasm_code reference(cc *c, uint8_t op) {
  uint32_t i, l;
  uint8_t t;
  switch (op) {
    case 0xd0: {
      READC(vm_read_byte(c->r, &t, &rmsg_));
      if (!is_ref(t)) MALFORMEDC(c, "malformed reference type");
      uint32_t d = vm_push(c, t);
      vm_emit_op(c, VM_OP_CONST);
      emit(c, 0);
      vm_emit_dst(c, d);
      return WG_WASM_OK;
    }
    case 0xd1: {
      TRY(vm_popl(c, T_UNKNOWN, &t, &l));
      if (t != T_UNKNOWN && !is_ref(t)) INVALIDC(c, "type mismatch");
      uint32_t d = vm_push(c, WG_I32);
      vm_emit_op(c, VM_OP_REF_IS_NULL);
      emit(c, l);
      vm_emit_dst(c, d);
      return WG_WASM_OK;
    }
    case 0xd2: {
      U32C(&i);
      if (i >= c->m->func_count) INVALIDC(c, "unknown function %u", i);
      if (!c->m->func_declared[i]) INVALIDC(c, "undeclared function reference");
      uint32_t d = vm_push(c, WG_FUNCREF);
      vm_emit_op(c, VM_OP_REF_FUNC);
      emit(c, i);
      vm_emit_dst(c, d);
      return WG_WASM_OK;
    }
  }
  MALFORMEDC(c, "illegal opcode 0x%02x", op);
}

static wg_wasm_code table_access(cc *c, uint8_t op) {
  uint32_t i, li, lv;
  U32C(&i);
  TRY(need_table(c, i));
  if (op == 0x25) { /* TABLE_GET t index dst */
    TRY(vm_popl(c, WG_I32, NULL, &li));
    uint32_t d = vm_push(c, c->m->tables[i].elem);
    vm_emit_op(c, VM_OP_TABLE_GET);
    emit(c, i);
    emit(c, li);
    vm_emit_dst(c, d);
    return WG_WASM_OK;
  }
  TRY(vm_popl(c, c->m->tables[i].elem, NULL, &lv)); /* TABLE_SET t index value */
  TRY(vm_popl(c, WG_I32, NULL, &li));
  vm_emit_op(c, VM_OP_TABLE_SET);
  emit(c, i);
  emit(c, li);
  emit(c, lv);
  return WG_WASM_OK;
}

static wg_wasm_code memory_size_grow(cc *c, uint8_t op) {
  uint32_t l = 0;
  TRY(vm_zero_byte(c));
  TRY(need_memory(c));
  if (op == 0x40) TRY(vm_popl(c, WG_I32, NULL, &l));
  uint32_t d = vm_push(c, WG_I32);
  vm_emit_op(c, op == 0x3f ? VM_OP_MEMORY_SIZE : VM_OP_MEMORY_GROW);
  if (op == 0x40) emit(c, l);
  vm_emit_dst(c, d);
  return WG_WASM_OK;
}

wg_wasm_code vm_instruction(cc *c, uint8_t op, bool *done) {
  uint8_t a, b, o;
  if (op <= 0x13) return vm_control(c, op, done);
  switch (op) {
    case 0x1a:
      return vm_pop(c, T_UNKNOWN, NULL);
    case 0x1b:
    case 0x1c:
      return op_select(c, op == 0x1c);
    case 0x20: case 0x21: case 0x22:
      return op_local(c, op);
    case 0x23: case 0x24:
      return op_global(c, op);
    case 0x25:
    case 0x26:
      return table_access(c, op);
    case 0x3f:
    case 0x40:
      return memory_size_grow(c, op);
    case 0x41: case 0x42: case 0x43: case 0x44:
      return op_const(c, op);
    case 0xfc:
      return prefixed(c);
    case 0xfd:
      FAILC(c, WG_WASM_UNSUPPORTED, "SIMD is not supported");
    case 0xfe:
      FAILC(c, WG_WASM_UNSUPPORTED, "threads are not supported");
  }
  if (op >= 0x28 && op <= 0x3e) return vm_mem_op(c, op);
  if (op >= 0xd0 && op <= 0xd2) return reference(c, op);
  if (op >= 0x45 && op <= 0xc4) {
    numeric_sig(op, &a, &b, &o);
    return vm_numeric(c, VM_OP_I32_EQZ + (op - 0x45), a, b, o);
  }
  MALFORMEDC(c, "illegal opcode 0x%02x", op);
}
