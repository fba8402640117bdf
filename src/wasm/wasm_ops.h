/* wasm_ops.h: the WebAssembly opcodes the engine reads, in one table.
 *
 * Every opcode is one row, and everything that reads a body goes by these
 * rows: skim.c's syntax pass by the immediates column, vm_instruction
 * (instr.c) by the handler column, vm_opcode_exists (skim.c) by the rows
 * themselves, decode.c's constant expressions by the names; vm_opcodes.h
 * makes the internal load, store and numeric opcodes from the rows. An
 * opcode missing here is an illegal opcode (malformed); one in
 * WASM_OPS_REFUSED is a known proposal the engine does not implement
 * (unsupported).
 *
 * The families and their columns:
 *   WASM_OPS(X)          X(byte, NAME, immediates, handler)
 *   WASM_OPS_LOAD(X)     X(byte, NAME, type, natural alignment in bytes)
 *   WASM_OPS_STORE(X)    (the same), immediates a memarg; compiled by
 *                        vm_load / vm_store (fuse.c)
 *   WASM_OPS_NUMERIC(X)  X(byte, NAME, operand type, second operand type
 *                        or NONE, result type); no immediates; compiled by
 *                        vm_numeric (fuse.c) as the internal operator of
 *                        the same NAME (vm_opcodes.h)
 *   WASM_OPS_FC(X)       after the 0xFC prefix: X(sub-opcode, NAME,
 *                        immediates, handler)
 *   WASM_OPS_FC_NUMERIC(X)  after 0xFC, as WASM_OPS_NUMERIC
 *   WASM_OPS_REFUSED(X)  X(byte, NAME, message): unsupported, with that
 *                        message
 *
 * Immediates (skim.c reads them; the handler reads them again, decoded):
 *   NONE, BLOCK (a block type; opens a block), END (closes one), U32 (one
 *   LEB u32 index), U32X2 (two), MEMARG (align, offset), LABELS (br_table:
 *   a count, that many labels and a default), TYPES (typed select: a count
 *   and value types), ZERO (a reserved zero byte), U32_ZERO, ZERO_ZERO,
 *   I32 / I64 (signed LEB), F32 / F64 (4 / 8 raw bytes), REFTYPE, PREFIX
 *   (a LEB sub-opcode, then WASM_OPS_FC). */
#ifndef WG_WASM_OPS_H
#define WG_WASM_OPS_H

#define WASM_OPS(X)                                        \
  X(0x00, UNREACHABLE, NONE, vm_control)                   \
  X(0x01, NOP, NONE, vm_control)                           \
  X(0x02, BLOCK, BLOCK, vm_control)                        \
  X(0x03, LOOP, BLOCK, vm_control)                         \
  X(0x04, IF, BLOCK, vm_control)                           \
  X(0x05, ELSE, NONE, vm_control)                          \
  X(0x0b, END, END, vm_control)                            \
  X(0x0c, BR, U32, vm_control)                             \
  X(0x0d, BR_IF, U32, vm_control)                          \
  X(0x0e, BR_TABLE, LABELS, vm_control)                    \
  X(0x0f, RETURN, NONE, vm_control)                        \
  X(0x10, CALL, U32, vm_control)                           \
  X(0x11, CALL_INDIRECT, U32X2, vm_control)                \
  X(0x1a, DROP, NONE, op_drop)                             \
  X(0x1b, SELECT, NONE, op_select)                         \
  X(0x1c, SELECT_T, TYPES, op_select)                      \
  X(0x20, LOCAL_GET, U32, op_local)                        \
  X(0x21, LOCAL_SET, U32, op_local)                        \
  X(0x22, LOCAL_TEE, U32, op_local)                        \
  X(0x23, GLOBAL_GET, U32, op_global)                      \
  X(0x24, GLOBAL_SET, U32, op_global)                      \
  X(0x25, TABLE_GET, U32, table_access)                    \
  X(0x26, TABLE_SET, U32, table_access)                    \
  X(0x3f, MEMORY_SIZE, ZERO, memory_size_grow)             \
  X(0x40, MEMORY_GROW, ZERO, memory_size_grow)             \
  X(0x41, I32_CONST, I32, op_const)                        \
  X(0x42, I64_CONST, I64, op_const)                        \
  X(0x43, F32_CONST, F32, op_const)                        \
  X(0x44, F64_CONST, F64, op_const)                        \
  X(0xd0, REF_NULL, REFTYPE, op_ref_null)                  \
  X(0xd1, REF_IS_NULL, NONE, op_ref_is_null)               \
  X(0xd2, REF_FUNC, U32, op_ref_func)                      \
  X(0xfc, PREFIX_FC, PREFIX, prefixed)

