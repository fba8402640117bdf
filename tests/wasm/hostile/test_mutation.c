/* test_mutation.c: deterministic random-mutation run over the converted spec
 * corpus (every *.wasm in a directory).
 *
 * usage: test_mutation [-n COUNT] [-s SEED] [-v] DIR
 *
 * Each of COUNT modules is a corpus file with 1-3 mutations (bit flips, byte
 * sets, inserts, deletes, chunk copies, LEB128 field rewrites, opcodes
 * written into the code section, section size edits) drawn from a seeded
 * xorshift64* generator, so a run is reproducible and a failure names the
 * iteration to replay. Each mutant goes through wg_module_new; when it
 * decodes, it is instantiated in a fresh store through a wg_linker (stub
 * host functions and spectest-like memory/table/global defined for its
 * imports) under tight limits (fuel, deadline, 256 pages, call depth), and
 * every exported function is called with zero arguments of its parameter
 * types.
 *
 * Checked for every mutant (a violation is a failure): the result code is a
 * decoding outcome (OK, MALFORMED, UNSUPPORTED, INVALID, LIMIT); a failure
 * leaves no module, err.code matches, the offset lies inside the input
 * and the message is terminated; decoding is deterministic (every 16th
 * mutant is decoded twice); a call's outcome is OK (with results of the declared
 * types) or a typed trap. ASan/UBSan/LSan in the asan build check the rest.
 * Prints the outcome counts and ends with `N passed, M failed`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile_util.h"
#include "wasmgate/wasm.h"

#define MUT_MAX_FILE (64u << 10)     /* corpus files larger are skipped */
#define MUT_MAX_GROWTH 64            /* bytes a mutant may gain */
#define MUT_FUEL 100000              /* per call */
#define MUT_DEADLINE_NS 1000000000ull /* per call: a hang guard only */
#define MUT_MAX_PAGES 256
#define MUT_MAX_TABLE 100000
#define MUT_MAX_DEPTH 1000

typedef struct corpus_file {
  unsigned char *bytes;
  size_t len;
} corpus_file;

typedef struct mut_stats {
  uint64_t decoded[WG_WASM_ARGS + 1];
  uint64_t instantiated[WG_WASM_ARGS + 1];
  uint64_t calls_ok, calls_trapped, calls_other;
  uint64_t traps[WG_TRAP_HOST_ERROR + 1];
  uint64_t passed, failed;
} mut_stats;

