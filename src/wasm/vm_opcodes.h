/* vm_opcodes.h: the internal instruction set, in one place.
 *
 * Compiled code is an array of 64-bit words (vm_word): each instruction is
 * its opcode followed by pre-decoded immediates. Operands are frame slots:
 * fp[i] for i < local_count are the locals, above them each operand stack
 * height has a fixed home slot (compile.c, validate.c). There is no run-time stack
 * pointer. Value-producing instructions name their destination slot last.
 *   FUEL n                      charge n instructions (starts a basic block)
 *   COPY src dst | COPY2 src dst src2 dst2   (two copies, in order)
 *   CONST bits dst
 *   JUMP target charge          code index; every target word is followed
 *                               by the FUEL charge of the target block,
 *                               which the branch pays itself (vm_fold_fuel)
 *   BR target charge src dst keep   move keep slots src.. -> dst.., jump
 *   BR_IF cond target charge src dst keep refund
 *   BR_UNLESS cond target charge refund
 *                               (refund: fuel of the rest of the block,
 *                               given back when the branch is taken)
 *   BR_TABLE index n src keep (target charge dst)*(n+1)
 *   RETURN src keep             results go to fp[0..keep)
 *   CALL f base                 arguments at fp[base..], callee frame there
 *   CALL_INDIRECT type table index base
 *   SELECT a b cond dst | GLOBAL_GET g dst | GLOBAL_SET g src
 *   TABLE_GET t index dst | TABLE_SET t index value
 *   loads: offset addr dst | stores: offset addr value
 *   MEMORY_SIZE dst | MEMORY_GROW delta dst
 *   numeric: a [b] dst (wasm 0x45..0xC4 in wasm order, so instr.c maps
 *   them with one subtraction), then the 0xFC and reference operators.
 *   bulk: MEMORY_INIT seg d s n | MEMORY_COPY d s n | MEMORY_FILL d v n |
 *   TABLE_INIT seg t d s n | TABLE_COPY dt st d s n | TABLE_GROW t init n dst
 *   | TABLE_SIZE t dst | TABLE_FILL t d v n | DATA_DROP seg | ELEM_DROP seg
 *   immediate forms (VM_IMM_OPS): NAME_I a imm dst
 * Branch targets are resolved at compile time. */
#ifndef VM_OPCODES_H
#define VM_OPCODES_H

#define VM_OPS_CONTROL(X) \
  X(UNREACHABLE) X(FUEL) X(BR) X(BR_IF) X(BR_UNLESS) X(JUMP) X(BR_TABLE) \
  X(RETURN) X(CALL) X(CALL_INDIRECT) X(SELECT) X(COPY) X(COPY2) \
  X(GLOBAL_GET) X(GLOBAL_SET) \
  X(TABLE_GET) X(TABLE_SET) \
  X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD) \
  X(I32_LOAD8_S) X(I32_LOAD8_U) X(I32_LOAD16_S) X(I32_LOAD16_U) \
  X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) X(I64_LOAD16_U) \
  X(I64_LOAD32_S) X(I64_LOAD32_U) \
  X(I32_STORE) X(I64_STORE) X(F32_STORE) X(F64_STORE) \
  X(I32_STORE8) X(I32_STORE16) X(I64_STORE8) X(I64_STORE16) X(I64_STORE32) \
  X(MEMORY_SIZE) X(MEMORY_GROW) X(CONST)

