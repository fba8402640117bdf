/* reader_internal.h: the byte reader of a module (reader.c): where a read
 * stands, the LEB128 readers and vm_error, which reports a failure with
 * its byte offset. decode.c reads sections through it, the compiler
 * (compile_internal.h) function bodies; vm_module.h includes it for the
 * rest of the engine. */
#ifndef WG_WASM_READER_INTERNAL_H
#define WG_WASM_READER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wasm.h"

/* Fills err (when not NULL): result r at byte `offset`, a printf message. */
void vm_error(wg_wasm_error *err, wg_wasm_code r, size_t offset,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

typedef struct vm_reader {
  const uint8_t *base;  /* start of the module, for offsets */
  const uint8_t *p;
  const uint8_t *end;
} vm_reader;

/* LEB readers shared by decode.c and the compiler. They return false on
 * malformed input and set *msg. */
bool vm_read_u32_slow(vm_reader *r, uint32_t *out, const char **msg);
bool vm_read_s32(vm_reader *r, int32_t *out, const char **msg);
bool vm_read_s33(vm_reader *r, int64_t *out, const char **msg);
bool vm_read_s64(vm_reader *r, int64_t *out, const char **msg);
/* Inline fast paths (most bytes of a body are opcodes and one-byte
 * LEBs: the compiler reads every byte twice, so this is most of its
 * decoding time). */
static inline bool vm_read_byte(vm_reader *r, uint8_t *out, const char **msg) {
  if (r->p >= r->end) {
    *msg = "unexpected end";
    return false;
  }
  *out = *r->p++;
  return true;
}
static inline bool vm_read_u32(vm_reader *r, uint32_t *out, const char **msg) {
  if (r->p < r->end && *r->p < 0x80) {
    *out = *r->p++;
    return true;
  }
  return vm_read_u32_slow(r, out, msg);
}

/* Value types: the six the engine knows. v128 is unsupported, any other
 * byte malformed; the error is at r's offset (after the byte). */
bool vm_is_valtype(uint8_t b);
wg_wasm_code vm_check_valtype(vm_reader *r, uint8_t b, wg_wasm_error *err);
wg_wasm_code vm_read_valtype(vm_reader *r, wg_valtype *out, wg_wasm_error *err);
/* The immediate of i32/i64/f32/f64.const (op one of those): its value's
 * bits (a float's as they are, zero-extended) and its type. */
wg_wasm_code vm_read_number_const(vm_reader *r, uint8_t op, uint64_t *bits,
                                  wg_valtype *t, wg_wasm_error *err);
/* A reference type (funcref, externref); any other byte is malformed. */
wg_wasm_code vm_read_reftype(vm_reader *r, wg_valtype *out, wg_wasm_error *err);

/* ---- Early returns shared by decode.c and the compiler ------------------
 *
 * Functions that read return a wg_wasm_code; these macros return early
 * with it. Each file binds them to its own context with short forms,
 * named apart because the contexts differ: decode.c's (FAIL, MALFORMED,
 * INVALID, OVER, READ, U32, BYTE) take a reader and report into the
 * function's `err` parameter; the compiler's C-suffixed ones (FAILC,
 * MALFORMEDC, INVALIDC, READC, U32C in compile_internal.h) take the
 * compiler state c, which holds its reader and error. */
#define TRY(x)                                \
  do {                                        \
    wg_wasm_code try_r_ = (x);              \
    if (try_r_ != WG_WASM_OK) return try_r_;  \
  } while (0)
/* Byte offset of reader rd (in the module). */
#define VM_OFFSET(rd) ((size_t)((rd)->p - (rd)->base))
/* Fills err with result res at rd's offset and returns res. */
#define VM_FAIL(err, res, rd, ...)                             \
  do {                                                         \
    vm_error((err), (res), VM_OFFSET(rd), __VA_ARGS__);        \
    return (res);                                              \
  } while (0)
/* Runs a reader call that may name `rmsg_` for its message; when it
 * fails, the module is malformed at rd's offset. */
#define VM_READ(err, rd, call)                                           \
  do {                                                                   \
    const char *rmsg_ = NULL;                                            \
    if (!(call))                                                         \
      VM_FAIL((err), WG_WASM_MALFORMED, (rd), "%s",                      \
              rmsg_ ? rmsg_ : "unexpected end");                         \
  } while (0)

#endif
