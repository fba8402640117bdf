/* reader.c: reading a module's bytes and reporting what is wrong with them.
 *
 * vm_error fills a wg_wasm_error (result, byte offset, message); every
 * layer of the engine reports through it. The LEB128 readers enforce the
 * spec's exact-length and overflow rules: a value takes at most
 * ceil(bits / 7) bytes and the unused bits of the last byte must be zero
 * (unsigned) or copies of the sign bit (signed). decode.c and the compiler
 * read through them (the one-byte fast paths are inline in
 * reader_internal.h), and through the value-type reader. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reader_internal.h"
#include "wasm_ops.h"

void vm_error(wg_wasm_error *err, wg_wasm_code r, size_t offset,
              const char *fmt, ...) {
  if (!err) return;
  err->code = r;
  err->trap = WG_TRAP_NONE;
  err->offset = offset;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

/* ---- LEB128 ------------------------------------------------------------ */

/* Reads an unsigned LEB of at most `bits` bits. */
static bool read_uleb(vm_reader *r, unsigned bits, uint64_t *out,
                      const char **msg) {
  uint64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    uint8_t b;
    if (!vm_read_byte(r, &b, msg)) return false;
    if (shift + 7 >= bits && shift < bits) {
      /* last permitted byte: no continuation, unused bits zero */
      unsigned used = bits - shift;
      if (b & 0x80) {
        *msg = "integer representation too long";
        return false;
      }
      if (used < 7 && (b >> used) != 0) {
        *msg = "integer too large";
        return false;
      }
      v |= (uint64_t)b << shift;
      *out = v;
      return true;
    }
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
    shift += 7;
  }
}

static bool read_sleb(vm_reader *r, unsigned bits, int64_t *out,
                      const char **msg) {
  uint64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    uint8_t b;
    if (!vm_read_byte(r, &b, msg)) return false;
    if (shift + 7 >= bits) {
      unsigned used = bits - shift; /* 1..7 value bits in this byte */
      if (b & 0x80) {
        *msg = "integer representation too long";
        return false;
      }
      /* remaining bits must all equal the sign bit */
      int sign = (b >> (used - 1)) & 1;
      uint8_t rest = (uint8_t)((b & 0x7f) >> used);
      uint8_t want = sign ? (uint8_t)(0x7f >> used) : 0;
      if (rest != want) {
        *msg = "integer too large";
        return false;
      }
      v |= (uint64_t)(b & 0x7f) << shift;
      shift += 7;
      break;
    }
    v |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (shift < 64 && (v >> (shift - 1)) & 1) v |= ~(uint64_t)0 << shift;
  *out = (int64_t)v;
  return true;
}

bool vm_read_u32_slow(vm_reader *r, uint32_t *out, const char **msg) {
  uint64_t v;
  if (!read_uleb(r, 32, &v, msg)) return false;
  *out = (uint32_t)v;
  return true;
}
bool vm_read_s32(vm_reader *r, int32_t *out, const char **msg) {
  int64_t v;
  if (!read_sleb(r, 32, &v, msg)) return false;
  *out = (int32_t)v;
  return true;
}
bool vm_read_s33(vm_reader *r, int64_t *out, const char **msg) {
  return read_sleb(r, 33, out, msg);
}
bool vm_read_s64(vm_reader *r, int64_t *out, const char **msg) {
  return read_sleb(r, 64, out, msg);
}

/* ---- Value types --------------------------------------------------------- */

bool vm_is_valtype(uint8_t b) {
  return b == WG_I32 || b == WG_I64 || b == WG_F32 || b == WG_F64 ||
         b == WG_FUNCREF || b == WG_EXTERNREF;
}

wg_wasm_code vm_check_valtype(vm_reader *r, uint8_t b, wg_wasm_error *err) {
  if (b == WASM_TYPE_V128)
    VM_FAIL(err, WG_WASM_UNSUPPORTED, r, "v128 (SIMD) is not supported");
  if (!vm_is_valtype(b))
    VM_FAIL(err, WG_WASM_MALFORMED, r, "malformed value type 0x%02x", b);
  return WG_WASM_OK;
}

wg_wasm_code vm_read_number_const(vm_reader *r, uint8_t op, uint64_t *bits,
                                  wg_valtype *t, wg_wasm_error *err) {
  if (op == WASM_OP_I32_CONST) {
    int32_t x;
    VM_READ(err, r, vm_read_s32(r, &x, &rmsg_));
    *bits = (uint32_t)x;
    *t = WG_I32;
  } else if (op == WASM_OP_I64_CONST) {
    int64_t x;
    VM_READ(err, r, vm_read_s64(r, &x, &rmsg_));
    *bits = (uint64_t)x;
    *t = WG_I64;
  } else {
    size_t n = op == WASM_OP_F32_CONST ? 4 : 8;
    if ((size_t)(r->end - r->p) < n)
      VM_FAIL(err, WG_WASM_MALFORMED, r, "unexpected end");
    *bits = 0;
    memcpy(bits, r->p, n); /* little-endian host */
    r->p += n;
    *t = op == WASM_OP_F32_CONST ? WG_F32 : WG_F64;
  }
  return WG_WASM_OK;
}

wg_wasm_code vm_read_reftype(vm_reader *r, wg_valtype *out, wg_wasm_error *err) {
  uint8_t b;
  VM_READ(err, r, vm_read_byte(r, &b, &rmsg_));
  if (b != WG_FUNCREF && b != WG_EXTERNREF)
    VM_FAIL(err, WG_WASM_MALFORMED, r, "malformed reference type");
  *out = (wg_valtype)b;
  return WG_WASM_OK;
}

wg_wasm_code vm_read_valtype(vm_reader *r, wg_valtype *out, wg_wasm_error *err) {
  uint8_t b;
  VM_READ(err, r, vm_read_byte(r, &b, &rmsg_));
  TRY(vm_check_valtype(r, b, err));
  *out = (wg_valtype)b;
  return WG_WASM_OK;
}
