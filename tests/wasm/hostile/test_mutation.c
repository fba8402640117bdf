/* test_mutation.c: deterministic random-mutation run over the converted spec
 * corpus (every *.wasm in a directory).
 *
 * usage: test_mutation [-n COUNT] [-s SEED] [-v] DIR
 *
 * Each of COUNT modules is a corpus file with 1-3 mutations (bit flips, byte
 * sets, inserts, deletes, chunk copies, LEB128 field rewrites, opcodes
 * written into the code section, section size edits) drawn from a seeded
 * xorshift64* generator, so a run is reproducible and a failure names the
 * iteration to replay. Each mutant goes through module_check.h's
 * mc_check_module (decoded, instantiated under tight limits, every export
 * called; what must hold is listed there), every 16th decoded twice.
 * ASan/UBSan/LSan in the asan build check the rest.
 * Prints the outcome counts and ends with `N passed, M failed`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile_util.h"
#include "module_check.h"
#include "wasmgate/wasm.h"

#define MUT_MAX_FILE (64u << 10)     /* corpus files larger are skipped */
#define MUT_MAX_GROWTH 64            /* bytes a mutant may gain */

typedef struct corpus_file {
  unsigned char *bytes;
  size_t len;
} corpus_file;

typedef struct mut_run {
  uint64_t rng;
  bool verbose;
  mc_run mc; /* the checks, their counts and the iteration */
} mut_run;

/* ---- Random numbers and mutations ---------------------------------------- */

static uint64_t next_u64(mut_run *r) {
  uint64_t x = r->rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->rng = x;
  return x * 0x2545F4914F6CDD1Dull;
}

static size_t below(mut_run *r, size_t n) { return n ? next_u64(r) % n : 0; }

/* Values that sit on decoder edge cases. */
static uint64_t interesting(mut_run *r) {
  static const uint64_t v[] = {0, 1, 2, 0x3f, 0x40, 0x7f, 0x80, 0xff, 0x100,
                               0x3fff, 0x4000, 0xffff, 0x10000, 0x7fffffff,
                               0x80000000, 0xffffffff, 0x100000000ull};
  if (below(r, 4) == 0) return next_u64(r) & 0xffffffff;
  return v[below(r, sizeof v / sizeof v[0])];
}

/* Encodes v as unsigned LEB128, sometimes padded (overlong) to 5 bytes. */
static size_t encode_leb(mut_run *r, uint64_t v, unsigned char out[10]) {
  size_t n = 0, min = below(r, 4) == 0 ? 5 : 1;
  bool more;
  do {
    unsigned char c = v & 0x7f;
    v >>= 7;
    more = v || n + 1 < min;
    out[n++] = (unsigned char)(more ? c | 0x80 : c);
  } while (more && n < 10);
  return n;
}

/* Length of the LEB128 at b[pos..len) (at most 10), 1 if none. */
static size_t leb_len(const unsigned char *b, size_t len, size_t pos) {
  size_t n = 0;
  while (pos + n < len && n < 10 && (b[pos + n] & 0x80)) n++;
  return pos + n < len ? n + 1 : 1;
}

/* Replaces b[pos, pos+old) with rep[0..n); *len grows or shrinks. The buffer
 * has room for MUT_MAX_GROWTH extra bytes beyond the original length. */
static void splice(unsigned char *b, size_t *len, size_t cap, size_t pos,
                   size_t old, const unsigned char *rep, size_t n) {
  if (pos > *len) pos = *len;
  if (old > *len - pos) old = *len - pos;
  if (*len - old + n > cap) return;
  memmove(b + pos + n, b + pos + old, *len - pos - old);
  memcpy(b + pos, rep, n);
  *len = *len - old + n;
}

/* Offset of a random section's size field (after the header), or 0. */
static size_t pick_section_size(mut_run *r, const unsigned char *b, size_t len) {
  size_t starts[64], count = 0, pos = 8;
  while (pos + 1 < len && count < 64) {
    starts[count++] = pos + 1;
    uint64_t size = 0;
    size_t p = pos + 1;
    for (unsigned shift = 0; p < len && shift < 35; shift += 7) {
      unsigned char c = b[p++];
      size |= (uint64_t)(c & 0x7f) << shift;
      if (!(c & 0x80)) break;
    }
    if (size > len - p) break;
    pos = p + size;
  }
  return count ? starts[below(r, count)] : 0;
}

