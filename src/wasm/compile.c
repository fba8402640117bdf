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
 *   (vm_push_lazy materializes everything rather than widen it), so the scans
 *   are bounded and compilation stays linear in the body size.
 * - `local.set` right after the instruction that produced its operand
 *   rewrites that instruction's destination instead of emitting a copy.
 * - Forward branch targets are patched at the block's `end`: unresolved
 *   target words form a chain (each holds the index of the previous one).
 * - A FUEL instruction opens every basic block and carries its wasm
 *   instruction count; blocks are split at VM_BLOCK_SPLIT instructions.
 * - Unreachable code is still emitted (it never runs).
 *
 * This file is the driver: the entry points (vm_compile_body,
 * vm_compile_done), the local declarations and the loop over a body's
 * instructions. The passes and parts it runs are skim.c, validate.c,
 * emit.c, fuse.c, control.c and instr.c (compile_internal.h). */
#include <stdlib.h>
#include <string.h>

#include "compile_internal.h"
#include "wg_assert.h"

/* Every VM_BUILD_TICK units of work: the build's deadline and cancellation
 * flag, and this function's validation work budget. */
wg_wasm_code vm_compile_tick(cc *c) {
  TRY(vm_build_tick(c->m, (uint32_t)(c->work - c->work_ticked), OFF(c), c->err));
  c->work_ticked = c->work;
  if (c->work > c->work_max)
    FAILC(c, WG_WASM_LIMIT,
          "function needs more than %llu units of validation work (%u per "
          "byte of its body)", (unsigned long long)c->work_max,
          WG_WASM_VALIDATE_WORK_PER_BYTE);
  return WG_WASM_OK;
}

/* Reads the local declarations (after the params). The syntax pass
 * checked their counts and types and summed them (declared_locals), so
 * this allocates once, for a bounded total, and fills in the types. */
static wg_wasm_code read_locals(cc *c) {
  uint64_t total = c->ft->param_count + c->declared_locals;
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
  uint32_t groups, at = c->ft->param_count;
  U32C(&groups);
  for (uint32_t g = 0; g < groups; g++) {
    uint32_t n;
    uint8_t t;
    U32C(&n);
    READC(vm_read_byte(c->r, &t, &rmsg_));
    memset(c->locals + at, t, n);
    at += n;
  }
  return WG_WASM_OK;
}

static wg_wasm_code compile(cc *c, vm_code *out) {
  const uint8_t *start = c->r->p;
  TRY(vm_skim_body(c));
  c->r->p = start;
  TRY(read_locals(c));
  ctl fn;
  memset(&fn, 0, sizeof fn);
  fn.nresults = c->ft->result_count;
  fn.results = c->ft->results;
  TRY(vm_push_ctl(c, CTL_FUNC, &fn));
  vm_begin_block(c);
  if (c->oom) OOMC(c);
  /* zeroing the locals costs time too: charge it with the entry block */
  c->code[c->fuel_pos] = (c->nlocals - c->ft->param_count) / 16;
  while (c->nctls > 0) { /* the function's own block ends last */
    uint8_t op;
    READC(vm_read_byte(c->r, &op, &rmsg_));
    if (c->code[c->fuel_pos] >= VM_BLOCK_SPLIT) vm_begin_block(c);
    c->code[c->fuel_pos]++;
    TRY(vm_instruction(c, op));
    if (c->oom) OOMC(c);
    if (++c->work >= c->work_ticked + VM_BUILD_TICK) TRY(vm_compile_tick(c));
  }
  vm_fold_fuel(c);
  if (c->oom) OOMC(c);
  vm_pair_pass(c);
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

wg_wasm_code vm_compile_body(vm_module *m, uint32_t func_index,
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
  /* the last moment the opcode words are numbers: check the code */
  WG_ASSERT(vm_code_verified(out));
  /* direct threading: opcode words become handler addresses */
  const void *const *handlers = vm_dispatch_table();
  for (size_t i = 0; handlers && i < c->nops; i++)
    out->code[c->ops[i]] = (vm_word)(uintptr_t)handlers[out->code[c->ops[i]]];
  return WG_WASM_OK;
}
