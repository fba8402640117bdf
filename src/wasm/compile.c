/* compile.c: validates one function body and translates it into internal
 * slot code (vm_opcodes.h) in a single pass.
 *
 * Validation follows the spec's algorithm (operand type stack + control
 * stack, both explicit growable arrays, no recursion). Every operand stack
 * height is known statically, so each stack entry has a fixed "home" slot in
 * the frame (fp[nlocals + height]) and instructions name their operand and
 * result slots directly: the interpreter has no stack pointer.
 *
 * Invariants:
 * - A stack entry's `loc` is its home slot, or (lazily, after local.get) the
 *   slot of the local it reads, or (lazily, after a constant) CONST_LOC plus
 *   an index in `consts`: a constant is written to its home slot only when
 *   used, and not at all when an immediate form (VM_IMM_OPS) takes it. Lazy entries are materialized (copied home)
 *   before anything that writes that local and at every control instruction,
 *   so values cross block boundaries, branches and calls in home slots only.
 *   All lazy entries sit in [lowest_lazy, lowest_lazy + VM_LAZY_WINDOW)
 *   (push_lazy materializes everything rather than widen it), so the scans
 *   are bounded and compilation stays linear in the body size.
 * - `local.set` right after the instruction that produced its operand
 *   rewrites that instruction's destination instead of emitting a copy.
 * - Forward branch targets are patched at the block's `end`: unresolved
 *   target words form a chain (each holds the index of the previous one).
 * - A FUEL instruction opens every basic block and carries its wasm
 *   instruction count; blocks are split at VM_BLOCK_SPLIT instructions.
 * - Unreachable code is still emitted (it never runs). */
#include <stdlib.h>
#include <string.h>

#include "vm_module.h"
#include "vm_opcodes.h"

#define NO_FIXUP ((size_t)-1)
#define T_UNKNOWN 0
#define VM_LAZY_WINDOW 32
#define CONST_LOC 0x80000000u /* loc flag: lazy constant, index in consts */

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
  uint32_t brt_stamp; /* cc.brt_serial of the last br_table that checked it */
} ctl;

typedef struct cc {
  vm_module *m;
  vm_reader *r;
  wg_wasm_error *err;
  const wg_functype *ft;
  uint32_t nlocals;
  uint8_t *locals;
  uint32_t *refs;    /* per local: lazy stack entries reading it */
  size_t caplocals, caprefs;
  uint8_t *vals;     /* operand types */
  uint32_t *locs;    /* operand slots, parallel to vals */
  uint64_t *consts;  /* values of lazy constants */
  size_t nconsts, capconsts;
  size_t nvals, capvals, caplocs, maxvals;
  size_t lazy_count, lowest_lazy;
  size_t last_dst;   /* dst word of the last value-producing instruction */
  size_t last_end;   /* code length right after it */
  size_t last_start; /* its first word, if it is a numeric operator */
  size_t last_load;  /* its first word, if it is a plain full-width load */
  size_t last_copy;  /* first word of a COPY ending at ncode (COPY2) */
  ctl *ctls;
  size_t nctls, capctls;
  vm_word *code;
  size_t ncode, capcode;
  size_t fuel_pos;
  size_t *ops;       /* index of every opcode word, for direct threading */
  size_t nops, capops;
  size_t *targets;   /* every branch target word (fold_fuel) */
  size_t ntargets, captargets;
  size_t *refunds;   /* refund words of conditional branches in the block */
  size_t nrefunds, caprefunds;
  size_t scratch;    /* bytes of the buffers above (the build's budget) */
  uint64_t work;     /* validation work: instructions, types pushed, popped
                        or compared (WG_WASM_VALIDATE_WORK_PER_BYTE) */
  uint64_t work_max, work_ticked;
  uint32_t brt_serial; /* br_table being validated (ctl.brt_stamp) */
  /* The top `chk_arity` operand types were checked against label types
   * `chk_types` when the stack height was `chk_nvals`, and nothing at or
   * below that height has been popped since (br_if, br_table). */
  const wg_valtype *chk_types;
  uint32_t chk_arity;
  size_t chk_nvals;
  bool oom;
} cc;

#define OFF(c) ((size_t)((c)->r->p - (c)->r->base))
/* A failed allocation: over the build's memory budget, or out of memory. */
#define OOMC(c) return vm_build_oom((c)->m, OFF(c), (c)->err)
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

/* Grows a scratch buffer geometrically; every byte counts against the
 * build's memory budget until the function is compiled. */
__attribute__((noinline)) static bool grow_slow(cc *c, void **p, size_t *cap,
                                               size_t need, size_t elem);
static inline bool grow(cc *c, void **p, size_t *cap, size_t need,
                        size_t elem) {
  return need <= *cap || grow_slow(c, p, cap, need, elem);
}
static bool grow_slow(cc *c, void **p, size_t *cap, size_t need, size_t elem) {
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need) n *= 2;
  size_t add = (n - *cap) * elem;
  if (vm_build_over(c->m, add)) {
    c->m->build->over = true;
    c->oom = true;
    return false;
  }
  void *q = realloc(*p, n * elem);
  if (!q) {
    c->oom = true;
    return false;
  }
  *p = q;
  *cap = n;
  c->scratch += add;
  if (c->m->build) c->m->build->scratch += add;
  return true;
}

/* ---- Code emission ------------------------------------------------------- */

static inline void emit(cc *c, vm_word w) {
  if (__builtin_expect(c->ncode >= c->capcode, 0) &&
      !grow(c, (void **)&c->code, &c->capcode, c->ncode + 1, sizeof *c->code)) {
    c->oom = true;
    return;
  }
  c->code[c->ncode++] = w;
}

/* Emits an opcode word; remembers where, so vm_compile_body can replace
 * it with the handler's address (direct threading). */
static void emit_op(cc *c, vm_op op) {
  if (!grow(c, (void **)&c->ops, &c->capops, c->nops + 1, sizeof *c->ops)) {
    c->oom = true;
    return;
  }
  c->ops[c->nops++] = c->ncode;
  emit(c, op);
}

/* Emits the destination slot, last word of a value-producing instruction. */
static void emit_dst(cc *c, uint32_t slot) {
  emit(c, slot);
  c->last_dst = c->ncode - 1;
  c->last_end = c->ncode;
  c->last_start = NO_FIXUP;
  c->last_load = NO_FIXUP;
}

/* COPY src dst; a copy right after another becomes COPY2 (one dispatch
 * for both). Never across a label: begin_block forgets last_copy. */
static void emit_copy(cc *c, uint32_t src, uint32_t dst) {
  if (c->last_copy != NO_FIXUP && c->last_copy + 3 == c->ncode &&
      c->code[c->last_copy] == VM_OP_COPY) {
    c->code[c->last_copy] = VM_OP_COPY2;
    emit(c, src);
    emit(c, dst);
    c->last_copy = NO_FIXUP;
    return;
  }
  emit_op(c, VM_OP_COPY);
  c->last_copy = c->ncode - 1;
  emit(c, src);
  emit(c, dst);
}

/* A conditional branch that leaves the block early gives back the fuel of
 * the block's instructions after it: its refund word holds the block count
 * at the branch until the block closes, then the difference. */
static void emit_refund(cc *c) {
  if (!grow(c, (void **)&c->refunds, &c->caprefunds, c->nrefunds + 1,
            sizeof *c->refunds)) {
    c->oom = true;
    return;
  }
  c->refunds[c->nrefunds++] = c->ncode;
  emit(c, c->code[c->fuel_pos]);
}

static void close_block(cc *c) {
  for (size_t i = 0; i < c->nrefunds && !c->oom; i++)
    c->code[c->refunds[i]] = c->code[c->fuel_pos] - c->code[c->refunds[i]];
  c->nrefunds = 0;
}

