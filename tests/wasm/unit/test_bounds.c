/* test_bounds.c: every cost a module controls stays under a named limit
 * and the call's deadline (issue 10): the store-wide table budget and
 * max_store_bytes, per-module caps, the compile memory budget, deadline and
 * cancellation during compilation, linear br_table/br_if validation and the
 * validation work budget, fuel charged after bounds checks and for branch
 * moves, host re-entry depth (reproducer F3), the deadline inside host
 * functions and inside large bulk operations. The CLI-level hostile suite
 * is tests/wasm/bounds. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../harness.h"
#include "unit_helpers.h"
#include "wasmgate/util.h"
#include "wasmgate/wasm.h"

/* ---- Helpers ------------------------------------------------------------ */

/* Calls an export of i32 params and at most one i32 result. */
static wg_wasm_code calln(wg_store *s, wg_instance *inst, const char *name,
                            const uint32_t *args, size_t n, uint32_t *result,
                            wg_wasm_error *err) {
  wg_func *f = export_func(inst, name);
  if (!f) return WG_WASM_ARGS;
  wg_val a[4], r;
  for (size_t i = 0; i < n; i++) a[i] = i32v(args[i]);
  size_t nr = wg_func_type(f)->result_count;
  wg_wasm_code res = wg_func_call(s, f, a, n, &r, nr, err);
  if (result && nr) *result = r.of.i32;
  return res;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- A growable module builder --------------------------------------------- */

typedef struct buf {
  uint8_t *b;
  size_t n, cap;
} buf;

static void put(buf *w, const void *p, size_t n) {
  if (n == 0) return;
  if (w->n + n > w->cap) {
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->n + n) cap *= 2;
    uint8_t *q = realloc(w->b, cap);
    REQUIRE(q);
    w->b = q;
    w->cap = cap;
  }
  memcpy(w->b + w->n, p, n);
  w->n += n;
}
static void put1(buf *w, uint8_t x) { put(w, &x, 1); }
static void putn(buf *w, uint8_t x, size_t n) {
  for (size_t i = 0; i < n; i++) put1(w, x);
}
static void leb(buf *w, uint64_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    put1(w, byte | (v ? 0x80 : 0));
  } while (v);
}
static void section(buf *w, uint8_t id, buf *body) {
  put1(w, id);
  leb(w, body->n);
  put(w, body->b, body->n);
  body->n = 0;
}
static void header(buf *w) {
  static const uint8_t h[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  w->n = 0;
  put(w, h, 8);
}
/* A type of `np` i32 params and `nr` i32 results. */
static void functype(buf *s, uint32_t np, uint32_t nr) {
  put1(s, 0x60);
  leb(s, np);
  putn(s, 0x7f, np);
  leb(s, nr);
  putn(s, 0x7f, nr);
}

/* Module: types [() -> (), extra (if extra_np >= 0)], one function of
 * type `ftype` exported as "f" whose body (after `no locals`) is `code`,
 * `tables` funcref tables of 1 element and optionally a memory of 1 page. */
static void build_typed(buf *w, const buf *code, int extra_np, int extra_nr,
                        uint32_t tables, bool memory, uint8_t ftype) {
  buf s = {0};
  header(w);
  leb(&s, extra_np >= 0 ? 2 : 1);
  functype(&s, 0, 0);
  if (extra_np >= 0) functype(&s, (uint32_t)extra_np, (uint32_t)extra_nr);
  section(w, 1, &s);
  put1(&s, 1);
  put1(&s, ftype);
  section(w, 3, &s);
  if (tables) {
    leb(&s, tables);
    for (uint32_t i = 0; i < tables; i++) {
      put1(&s, 0x70);
      put1(&s, 0);
      put1(&s, 1);
    }
    section(w, 4, &s);
  }
  if (memory) {
    put1(&s, 1);
    put1(&s, 0);
    put1(&s, 1);
    section(w, 5, &s);
  }
  put1(&s, 1);
  put1(&s, 1);
  put1(&s, 'f');
  put1(&s, 0);
  put1(&s, 0);
  section(w, 7, &s);
  buf entry = {0};
  put1(&entry, 0); /* no locals */
  put(&entry, code->b, code->n);
  put1(&entry, 0x0b);
  put1(&s, 1);
  leb(&s, entry.n);
  put(&s, entry.b, entry.n);
  section(w, 10, &s);
  free(entry.b);
  free(s.b);
}

static void build(buf *w, const buf *code, int extra_np, int extra_nr,
                  uint32_t tables, bool memory) {
  build_typed(w, code, extra_np, extra_nr, tables, memory, 0);
}

static wg_wasm_code compile(const buf *w, const wg_module_limits *lim,
                              wg_module **m, wg_wasm_error *err) {
  return wg_module_new_limited(w->b, w->n, lim, m, err);
}

/* ---- Tables: one budget for the whole store ------------------------------ */

static void test_table_budget_is_store_wide(void) {
  wg_module *m = load("bounds.wasm"); /* two tables of 1 element */
  REQUIRE(m);
  wg_limits lim = {.max_table_elements = 10};
  wg_store *s = wg_store_new(&lim);
  wg_instance *a, *b, *c;
  wg_wasm_error err;
  uint32_t r, n;
  REQUIRE(wg_instance_new(s, m, NULL, 0, &a, &err) == WG_WASM_OK);
  CHECK_U64(wg_store_table_elements(s), 2);
  n = 6;
  CHECK_INT(calln(s, a, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT(r, 1);
  CHECK_U64(wg_store_table_elements(s), 8);
  wg_extern t;
  REQUIRE(wg_instance_export(a, "table", 5, &t) && t.kind == WG_EXTERN_TABLE);
  CHECK_INT(wg_table_size(t.of.table), 7);
  /* a second instance needs 2 more: exactly the 10 allowed */
  REQUIRE(wg_instance_new(s, m, NULL, 0, &b, &err) == WG_WASM_OK);
  CHECK_U64(wg_store_table_elements(s), 10);
  /* now nothing grows, in either instance, and a third one cannot start */
  n = 1;
  CHECK_INT(calln(s, b, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT((int32_t)r, -1);
  CHECK_INT(calln(s, a, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT((int32_t)r, -1);
  CHECK_INT(wg_instance_new(s, m, NULL, 0, &c, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, "tables larger than the store allows (table elements or "
                         "memory budget)");
  /* host-made tables count too */
  CHECK(wg_table_new(s, WG_FUNCREF, 1, false, 0) == NULL);
  n = 0;
  CHECK_INT(calln(s, a, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT(r, 7);
  wg_store_free(s);
  /* a grow that fails leaves the count as it was */
  s = wg_store_new(&lim);
  wg_table *four = wg_table_new(s, WG_FUNCREF, 4, false, 0);
  REQUIRE(four != NULL);
  CHECK_INT(wg_table_size(four), 4);
  CHECK_U64(wg_store_table_elements(s), 4);
  CHECK(wg_table_new(s, WG_FUNCREF, 7, false, 0) == NULL);
  CHECK_U64(wg_store_table_elements(s), 4);
  wg_store_free(s);
  wg_module_release(m);
}

static void test_store_bytes_count_memory_and_tables(void) {
  wg_module *m = load("bounds.wasm"); /* 2 pages, 2 table elements */
  REQUIRE(m);
  wg_limits lim = {.max_store_bytes = 3 * 65536};
  wg_store *s = wg_store_new(&lim);
  wg_instance *inst;
  wg_wasm_error err;
  uint32_t r, n;
  REQUIRE(wg_instance_new(s, m, NULL, 0, &inst, &err) == WG_WASM_OK);
  CHECK_U64(wg_store_memory_bytes(s), 2 * 65536 + 2 * WG_TABLE_ELEMENT_BYTES);
  /* a third page would pass the budget by the tables' 16 bytes */
  n = 1;
  CHECK_INT(calln(s, inst, "memory_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT((int32_t)r, -1);
  /* table elements fill the rest of the budget: 65536 - 16 bytes */
  n = (65536 - 16) / WG_TABLE_ELEMENT_BYTES;
  CHECK_INT(calln(s, inst, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT(r, 1);
  CHECK_U64(wg_store_memory_bytes(s), 3 * 65536);
  n = 1;
  CHECK_INT(calln(s, inst, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT((int32_t)r, -1);
  wg_store_free(s);
  /* an initial size over the budget fails instantiation */
  wg_limits two = {.max_store_bytes = 2 * 65536};
  s = wg_store_new(&two);
  CHECK_INT(wg_instance_new(s, m, NULL, 0, &inst, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, "memory larger than the store allows (pages or memory "
                         "budget)");
  wg_store_free(s);
  wg_module_release(m);
}

/* ---- Fuel: after the bounds check, for what is done --------------------- */

static void test_failed_grow_costs_nothing(void) {
  wg_module *m = load("bounds.wasm");
  REQUIRE(m);
  wg_limits lim = {.fuel = 1000, .max_table_elements = 100};
  wg_store *s = wg_store_new(&lim);
  wg_instance *inst;
  wg_wasm_error err;
  uint32_t r, n = 0;
  REQUIRE(wg_instance_new(s, m, NULL, 0, &inst, &err) == WG_WASM_OK);
  CHECK_INT(calln(s, inst, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  uint64_t base = wg_store_fuel_used(s);
  /* issue 10's F4: grow by 2^32-1 returns -1 (it used to run out of fuel) */
  n = 0xffffffffu;
  CHECK_INT(calln(s, inst, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT((int32_t)r, -1);
  CHECK_U64(wg_store_fuel_used(s), 2 * base);
  n = 1000; /* past the store's budget: also free */
  CHECK_INT(calln(s, inst, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT((int32_t)r, -1);
  CHECK_U64(wg_store_fuel_used(s), 3 * base);
  n = 50; /* a grow that succeeds pays one unit per element */
  CHECK_INT(calln(s, inst, "table_grow", &n, 1, &r, &err), WG_WASM_OK);
  CHECK_INT(r, 1);
  CHECK_U64(wg_store_fuel_used(s), 4 * base + 50);
  wg_store_free(s);
  wg_module_release(m);
}

/* Out-of-bounds bulk operations trap out of bounds, whatever their length,
 * and pay only for the instructions before them. */
static void test_out_of_bounds_before_fuel(void) {
  wg_module *m = load("bounds.wasm");
  REQUIRE(m);
  static const struct {
    const char *name;
    uint32_t args[3];
    size_t n;
    wg_trap trap;
  } cases[] = {
      {"table_fill", {0, 0xffffffffu}, 2, WG_TRAP_TABLE_OUT_OF_BOUNDS},
      {"table_copy", {0, 0, 0xffffffffu}, 3, WG_TRAP_TABLE_OUT_OF_BOUNDS},
      {"table_init", {0, 0, 0xffffffffu}, 3, WG_TRAP_TABLE_OUT_OF_BOUNDS},
      {"memory_fill", {0, 0xffffffffu}, 2, WG_TRAP_MEMORY_OUT_OF_BOUNDS},
      {"memory_copy", {0, 0, 0xffffffffu}, 3, WG_TRAP_MEMORY_OUT_OF_BOUNDS},
      {"memory_init", {0, 0, 0xffffffffu}, 3, WG_TRAP_MEMORY_OUT_OF_BOUNDS},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    wg_limits lim = {.fuel = 100000000};
    wg_store *s = wg_store_new(&lim);
    wg_instance *inst;
    wg_wasm_error err;
    REQUIRE(wg_instance_new(s, m, NULL, 0, &inst, &err) == WG_WASM_OK);
    CHECK_INT(calln(s, inst, cases[k].name, cases[k].args, cases[k].n, NULL, &err),
              WG_WASM_TRAP);
    CHECK_INT(err.trap, cases[k].trap);
    CHECK(wg_store_fuel_used(s) < 10);
    wg_store_free(s);
  }
  wg_module_release(m);
}

static void test_return_moves_are_charged(void) {
  wg_module *m = load("bounds.wasm");
  REQUIRE(m);
  wg_limits lim = {.fuel = 1000};
  wg_store *s = wg_store_new(&lim);
  wg_instance *inst;
  wg_wasm_error err;
  REQUIRE(wg_instance_new(s, m, NULL, 0, &inst, &err) == WG_WASM_OK);
  wg_val arg = i32v(0), res[16];
  CHECK_INT(wg_func_call(s, export_func(inst, "sixteen"), &arg, 1, res, 16, &err),
            WG_WASM_OK);
  CHECK_INT(res[15].of.i32, 16);
  CHECK_U64(wg_store_fuel_used(s), 17 + 16 / 8);
  wg_store_free(s);
  wg_module_release(m);
}

/* Issue 10's F5: a loop with 1,000 i32 params whose body is `i32.const 0;
 * br 0` moves 1,000 slots per iteration; it pays 1,000 / 8 for them. The
 * iterations are counted in a mutable global. */
static void test_branch_moves_are_charged(void) {
  buf code = {0}, w = {0}, s = {0};
  for (int i = 0; i < 1000; i++) {
    put1(&code, 0x41);
    put1(&code, 0);
  }
  put1(&code, 0x03); put1(&code, 0x01);                    /* loop (type 1) */
  put1(&code, 0x23); put1(&code, 0);                        /* global.get 0 */
  put1(&code, 0x41); put1(&code, 1); put1(&code, 0x6a);     /* i32.const 1 add */
  put1(&code, 0x24); put1(&code, 0);                        /* global.set 0 */
  put1(&code, 0x41); put1(&code, 0);                        /* i32.const 0 */
  put1(&code, 0x0c); put1(&code, 0);                        /* br 0 */
  put1(&code, 0x0b);
  /* types, one function, a mutable i32 global exported as "n", code */
  wg_module *m = NULL;
  wg_wasm_error err;
  buf g = {0};
  header(&g);
  leb(&s, 2); functype(&s, 0, 0); functype(&s, 1000, 0);
  section(&g, 1, &s);
  put1(&s, 1); put1(&s, 0);
  section(&g, 3, &s);
  put1(&s, 1); put1(&s, 0x7f); put1(&s, 1); put1(&s, 0x41); put1(&s, 0); put1(&s, 0x0b);
  section(&g, 6, &s);
  put1(&s, 2);
  put1(&s, 1); put1(&s, 'f'); put1(&s, 0); put1(&s, 0);
  put1(&s, 1); put1(&s, 'n'); put1(&s, 3); put1(&s, 0);
  section(&g, 7, &s);
  buf entry = {0};
  put1(&entry, 0);
  put(&entry, code.b, code.n);
  put1(&entry, 0x0b);
  put1(&s, 1);
  leb(&s, entry.n);
  put(&s, entry.b, entry.n);
  section(&g, 10, &s);
  REQUIRE(compile(&g, NULL, &m, &err) == WG_WASM_OK);
  wg_limits lim = {.fuel = 1000000};
  wg_store *st = wg_store_new(&lim);
  wg_instance *inst;
  REQUIRE(wg_instance_new(st, m, NULL, 0, &inst, &err) == WG_WASM_OK);
  CHECK_INT(calln(st, inst, "f", NULL, 0, NULL, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_FUEL_EXHAUSTED);
  wg_extern n;
  REQUIRE(wg_instance_export(inst, "n", 1, &n));
  uint32_t iterations = wg_global_get(n.of.global).of.i32;
  /* after the 1,001 instructions before the loop, 8 instructions (the
   * loop's 6 and the two `end`s of its block) + 1,000 / 8 for the move per
   * iteration: (1e6 - 1001) / 133 = 7511 (it was 166,000 before) */
  CHECK(iterations >= 7506 && iterations <= 7516);
  printf("  1,000-value branch loop: %u iterations in 1e6 fuel\n", iterations);
  wg_store_free(st);
  wg_module_release(m);
  free(code.b);
  free(w.b);
  free(g.b);
  free(s.b);
  free(entry.b);
}

/* ---- Validation: linear, capped -------------------------------------------- */

/* block (type 1: [] -> [i32 x arity]) unreachable (i32.const 0; br_table
 * `targets` x label 0) x count end, drop x arity */
static void br_tables(buf *w, uint32_t targets, uint32_t count, uint32_t arity) {
  buf code = {0};
  put1(&code, 0x02); put1(&code, 0x01); put1(&code, 0x00);
  for (uint32_t k = 0; k < count; k++) {
    put1(&code, 0x41); put1(&code, 0);
    put1(&code, 0x0e);
    leb(&code, targets);
    putn(&code, 0, targets + 1);
  }
  put1(&code, 0x0b);
  putn(&code, 0x1a, arity);
  build(w, &code, 0, (int)arity, 0, false);
  free(code.b);
}

static void test_br_table_cap_and_linear(void) {
  buf w = {0};
  wg_module *m = NULL;
  wg_wasm_error err;
  br_tables(&w, 65521, 1, 1);
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, "br_table with 65521 targets (limit 65520)");
  br_tables(&w, 65520, 1, 1);
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_OK);
  wg_module_release(m);
  /* 6 tables x 65,520 targets x 1,000 result types: the label's types are
   * compared once per br_table (400 million comparisons before) */
  br_tables(&w, 65520, 6, 1000);
  uint64_t t0 = wg_now_ns();
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_OK);
  uint64_t ns = wg_now_ns() - t0;
  printf("  6 br_tables of 65,520 targets, arity 1,000: %.1f ms\n", ns / 1e6);
  CHECK(ns < 3000000000ull); /* generous: about 15 ms */
  wg_module_release(m);
  free(w.b);
}

/* block (result i32 x 1000) with 1,000 values, then `count` br_if 0. */
static void test_br_if_checks_once(void) {
  buf code = {0}, w = {0};
  put1(&code, 0x02); put1(&code, 0x01);
  for (int i = 0; i < 1000; i++) {
    put1(&code, 0x41); put1(&code, 0);
  }
  for (int i = 0; i < 50000; i++) {
    put1(&code, 0x41); put1(&code, 0); put1(&code, 0x0d); put1(&code, 0);
  }
  put1(&code, 0x0b);
  putn(&code, 0x1a, 1000);
  build(&w, &code, 0, 1000, 0, false);
  wg_module *m = NULL;
  wg_wasm_error err;
  uint64_t t0 = wg_now_ns();
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_OK);
  printf("  50,000 br_if to a 1,000-value label: %.1f ms\n", (wg_now_ns() - t0) / 1e6);
  wg_store *s = wg_store_new(NULL);
  wg_instance *inst;
  REQUIRE(wg_instance_new(s, m, NULL, 0, &inst, &err) == WG_WASM_OK);
  CHECK_INT(calln(s, inst, "f", NULL, 0, NULL, &err), WG_WASM_OK);
  wg_store_free(s);
  wg_module_release(m);
  free(code.b);
  free(w.b);
}

/* The br_if shortcut keeps the spec's typing: an operand of unknown type
 * takes the label's type, and a popped operand is checked again. */
static void test_br_if_typing_regressions(void) {
  static const struct {
    const char *what;
    uint8_t code[24];
    size_t n;
    wg_wasm_code want;
  } cases[] = {
      /* block (result i32) unreachable select br_if 0 f32.neg drop end */
      {"unknown refined", {0x02, 0x7f, 0x00, 0x1b, 0x41, 0, 0x0d, 0, 0x8c, 0x1a,
                           0x41, 0, 0x0b, 0x1a}, 14, WG_WASM_INVALID},
      /* block (result i32) i32.const 0 i32.const 0 br_if 0 drop
       * f32.const 0 i32.const 0 br_if 0 ... : the second br_if sees f32 */
      {"recheck after drop", {0x02, 0x7f, 0x41, 0, 0x41, 0, 0x0d, 0, 0x1a, 0x43, 0,
                              0, 0, 0, 0x41, 0, 0x0d, 0, 0x1a, 0x41, 0, 0x0b, 0x1a},
       23, WG_WASM_INVALID},
      /* the same with an i32 again: valid */
      {"valid twice", {0x02, 0x7f, 0x41, 0, 0x41, 0, 0x0d, 0, 0x1a, 0x41, 7, 0x41,
                       0, 0x0d, 0, 0x0b, 0x1a}, 17, WG_WASM_OK},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    buf code = {0}, w = {0};
    put(&code, cases[k].code, cases[k].n);
    build(&w, &code, -1, 0, 0, false);
    wg_module *m = NULL;
    wg_wasm_error err;
    wg_wasm_code r = compile(&w, NULL, &m, &err);
    if (r != cases[k].want) printf("  case %s: %s\n", cases[k].what, err.message);
    CHECK_INT(r, cases[k].want);
    wg_module_release(m);
    free(code.b);
    free(w.b);
  }
}

/* Issue 10's F2 (call arity): `unreachable` then calls of [i32 x 1000] ->
 * [i32 x 1000] do 2,000 type operations per 2 bytes: past the budget of
 * 16 per byte of the body. */
static void test_validation_work_budget(void) {
  buf code = {0}, w = {0};
  put1(&code, 0x00);
  for (int i = 0; i < 100000; i++) {
    put1(&code, 0x10); put1(&code, 0);
  }
  /* function 0, of type [i32 x 1000] -> [i32 x 1000], calls itself */
  build_typed(&w, &code, 1000, 1000, 0, false, 1);
  wg_module *m = NULL;
  wg_wasm_error err;
  uint64_t t0 = wg_now_ns();
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, "function needs more than 4200048 units of validation "
                         "work (16 per byte of its body)");
  printf("  call-arity amplifier refused in %.1f ms\n", (wg_now_ns() - t0) / 1e6);
  free(code.b);
  free(w.b);
}

static void test_module_caps(void) {
  buf code = {0}, w = {0};
  wg_module *m = NULL;
  wg_wasm_error err;
  build(&w, &code, -1, 0, 1000, false);
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_OK);
  wg_module_release(m);
  build(&w, &code, -1, 0, 1001, false);
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, "1001 tables (limit 1000)");
  /* 1,001 imported tables */
  buf s = {0};
  header(&w);
  leb(&s, 1001);
  for (int i = 0; i < 1001; i++) {
    put1(&s, 0); put1(&s, 0); put1(&s, 1); put1(&s, 0x70); put1(&s, 0); put1(&s, 0);
  }
  section(&w, 2, &s);
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, "1001 tables (limit 1000)");
  /* 100,001 types of () -> () */
  header(&w);
  leb(&s, 100001);
  for (int i = 0; i < 100001; i++) functype(&s, 0, 0);
  section(&w, 1, &s);
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, "100001 types (limit 100000)");
  /* 100,001 immutable i32 globals */
  header(&w);
  leb(&s, 100001);
  for (int i = 0; i < 100001; i++) {
    put1(&s, 0x7f); put1(&s, 0); put1(&s, 0x41); put1(&s, 0); put1(&s, 0x0b);
  }
  section(&w, 6, &s);
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, "100001 globals (limit 100000)");
  free(s.b);
  free(code.b);
  free(w.b);
}

/* ---- Compilation: memory budget, deadline, cancellation ------------------- */

/* A valid module whose one body is `n` nops. */
static void nops(buf *w, size_t n) {
  buf code = {0};
  putn(&code, 0x01, n);
  build(w, &code, -1, 0, 0, false);
  free(code.b);
}

static void test_compile_memory_budget(void) {
  buf w = {0};
  nops(&w, 1000);
  wg_module *m = NULL;
  wg_wasm_error err;
  wg_module_limits lim = {.max_memory_bytes = 4096};
  CHECK_INT(compile(&w, &lim, &m, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, "compiling the module needs more than 4096 bytes of memory");
  CHECK(m == NULL);
  lim.max_memory_bytes = 1u << 20;
  CHECK_INT(compile(&w, &lim, &m, &err), WG_WASM_OK);
  wg_module_release(m);
  /* the default: 16 x the size + 16 MiB; 4 MiB of br_table targets needs
   * about 32 bytes per target */
  buf code = {0};
  put1(&code, 0x02); put1(&code, 0x40);
  for (int k = 0; k < 64; k++) {
    put1(&code, 0x41); put1(&code, 0);
    put1(&code, 0x0e);
    leb(&code, 65520);
    putn(&code, 0, 65521);
  }
  put1(&code, 0x0b);
  build(&w, &code, -1, 0, 0, false);
  char want[128];
  snprintf(want, sizeof want,
           "compiling the module needs more than %zu bytes of memory",
           16 * w.n + (16u << 20));
  CHECK_INT(compile(&w, NULL, &m, &err), WG_WASM_LIMIT);
  CHECK_STR(err.message, want);
  free(code.b);
  free(w.b);
}

/* Every budget, from nothing to enough: the build fails cleanly with
 * WG_WASM_LIMIT (never a crash or a leak, wherever the budget runs out:
 * decoding, a scratch buffer, the code's copy), and succeeds from one size
 * on. */
static void test_compile_budget_every_size(void) {
  static const char *const files[] = {"limits.wasm", "bounds.wasm"};
  for (size_t k = 0; k < 2; k++) {
    char path[512];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", WG_UNIT_WASM_DIR, files[k]);
    uint8_t *b = (uint8_t *)wg_test_read_file(path, 1u << 20, &len);
    REQUIRE(b);
    size_t first_ok = 0;
    for (size_t budget = 1; budget < (1u << 20) && !first_ok; budget += 61) {
      wg_module_limits lim = {.max_memory_bytes = budget};
      wg_module *m = NULL;
      wg_wasm_error err;
      wg_wasm_code r = wg_module_new_limited(b, len, &lim, &m, &err);
      if (r == WG_WASM_OK) first_ok = budget;
      else CHECK_INT(r, WG_WASM_LIMIT);
      wg_module_release(m);
    }
    CHECK(first_ok > 0);
    for (size_t budget = first_ok; budget < first_ok + 4096; budget += 509) {
      wg_module_limits lim = {.max_memory_bytes = budget};
      wg_module *m = NULL;
      CHECK_INT(wg_module_new_limited(b, len, &lim, &m, NULL), WG_WASM_OK);
      wg_module_release(m);
    }
    free(b);
  }
}

static void test_compile_deadline_and_cancel(void) {
  buf w = {0};
  nops(&w, 16u << 20);
  wg_module *m = NULL;
  wg_wasm_error err;
  /* a deadline already passed: nothing is compiled */
  wg_module_limits lim = {.deadline_ns = wg_now_ns() - 1};
  CHECK_INT(compile(&w, &lim, &m, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_DEADLINE);
  CHECK_STR(err.message, "compilation stopped: deadline exceeded");
  CHECK(m == NULL);
  /* a deadline in the middle of 16 MiB of code */
  uint64_t t0 = wg_now_ns();
  lim.deadline_ns = t0 + 2000000;
  CHECK_INT(compile(&w, &lim, &m, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_DEADLINE);
  CHECK(err.offset > 0 && err.offset < w.n);
  uint64_t late = wg_now_ns() - lim.deadline_ns;
  printf("  compile stopped %.2f ms after its deadline\n", late / 1e6);
  CHECK(late < 200000000ull); /* generous: it checks about every 0.1 ms */
  /* cancellation */
  atomic_int flag;
  atomic_init(&flag, 1);
  wg_module_limits cl = {.cancel = &flag};
  CHECK_INT(compile(&w, &cl, &m, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_CANCELLED);
  CHECK_STR(err.message, "compilation stopped: cancelled");
  /* without bounds it compiles */
  atomic_store(&flag, 0);
  CHECK_INT(compile(&w, &cl, &m, &err), WG_WASM_OK);
  wg_module_release(m);
  free(w.b);
}

static void test_instantiation_under_deadline(void) {
  wg_module *m = load("bounds.wasm");
  REQUIRE(m);
  wg_limits lim = {.deadline_ns = wg_now_ns() - 1};
  wg_store *s = wg_store_new(&lim);
  wg_instance *inst;
  wg_wasm_error err;
  CHECK_INT(wg_instance_new(s, m, NULL, 0, &inst, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_DEADLINE);
  wg_store_free(s);
  wg_module_release(m);
}

/* ---- Deadline inside one large operation ---------------------------------- */

static void test_deadline_inside_table_fill(void) {
  wg_module *m = load("bounds.wasm");
  REQUIRE(m);
  wg_store *s = wg_store_new(NULL);
  wg_instance *inst;
  wg_wasm_error err;
  uint32_t r, n = 8000000;
  REQUIRE(wg_instance_new(s, m, NULL, 0, &inst, &err) == WG_WASM_OK);
  REQUIRE(calln(s, inst, "table_grow", &n, 1, &r, &err) == WG_WASM_OK);
  REQUIRE(r == 1);
  uint32_t args[2] = {0, 8000001};
  /* a few fills of 64 MB each take far longer than 1 ms */
  uint64_t deadline = wg_now_ns() + 1000000;
  wg_store_set_deadline(s, deadline);
  wg_wasm_code res = WG_WASM_OK;
  for (int i = 0; i < 20 && res == WG_WASM_OK; i++)
    res = calln(s, inst, "table_fill", args, 2, NULL, &err);
  CHECK_INT(res, WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_DEADLINE);
  uint64_t late = wg_now_ns() - deadline;
  printf("  table.fill stopped %.2f ms after its deadline\n", late / 1e6);
  CHECK(late < 200000000ull);
  wg_store_free(s);
  wg_module_release(m);
}

/* ---- Host functions: re-entry depth, "should I stop?" --------------------- */

typedef struct reenter {
  wg_func *run;
  int depth, failed_at;
  wg_trap nested_trap;
  bool propagate;
} reenter;

static wg_trap cb_reenter(wg_caller *c, void *user, const wg_val *a, wg_val *r) {
  (void)a, (void)r;
  reenter *x = user;
  x->depth++;
  wg_wasm_error err;
  if (wg_func_call(wg_caller_store(c), x->run, NULL, 0, NULL, 0, &err) == WG_WASM_OK)
    return WG_TRAP_NONE;
  if (!x->failed_at) {
    x->failed_at = x->depth;
    x->nested_trap = err.trap;
  }
  return x->propagate ? err.trap : WG_TRAP_HOST_ERROR;
}

static void reenter_run(const wg_limits *lim, reenter *x, wg_wasm_error *err,
                        wg_wasm_code *res) {
  wg_module *m = load("reenter_forever.wasm");
  REQUIRE(m);
  wg_store *s = wg_store_new(lim);
  wg_functype ft = {0, 0, NULL, NULL};
  wg_extern imp = {.kind = WG_EXTERN_FUNC, .of.func = wg_func_new_host(s, &ft, cb_reenter, x)};
  wg_instance *inst;
  REQUIRE(wg_instance_new(s, m, &imp, 1, &inst, err) == WG_WASM_OK);
  x->run = export_func(inst, "run");
  *res = wg_func_call(s, x->run, NULL, 0, NULL, 0, err);
  /* the store is usable afterwards */
  x->depth = 0;
  x->failed_at = 0;
  CHECK_INT(wg_func_call(s, x->run, NULL, 0, NULL, 0, NULL), WG_WASM_TRAP);
  wg_store_free(s);
  wg_module_release(m);
}

/* Issue 10's F3: SIGSEGV at ~5,000 nested re-entries before. */
static void test_host_reentry_is_bounded(void) {
  wg_limits lim = {.max_call_depth = 1000};
  reenter x = {0};
  wg_wasm_error err;
  wg_wasm_code r;
  reenter_run(&lim, &x, &err, &r);
  CHECK_INT(x.failed_at, WG_MAX_HOST_REENTRY + 1);
  CHECK_INT(x.nested_trap, WG_TRAP_CALL_STACK_EXHAUSTED);
  CHECK_INT(r, WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_HOST_ERROR); /* what this host returns */
  /* a host that passes the nested trap on: the call traps with it */
  reenter y = {.propagate = true};
  reenter_run(&lim, &y, &err, &r);
  CHECK_INT(r, WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_CALL_STACK_EXHAUSTED);
  /* each level also takes a wasm frame: max_call_depth bounds it too */
  wg_limits few = {.max_call_depth = 10};
  reenter z = {.propagate = true};
  reenter_run(&few, &z, &err, &r);
  CHECK(z.failed_at >= 5 && z.failed_at <= 11);
  CHECK_INT(err.trap, WG_TRAP_CALL_STACK_EXHAUSTED);
}

typedef struct slow {
  long sleep_ms;   /* sleep this long and return, or ... */
  int polls;       /* ... poll wg_caller_check until it says stop */
} slow;

static wg_trap host_slow(wg_caller *c, void *user, const wg_val *a, wg_val *r) {
  (void)a, (void)r;
  slow *x = user;
  if (x->sleep_ms) {
    sleep_ms(x->sleep_ms);
    return WG_TRAP_NONE;
  }
  for (;;) {
    wg_trap t = wg_caller_check(c);
    if (t) return t;
    x->polls++;
    sleep_ms(1);
  }
}

static wg_wasm_code slow_call(const wg_limits *lim, slow *x, wg_wasm_error *err) {
  wg_module *m = load("slowhost.wasm");
  REQUIRE(m);
  wg_store *s = wg_store_new(lim);
  wg_functype ft = {0, 0, NULL, NULL};
  wg_extern imp = {.kind = WG_EXTERN_FUNC, .of.func = wg_func_new_host(s, &ft, host_slow, x)};
  wg_instance *inst;
  REQUIRE(wg_instance_new(s, m, &imp, 1, &inst, err) == WG_WASM_OK);
  wg_wasm_code r = wg_func_call(s, export_func(inst, "run"), NULL, 0, NULL, 0, err);
  wg_store_free(s);
  wg_module_release(m);
  return r;
}

static void *cancel_soon(void *p) {
  sleep_ms(30);
  atomic_store((atomic_int *)p, 1);
  return NULL;
}

static void test_host_functions_can_ask_to_stop(void) {
  wg_wasm_error err;
  uint64_t t0 = wg_now_ns();
  wg_limits lim = {.deadline_ns = t0 + 30000000};
  slow x = {0};
  CHECK_INT(slow_call(&lim, &x, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_DEADLINE);
  CHECK(x.polls >= 1);
  CHECK(wg_now_ns() - lim.deadline_ns < 200000000ull);
  /* cancelled from another thread while the host function runs */
  atomic_int flag;
  atomic_init(&flag, 0);
  wg_limits cl = {.cancel = &flag};
  pthread_t th;
  REQUIRE(pthread_create(&th, NULL, cancel_soon, &flag) == 0);
  slow y = {0};
  CHECK_INT(slow_call(&cl, &y, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_CANCELLED);
  pthread_join(th, NULL);
  /* a host function that overruns without asking: the engine checks as
   * soon as it returns, though the guest has nothing left to run */
  wg_limits late = {.deadline_ns = wg_now_ns() + 5000000};
  slow z = {.sleep_ms = 20};
  CHECK_INT(slow_call(&late, &z, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_DEADLINE);
  /* within its time, the same call succeeds */
  wg_limits plenty = {.deadline_ns = wg_now_ns() + 10000000000ull};
  slow q = {.sleep_ms = 1};
  CHECK_INT(slow_call(&plenty, &q, &err), WG_WASM_OK);
}

WG_TEST_LIST {
  WG_TEST(test_table_budget_is_store_wide),
  WG_TEST(test_store_bytes_count_memory_and_tables),
  WG_TEST(test_failed_grow_costs_nothing),
  WG_TEST(test_out_of_bounds_before_fuel),
  WG_TEST(test_return_moves_are_charged),
  WG_TEST(test_branch_moves_are_charged),
  WG_TEST(test_br_table_cap_and_linear),
  WG_TEST(test_br_if_checks_once),
  WG_TEST(test_br_if_typing_regressions),
  WG_TEST(test_validation_work_budget),
  WG_TEST(test_module_caps),
  WG_TEST(test_compile_memory_budget),
  WG_TEST(test_compile_budget_every_size),
  WG_TEST(test_compile_deadline_and_cancel),
  WG_TEST(test_instantiation_under_deadline),
  WG_TEST(test_deadline_inside_table_fill),
  WG_TEST(test_host_reentry_is_bounded),
  WG_TEST(test_host_functions_can_ask_to_stop),
};
WG_TEST_MAIN()
