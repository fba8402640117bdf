/* vm_opcodes.h: the internal instruction set, in one place.
 *
 * Compiled code is an array of 64-bit words (vm_word): each instruction is
 * its opcode followed by pre-decoded operand words. Operands are frame
 * slots: fp[i] for i < local_count are the locals, above them each operand
 * stack height has a fixed home slot (compile.c, validate.c). There is no
 * run-time stack pointer. Value-producing instructions name their
 * destination slot last.
 *
 * Every opcode has a shape (VM_SHAPES): how many operand words follow it,
 * which of them are frame slots, and each word's name (VM_<SHAPE>_<WORD>,
 * its index among the operands). The interpreter, the compiler's passes
 * and the verifier (verify.c) read the layout from there and nowhere else.
 * Branch targets are resolved at compile time: a target is a code index,
 * and every target word is followed by a charge word (the pair the
 * VM_TARGET_* names describe): once the body is complete, a branch to a
 * block's FUEL instruction takes over that FUEL's charge and lands just
 * past it (vm_fold_fuel), so a target is the instruction after a FUEL, or
 * the function's final RETURN (the end of the body opens no block). */
#ifndef VM_OPCODES_H
#define VM_OPCODES_H

#include <stddef.h>
#include <stdint.h>

#include "wasm_ops.h"

/* The operand layouts. Each entry: the shape, its operand word count and
 * which words are frame slots (bit i: word i; a branch's moved ranges and
 * the chains' operands that may be immediates are checked apart). */
#define VM_SHAPES(X)                                                    \
  X(NONE, 0, 0x00)          /* UNREACHABLE */                           \
  X(FUEL, 1, 0x00)          /* n: charge n instructions (opens a block) */ \
  X(JUMP, 2, 0x00)          /* target charge */                         \
  X(BR, 5, 0x00)            /* target charge src dst keep */            \
  X(BR_IF, 7, 0x01)         /* cond target charge src dst keep refund */ \
  X(BR_UNLESS, 4, 0x01)     /* cond target charge refund */             \
  X(BR_CMP, 8, 0x03)        /* a b target charge src dst keep refund */ \
  X(BR_CMP_I, 8, 0x01)      /* a imm target charge src dst keep refund */ \
  X(BR_TABLE, 4, 0x01)      /* index n src keep, (target charge dst)*(n+1) */ \
  X(RETURN, 2, 0x00)        /* src keep: results go to fp[0..keep) */   \
  X(CALL, 2, 0x02)          /* f base: arguments at fp[base..] */       \
  X(CALL_INDIRECT, 4, 0x0c) /* type table index base */                 \
  X(SELECT, 4, 0x0f)        /* a b cond dst */                          \
  X(COPY, 2, 0x03)          /* src dst */                               \
  X(COPY2, 4, 0x0f)         /* src dst src2 dst2 (two copies, in order) */ \
  X(CONST, 2, 0x02)         /* bits dst */                              \
  X(GLOBAL, 2, 0x02)        /* g slot: GLOBAL_GET's dst, GLOBAL_SET's src */ \
  X(TABLE_ACCESS, 3, 0x06)  /* t index value: TABLE_GET's dst, TABLE_SET's */ \
  X(MEM, 3, 0x06)           /* offset addr value: a load's dst */       \
  X(MEM_IMM, 3, 0x02)       /* offset addr imm (VM_STORE_IMM_OPS) */    \
  X(MEM_ADD, 4, 0x0a)       /* offset x imm dst (VM_LOAD_OPS) */        \
  X(MEM_BIN_M, 4, 0x0e)     /* offset addr a dst (VM_MEM_BIN_OPS) */    \
  X(MEM_BIN_S, 4, 0x0b)     /* a b offset addr */                       \
  X(MEM_BIN_MS, 5, 0x16)    /* offset addr a offset2 addr2 */           \
  X(UN, 2, 0x03)            /* a dst */                                 \
  X(BIN, 3, 0x07)           /* a b dst */                               \
  X(BIN_I, 3, 0x05)         /* a imm dst (VM_IMM_OPS) */                \
  X(CHAIN, 4, 0x09)         /* x y z dst (VM_CHAIN_OPS) */              \
  X(MEMORY_SIZE, 1, 0x01)   /* dst */                                   \
  X(DROP, 1, 0x00)          /* seg: DATA_DROP, ELEM_DROP */             \
  X(BULK, 3, 0x07)          /* d s n (MEMORY_COPY) | d v n (MEMORY_FILL) */ \
  X(MEMORY_INIT, 4, 0x0e)   /* seg d s n */                             \
  X(TABLE_BULK, 5, 0x1c)    /* x y d s n: TABLE_INIT seg t, TABLE_COPY dt st */ \
  X(TABLE_GROW, 4, 0x0e)    /* t init n dst */                          \
  X(TABLE_FILL, 4, 0x0e)    /* t d v n */                               \
  X(INDEX_DST, 2, 0x02)     /* i dst: TABLE_SIZE t, REF_FUNC f */

