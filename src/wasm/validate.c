/* validate.c: the body compiler's operand and control stacks (compile.c).
 *
 * The operand stack holds each value's type (for validation, as in the
 * spec's algorithm) and its slot: its home slot or, lazily, a local or a
 * constant. The control stack holds the open blocks and their labels. */
#include <string.h>

#include "compile_internal.h"
#include "wg_assert.h"

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
uint32_t vm_push(cc *c, uint8_t t) {
  uint32_t slot = home(c, c->nvals);
  push_entry(c, t, slot);
  return slot;
}

/* End of the window that holds every lazy entry. */
static size_t lazy_end(const cc *c) {
  size_t end = c->lowest_lazy + VM_LAZY_WINDOW;
  return end < c->nvals ? end : c->nvals;
}

void vm_materialize_all(cc *c) {
  if (!c->lazy_count) return;
  for (size_t i = c->lowest_lazy, end = lazy_end(c); i < end; i++) {
    if (c->locs[i] & CONST_LOC) {
      vm_emit_op(c, VM_OP_CONST);
      emit(c, c->consts[c->locs[i] & ~CONST_LOC]);
      emit(c, home(c, i));
      c->locs[i] = home(c, i);
      continue;
    }
    if (c->locs[i] >= c->nlocals) continue;
    vm_emit_copy(c, c->locs[i], home(c, i));
    c->refs[c->locs[i]]--;
    c->locs[i] = home(c, i);
  }
  c->lazy_count = 0;
  c->lowest_lazy = NO_FIXUP;
}

/* Copies home every lazy entry that reads local x (before x changes). */
void vm_materialize_local(cc *c, uint32_t x) {
  if (!c->refs[x]) return;
  for (size_t i = c->lowest_lazy, end = lazy_end(c); i < end; i++) {
    if (c->locs[i] != x) continue;
    vm_emit_copy(c, x, home(c, i));
    c->locs[i] = home(c, i);
    c->refs[x]--;
    c->lazy_count--;
  }
  if (!c->lazy_count) c->lowest_lazy = NO_FIXUP;
  c->last_dst = NO_FIXUP;
}

/* Pushes a lazy entry: a local's slot or a CONST_LOC constant. */
void vm_push_lazy(cc *c, uint8_t t, uint32_t x) {
  if (c->lazy_count && c->nvals - c->lowest_lazy >= VM_LAZY_WINDOW)
    vm_materialize_all(c);
  if (!push_entry(c, t, x)) return;
  if (!(x & CONST_LOC)) c->refs[x]++;
  c->lazy_count++;
  if (c->lowest_lazy == NO_FIXUP || c->nvals - 1 < c->lowest_lazy)
    c->lowest_lazy = c->nvals - 1;
  /* the window invariant (compile.c): every lazy entry lies in
   * [lowest_lazy, lowest_lazy + VM_LAZY_WINDOW), so scans stay bounded */
  WG_ASSERT(c->lazy_count <= c->nvals - c->lowest_lazy &&
            c->nvals - c->lowest_lazy <= VM_LAZY_WINDOW);
}

/* Pops an operand of type `want` (T_UNKNOWN: any); its type goes to *got
 * (T_UNKNOWN from a polymorphic stack) and its slot to *loc. */
wg_wasm_code vm_popl(cc *c, uint8_t want, uint8_t *got, uint32_t *loc) {
  ctl *top = &c->ctls[c->nctls - 1];
  uint8_t t = T_UNKNOWN;
  uint32_t l = home(c, c->nvals);
  c->work++;
  if (c->nvals == top->height) {
    if (!top->unreachable) INVALIDC(c, "type mismatch");
  } else {
    c->nvals--;
    if (c->nvals < c->chk_nvals) c->chk_types = NULL;
    t = c->vals[c->nvals];
    l = c->locs[c->nvals];
    if (l & CONST_LOC) {
      /* a lazy constant is written to its home slot now */
      uint64_t v = c->consts[l & ~CONST_LOC];
      l = home(c, c->nvals);
      vm_emit_op(c, VM_OP_CONST);
      emit(c, v);
      vm_emit_dst(c, l);
      if (--c->lazy_count == 0) c->lowest_lazy = NO_FIXUP;
    } else if (l < c->nlocals) {
      c->refs[l]--;
      if (--c->lazy_count == 0) c->lowest_lazy = NO_FIXUP;
    }
  }
  if (t != want && t != T_UNKNOWN && want != T_UNKNOWN)
    INVALIDC(c, "type mismatch");
  if (got) *got = t;
  if (loc) *loc = l;
  return WG_WASM_OK;
}

