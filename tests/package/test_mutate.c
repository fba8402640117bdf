/* test_mutate.c: a deterministic mutation run over the ZIP reader (seeded
 * xorshift, 1,000,000 inputs derived from valid packages: byte flips,
 * interesting u16/u32 values at random offsets, truncation, insertion,
 * deletion, region copies). Every input must be either rejected or accepted
 * as zip_check.h says (the libFuzzer entry fuzz/fuzz_zip.c checks the
 * same). ASan/UBSan check every byte touched. */
#include "../harness.h"
#include "wasmgate/package.h"
#include "zip_check.h"
#include "zipbuild.h"

enum { ITERATIONS = 1000000, MAX_INPUT = 1 << 16 };

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t rng_next(rng *r) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return r->s;
}

static size_t rng_below(rng *r, size_t n) { return n ? rng_next(r) % n : 0; }

typedef struct seed {
  uint8_t *data;
  size_t len;
} seed;

static const uint32_t interesting[] = {0,      1,      0x7f,       0x80,
                                       0xff,   0x100,  0x7fff,     0x8000,
                                       0xffff, 0x10000, 0x7fffffff, 0x80000000u,
                                       0xffffffffu, 0x04034b50, 0x02014b50,
                                       0x06054b50, 512, 513, 0120777u << 16};

static void put_le(uint8_t *p, uint32_t v, int width) {
  for (int i = 0; i < width; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Applies one mutation in place; buf has MAX_INPUT bytes of room. */
static void mutate(rng *r, uint8_t *buf, size_t *len) {
  size_t n = *len;
  switch (rng_below(r, 7)) {
  case 0:
    if (n) buf[rng_below(r, n)] ^= (uint8_t)(1u << rng_below(r, 8));
    break;
  case 1:
    if (n) buf[rng_below(r, n)] = (uint8_t)rng_next(r);
    break;
  case 2: {
    int width = rng_below(r, 2) ? 4 : 2;
    uint32_t v = interesting[rng_below(r, sizeof interesting / sizeof *interesting)];
    if (rng_below(r, 4) == 0) v = (uint32_t)(n - rng_below(r, 64));
    if (n >= (size_t)width) put_le(buf + rng_below(r, n - width + 1), v, width);
    break;
  }
  case 3:
    *len = rng_below(r, n + 1);
    break;
  case 4: { /* insert a few bytes */
    size_t k = 1 + rng_below(r, 8), at = rng_below(r, n + 1);
    if (n + k > MAX_INPUT) break;
    memmove(buf + at + k, buf + at, n - at);
    for (size_t i = 0; i < k; i++) buf[at + i] = (uint8_t)rng_next(r);
    *len = n + k;
    break;
  }
  case 5: { /* delete a few bytes */
    size_t at = rng_below(r, n + 1), k = rng_below(r, 9);
    if (at + k > n) k = n - at;
    memmove(buf + at, buf + at + k, n - at - k);
    *len = n - k;
    break;
  }
  default: { /* copy a region over another */
    if (n < 2) break;
    size_t a = rng_below(r, n), b = rng_below(r, n), k = 1 + rng_below(r, 46);
    if (a + k > n) k = n - a;
    if (b + k > n) k = n - b;
    memmove(buf + b, buf + a, k);
  }
  }
}

static size_t make_seeds(seed *seeds) {
  static const uint8_t wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  zb_entry a[] = {zb_manifest_entry()};
  zb_entry b[] = {zb_file("hooks/a.md", "hello"), zb_manifest_entry(),
                  {.name = "plugin.wasm", .data = wasm, .size = sizeof wasm}};
  zb_entry c[] = {zb_manifest_entry(), zb_file("x", ""), zb_file("y/z", "zz")};
  c[1].central_extra = 4;
  c[2].local_extra = 6;
  /* "a1" and "a3" differ in one bit: one flip makes a duplicate. */
  zb_entry d[] = {zb_manifest_entry(), zb_file("a1", "1"), zb_file("a3", "3")};
  zb_end comment = {.comment = "note", .comment_len = 4};
  size_t n = 0;
  seeds[n].len = zb_build(a, 1, NULL, &seeds[n].data), n++;
  seeds[n].len = zb_build(b, 3, NULL, &seeds[n].data), n++;
  seeds[n].len = zb_build(c, 3, &comment, &seeds[n].data), n++;
  seeds[n].len = zb_build(d, 3, NULL, &seeds[n].data), n++;
  return n;
}

static void test_mutation_run(void) {
  seed seeds[4];
  size_t nseeds = make_seeds(seeds);
  uint8_t *buf = malloc(MAX_INPUT);
  REQUIRE(buf);
  rng r = {0x9e3779b97f4a7c15ull};
  long kinds[WG_PKG_IO + 1] = {0};
  long accepted = 0, bad_accept = 0, bad_reject = 0;
  for (long it = 0; it < ITERATIONS; it++) {
    const seed *s = &seeds[rng_below(&r, nseeds)];
    memcpy(buf, s->data, s->len);
    size_t len = s->len;
    for (size_t m = 1 + rng_below(&r, 4); m > 0; m--) mutate(&r, buf, &len);
    wg_pkg *pkg = NULL;
    wg_pkg_diag d = {0};
    wg_pkg_code code = wg_pkg_open_bytes(buf, len, NULL, &pkg, &d);
    if (code == WG_PKG_OK) {
      accepted++;
      if (!zip_accepted_ok(pkg)) bad_accept++;
      wg_pkg_free(pkg);
      continue;
    }
    if (!zip_rejected_ok(code, &d)) bad_reject++;
    kinds[d.kind]++;
  }
  printf("accepted %ld; malformed %ld traversal %ld api %ld bounds %ld "
         "duplicate %ld missing %ld\n",
         accepted, kinds[WG_PKG_MALFORMED], kinds[WG_PKG_TRAVERSAL],
         kinds[WG_PKG_API], kinds[WG_PKG_BOUNDS], kinds[WG_PKG_DUPLICATE],
         kinds[WG_PKG_MISSING]);
  CHECK_INT(bad_accept, 0);
  CHECK_INT(bad_reject, 0);
  /* The run reaches every archive rule, and some mutants stay valid. */
  CHECK(accepted > 0);
  CHECK(kinds[WG_PKG_MALFORMED] > 0 && kinds[WG_PKG_TRAVERSAL] > 0 &&
        kinds[WG_PKG_API] > 0 && kinds[WG_PKG_BOUNDS] > 0 &&
        kinds[WG_PKG_DUPLICATE] > 0 && kinds[WG_PKG_MISSING] > 0);
  free(buf);
  for (size_t i = 0; i < nseeds; i++) free(seeds[i].data);
}

WG_TEST_LIST {
  WG_TEST(test_mutation_run),
};
WG_TEST_MAIN()