typedef enum vm_shape {
#define VM_SHAPE_ENUM(name, words, slots) VM_SHAPE_##name,
  VM_SHAPES(VM_SHAPE_ENUM)
#undef VM_SHAPE_ENUM
  VM_SHAPE_COUNT
} vm_shape;

/* VM_LEN_<shape>: its operand words; VM_SLOTS_<shape>: its slot words. */
enum {
#define VM_SHAPE_LEN(name, words, slots) \
  VM_LEN_##name = words, VM_SLOTS_##name = slots,
  VM_SHAPES(VM_SHAPE_LEN)
#undef VM_SHAPE_LEN
};

/* The operand words by name: VM_<SHAPE>_<WORD> is the word's index after
 * the opcode word. */
enum {
  VM_TARGET_PC = 0, VM_TARGET_CHARGE = 1, /* in every target pair */
  VM_FUEL_N = 0,
  VM_JUMP_TARGET = 0,
  VM_BR_TARGET = 0, VM_BR_SRC = 2, VM_BR_DST = 3, VM_BR_KEEP = 4,
  VM_BR_IF_COND = 0, VM_BR_IF_TARGET = 1, VM_BR_IF_SRC = 3,
  VM_BR_IF_DST = 4, VM_BR_IF_KEEP = 5, VM_BR_IF_REFUND = 6,
  VM_BR_UNLESS_COND = 0, VM_BR_UNLESS_TARGET = 1, VM_BR_UNLESS_REFUND = 3,
  /* BR_CMP_I has BR_CMP's words, its b an immediate */
  VM_BR_CMP_A = 0, VM_BR_CMP_B = 1, VM_BR_CMP_TARGET = 2, VM_BR_CMP_SRC = 4,
  VM_BR_CMP_DST = 5, VM_BR_CMP_KEEP = 6, VM_BR_CMP_REFUND = 7,
  VM_BR_TABLE_INDEX = 0, VM_BR_TABLE_N = 1, VM_BR_TABLE_SRC = 2,
  VM_BR_TABLE_KEEP = 3, VM_BR_TABLE_ENTRIES = 4,
  VM_BR_TABLE_ENTRY_LEN = 3, VM_BR_TABLE_ENTRY_DST = 2, /* in an entry */
  VM_RETURN_SRC = 0, VM_RETURN_KEEP = 1,
  VM_CALL_FUNC = 0, VM_CALL_BASE = 1,
  VM_CALL_INDIRECT_TYPE = 0, VM_CALL_INDIRECT_TABLE = 1,
  VM_CALL_INDIRECT_INDEX = 2, VM_CALL_INDIRECT_BASE = 3,
  VM_SELECT_A = 0, VM_SELECT_B = 1, VM_SELECT_COND = 2, VM_SELECT_DST = 3,
  VM_COPY_SRC = 0, VM_COPY_DST = 1,
  VM_COPY2_SRC = 0, VM_COPY2_DST = 1, VM_COPY2_SRC2 = 2, VM_COPY2_DST2 = 3,
  VM_CONST_BITS = 0, VM_CONST_DST = 1,
  VM_GLOBAL_INDEX = 0, VM_GLOBAL_SLOT = 1,
  VM_TABLE_ACCESS_TABLE = 0, VM_TABLE_ACCESS_INDEX = 1,
  VM_TABLE_ACCESS_VALUE = 2,
  VM_MEM_OFFSET = 0, VM_MEM_ADDR = 1, VM_MEM_VALUE = 2,
  VM_MEM_IMM_OFFSET = 0, VM_MEM_IMM_ADDR = 1, VM_MEM_IMM_IMM = 2,
  VM_MEM_ADD_OFFSET = 0, VM_MEM_ADD_X = 1, VM_MEM_ADD_IMM = 2,
  VM_MEM_ADD_DST = 3,
  VM_MEM_BIN_M_OFFSET = 0, VM_MEM_BIN_M_ADDR = 1, VM_MEM_BIN_M_A = 2,
  VM_MEM_BIN_M_DST = 3,
  VM_MEM_BIN_S_A = 0, VM_MEM_BIN_S_B = 1, VM_MEM_BIN_S_OFFSET = 2,
  VM_MEM_BIN_S_ADDR = 3,
  VM_MEM_BIN_MS_OFFSET = 0, VM_MEM_BIN_MS_ADDR = 1, VM_MEM_BIN_MS_A = 2,
  VM_MEM_BIN_MS_OFFSET2 = 3, VM_MEM_BIN_MS_ADDR2 = 4,
  VM_UN_A = 0, VM_UN_DST = 1,
  VM_BIN_A = 0, VM_BIN_B = 1, VM_BIN_DST = 2,
  VM_BIN_I_A = 0, VM_BIN_I_IMM = 1, VM_BIN_I_DST = 2,
  VM_CHAIN_X = 0, VM_CHAIN_Y = 1, VM_CHAIN_Z = 2, VM_CHAIN_DST = 3,
  VM_MEMORY_SIZE_DST = 0,
  VM_DROP_SEG = 0,
  VM_BULK_D = 0, VM_BULK_S = 1, VM_BULK_V = 1, VM_BULK_N = 2,
  VM_MEMORY_INIT_SEG = 0, VM_MEMORY_INIT_D = 1, VM_MEMORY_INIT_S = 2,
  VM_MEMORY_INIT_N = 3,
  VM_TABLE_BULK_X = 0, VM_TABLE_BULK_Y = 1, VM_TABLE_BULK_D = 2,
  VM_TABLE_BULK_S = 3, VM_TABLE_BULK_N = 4,
  VM_TABLE_GROW_TABLE = 0, VM_TABLE_GROW_INIT = 1, VM_TABLE_GROW_N = 2,
  VM_TABLE_GROW_DST = 3,
  VM_TABLE_FILL_TABLE = 0, VM_TABLE_FILL_D = 1, VM_TABLE_FILL_V = 2,
  VM_TABLE_FILL_N = 3,
  VM_INDEX_DST_INDEX = 0, VM_INDEX_DST_DST = 1,
};

