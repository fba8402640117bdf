/* verify.c: the checker of compiled code (vm_verify_code), run on every
 * body in debug builds before its opcode words become handler addresses.
 *
 * It knows nothing of wasm: it reads the layouts of vm_opcodes.h (each
 * opcode's shape, its operand words and which of them are slots) and
 * checks what the interpreter takes for granted, since a wrong length or
 * target there is not a trap but a jump into operand words. The first
 * pass walks the code by instruction length and marks where instructions
 * start (and which follow a FUEL); the second checks every branch target
 * against those marks; the third marks what is reachable from the entry;
 * the last checks the slot operands and moved ranges of reachable code
 * against the frame. Unreachable code is emitted but never runs, and its
 * operands may name slots of a stack that never existed (a branch after
 * `unreachable` moving values nobody pushed), so only its layout and its
 * targets are checked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm_module.h"
#include "vm_opcodes.h"

/* Marks per code word: an instruction start, right after a FUEL, and
 * reachable (a bit on top). */
enum { NOT_START = 0, START = 1, AFTER_FUEL = 2, REACHED = 4 };

typedef struct checker {
  const vm_word *code;
  size_t n;
  uint64_t frame;
  uint8_t *mark;
  char *why;
  size_t why_size;
} checker;

static const uint8_t shape_of[VM_OP_COUNT] = {
#define VM_OP_X(name, shape) [VM_OP_##name] = VM_SHAPE_##shape,
    VM_BASE_OPS
#undef VM_OP_X
};

static const uint8_t slots_of[VM_SHAPE_COUNT] = {
#define VM_SHAPE_SLOTS(name, words, slots) slots,
    VM_SHAPES(VM_SHAPE_SLOTS)
#undef VM_SHAPE_SLOTS
};

/* The two ops of each pair, by opcode - VM_OP_PAIR_FIRST. */
static const vm_op pair_halves[VM_PAIR_COUNT][2] = {
#define VM_PAIR_HALVES(name, a, b) {VM_OP_##a, VM_OP_##b},
    VM_PAIR_OPS(VM_PAIR_HALVES)
#undef VM_PAIR_HALVES
};

__attribute__((format(printf, 2, 3))) static bool fail(const checker *k,
                                                      const char *fmt, ...) {
  if (!k->why || !k->why_size) return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(k->why, k->why_size, fmt, ap);
  va_end(ap);
  return false;
}

/* The words of the instruction at `at`, or 0 (and *why) if it does not
 * fit in the code. BR_TABLE's entry count is checked before it is
 * multiplied, so a corrupt count cannot wrap around. */
static size_t instr_words(const checker *k, size_t at) {
  vm_word op = k->code[at];
  size_t left = k->n - at;
  if (op >= VM_OP_COUNT) {
    fail(k, "word %zu: opcode %llu is not an opcode (%d opcodes)", at,
         (unsigned long long)op, (int)VM_OP_COUNT);
    return 0;
  }
  bool fits = (size_t)1 + vm_op_len[op] <= left;
  if (fits && op == VM_OP_BR_TABLE)
    fits = k->code[at + 1 + VM_BR_TABLE_N] < left / VM_BR_TABLE_ENTRY_LEN;
  if (fits && vm_instr_len(k->code + at) <= left)
    return vm_instr_len(k->code + at);
  fail(k, "word %zu: opcode %llu overruns the end of the code (%zu words)",
       at, (unsigned long long)op, k->n);
  return 0;
}

/* A pair's second opcode word must still hold its second op. */
static bool pair_ok(const checker *k, size_t at) {
  const vm_op *h = pair_halves[k->code[at] - VM_OP_PAIR_FIRST];
  size_t second = at + 1 + vm_op_len[h[0]];
  if (k->code[second] == (vm_word)h[1]) return true;
  return fail(k, "word %zu: the pair's second opcode word is %llu, not %d",
              second, (unsigned long long)k->code[second], (int)h[1]);
}

/* First pass: instruction starts, the walk ending exactly on the end. */
static bool walk(checker *k) {
  size_t at = 0;
  bool after_fuel = false;
  while (at < k->n) {
    size_t len = instr_words(k, at);
    if (!len) return false;
    if (k->code[at] >= VM_OP_PAIR_FIRST && !pair_ok(k, at)) return false;
    k->mark[at] = after_fuel ? AFTER_FUEL : START;
    after_fuel = k->code[at] == VM_OP_FUEL;
    at += len;
  }
  return true;
}