#define WASM_OPS_LOAD(X)                                   \
  X(0x28, I32_LOAD, I32, 4) X(0x29, I64_LOAD, I64, 8)      \
  X(0x2a, F32_LOAD, F32, 4) X(0x2b, F64_LOAD, F64, 8)      \
  X(0x2c, I32_LOAD8_S, I32, 1) X(0x2d, I32_LOAD8_U, I32, 1) \
  X(0x2e, I32_LOAD16_S, I32, 2) X(0x2f, I32_LOAD16_U, I32, 2) \
  X(0x30, I64_LOAD8_S, I64, 1) X(0x31, I64_LOAD8_U, I64, 1) \
  X(0x32, I64_LOAD16_S, I64, 2) X(0x33, I64_LOAD16_U, I64, 2) \
  X(0x34, I64_LOAD32_S, I64, 4) X(0x35, I64_LOAD32_U, I64, 4)

#define WASM_OPS_STORE(X)                                  \
  X(0x36, I32_STORE, I32, 4) X(0x37, I64_STORE, I64, 8)    \
  X(0x38, F32_STORE, F32, 4) X(0x39, F64_STORE, F64, 8)    \
  X(0x3a, I32_STORE8, I32, 1) X(0x3b, I32_STORE16, I32, 2) \
  X(0x3c, I64_STORE8, I64, 1) X(0x3d, I64_STORE16, I64, 2) \
  X(0x3e, I64_STORE32, I64, 4)