/* wasm 0x45 .. 0xC4, in order. */
#define VM_OPS_NUMERIC(X) \
  X(I32_EQZ) X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) \
  X(I32_GT_U) X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) \
  X(I64_EQZ) X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) \
  X(I64_GT_U) X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U) \
  X(F32_EQ) X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE) \
  X(F64_EQ) X(F64_NE) X(F64_LT) X(F64_GT) X(F64_LE) X(F64_GE) \
  X(I32_CLZ) X(I32_CTZ) X(I32_POPCNT) X(I32_ADD) X(I32_SUB) X(I32_MUL) \
  X(I32_DIV_S) X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U) X(I32_AND) X(I32_OR) \
  X(I32_XOR) X(I32_SHL) X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL) X(I32_ROTR) \
  X(I64_CLZ) X(I64_CTZ) X(I64_POPCNT) X(I64_ADD) X(I64_SUB) X(I64_MUL) \
  X(I64_DIV_S) X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U) X(I64_AND) X(I64_OR) \
  X(I64_XOR) X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR) \
  X(F32_ABS) X(F32_NEG) X(F32_CEIL) X(F32_FLOOR) X(F32_TRUNC) X(F32_NEAREST) \
  X(F32_SQRT) X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV) X(F32_MIN) \
  X(F32_MAX) X(F32_COPYSIGN) \
  X(F64_ABS) X(F64_NEG) X(F64_CEIL) X(F64_FLOOR) X(F64_TRUNC) X(F64_NEAREST) \
  X(F64_SQRT) X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV) X(F64_MIN) \
  X(F64_MAX) X(F64_COPYSIGN) \
  X(I32_WRAP_I64) X(I32_TRUNC_F32_S) X(I32_TRUNC_F32_U) X(I32_TRUNC_F64_S) \
  X(I32_TRUNC_F64_U) X(I64_EXTEND_I32_S) X(I64_EXTEND_I32_U) \
  X(I64_TRUNC_F32_S) X(I64_TRUNC_F32_U) X(I64_TRUNC_F64_S) X(I64_TRUNC_F64_U) \
  X(F32_CONVERT_I32_S) X(F32_CONVERT_I32_U) X(F32_CONVERT_I64_S) \
  X(F32_CONVERT_I64_U) X(F32_DEMOTE_F64) \
  X(F64_CONVERT_I32_S) X(F64_CONVERT_I32_U) X(F64_CONVERT_I64_S) \
  X(F64_CONVERT_I64_U) X(F64_PROMOTE_F32) \
  X(I32_REINTERPRET_F32) X(I64_REINTERPRET_F64) X(F32_REINTERPRET_I32) \
  X(F64_REINTERPRET_I64) \
  X(I32_EXTEND8_S) X(I32_EXTEND16_S) X(I64_EXTEND8_S) X(I64_EXTEND16_S) \
  X(I64_EXTEND32_S)

/* 0xFC 0..17 in order, then reference ops. */
#define VM_OPS_EXTRA(X) \
  X(I32_TRUNC_SAT_F32_S) X(I32_TRUNC_SAT_F32_U) X(I32_TRUNC_SAT_F64_S) \
  X(I32_TRUNC_SAT_F64_U) X(I64_TRUNC_SAT_F32_S) X(I64_TRUNC_SAT_F32_U) \
  X(I64_TRUNC_SAT_F64_S) X(I64_TRUNC_SAT_F64_U) \
  X(MEMORY_INIT) X(DATA_DROP) X(MEMORY_COPY) X(MEMORY_FILL) X(TABLE_INIT) \
  X(ELEM_DROP) X(TABLE_COPY) X(TABLE_GROW) X(TABLE_SIZE) X(TABLE_FILL) \
  X(REF_IS_NULL) X(REF_FUNC)

#define VM_OPS(X) VM_OPS_CONTROL(X) VM_OPS_NUMERIC(X) VM_OPS_EXTRA(X)

/* Integer binary operators that also exist with an immediate right operand
 * (NAME_I a imm dst), used when the right operand is a constant. Each entry
 * names the operator, its interpreter macro and its expression of a, b. */
#define VM_IMM_OPS(X) \
  X(I32_ADD, BIN32, a + b) X(I32_SUB, BIN32, a - b) X(I32_MUL, BIN32, a * b) \
  X(I32_AND, BIN32, a & b) X(I32_OR, BIN32, a | b) X(I32_XOR, BIN32, a ^ b) \
  X(I32_SHL, BIN32, a << (b & 31)) \
  X(I32_SHR_S, BIN32, (uint32_t)((int32_t)a >> (b & 31))) \
  X(I32_SHR_U, BIN32, a >> (b & 31)) \
  X(I32_ROTL, BIN32, VM_ROTL32) X(I32_ROTR, BIN32, VM_ROTR32) \
  X(I32_EQ, BIN32, a == b) X(I32_NE, BIN32, a != b) \
  X(I32_LT_S, BIN32, (int32_t)a < (int32_t)b) X(I32_LT_U, BIN32, a < b) \
  X(I32_GT_S, BIN32, (int32_t)a > (int32_t)b) X(I32_GT_U, BIN32, a > b) \
  X(I32_LE_S, BIN32, (int32_t)a <= (int32_t)b) X(I32_LE_U, BIN32, a <= b) \
  X(I32_GE_S, BIN32, (int32_t)a >= (int32_t)b) X(I32_GE_U, BIN32, a >= b) \
  X(I64_ADD, BIN64, a + b) X(I64_SUB, BIN64, a - b) X(I64_MUL, BIN64, a * b) \
  X(I64_AND, BIN64, a & b) X(I64_OR, BIN64, a | b) X(I64_XOR, BIN64, a ^ b) \
  X(I64_SHL, BIN64, a << (b & 63)) \
  X(I64_SHR_S, BIN64, (uint64_t)((int64_t)a >> (b & 63))) \
  X(I64_SHR_U, BIN64, a >> (b & 63)) \
  X(I64_ROTL, BIN64, VM_ROTL64) X(I64_ROTR, BIN64, VM_ROTR64) \
  X(I64_EQ, CMP64, a == b) X(I64_NE, CMP64, a != b) \
  X(I64_LT_S, CMP64, (int64_t)a < (int64_t)b) X(I64_LT_U, CMP64, a < b) \
  X(I64_GT_S, CMP64, (int64_t)a > (int64_t)b) X(I64_GT_U, CMP64, a > b) \
  X(I64_LE_S, CMP64, (int64_t)a <= (int64_t)b) X(I64_LE_U, CMP64, a <= b) \
  X(I64_GE_S, CMP64, (int64_t)a >= (int64_t)b) X(I64_GE_U, CMP64, a >= b)