/* Calls pay the entry block's FUEL and skip it; the body ends with its
 * RETURN. */
static bool ends_ok(const checker *k) {
  if (k->code[0] != VM_OP_FUEL)
    return fail(k, "word 0: the code does not start with FUEL");
  size_t last = 0;
  for (size_t at = 0; at < k->n; at++)
    if (k->mark[at] != NOT_START) last = at;
  if (k->code[last] != VM_OP_RETURN)
    return fail(k, "word %zu: the code does not end with RETURN", last);
  return true;
}

/* The instruction at `at` as its ops, each at its opcode word: itself, or
 * a pair's two. Returns how many. */
static int halves(const checker *k, size_t at, size_t pos[2], vm_op op[2]) {
  vm_op o = (vm_op)k->code[at];
  pos[0] = at;
  op[0] = o;
  if (o < VM_OP_PAIR_FIRST) return 1;
  const vm_op *h = pair_halves[o - VM_OP_PAIR_FIRST];
  op[0] = h[0];
  op[1] = h[1];
  pos[1] = at + 1 + vm_op_len[h[0]];
  return 2;
}

/* The word of the i-th target pair of op at `at`, or 0 past the last. */
static size_t target_word(const checker *k, size_t at, vm_op op, vm_word i) {
  size_t w = at + 1;
  switch ((vm_shape)shape_of[op]) {
    case VM_SHAPE_JUMP: return i ? 0 : w + VM_JUMP_TARGET;
    case VM_SHAPE_BR: return i ? 0 : w + VM_BR_TARGET;
    case VM_SHAPE_BR_IF: return i ? 0 : w + VM_BR_IF_TARGET;
    case VM_SHAPE_BR_UNLESS: return i ? 0 : w + VM_BR_UNLESS_TARGET;
    case VM_SHAPE_BR_CMP:
    case VM_SHAPE_BR_CMP_I: return i ? 0 : w + VM_BR_CMP_TARGET;
    case VM_SHAPE_BR_TABLE:
      if (i > k->code[w + VM_BR_TABLE_N]) return 0;
      return w + VM_BR_TABLE_ENTRIES + VM_BR_TABLE_ENTRY_LEN * (size_t)i;
    default: return 0;
  }
}

/* A target: an instruction right after a FUEL (whose charge the branch
 * took over), or the final RETURN (the end of the body opens no block). */
static bool target_ok(const checker *k, size_t at, size_t t) {
  vm_word to = k->code[t + VM_TARGET_PC];
  if (to >= k->n || k->mark[to] == NOT_START)
    return fail(k, "word %zu: branch target %llu is not an instruction start",
                at, (unsigned long long)to);
  bool final_return = k->code[to] == VM_OP_RETURN &&
                      to + 1 + VM_LEN_RETURN == k->n;
  if (k->mark[to] == AFTER_FUEL || final_return) return true;
  return fail(k,
              "word %zu: branch target %llu follows no FUEL and is not the "
              "final RETURN",
              at, (unsigned long long)to);
}

/* Second pass: every branch target, in reachable code or not. */
static bool check_targets(const checker *k) {
  for (size_t at = 0; at < k->n; at++) {
    if (k->mark[at] == NOT_START) continue;
    size_t pos[2];
    vm_op op[2];
    for (int h = halves(k, at, pos, op), j = 0; j < h; j++)
      for (size_t t, i = 0; (t = target_word(k, pos[j], op[j], i)); i++)
        if (!target_ok(k, pos[j], t)) return false;
  }
  return true;
}

static bool falls_through(vm_op op) {
  return op != VM_OP_UNREACHABLE && op != VM_OP_JUMP && op != VM_OP_BR &&
         op != VM_OP_BR_TABLE && op != VM_OP_RETURN;
}

/* Puts a not yet reached instruction on the worklist (once each, so the
 * list never holds more than the code's instructions). */
static void push(checker *k, size_t *todo, size_t *ntodo, size_t at) {
  if (k->mark[at] & REACHED) return;
  k->mark[at] |= REACHED;
  todo[(*ntodo)++] = at;
}

/* Third pass: marks the instructions reachable from the entry by falling
 * through or branching (targets are known to be instruction starts). */
