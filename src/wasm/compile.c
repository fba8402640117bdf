/* compile.c: validates one function body and translates it into internal
 * code (vm_opcodes.h) in a single pass.
 *
 * Validation follows the spec's algorithm (operand type stack + control
 * stack, both explicit growable arrays, no recursion). Because every operand
 * stack height is known statically, branches are emitted with the absolute
 * frame offset their results move to. Forward branch targets are patched
 * when the block's `end` is reached: unresolved target words form a chain
 * (each holds the index of the previous one). A FUEL instruction opens every
 * basic block and carries its instruction count; blocks are split at
 * VM_BLOCK_SPLIT instructions. Unreachable code is still emitted (it can
 * never run), which keeps the translation simple. */
#include <stdlib.h>
#include <string.h>

#include "vm_module.h"
#include "vm_opcodes.h"

#define NO_FIXUP ((size_t)-1)
#define T_UNKNOWN 0

typedef enum ctl_kind { CTL_BLOCK, CTL_LOOP, CTL_IF, CTL_ELSE, CTL_FUNC } ctl_kind;

typedef struct ctl {
  ctl_kind kind;
  uint32_t nparams, nresults;
  const wg_valtype *params, *results;
  uint32_t height;
  bool unreachable;
  size_t loop_pc;
  size_t fixups;     /* chain of words to patch with the end pc */
  size_t else_fixup; /* BR_UNLESS target of an `if` */
} ctl;

typedef struct cc {
  vm_module *m;
  vm_reader *r;
  wg_wasm_error *err;
  const wg_functype *ft;
  uint32_t nlocals;
  uint8_t *locals;
  uint8_t *vals;
  size_t nvals, capvals, maxvals;
  ctl *ctls;
  size_t nctls, capctls;
  vm_word *code;
  size_t ncode, capcode;
  size_t fuel_pos;
  bool oom;
} cc;

#define OFF(c) ((size_t)((c)->r->p - (c)->r->base))
#define FAILC(c, res, ...)                              \
  do {                                                  \
    vm_error((c)->err, (res), OFF(c), __VA_ARGS__);     \
    return (res);                                       \
  } while (0)
#define INVALID(c, ...) FAILC(c, WG_WASM_INVALID, __VA_ARGS__)
#define MALFORMED(c, ...) FAILC(c, WG_WASM_MALFORMED, __VA_ARGS__)
#define TRY(x)                                \
  do {                                        \
    wg_wasm_result try_r_ = (x);              \
    if (try_r_ != WG_WASM_OK) return try_r_;  \
  } while (0)
#define RD(call)                                                      \
  do {                                                                \
    const char *rmsg_ = "unexpected end";                            \
    if (!(call)) MALFORMED(c, "%s", rmsg_);                          \
  } while (0)
#define U32(out) RD(vm_read_u32(c->r, (out), &rmsg_))

static bool grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return true;
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need) n *= 2;
  void *q = realloc(*p, n * elem);
  if (!q) return false;
  *p = q;
  *cap = n;
  return true;
}

/* ---- Code emission ------------------------------------------------------- */

static void emit(cc *c, vm_word w) {
  if (!grow((void **)&c->code, &c->capcode, c->ncode + 1, sizeof *c->code)) {
    c->oom = true;
    return;
  }
  c->code[c->ncode++] = w;
}

static void begin_block(cc *c) {
  if (c->fuel_pos != NO_FIXUP && c->fuel_pos + 1 == c->ncode &&
      c->code[c->fuel_pos] == 0)
    return; /* an empty block just started */
  emit(c, VM_OP_FUEL);
  c->fuel_pos = c->ncode;
  emit(c, 0);
}

/* Emits a placeholder target word and links it into *chain. */
static void emit_fixup(cc *c, size_t *chain) {
  size_t at = c->ncode;
  emit(c, (vm_word)*chain);
  *chain = at;
}

static void patch_chain(cc *c, size_t chain, size_t target) {
  while (chain != NO_FIXUP && !c->oom) {
    size_t next = (size_t)c->code[chain];
    c->code[chain] = target;
    chain = next;
  }
}

/* ---- Operand and control stacks ----------------------------------------- */

static void push(cc *c, uint8_t t) {
  if (!grow((void **)&c->vals, &c->capvals, c->nvals + 1, 1)) {
    c->oom = true;
    return;
  }
  c->vals[c->nvals++] = t;
  if (c->nvals > c->maxvals) c->maxvals = c->nvals;
}

static wg_wasm_result pop(cc *c, uint8_t want, uint8_t *got) {
  ctl *top = &c->ctls[c->nctls - 1];
  uint8_t t = T_UNKNOWN;
  if (c->nvals == top->height) {
    if (!top->unreachable) INVALID(c, "type mismatch");
  } else {
    t = c->vals[--c->nvals];
  }
  if (t != want && t != T_UNKNOWN && want != T_UNKNOWN)
    INVALID(c, "type mismatch");
  if (got) *got = t; /* T_UNKNOWN stays unknown (spec algorithm) */
  return WG_WASM_OK;
}