/* Loads whose address is `i32.add x imm` (the add folded in):
 * NAME_A offset x imm dst, address (u32)(x + imm) + offset. Each entry:
 * the load, its memory type and the conversion of the loaded v. */
#define VM_LOAD_OPS(X) \
  X(I32_LOAD, uint32_t, v) X(I64_LOAD, uint64_t, v) X(F32_LOAD, uint32_t, v) \
  X(F64_LOAD, uint64_t, v) X(I32_LOAD8_S, int8_t, (uint32_t)(int32_t)v) \
  X(I32_LOAD8_U, uint8_t, (uint32_t)v) \
  X(I32_LOAD16_S, int16_t, (uint32_t)(int32_t)v) \
  X(I32_LOAD16_U, uint16_t, (uint32_t)v) \
  X(I64_LOAD8_S, int8_t, (uint64_t)(int64_t)v) \
  X(I64_LOAD8_U, uint8_t, (uint64_t)v) \
  X(I64_LOAD16_S, int16_t, (uint64_t)(int64_t)v) \
  X(I64_LOAD16_U, uint16_t, (uint64_t)v) \
  X(I64_LOAD32_S, int32_t, (uint64_t)(int64_t)v) \
  X(I64_LOAD32_U, uint32_t, (uint64_t)v)

/* Stores with a constant value: NAME_I offset addr imm. */
#define VM_STORE_IMM_OPS(X) \
  X(I32_STORE, uint32_t) X(I64_STORE, uint64_t) X(F32_STORE, uint32_t) \
  X(F64_STORE, uint64_t) X(I32_STORE8, uint8_t) X(I32_STORE16, uint16_t) \
  X(I64_STORE8, uint8_t) X(I64_STORE16, uint16_t) X(I64_STORE32, uint32_t)

/* i32 comparisons fused with a following br_if (or `if`, negated):
 * BR_IF_<CMP> a b target charge src dst keep refund, and BR_IF_<CMP>_I
 * a imm ...
 * Each entry: the comparison, its expression, and its negation. */
#define VM_CMP_BR(X) \
  X(I32_EQ, a == b, I32_NE) X(I32_NE, a != b, I32_EQ) \
  X(I32_LT_S, (int32_t)a < (int32_t)b, I32_GE_S) X(I32_LT_U, a < b, I32_GE_U) \
  X(I32_GT_S, (int32_t)a > (int32_t)b, I32_LE_S) X(I32_GT_U, a > b, I32_LE_U) \
  X(I32_LE_S, (int32_t)a <= (int32_t)b, I32_GT_S) X(I32_LE_U, a <= b, I32_GT_U) \
  X(I32_GE_S, (int32_t)a >= (int32_t)b, I32_LT_S) X(I32_GE_U, a >= b, I32_LT_U)

/* Binary operators fused with a load of their right operand or a store of
 * their result (both of the operator's own type, full width):
 *   NAME_M offset addr a dst    dst = a OP load(addr + offset)
 *   NAME_S a b offset addr      store(addr + offset, a OP b)
 *   NAME_MS offset addr a offset2 addr2   both: load, operate, store
 *                               (`p[i] += x` is one instruction)
 * The load traps before the operator runs; the operator cannot trap, so
 * the store's trap comes where it did. Each entry: the operator, its type
 * (I32, I64, F32, F64: the load/store is KIND_LOAD/KIND_STORE) and its
 * expression of a, b. */