#define WASM_OPS_NUMERIC(X)                                               \
  X(0x45, I32_EQZ, I32, NONE, I32) X(0x46, I32_EQ, I32, I32, I32)          \
  X(0x47, I32_NE, I32, I32, I32) X(0x48, I32_LT_S, I32, I32, I32)          \
  X(0x49, I32_LT_U, I32, I32, I32) X(0x4a, I32_GT_S, I32, I32, I32)        \
  X(0x4b, I32_GT_U, I32, I32, I32) X(0x4c, I32_LE_S, I32, I32, I32)        \
  X(0x4d, I32_LE_U, I32, I32, I32) X(0x4e, I32_GE_S, I32, I32, I32)        \
  X(0x4f, I32_GE_U, I32, I32, I32)                                         \
  X(0x50, I64_EQZ, I64, NONE, I32) X(0x51, I64_EQ, I64, I64, I32)          \
  X(0x52, I64_NE, I64, I64, I32) X(0x53, I64_LT_S, I64, I64, I32)          \
  X(0x54, I64_LT_U, I64, I64, I32) X(0x55, I64_GT_S, I64, I64, I32)        \
  X(0x56, I64_GT_U, I64, I64, I32) X(0x57, I64_LE_S, I64, I64, I32)        \
  X(0x58, I64_LE_U, I64, I64, I32) X(0x59, I64_GE_S, I64, I64, I32)        \
  X(0x5a, I64_GE_U, I64, I64, I32)                                         \
  X(0x5b, F32_EQ, F32, F32, I32) X(0x5c, F32_NE, F32, F32, I32)            \
  X(0x5d, F32_LT, F32, F32, I32) X(0x5e, F32_GT, F32, F32, I32)            \
  X(0x5f, F32_LE, F32, F32, I32) X(0x60, F32_GE, F32, F32, I32)            \
  X(0x61, F64_EQ, F64, F64, I32) X(0x62, F64_NE, F64, F64, I32)            \
  X(0x63, F64_LT, F64, F64, I32) X(0x64, F64_GT, F64, F64, I32)            \
  X(0x65, F64_LE, F64, F64, I32) X(0x66, F64_GE, F64, F64, I32)            \
  X(0x67, I32_CLZ, I32, NONE, I32) X(0x68, I32_CTZ, I32, NONE, I32)        \
  X(0x69, I32_POPCNT, I32, NONE, I32) X(0x6a, I32_ADD, I32, I32, I32)      \
  X(0x6b, I32_SUB, I32, I32, I32) X(0x6c, I32_MUL, I32, I32, I32)          \
  X(0x6d, I32_DIV_S, I32, I32, I32) X(0x6e, I32_DIV_U, I32, I32, I32)      \
  X(0x6f, I32_REM_S, I32, I32, I32) X(0x70, I32_REM_U, I32, I32, I32)      \
  X(0x71, I32_AND, I32, I32, I32) X(0x72, I32_OR, I32, I32, I32)           \
  X(0x73, I32_XOR, I32, I32, I32) X(0x74, I32_SHL, I32, I32, I32)          \
  X(0x75, I32_SHR_S, I32, I32, I32) X(0x76, I32_SHR_U, I32, I32, I32)      \
  X(0x77, I32_ROTL, I32, I32, I32) X(0x78, I32_ROTR, I32, I32, I32)        \
  X(0x79, I64_CLZ, I64, NONE, I64) X(0x7a, I64_CTZ, I64, NONE, I64)        \
  X(0x7b, I64_POPCNT, I64, NONE, I64) X(0x7c, I64_ADD, I64, I64, I64)      \
  X(0x7d, I64_SUB, I64, I64, I64) X(0x7e, I64_MUL, I64, I64, I64)          \
  X(0x7f, I64_DIV_S, I64, I64, I64) X(0x80, I64_DIV_U, I64, I64, I64)      \
  X(0x81, I64_REM_S, I64, I64, I64) X(0x82, I64_REM_U, I64, I64, I64)      \
  X(0x83, I64_AND, I64, I64, I64) X(0x84, I64_OR, I64, I64, I64)           \
  X(0x85, I64_XOR, I64, I64, I64) X(0x86, I64_SHL, I64, I64, I64)          \
  X(0x87, I64_SHR_S, I64, I64, I64) X(0x88, I64_SHR_U, I64, I64, I64)      \
  X(0x89, I64_ROTL, I64, I64, I64) X(0x8a, I64_ROTR, I64, I64, I64)        \
  X(0x8b, F32_ABS, F32, NONE, F32) X(0x8c, F32_NEG, F32, NONE, F32)        \
  X(0x8d, F32_CEIL, F32, NONE, F32) X(0x8e, F32_FLOOR, F32, NONE, F32)     \
  X(0x8f, F32_TRUNC, F32, NONE, F32) X(0x90, F32_NEAREST, F32, NONE, F32)  \
  X(0x91, F32_SQRT, F32, NONE, F32) X(0x92, F32_ADD, F32, F32, F32)        \
  X(0x93, F32_SUB, F32, F32, F32) X(0x94, F32_MUL, F32, F32, F32)          \
  X(0x95, F32_DIV, F32, F32, F32) X(0x96, F32_MIN, F32, F32, F32)          \
  X(0x97, F32_MAX, F32, F32, F32) X(0x98, F32_COPYSIGN, F32, F32, F32)     \
  X(0x99, F64_ABS, F64, NONE, F64) X(0x9a, F64_NEG, F64, NONE, F64)        \
  X(0x9b, F64_CEIL, F64, NONE, F64) X(0x9c, F64_FLOOR, F64, NONE, F64)     \
  X(0x9d, F64_TRUNC, F64, NONE, F64) X(0x9e, F64_NEAREST, F64, NONE, F64)  \
  X(0x9f, F64_SQRT, F64, NONE, F64) X(0xa0, F64_ADD, F64, F64, F64)        \
  X(0xa1, F64_SUB, F64, F64, F64) X(0xa2, F64_MUL, F64, F64, F64)          \
  X(0xa3, F64_DIV, F64, F64, F64) X(0xa4, F64_MIN, F64, F64, F64)          \
  X(0xa5, F64_MAX, F64, F64, F64) X(0xa6, F64_COPYSIGN, F64, F64, F64)     \
  X(0xa7, I32_WRAP_I64, I64, NONE, I32)                                    \
  X(0xa8, I32_TRUNC_F32_S, F32, NONE, I32)                                 \
  X(0xa9, I32_TRUNC_F32_U, F32, NONE, I32)                                 \
  X(0xaa, I32_TRUNC_F64_S, F64, NONE, I32)                                 \
  X(0xab, I32_TRUNC_F64_U, F64, NONE, I32)                                 \
  X(0xac, I64_EXTEND_I32_S, I32, NONE, I64)                                \
  X(0xad, I64_EXTEND_I32_U, I32, NONE, I64)                                \
  X(0xae, I64_TRUNC_F32_S, F32, NONE, I64)                                 \
  X(0xaf, I64_TRUNC_F32_U, F32, NONE, I64)                                 \
  X(0xb0, I64_TRUNC_F64_S, F64, NONE, I64)                                 \
  X(0xb1, I64_TRUNC_F64_U, F64, NONE, I64)                                 \
  X(0xb2, F32_CONVERT_I32_S, I32, NONE, F32)                               \
  X(0xb3, F32_CONVERT_I32_U, I32, NONE, F32)                               \
  X(0xb4, F32_CONVERT_I64_S, I64, NONE, F32)                               \
  X(0xb5, F32_CONVERT_I64_U, I64, NONE, F32)                               \
  X(0xb6, F32_DEMOTE_F64, F64, NONE, F32)                                  \
  X(0xb7, F64_CONVERT_I32_S, I32, NONE, F64)                               \
  X(0xb8, F64_CONVERT_I32_U, I32, NONE, F64)                               \
  X(0xb9, F64_CONVERT_I64_S, I64, NONE, F64)                               \
  X(0xba, F64_CONVERT_I64_U, I64, NONE, F64)                               \
  X(0xbb, F64_PROMOTE_F32, F32, NONE, F64)                                 \
  X(0xbc, I32_REINTERPRET_F32, F32, NONE, I32)                             \
  X(0xbd, I64_REINTERPRET_F64, F64, NONE, I64)                             \
  X(0xbe, F32_REINTERPRET_I32, I32, NONE, F32)                             \
  X(0xbf, F64_REINTERPRET_I64, I64, NONE, F64)                             \
  X(0xc0, I32_EXTEND8_S, I32, NONE, I32)                                   \
  X(0xc1, I32_EXTEND16_S, I32, NONE, I32)                                  \
  X(0xc2, I64_EXTEND8_S, I64, NONE, I64)                                   \
  X(0xc3, I64_EXTEND16_S, I64, NONE, I64)                                  \
  X(0xc4, I64_EXTEND32_S, I64, NONE, I64)

