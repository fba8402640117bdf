/* instr.c: one instruction of a body (vm_instruction dispatches on its
 * row in wasm_ops.h) and the instructions that neither branch nor fuse:
 * drop and select, variables, constants, references, tables,
 * memory.size/grow and the 0xFC prefix (bulk memory, table operations). */
#include "compile_internal.h"

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

/* The 0xFC rows (wasm_ops.h WASM_OPS_FC): bulk memory and table
 * operations. */
static wg_wasm_code op_memory_init(cc *c) { /* MEMORY_INIT seg d s n */
  uint32_t a, s[3];
  U32C(&a);
  TRY(need_data(c, a));
  TRY(vm_zero_byte(c));
  TRY(need_memory(c));
  TRY(pop3_i32(c, s));
  vm_emit_op(c, VM_OP_MEMORY_INIT);
  emit(c, a);
  emit3(c, s);
  return WG_WASM_OK;
}

static wg_wasm_code op_data_drop(cc *c) { /* DATA_DROP seg */
  uint32_t a;
  U32C(&a);
  TRY(need_data(c, a));
  vm_emit_op(c, VM_OP_DATA_DROP);
  emit(c, a);
  return WG_WASM_OK;
}

/* memory.copy (its two memories are zero bytes) and memory.fill (its
 * one): OP d s n and OP d v n. */
static wg_wasm_code memory_bulk(cc *c, int zero_bytes, vm_op op) {
  uint32_t s[3];
  for (int i = 0; i < zero_bytes; i++) TRY(vm_zero_byte(c));
  TRY(need_memory(c));
  TRY(pop3_i32(c, s));
  vm_emit_op(c, op);
  emit3(c, s);
  return WG_WASM_OK;
}

static wg_wasm_code op_memory_copy(cc *c) {
  return memory_bulk(c, 2, VM_OP_MEMORY_COPY);
}

static wg_wasm_code op_memory_fill(cc *c) {
  return memory_bulk(c, 1, VM_OP_MEMORY_FILL);
}

/* The end of table.init and table.copy: OP a b d s n. */
static wg_wasm_code table_bulk(cc *c, vm_op op, uint32_t a, uint32_t b) {
  uint32_t s[3];
  TRY(pop3_i32(c, s));
  vm_emit_op(c, op);
  emit(c, a);
  emit(c, b);
  emit3(c, s);
  return WG_WASM_OK;
}

/* table.init elem table: TABLE_INIT seg table d s n */
static wg_wasm_code op_table_init(cc *c) {
  uint32_t a, b;
  U32C(&a);
  U32C(&b);
  TRY(need_table(c, b));
  TRY(need_elem(c, a));
  if (c->m->elems[a].type != c->m->tables[b].elem) INVALIDC(c, "type mismatch");
  return table_bulk(c, VM_OP_TABLE_INIT, a, b);
}

static wg_wasm_code op_elem_drop(cc *c) { /* ELEM_DROP seg */
  uint32_t a;
  U32C(&a);
  TRY(need_elem(c, a));
  vm_emit_op(c, VM_OP_ELEM_DROP);
  emit(c, a);
  return WG_WASM_OK;
}

/* table.copy dst src: TABLE_COPY dt st d s n */
static wg_wasm_code op_table_copy(cc *c) {
  uint32_t a, b;
  U32C(&a);
  U32C(&b);
  TRY(need_table(c, a));
  TRY(need_table(c, b));
  if (c->m->tables[a].elem != c->m->tables[b].elem) INVALIDC(c, "type mismatch");
  return table_bulk(c, VM_OP_TABLE_COPY, a, b);
}

static wg_wasm_code op_table_grow(cc *c) { /* TABLE_GROW t init n dst */
  uint32_t a, l1, l2;
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
}

static wg_wasm_code op_table_size(cc *c) { /* TABLE_SIZE t dst */
  uint32_t a;
  U32C(&a);
  TRY(need_table(c, a));
  vm_emit_op(c, VM_OP_TABLE_SIZE);
  emit(c, a);
  vm_emit_dst(c, vm_push(c, WG_I32));
  return WG_WASM_OK;
}