wg_wasm_code vm_pop(cc *c, uint8_t want, uint8_t *got) {
  return vm_popl(c, want, got, NULL);
}

wg_wasm_code vm_pop_vals(cc *c, uint32_t n, const wg_valtype *ts) {
  for (uint32_t i = n; i-- > 0;) TRY(vm_pop(c, ts[i], NULL));
  return WG_WASM_OK;
}

void vm_push_vals(cc *c, uint32_t n, const wg_valtype *ts) {
  for (uint32_t i = 0; i < n; i++) vm_push(c, ts[i]);
}

void vm_set_unreachable(cc *c) {
  ctl *top = &c->ctls[c->nctls - 1];
  while (c->nvals > top->height) vm_popl(c, T_UNKNOWN, NULL, NULL);
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
wg_wasm_code vm_check_top(cc *c, uint32_t a, const wg_valtype *ts,
                                bool refine) {
  const ctl *top = &c->ctls[c->nctls - 1];
  size_t have = c->nvals - top->height;
  if (have < a && !top->unreachable) INVALIDC(c, "type mismatch");
  if (have < a && refine) {
    TRY(vm_pop_vals(c, a, ts));
    vm_push_vals(c, a, ts);
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
        INVALIDC(c, "type mismatch");
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

wg_wasm_code vm_push_ctl(cc *c, ctl_kind kind, const ctl *bt) {
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
  vm_push_vals(c, k->nparams, k->params);
  return WG_WASM_OK;
}

uint32_t vm_label_arity(const ctl *k) {
  return k->kind == CTL_LOOP ? k->nparams : k->nresults;
}
const wg_valtype *vm_label_types(const ctl *k) {
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

wg_wasm_code vm_read_blocktype(cc *c, ctl *bt) {
  memset(bt, 0, sizeof *bt);
  uint8_t single;
  int64_t idx;
  TRY(vm_blocktype_syntax(c, &single, &idx));
  if (single == WASM_BLOCK_EMPTY) return WG_WASM_OK;
  if (single) {
    bt->nresults = 1;
    bt->results = single_type(single);
    return WG_WASM_OK;
  }
  if ((uint64_t)idx >= c->m->type_count) INVALIDC(c, "unknown type %u", (unsigned)idx);
  const wg_functype *ft = &c->m->types[idx];
  bt->nparams = ft->param_count;
  bt->params = ft->params;
  bt->nresults = ft->result_count;
  bt->results = ft->results;
  return WG_WASM_OK;
}

/* Emits the target word of a branch to label depth l, with the charge of
 * the values it moves. */
void vm_emit_target(cc *c, uint32_t l, vm_word charge) {
  ctl *k = &c->ctls[c->nctls - 1 - l];
  if (k->kind == CTL_LOOP) {
    emit(c, k->loop_pc);
    vm_note_target(c, charge);
  } else {
    vm_emit_fixup(c, &k->fixups, charge);
  }
}

/* Home slot where label l expects its values. */
uint32_t vm_label_dst(const cc *c, uint32_t l) {
  return home(c, c->ctls[c->nctls - 1 - l].height);
}

wg_wasm_code vm_read_label(cc *c, uint32_t *l) {
  U32C(l);
  if (*l >= c->nctls) INVALIDC(c, "unknown label %u", *l);
  return WG_WASM_OK;
}