static bool reach(checker *k) {
  size_t *todo = malloc(k->n * sizeof *todo), ntodo = 0;
  if (!todo) return fail(k, "out of memory");
  push(k, todo, &ntodo, 0);
  while (ntodo) {
    size_t at = todo[--ntodo], pos[2];
    vm_op op[2];
    int h = halves(k, at, pos, op);
    size_t next = at + vm_instr_len(k->code + at);
    if (falls_through(op[h - 1]) && next < k->n) push(k, todo, &ntodo, next);
    for (int j = 0; j < h; j++)
      for (size_t t, i = 0; (t = target_word(k, pos[j], op[j], i)); i++)
        push(k, todo, &ntodo, k->code[t + VM_TARGET_PC]);
  }
  free(todo);
  return true;
}

/* Slot operands (the shape's slot words) inside the frame. */
static bool slots_ok(const checker *k, size_t at, vm_op op) {
  unsigned mask = slots_of[shape_of[op]];
  for (unsigned i = 0; mask >> i; i++) {
    vm_word slot = k->code[at + 1 + i];
    if ((mask >> i & 1) && slot >= k->frame)
      return fail(k,
                  "word %zu: operand %u of opcode %d is slot %llu, outside "
                  "the frame (%llu slots)",
                  at, i, (int)op, (unsigned long long)slot,
                  (unsigned long long)k->frame);
  }
  return true;
}

/* `keep` slots moved from src to dst, both ranges inside the frame. */
static bool range_ok(const checker *k, size_t at, vm_word src, vm_word dst,
                     vm_word keep) {
  if (keep <= k->frame && src <= k->frame - keep && dst <= k->frame - keep)
    return true;
  return fail(k,
              "word %zu: moves %llu slots from %llu to %llu, outside the "
              "frame (%llu slots)",
              at, (unsigned long long)keep, (unsigned long long)src,
              (unsigned long long)dst, (unsigned long long)k->frame);
}

static bool br_table_moves_ok(const checker *k, size_t at) {
  const vm_word *p = k->code + at + 1;
  for (size_t t, i = 0; (t = target_word(k, at, VM_OP_BR_TABLE, i)); i++)
    if (!range_ok(k, at, p[VM_BR_TABLE_SRC],
                  k->code[t + VM_BR_TABLE_ENTRY_DST], p[VM_BR_TABLE_KEEP]))
      return false;
  return true;
}

/* The ranges a branch or return moves. */
static bool moves_ok(const checker *k, size_t at, vm_op op) {
  const vm_word *p = k->code + at + 1;
  switch ((vm_shape)shape_of[op]) {
    case VM_SHAPE_BR:
      return range_ok(k, at, p[VM_BR_SRC], p[VM_BR_DST], p[VM_BR_KEEP]);
    case VM_SHAPE_BR_IF:
      return range_ok(k, at, p[VM_BR_IF_SRC], p[VM_BR_IF_DST],
                      p[VM_BR_IF_KEEP]);
    case VM_SHAPE_BR_CMP:
    case VM_SHAPE_BR_CMP_I:
      return range_ok(k, at, p[VM_BR_CMP_SRC], p[VM_BR_CMP_DST],
                      p[VM_BR_CMP_KEEP]);
    case VM_SHAPE_BR_TABLE: return br_table_moves_ok(k, at);
    case VM_SHAPE_RETURN:
      return range_ok(k, at, p[VM_RETURN_SRC], 0, p[VM_RETURN_KEEP]);
    default: return true;
  }
}

/* Last pass: the operands of reachable code against the frame. */
static bool check_operands(const checker *k) {
  for (size_t at = 0; at < k->n; at++) {
    if (!(k->mark[at] & REACHED)) continue;
    size_t pos[2];
    vm_op op[2];
    for (int h = halves(k, at, pos, op), j = 0; j < h; j++)
      if (!slots_ok(k, pos[j], op[j]) || !moves_ok(k, pos[j], op[j]))
        return false;
  }
  return true;
}

bool vm_verify_code(const vm_word *code, size_t n, uint64_t frame_slots,
                    char *why, size_t why_size) {
  checker k = {code, n, frame_slots, NULL, why, why_size};
  if (n == 0) return fail(&k, "the code is empty");
  k.mark = calloc(n, 1);
  if (!k.mark) return fail(&k, "out of memory");
  bool ok = walk(&k) && ends_ok(&k) && check_targets(&k) && reach(&k) &&
            check_operands(&k);
  free(k.mark);
  return ok;
}

bool vm_code_verified(const vm_code *code) {
  char why[200];
  if (vm_verify_code(code->code, code->code_len,
                     (uint64_t)code->local_count + code->max_stack, why,
                     sizeof why))
    return true;
  fprintf(stderr, "compiled code is broken: %s\n", why);
  return false;
}