/* [start, end) of the code section (id 10), or false if there is none. */
static bool find_code_section(const unsigned char *b, size_t len, size_t *start,
                              size_t *end) {
  size_t pos = 8;
  while (pos + 1 < len) {
    unsigned char id = b[pos];
    uint64_t size = 0;
    size_t p = pos + 1;
    for (unsigned shift = 0; p < len && shift < 35; shift += 7) {
      unsigned char c = b[p++];
      size |= (uint64_t)(c & 0x7f) << shift;
      if (!(c & 0x80)) break;
    }
    if (size > len - p) return false;
    if (id == 10 && size > 0) {
      *start = p;
      *end = p + size;
      return true;
    }
    pos = p + size;
  }
  return false;
}

/* A byte inside the code section becomes a plausible opcode, so the mutant
 * often still decodes and exercises the validator and the interpreter. */
static void mutate_opcode(mut_run *r, unsigned char *b, size_t len) {
  static const unsigned char ops[] = {
      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
      0x10, 0x11, 0x1a, 0x1b, 0x1c, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
      0x26, 0x28, 0x2d, 0x36, 0x3a, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44,
      0x45, 0x46, 0x50, 0x67, 0x6a, 0x6d, 0x7c, 0x7f, 0x8b, 0x92, 0xa0,
      0xa8, 0xab, 0xbc, 0xc0, 0xc4, 0xd0, 0xd1, 0xd2, 0xfc};
  size_t start, end;
  if (find_code_section(b, len, &start, &end))
    b[start + below(r, end - start)] = ops[below(r, sizeof ops)];
}

static void mutate_once(mut_run *r, unsigned char *b, size_t *len, size_t cap) {
  unsigned char tmp[16];
  size_t pos = below(r, *len + 1);
  switch (below(r, 9)) {
  case 0: /* flip one bit */
    if (*len) b[below(r, *len)] ^= (unsigned char)(1u << below(r, 8));
    break;
  case 1: /* set one byte */
    if (*len) b[below(r, *len)] = (unsigned char)interesting(r);
    break;
  case 2: { /* insert 1-8 random bytes */
    size_t n = 1 + below(r, 8);
    for (size_t i = 0; i < n; i++) tmp[i] = (unsigned char)next_u64(r);
    splice(b, len, cap, pos, 0, tmp, n);
    break;
  }
  case 3: /* delete 1-16 bytes */
    splice(b, len, cap, pos, 1 + below(r, 16), tmp, 0);
    break;
  case 4: { /* copy a chunk over another place */
    size_t n = 1 + below(r, 16);
    if (*len > n) memmove(b + below(r, *len - n), b + below(r, *len - n), n);
    break;
  }
  case 5: /* rewrite a LEB128 field somewhere past the header */
    if (*len > 8) {
      pos = 8 + below(r, *len - 8);
      size_t n = encode_leb(r, interesting(r), tmp);
      splice(b, len, cap, pos, leb_len(b, *len, pos), tmp, n);
    }
    break;
  case 6:
    mutate_opcode(r, b, *len);
    break;
  default: { /* edit a section size: off by a little, or anything */
    size_t at = pick_section_size(r, b, *len);
    if (!at) break;
    uint64_t size = 0;
    size_t old = leb_len(b, *len, at);
    for (size_t i = 0; i < old && i < 5; i++)
      size |= (uint64_t)(b[at + i] & 0x7f) << (7 * i);
    uint64_t v = below(r, 2) ? size + below(r, 5) - 2 : interesting(r);
    size_t n = encode_leb(r, v & 0xffffffffu, tmp);
    splice(b, len, cap, at, old, tmp, n);
    break;
  }
  }
}

/* ---- Running a mutant ---------------------------------------------------- */

static void print_failure(mc_run *r, const char *what, const wg_wasm_error *err) {
  if (r->st.failed <= 50)
    printf("FAIL iteration %" PRIu64 ": %s (offset %zu: %s)\n", r->iteration,
           what, err ? err->offset : 0, err ? err->message : "");
}

/* ---- Main ---------------------------------------------------------------- */

