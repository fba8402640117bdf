/* test_engine.c: engine API and limit tests: fuel, deadline, cancellation
 * from another thread, memory/table limits, call depth, hostile declared
 * sizes, host functions (link errors, traps, guest memory access), module
 * sharing between threads. Modules come from the wat folder (built with wat2wasm)
 * or from the tiny byte builder below. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../harness.h"
#include "wasmgate/util.h"
#include "wasmgate/wasm.h"
#include "unit_helpers.h"

/* ---- Helpers ------------------------------------------------------------ */

/* Instantiates limits.wasm (no imports) in a fresh store. */
typedef struct fixture {
  wg_module *mod;
  wg_store *store;
  wg_instance *inst;
} fixture;

static bool setup(fixture *fx, const char *file, const wg_limits *limits) {
  memset(fx, 0, sizeof *fx);
  fx->mod = load(file);
  if (!fx->mod) return false;
  fx->store = wg_store_new(limits);
  wg_wasm_error err;
  return wg_instance_new(fx->store, fx->mod, NULL, 0, &fx->inst, &err) ==
         WG_WASM_OK;
}

static void teardown(fixture *fx) {
  wg_store_free(fx->store);
  wg_module_release(fx->mod);
}

static wg_wasm_code call0(fixture *fx, const char *name, wg_wasm_error *err) {
  wg_func *f = export_func(fx->inst, name);
  if (!f) return WG_WASM_ARGS;
  return wg_func_call(fx->store, f, NULL, 0, NULL, 0, err);
}

static wg_wasm_code call_i32(fixture *fx, const char *name, uint32_t arg,
                               wg_val *res, wg_wasm_error *err) {
  wg_func *f = export_func(fx->inst, name);
  if (!f) return WG_WASM_ARGS;
  wg_val a = i32v(arg);
  return wg_func_call(fx->store, f, &a, 1, res, 1, err);
}

/* ---- A tiny module byte builder ------------------------------------------ */

typedef struct bytes {
  uint8_t b[256];
  size_t n;
} bytes;

