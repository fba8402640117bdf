/* skim.c: the syntax pre-pass over a function body, and which opcodes
 * exist.
 *
 * The spec decodes a whole body before validating it, so a malformed byte
 * late in a body must win over a type error early in it. vm_skim_body
 * checks only the syntax (opcodes, immediates, nesting, exact end), before
 * compile.c validates and translates the body. What follows each opcode
 * is the immediates column of wasm_ops.h, made into a table here. */
#include "compile_internal.h"

/* Immediates by opcode byte and by 0xFC sub-opcode. A byte in two rows
 * would be an initializer overridden, which -Wextra reports. */
static const uint8_t imm_of[256] = {
#define IMM_ROW(byte, name, imm, handler) [byte] = WASM_IMM_##imm,
#define IMM_MEM(byte, name, type, align) [byte] = WASM_IMM_MEMARG,
#define IMM_NUM(byte, name, a, b, o) [byte] = WASM_IMM_NONE,
#define IMM_REFUSED(byte, name, message) [byte] = WASM_IMM_REFUSED,
    WASM_OPS(IMM_ROW) WASM_OPS_LOAD(IMM_MEM) WASM_OPS_STORE(IMM_MEM)
    WASM_OPS_NUMERIC(IMM_NUM) WASM_OPS_REFUSED(IMM_REFUSED)};
static const uint8_t imm_of_fc[WASM_FC_COUNT] = {
    WASM_OPS_FC(IMM_ROW) WASM_OPS_FC_NUMERIC(IMM_NUM)};
#undef IMM_ROW
#undef IMM_MEM
#undef IMM_NUM
#undef IMM_REFUSED

bool vm_opcode_exists(uint8_t op) {
  return imm_of[op] != WASM_IMM_ILLEGAL && imm_of[op] != WASM_IMM_REFUSED;
}

static wg_wasm_code refused(cc *c, uint8_t op) {
  switch (op) {
#define REFUSED_CASE(byte, name, message) \
  case byte:                              \
    FAILC(c, WG_WASM_UNSUPPORTED, message);
    WASM_OPS_REFUSED(REFUSED_CASE)
#undef REFUSED_CASE
  }
  MALFORMEDC(c, "illegal opcode 0x%02x", op);
}

wg_wasm_code vm_blocktype_syntax(cc *c, uint8_t *single, int64_t *idx) {
  if (c->r->p >= c->r->end) MALFORMEDC(c, "unexpected end");
  uint8_t b = *c->r->p;
  *single = 0;
  if (b == WASM_BLOCK_EMPTY || vm_is_valtype(b)) {
    c->r->p++;
    *single = b;
    return WG_WASM_OK;
  }
  if (b == WASM_TYPE_V128) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
  READC(vm_read_s33(c->r, idx, &rmsg_));
  if (*idx < 0) MALFORMEDC(c, "malformed block type");
  return WG_WASM_OK;
}

static wg_wasm_code skim_blocktype(cc *c) {
  uint8_t single;
  int64_t idx;
  return vm_blocktype_syntax(c, &single, &idx);
}

static wg_wasm_code skim_u32s(cc *c, uint32_t n) {
  uint32_t v;
  for (uint32_t i = 0; i < n; i++) U32C(&v);
  return WG_WASM_OK;
}

/* A count read before that many items: each takes a byte at least. */
static wg_wasm_code skim_count(cc *c, uint32_t *n) {
  U32C(n);
  if (*n > (size_t)(c->r->end - c->r->p)) MALFORMEDC(c, "unexpected end");
  return WG_WASM_OK;
}

static wg_wasm_code skim_types(cc *c) {
  uint32_t n;
  wg_valtype t;
  TRY(skim_count(c, &n));
  for (uint32_t i = 0; i < n; i++) TRY(vm_read_valtype(c->r, &t, c->err));
  return WG_WASM_OK;
}

/* Reads op's immediates; blocks change the nesting depth. */
static wg_wasm_code skim_imm(cc *c, uint8_t op, wasm_imm imm, uint32_t *depth) {
  uint32_t n;
  uint64_t bits;
  wg_valtype t;
  switch (imm) {
    case WASM_IMM_NONE: return WG_WASM_OK;
    case WASM_IMM_BLOCK: ++*depth; return skim_blocktype(c);
    case WASM_IMM_END: --*depth; return WG_WASM_OK;
    case WASM_IMM_U32: return skim_u32s(c, 1);
    case WASM_IMM_U32X2: case WASM_IMM_MEMARG: return skim_u32s(c, 2);
    case WASM_IMM_LABELS: TRY(skim_count(c, &n)); return skim_u32s(c, n + 1);
    case WASM_IMM_TYPES: return skim_types(c);
    case WASM_IMM_ZERO: return vm_zero_byte(c);
    case WASM_IMM_U32_ZERO: TRY(skim_u32s(c, 1)); return vm_zero_byte(c);
    case WASM_IMM_ZERO_ZERO: TRY(vm_zero_byte(c)); return vm_zero_byte(c);
    case WASM_IMM_I32: case WASM_IMM_I64: case WASM_IMM_F32: case WASM_IMM_F64:
      return vm_read_number_const(c->r, op, &bits, &t, c->err);
    case WASM_IMM_REFTYPE: return vm_read_reftype(c->r, &t, c->err);
    case WASM_IMM_REFUSED: return refused(c, op);
    case WASM_IMM_ILLEGAL: case WASM_IMM_PREFIX: break;
  }
  MALFORMEDC(c, "illegal opcode 0x%02x", op);
}

static wg_wasm_code skim_instr(cc *c, uint8_t op, uint32_t *depth) {
  wasm_imm imm = (wasm_imm)imm_of[op];
  if (imm == WASM_IMM_PREFIX) {
    uint32_t sub;
    U32C(&sub);
    if (sub >= WASM_FC_COUNT) MALFORMEDC(c, "illegal opcode 0xfc %u", sub);
    imm = (wasm_imm)imm_of_fc[sub];
  }
  return skim_imm(c, op, imm, depth);
}

/* The local declarations: counts and types; compile.c's read_locals reads
 * them again, knowing they are well formed and how many there are. */
static wg_wasm_code skim_locals(cc *c) {
  uint32_t groups;
  uint64_t total = 0;
  TRY(skim_count(c, &groups));
  for (uint32_t g = 0; g < groups; g++) {
    uint32_t n;
    uint8_t t;
    U32C(&n);
    READC(vm_read_byte(c->r, &t, &rmsg_));
    total += n;
    if (total > UINT32_MAX) MALFORMEDC(c, "too many locals");
    TRY(vm_check_valtype(c->r, t, c->err));
  }
  c->declared_locals = total;
  return WG_WASM_OK;
}

wg_wasm_code vm_skim_body(cc *c) {
  TRY(skim_locals(c));
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