static wg_wasm_code op_table_fill(cc *c) { /* TABLE_FILL t d v n */
  uint32_t a, s[3];
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

/* The numeric rows' type columns: a type, or NONE for a unary operator's
 * missing second operand. */
#define VM_T_NONE 0
#define VM_T_I32 WG_I32
#define VM_T_I64 WG_I64
#define VM_T_F32 WG_F32
#define VM_T_F64 WG_F64
#define NUMERIC_CASE(byte, name, a, b, o) \
  case byte:                              \
    return vm_numeric(c, VM_OP_##name, VM_T_##a, VM_T_##b, VM_T_##o);

/* 0xFC prefix: a sub-opcode, dispatched as the opcodes are. */
static wg_wasm_code prefixed(cc *c, uint8_t op) {
  uint32_t sub;
  (void)op;
  U32C(&sub);
  switch (sub) {
    WASM_OPS_FC_NUMERIC(NUMERIC_CASE)
#define FC_CASE(sub, name, imm, handler) \
  case sub:                              \
    return handler(c);
    WASM_OPS_FC(FC_CASE)
#undef FC_CASE
  }
  MALFORMEDC(c, "illegal opcode 0xfc %u", sub);
}

static wg_wasm_code op_drop(cc *c, uint8_t op) {
  (void)op;
  return vm_pop(c, T_UNKNOWN, NULL);
}

static wg_wasm_code op_select(cc *c, uint8_t op) {
  bool typed = op == WASM_OP_SELECT_T;
  uint8_t want = T_UNKNOWN, t1, t2;
  uint32_t lc, l1, l2;
  if (typed) {
    uint32_t n;
    wg_valtype b;
    U32C(&n);
    if (n != 1) INVALIDC(c, "invalid result arity");
    TRY(vm_read_valtype(c->r, &b, c->err));
    want = (uint8_t)b;
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
  if (op == WASM_OP_LOCAL_GET) {
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
  if (op == WASM_OP_LOCAL_TEE) vm_push_lazy(c, t, x);
  return WG_WASM_OK;
}

static wg_wasm_code op_global(cc *c, uint8_t op) {
  uint32_t i, l;
  U32C(&i);
  if (i >= c->m->global_count) INVALIDC(c, "unknown global %u", i);
  const vm_globaltype *g = &c->m->globals[i];
  if (op == WASM_OP_GLOBAL_GET) {
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
  uint64_t v;
  wg_valtype t;
  TRY(vm_read_number_const(c->r, op, &v, &t, c->err));
  if (!grow(c, (void **)&c->consts, &c->capconsts, c->nconsts + 1,
            sizeof *c->consts))
    OOMC(c);
  c->consts[c->nconsts] = v;
  vm_push_lazy(c, (uint8_t)t, CONST_LOC | (uint32_t)c->nconsts++);
  return WG_WASM_OK;
}

static wg_wasm_code op_ref_null(cc *c, uint8_t op) {
  wg_valtype t;
  (void)op;
  TRY(vm_read_reftype(c->r, &t, c->err));
  uint32_t d = vm_push(c, (uint8_t)t);
  vm_emit_op(c, VM_OP_CONST);
  emit(c, 0);
  vm_emit_dst(c, d);
  return WG_WASM_OK;
}

static wg_wasm_code op_ref_is_null(cc *c, uint8_t op) {
  uint32_t l;
  uint8_t t;
  (void)op;
  TRY(vm_popl(c, T_UNKNOWN, &t, &l));
  if (t != T_UNKNOWN && !is_ref(t)) INVALIDC(c, "type mismatch");
  uint32_t d = vm_push(c, WG_I32);
  vm_emit_op(c, VM_OP_REF_IS_NULL);
  emit(c, l);
  vm_emit_dst(c, d);
  return WG_WASM_OK;
}

static wg_wasm_code op_ref_func(cc *c, uint8_t op) {
  uint32_t i;
  (void)op;
  U32C(&i);
  if (i >= c->m->func_count) INVALIDC(c, "unknown function %u", i);
  if (!c->m->func_declared[i]) INVALIDC(c, "undeclared function reference");
  uint32_t d = vm_push(c, WG_FUNCREF);
  vm_emit_op(c, VM_OP_REF_FUNC);
  emit(c, i);
  vm_emit_dst(c, d);
  return WG_WASM_OK;
}

static wg_wasm_code table_access(cc *c, uint8_t op) {
  uint32_t i, li, lv;
  U32C(&i);
  TRY(need_table(c, i));
  if (op == WASM_OP_TABLE_GET) { /* TABLE_GET t index dst */
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
  bool grow_op = op == WASM_OP_MEMORY_GROW;
  if (grow_op) TRY(vm_popl(c, WG_I32, NULL, &l));
  uint32_t d = vm_push(c, WG_I32);
  vm_emit_op(c, grow_op ? VM_OP_MEMORY_GROW : VM_OP_MEMORY_SIZE);
  if (grow_op) emit(c, l);
  vm_emit_dst(c, d);
  return WG_WASM_OK;
}

/* One instruction, by its row in wasm_ops.h. The syntax pass has refused
 * the opcodes without a row and those of WASM_OPS_REFUSED already. */
wg_wasm_code vm_instruction(cc *c, uint8_t op) {
  switch (op) {
#define OP_CASE(byte, name, imm, handler) \
  case byte:                              \
    return handler(c, op);
    WASM_OPS(OP_CASE)
#undef OP_CASE
#define LOAD_CASE(byte, name, type, natural) \
  case byte:                                 \
    return vm_load(c, VM_T_##type, natural, VM_OP_##name, VM_OP_##name##_A);
    WASM_OPS_LOAD(LOAD_CASE)
#undef LOAD_CASE
#define STORE_CASE(byte, name, type, natural) \
  case byte:                                  \
    return vm_store(c, VM_T_##type, natural, VM_OP_##name, VM_OP_##name##_I);
    WASM_OPS_STORE(STORE_CASE)
#undef STORE_CASE
    WASM_OPS_NUMERIC(NUMERIC_CASE)
  }
  MALFORMEDC(c, "illegal opcode 0x%02x", op);
}