static void begin_block(cc *c) {
  c->last_dst = NO_FIXUP; /* a label: the previous result may be needed */
  c->last_copy = NO_FIXUP;
  if (c->fuel_pos != NO_FIXUP) close_block(c);
  emit_op(c, VM_OP_FUEL);
  c->fuel_pos = c->ncode;
  emit(c, 0);
}

/* Every target word is followed by a charge word: fold_fuel makes the
 * branch charge its target block's FUEL itself and jump past it. The word
 * starts as the branch's own charge for moving values (move_charge). */
static void note_target(cc *c, vm_word charge) {
  if (!grow(c, (void **)&c->targets, &c->captargets, c->ntargets + 1,
            sizeof *c->targets)) {
    c->oom = true;
    return;
  }
  c->targets[c->ntargets++] = c->ncode - 1;
  emit(c, charge);
}

/* Fuel for moving `keep` value slots (a branch or return with values),
 * so that a loop moving 1,000 values per iteration pays for them. */
static vm_word move_charge(uint32_t keep) {
  return keep / VM_MOVE_SLOTS_PER_FUEL;
}

/* RETURN src keep; its move is paid with the block's own charge. */
static void emit_return(cc *c, uint32_t src, uint32_t keep) {
  if (src != 0) c->code[c->fuel_pos] += move_charge(keep);
  emit_op(c, VM_OP_RETURN);
  emit(c, src);
  emit(c, keep);
}

/* Emits a placeholder target word (linked into *chain) and its charge. */
static void emit_fixup(cc *c, size_t *chain, vm_word charge) {
  size_t at = c->ncode;
  emit(c, (vm_word)*chain);
  *chain = at;
  note_target(c, charge);
}

/* Run once the code is complete: a branch to a block's FUEL instruction
 * takes over its charge and lands just past it (one dispatch less per
 * taken branch). */
static void fold_fuel(cc *c) {
  for (size_t i = 0; i < c->ntargets; i++) {
    size_t t = c->targets[i];
    size_t target = (size_t)c->code[t];
    if (target + 1 < c->ncode && c->code[target] == VM_OP_FUEL) {
      c->code[t + 1] += c->code[target + 1];
      c->code[t] = target + 2;
    }
  }
}

/* Run once the code is complete: adjacent instructions that form a pair
 * of VM_PAIR_OPS become one (the first's opcode is replaced; nothing
 * moves). Greedy, left to right; an instruction is in one pair at most.
 * The second of a pair is never a branch target or a return point:
 * targets follow FUEL (or are FUEL), return points follow calls, and no
 * pair starts with either. */
static void pair_pass(cc *c) {
  for (size_t k = 0; k + 1 < c->nops; k++) {
    vm_word a = c->code[c->ops[k]], b = c->code[c->ops[k + 1]];
#define VM_PAIR_CASE(name, x, lx, y, ly)                             \
  if (a == VM_OP_##x && b == VM_OP_##y &&                            \
      c->ops[k + 1] == c->ops[k] + 1 + lx) {                         \
    c->code[c->ops[k]] = VM_OP_PAIR_##name;                          \
    k++;                                                             \
    continue;                                                        \
  }
    VM_PAIR_OPS(VM_PAIR_CASE)
#undef VM_PAIR_CASE
  }
}

static void patch_chain(cc *c, size_t chain, size_t target) {
  while (chain != NO_FIXUP && !c->oom) {
    size_t next = (size_t)c->code[chain];
    c->code[chain] = target;
    chain = next;
  }
}

/* Removes the words [start, end) of the last instruction emitted (a
 * comparison or add being fused into its consumer) and drops it from the
 * opcode list. */
static void cut_last(cc *c, size_t start, size_t end) {
  size_t len = end - start;
  c->last_copy = NO_FIXUP;
  c->last_load = NO_FIXUP;
  memmove(c->code + start, c->code + end, (c->ncode - end) * sizeof *c->code);
  c->ncode -= len;
  size_t k = c->nops;
  while (k > 0 && c->ops[k - 1] > start) c->ops[--k] -= len;
  /* now ops[k - 1] == start: remove that entry */
  memmove(c->ops + k - 1, c->ops + k, (c->nops - k) * sizeof *c->ops);
  c->nops--;
}

/* ---- Operand and control stacks ----------------------------------------- */

static uint32_t home(const cc *c, size_t h) { return c->nlocals + (uint32_t)h; }

static bool push_entry(cc *c, uint8_t t, uint32_t loc) {
  if (!grow(c, (void **)&c->vals, &c->capvals, c->nvals + 1, 1) ||
      !grow(c, (void **)&c->locs, &c->caplocs, c->nvals + 1, sizeof *c->locs)) {
    c->oom = true;
    return false;
  }
  c->vals[c->nvals] = t;
  c->locs[c->nvals] = loc;
  c->nvals++;
  c->work++;
  if (c->nvals > c->maxvals) c->maxvals = c->nvals;
  return true;
}

/* Pushes a value that lives in its home slot; returns that slot. */
static uint32_t push(cc *c, uint8_t t) {
  uint32_t slot = home(c, c->nvals);
  push_entry(c, t, slot);
  return slot;
}

/* End of the window that holds every lazy entry. */
static size_t lazy_end(const cc *c) {
  size_t end = c->lowest_lazy + VM_LAZY_WINDOW;
  return end < c->nvals ? end : c->nvals;
}

static void materialize_all(cc *c) {
  if (!c->lazy_count) return;
  for (size_t i = c->lowest_lazy, end = lazy_end(c); i < end; i++) {
    if (c->locs[i] & CONST_LOC) {
      emit_op(c, VM_OP_CONST);
      emit(c, c->consts[c->locs[i] & ~CONST_LOC]);
      emit(c, home(c, i));
      c->locs[i] = home(c, i);
      continue;
    }
    if (c->locs[i] >= c->nlocals) continue;
    emit_copy(c, c->locs[i], home(c, i));
    c->refs[c->locs[i]]--;
    c->locs[i] = home(c, i);
  }
  c->lazy_count = 0;
  c->lowest_lazy = NO_FIXUP;
}

/* Copies home every lazy entry that reads local x (before x changes). */
static void materialize_local(cc *c, uint32_t x) {
  if (!c->refs[x]) return;
  for (size_t i = c->lowest_lazy, end = lazy_end(c); i < end; i++) {
    if (c->locs[i] != x) continue;
    emit_copy(c, x, home(c, i));
    c->locs[i] = home(c, i);
    c->refs[x]--;
    c->lazy_count--;
  }
  if (!c->lazy_count) c->lowest_lazy = NO_FIXUP;
  c->last_dst = NO_FIXUP;
}

/* Pushes a lazy entry: a local's slot or a CONST_LOC constant. */
static void push_lazy(cc *c, uint8_t t, uint32_t x) {
  if (c->lazy_count && c->nvals - c->lowest_lazy >= VM_LAZY_WINDOW)
    materialize_all(c);
  if (!push_entry(c, t, x)) return;
  if (!(x & CONST_LOC)) c->refs[x]++;
  c->lazy_count++;
  if (c->lowest_lazy == NO_FIXUP || c->nvals - 1 < c->lowest_lazy)
    c->lowest_lazy = c->nvals - 1;
}

/* Pops an operand of type `want` (T_UNKNOWN: any); its type goes to *got
 * (T_UNKNOWN from a polymorphic stack) and its slot to *loc. */