static bool load_corpus(const char *dir, corpus_file **files, size_t *count) {
  struct dirent **ents;
  int n = scandir(dir, &ents, hostile_wasm_filter, alphasort);
  if (n < 0) return false;
  *files = calloc((size_t)n + 1, sizeof **files);
  *count = 0;
  for (int i = 0; i < n; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
    size_t len;
    unsigned char *b = *files ? hostile_read_file(path, MUT_MAX_FILE, &len) : NULL;
    if (b && len >= 8) (*files)[(*count)++] = (corpus_file){b, len};
    else free(b);
    free(ents[i]);
  }
  free(ents);
  return *files && *count > 0;
}

static void print_stats(const mc_stats *st) {
  printf("decode: ok %" PRIu64 ", malformed %" PRIu64 ", invalid %" PRIu64
         ", unsupported %" PRIu64 ", limit %" PRIu64 "\n",
         st->decoded[WG_WASM_OK], st->decoded[WG_WASM_MALFORMED],
         st->decoded[WG_WASM_INVALID], st->decoded[WG_WASM_UNSUPPORTED],
         st->decoded[WG_WASM_LIMIT]);
  printf("instantiate:");
  for (int i = WG_WASM_OK; i <= WG_WASM_ARGS; i++)
    if (st->instantiated[i])
      printf(" %s %" PRIu64, wg_wasm_code_name((wg_wasm_code)i),
             st->instantiated[i]);
  printf("\ncalls: returned %" PRIu64 ", trapped %" PRIu64 ", other %" PRIu64
         "\ntraps:",
         st->calls_ok, st->calls_trapped, st->calls_other);
  for (int i = WG_TRAP_UNREACHABLE; i <= WG_TRAP_HOST_ERROR; i++)
    if (st->traps[i])
      printf(" %s %" PRIu64, wg_trap_name((wg_trap)i), st->traps[i]);
  printf("\n");
}

int main(int argc, char **argv) {
  uint64_t count = 100000, seed = 0x5eed5eedull;
  const char *dir = NULL;
  mut_run r = {0};
  r.mc.fail = print_failure;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
      count = strtoull(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
      seed = strtoull(argv[++i], NULL, 0);
    else if (strcmp(argv[i], "-v") == 0) r.verbose = true;
    else if (!dir && argv[i][0] != '-') dir = argv[i];
    else {
      dir = NULL; /* anything unexpected: print the usage */
      break;
    }
  }
  corpus_file *files = NULL;
  size_t nfiles = 0;
  if (!dir || !load_corpus(dir, &files, &nfiles)) {
    fprintf(stderr, "usage: test_mutation [-n COUNT] [-s SEED] [-v] DIR "
                    "(a directory of .wasm files)\n");
    free(files);
    return 2;
  }
  r.rng = seed ? seed : 1;
  uint64_t start = wg_now_ns();
  unsigned char *buf = malloc(MUT_MAX_FILE + MUT_MAX_GROWTH);
  for (r.mc.iteration = 0; buf && r.mc.iteration < count; r.mc.iteration++) {
    const corpus_file *f = &files[below(&r, nfiles)];
    size_t len = f->len;
    memcpy(buf, f->bytes, len);
    for (size_t k = 0, n = 1 + below(&r, 3); k < n; k++)
      mutate_once(&r, buf, &len, f->len + MUT_MAX_GROWTH);
    /* Exact-size copy so ASan catches reads past the end. */
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact) break;
    memcpy(exact, buf, len);
    if (r.verbose) printf("iteration %" PRIu64 ": %zu bytes\n", r.mc.iteration, len);
    mc_check_module(&r.mc, exact, len, 16);
    free(exact);
  }
  printf("%" PRIu64 " mutants of %zu corpus files (seed 0x%" PRIx64
         ") in %.1f s\n",
         r.mc.iteration, nfiles, seed, (double)(wg_now_ns() - start) / 1e9);
  print_stats(&r.mc.st);
  printf("%" PRIu64 " passed, %" PRIu64 " failed\n", r.mc.st.passed, r.mc.st.failed);
  free(buf);
  for (size_t i = 0; i < nfiles; i++) free(files[i].bytes);
  free(files);
  bool complete = r.mc.iteration == count;
  return r.mc.st.failed || !complete ? 1 : 0;
}