#define VM_MEM_BIN_OPS(X) \
  X(I32_ADD, I32, a + b) X(I32_SUB, I32, a - b) X(I32_MUL, I32, a * b) \
  X(I32_AND, I32, a & b) X(I32_OR, I32, a | b) X(I32_XOR, I32, a ^ b) \
  X(I64_ADD, I64, a + b) X(I64_SUB, I64, a - b) X(I64_MUL, I64, a * b) \
  X(I64_AND, I64, a & b) X(I64_OR, I64, a | b) X(I64_XOR, I64, a ^ b) \
  X(F32_ADD, F32, a + b) X(F32_SUB, F32, a - b) X(F32_MUL, F32, a * b) \
  X(F64_ADD, F64, a + b) X(F64_SUB, F64, a - b) X(F64_MUL, F64, a * b)

/* Chains of two i32 operators where the second takes the first's result
 * (a temporary no other instruction reads) as its right (R) or left (L)
 * operand: one dispatch for both, the temporary never stored.
 *   NAME x y z dst     t = FIRST(x, y); dst = SECOND(z, t) (R)
 *                                       dst = SECOND(t, z) (L)
 * y and z are immediates when FIRST / SECOND is an _I form. Chosen from
 * the bench set's most frequent adjacent pairs (docs/engine.md): hashing
 * and SHA-style rounds, address arithmetic. Each entry: the fused name,
 * FIRST, SECOND, the side. */
#define VM_CHAIN_OPS(X) \
  X(ADD_ADD_R, I32_ADD, I32_ADD, R) X(ADD_ADD_L, I32_ADD, I32_ADD, L) \
  X(ROTLI_XOR_R, I32_ROTL_I, I32_XOR, R) X(ROTLI_XOR_L, I32_ROTL_I, I32_XOR, L) \
  X(XOR_ADD_R, I32_XOR, I32_ADD, R) X(XOR_ADD_L, I32_XOR, I32_ADD, L) \
  X(SHRUI_XOR_R, I32_SHR_U_I, I32_XOR, R) X(SHRUI_XOR_L, I32_SHR_U_I, I32_XOR, L) \
  X(XOR_XOR_R, I32_XOR, I32_XOR, R) X(XOR_XOR_L, I32_XOR, I32_XOR, L) \
  X(XOR_AND_R, I32_XOR, I32_AND, R) X(XOR_AND_L, I32_XOR, I32_AND, L) \
  X(AND_XOR_R, I32_AND, I32_XOR, R) X(AND_XOR_L, I32_AND, I32_XOR, L) \
  X(XORI_AND_R, I32_XOR_I, I32_AND, R) X(XORI_AND_L, I32_XOR_I, I32_AND, L) \
  X(SHLI_XOR_R, I32_SHL_I, I32_XOR, R) X(SHLI_XOR_L, I32_SHL_I, I32_XOR, L) \
  X(SHLI_ADD_R, I32_SHL_I, I32_ADD, R) X(SHLI_ADD_L, I32_SHL_I, I32_ADD, L) \
  X(SHLI_OR_R, I32_SHL_I, I32_OR, R) X(SHLI_OR_L, I32_SHL_I, I32_OR, L) \
  X(MULI_ADD_R, I32_MUL_I, I32_ADD, R) X(MULI_ADD_L, I32_MUL_I, I32_ADD, L) \
  X(XOR_ROTLI_L, I32_XOR, I32_ROTL_I, L) X(XOR_SHRUI_L, I32_XOR, I32_SHR_U_I, L) \
  X(XOR_MULI_L, I32_XOR, I32_MUL_I, L) X(SHRUI_ANDI_L, I32_SHR_U_I, I32_AND_I, L) \
  X(ADD_ADDI_L, I32_ADD, I32_ADD_I, L) X(SUBI_ANDI_L, I32_SUB_I, I32_AND_I, L) \
  X(MUL_ADD_R, I32_MUL, I32_ADD, R) X(MUL_ADD_L, I32_MUL, I32_ADD, L)

/* Pairs of adjacent instructions executed by one dispatch: the first's
 * opcode word becomes PAIR_<name> and both keep their words (the second's
 * opcode word is skipped), so the code's layout and every branch target
 * stay as they were. Made after compilation (vm_pair_pass in emit.c); the
 * second is never a branch target or return point, as those only follow
 * FUEL and calls (an instruction after a conditional branch is reached
 * only by falling through), so a branch may come first or second. Each
 * entry: the name, the two ops and their operand
 * word counts. */
