/* skim.c: the syntax pre-pass over a function body.
 *
 * The spec decodes a whole body before validating it, so a malformed byte
 * late in a body must win over a type error early in it. vm_skim_body
 * checks only the syntax (opcodes, immediates, nesting, exact end), before
 * compile.c validates and translates the body. */
#include "compile_internal.h"

static wg_wasm_code skim_blocktype(cc *c) {
  if (c->r->p >= c->r->end) MALFORMEDC(c, "unexpected end");
  uint8_t b = *c->r->p;
  if (b == 0x40 || is_num(b) || is_ref(b)) {
    c->r->p++;
    return WG_WASM_OK;
  }
  if (b == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
  int64_t idx;
  READC(vm_read_s33(c->r, &idx, &rmsg_));
  if (idx < 0) MALFORMEDC(c, "malformed block type");
  return WG_WASM_OK;
}

static wg_wasm_code skim_u32s(cc *c, int n) {
  uint32_t v;
  for (int i = 0; i < n; i++) U32C(&v);
  return WG_WASM_OK;
}

static wg_wasm_code skim_prefixed(cc *c) {
  uint32_t sub;
  U32C(&sub);
  if (sub <= 7) return WG_WASM_OK;
  switch (sub) {
    case 8: TRY(skim_u32s(c, 1)); return vm_zero_byte(c);
    case 9: case 13: case 15: case 16: case 17: return skim_u32s(c, 1);
    case 10: TRY(vm_zero_byte(c)); return vm_zero_byte(c);
    case 11: return vm_zero_byte(c);
    case 12: case 14: return skim_u32s(c, 2);
  }
  MALFORMEDC(c, "illegal opcode 0xfc %u", sub);
}

static wg_wasm_code skim_instr(cc *c, uint8_t op, uint32_t *depth) {
  switch (op) {
    case 0x02: case 0x03: case 0x04:
      (*depth)++;
      return skim_blocktype(c);
    case 0x0b:
      (*depth)--;
      return WG_WASM_OK;
    case 0x00: case 0x01: case 0x05: case 0x0f: case 0x1a: case 0x1b:
    case 0xd1:
      return WG_WASM_OK;
    case 0x0c: case 0x0d: case 0x10: case 0x20: case 0x21: case 0x22:
    case 0x23: case 0x24: case 0x25: case 0x26: case 0xd2:
      return skim_u32s(c, 1);
    case 0x11:
      return skim_u32s(c, 2);
    case 0x0e: {
      uint32_t n;
      U32C(&n);
      if (n > (size_t)(c->r->end - c->r->p)) MALFORMEDC(c, "unexpected end");
      return skim_u32s(c, (int)n + 1);
    }
    case 0x1c: {
      uint32_t n;
      U32C(&n);
      if (n > (size_t)(c->r->end - c->r->p)) MALFORMEDC(c, "unexpected end");
      for (uint32_t i = 0; i < n; i++) {
        uint8_t t;
        READC(vm_read_byte(c->r, &t, &rmsg_));
        if (t == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
        if (!is_num(t) && !is_ref(t)) MALFORMEDC(c, "malformed value type");
      }
      return WG_WASM_OK;
    }
    case 0x3f: case 0x40:
      return vm_zero_byte(c);
    case 0x41: {
      int32_t v;
      READC(vm_read_s32(c->r, &v, &rmsg_));
      return WG_WASM_OK;
    }
    case 0x42: {
      int64_t v;
      READC(vm_read_s64(c->r, &v, &rmsg_));
      return WG_WASM_OK;
    }
    case 0x43: case 0x44: {
      size_t n = op == 0x43 ? 4 : 8;
      if ((size_t)(c->r->end - c->r->p) < n) MALFORMEDC(c, "unexpected end");
      c->r->p += n;
      return WG_WASM_OK;
    }
    case 0xd0: {
      uint8_t t;
      READC(vm_read_byte(c->r, &t, &rmsg_));
      if (!is_ref(t)) MALFORMEDC(c, "malformed reference type");
      return WG_WASM_OK;
    }
    case 0xfc:
      return skim_prefixed(c);
    case 0xfd:
      FAILC(c, WG_WASM_UNSUPPORTED, "SIMD is not supported");
    case 0xfe:
      FAILC(c, WG_WASM_UNSUPPORTED, "threads are not supported");
    case 0x06: case 0x07: case 0x08: case 0x09: case 0x0a: case 0x18:
    case 0x19:
      FAILC(c, WG_WASM_UNSUPPORTED, "exception handling is not supported");
    case 0x12: case 0x13:
      FAILC(c, WG_WASM_UNSUPPORTED, "tail calls are not supported");
  }
  if (op >= 0x28 && op <= 0x3e) return skim_u32s(c, 2);
  if (op >= 0x45 && op <= 0xc4) return WG_WASM_OK;
  MALFORMEDC(c, "illegal opcode 0x%02x", op);
}

wg_wasm_code vm_skim_body(cc *c) {
  uint32_t groups;
  uint64_t total = 0;
  U32C(&groups);
  if (groups > (size_t)(c->r->end - c->r->p)) MALFORMEDC(c, "unexpected end");
  for (uint32_t g = 0; g < groups; g++) {
    uint32_t n;
    uint8_t t;
    U32C(&n);
    READC(vm_read_byte(c->r, &t, &rmsg_));
    total += n;
    if (total > UINT32_MAX) MALFORMEDC(c, "too many locals");
    if (t == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
    if (!is_num(t) && !is_ref(t)) MALFORMEDC(c, "malformed value type");
  }
  uint32_t depth = 1;
  while (depth > 0) {
    uint8_t op;
    READC(vm_read_byte(c->r, &op, &rmsg_));
    TRY(skim_instr(c, op, &depth));
    if (++c->work >= c->work_ticked + VM_BUILD_TICK) TRY(vm_compile_tick(c));
  }
  if (c->r->p != c->r->end) MALFORMEDC(c, "section size mismatch");
  return WG_WASM_OK;
}