typedef struct mut_run {
  uint64_t rng;
  uint64_t iteration;
  bool verbose;
  mut_stats st;
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

static void failure(mut_run *r, const char *what, const wg_wasm_error *err) {
  r->st.failed++;
  if (r->st.failed <= 50)
    printf("FAIL iteration %" PRIu64 ": %s (offset %zu: %s)\n", r->iteration,
           what, err ? err->offset : 0, err ? err->message : "");
}

static bool result_in_range(wg_wasm_code res) {
  return (unsigned)res <= (unsigned)WG_WASM_ARGS;
}

static wg_trap stub_host(wg_caller *c, void *user, const wg_val *args,
                         wg_val *results) {
  (void)c, (void)args;
  const wg_functype *ft = user;
  for (uint32_t i = 0; i < ft->result_count; i++) {
    memset(&results[i], 0, sizeof results[i]);
    results[i].type = ft->results[i];
  }
  return WG_TRAP_NONE;
}

/* Defines a stand-in for each import on the linker. Non-function imports
 * only give their kind, so they get spectest-like objects and may well fail
 * to link. A repeated (module, name) pair keeps its first definition. */
static bool define_imports(wg_store *s, wg_linker *l, const wg_module *m,
                           wg_functype *types) {
  for (size_t i = 0; i < wg_module_import_count(m); i++) {
    wg_import_info imp;
    if (!wg_module_import(m, i, &imp)) return false;
    wg_extern ext = {.kind = imp.kind};
    switch (imp.kind) {
    case WG_EXTERN_FUNC:
      types[i] = imp.functype;
      wg_linker_define_host_func(l, imp.module, imp.module_len, imp.name,
                                 imp.name_len, &types[i], stub_host, &types[i]);
      continue;
    case WG_EXTERN_TABLE:
      ext.of.table = wg_table_new(s, WG_FUNCREF, 10, true, 20);
      break;
    case WG_EXTERN_MEMORY:
      ext.of.memory = wg_memory_new(s, 1, true, 2);
      break;
    case WG_EXTERN_GLOBAL:
      ext.of.global = wg_global_new(
          s, WG_I32, false, (wg_val){.type = WG_I32, .of.i32 = 666});
      break;
    }
    if (!ext.of.table) return false; /* any member: they share storage */
    wg_linker_define_extern(l, imp.module, imp.module_len, imp.name,
                            imp.name_len, ext);
  }
  return true;
}

static void call_export(mut_run *r, wg_store *s, wg_func *f) {
  const wg_functype *ft = wg_func_type(f);
  wg_val args[64], results[64];
  if (!ft || ft->param_count > 64 || ft->result_count > 64) return;
  for (uint32_t i = 0; i < ft->param_count; i++) {
    memset(&args[i], 0, sizeof args[i]);
    args[i].type = ft->params[i];
  }
  wg_store_set_fuel(s, MUT_FUEL);
  wg_store_set_deadline(s, wg_now_ns() + MUT_DEADLINE_NS);
  wg_wasm_error err = {0};
  wg_wasm_code res = wg_func_call(s, f, args, ft->param_count, results,
                                    ft->result_count, &err);
  if (res == WG_WASM_OK) {
    r->st.calls_ok++;
    for (uint32_t i = 0; i < ft->result_count; i++)
      if (results[i].type != ft->results[i])
        failure(r, "result of the wrong type", &err);
  } else if (res == WG_WASM_TRAP && err.trap > WG_TRAP_NONE &&
             err.trap <= WG_TRAP_HOST_ERROR) {
    r->st.calls_trapped++;
    r->st.traps[err.trap]++;
  } else {
    r->st.calls_other++;
    failure(r, "call neither returned nor trapped with a typed trap", &err);
  }
}

static void run_instance(mut_run *r, const wg_module *m) {
  wg_limits lim = {.fuel = MUT_FUEL,
                   .deadline_ns = wg_now_ns() + MUT_DEADLINE_NS,
                   .max_memory_pages = MUT_MAX_PAGES,
                   .max_table_elements = MUT_MAX_TABLE,
                   .max_call_depth = MUT_MAX_DEPTH};
  size_t n = wg_module_import_count(m);
  wg_store *s = wg_store_new(&lim);
  wg_linker *l = wg_linker_new();
  wg_functype *types = calloc(n + 1, sizeof *types);
  wg_instance *inst = NULL;
  wg_wasm_error err = {0};
  if (!s || !l || !types || !define_imports(s, l, m, types)) {
    failure(r, "cannot set up a store and imports", NULL);
    goto out;
  }
  wg_wasm_code res = wg_linker_instantiate(l, s, m, &inst, &err);
  if (!result_in_range(res)) {
    failure(r, "instantiation result out of range", &err);
    goto out;
  }
  r->st.instantiated[res]++;
  if (res != WG_WASM_OK) goto out;
  for (size_t i = 0; i < wg_module_export_count(m); i++) {
    wg_export_info ex;
    wg_extern ext;
    if (!wg_module_export(m, i, &ex) || ex.kind != WG_EXTERN_FUNC) continue;
    if (!wg_instance_export(inst, ex.name, ex.name_len, &ext) ||
        ext.kind != WG_EXTERN_FUNC) {
      failure(r, "declared function export not found on the instance", NULL);
      continue;
    }
    call_export(r, s, ext.of.func);
  }
out:
  wg_store_free(s);
  wg_linker_free(l);
  free(types);
}

static bool decode_ok(mut_run *r, wg_wasm_code res, const wg_module *m,
                      const wg_wasm_error *err, size_t len) {
  /* LIMIT: an implementation limit (say 4 billion locals) is neither
   * malformed nor invalid; the engine reports it as a limit. */
  if (res != WG_WASM_OK && res != WG_WASM_MALFORMED && res != WG_WASM_INVALID &&
      res != WG_WASM_UNSUPPORTED && res != WG_WASM_LIMIT) {
    failure(r, "decoding gave a result other than "
               "ok/malformed/invalid/unsupported/limit", err);
    return false;
  }
  if (res == WG_WASM_OK) {
    if (!m) failure(r, "OK without a module", err);
    return m != NULL;
  }
  if (m) failure(r, "failure left a module", err);
  else if (err->code != res) failure(r, "err.code differs", err);
  else if (err->offset > len) failure(r, "error offset past the input", err);
  else if (!memchr(err->message, '\0', sizeof err->message))
    failure(r, "message not terminated", err);
  else return true;
  return false;
}

static void run_mutant(mut_run *r, const unsigned char *bytes, size_t len) {
  wg_module *m = NULL;
  wg_wasm_error err;
  memset(&err, 0, sizeof err);
  wg_wasm_code res = wg_module_new(bytes, len, &m, &err);
  uint64_t failed_before = r->st.failed;
  if (result_in_range(res)) r->st.decoded[res]++;
  if (!decode_ok(r, res, m, &err, len)) goto out;
  if (r->iteration % 16 == 0) {
    wg_module *m2 = NULL;
    wg_wasm_error err2 = {0};
    wg_wasm_code res2 = wg_module_new(bytes, len, &m2, &err2);
    if (res2 != res || (res != WG_WASM_OK && err2.offset != err.offset))
      failure(r, "decoding the same bytes twice differs", &err2);
    wg_module_release(m2);
  }
  if (res == WG_WASM_OK) run_instance(r, m);
out:
  wg_module_release(m);
  if (r->st.failed == failed_before) r->st.passed++;
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

static void print_stats(const mut_stats *st) {
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
  for (r.iteration = 0; buf && r.iteration < count; r.iteration++) {
    const corpus_file *f = &files[below(&r, nfiles)];
    size_t len = f->len;
    memcpy(buf, f->bytes, len);
    for (size_t k = 0, n = 1 + below(&r, 3); k < n; k++)
      mutate_once(&r, buf, &len, f->len + MUT_MAX_GROWTH);
    /* Exact-size copy so ASan catches reads past the end. */
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact) break;
    memcpy(exact, buf, len);
    if (r.verbose) printf("iteration %" PRIu64 ": %zu bytes\n", r.iteration, len);
    run_mutant(&r, exact, len);
    free(exact);
  }
  printf("%" PRIu64 " mutants of %zu corpus files (seed 0x%" PRIx64
         ") in %.1f s\n",
         r.iteration, nfiles, seed, (double)(wg_now_ns() - start) / 1e9);
  print_stats(&r.st);
  printf("%" PRIu64 " passed, %" PRIu64 " failed\n", r.st.passed, r.st.failed);
  free(buf);
  for (size_t i = 0; i < nfiles; i++) free(files[i].bytes);
  free(files);
  bool complete = r.iteration == count;
  return r.st.failed || !complete ? 1 : 0;
}