#define VM_PAIR_OPS(X) \
  X(ADDI_ADDI, I32_ADD_I, 3, I32_ADD_I, 3) \
  X(ADDI_STORE8I, I32_ADD_I, 3, I32_STORE8_I, 3) \
  X(ADDI_STORE, I32_ADD_I, 3, I32_STORE, 3) \
  X(ADDI_LOAD, I32_ADD_I, 3, I32_LOAD, 3) \
  X(ADDI_LOAD8U, I32_ADD_I, 3, I32_LOAD8_U, 3) \
  X(ADD_ADDI, I32_ADD, 3, I32_ADD_I, 3) \
  X(LOAD_ADDI, I32_LOAD, 3, I32_ADD_I, 3) \
  X(LOAD_LOAD, I32_LOAD, 3, I32_LOAD, 3) \
  X(LOAD_LOAD8U, I32_LOAD, 3, I32_LOAD8_U, 3) \
  X(LOAD_STORE, I32_LOAD, 3, I32_STORE, 3) \
  X(LOAD_COPY, I32_LOAD, 3, COPY, 2) \
  X(STORE_COPY, I32_STORE, 3, COPY, 2) \
  X(STORE_STORE, I32_STORE, 3, I32_STORE, 3) \
  X(COPY_LOAD, COPY, 2, I32_LOAD, 3) \
  X(COPY_ADDI, COPY, 2, I32_ADD_I, 3) \
  X(ADDI_COPY, I32_ADD_I, 3, COPY, 2) \
  X(CONST_COPY, CONST, 2, COPY, 2) \
  X(LOAD16U_LOAD16U, I32_LOAD16_U, 3, I32_LOAD16_U, 3) \
  X(LOAD_BRIF, I32_LOAD, 3, BR_IF, 7) \
  X(COPY_BRIF, COPY, 2, BR_IF, 7) \
  X(COPY_BRIFNEI, COPY, 2, BR_IF_I32_NE_I, 8) \
  X(COPY_BRIFEQI, COPY, 2, BR_IF_I32_EQ_I, 8) \
  X(BRIFNEI_BRIFEQI, BR_IF_I32_NE_I, 8, BR_IF_I32_EQ_I, 8) \
  X(BRIFEQI_BRIFEQI, BR_IF_I32_EQ_I, 8, BR_IF_I32_EQ_I, 8) \
  X(BRUNLESS_COPY, BR_UNLESS, 4, COPY, 2) \
  X(ANDI_SELECT, I32_AND_I, 3, SELECT, 4) \
  X(LOAD8U_BRIFEQI, I32_LOAD8_U, 3, BR_IF_I32_EQ_I, 8) \
  X(LOAD8U_BRIFNEI, I32_LOAD8_U, 3, BR_IF_I32_NE_I, 8) \
  X(LOAD8S_SUBI, I32_LOAD8_S, 3, I32_SUB_I, 3)

typedef enum vm_op {
#define VM_OP_ENUM(name) VM_OP_##name,
#define VM_OP_ENUM_IMM(name, kind, expr) VM_OP_##name##_I,
  VM_OPS(VM_OP_ENUM)
  VM_IMM_OPS(VM_OP_ENUM_IMM)
#define VM_OP_ENUM_BR(name, expr, neg) VM_OP_BR_IF_##name, VM_OP_BR_IF_##name##_I,
  VM_CMP_BR(VM_OP_ENUM_BR)
#define VM_OP_ENUM_STORE(name, type) VM_OP_##name##_I,
  VM_STORE_IMM_OPS(VM_OP_ENUM_STORE)
#define VM_OP_ENUM_LOAD(name, type, conv) VM_OP_##name##_A,
  VM_LOAD_OPS(VM_OP_ENUM_LOAD)
#define VM_OP_ENUM_MEM(name, kind, expr) \
  VM_OP_##name##_M, VM_OP_##name##_S, VM_OP_##name##_MS,
  VM_MEM_BIN_OPS(VM_OP_ENUM_MEM)
#undef VM_OP_ENUM_MEM
#define VM_OP_ENUM_CHAIN(name, first, second, side) VM_OP_CHAIN_##name,
  VM_CHAIN_OPS(VM_OP_ENUM_CHAIN)
#undef VM_OP_ENUM_CHAIN
#define VM_OP_ENUM_PAIR(name, a, la, b, lb) VM_OP_PAIR_##name,
  VM_PAIR_OPS(VM_OP_ENUM_PAIR)
#undef VM_OP_ENUM_PAIR
#undef VM_OP_ENUM_LOAD
#undef VM_OP_ENUM_STORE
#undef VM_OP_ENUM
#undef VM_OP_ENUM_IMM
#undef VM_OP_ENUM_BR
  VM_OP_COUNT
} vm_op;

#endif
