/* test_verify.c: the compiled-code verifier (src/wasm/verify.c). Real
 * modules' code passes it; code with one word corrupted (an opcode out of
 * range, a branch target off an instruction start or not after a FUEL, a
 * walk that overruns the end, a slot outside the frame, a broken pair)
 * fails it with the reason. The code is read back from compiled modules,
 * its handler addresses turned back into opcode numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness.h"
#include "unit_helpers.h"
#include "vm_module.h"
#include "vm_opcodes.h"

static const vm_op pair_first[VM_PAIR_COUNT] = {
#define PAIR_FIRST(name, a, b) VM_OP_##a,
    VM_PAIR_OPS(PAIR_FIRST)
#undef PAIR_FIRST
};

/* The opcode whose handler address is w (or w itself, in a switch build). */
static vm_word opcode_of(vm_word w) {
  const void *const *handlers = vm_dispatch_table();
  if (!handlers) return w;
  for (int op = 0; op < VM_OP_COUNT; op++)
    if ((vm_word)(uintptr_t)handlers[op] == w) return (vm_word)op;
  return VM_OP_COUNT;
}

/* A copy of a body's code as the compiler had it before direct threading. */
static vm_word *opcodes_of(const vm_code *c) {
  vm_word *w = malloc(c->code_len * sizeof *w);
  if (!w) return NULL;
  memcpy(w, c->code, c->code_len * sizeof *w);
  for (size_t at = 0; at < c->code_len; at += vm_instr_len(w + at)) {
    w[at] = opcode_of(w[at]);
    if (w[at] >= VM_OP_COUNT) break;
    if (w[at] >= (vm_word)VM_OP_PAIR_FIRST) {
      size_t second = at + 1 + vm_op_len[pair_first[w[at] - VM_OP_PAIR_FIRST]];
      w[second] = opcode_of(w[second]);
    }
  }
  return w;
}

static uint64_t frame_of(const vm_code *c) {
  return (uint64_t)c->local_count + c->max_stack;
}

static wg_module *verify_module;

static const vm_code *body(uint32_t i) {
  if (!verify_module) verify_module = load("verify.wasm");
  REQUIRE(verify_module);
  const vm_module *m = &verify_module->m;
  REQUIRE(i < m->func_count - m->import_func_count);
  return &m->codes[i];
}

static bool verify(const vm_word *w, size_t n, uint64_t frame, char *why) {
  why[0] = '\0';
  return vm_verify_code(w, n, frame, why, 200);
}

/* The first instruction whose opcode is op, or the code's length. */
static size_t find(const vm_word *w, size_t n, vm_op op) {
  for (size_t at = 0; at < n; at += vm_instr_len(w + at))
    if (w[at] == (vm_word)op) return at;
  return n;
}

static void test_real_code_passes(void) {
  const char *mods[] = {"verify.wasm", "limits.wasm", "bounds.wasm",
                        "host.wasm"};
  int bodies = 0;
  for (size_t k = 0; k < sizeof mods / sizeof *mods; k++) {
    wg_module *mod = load(mods[k]);
    REQUIRE(mod);
    const vm_module *m = &mod->m;
    for (uint32_t i = 0; i < m->func_count - m->import_func_count; i++) {
      vm_word *w = opcodes_of(&m->codes[i]);
      REQUIRE(w);
      char why[200];
      if (!verify(w, m->codes[i].code_len, frame_of(&m->codes[i]), why))
        WG_TEST_FAIL_("%s body %u: %s", mods[k], i, why);
      bodies++;
      free(w);
    }
    wg_module_release(mod);
  }
  CHECK(bodies > 20);
}

/* Sets word `off` of the first `op` in body i to v, cuts `cut` words off
 * the end, and checks that the code passed before and that the
 * verifier's reason now contains `reason`. */
static void check_broken(uint32_t i, vm_op op, size_t off, vm_word v,
                         size_t cut, const char *reason) {
  const vm_code *c = body(i);
  vm_word *w = opcodes_of(c);
  REQUIRE(w);
  char why[200];
  CHECK(verify(w, c->code_len, frame_of(c), why));
  size_t at = find(w, c->code_len, op);
  REQUIRE(at < c->code_len);
  w[at + off] = v;
  CHECK(!verify(w, c->code_len - cut, frame_of(c), why));
  if (!strstr(why, reason))
    WG_TEST_FAIL_("reason \"%s\", expected \"%s\"", why, reason);
  free(w);
}