static wg_wasm_result popl(cc *c, uint8_t want, uint8_t *got, uint32_t *loc) {
  ctl *top = &c->ctls[c->nctls - 1];
  uint8_t t = T_UNKNOWN;
  uint32_t l = home(c, c->nvals);
  c->work++;
  if (c->nvals == top->height) {
    if (!top->unreachable) INVALID(c, "type mismatch");
  } else {
    c->nvals--;
    if (c->nvals < c->chk_nvals) c->chk_types = NULL;
    t = c->vals[c->nvals];
    l = c->locs[c->nvals];
    if (l & CONST_LOC) {
      /* a lazy constant is written to its home slot now */
      uint64_t v = c->consts[l & ~CONST_LOC];
      l = home(c, c->nvals);
      emit_op(c, VM_OP_CONST);
      emit(c, v);
      emit_dst(c, l);
      if (--c->lazy_count == 0) c->lowest_lazy = NO_FIXUP;
    } else if (l < c->nlocals) {
      c->refs[l]--;
      if (--c->lazy_count == 0) c->lowest_lazy = NO_FIXUP;
    }
  }
  if (t != want && t != T_UNKNOWN && want != T_UNKNOWN)
    INVALID(c, "type mismatch");
  if (got) *got = t;
  if (loc) *loc = l;
  return WG_WASM_OK;
}

static wg_wasm_result pop(cc *c, uint8_t want, uint8_t *got) {
  return popl(c, want, got, NULL);
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
  while (c->nvals > top->height) popl(c, T_UNKNOWN, NULL, NULL);
  top->unreachable = true;
}

/* Checks the top `a` operands against the label types ts without popping
 * them (branches that keep their values: br_if, br_table). Done once while
 * the stack top stays unchanged: a run of br_if to one label compares the
 * types once, not a times each. `refine` (br_if) gives operands of unknown
 * type (unreachable code) the label's type, as popping and pushing the
 * label's types would; br_table pushes back what it popped, so it does
 * not. A polymorphic stack with fewer than `a` operands takes the long way
 * (pop, then push the label's types). */
static wg_wasm_result check_top(cc *c, uint32_t a, const wg_valtype *ts,
                                bool refine) {
  const ctl *top = &c->ctls[c->nctls - 1];
  size_t have = c->nvals - top->height;
  if (have < a && !top->unreachable) INVALID(c, "type mismatch");
  if (have < a && refine) {
    TRY(pop_vals(c, a, ts));
    push_vals(c, a, ts);
  } else {
    if (refine && c->chk_types == ts && c->chk_arity == a &&
        c->chk_nvals == c->nvals)
      return WG_WASM_OK;
    /* the operands below the polymorphic base (have < a) are unknown */
    uint32_t k = have < a ? (uint32_t)have : a;
    size_t base = c->nvals - k;
    c->work += k;
    for (uint32_t j = 0; j < k; j++) {
      uint8_t t = c->vals[base + j], want = (uint8_t)ts[a - k + j];
      if (t == T_UNKNOWN) {
        if (refine) c->vals[base + j] = want;
      } else if (t != want) {
        INVALID(c, "type mismatch");
      }
    }
  }
  if (refine) {
    c->chk_types = ts;
    c->chk_arity = a;
    c->chk_nvals = c->nvals;
  }
  return WG_WASM_OK;
}