/* The families below: each entry names an opcode and its shape. The
 * loads, stores and numeric operators are the rows of wasm_ops.h, by the
 * same names (VM_BASE_OPS reads them there): a load or store is MEM, a
 * numeric operator UN or BIN as its row has one operand or two. */
#define VM_OPS_CONTROL(X) \
  X(UNREACHABLE, NONE) X(FUEL, FUEL) X(BR, BR) X(BR_IF, BR_IF) \
  X(BR_UNLESS, BR_UNLESS) X(JUMP, JUMP) X(BR_TABLE, BR_TABLE) \
  X(RETURN, RETURN) X(CALL, CALL) X(CALL_INDIRECT, CALL_INDIRECT) \
  X(SELECT, SELECT) X(COPY, COPY) X(COPY2, COPY2) \
  X(GLOBAL_GET, GLOBAL) X(GLOBAL_SET, GLOBAL) \
  X(TABLE_GET, TABLE_ACCESS) X(TABLE_SET, TABLE_ACCESS)

#define VM_OPS_MEMORY(X) \
  X(MEMORY_SIZE, MEMORY_SIZE) X(MEMORY_GROW, UN) X(CONST, CONST)

/* After the 0xFC numeric operators: the rest of 0xFC, then the reference
 * operators. */
#define VM_OPS_EXTRA(X) \
  X(MEMORY_INIT, MEMORY_INIT) X(DATA_DROP, DROP) X(MEMORY_COPY, BULK) \
  X(MEMORY_FILL, BULK) X(TABLE_INIT, TABLE_BULK) \
  X(ELEM_DROP, DROP) X(TABLE_COPY, TABLE_BULK) X(TABLE_GROW, TABLE_GROW) \
  X(TABLE_SIZE, INDEX_DST) X(TABLE_FILL, TABLE_FILL) \
  X(REF_IS_NULL, UN) X(REF_FUNC, INDEX_DST)