static void test_bad_opcode(void) {
  check_broken(0, VM_OP_FUEL, 0, VM_OP_COUNT, 0, "is not an opcode");
  check_broken(0, VM_OP_FUEL, 0, UINT64_MAX, 0, "is not an opcode");
}

/* `br $top` is a JUMP back to the loop's first instruction, right after
 * the loop's FUEL. */
static void test_target_off_instruction_start(void) {
  const vm_code *c = body(0);
  vm_word *w = opcodes_of(c);
  REQUIRE(w);
  size_t j = find(w, c->code_len, VM_OP_JUMP);
  REQUIRE(j < c->code_len);
  vm_word to = w[j + 1 + VM_JUMP_TARGET];
  free(w);
  /* the word before the target is the loop FUEL's charge */
  check_broken(0, VM_OP_JUMP, 1 + VM_JUMP_TARGET, to - 1, 0,
               "is not an instruction start");
  check_broken(0, VM_OP_JUMP, 1 + VM_JUMP_TARGET, c->code_len, 0,
               "is not an instruction start");
  /* word 0 is the entry FUEL itself: a start, but not after a FUEL */
  check_broken(0, VM_OP_JUMP, 1 + VM_JUMP_TARGET, 0, 0, "follows no FUEL");
}

static void test_br_table_entries(void) {
  check_broken(1, VM_OP_BR_TABLE, 1 + VM_BR_TABLE_ENTRIES + VM_TARGET_PC, 0, 0,
               "follows no FUEL");
  check_broken(1, VM_OP_BR_TABLE, 1 + VM_BR_TABLE_N, (vm_word)1 << 62, 0,
               "overruns the end");
}

static void test_walk_overruns(void) {
  /* the final RETURN cut short */
  check_broken(0, VM_OP_FUEL, 0, VM_OP_FUEL, 1, "overruns the end");
  /* a FUEL turned into a longer instruction shifts the walk */
  check_broken(0, VM_OP_RETURN, 0, VM_OP_BR_IF, 0, "overruns the end");
}

static void test_slot_outside_frame(void) {
  const vm_code *c = body(0);
  check_broken(0, VM_OP_GLOBAL_SET, 1 + VM_GLOBAL_SLOT, frame_of(c), 0,
               "outside the frame");
  check_broken(0, VM_OP_RETURN, 1 + VM_RETURN_KEEP, frame_of(c) + 1, 0,
               "outside the frame");
}

static void test_pair_second_word(void) {
  const vm_code *c = body(0);
  vm_word *w = opcodes_of(c);
  REQUIRE(w);
  size_t at = 0;
  while (at < c->code_len && w[at] < (vm_word)VM_OP_PAIR_FIRST)
    at += vm_instr_len(w + at);
  REQUIRE(at < c->code_len);
  vm_op pair = (vm_op)w[at];
  free(w);
  check_broken(0, pair, 1 + vm_op_len[pair_first[pair - VM_OP_PAIR_FIRST]],
               VM_OP_UNREACHABLE, 0, "the pair's second opcode word");
}

/* The return after `unreachable` moves three values from a frame of one
 * slot: it never runs, so the code passes (reachable code's slots are
 * checked: test_slot_outside_frame). */
static void test_unreachable_moves(void) {
  const vm_code *c = body(4);
  vm_word *w = opcodes_of(c);
  REQUIRE(w);
  char why[200];
  size_t at = find(w, c->code_len, VM_OP_RETURN);
  REQUIRE(at < c->code_len);
  CHECK(w[at + 1 + VM_RETURN_SRC] + w[at + 1 + VM_RETURN_KEEP] > frame_of(c));
  CHECK(verify(w, c->code_len, frame_of(c), why));
  free(w);
}

WG_TEST_LIST {
  WG_TEST(test_real_code_passes),
  WG_TEST(test_bad_opcode),
  WG_TEST(test_target_off_instruction_start),
  WG_TEST(test_br_table_entries),
  WG_TEST(test_walk_overruns),
  WG_TEST(test_slot_outside_frame),
  WG_TEST(test_pair_second_word),
  WG_TEST(test_unreachable_moves),
};

WG_TEST_MAIN()