#define WASM_OPS_FC_NUMERIC(X)                  \
  X(0, I32_TRUNC_SAT_F32_S, F32, NONE, I32)     \
  X(1, I32_TRUNC_SAT_F32_U, F32, NONE, I32)     \
  X(2, I32_TRUNC_SAT_F64_S, F64, NONE, I32)     \
  X(3, I32_TRUNC_SAT_F64_U, F64, NONE, I32)     \
  X(4, I64_TRUNC_SAT_F32_S, F32, NONE, I64)     \
  X(5, I64_TRUNC_SAT_F32_U, F32, NONE, I64)     \
  X(6, I64_TRUNC_SAT_F64_S, F64, NONE, I64)     \
  X(7, I64_TRUNC_SAT_F64_U, F64, NONE, I64)

/* memory.init's data index, memory.copy's two memories, table.init's
 * element and table indexes, table.copy's destination and source. */
#define WASM_OPS_FC(X)                                  \
  X(8, MEMORY_INIT, U32_ZERO, op_memory_init)           \
  X(9, DATA_DROP, U32, op_data_drop)                    \
  X(10, MEMORY_COPY, ZERO_ZERO, op_memory_copy)         \
  X(11, MEMORY_FILL, ZERO, op_memory_fill)              \
  X(12, TABLE_INIT, U32X2, op_table_init)               \
  X(13, ELEM_DROP, U32, op_elem_drop)                   \
  X(14, TABLE_COPY, U32X2, op_table_copy)               \
  X(15, TABLE_GROW, U32, op_table_grow)                 \
  X(16, TABLE_SIZE, U32, op_table_size)                 \
  X(17, TABLE_FILL, U32, op_table_fill)