/* Integer binary operators that also exist with an immediate right operand
 * (NAME_I a imm dst), used when the right operand is a constant. Each entry
 * names the operator, its interpreter macro and its expression of a, b:
 * the interpreter makes both the plain and the _I handler from it. */
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
 * the load, its memory type and the conversion of the loaded v (the
 * interpreter's plain load and _A handlers both come from it). */
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

/* Stores with a constant value: NAME_I offset addr imm. Each entry: the
 * store and its memory type (the plain and _I handlers come from it). */
#define VM_STORE_IMM_OPS(X) \
  X(I32_STORE, uint32_t) X(I64_STORE, uint64_t) X(F32_STORE, uint32_t) \
  X(F64_STORE, uint64_t) X(I32_STORE8, uint8_t) X(I32_STORE16, uint16_t) \
  X(I64_STORE8, uint8_t) X(I64_STORE16, uint16_t) X(I64_STORE32, uint32_t)

/* i32 comparisons fused with a following br_if (or `if`, negated):
 * BR_IF_<CMP> a b target charge src dst keep refund, and BR_IF_<CMP>_I
 * a imm ...
 * Each entry: the comparison and its negation; its expression is its
 * VM_IMM_OPS entry's. */
#define VM_CMP_BR(X) \
  X(I32_EQ, I32_NE) X(I32_NE, I32_EQ) X(I32_LT_S, I32_GE_S) \
  X(I32_LT_U, I32_GE_U) X(I32_GT_S, I32_LE_S) X(I32_GT_U, I32_LE_U) \
  X(I32_LE_S, I32_GT_S) X(I32_LE_U, I32_GT_U) X(I32_GE_S, I32_LT_S) \
  X(I32_GE_U, I32_LT_U)

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
 * entry: the name and the two ops (their lengths are their shapes'). */
#define VM_PAIR_OPS(X) \
  X(ADDI_ADDI, I32_ADD_I, I32_ADD_I) \
  X(ADDI_STORE8I, I32_ADD_I, I32_STORE8_I) \
  X(ADDI_STORE, I32_ADD_I, I32_STORE) \
  X(ADDI_LOAD, I32_ADD_I, I32_LOAD) \
  X(ADDI_LOAD8U, I32_ADD_I, I32_LOAD8_U) \
  X(ADD_ADDI, I32_ADD, I32_ADD_I) \
  X(LOAD_ADDI, I32_LOAD, I32_ADD_I) \
  X(LOAD_LOAD, I32_LOAD, I32_LOAD) \
  X(LOAD_LOAD8U, I32_LOAD, I32_LOAD8_U) \
  X(LOAD_STORE, I32_LOAD, I32_STORE) \
  X(LOAD_COPY, I32_LOAD, COPY) \
  X(STORE_COPY, I32_STORE, COPY) \
  X(STORE_STORE, I32_STORE, I32_STORE) \
  X(COPY_LOAD, COPY, I32_LOAD) \
  X(COPY_ADDI, COPY, I32_ADD_I) \
  X(ADDI_COPY, I32_ADD_I, COPY) \
  X(CONST_COPY, CONST, COPY) \
  X(LOAD16U_LOAD16U, I32_LOAD16_U, I32_LOAD16_U) \
  X(LOAD_BRIF, I32_LOAD, BR_IF) \
  X(COPY_BRIF, COPY, BR_IF) \
  X(COPY_BRIFNEI, COPY, BR_IF_I32_NE_I) \
  X(COPY_BRIFEQI, COPY, BR_IF_I32_EQ_I) \
  X(BRIFNEI_BRIFEQI, BR_IF_I32_NE_I, BR_IF_I32_EQ_I) \
  X(BRIFEQI_BRIFEQI, BR_IF_I32_EQ_I, BR_IF_I32_EQ_I) \
  X(BRUNLESS_COPY, BR_UNLESS, COPY) \
  X(ANDI_SELECT, I32_AND_I, SELECT) \
  X(LOAD8U_BRIFEQI, I32_LOAD8_U, BR_IF_I32_EQ_I) \
  X(LOAD8U_BRIFNEI, I32_LOAD8_U, BR_IF_I32_NE_I) \
  X(LOAD8S_SUBI, I32_LOAD8_S, I32_SUB_I)

/* Every opcode but the pairs, in opcode order, as VM_OP_X(name, shape);
 * VM_ALL_OPS adds the pairs (shape PAIR_<name>). The user defines VM_OP_X
 * before expanding either. */
#define VM_A_MEMOP(byte, name, type, natural) VM_OP_X(name, MEM)
#define VM_A_NUM(byte, name, a, b, o) VM_A_NUM_(name, VM_NUM_SHAPE_##b)
#define VM_A_NUM_(name, shape) VM_OP_X(name, shape) /* expands shape */
#define VM_NUM_SHAPE_NONE UN
#define VM_NUM_SHAPE_I32 BIN
#define VM_NUM_SHAPE_I64 BIN
#define VM_NUM_SHAPE_F32 BIN
#define VM_NUM_SHAPE_F64 BIN
#define VM_A_IMM(name, kind, expr) VM_OP_X(name##_I, BIN_I)
#define VM_A_BR(name, neg) \
  VM_OP_X(BR_IF_##name, BR_CMP) VM_OP_X(BR_IF_##name##_I, BR_CMP_I)
#define VM_A_STORE(name, type) VM_OP_X(name##_I, MEM_IMM)
#define VM_A_LOAD(name, type, conv) VM_OP_X(name##_A, MEM_ADD)
#define VM_A_MEM(name, kind, expr)                                       \
  VM_OP_X(name##_M, MEM_BIN_M) VM_OP_X(name##_S, MEM_BIN_S)              \
  VM_OP_X(name##_MS, MEM_BIN_MS)
#define VM_A_CHAIN(name, first, second, side) VM_OP_X(CHAIN_##name, CHAIN)
#define VM_A_PAIR(name, a, b) VM_OP_X(PAIR_##name, PAIR_##name)
#define VM_BASE_OPS                                                      \
  VM_OPS_CONTROL(VM_OP_X) WASM_OPS_LOAD(VM_A_MEMOP)                      \
  WASM_OPS_STORE(VM_A_MEMOP) VM_OPS_MEMORY(VM_OP_X)                      \
  WASM_OPS_NUMERIC(VM_A_NUM) WASM_OPS_FC_NUMERIC(VM_A_NUM)               \
  VM_OPS_EXTRA(VM_OP_X) VM_IMM_OPS(VM_A_IMM) VM_CMP_BR(VM_A_BR)          \
  VM_STORE_IMM_OPS(VM_A_STORE) VM_LOAD_OPS(VM_A_LOAD)                    \
  VM_MEM_BIN_OPS(VM_A_MEM) VM_CHAIN_OPS(VM_A_CHAIN)
#define VM_ALL_OPS VM_BASE_OPS VM_PAIR_OPS(VM_A_PAIR)

typedef enum vm_op {
#define VM_OP_X(name, shape) VM_OP_##name,
  VM_ALL_OPS
#undef VM_OP_X
  VM_OP_COUNT
} vm_op;

/* VM_OPLEN_<op>: the operand words of each opcode but the pairs. */
enum {
#define VM_OP_X(name, shape) VM_OPLEN_##name = VM_LEN_##shape,
  VM_BASE_OPS
#undef VM_OP_X
};

/* VM_LEN_PAIR_<name>: a pair's operand words, the second's opcode word
 * included. */
enum {
#define VM_PAIR_LEN(name, a, b) \
  VM_LEN_PAIR_##name = VM_OPLEN_##a + 1 + VM_OPLEN_##b,
  VM_PAIR_OPS(VM_PAIR_LEN)
#undef VM_PAIR_LEN
};

/* The pairs are the last opcodes. */
enum {
#define VM_PAIR_ONE(name, a, b) +1
  VM_PAIR_COUNT = 0 VM_PAIR_OPS(VM_PAIR_ONE)
#undef VM_PAIR_ONE
};
#define VM_OP_PAIR_FIRST ((int)VM_OP_COUNT - (int)VM_PAIR_COUNT)

/* Operand words of every opcode; BR_TABLE's entries come on top
 * (vm_instr_len). */
static const uint8_t vm_op_len[VM_OP_COUNT] = {
#define VM_OP_X(name, shape) VM_LEN_##shape,
    VM_ALL_OPS
#undef VM_OP_X
};

/* The words of the instruction at pc (opcode word included), while the
 * opcode words are still opcode numbers (before direct threading). */
static inline size_t vm_instr_len(const uint64_t *pc) {
  size_t n = 1 + vm_op_len[pc[0]];
  if (pc[0] == VM_OP_BR_TABLE)
    n += VM_BR_TABLE_ENTRY_LEN * ((size_t)pc[1 + VM_BR_TABLE_N] + 1);
  return n;
}

/* The opcode word holds an opcode number until direct threading; the
 * compiler names every opcode it emits (wasm_ops.h rows carry the names),
 * so only the pairs are reached by offset. */
_Static_assert(VM_OP_COUNT <= UINT16_MAX, "opcode numbers stay small");
_Static_assert(VM_OP_PAIR_FIRST == VM_OP_PAIR_ADDI_ADDI,
               "the pairs come last (verify.c indexes them from the first)");
_Static_assert(VM_UN_A == VM_BIN_A && VM_BIN_I_A == VM_BIN_A &&
                   (int)VM_BIN_I_IMM == (int)VM_BIN_B,
               "fuse.c reads a, and b or imm, of UN, BIN and BIN_I alike");
_Static_assert((int)VM_LEN_BR_TABLE == (int)VM_BR_TABLE_ENTRIES,
               "br_table entries follow its fixed words");

#endif