static void put(bytes *w, const void *p, size_t n) {
  memcpy(w->b + w->n, p, n);
  w->n += n;
}
static void put1(bytes *w, uint8_t x) { w->b[w->n++] = x; }
static void leb(bytes *w, uint64_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    put1(w, byte | (v ? 0x80 : 0));
  } while (v);
}
static void header(bytes *w) {
  static const uint8_t h[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  w->n = 0;
  put(w, h, 8);
}
static void section(bytes *w, uint8_t id, const bytes *body) {
  put1(w, id);
  leb(w, body->n);
  put(w, body->b, body->n);
}
/* Type () -> (), one function, with `body` as its code entry contents. */
static void one_func(bytes *w, const bytes *code_entry) {
  bytes s = {{0}, 0};
  header(w);
  s.n = 0; put1(&s, 1); put1(&s, 0x60); put1(&s, 0); put1(&s, 0);
  section(w, 1, &s);
  s.n = 0; put1(&s, 1); put1(&s, 0);
  section(w, 3, &s);
  s.n = 0; put1(&s, 1); leb(&s, code_entry->n); put(&s, code_entry->b, code_entry->n);
  section(w, 10, &s);
}

static wg_wasm_code decode(const bytes *w, wg_wasm_error *err) {
  wg_module *m = NULL;
  wg_wasm_code r = wg_module_new(w->b, w->n, &m, err);
  wg_module_release(m);
  return r;
}

/* ---- Tests: basics --------------------------------------------------------- */

static void test_add_and_names(void) {
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", NULL));
  wg_func *add = export_func(fx.inst, "add");
  REQUIRE(add);
  wg_val args[2] = {i32v(40), i32v(2)}, res;
  wg_wasm_error err;
  CHECK_INT(wg_func_call(fx.store, add, args, 2, &res, 1, &err), WG_WASM_OK);
  CHECK_INT(res.type, WG_I32);
  CHECK_INT(res.of.i32, 42);
  /* wrong arity and wrong type are API errors, not traps */
  CHECK_INT(wg_func_call(fx.store, add, args, 1, &res, 1, &err), WG_WASM_ARGS);
  args[1].type = WG_I64;
  CHECK_INT(wg_func_call(fx.store, add, args, 2, &res, 1, &err), WG_WASM_ARGS);
  CHECK_STR(wg_trap_name(WG_TRAP_INTEGER_DIVIDE_BY_ZERO), "integer_divide_by_zero");
  CHECK_STR(wg_trap_name(WG_TRAP_HOST_ERROR), "host_error");
  CHECK_STR(wg_trap_message(WG_TRAP_INTEGER_DIVIDE_BY_ZERO), "integer divide by zero");
  CHECK_STR(wg_trap_message(WG_TRAP_FUEL_EXHAUSTED), "fuel exhausted");
  CHECK_STR(wg_trap_message(WG_TRAP_HOST_ERROR), "host error");
  CHECK_STR(wg_wasm_code_name(WG_WASM_UNSUPPORTED), "unsupported");
  CHECK_STR(wg_valtype_name(WG_EXTERNREF), "externref");
  teardown(&fx);
}

static void test_sum_loop(void) {
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", NULL));
  wg_val res;
  wg_wasm_error err;
  CHECK_INT(call_i32(&fx, "sum", 100000, &res, &err), WG_WASM_OK);
  CHECK_U64(res.of.i64, 4999950000ull);
  teardown(&fx);
}

/* ---- Tests: fuel, deadline, cancellation ----------------------------------- */

static void test_compare_branch_not_fused_past_window_copies(void) {
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", NULL));
  static const char *const names[] = {"fuse_window", "fuse_block"};
  for (size_t k = 0; k < 2; k++) {
    wg_func *f = export_func(fx.inst, names[k]);
    REQUIRE(f);
    wg_val args[3] = {i32v(5), i32v(10), i32v(0)}, res;
    wg_wasm_error err;
    CHECK_INT(wg_func_call(fx.store, f, args, 3, &res, 1, &err), WG_WASM_OK);
    CHECK_INT(res.of.i32, 1);
    args[0] = i32v(10);
    args[1] = i32v(5);
    args[2] = i32v(100);
    CHECK_INT(wg_func_call(fx.store, f, args, 3, &res, 1, &err), WG_WASM_OK);
    CHECK_INT(res.of.i32, 0);
  }
  teardown(&fx);
}

static void test_no_fusion_with_stale_comparison(void) {
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", NULL));
  wg_val res;
  wg_wasm_error err;
  CHECK_INT(wg_func_call(fx.store, export_func(fx.inst, "fuse_stale"), NULL, 0,
                         &res, 1, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 0);
  teardown(&fx);
}

static void test_fuel_exact_count(void) {
  wg_limits lim = {.fuel = 1000};
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", &lim));
  wg_func *f = export_func(fx.inst, "three");
  wg_val res;
  wg_wasm_error err;
  CHECK_INT(wg_func_call(fx.store, f, NULL, 0, &res, 1, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 3);
  CHECK_U64(wg_store_fuel_used(fx.store), 4); /* const, const, add, end */
  CHECK_U64(wg_store_fuel_remaining(fx.store), 996);
  teardown(&fx);
}

static void test_fuel_refund_on_taken_branch(void) {
  wg_limits lim = {.fuel = 1000};
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", &lim));
  wg_val res;
  wg_wasm_error err;
  CHECK_INT(call_i32(&fx, "early", 0, &res, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 7);
  CHECK_U64(wg_store_fuel_used(fx.store), 8);
  CHECK_INT(call_i32(&fx, "early", 1, &res, &err), WG_WASM_OK);
  CHECK_U64(wg_store_fuel_used(fx.store), 8 + 5);
  CHECK_U64(wg_store_fuel_remaining(fx.store), 1000 - 13);
  teardown(&fx);
}

static void test_fuel_stops_infinite_loop(void) {
  wg_limits lim = {.fuel = 1000000};
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", &lim));
  wg_wasm_error err;
  CHECK_INT(call0(&fx, "spin", &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_FUEL_EXHAUSTED);
  CHECK(wg_store_fuel_used(fx.store) <= 1000000);
  CHECK(wg_store_fuel_used(fx.store) >= 999000);
  /* the store stays usable: with new fuel, calls work again */
  wg_store_set_fuel(fx.store, 100);
  wg_val res;
  CHECK_INT(wg_func_call(fx.store, export_func(fx.inst, "three"), NULL, 0,
                         &res, 1, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 3);
  teardown(&fx);
}

static void test_deadline_stops_infinite_loop(void) {
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", NULL));
  uint64_t start = wg_now_ns();
  wg_store_set_deadline(fx.store, start + 50 * 1000000ull);
  wg_wasm_error err;
  CHECK_INT(call0(&fx, "spin", &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_DEADLINE);
  uint64_t late = wg_now_ns() - (start + 50 * 1000000ull);
  CHECK(late < 200 * 1000000ull); /* generous: stopped within 200 ms */
  teardown(&fx);
}

typedef struct cancel_arg {
  atomic_int *flag;
} cancel_arg;

static void *cancel_later(void *p) {
  cancel_arg *a = p;
  struct timespec ts = {0, 50 * 1000000};
  nanosleep(&ts, NULL);
  atomic_store(a->flag, 1);
  return NULL;
}

static void test_cancel_from_other_thread(void) {
  atomic_int flag;
  atomic_init(&flag, 0);
  wg_limits lim = {.cancel = &flag};
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", &lim));
  cancel_arg a = {&flag};
  pthread_t th;
  uint64_t start = wg_now_ns();
  REQUIRE(pthread_create(&th, NULL, cancel_later, &a) == 0);
  wg_wasm_error err;
  CHECK_INT(call0(&fx, "spin", &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_CANCELLED);
  pthread_join(th, NULL);
  CHECK(wg_now_ns() - start < 250 * 1000000ull);
  teardown(&fx);
}

static void test_bulk_ops_charged_by_length(void) {
  wg_limits lim = {.fuel = 500};
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", &lim));
  wg_func *fill = export_func(fx.inst, "fill");
  wg_val args[2] = {i32v(0), i32v(65536)}; /* 65536 bytes: 1024 fuel */
  wg_wasm_error err;
  CHECK_INT(wg_func_call(fx.store, fill, args, 2, NULL, 0, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_FUEL_EXHAUSTED);
  args[1] = i32v(64);
  wg_store_set_fuel(fx.store, 500);
  CHECK_INT(wg_func_call(fx.store, fill, args, 2, NULL, 0, &err), WG_WASM_OK);
  wg_val res;
  CHECK_INT(call_i32(&fx, "load8", 63, &res, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 7);
  teardown(&fx);
}

/* ---- Tests: memory, table, stack ------------------------------------------ */

/* memory.copy works in 1 MiB chunks (deadline checks between them); big
 * overlapping copies in both directions must still equal memmove. */
static void test_big_overlapping_copies(void) {
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", NULL));
  wg_val res;
  wg_wasm_error err;
  REQUIRE(call_i32(&fx, "grow", 63, &res, &err) == WG_WASM_OK);
  wg_extern mem;
  REQUIRE(wg_instance_export(fx.inst, "memory", 6, &mem));
  size_t size = 64u << 16;
  uint8_t *want = malloc(size), *got = malloc(size);
  REQUIRE(want && got);
  for (size_t i = 0; i < size; i++) want[i] = (uint8_t)(i % 251);
  REQUIRE(wg_memory_write(mem.of.memory, 0, want, size));
  static const uint32_t cases[][3] = {
      {(1u << 20) + 7, 0, (3u << 20) - 100}, /* dst > src: backward */
      {0, (1u << 20) + 3, (5u << 19)},       /* dst < src: forward */
  };
  wg_func *copy = export_func(fx.inst, "copy");
  for (size_t k = 0; k < 2; k++) {
    wg_val args[3] = {i32v(cases[k][0]), i32v(cases[k][1]), i32v(cases[k][2])};
    CHECK_INT(wg_func_call(fx.store, copy, args, 3, NULL, 0, &err), WG_WASM_OK);
    memmove(want + cases[k][0], want + cases[k][1], cases[k][2]);
    REQUIRE(wg_memory_read(mem.of.memory, 0, got, size));
    CHECK(memcmp(want, got, size) == 0);
  }
  free(want);
  free(got);
  teardown(&fx);
}

static void test_folded_address_add_wraps(void) {
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", NULL));
  wg_extern mem;
  REQUIRE(wg_instance_export(fx.inst, "memory", 6, &mem));
  static const uint8_t pattern[] = {10, 11, 12, 13, 14, 15, 16};
  REQUIRE(wg_memory_write(mem.of.memory, 0, pattern, sizeof pattern));
  wg_val res;
  wg_wasm_error err;
  /* 0xffffffff + 2 wraps to 1; + offset 3 = byte 4 */
  CHECK_INT(call_i32(&fx, "load_add", 0xffffffffu, &res, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 14);
  CHECK_INT(call_i32(&fx, "load_add", 0, &res, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 15);
  /* 65533 + 2 + 3 = 65538: past the single page */
  CHECK_INT(call_i32(&fx, "load_add", 65533, &res, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_MEMORY_OUT_OF_BOUNDS);
  CHECK_INT(call_i32(&fx, "load_add", 65530, &res, &err), WG_WASM_OK);
  teardown(&fx);
}

static void test_memory_grow_past_limit(void) {
  wg_limits lim = {.max_memory_pages = 3};
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", &lim));
  wg_val res;
  wg_wasm_error err;
  CHECK_INT(call_i32(&fx, "grow", 2, &res, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 1);
  CHECK_INT(call_i32(&fx, "grow", 1, &res, &err), WG_WASM_OK);
  CHECK_INT((int32_t)res.of.i32, -1); /* spec: grow past the max gives -1 */
  CHECK_INT(call_i32(&fx, "grow", 0, &res, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 3);
  /* the new pages are usable and zeroed; past them traps */
  CHECK_INT(call_i32(&fx, "load8", 3 * 65536 - 1, &res, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 0);
  CHECK_INT(call_i32(&fx, "load8", 3 * 65536, &res, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_MEMORY_OUT_OF_BOUNDS);
  teardown(&fx);
}

static void test_memory_min_over_limit_is_limit_error(void) {
  wg_limits lim = {.max_memory_pages = 0}; /* default */
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", &lim));
  teardown(&fx);
  /* a store allowing less than the module's 1 initial page */
  wg_module *m = load("limits.wasm");
  REQUIRE(m);
  wg_limits small = {.max_memory_pages = 1};
  wg_store *s = wg_store_new(&small);
  wg_instance *inst;
  wg_wasm_error err;
  CHECK_INT(wg_instance_new(s, m, NULL, 0, &inst, &err), WG_WASM_OK);
  wg_store_free(s);
  bytes w = {{0}, 0}, sec = {{0}, 0};
  header(&w);
  put1(&sec, 1); put1(&sec, 0); leb(&sec, 10); /* memory min 10 pages */
  section(&w, 5, &sec);
  wg_module *m2 = NULL;
  REQUIRE(wg_module_new(w.b, w.n, &m2, &err) == WG_WASM_OK);
  wg_limits lim5 = {.max_memory_pages = 5};
  s = wg_store_new(&lim5);
  CHECK_INT(wg_instance_new(s, m2, NULL, 0, &inst, &err), WG_WASM_LIMIT);
  wg_store_free(s);
  wg_module_release(m2);
  wg_module_release(m);
}

static void test_table_grow_past_limit(void) {
  wg_limits lim = {.max_table_elements = 10};
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", &lim));
  wg_val res;
  wg_wasm_error err;
  CHECK_INT(call_i32(&fx, "table_grow", 9, &res, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 1);
  CHECK_INT(call_i32(&fx, "table_grow", 1, &res, &err), WG_WASM_OK);
  CHECK_INT((int32_t)res.of.i32, -1);
  teardown(&fx);
}

static void test_deep_recursion_traps(void) {
  wg_limits lim = {.max_call_depth = 500};
  fixture fx;
  REQUIRE(setup(&fx, "limits.wasm", &lim));
  wg_val res;
  wg_wasm_error err;
  CHECK_INT(call_i32(&fx, "recurse", 0, &res, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_CALL_STACK_EXHAUSTED);
  teardown(&fx);
  /* default limits: 10,000 frames; never a host stack overflow */
  REQUIRE(setup(&fx, "limits.wasm", NULL));
  CHECK_INT(call_i32(&fx, "recurse", 0, &res, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_CALL_STACK_EXHAUSTED);
  teardown(&fx);
  /* a small value stack is exhausted before the frame limit */
  wg_limits small = {.max_stack_bytes = 4096};
  REQUIRE(setup(&fx, "limits.wasm", &small));
  CHECK_INT(call_i32(&fx, "recurse", 0, &res, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_CALL_STACK_EXHAUSTED);
  teardown(&fx);
}

/* ---- Tests: hostile declared sizes ---------------------------------------- */

static void test_huge_local_count_rejected_cheaply(void) {
  bytes w, body = {{0}, 0};
  wg_wasm_error err;
  /* two groups of 2^31 locals: over 2^32 in total */
  put1(&body, 2);
  leb(&body, 0x80000000u); put1(&body, 0x7f);
  leb(&body, 0x80000000u); put1(&body, 0x7f);
  put1(&body, 0x0b);
  one_func(&w, &body);
  uint64_t t0 = wg_now_ns();
  CHECK_INT(decode(&w, &err), WG_WASM_MALFORMED);
  CHECK_CONTAINS(err.message, "too many locals");
  CHECK(wg_now_ns() - t0 < 100 * 1000000ull);
  /* 2^32-1 locals: well-formed, but far beyond our per-function cap */
  body.n = 0;
  put1(&body, 1); leb(&body, 0xffffffffu); put1(&body, 0x7f); put1(&body, 0x0b);
  one_func(&w, &body);
  CHECK_INT(decode(&w, &err), WG_WASM_LIMIT);
  CHECK_CONTAINS(err.message, "too many locals");
  /* the offset points into the code section */
  CHECK(err.offset > 8 && err.offset < w.n);
}

static void test_huge_data_segment_rejected_cheaply(void) {
  bytes w, sec = {{0}, 0};
  wg_wasm_error err;
  header(&w);
  put1(&sec, 1); put1(&sec, 0); put1(&sec, 1); /* memory 1 page */
  section(&w, 5, &sec);
  sec.n = 0;
  put1(&sec, 1);                               /* one segment */
  put1(&sec, 0); put1(&sec, 0x41); put1(&sec, 0); put1(&sec, 0x0b);
  leb(&sec, 0xffffffffu);                      /* 4 GiB of data... */
  put1(&sec, 'x');                             /* ...and one byte */
  section(&w, 11, &sec);
  CHECK_INT(decode(&w, &err), WG_WASM_MALFORMED);
  CHECK_CONTAINS(err.message, "unexpected end");
  CHECK_INT(err.offset, w.n - 1);
  /* a vector count of 2^32-1 types in a 12-byte section */
  header(&w);
  sec.n = 0;
  leb(&sec, 0xffffffffu);
  put1(&sec, 0x60);
  section(&w, 1, &sec);
  CHECK_INT(decode(&w, &err), WG_WASM_MALFORMED);
  /* a data count of 2^32-1 with no data section */
  header(&w);
  sec.n = 0;
  leb(&sec, 0xffffffffu);
  section(&w, 12, &sec);
  CHECK_INT(decode(&w, &err), WG_WASM_MALFORMED);
}

static void test_deep_nesting_is_a_limit(void) {
  /* 100,001 nested blocks in one body (well-formed and valid otherwise) */
  size_t depth = 100001, n = 0;
  uint8_t *body = malloc(3 * depth + 16);
  REQUIRE(body);
  body[n++] = 0; /* no locals */
  for (size_t i = 0; i < depth; i++) {
    body[n++] = 0x02;
    body[n++] = 0x40;
  }
  for (size_t i = 0; i <= depth; i++) body[n++] = 0x0b;
  /* module: type ()->(), one function, its code entry */
  size_t cap = n + 64, len = 0;
  uint8_t *w = malloc(cap);
  REQUIRE(w);
  static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0};
  memcpy(w, head, sizeof head);
  len = sizeof head;
  bytes sz = {{0}, 0}, entry = {{0}, 0};
  leb(&entry, n);                   /* body size */
  leb(&sz, 1 + entry.n + n);        /* section size: count + entry */
  w[len++] = 10;
  memcpy(w + len, sz.b, sz.n);
  len += sz.n;
  w[len++] = 1;
  memcpy(w + len, entry.b, entry.n);
  len += entry.n;
  memcpy(w + len, body, n);
  len += n;
  wg_module *m = NULL;
  wg_wasm_error err;
  CHECK_INT(wg_module_new(w, len, &m, &err), WG_WASM_LIMIT);
  CHECK_CONTAINS(err.message, "nested");
  wg_module_release(m);
  free(w);
  free(body);
}

static void test_unsupported_features(void) {
  bytes w, body = {{0}, 0};
  wg_wasm_error err;
  put1(&body, 0);
  put1(&body, 0xfd); put1(&body, 0x0c); /* v128.const ... */
  put1(&body, 0x0b);
  one_func(&w, &body);
  CHECK_INT(decode(&w, &err), WG_WASM_UNSUPPORTED);
  CHECK_CONTAINS(err.message, "SIMD");
  /* a shared memory (threads) */
  bytes sec = {{0}, 0};
  header(&w);
  put1(&sec, 1); put1(&sec, 3); put1(&sec, 1); put1(&sec, 1);
  section(&w, 5, &sec);
  CHECK_INT(decode(&w, &err), WG_WASM_UNSUPPORTED);
  /* return_call (tail calls) */
  body.n = 0;
  put1(&body, 0); put1(&body, 0x12); put1(&body, 0); put1(&body, 0x0b);
  one_func(&w, &body);
  CHECK_INT(decode(&w, &err), WG_WASM_UNSUPPORTED);
}

/* The spec's opcode space, written here apart from src/wasm/wasm_ops.h so
 * that the table is checked against it: bytes no proposal the engine
 * implements uses are illegal (malformed); the engine names the proposals
 * it refuses (unsupported); every other byte is an instruction. */
static const char *refused_proposal(unsigned op) {
  if ((op >= 0x06 && op <= 0x0a) || op == 0x18 || op == 0x19)
    return "exception handling is not supported";
  if (op == 0x12 || op == 0x13) return "tail calls are not supported";
  if (op == 0xfd) return "SIMD is not supported";
  if (op == 0xfe) return "threads are not supported";
  return NULL;
}
static bool illegal_byte(unsigned op) {
  return (op >= 0x14 && op <= 0x17) || (op >= 0x1d && op <= 0x1f) ||
         op == 0x27 || (op >= 0xc5 && op <= 0xcf) || (op >= 0xd3 && op <= 0xfb) ||
         op == 0xff;
}

/* A body of one opcode byte, then zero bytes for any immediates, then end:
 * each byte's outcome, code and message. */
static void test_every_opcode_byte(void) {
  bytes w, body;
  wg_wasm_error err;
  char want[64];
  for (unsigned op = 0; op < 256; op++) {
    body.n = 0;
    put1(&body, 0);
    put1(&body, (uint8_t)op);
    for (int i = 0; i < 10; i++) put1(&body, 0);
    put1(&body, 0x0b);
    one_func(&w, &body);
    wg_wasm_code r = decode(&w, &err);
    if (refused_proposal(op)) {
      CHECK_INT(r, WG_WASM_UNSUPPORTED);
      CHECK_STR(err.message, refused_proposal(op));
    } else if (illegal_byte(op)) {
      snprintf(want, sizeof want, "illegal opcode 0x%02x", op);
      CHECK_INT(r, WG_WASM_MALFORMED);
      CHECK_STR(err.message, want);
    } else {
      CHECK(r != WG_WASM_UNSUPPORTED);
      CHECK(strstr(err.message, "illegal opcode") == NULL);
    }
  }
  /* after 0xFC: 0..17 exist, 18 does not */
  body.n = 0;
  put1(&body, 0); put1(&body, 0xfc); put1(&body, 18); put1(&body, 0x0b);
  one_func(&w, &body);
  CHECK_INT(decode(&w, &err), WG_WASM_MALFORMED);
  CHECK_STR(err.message, "illegal opcode 0xfc 18");
}

/* A global's initializer: an instruction that is not constant is invalid,
 * an illegal byte malformed. */
static void test_constant_expression_opcodes(void) {
  static const struct { uint8_t op; wg_wasm_code want; const char *msg; } cases[] = {
      {0x6a, WG_WASM_INVALID, "constant expression required"}, /* i32.add */
      {0x00, WG_WASM_INVALID, "constant expression required"}, /* unreachable */
      {0x14, WG_WASM_MALFORMED, "illegal opcode 0x14"},
      {0x06, WG_WASM_MALFORMED, "illegal opcode 0x06"}, /* try: not refused here */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    bytes w, sec = {{0}, 0};
    wg_wasm_error err;
    header(&w);
    /* one immutable i32 global whose initializer is `op end` */
    put1(&sec, 1); put1(&sec, 0x7f); put1(&sec, 0); put1(&sec, cases[i].op);
    put1(&sec, 0x0b);
    section(&w, 6, &sec);
    CHECK_INT(decode(&w, &err), cases[i].want);
    CHECK_STR(err.message, cases[i].msg);
  }
}

static void test_truncated_and_bad_magic(void) {
  wg_module *m = NULL;
  wg_wasm_error err;
  static const uint8_t bad[] = {0, 'a', 's', 'x', 1, 0, 0, 0};
  CHECK_INT(wg_module_new(bad, sizeof bad, &m, &err), WG_WASM_MALFORMED);
  CHECK_INT(err.offset, 0);
  CHECK(m == NULL);
  static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  CHECK_INT(wg_module_new(empty, sizeof empty, &m, &err), WG_WASM_OK);
  CHECK_INT(wg_module_import_count(m), 0);
  wg_module_release(m);
}

/* ---- Tests: host functions --------------------------------------------------- */

static const wg_valtype peek_params[] = {WG_I32, WG_I32};
static const wg_valtype peek_results[] = {WG_I32};
static const wg_functype peek_type = {2, 1, peek_params, peek_results};
static const wg_functype fail_type = {0, 0, NULL, NULL};

/* Returns the sum of the bytes in guest memory [ptr, ptr+len), or traps. */
static wg_trap host_peek(wg_caller *c, void *user, const wg_val *args,
                         wg_val *results) {
  (void)user;
  uint8_t buf[64];
  wg_memory *mem = wg_caller_memory(c);
  if (!mem || args[1].of.i32 > sizeof buf ||
      !wg_memory_read(mem, args[0].of.i32, buf, args[1].of.i32)) {
    wg_caller_set_message(c, "peek: out of bounds");
    return WG_TRAP_HOST_ERROR;
  }
  uint32_t sum = 0;
  for (uint32_t i = 0; i < args[1].of.i32; i++) sum += buf[i];
  static const uint8_t mark[] = {'!'};
  wg_memory_write(mem, 0, mark, 1);
  results[0].of.i32 = sum;
  return WG_TRAP_NONE;
}

static wg_trap host_fail(wg_caller *c, void *user, const wg_val *args,
                         wg_val *results) {
  (void)user;
  (void)args;
  (void)results;
  wg_caller_set_message(c, "fail was called");
  return WG_TRAP_HOST_ERROR;
}

static wg_linker *host_linker(bool with_fail, const wg_functype *peek) {
  wg_linker *l = wg_linker_new();
  wg_linker_define_host_func(l, "env", 3, "peek", 4, peek, host_peek, NULL);
  if (with_fail)
    wg_linker_define_host_func(l, "env", 3, "fail", 4, &fail_type, host_fail,
                               NULL);
  return l;
}

static void test_host_link_errors_name_the_import(void) {
  wg_module *m = load("host.wasm");
  REQUIRE(m);
  wg_store *s = wg_store_new(NULL);
  wg_instance *inst;
  wg_wasm_error err;
  wg_linker *l = host_linker(false, &peek_type);
  CHECK_INT(wg_linker_instantiate(l, s, m, &inst, &err), WG_WASM_LINK);
  CHECK_CONTAINS(err.message, "\"env\".\"fail\"");
  CHECK(inst == NULL);
  wg_linker_free(l);
  /* right name, wrong type */
  l = host_linker(true, &fail_type);
  CHECK_INT(wg_linker_instantiate(l, s, m, &inst, &err), WG_WASM_LINK);
  CHECK_CONTAINS(err.message, "\"env\".\"peek\"");
  wg_linker_free(l);
  /* wrong number of imports through the direct API */
  CHECK_INT(wg_instance_new(s, m, NULL, 0, &inst, &err), WG_WASM_ARGS);
  wg_store_free(s);
  wg_module_release(m);
}

static void test_host_memory_access_and_traps(void) {
  wg_module *m = load("host.wasm");
  REQUIRE(m);
  wg_store *s = wg_store_new(NULL);
  wg_instance *inst;
  wg_wasm_error err;
  wg_linker *l = host_linker(true, &peek_type);
  REQUIRE(wg_linker_instantiate(l, s, m, &inst, &err) == WG_WASM_OK);
  wg_func *peek = export_func(inst, "call_peek");
  wg_val args[2] = {i32v(16), i32v(5)}, res;
  CHECK_INT(wg_func_call(s, peek, args, 2, &res, 1, &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 'h' + 'e' + 'l' + 'l' + 'o');
  wg_extern mem;
  REQUIRE(wg_instance_export(inst, "memory", 6, &mem));
  uint8_t first = 0;
  CHECK(wg_memory_read(mem.of.memory, 0, &first, 1));
  CHECK_INT(first, '!');
  /* the last byte is readable, one past it is not */
  CHECK(wg_memory_read(mem.of.memory, 65535, &first, 1));
  CHECK(!wg_memory_read(mem.of.memory, 65535, &first, 2));
  CHECK(!wg_memory_read(mem.of.memory, UINT64_MAX, &first, 1));
  args[0] = i32v(65530);
  args[1] = i32v(10);
  CHECK_INT(wg_func_call(s, peek, args, 2, &res, 1, &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_HOST_ERROR);
  CHECK_STR(err.message, "peek: out of bounds");
  CHECK_INT(wg_func_call(s, export_func(inst, "call_fail"), NULL, 0, &res, 1,
                         &err), WG_WASM_TRAP);
  CHECK_INT(err.trap, WG_TRAP_HOST_ERROR);
  CHECK_STR(err.message, "fail was called");
  wg_linker_free(l);
  wg_store_free(s);
  wg_module_release(m);
}

/* The host function re-enters the engine on the same store. */
typedef struct reenter_ctx {
  wg_instance *inst;
} reenter_ctx;

static wg_trap host_callback(wg_caller *c, void *user, const wg_val *args,
                             wg_val *results) {
  reenter_ctx *ctx = user;
  wg_wasm_error err;
  wg_val a = args[0];
  if (!ctx->inst) return WG_TRAP_HOST_ERROR;
  wg_wasm_code r = wg_func_call(wg_caller_store(c),
                                  export_func(ctx->inst, "inner"), &a, 1,
                                  results, 1, &err);
  return r == WG_WASM_OK ? WG_TRAP_NONE : WG_TRAP_HOST_ERROR;
}

static void test_host_reenters_engine(void) {
  wg_module *m = load("reenter.wasm");
  REQUIRE(m);
  static const wg_valtype p[] = {WG_I32}, r[] = {WG_I32};
  static const wg_functype cb_type = {1, 1, p, r};
  reenter_ctx ctx = {NULL};
  wg_linker *l = wg_linker_new();
  REQUIRE(wg_linker_define_host_func(l, "env", 3, "callback", 8, &cb_type,
                                     host_callback, &ctx));
  wg_store *s = wg_store_new(NULL);
  wg_wasm_error err;
  REQUIRE(wg_linker_instantiate(l, s, m, &ctx.inst, &err) == WG_WASM_OK);
  wg_val a = i32v(4), res;
  CHECK_INT(wg_func_call(s, export_func(ctx.inst, "outer"), &a, 1, &res, 1,
                         &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 41 + 1000);
  /* the store's stacks are intact afterwards */
  CHECK_INT(wg_func_call(s, export_func(ctx.inst, "inner"), &a, 1, &res, 1,
                         &err), WG_WASM_OK);
  CHECK_INT(res.of.i32, 41);
  wg_store_free(s);
  wg_linker_free(l);
  wg_module_release(m);
}

/* ---- Tests: sharing a module between threads ---------------------------- */

typedef struct share_arg {
  wg_module *mod;
  uint64_t result;
} share_arg;

static void *run_shared(void *p) {
  share_arg *a = p;
  wg_store *s = wg_store_new(NULL);
  wg_instance *inst;
  wg_wasm_error err;
  if (wg_instance_new(s, a->mod, NULL, 0, &inst, &err) == WG_WASM_OK) {
    wg_val arg = i32v(20000), res;
    if (wg_func_call(s, export_func(inst, "sum"), &arg, 1, &res, 1, &err) ==
        WG_WASM_OK)
      a->result = res.of.i64;
  }
  wg_store_free(s);
  return NULL;
}

static void test_module_shared_between_threads(void) {
  wg_module *m = load("limits.wasm");
  REQUIRE(m);
  share_arg args[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    args[i].mod = m;
    args[i].result = 0;
    REQUIRE(pthread_create(&th[i], NULL, run_shared, &args[i]) == 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    CHECK_U64(args[i].result, 199990000ull);
  }
  wg_module_release(m);
}

/* Pooled memories come back zeroed whichever way they are cleaned: a few
 * touched pages are zeroed in place (scrub), many are decommitted, and a
 * memory that grew is pooled with its larger committed size. */
static void test_many_instances_reuse_memory(void) {
  wg_module *m = load("limits.wasm");
  REQUIRE(m);
  for (int i = 0; i < 200; i++) {
    wg_store *s = wg_store_new(NULL);
    wg_instance *inst;
    wg_wasm_error err;
    REQUIRE(wg_instance_new(s, m, NULL, 0, &inst, &err) == WG_WASM_OK);
    wg_extern mem;
    REQUIRE(wg_instance_export(inst, "memory", 6, &mem));
    uint32_t pages = wg_memory_pages(mem.of.memory);
    REQUIRE(pages >= 1);
    /* every 4 KiB page reads zero, and nothing past the initial size */
    uint64_t size = (uint64_t)pages * 65536;
    for (uint64_t off = 100; off < size; off += 4096) {
      uint8_t b = 1;
      CHECK(wg_memory_read(mem.of.memory, off, &b, 1));
      if (b != 0) {
        CHECK_INT(b, 0);
        break;
      }
    }
    uint8_t b;
    CHECK(!wg_memory_read(mem.of.memory, size, &b, 1));
    if (i % 4 == 1) CHECK(wg_memory_grow(mem.of.memory, 8) == (int64_t)pages);
    uint64_t now = (uint64_t)wg_memory_pages(mem.of.memory) * 65536;
    /* i % 4 == 0: one page; else every page (more than scrub zeroes) */
    uint64_t step = i % 4 == 0 ? now : 4096;
    b = 0xff;
    for (uint64_t off = 100; off < now; off += step)
      CHECK(wg_memory_write(mem.of.memory, off, &b, 1));
    wg_store_free(s);
  }
  wg_module_release(m);
}

WG_TEST_LIST {
  WG_TEST(test_add_and_names),
  WG_TEST(test_sum_loop),
  WG_TEST(test_compare_branch_not_fused_past_window_copies),
  WG_TEST(test_no_fusion_with_stale_comparison),
  WG_TEST(test_fuel_exact_count),
  WG_TEST(test_fuel_refund_on_taken_branch),
  WG_TEST(test_fuel_stops_infinite_loop),
  WG_TEST(test_deadline_stops_infinite_loop),
  WG_TEST(test_cancel_from_other_thread),
  WG_TEST(test_bulk_ops_charged_by_length),
  WG_TEST(test_big_overlapping_copies),
  WG_TEST(test_folded_address_add_wraps),
  WG_TEST(test_memory_grow_past_limit),
  WG_TEST(test_memory_min_over_limit_is_limit_error),
  WG_TEST(test_table_grow_past_limit),
  WG_TEST(test_deep_recursion_traps),
  WG_TEST(test_huge_local_count_rejected_cheaply),
  WG_TEST(test_huge_data_segment_rejected_cheaply),
  WG_TEST(test_deep_nesting_is_a_limit),
  WG_TEST(test_unsupported_features),
  WG_TEST(test_every_opcode_byte),
  WG_TEST(test_constant_expression_opcodes),
  WG_TEST(test_truncated_and_bad_magic),
  WG_TEST(test_host_link_errors_name_the_import),
  WG_TEST(test_host_memory_access_and_traps),
  WG_TEST(test_host_reenters_engine),
  WG_TEST(test_module_shared_between_threads),
  WG_TEST(test_many_instances_reuse_memory),
};
WG_TEST_MAIN()