static wg_wasm_result push_ctl(cc *c, ctl_kind kind, const ctl *bt) {
  if (c->nctls >= WG_WASM_MAX_NESTING)
    FAILC(c, WG_WASM_LIMIT, "blocks nested deeper than %u", WG_WASM_MAX_NESTING);
  if (!grow(c, (void **)&c->ctls, &c->capctls, c->nctls + 1, sizeof *c->ctls))
    OOMC(c);
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
  if (single_type(b)) {
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

/* Emits the target word of a branch to label depth l, with the charge of
 * the values it moves. */
static void emit_target(cc *c, uint32_t l, vm_word charge) {
  ctl *k = &c->ctls[c->nctls - 1 - l];
  if (k->kind == CTL_LOOP) {
    emit(c, k->loop_pc);
    note_target(c, charge);
  } else {
    emit_fixup(c, &k->fixups, charge);
  }
}

/* Home slot where label l expects its values. */
static uint32_t label_dst(const cc *c, uint32_t l) {
  return home(c, c->ctls[c->nctls - 1 - l].height);
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

/* Emits `op a [b] dst` for a numeric operator: pops its operands, pushes
 * its result. */
static vm_op imm_form(vm_op op) {
  switch (op) {
#define VM_IMM_CASE(name, kind, expr) \
  case VM_OP_##name:                  \
    return VM_OP_##name##_I;
    VM_IMM_OPS(VM_IMM_CASE)
#undef VM_IMM_CASE
    default:
      return VM_OP_COUNT;
  }
}

/* Pops the top operand if it is a lazy constant of type t. */
static bool take_const(cc *c, uint8_t t, uint64_t *imm) {
  size_t top = c->nvals - 1;
  if (c->nvals <= c->ctls[c->nctls - 1].height ||
      !(c->locs[top] & CONST_LOC) || c->vals[top] != t)
    return false;
  *imm = c->consts[c->locs[top] & ~CONST_LOC];
  c->nvals--;
  if (c->nvals < c->chk_nvals) c->chk_types = NULL;
  if (--c->lazy_count == 0) c->lowest_lazy = NO_FIXUP;
  return true;
}

/* Whether operand slot lb (just popped, the right operand of op) was
 * produced by the last instruction, a full-width load of op's type: then
 * the load folds into op (VM_MEM_BIN_OPS), and *m is the fused form. */
static bool loaded_operand(const cc *c, vm_op op, uint32_t lb, vm_op *m) {
  if (c->last_load == NO_FIXUP || c->last_dst == NO_FIXUP ||
      c->last_end != c->ncode || c->code[c->last_dst] != lb ||
      lb != home(c, c->nvals + 1))
    return false;
  vm_word load = c->code[c->last_load];
  switch (op) {
#define VM_MEM_M_CASE(name, kind, expr)          \
  case VM_OP_##name:                             \
    *m = VM_OP_##name##_M;                       \
    return load == VM_OP_##kind##_LOAD;
    VM_MEM_BIN_OPS(VM_MEM_M_CASE)
#undef VM_MEM_M_CASE
    default:
      return false;
  }
}

/* The fused store form of the last instruction (VM_MEM_BIN_OPS) when it
 * is an operator of the store's own type whose result, in slot lv (just
 * popped), the store writes. */
static bool stored_result(const cc *c, vm_op store, uint32_t lv, vm_op *s) {
  if (c->last_start == NO_FIXUP || c->last_dst == NO_FIXUP ||
      c->last_end != c->ncode || c->code[c->last_dst] != lv ||
      lv != home(c, c->nvals + 1))
    return false;
  switch (c->code[c->last_start]) {
#define VM_MEM_S_CASE(name, kind, expr)          \
  case VM_OP_##name:                             \
    *s = VM_OP_##name##_S;                       \
    return store == VM_OP_##kind##_STORE;        \
  case VM_OP_##name##_M:                         \
    *s = VM_OP_##name##_MS;                      \
    return store == VM_OP_##kind##_STORE;
    VM_MEM_BIN_OPS(VM_MEM_S_CASE)
#undef VM_MEM_S_CASE
    default:
      return false;
  }
}

/* Whether slot `slot` (at operand height h, just popped) holds the result
 * of the last instruction emitted, a numeric operator. */
static bool produced_last(const cc *c, uint32_t slot, size_t h) {
  return c->last_start != NO_FIXUP && c->last_dst != NO_FIXUP &&
         c->last_end == c->ncode && c->code[c->last_dst] == slot &&
         slot == home(c, h);
}

/* The fused form (VM_CHAIN_OPS) of `first` followed by `second` taking
 * its result on `side`, or VM_OP_COUNT. */
static vm_op chain_op(vm_word first, vm_op second, char side) {
#define VM_CHAIN_CASE(name, f, sec, sd)                                  \
  if (first == VM_OP_##f && second == VM_OP_##sec && side == #sd[0]) \
    return VM_OP_CHAIN_##name;
  VM_CHAIN_OPS(VM_CHAIN_CASE)
#undef VM_CHAIN_CASE
  return VM_OP_COUNT;
}

/* Emits `op x y z dst`, the last instruction (x, y) folded in as the
 * first operator of a chain. */
static void emit_chain(cc *c, vm_op op, uint32_t z, uint32_t d) {
  vm_word x = c->code[c->last_start + 1], y = c->code[c->last_start + 2];
  cut_last(c, c->last_start, c->last_end);
  size_t start = c->ncode;
  emit_op(c, op);
  emit(c, x);
  emit(c, y);
  emit(c, z);
  emit_dst(c, d);
  c->last_start = start;
}

static wg_wasm_result numeric(cc *c, vm_op op, uint8_t ta, uint8_t tb,
                              uint8_t to) {
  uint32_t la, lb = 0;
  uint64_t imm;
  if (tb && imm_form(op) != VM_OP_COUNT && take_const(c, tb, &imm)) {
    TRY(popl(c, ta, NULL, &la));
    vm_op ch = produced_last(c, la, c->nvals)
                   ? chain_op(c->code[c->last_start], imm_form(op), 'L')
                   : VM_OP_COUNT;
    uint32_t d = push(c, to);
    if (ch != VM_OP_COUNT) {
      emit_chain(c, ch, (uint32_t)imm, d);
      return WG_WASM_OK;
    }
    size_t start = c->ncode;
    emit_op(c, imm_form(op));
    emit(c, la);
    emit(c, imm);
    emit_dst(c, d);
    c->last_start = start;
    return WG_WASM_OK;
  }
  if (tb) TRY(popl(c, tb, NULL, &lb));
  TRY(popl(c, ta, NULL, &la));
  if (tb) {
    /* the last instruction computed one operand: fold it in */
    vm_op ch = VM_OP_COUNT;
    uint32_t z = 0;
    if (produced_last(c, lb, c->nvals + 1)) {
      ch = chain_op(c->code[c->last_start], op, 'R');
      z = la;
    } else if (produced_last(c, la, c->nvals)) {
      ch = chain_op(c->code[c->last_start], op, 'L');
      z = lb;
    }
    if (ch != VM_OP_COUNT) {
      emit_chain(c, ch, z, push(c, to));
      return WG_WASM_OK;
    }
  }
  vm_op m_op;
  if (tb && loaded_operand(c, op, lb, &m_op)) {
    /* LOAD offset addr t; OP a t dst  ->  OP_M offset addr a dst */
    vm_word offset = c->code[c->last_load + 1];
    vm_word addr = c->code[c->last_load + 2];
    cut_last(c, c->last_load, c->last_end);
    uint32_t d = push(c, to);
    size_t start = c->ncode;
    emit_op(c, m_op);
    emit(c, offset);
    emit(c, addr);
    emit(c, la);
    emit_dst(c, d);
    c->last_start = start; /* a store of the result may fold in (_MS) */
    return WG_WASM_OK;
  }
  uint32_t d = push(c, to);
  size_t start = c->ncode;
  emit_op(c, op);
  emit(c, la);
  if (tb) emit(c, lb);
  emit_dst(c, d);
  c->last_start = start;
  return WG_WASM_OK;
}

/* Loads and stores: 0x28..0x3e. `LOAD offset addr dst`,
 * `STORE offset addr value`. */
static wg_wasm_result mem_op(cc *c, uint8_t op) {
  static const uint8_t natural[] = {4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4,
                                    4, 8, 4, 8, 1, 2, 1, 2, 4};
  static const uint8_t type[] = {
      WG_I32, WG_I64, WG_F32, WG_F64, WG_I32, WG_I32, WG_I32, WG_I32,
      WG_I64, WG_I64, WG_I64, WG_I64, WG_I64, WG_I64, WG_I32, WG_I64,
      WG_F32, WG_F64, WG_I32, WG_I32, WG_I64, WG_I64, WG_I64};
  uint32_t align, offset, la, lv;
  U32(&align);
  U32(&offset);
  if (c->m->mem_count == 0) INVALID(c, "unknown memory 0");
  if (align >= 32 || (1u << align) > natural[op - 0x28])
    INVALID(c, "alignment must not be larger than natural");
  uint8_t t = type[op - 0x28];
  if (op <= 0x35) {
    TRY(popl(c, WG_I32, NULL, &la));
    /* an address just computed by `i32.add x imm` folds into the load */
    bool fold = la == home(c, c->nvals) && c->last_dst != NO_FIXUP &&
                c->last_start != NO_FIXUP && c->last_end == c->ncode &&
                c->code[c->last_dst] == la &&
                c->code[c->last_start] == VM_OP_I32_ADD_I;
    vm_word x = fold ? c->code[c->last_start + 1] : 0;
    vm_word imm = fold ? c->code[c->last_start + 2] : 0;
    if (fold) cut_last(c, c->last_start, c->last_end);
    uint32_t d = push(c, t);
    emit_op(c, fold ? VM_OP_I32_LOAD_A + (op - 0x28)
                    : VM_OP_I32_LOAD + (op - 0x28));
    emit(c, offset);
    size_t start = c->ncode - 2;
    if (fold) {
      emit(c, x);
      emit(c, imm);
    } else {
      emit(c, la);
    }
    emit_dst(c, d);
    if (!fold) c->last_load = start;
  } else {
    /* a constant value uses the immediate form (VM_STORE_IMM_OPS order) */
    uint64_t imm;
    bool is_imm = take_const(c, t, &imm);
    if (!is_imm) TRY(popl(c, t, NULL, &lv));
    TRY(popl(c, WG_I32, NULL, &la));
    vm_op s_op;
    if (!is_imm &&
        stored_result(c, (vm_op)(VM_OP_I32_LOAD + (op - 0x28)), lv, &s_op)) {
      /* OP a b t; STORE offset addr t  ->  OP_S a b offset addr, and
       * OP_M o x a t; STORE offset addr t  ->  OP_MS o x a offset addr */
      vm_word w[3];
      size_t n = c->last_dst - c->last_start - 1;
      memcpy(w, c->code + c->last_start + 1, n * sizeof *w);
      cut_last(c, c->last_start, c->last_end);
      c->last_dst = NO_FIXUP;
      c->last_start = NO_FIXUP;
      emit_op(c, s_op);
      for (size_t i = 0; i < n; i++) emit(c, w[i]);
      emit(c, offset);
      emit(c, la);
      return WG_WASM_OK;
    }
    emit_op(c, is_imm ? VM_OP_I32_STORE_I + (op - 0x36)
                      : VM_OP_I32_LOAD + (op - 0x28));
    emit(c, offset);
    emit(c, la);
    emit(c, is_imm ? imm : lv);
  }
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

/* Pops three i32 operands (x y z, z on top) and emits their slots. */
static wg_wasm_result pop3_i32(cc *c, uint32_t s[3]) {
  TRY(popl(c, WG_I32, NULL, &s[2]));
  TRY(popl(c, WG_I32, NULL, &s[1]));
  TRY(popl(c, WG_I32, NULL, &s[0]));
  return WG_WASM_OK;
}

static void emit3(cc *c, const uint32_t s[3]) {
  emit(c, s[0]);
  emit(c, s[1]);
  emit(c, s[2]);
}

/* 0xFC prefix. */
static wg_wasm_result prefixed(cc *c) {
  uint32_t sub, a, b, s[3], l1, l2;
  U32(&sub);
  if (sub <= 7) {
    static const uint8_t in[] = {WG_F32, WG_F32, WG_F64, WG_F64,
                                 WG_F32, WG_F32, WG_F64, WG_F64};
    return numeric(c, VM_OP_I32_TRUNC_SAT_F32_S + sub, in[sub], 0,
                   sub < 4 ? WG_I32 : WG_I64);
  }
  switch (sub) {
    case 8: /* memory.init seg: MEMORY_INIT seg d s n */
      U32(&a);
      TRY(need_data(c, a));
      TRY(zero_byte(c));
      TRY(need_memory(c));
      TRY(pop3_i32(c, s));
      emit_op(c, VM_OP_MEMORY_INIT);
      emit(c, a);
      emit3(c, s);
      return WG_WASM_OK;
    case 9: /* data.drop */
      U32(&a);
      TRY(need_data(c, a));
      emit_op(c, VM_OP_DATA_DROP);
      emit(c, a);
      return WG_WASM_OK;
    case 10: /* memory.copy: MEMORY_COPY d s n */
      TRY(zero_byte(c));
      TRY(zero_byte(c));
      TRY(need_memory(c));
      TRY(pop3_i32(c, s));
      emit_op(c, VM_OP_MEMORY_COPY);
      emit3(c, s);
      return WG_WASM_OK;
    case 11: /* memory.fill: MEMORY_FILL d v n */
      TRY(zero_byte(c));
      TRY(need_memory(c));
      TRY(pop3_i32(c, s));
      emit_op(c, VM_OP_MEMORY_FILL);
      emit3(c, s);
      return WG_WASM_OK;
    case 12: /* table.init elem table: TABLE_INIT seg table d s n */
      U32(&a);
      U32(&b);
      TRY(need_table(c, b));
      TRY(need_elem(c, a));
      if (c->m->elems[a].type != c->m->tables[b].elem) INVALID(c, "type mismatch");
      TRY(pop3_i32(c, s));
      emit_op(c, VM_OP_TABLE_INIT);
      emit(c, a);
      emit(c, b);
      emit3(c, s);
      return WG_WASM_OK;
    case 13: /* elem.drop */
      U32(&a);
      TRY(need_elem(c, a));
      emit_op(c, VM_OP_ELEM_DROP);
      emit(c, a);
      return WG_WASM_OK;
    case 14: /* table.copy dst src: TABLE_COPY dt st d s n */
      U32(&a);
      U32(&b);
      TRY(need_table(c, a));
      TRY(need_table(c, b));
      if (c->m->tables[a].elem != c->m->tables[b].elem) INVALID(c, "type mismatch");
      TRY(pop3_i32(c, s));
      emit_op(c, VM_OP_TABLE_COPY);
      emit(c, a);
      emit(c, b);
      emit3(c, s);
      return WG_WASM_OK;
    case 15: /* table.grow: TABLE_GROW t init n dst */
      U32(&a);
      TRY(need_table(c, a));
      TRY(popl(c, WG_I32, NULL, &l2));
      TRY(popl(c, c->m->tables[a].elem, NULL, &l1));
      emit_op(c, VM_OP_TABLE_GROW);
      emit(c, a);
      emit(c, l1);
      emit(c, l2);
      emit_dst(c, push(c, WG_I32));
      return WG_WASM_OK;
    case 16: /* table.size: TABLE_SIZE t dst */
      U32(&a);
      TRY(need_table(c, a));
      emit_op(c, VM_OP_TABLE_SIZE);
      emit(c, a);
      emit_dst(c, push(c, WG_I32));
      return WG_WASM_OK;
    case 17: /* table.fill: TABLE_FILL t d v n */
      U32(&a);
      TRY(need_table(c, a));
      TRY(popl(c, WG_I32, NULL, &s[2]));
      TRY(popl(c, c->m->tables[a].elem, NULL, &s[1]));
      TRY(popl(c, WG_I32, NULL, &s[0]));
      emit_op(c, VM_OP_TABLE_FILL);
      emit(c, a);
      emit3(c, s);
      return WG_WASM_OK;
  }
  MALFORMED(c, "illegal opcode 0xfc %u", sub);
}

/* Values that reach the end of a block are in their home slots (control
 * instructions materialize first), so `end` emits no moves. */
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
    close_block(c);
    patch_chain(c, k->fixups, c->ncode);
    emit_return(c, home(c, 0), k->nresults);
    c->nctls--;
    *done = true;
    return WG_WASM_OK;
  }
  size_t here = c->ncode;
  /* a new basic block starts here only if some branch lands here (never
   * after a loop: its branches go to its start) */
  bool targeted = k->fixups != NO_FIXUP || k->else_fixup != NO_FIXUP;
  patch_chain(c, k->fixups, here);
  if (k->else_fixup != NO_FIXUP) patch_chain(c, k->else_fixup, here);
  ctl done_k = *k;
  c->nctls--;
  push_vals(c, done_k.nresults, done_k.results);
  if (targeted) begin_block(c);
  return WG_WASM_OK;
}

/* Checks each label once (spec algorithm: every label's types must match
 * the operands, which stay on the stack), in one pass over the targets
 * plus one type comparison per distinct label; then re-reads the labels
 * to emit the jump table:
 * BR_TABLE index n src keep (target charge dst)*(n+1). */
static wg_wasm_result op_br_table(cc *c) {
  uint32_t n, l, li;
  U32(&n);
  if (n > (size_t)(c->r->end - c->r->p)) MALFORMED(c, "unexpected end");
  if (n > WG_WASM_MAX_BR_TABLE)
    FAILC(c, WG_WASM_LIMIT, "br_table with %u targets (limit %u)", n,
          WG_WASM_MAX_BR_TABLE);
  TRY(popl(c, WG_I32, NULL, &li));
  materialize_all(c);
  const uint8_t *labels = c->r->p;
  for (uint32_t i = 0; i <= n; i++) TRY(read_label(c, &l));
  const uint8_t *after = c->r->p;
  uint32_t arity = label_arity(&c->ctls[c->nctls - 1 - l]);
  const wg_valtype *checked = NULL;
  c->r->p = labels;
  c->brt_serial++;
  c->work += n;
  for (uint32_t i = 0; i <= n; i++) {
    TRY(read_label(c, &l));
    ctl *k = &c->ctls[c->nctls - 1 - l];
    if (k->brt_stamp == c->brt_serial) continue;
    k->brt_stamp = c->brt_serial;
    if (label_arity(k) != arity) INVALID(c, "type mismatch");
    if (label_types(k) == checked) continue;
    TRY(check_top(c, arity, label_types(k), false));
    checked = label_types(k);
  }
  TRY(pop_vals(c, arity, label_types(&c->ctls[c->nctls - 1 - l])));
  uint32_t src = home(c, c->nvals);
  emit_op(c, VM_OP_BR_TABLE);
  emit(c, li);
  emit(c, n);
  emit(c, src);
  emit(c, arity);
  c->r->p = labels;
  for (uint32_t i = 0; i <= n; i++) {
    TRY(read_label(c, &l));
    uint32_t dst = label_dst(c, l);
    emit_target(c, l, src != dst ? move_charge(arity) : 0);
    emit(c, dst);
  }
  c->r->p = after;
  set_unreachable(c);
  return WG_WASM_OK;
}

/* CALL f base | CALL_INDIRECT type table index base: the arguments are in
 * home slots from `base` on, which becomes the callee's frame. */
static wg_wasm_result op_call(cc *c, bool indirect) {
  uint32_t f = 0, t, tab = 0, li = 0;
  U32(indirect ? &t : &f);
  if (indirect) {
    U32(&tab);
    if (tab >= c->m->table_count) INVALID(c, "unknown table %u", tab);
    if (t >= c->m->type_count) INVALID(c, "unknown type %u", t);
    if (c->m->tables[tab].elem != WG_FUNCREF) INVALID(c, "type mismatch");
    TRY(popl(c, WG_I32, NULL, &li));
  } else {
    if (f >= c->m->func_count) INVALID(c, "unknown function %u", f);
    t = c->m->func_types[f];
  }
  const wg_functype *ft = &c->m->types[t];
  TRY(pop_vals(c, ft->param_count, ft->params));
  uint32_t base = home(c, c->nvals);
  push_vals(c, ft->result_count, ft->results);
  if (indirect) {
    emit_op(c, VM_OP_CALL_INDIRECT);
    emit(c, t);
    emit(c, tab);
    emit(c, li);
  } else {
    emit_op(c, VM_OP_CALL);
    emit(c, f);
  }
  emit(c, base);
  return WG_WASM_OK;
}

static wg_wasm_result op_select(cc *c, bool typed) {
  uint8_t want = T_UNKNOWN, t1, t2;
  uint32_t lc, l1, l2;
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
  TRY(popl(c, WG_I32, NULL, &lc));
  TRY(popl(c, want, &t1, &l2));
  TRY(popl(c, want, &t2, &l1));
  if (!typed) {
    /* untyped select only takes numeric operands */
    if ((t1 != T_UNKNOWN && !is_num(t1)) || (t2 != T_UNKNOWN && !is_num(t2)))
      INVALID(c, "type mismatch");
    if (t1 != T_UNKNOWN && t2 != T_UNKNOWN && t1 != t2)
      INVALID(c, "type mismatch");
    want = t1 != T_UNKNOWN ? t1 : t2;
  }
  uint32_t d = push(c, want);
  emit_op(c, VM_OP_SELECT);
  emit(c, l1);
  emit(c, l2);
  emit(c, lc);
  emit_dst(c, d);
  return WG_WASM_OK;
}

/* local.get is free (a lazy stack entry); local.set/tee write the local,
 * retargeting the producing instruction when it was the last one. */
static wg_wasm_result op_local(cc *c, uint8_t op) {
  uint32_t x, l;
  U32(&x);
  if (x >= c->nlocals) INVALID(c, "unknown local %u", x);
  uint8_t t = c->locals[x];
  if (op == 0x20) {
    push_lazy(c, t, x);
    return WG_WASM_OK;
  }
  TRY(popl(c, t, NULL, &l));
  bool fresh = c->last_dst != NO_FIXUP && c->last_end == c->ncode &&
               c->code[c->last_dst] == l && l == home(c, c->nvals);
  if (l != x) {
    if (fresh && !c->refs[x]) {
      c->code[c->last_dst] = x;
    } else {
      materialize_local(c, x);
      emit_copy(c, l, x);
    }
  }
  c->last_dst = NO_FIXUP;
  if (op == 0x22) push_lazy(c, t, x);
  return WG_WASM_OK;
}

static wg_wasm_result op_global(cc *c, uint8_t op) {
  uint32_t i, l;
  U32(&i);
  if (i >= c->m->global_count) INVALID(c, "unknown global %u", i);
  const vm_globaltype *g = &c->m->globals[i];
  if (op == 0x23) {
    uint32_t d = push(c, g->type);
    emit_op(c, VM_OP_GLOBAL_GET);
    emit(c, i);
    emit_dst(c, d);
    return WG_WASM_OK;
  }
  if (!g->is_mutable) INVALID(c, "global is immutable");
  TRY(popl(c, g->type, NULL, &l));
  emit_op(c, VM_OP_GLOBAL_SET);
  emit(c, i);
  emit(c, l);
  return WG_WASM_OK;
}

static wg_wasm_result op_const(cc *c, uint8_t op) {
  uint64_t v = 0;
  uint8_t t;
  if (op == 0x41) {
    int32_t x;
    RD(vm_read_s32(c->r, &x, &rmsg_));
    v = (uint32_t)x;
    t = WG_I32;
  } else if (op == 0x42) {
    int64_t x;
    RD(vm_read_s64(c->r, &x, &rmsg_));
    v = (uint64_t)x;
    t = WG_I64;
  } else {
    size_t n = op == 0x43 ? 4 : 8;
    if ((size_t)(c->r->end - c->r->p) < n) MALFORMED(c, "unexpected end");
    memcpy(&v, c->r->p, n); /* little-endian host */
    c->r->p += n;
    t = op == 0x43 ? WG_F32 : WG_F64;
  }
  if (!grow(c, (void **)&c->consts, &c->capconsts, c->nconsts + 1,
            sizeof *c->consts))
    OOMC(c);
  c->consts[c->nconsts] = v;
  push_lazy(c, t, CONST_LOC | (uint32_t)c->nconsts++);
  return WG_WASM_OK;
}

static bool fused_op(vm_word prev, bool negate, vm_op *f) {
  switch (prev) {
#define VM_FUSE_CASE(name, expr, neg)                                   \
  case VM_OP_##name:                                                    \
    *f = negate ? VM_OP_BR_IF_##neg : VM_OP_BR_IF_##name;               \
    return true;                                                        \
  case VM_OP_##name##_I:                                                \
    *f = negate ? VM_OP_BR_IF_##neg##_I : VM_OP_BR_IF_##name##_I;       \
    return true;
    VM_CMP_BR(VM_FUSE_CASE)
#undef VM_FUSE_CASE
    case VM_OP_I32_EQZ:
      *f = negate ? VM_OP_BR_IF_I32_NE_I : VM_OP_BR_IF_I32_EQ_I;
      return true;
  }
  return false;
}

/* Emits the head of a conditional branch on the condition in slot lc
 * (which was the top of the stack, so `at_home` says lc is its home slot):
 * when the instruction just emitted computed it with an i32 comparison,
 * that instruction is replaced by BR_IF_<CMP> a b (negated for `if`);
 * otherwise `plain cond`. The caller emits target src dst keep. Returns
 * whether it fused. */
static bool emit_cond_branch(cc *c, uint32_t lc, bool at_home, bool negate,
                             vm_op plain) {
  vm_op f;
  if (at_home && c->last_dst != NO_FIXUP && c->last_start != NO_FIXUP &&
      c->last_end == c->ncode && c->code[c->last_dst] == lc &&
      fused_op(c->code[c->last_start], negate, &f)) {
    vm_word prev = c->code[c->last_start];
    vm_word a = c->code[c->last_start + 1];
    vm_word b = prev == VM_OP_I32_EQZ ? 0 : c->code[c->last_start + 2];
    cut_last(c, c->last_start, c->last_end);
    c->last_dst = NO_FIXUP;
    emit_op(c, f);
    emit(c, a);
    emit(c, b);
    return true;
  }
  emit_op(c, plain);
  emit(c, lc);
  return false;
}

/* Materializes the lazy entries under a branch condition in slot lc (just
 * popped: it is not materialized, the branch reads it where it is). When
 * the last instruction computed the condition, the copies go before it,
 * so that it stays last and can fuse into the branch (emit_cond_branch):
 * they read locals and write home slots below the condition's, which that
 * instruction neither reads nor writes. */
static void materialize_under(cc *c, uint32_t lc) {
  vm_word w[8];
  size_t n = c->last_end - c->last_start;
  if (!c->lazy_count || c->last_start == NO_FIXUP || c->last_dst == NO_FIXUP ||
      c->last_end != c->ncode || c->code[c->last_dst] != lc ||
      lc != home(c, c->nvals) || n > sizeof w / sizeof w[0]) {
    materialize_all(c);
    return;
  }
  memcpy(w, c->code + c->last_start, n * sizeof *w);
  cut_last(c, c->last_start, c->last_end);
  materialize_all(c);
  size_t start = c->ncode;
  emit_op(c, (vm_op)w[0]);
  for (size_t i = 1; i < n; i++) emit(c, w[i]);
  c->last_start = start;
  c->last_dst = c->ncode - 1;
  c->last_end = c->ncode;
}

/* br: BR target src dst keep (or JUMP target when nothing moves). */
static void emit_br(cc *c, uint32_t l, uint32_t src, uint32_t keep) {
  uint32_t dst = label_dst(c, l);
  if (keep == 0 || src == dst) {
    emit_op(c, VM_OP_JUMP);
    emit_target(c, l, 0);
    return;
  }
  emit_op(c, VM_OP_BR);
  emit_target(c, l, move_charge(keep));
  emit(c, src);
  emit(c, dst);
  emit(c, keep);
}


static wg_wasm_result op_block(cc *c, uint8_t op) {
  ctl bt;
  uint32_t lc = 0;
  TRY(read_blocktype(c, &bt));
  if (op == 0x04) TRY(popl(c, WG_I32, NULL, &lc));
  bool at_home = lc == home(c, c->nvals);
  if (op == 0x04) materialize_under(c, lc);
  TRY(pop_vals(c, bt.nparams, bt.params));
  if (op == 0x03) {
    begin_block(c);
    bt.loop_pc = c->fuel_pos - 1;
  }
  TRY(push_ctl(c, op == 0x02 ? CTL_BLOCK : op == 0x03 ? CTL_LOOP : CTL_IF, &bt));
  if (op == 0x04) {
    /* BR_UNLESS cond target, or BR_IF_<negated cmp> a b target 0 0 0 */
    bool fused = emit_cond_branch(c, lc, at_home, true, VM_OP_BR_UNLESS);
    emit_fixup(c, &c->ctls[c->nctls - 1].else_fixup, 0);
    if (fused) {
      emit(c, 0);
      emit(c, 0);
      emit(c, 0);
    }
    emit_refund(c); /* the then-part continues this block */
  }
  return WG_WASM_OK;
}

static wg_wasm_result op_else(cc *c) {
  ctl *k = &c->ctls[c->nctls - 1];
  if (k->kind != CTL_IF) INVALID(c, "else without if");
  TRY(pop_vals(c, k->nresults, k->results));
  if (c->nvals != k->height) INVALID(c, "type mismatch");
  emit_op(c, VM_OP_JUMP);
  emit_fixup(c, &k->fixups, 0);
  patch_chain(c, k->else_fixup, c->ncode);
  k->else_fixup = NO_FIXUP;
  k->kind = CTL_ELSE;
  k->unreachable = false;
  push_vals(c, k->nparams, k->params);
  begin_block(c);
  return WG_WASM_OK;
}

/* Control instructions 0x00..0x11. All values are made to live in their
 * home slots first, so branches and blocks only ever move home slots. */
static wg_wasm_result control(cc *c, uint8_t op, bool *done) {
  uint32_t l, lc;
  /* if, br_if and br_table pop their operand first (materialize_under) */
  if (op != 0x04 && op != 0x0d && op != 0x0e) materialize_all(c);
  switch (op) {
    case 0x00:
      emit_op(c, VM_OP_UNREACHABLE);
      set_unreachable(c);
      return WG_WASM_OK;
    case 0x01:
      return WG_WASM_OK;
    case 0x02: case 0x03: case 0x04:
      return op_block(c, op);
    case 0x05:
      return op_else(c);
    case 0x0b:
      return op_end(c, done);
    case 0x0c: {
      TRY(read_label(c, &l));
      ctl *k = &c->ctls[c->nctls - 1 - l];
      TRY(pop_vals(c, label_arity(k), label_types(k)));
      emit_br(c, l, home(c, c->nvals), label_arity(k));
      set_unreachable(c);
      return WG_WASM_OK;
    }
    case 0x0d: {
      TRY(read_label(c, &l));
      TRY(popl(c, WG_I32, NULL, &lc));
      bool at_home = lc == home(c, c->nvals);
      materialize_under(c, lc);
      ctl *k = &c->ctls[c->nctls - 1 - l];
      uint32_t a = label_arity(k);
      TRY(check_top(c, a, label_types(k), true));
      uint32_t src = home(c, c->nvals - a), dst = label_dst(c, l);
      emit_cond_branch(c, lc, at_home, false, VM_OP_BR_IF);
      emit_target(c, l, src != dst ? move_charge(a) : 0);
      emit(c, src);
      emit(c, dst);
      emit(c, a);
      emit_refund(c); /* the fallthrough continues this block */
      return WG_WASM_OK;
    }
    case 0x0e:
      return op_br_table(c);
    case 0x0f:
      TRY(pop_vals(c, c->ft->result_count, c->ft->results));
      emit_return(c, home(c, c->nvals), c->ft->result_count);
      set_unreachable(c);
      return WG_WASM_OK;
    case 0x10:
    case 0x11:
      return op_call(c, op == 0x11);
    case 0x12:
    case 0x13:
      FAILC(c, WG_WASM_UNSUPPORTED, "tail calls are not supported");
    case 0x06: case 0x07: case 0x08: case 0x09: case 0x0a:
      FAILC(c, WG_WASM_UNSUPPORTED, "exception handling is not supported");
  }
  MALFORMED(c, "illegal opcode 0x%02x", op);
}

static wg_wasm_result reference(cc *c, uint8_t op) {
  uint32_t i, l;
  uint8_t t;
  switch (op) {
    case 0xd0: {
      RD(vm_read_byte(c->r, &t, &rmsg_));
      if (!is_ref(t)) MALFORMED(c, "malformed reference type");
      uint32_t d = push(c, t);
      emit_op(c, VM_OP_CONST);
      emit(c, 0);
      emit_dst(c, d);
      return WG_WASM_OK;
    }
    case 0xd1: {
      TRY(popl(c, T_UNKNOWN, &t, &l));
      if (t != T_UNKNOWN && !is_ref(t)) INVALID(c, "type mismatch");
      uint32_t d = push(c, WG_I32);
      emit_op(c, VM_OP_REF_IS_NULL);
      emit(c, l);
      emit_dst(c, d);
      return WG_WASM_OK;
    }
    case 0xd2: {
      U32(&i);
      if (i >= c->m->func_count) INVALID(c, "unknown function %u", i);
      if (!c->m->func_declared[i]) INVALID(c, "undeclared function reference");
      uint32_t d = push(c, WG_FUNCREF);
      emit_op(c, VM_OP_REF_FUNC);
      emit(c, i);
      emit_dst(c, d);
      return WG_WASM_OK;
    }
  }
  MALFORMED(c, "illegal opcode 0x%02x", op);
}

static wg_wasm_result table_access(cc *c, uint8_t op) {
  uint32_t i, li, lv;
  U32(&i);
  TRY(need_table(c, i));
  if (op == 0x25) { /* TABLE_GET t index dst */
    TRY(popl(c, WG_I32, NULL, &li));
    uint32_t d = push(c, c->m->tables[i].elem);
    emit_op(c, VM_OP_TABLE_GET);
    emit(c, i);
    emit(c, li);
    emit_dst(c, d);
    return WG_WASM_OK;
  }
  TRY(popl(c, c->m->tables[i].elem, NULL, &lv)); /* TABLE_SET t index value */
  TRY(popl(c, WG_I32, NULL, &li));
  emit_op(c, VM_OP_TABLE_SET);
  emit(c, i);
  emit(c, li);
  emit(c, lv);
  return WG_WASM_OK;
}

static wg_wasm_result memory_size_grow(cc *c, uint8_t op) {
  uint32_t l = 0;
  TRY(zero_byte(c));
  TRY(need_memory(c));
  if (op == 0x40) TRY(popl(c, WG_I32, NULL, &l));
  uint32_t d = push(c, WG_I32);
  emit_op(c, op == 0x3f ? VM_OP_MEMORY_SIZE : VM_OP_MEMORY_GROW);
  if (op == 0x40) emit(c, l);
  emit_dst(c, d);
  return WG_WASM_OK;
}

static wg_wasm_result instruction(cc *c, uint8_t op, bool *done) {
  uint8_t a, b, o;
  if (op <= 0x13) return control(c, op, done);
  switch (op) {
    case 0x1a:
      return pop(c, T_UNKNOWN, NULL);
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
  if (op >= 0x28 && op <= 0x3e) return mem_op(c, op);
  if (op >= 0xd0 && op <= 0xd2) return reference(c, op);
  if (op >= 0x45 && op <= 0xc4) {
    numeric_sig(op, &a, &b, &o);
    return numeric(c, VM_OP_I32_EQZ + (op - 0x45), a, b, o);
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

/* Every VM_BUILD_TICK units of work: the build's deadline and cancellation
 * flag, and this function's validation work budget. */
static wg_wasm_result tick(cc *c) {
  TRY(vm_build_tick(c->m, (uint32_t)(c->work - c->work_ticked), OFF(c), c->err));
  c->work_ticked = c->work;
  if (c->work > c->work_max)
    FAILC(c, WG_WASM_LIMIT,
          "function needs more than %llu units of validation work (%u per "
          "byte of its body)", (unsigned long long)c->work_max,
          WG_WASM_VALIDATE_WORK_PER_BYTE);
  return WG_WASM_OK;
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
    if (++c->work >= c->work_ticked + VM_BUILD_TICK) TRY(tick(c));
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
  if (total > WG_WASM_MAX_LOCALS)
    FAILC(c, WG_WASM_LIMIT, "too many locals (%llu, limit %u)",
          (unsigned long long)total, WG_WASM_MAX_LOCALS);
  c->nlocals = (uint32_t)total;
  if (!grow(c, (void **)&c->locals, &c->caplocals, total + 1, 1) ||
      !grow(c, (void **)&c->refs, &c->caprefs, total + 1, sizeof *c->refs))
    OOMC(c);
  memset(c->refs, 0, total * sizeof *c->refs);
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
  if (c->oom) OOMC(c);
  /* zeroing the locals costs time too: charge it with the entry block */
  c->code[c->fuel_pos] = (c->nlocals - c->ft->param_count) / 16;
  bool done = false;
  while (!done) {
    uint8_t op;
    RD(vm_read_byte(c->r, &op, &rmsg_));
    if (c->code[c->fuel_pos] >= VM_BLOCK_SPLIT) begin_block(c);
    c->code[c->fuel_pos]++;
    TRY(instruction(c, op, &done));
    if (c->oom) OOMC(c);
    if (++c->work >= c->work_ticked + VM_BUILD_TICK) TRY(tick(c));
  }
  fold_fuel(c);
  if (c->oom) OOMC(c);
  pair_pass(c);
  out->local_count = c->nlocals;
  out->max_stack = (uint32_t)c->maxvals + 1;
  out->code_len = c->ncode;
  return WG_WASM_OK;
}

/* The compiler's state lives across the functions of a module: its
 * buffers are reused (one set of allocations per module, not per
 * function) and count against the build's memory budget until
 * vm_compile_done frees them. */
static cc *compiler(vm_module *m) {
  vm_build *b = m->build;
  if (!b->compiler) b->compiler = calloc(1, sizeof(cc));
  return b->compiler;
}

/* Empties c for the next function, keeping its buffers. */
static void reset(cc *c) {
  cc keep = *c;
  memset(c, 0, sizeof *c);
#define KEEP(p, cap) (c->p = keep.p, c->cap = keep.cap)
  KEEP(locals, caplocals);
  KEEP(refs, caprefs);
  KEEP(vals, capvals);
  c->locs = keep.locs;
  c->caplocs = keep.caplocs;
  KEEP(consts, capconsts);
  KEEP(ctls, capctls);
  KEEP(code, capcode);
  KEEP(ops, capops);
  KEEP(targets, captargets);
  KEEP(refunds, caprefunds);
#undef KEEP
  c->scratch = keep.scratch;
  c->brt_serial = keep.brt_serial;
}

void vm_compile_done(vm_module *m) {
  vm_build *b = m->build;
  cc *c = b->compiler;
  if (!c) return;
  free(c->locals);
  free(c->refs);
  free(c->locs);
  free(c->consts);
  free(c->refunds);
  free(c->ops);
  free(c->targets);
  free(c->vals);
  free(c->ctls);
  free(c->code);
  b->scratch -= c->scratch;
  free(c);
  b->compiler = NULL;
}

wg_wasm_result vm_compile_body(vm_module *m, uint32_t func_index,
                               vm_reader *r, wg_wasm_error *err) {
  cc *c = compiler(m);
  if (!c) {
    vm_error(err, WG_WASM_NOMEM, (size_t)(r->p - r->base), "out of memory");
    return WG_WASM_NOMEM;
  }
  reset(c);
  c->m = m;
  c->r = r;
  c->err = err;
  c->ft = &m->types[m->func_types[func_index]];
  c->fuel_pos = NO_FIXUP;
  c->lowest_lazy = NO_FIXUP;
  c->last_dst = NO_FIXUP;
  c->last_start = NO_FIXUP;
  c->last_load = NO_FIXUP;
  c->last_copy = NO_FIXUP;
  c->work_max = (uint64_t)WG_WASM_VALIDATE_WORK_PER_BYTE * (uint64_t)(r->end - r->p) +
                WG_WASM_VALIDATE_WORK_BASE;
  vm_code *out = &m->codes[func_index - m->import_func_count];
  out->type_index = m->func_types[func_index];
  TRY(compile(c, out));
  size_t bytes = c->ncode * sizeof *c->code;
  if (c->ncode >= VM_OWN_CODE_WORDS) {
    /* the module takes the buffer, cut to size; the next function starts
     * a new one */
    vm_word *code = realloc(c->code, bytes);
    out->code = code ? code : c->code;
    out->owned = true;
    m->owned_code_bytes += bytes;
    c->scratch -= c->capcode * sizeof *c->code;
    m->build->scratch -= c->capcode * sizeof *c->code;
    c->code = NULL;
    c->capcode = 0;
  } else {
    out->code = vm_alloc(m, bytes);
    if (!out->code) return vm_build_oom(m, OFF(c), err);
    memcpy(out->code, c->code, bytes);
  }
  /* direct threading: opcode words become handler addresses */
  const void *const *handlers = vm_dispatch_table();
  for (size_t i = 0; handlers && i < c->nops; i++)
    out->code[c->ops[i]] = (vm_word)(uintptr_t)handlers[out->code[c->ops[i]]];
  return WG_WASM_OK;
}

bool vm_opcode_exists(uint8_t op) {
  return op <= 0x05 || (op >= 0x0b && op <= 0x11) || (op >= 0x1a && op <= 0x1c) ||
         (op >= 0x20 && op <= 0x26) || (op >= 0x28 && op <= 0xc4) ||
         (op >= 0xd0 && op <= 0xd2) || op == 0xfc;
}
