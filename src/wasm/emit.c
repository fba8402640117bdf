/* emit.c: code emission for the body compiler (compile.c): the scratch
 * buffers' growth, opcode and destination words, copies, basic blocks and
 * their fuel, branch targets and fixup chains, and the passes run once a
 * body's code is complete (vm_fold_fuel, vm_pair_pass). */
#include <stdlib.h>
#include <string.h>

#include "compile_internal.h"

bool vm_grow_slow(cc *c, void **p, size_t *cap, size_t need, size_t elem) {
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

/* Emits an opcode word; remembers where, so vm_compile_body can replace
 * it with the handler's address (direct threading). */
void vm_emit_op(cc *c, vm_op op) {
  if (!grow(c, (void **)&c->ops, &c->capops, c->nops + 1, sizeof *c->ops)) {
    c->oom = true;
    return;
  }
  c->ops[c->nops++] = c->ncode;
  emit(c, op);
}

/* Emits the destination slot, last word of a value-producing instruction. */
void vm_emit_dst(cc *c, uint32_t slot) {
  emit(c, slot);
  c->last_dst = c->ncode - 1;
  c->last_end = c->ncode;
  c->last_start = NO_FIXUP;
  c->last_load = NO_FIXUP;
}

/* COPY src dst; a copy right after another becomes COPY2 (one dispatch
 * for both). Never across a label: vm_begin_block forgets last_copy. */
void vm_emit_copy(cc *c, uint32_t src, uint32_t dst) {
  if (c->last_copy != NO_FIXUP &&
      c->last_copy + 1 + VM_LEN_COPY == c->ncode &&
      c->code[c->last_copy] == VM_OP_COPY) {
    c->code[c->last_copy] = VM_OP_COPY2;
    emit(c, src);
    emit(c, dst);
    c->last_copy = NO_FIXUP;
    return;
  }
  vm_emit_op(c, VM_OP_COPY);
  c->last_copy = c->ncode - 1;
  emit(c, src);
  emit(c, dst);
}

/* A conditional branch that leaves the block early gives back the fuel of
 * the block's instructions after it: its refund word holds the block count
 * at the branch until the block closes, then the difference. */
void vm_emit_refund(cc *c) {
  if (!grow(c, (void **)&c->refunds, &c->caprefunds, c->nrefunds + 1,
            sizeof *c->refunds)) {
    c->oom = true;
    return;
  }
  c->refunds[c->nrefunds++] = c->ncode;
  emit(c, c->code[c->fuel_pos]);
}

void vm_close_block(cc *c) {
  for (size_t i = 0; i < c->nrefunds && !c->oom; i++)
    c->code[c->refunds[i]] = c->code[c->fuel_pos] - c->code[c->refunds[i]];
  c->nrefunds = 0;
}

void vm_begin_block(cc *c) {
  c->last_dst = NO_FIXUP; /* a label: the previous result may be needed */
  c->last_copy = NO_FIXUP;
  if (c->fuel_pos != NO_FIXUP) vm_close_block(c);
  vm_emit_op(c, VM_OP_FUEL);
  c->fuel_pos = c->ncode;
  emit(c, 0);
}

/* Every target word is followed by a charge word: vm_fold_fuel makes the
 * branch charge its target block's FUEL itself and jump past it. The word
 * starts as the branch's own charge for moving values (vm_move_charge). */
void vm_note_target(cc *c, vm_word charge) {
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
vm_word vm_move_charge(uint32_t keep) {
  return keep / VM_MOVE_SLOTS_PER_FUEL;
}

/* RETURN src keep; its move is paid with the block's own charge. */
void vm_emit_return(cc *c, uint32_t src, uint32_t keep) {
  if (src != 0) c->code[c->fuel_pos] += vm_move_charge(keep);
  vm_emit_op(c, VM_OP_RETURN);
  emit(c, src);
  emit(c, keep);
}

/* Emits a placeholder target word (linked into *chain) and its charge. */
void vm_emit_fixup(cc *c, size_t *chain, vm_word charge) {
  size_t at = c->ncode;
  emit(c, (vm_word)*chain);
  *chain = at;
  vm_note_target(c, charge);
}

/* Run once the code is complete: a branch to a block's FUEL instruction
 * takes over its charge and lands just past it (one dispatch less per
 * taken branch). */
void vm_fold_fuel(cc *c) {
  for (size_t i = 0; i < c->ntargets; i++) {
    size_t t = c->targets[i];
    size_t target = (size_t)c->code[t];
    if (target + VM_LEN_FUEL < c->ncode && c->code[target] == VM_OP_FUEL) {
      c->code[t + VM_TARGET_CHARGE] += c->code[target + 1 + VM_FUEL_N];
      c->code[t + VM_TARGET_PC] = target + 1 + VM_LEN_FUEL;
    }
  }
}

/* Run once the code is complete: adjacent instructions that form a pair
 * of VM_PAIR_OPS become one (the first's opcode is replaced; nothing
 * moves). Greedy, left to right; an instruction is in one pair at most.
 * The second of a pair is never a branch target or a return point:
 * targets follow FUEL (or are FUEL), return points follow calls, and no
 * pair starts with either. */
void vm_pair_pass(cc *c) {
  for (size_t k = 0; k + 1 < c->nops; k++) {
    vm_word a = c->code[c->ops[k]], b = c->code[c->ops[k + 1]];
#define VM_PAIR_CASE(name, x, y)                                     \
  if (a == VM_OP_##x && b == VM_OP_##y &&                            \
      c->ops[k + 1] == c->ops[k] + 1 + VM_OPLEN_##x) {               \
    c->code[c->ops[k]] = VM_OP_PAIR_##name;                          \
    k++;                                                             \
    continue;                                                        \
  }
    VM_PAIR_OPS(VM_PAIR_CASE)
#undef VM_PAIR_CASE
  }
}

void vm_patch_chain(cc *c, size_t chain, size_t target) {
  while (chain != NO_FIXUP && !c->oom) {
    size_t next = (size_t)c->code[chain];
    c->code[chain] = target;
    chain = next;
  }
}

/* Removes the words [start, end) of the last instruction emitted (a
 * comparison or add being fused into its consumer) and drops it from the
 * opcode list. */
void vm_cut_last(cc *c, size_t start, size_t end) {
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