/* Opcodes of proposals the engine refuses by name (exception handling,
 * tail calls, SIMD, threads) rather than as illegal bytes: X(byte, NAME,
 * message). */
#define WASM_OPS_REFUSED(X)                                      \
  X(0x06, TRY, "exception handling is not supported")            \
  X(0x07, CATCH, "exception handling is not supported")          \
  X(0x08, THROW, "exception handling is not supported")          \
  X(0x09, RETHROW, "exception handling is not supported")        \
  X(0x0a, THROW_REF, "exception handling is not supported")      \
  X(0x12, RETURN_CALL, "tail calls are not supported")           \
  X(0x13, RETURN_CALL_INDIRECT, "tail calls are not supported")  \
  X(0x18, DELEGATE, "exception handling is not supported")       \
  X(0x19, CATCH_ALL, "exception handling is not supported")      \
  X(0xfd, PREFIX_SIMD, "SIMD is not supported")                  \
  X(0xfe, PREFIX_THREADS, "threads are not supported")

/* The opcode bytes by name: WASM_OP_END, WASM_OP_I32_LOAD, ... and the
 * 0xFC sub-opcodes WASM_FC_MEMORY_INIT, ... */
enum {
#define WASM_OP_NAME(byte, name, ...) WASM_OP_##name = byte,
  WASM_OPS(WASM_OP_NAME) WASM_OPS_LOAD(WASM_OP_NAME)
  WASM_OPS_STORE(WASM_OP_NAME) WASM_OPS_NUMERIC(WASM_OP_NAME)
  WASM_OPS_REFUSED(WASM_OP_NAME)
#undef WASM_OP_NAME
#define WASM_FC_NAME(sub, name, ...) WASM_FC_##name = sub,
  WASM_OPS_FC_NUMERIC(WASM_FC_NAME) WASM_OPS_FC(WASM_FC_NAME)
#undef WASM_FC_NAME
  WASM_FC_COUNT = WASM_FC_TABLE_FILL + 1
};

/* The immediates column: what follows an opcode (skim.c reads it). An
 * opcode without a row is ILLEGAL; a WASM_OPS_REFUSED row is REFUSED. */
typedef enum wasm_imm {
  WASM_IMM_ILLEGAL = 0,
  WASM_IMM_REFUSED,
  WASM_IMM_NONE,
  WASM_IMM_BLOCK,
  WASM_IMM_END,
  WASM_IMM_U32,
  WASM_IMM_U32X2,
  WASM_IMM_MEMARG,
  WASM_IMM_LABELS,
  WASM_IMM_TYPES,
  WASM_IMM_ZERO,
  WASM_IMM_U32_ZERO,
  WASM_IMM_ZERO_ZERO,
  WASM_IMM_I32,
  WASM_IMM_I64,
  WASM_IMM_F32,
  WASM_IMM_F64,
  WASM_IMM_REFTYPE,
  WASM_IMM_PREFIX,
} wasm_imm;

/* Type bytes the readers test by name. */
enum {
  WASM_TYPE_FUNC = 0x60,   /* opens a function type in the type section */
  WASM_BLOCK_EMPTY = 0x40, /* a block type with no params or results */
  WASM_TYPE_V128 = 0x7b,   /* SIMD's vector type: refused */
};

#endif