static wg_wasm_result pop_vals(cc *c, uint32_t n, const wg_valtype *ts) {
  for (uint32_t i = n; i-- > 0;) TRY(pop(c, ts[i], NULL));
  return WG_WASM_OK;
}

static void push_vals(cc *c, uint32_t n, const wg_valtype *ts) {
  for (uint32_t i = 0; i < n; i++) push(c, ts[i]);
}

static void set_unreachable(cc *c) {
  ctl *top = &c->ctls[c->nctls - 1];
  c->nvals = top->height;
  top->unreachable = true;
}

static wg_wasm_result push_ctl(cc *c, ctl_kind kind, const ctl *bt) {
  if (!grow((void **)&c->ctls, &c->capctls, c->nctls + 1, sizeof *c->ctls)) {
    c->oom = true;
    FAILC(c, WG_WASM_NOMEM, "out of memory");
  }
  ctl *k = &c->ctls[c->nctls++];
  *k = *bt;
  k->kind = kind;
  k->height = (uint32_t)c->nvals;
  k->unreachable = false;
  k->fixups = NO_FIXUP;
  k->else_fixup = NO_FIXUP;
  push_vals(c, k->nparams, k->params);
  return WG_WASM_OK;
}

static uint32_t label_arity(const ctl *k) {
  return k->kind == CTL_LOOP ? k->nparams : k->nresults;
}
static const wg_valtype *label_types(const ctl *k) {
  return k->kind == CTL_LOOP ? k->params : k->results;
}

/* One-value result lists for `block (result t)`. */
static const wg_valtype *single_type(uint8_t b) {
  static const wg_valtype ts[] = {WG_I32, WG_I64, WG_F32, WG_F64,
                                  WG_FUNCREF, WG_EXTERNREF};
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
    if (ts[i] == b) return &ts[i];
  return NULL;
}

static wg_wasm_result read_blocktype(cc *c, ctl *bt) {
  memset(bt, 0, sizeof *bt);
  if (c->r->p >= c->r->end) MALFORMED(c, "unexpected end");
  uint8_t b = *c->r->p;
  if (b == 0x40) {
    c->r->p++;
    return WG_WASM_OK;
  }
  if (b == WG_I32 || b == WG_I64 || b == WG_F32 || b == WG_F64 ||
      b == WG_FUNCREF || b == WG_EXTERNREF) {
    c->r->p++;
    bt->nresults = 1;
    bt->results = single_type(b);
    return WG_WASM_OK;
  }
  if (b == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
  int64_t idx;
  RD(vm_read_s33(c->r, &idx, &rmsg_));
  if (idx < 0) MALFORMED(c, "malformed block type");
  if ((uint64_t)idx >= c->m->type_count) INVALID(c, "unknown type %u", (unsigned)idx);
  const wg_functype *ft = &c->m->types[idx];
  bt->nparams = ft->param_count;
  bt->params = ft->params;
  bt->nresults = ft->result_count;
  bt->results = ft->results;
  return WG_WASM_OK;
}

/* Emits the (target, base, keep) triple of a branch to label depth l. */
static void emit_branch_target(cc *c, uint32_t l) {
  ctl *k = &c->ctls[c->nctls - 1 - l];
  if (k->kind == CTL_LOOP)
    emit(c, k->loop_pc);
  else
    emit_fixup(c, &k->fixups);
  emit(c, c->nlocals + k->height);
  emit(c, label_arity(k));
}

static wg_wasm_result read_label(cc *c, uint32_t *l) {
  U32(l);
  if (*l >= c->nctls) INVALID(c, "unknown label %u", *l);
  return WG_WASM_OK;
}

/* ---- Instructions --------------------------------------------------------- */

static bool is_num(uint8_t t) {
  return t == WG_I32 || t == WG_I64 || t == WG_F32 || t == WG_F64;
}
static bool is_ref(uint8_t t) { return t == WG_FUNCREF || t == WG_EXTERNREF; }

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

/* Loads and stores: 0x28..0x3e. */
static wg_wasm_result mem_op(cc *c, uint8_t op) {
  static const uint8_t natural[] = {4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4,
                                    4, 8, 4, 8, 1, 2, 1, 2, 4};
  static const uint8_t type[] = {
      WG_I32, WG_I64, WG_F32, WG_F64, WG_I32, WG_I32, WG_I32, WG_I32,
      WG_I64, WG_I64, WG_I64, WG_I64, WG_I64, WG_I64, WG_I32, WG_I64,
      WG_F32, WG_F64, WG_I32, WG_I32, WG_I64, WG_I64, WG_I64};
  uint32_t align, offset;
  U32(&align);
  U32(&offset);
  if (c->m->mem_count == 0) INVALID(c, "unknown memory 0");
  if (align >= 32 || (1u << align) > natural[op - 0x28])
    INVALID(c, "alignment must not be larger than natural");
  uint8_t t = type[op - 0x28];
  if (op <= 0x35) {
    TRY(pop(c, WG_I32, NULL));
    push(c, t);
  } else {
    TRY(pop(c, t, NULL));
    TRY(pop(c, WG_I32, NULL));
  }
  emit(c, VM_OP_I32_LOAD + (op - 0x28));
  emit(c, offset);
  return WG_WASM_OK;
}

static wg_wasm_result zero_byte(cc *c) {
  uint8_t b;
  RD(vm_read_byte(c->r, &b, &rmsg_));
  if (b != 0) MALFORMED(c, "zero byte expected");
  return WG_WASM_OK;
}

static wg_wasm_result need_table(cc *c, uint32_t t) {
  if (t >= c->m->table_count) INVALID(c, "unknown table %u", t);
  return WG_WASM_OK;
}

static wg_wasm_result need_memory(cc *c) {
  if (c->m->mem_count == 0) INVALID(c, "unknown memory 0");
  return WG_WASM_OK;
}

static wg_wasm_result need_data(cc *c, uint32_t d) {
  if (!c->m->has_data_count) {
    /* malformed if a data section follows, else invalid: decided in
     * vm_decode once the rest of the module is known */
    if (!c->m->data_count_needed_at) c->m->data_count_needed_at = OFF(c);
    return WG_WASM_OK;
  }
  if (d >= c->m->data_count) INVALID(c, "unknown data segment %u", d);
  return WG_WASM_OK;
}

static wg_wasm_result need_elem(cc *c, uint32_t e) {
  if (e >= c->m->elem_count) INVALID(c, "unknown elem segment %u", e);
  return WG_WASM_OK;
}

/* 0xFC prefix. */
static wg_wasm_result prefixed(cc *c) {
  uint32_t sub, a, b;
  U32(&sub);
  if (sub <= 7) {
    static const uint8_t in[] = {WG_F32, WG_F32, WG_F64, WG_F64,
                                 WG_F32, WG_F32, WG_F64, WG_F64};
    TRY(pop(c, in[sub], NULL));
    push(c, sub < 4 ? WG_I32 : WG_I64);
    emit(c, VM_OP_I32_TRUNC_SAT_F32_S + sub);
    return WG_WASM_OK;
  }
  switch (sub) {
    case 8: /* memory.init */
      U32(&a);
      TRY(need_data(c, a));
      TRY(zero_byte(c));
      TRY(need_memory(c));
      TRY(pop(c, WG_I32, NULL));
      TRY(pop(c, WG_I32, NULL));
      TRY(pop(c, WG_I32, NULL));
      emit(c, VM_OP_MEMORY_INIT);
      emit(c, a);
      return WG_WASM_OK;
    case 9: /* data.drop */
      U32(&a);
      TRY(need_data(c, a));
      emit(c, VM_OP_DATA_DROP);
      emit(c, a);
      return WG_WASM_OK;
    case 10: /* memory.copy */
      TRY(zero_byte(c));
      TRY(zero_byte(c));
      TRY(need_memory(c));
      for (int i = 0; i < 3; i++) TRY(pop(c, WG_I32, NULL));
      emit(c, VM_OP_MEMORY_COPY);
      return WG_WASM_OK;
    case 11: /* memory.fill */
      TRY(zero_byte(c));
      TRY(need_memory(c));
      for (int i = 0; i < 3; i++) TRY(pop(c, WG_I32, NULL));
      emit(c, VM_OP_MEMORY_FILL);
      return WG_WASM_OK;
    case 12: /* table.init elem table */
      U32(&a);
      U32(&b);
      TRY(need_table(c, b));
      TRY(need_elem(c, a));
      if (c->m->elems[a].type != c->m->tables[b].elem) INVALID(c, "type mismatch");
      for (int i = 0; i < 3; i++) TRY(pop(c, WG_I32, NULL));
      emit(c, VM_OP_TABLE_INIT);
      emit(c, a);
      emit(c, b);
      return WG_WASM_OK;
    case 13: /* elem.drop */
      U32(&a);
      TRY(need_elem(c, a));
      emit(c, VM_OP_ELEM_DROP);
      emit(c, a);
      return WG_WASM_OK;
    case 14: /* table.copy dst src */
      U32(&a);
      U32(&b);
      TRY(need_table(c, a));
      TRY(need_table(c, b));
      if (c->m->tables[a].elem != c->m->tables[b].elem) INVALID(c, "type mismatch");
      for (int i = 0; i < 3; i++) TRY(pop(c, WG_I32, NULL));
      emit(c, VM_OP_TABLE_COPY);
      emit(c, a);
      emit(c, b);
      return WG_WASM_OK;
    case 15: /* table.grow */
      U32(&a);
      TRY(need_table(c, a));
      TRY(pop(c, WG_I32, NULL));
      TRY(pop(c, c->m->tables[a].elem, NULL));
      push(c, WG_I32);
      emit(c, VM_OP_TABLE_GROW);
      emit(c, a);
      return WG_WASM_OK;
    case 16: /* table.size */
      U32(&a);
      TRY(need_table(c, a));
      push(c, WG_I32);
      emit(c, VM_OP_TABLE_SIZE);
      emit(c, a);
      return WG_WASM_OK;
    case 17: /* table.fill */
      U32(&a);
      TRY(need_table(c, a));
      TRY(pop(c, WG_I32, NULL));
      TRY(pop(c, c->m->tables[a].elem, NULL));
      TRY(pop(c, WG_I32, NULL));
      emit(c, VM_OP_TABLE_FILL);
      emit(c, a);
      return WG_WASM_OK;
  }
  MALFORMED(c, "illegal opcode 0xfc %u", sub);
}

static wg_wasm_result op_end(cc *c, bool *done) {
  ctl *k = &c->ctls[c->nctls - 1];
  TRY(pop_vals(c, k->nresults, k->results));
  if (c->nvals != k->height) INVALID(c, "type mismatch");
  if (k->kind == CTL_IF) {
    /* the missing else passes the params through as results */
    if (k->nparams != k->nresults ||
        (k->nparams && memcmp(k->params, k->results,
                              k->nparams * sizeof *k->params) != 0))
      INVALID(c, "type mismatch");
  }
  if (k->kind == CTL_FUNC) {
    patch_chain(c, k->fixups, c->ncode);
    emit(c, VM_OP_RETURN);
    c->nctls--;
    *done = true;
    return WG_WASM_OK;
  }
  size_t here = c->ncode;
  patch_chain(c, k->fixups, here);
  if (k->else_fixup != NO_FIXUP) patch_chain(c, k->else_fixup, here);
  ctl done_k = *k;
  c->nctls--;
  push_vals(c, done_k.nresults, done_k.results);
  begin_block(c);
  return WG_WASM_OK;
}

/* Validates the labels first (spec algorithm: each label's types are popped
 * and pushed back), then re-reads them to emit the branch targets. */
static wg_wasm_result op_br_table(cc *c) {
  uint32_t n, l;
  U32(&n);
  if (n > (size_t)(c->r->end - c->r->p)) MALFORMED(c, "unexpected end");
  TRY(pop(c, WG_I32, NULL));
  const uint8_t *labels = c->r->p;
  for (uint32_t i = 0; i <= n; i++) TRY(read_label(c, &l));
  const uint8_t *after = c->r->p;
  uint32_t arity = label_arity(&c->ctls[c->nctls - 1 - l]);
  c->r->p = labels;
  for (uint32_t i = 0; i <= n; i++) {
    TRY(read_label(c, &l));
    ctl *k = &c->ctls[c->nctls - 1 - l];
    uint32_t a = label_arity(k);
    if (a != arity) INVALID(c, "type mismatch");
    const wg_valtype *ts = label_types(k);
    uint8_t small[8];
    uint8_t *buf = a <= 8 ? small : malloc(a);
    if (!buf) FAILC(c, WG_WASM_NOMEM, "out of memory");
    wg_wasm_result res = WG_WASM_OK;
    for (uint32_t j = a; j-- > 0 && res == WG_WASM_OK;)
      res = pop(c, ts[j], &buf[j]);
    if (res == WG_WASM_OK)
      for (uint32_t j = 0; j < a; j++) push(c, buf[j]);
    if (buf != small) free(buf);
    TRY(res);
  }
  TRY(pop_vals(c, arity, label_types(&c->ctls[c->nctls - 1 - l])));
  emit(c, VM_OP_BR_TABLE);
  emit(c, n);
  c->r->p = labels;
  for (uint32_t i = 0; i <= n; i++) {
    TRY(read_label(c, &l));
    emit_branch_target(c, l);
  }
  c->r->p = after;
  set_unreachable(c);
  return WG_WASM_OK;
}

static wg_wasm_result op_call_indirect(cc *c) {
  uint32_t t, tab;
  U32(&t);
  U32(&tab);
  if (tab >= c->m->table_count) INVALID(c, "unknown table %u", tab);
  if (t >= c->m->type_count) INVALID(c, "unknown type %u", t);
  if (c->m->tables[tab].elem != WG_FUNCREF) INVALID(c, "type mismatch");
  const wg_functype *ft = &c->m->types[t];
  TRY(pop(c, WG_I32, NULL));
  TRY(pop_vals(c, ft->param_count, ft->params));
  push_vals(c, ft->result_count, ft->results);
  emit(c, VM_OP_CALL_INDIRECT);
  emit(c, t);
  emit(c, tab);
  return WG_WASM_OK;
}

static wg_wasm_result op_select(cc *c, bool typed) {
  uint8_t want = T_UNKNOWN, t1, t2;
  if (typed) {
    uint32_t n;
    uint8_t b;
    U32(&n);
    if (n != 1) INVALID(c, "invalid result arity");
    RD(vm_read_byte(c->r, &b, &rmsg_));
    if (b == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
    if (!is_num(b) && !is_ref(b)) MALFORMED(c, "malformed value type");
    want = b;
  }
  TRY(pop(c, WG_I32, NULL));
  TRY(pop(c, want, &t1));
  TRY(pop(c, want, &t2));
  if (!typed) {
    /* untyped select only takes numeric operands */
    if ((t1 != T_UNKNOWN && !is_num(t1)) || (t2 != T_UNKNOWN && !is_num(t2)))
      INVALID(c, "type mismatch");
    if (t1 != T_UNKNOWN && t2 != T_UNKNOWN && t1 != t2)
      INVALID(c, "type mismatch");
    want = t1 != T_UNKNOWN ? t1 : t2;
  }
  push(c, want);
  emit(c, VM_OP_SELECT);
  return WG_WASM_OK;
}

static wg_wasm_result op_local(cc *c, uint8_t op) {
  uint32_t i;
  U32(&i);
  if (i >= c->nlocals) INVALID(c, "unknown local %u", i);
  uint8_t t = c->locals[i];
  if (op == 0x20) {
    push(c, t);
  } else {
    TRY(pop(c, t, NULL));
    if (op == 0x22) push(c, t);
  }
  emit(c, VM_OP_LOCAL_GET + (op - 0x20));
  emit(c, i);
  return WG_WASM_OK;
}

static wg_wasm_result op_global(cc *c, uint8_t op) {
  uint32_t i;
  U32(&i);
  if (i >= c->m->global_count) INVALID(c, "unknown global %u", i);
  const vm_globaltype *g = &c->m->globals[i];
  if (op == 0x23) {
    push(c, g->type);
  } else {
    if (!g->is_mutable) INVALID(c, "global is immutable");
    TRY(pop(c, g->type, NULL));
  }
  emit(c, op == 0x23 ? VM_OP_GLOBAL_GET : VM_OP_GLOBAL_SET);
  emit(c, i);
  return WG_WASM_OK;
}

static wg_wasm_result op_const(cc *c, uint8_t op) {
  uint64_t v = 0;
  if (op == 0x41) {
    int32_t x;
    RD(vm_read_s32(c->r, &x, &rmsg_));
    v = (uint32_t)x;
    push(c, WG_I32);
  } else if (op == 0x42) {
    int64_t x;
    RD(vm_read_s64(c->r, &x, &rmsg_));
    v = (uint64_t)x;
    push(c, WG_I64);
  } else {
    size_t n = op == 0x43 ? 4 : 8;
    if ((size_t)(c->r->end - c->r->p) < n) MALFORMED(c, "unexpected end");
    memcpy(&v, c->r->p, n); /* little-endian host */
    c->r->p += n;
    push(c, op == 0x43 ? WG_F32 : WG_F64);
  }
  emit(c, VM_OP_CONST);
  emit(c, v);
  return WG_WASM_OK;
}

/* Control instructions 0x00..0x11. */
static wg_wasm_result control(cc *c, uint8_t op, bool *done) {
  ctl bt;
  uint32_t l;
  switch (op) {
    case 0x00:
      emit(c, VM_OP_UNREACHABLE);
      set_unreachable(c);
      return WG_WASM_OK;
    case 0x01:
      return WG_WASM_OK;
    case 0x02:
    case 0x03:
      TRY(read_blocktype(c, &bt));
      TRY(pop_vals(c, bt.nparams, bt.params));
      if (op == 0x03) {
        begin_block(c);
        bt.loop_pc = c->fuel_pos - 1;
      }
      return push_ctl(c, op == 0x02 ? CTL_BLOCK : CTL_LOOP, &bt);
    case 0x04:
      TRY(read_blocktype(c, &bt));
      TRY(pop(c, WG_I32, NULL));
      TRY(pop_vals(c, bt.nparams, bt.params));
      TRY(push_ctl(c, CTL_IF, &bt));
      emit(c, VM_OP_BR_UNLESS);
      emit_fixup(c, &c->ctls[c->nctls - 1].else_fixup);
      begin_block(c);
      return WG_WASM_OK;
    case 0x05: {
      ctl *k = &c->ctls[c->nctls - 1];
      if (k->kind != CTL_IF) INVALID(c, "else without if");
      TRY(pop_vals(c, k->nresults, k->results));
      if (c->nvals != k->height) INVALID(c, "type mismatch");
      emit(c, VM_OP_JUMP);
      emit_fixup(c, &k->fixups);
      patch_chain(c, k->else_fixup, c->ncode);
      k->else_fixup = NO_FIXUP;
      k->kind = CTL_ELSE;
      k->unreachable = false;
      push_vals(c, k->nparams, k->params);
      begin_block(c);
      return WG_WASM_OK;
    }
    case 0x0b:
      return op_end(c, done);
    case 0x0c:
      TRY(read_label(c, &l));
      TRY(pop_vals(c, label_arity(&c->ctls[c->nctls - 1 - l]),
                   label_types(&c->ctls[c->nctls - 1 - l])));
      emit(c, VM_OP_BR);
      emit_branch_target(c, l);
      set_unreachable(c);
      return WG_WASM_OK;
    case 0x0d: {
      TRY(read_label(c, &l));
      TRY(pop(c, WG_I32, NULL));
      ctl *k = &c->ctls[c->nctls - 1 - l];
      TRY(pop_vals(c, label_arity(k), label_types(k)));
      push_vals(c, label_arity(k), label_types(k));
      emit(c, VM_OP_BR_IF);
      emit_branch_target(c, l);
      begin_block(c);
      return WG_WASM_OK;
    }
    case 0x0e:
      return op_br_table(c);
    case 0x0f:
      TRY(pop_vals(c, c->ft->result_count, c->ft->results));
      emit(c, VM_OP_RETURN);
      set_unreachable(c);
      return WG_WASM_OK;
    case 0x10: {
      uint32_t f;
      U32(&f);
      if (f >= c->m->func_count) INVALID(c, "unknown function %u", f);
      const wg_functype *ft = &c->m->types[c->m->func_types[f]];
      TRY(pop_vals(c, ft->param_count, ft->params));
      push_vals(c, ft->result_count, ft->results);
      emit(c, VM_OP_CALL);
      emit(c, f);
      return WG_WASM_OK;
    }
    case 0x11:
      return op_call_indirect(c);
    case 0x12:
    case 0x13:
      FAILC(c, WG_WASM_UNSUPPORTED, "tail calls are not supported");
    case 0x06: case 0x07: case 0x08: case 0x09: case 0x0a:
      FAILC(c, WG_WASM_UNSUPPORTED, "exception handling is not supported");
  }
  MALFORMED(c, "illegal opcode 0x%02x", op);
}

static wg_wasm_result reference(cc *c, uint8_t op) {
  uint32_t i;
  uint8_t t;
  switch (op) {
    case 0xd0: {
      RD(vm_read_byte(c->r, &t, &rmsg_));
      if (!is_ref(t)) MALFORMED(c, "malformed reference type");
      push(c, t);
      emit(c, VM_OP_CONST);
      emit(c, 0);
      return WG_WASM_OK;
    }
    case 0xd1:
      TRY(pop(c, T_UNKNOWN, &t));
      if (t != T_UNKNOWN && !is_ref(t)) INVALID(c, "type mismatch");
      push(c, WG_I32);
      emit(c, VM_OP_REF_IS_NULL);
      return WG_WASM_OK;
    case 0xd2:
      U32(&i);
      if (i >= c->m->func_count) INVALID(c, "unknown function %u", i);
      if (!c->m->func_declared[i]) INVALID(c, "undeclared function reference");
      push(c, WG_FUNCREF);
      emit(c, VM_OP_REF_FUNC);
      emit(c, i);
      return WG_WASM_OK;
  }
  MALFORMED(c, "illegal opcode 0x%02x", op);
}

static wg_wasm_result instruction(cc *c, uint8_t op, bool *done) {
  uint8_t a, b, o;
  uint32_t i;
  if (op <= 0x13) return control(c, op, done);
  switch (op) {
    case 0x1a:
      TRY(pop(c, T_UNKNOWN, NULL));
      emit(c, VM_OP_DROP);
      return WG_WASM_OK;
    case 0x1b:
    case 0x1c:
      return op_select(c, op == 0x1c);
    case 0x20: case 0x21: case 0x22:
      return op_local(c, op);
    case 0x23: case 0x24:
      return op_global(c, op);
    case 0x25:
    case 0x26:
      U32(&i);
      TRY(need_table(c, i));
      if (op == 0x25) {
        TRY(pop(c, WG_I32, NULL));
        push(c, c->m->tables[i].elem);
      } else {
        TRY(pop(c, c->m->tables[i].elem, NULL));
        TRY(pop(c, WG_I32, NULL));
      }
      emit(c, op == 0x25 ? VM_OP_TABLE_GET : VM_OP_TABLE_SET);
      emit(c, i);
      return WG_WASM_OK;
    case 0x3f:
    case 0x40:
      TRY(zero_byte(c));
      TRY(need_memory(c));
      if (op == 0x40) TRY(pop(c, WG_I32, NULL));
      push(c, WG_I32);
      emit(c, op == 0x3f ? VM_OP_MEMORY_SIZE : VM_OP_MEMORY_GROW);
      return WG_WASM_OK;
    case 0x41: case 0x42: case 0x43: case 0x44:
      return op_const(c, op);
    case 0xfc:
      return prefixed(c);
    case 0xfd:
      FAILC(c, WG_WASM_UNSUPPORTED, "SIMD is not supported");
    case 0xfe:
      FAILC(c, WG_WASM_UNSUPPORTED, "threads are not supported");
  }
  if (op >= 0x28 && op <= 0x3e) return mem_op(c, op);
  if (op >= 0xd0 && op <= 0xd2) return reference(c, op);
  if (op >= 0x45 && op <= 0xc4) {
    numeric_sig(op, &a, &b, &o);
    if (b) TRY(pop(c, b, NULL));
    TRY(pop(c, a, NULL));
    push(c, o);
    emit(c, VM_OP_I32_EQZ + (op - 0x45));
    return WG_WASM_OK;
  }
  MALFORMED(c, "illegal opcode 0x%02x", op);
}

/* ---- Syntax pre-pass ---------------------------------------------------- */

/* The spec decodes a whole body before validating it, so a malformed byte
 * late in a body must win over a type error early in it. This pass checks
 * only the syntax (opcodes, immediates, nesting, exact end) of the body. */
static wg_wasm_result skim_blocktype(cc *c) {
  if (c->r->p >= c->r->end) MALFORMED(c, "unexpected end");
  uint8_t b = *c->r->p;
  if (b == 0x40 || is_num(b) || is_ref(b)) {
    c->r->p++;
    return WG_WASM_OK;
  }
  if (b == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
  int64_t idx;
  RD(vm_read_s33(c->r, &idx, &rmsg_));
  if (idx < 0) MALFORMED(c, "malformed block type");
  return WG_WASM_OK;
}

static wg_wasm_result skim_u32s(cc *c, int n) {
  uint32_t v;
  for (int i = 0; i < n; i++) U32(&v);
  return WG_WASM_OK;
}

static wg_wasm_result skim_prefixed(cc *c) {
  uint32_t sub;
  U32(&sub);
  if (sub <= 7) return WG_WASM_OK;
  switch (sub) {
    case 8: TRY(skim_u32s(c, 1)); return zero_byte(c);
    case 9: case 13: case 15: case 16: case 17: return skim_u32s(c, 1);
    case 10: TRY(zero_byte(c)); return zero_byte(c);
    case 11: return zero_byte(c);
    case 12: case 14: return skim_u32s(c, 2);
  }
  MALFORMED(c, "illegal opcode 0xfc %u", sub);
}

static wg_wasm_result skim_instr(cc *c, uint8_t op, uint32_t *depth) {
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
      U32(&n);
      if (n > (size_t)(c->r->end - c->r->p)) MALFORMED(c, "unexpected end");
      return skim_u32s(c, (int)n + 1);
    }
    case 0x1c: {
      uint32_t n;
      U32(&n);
      if (n > (size_t)(c->r->end - c->r->p)) MALFORMED(c, "unexpected end");
      for (uint32_t i = 0; i < n; i++) {
        uint8_t t;
        RD(vm_read_byte(c->r, &t, &rmsg_));
        if (t == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
        if (!is_num(t) && !is_ref(t)) MALFORMED(c, "malformed value type");
      }
      return WG_WASM_OK;
    }
    case 0x3f: case 0x40:
      return zero_byte(c);
    case 0x41: {
      int32_t v;
      RD(vm_read_s32(c->r, &v, &rmsg_));
      return WG_WASM_OK;
    }
    case 0x42: {
      int64_t v;
      RD(vm_read_s64(c->r, &v, &rmsg_));
      return WG_WASM_OK;
    }
    case 0x43: case 0x44: {
      size_t n = op == 0x43 ? 4 : 8;
      if ((size_t)(c->r->end - c->r->p) < n) MALFORMED(c, "unexpected end");
      c->r->p += n;
      return WG_WASM_OK;
    }
    case 0xd0: {
      uint8_t t;
      RD(vm_read_byte(c->r, &t, &rmsg_));
      if (!is_ref(t)) MALFORMED(c, "malformed reference type");
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
  MALFORMED(c, "illegal opcode 0x%02x", op);
}

static wg_wasm_result skim_body(cc *c) {
  uint32_t groups;
  uint64_t total = 0;
  U32(&groups);
  if (groups > (size_t)(c->r->end - c->r->p)) MALFORMED(c, "unexpected end");
  for (uint32_t g = 0; g < groups; g++) {
    uint32_t n;
    uint8_t t;
    U32(&n);
    RD(vm_read_byte(c->r, &t, &rmsg_));
    total += n;
    if (total > UINT32_MAX) MALFORMED(c, "too many locals");
    if (t == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
    if (!is_num(t) && !is_ref(t)) MALFORMED(c, "malformed value type");
  }
  uint32_t depth = 1;
  while (depth > 0) {
    uint8_t op;
    RD(vm_read_byte(c->r, &op, &rmsg_));
    TRY(skim_instr(c, op, &depth));
  }
  if (c->r->p != c->r->end) MALFORMED(c, "section size mismatch");
  return WG_WASM_OK;
}

/* Reads the local declarations (after the params). */
static wg_wasm_result read_locals(cc *c) {
  uint32_t groups;
  const uint8_t *start = c->r->p;
  uint64_t total = c->ft->param_count;
  U32(&groups);
  if (groups > (size_t)(c->r->end - c->r->p)) MALFORMED(c, "unexpected end");
  /* first pass: count, so we allocate once and only for a bounded total */
  for (uint32_t g = 0; g < groups; g++) {
    uint32_t n;
    uint8_t t;
    U32(&n);
    RD(vm_read_byte(c->r, &t, &rmsg_));
    total += n;
    if (total > UINT32_MAX) MALFORMED(c, "too many locals");
  }
  if (total > VM_MAX_LOCALS)
    FAILC(c, WG_WASM_LIMIT, "too many locals (%llu, limit %u)",
          (unsigned long long)total, VM_MAX_LOCALS);
  c->nlocals = (uint32_t)total;
  c->locals = malloc(total ? total : 1);
  if (!c->locals) FAILC(c, WG_WASM_NOMEM, "out of memory");
  for (uint32_t i = 0; i < c->ft->param_count; i++)
    c->locals[i] = (uint8_t)c->ft->params[i];
  c->r->p = start;
  U32(&groups);
  uint32_t at = c->ft->param_count;
  for (uint32_t g = 0; g < groups; g++) {
    uint32_t n;
    uint8_t t;
    U32(&n);
    RD(vm_read_byte(c->r, &t, &rmsg_));
    if (t == 0x7b) FAILC(c, WG_WASM_UNSUPPORTED, "v128 (SIMD) is not supported");
    if (!is_num(t) && !is_ref(t)) MALFORMED(c, "malformed value type");
    memset(c->locals + at, t, n);
    at += n;
  }
  return WG_WASM_OK;
}

static wg_wasm_result compile(cc *c, vm_code *out) {
  const uint8_t *start = c->r->p;
  TRY(skim_body(c));
  c->r->p = start;
  TRY(read_locals(c));
  ctl fn;
  memset(&fn, 0, sizeof fn);
  fn.nresults = c->ft->result_count;
  fn.results = c->ft->results;
  TRY(push_ctl(c, CTL_FUNC, &fn));
  begin_block(c);
  bool done = false;
  while (!done) {
    uint8_t op;
    RD(vm_read_byte(c->r, &op, &rmsg_));
    if (c->code[c->fuel_pos] >= VM_BLOCK_SPLIT) begin_block(c);
    c->code[c->fuel_pos]++;
    TRY(instruction(c, op, &done));
    if (c->oom) FAILC(c, WG_WASM_NOMEM, "out of memory");
  }
  out->local_count = c->nlocals;
  out->max_stack = (uint32_t)c->maxvals + 1;
  out->code_len = c->ncode;
  return WG_WASM_OK;
}

wg_wasm_result vm_compile_body(vm_module *m, uint32_t func_index,
                               vm_reader *r, wg_wasm_error *err) {
  cc c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.r = r;
  c.err = err;
  c.ft = &m->types[m->func_types[func_index]];
  c.fuel_pos = NO_FIXUP;
  vm_code *out = &m->codes[func_index - m->import_func_count];
  out->type_index = m->func_types[func_index];
  wg_wasm_result res = compile(&c, out);
  if (res == WG_WASM_OK) {
    out->code = wg_arena_array(&m->arena, c.ncode, sizeof *c.code);
    if (!out->code) {
      vm_error(err, WG_WASM_NOMEM, OFF(&c), "out of memory");
      res = WG_WASM_NOMEM;
    } else {
      memcpy(out->code, c.code, c.ncode * sizeof *c.code);
    }
  }
  free(c.locals);
  free(c.vals);
  free(c.ctls);
  free(c.code);
  return res;
}

bool vm_opcode_exists(uint8_t op) {
  return op <= 0x05 || (op >= 0x0b && op <= 0x11) || (op >= 0x1a && op <= 0x1c) ||
         (op >= 0x20 && op <= 0x26) || (op >= 0x28 && op <= 0xc4) ||
         (op >= 0xd0 && op <= 0xd2) || op == 0xfc;
}
