/* test_json_mutate.c: a deterministic mutation run over the parser and the
 * writers. Seeds are the vendored JSONTestSuite files plus documents below;
 * a seeded xorshift derives MUTATIONS inputs from them (byte flips, inserted
 * JSON punctuation, deletions, duplications, splices, truncations). For each
 * input: parse; on error the status, offset and message must be sane; on
 * success the input must be valid UTF-8, every span must lie inside the
 * input, and parse -> canonical -> parse must give an equal tree whose
 * canonical text is identical (and the same for the compact form), the
 * number helpers must agree with each other, equality with the previous
 * accepted document must be symmetric, and (every 4th input) a random
 * sequence of streaming-writer calls must give valid output. Under
 * ASan/UBSan this is the memory-safety net for every parser path.
 * Usage: test_json_mutate SUITE_DIR [MUTATIONS] [SEED] */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/json.h"

enum { MUT_MAX_SEEDS = 512, MUT_MAX_SEED_BYTES = 4096, MUT_MAX_INPUT = 8192 };

typedef struct seed {
  char *data;
  size_t len;
} seed;

static const char *const own_docs[] = {
    "{\"query\":\"weather in Paris\",\"units\":\"metric\",\"days\":3}",
    "{\"b\":1,\"a\":[1,2.5e-3,-0.0,1e400,true,false,null],\"c\":{\"d\":\"\\u00e9\"}}",
    "[\"\\ud83d\\ude00\",\"\\u0000\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\xE2\x80\xA8\"]",
    "{\"\":{\"\":{\"\":[[[[{}]]]]}}}",
    "[123456789012345678901234567890,-9223372036854775808,18446744073709551616]",
    ("{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,"
     "\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10}"),
    "  \t\r\n[ 1 , { \"x\" : [ ] } ]  ",
    "\"\xF0\x9F\x98\x80 \xC3\xA9 \xE4\xB8\xAD\"",
};

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t next(rng *r) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return r->s;
}

static size_t below(rng *r, size_t n) { return n ? (size_t)(next(r) % n) : 0; }

static size_t load_seeds(const char *dir, seed *seeds) {
  size_t n = 0;
  for (size_t i = 0; i < sizeof own_docs / sizeof own_docs[0]; i++) {
    seeds[n].len = strlen(own_docs[i]);
    seeds[n].data = malloc(seeds[n].len + 1);
    memcpy(seeds[n].data, own_docs[i], seeds[n].len + 1);
    n++;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/test_parsing", dir);
  DIR *d = opendir(path);
  if (!d) return n;
  /* readdir order is not stable; sort names so the run is deterministic. */
  char *names[MUT_MAX_SEEDS];
  size_t nn = 0;
  struct dirent *de;
  while ((de = readdir(d)) && nn < MUT_MAX_SEEDS)
    if (strstr(de->d_name, ".json")) names[nn++] = strdup(de->d_name);
  closedir(d);
  for (size_t i = 1; i < nn; i++) /* insertion sort: a few hundred names */
    for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char *t = names[j];
      names[j] = names[j - 1];
      names[j - 1] = t;
    }
  for (size_t i = 0; i < nn; i++) {
    snprintf(path, sizeof path, "%s/test_parsing/%s", dir, names[i]);
    free(names[i]);
    FILE *f = fopen(path, "rb");
    if (!f || n >= MUT_MAX_SEEDS) {
      if (f) fclose(f);
      continue;
    }
    char *buf = malloc(MUT_MAX_SEED_BYTES);
    size_t len = fread(buf, 1, MUT_MAX_SEED_BYTES, f);
    fclose(f);
    seeds[n].data = buf;
    seeds[n].len = len;
    n++;
  }
  return n;
}

/* Applies 1-4 random edits to buf[0..*len) (capacity MUT_MAX_INPUT). */
static void mutate(rng *r, char *buf, size_t *len, const seed *seeds,
                   size_t nseeds) {
  static const char punct[] = "{}[]\",:\\-+.eE0123456789 \t\ntfnu\x00\x1f\x7f"
                              "\x80\xBF\xC3\xED\xEF\xF0\xF4\xFF";
  size_t edits = 1 + below(r, 4);
  for (size_t e = 0; e < edits; e++) {
    size_t n = *len, at = below(r, n + 1);
    switch (below(r, 7)) {
      case 0: /* flip a bit */
        if (n) buf[below(r, n)] ^= (char)(1u << below(r, 8));
        break;
      case 1: /* insert a byte JSON cares about */
        if (n < MUT_MAX_INPUT) {
          memmove(buf + at + 1, buf + at, n - at);
          buf[at] = punct[below(r, sizeof punct - 1)];
          *len = n + 1;
        }
        break;
      case 2: { /* delete a range */
        size_t k = below(r, 8) + 1;
        if (k > n - at) k = n - at;
        memmove(buf + at, buf + at + k, n - at - k);
        *len = n - k;
        break;
      }
      case 3: { /* duplicate a range */
        size_t k = below(r, 16) + 1;
        if (k > n - at) k = n - at;
        if (n + k <= MUT_MAX_INPUT) {
          memmove(buf + at + k, buf + at, n - at);
          *len = n + k;
        }
        break;
      }
      case 4: { /* splice in a piece of another seed */
        const seed *s = &seeds[below(r, nseeds)];
        size_t from = below(r, s->len + 1), k = below(r, 32);
        if (k > s->len - from) k = s->len - from;
        if (n + k <= MUT_MAX_INPUT) {
          memmove(buf + at + k, buf + at, n - at);
          memcpy(buf + at, s->data + from, k);
          *len = n + k;
        }
        break;
      }
      case 5: /* truncate */
        *len = at;
        break;
      default: /* overwrite a byte */
        if (n) buf[below(r, n)] = punct[below(r, sizeof punct - 1)];
        break;
    }
  }
}

/* Every node's span lies inside the input and inside its parent's. */
static bool spans_ok(const wg_json *root, size_t len) {
  /* Every node takes at least one input byte: len + 1 slots suffice. */
  const wg_json **stack = malloc((len + 1) * sizeof *stack);
  size_t depth = 0, seen = 0;
  bool ok = true;
  stack[depth++] = root;
  while (depth && ok) {
    const wg_json *v = stack[--depth];
    if (v->start >= v->end || v->end > len || ++seen > len) ok = false;
    size_t n = v->type == WG_JSON_ARRAY    ? v->u.array.count
               : v->type == WG_JSON_OBJECT ? v->u.object.count
                                           : 0;
    for (size_t i = 0; i < n; i++) {
      const wg_json *c = v->type == WG_JSON_ARRAY ? v->u.array.items[i]
                                                  : v->u.object.members[i].value;
      if (c->start <= v->start || c->end >= v->end || depth >= len) {
        ok = false;
        break;
      }
      stack[depth++] = c;
    }
  }
  free(stack);
  return ok;
}

/* parse -> write -> parse: equal trees, identical second output. */
static bool round_trip(const wg_json *v, bool canonical) {
  wg_buf a, b;
  wg_buf_init(&a, 0);
  wg_buf_init(&b, 0);
  bool ok = wg_json_write(v, canonical, &a);
  wg_json_doc *d = ok ? wg_json_parse(a.data, a.len, NULL, NULL) : NULL;
  ok = d && wg_json_equal(v, wg_json_root(d)) &&
       wg_json_write(wg_json_root(d), canonical, &b) && a.len == b.len &&
       memcmp(a.data, b.data, a.len) == 0;
  wg_json_free(d);
  wg_buf_free(&a);
  wg_buf_free(&b);
  return ok;
}

/* Pretty output parses back to an equal tree. */
static bool pretty_ok(const wg_json *v) {
  wg_buf a;
  wg_buf_init(&a, 0);
  bool ok = wg_json_write_pretty(v, true, 2, &a);
  wg_json_doc *d = ok ? wg_json_parse(a.data, a.len, NULL, NULL) : NULL;
  ok = d && wg_json_equal(v, wg_json_root(d));
  wg_json_free(d);
  wg_buf_free(&a);
  return ok;
}

/* Exercises the number helpers on a root number (results are checked for
 * consistency: an int64 must compare equal to its own lexeme). */
static bool numbers_ok(const wg_json *v) {
  if (v->type != WG_JSON_NUMBER) return true;
  int64_t i;
  uint64_t u;
  double x;
  bool is_int = wg_json_is_integer(v);
  if (wg_json_to_int64(v, &i) && !is_int) return false;
  if (wg_json_to_uint64(v, &u) && !is_int) return false;
  (void)wg_json_to_double(v, &x);
  return wg_json_number_cmp(v, v) == 0;
}

/* Drives the streaming writer with random calls (misuse included): its
 * text must always be valid UTF-8, and must parse whenever finish says it
 * is complete. Keys and strings come from random bytes of buf. */
static bool writer_ok(rng *r, const char *buf, size_t len) {
  wg_buf out;
  wg_buf_init(&out, 1 << 16);
  wg_json_writer w;
  wg_json_writer_init(&w, &out);
  size_t calls = 1 + below(r, 40);
  for (size_t c = 0; c < calls; c++) {
    size_t at = below(r, len + 1), n = below(r, 12);
    if (n > len - at) n = len - at;
    switch (below(r, 12)) {
      case 0: wg_json_writer_begin_object(&w); break;
      case 1: wg_json_writer_end_object(&w); break;
      case 2: wg_json_writer_begin_array(&w); break;
      case 3: wg_json_writer_end_array(&w); break;
      case 4: wg_json_writer_key(&w, buf + at, n); break;
      case 5: wg_json_writer_string(&w, buf + at, n); break;
      case 6: wg_json_writer_int(&w, (int64_t)next(r)); break;
      case 7: {
        uint64_t bits = next(r);
        double x;
        memcpy(&x, &bits, sizeof x);
        wg_json_writer_double(&w, x);
        break;
      }
      case 8: wg_json_writer_number(&w, buf + at, n); break;
      case 9: wg_json_writer_null(&w); break;
      case 10: wg_json_writer_bool(&w, next(r) & 1); break;
      default: /* finish what is open, usually */
        while (w.depth && !w.misused && next(r) % 8) {
          if (w.after_key) wg_json_writer_null(&w);
          if (w.in_object[(w.depth - 1) / 8] >> ((w.depth - 1) % 8) & 1)
            wg_json_writer_end_object(&w);
          else
            wg_json_writer_end_array(&w);
        }
    }
  }
  bool ok = !out.data || wg_utf8_valid((const uint8_t *)out.data, out.len);
  if (ok && wg_json_writer_finish(&w)) {
    wg_json_doc *d = wg_json_parse(out.data, out.len, NULL, NULL);
    ok = d != NULL;
    wg_json_free(d);
  }
  wg_buf_free(&out);
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s SUITE_DIR [MUTATIONS] [SEED]\n", argv[0]);
    return 2;
  }
  size_t total = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
  rng r = {argc > 3 ? strtoull(argv[3], NULL, 10) : 0x9E3779B97F4A7C15ull};
  if (!r.s) r.s = 1;
  static seed seeds[MUT_MAX_SEEDS];
  size_t nseeds = load_seeds(argv[1], seeds);
  static char buf[MUT_MAX_INPUT];
  /* Accepted mutants go into a ring that later inputs also derive from, so
   * the run keeps producing new valid documents, not only rejects. */
  static seed pool[256];
  size_t npool = 0, pool_next = 0;
  size_t accepted = 0, failed = 0;
  wg_json_doc *prev = NULL;
  wg_json_limits small = {.max_depth = 8, .max_members = 16,
                          .max_string_len = 32};
  for (size_t it = 0; it < total; it++) {
    const seed *s = npool && next(&r) % 2 ? &pool[below(&r, npool)]
                                          : &seeds[below(&r, nseeds)];
    size_t len = s->len < MUT_MAX_INPUT ? s->len : MUT_MAX_INPUT;
    memcpy(buf, s->data, len);
    if (it % 8) mutate(&r, buf, &len, seeds, nseeds); /* 1 in 8 unmutated */
    const wg_json_limits *lim = it % 5 == 0 ? &small : NULL;
    wg_json_error err;
    wg_json_doc *d = wg_json_parse(buf, len, lim, &err);
    const char *why = NULL;
    if (!d) {
      if (err.code == WG_JSON_OK || err.code > WG_JSON_NOMEM)
        why = "bad status";
      else if (err.offset > len) why = "offset past end";
      else if (!err.message[0]) why = "empty message";
    } else {
      const wg_json *v = wg_json_root(d);
      accepted++;
      if (len > 0 && it % 8) {
        seed *slot = &pool[pool_next];
        pool_next = (pool_next + 1) % 256;
        if (npool < 256) npool++;
        free(slot->data);
        slot->data = malloc(len);
        memcpy(slot->data, buf, len);
        slot->len = len;
      }
      if (!wg_utf8_valid((const uint8_t *)buf, len)) why = "accepted bad UTF-8";
      else if (!spans_ok(v, len)) why = "bad span";
      else if (!round_trip(v, true)) why = "canonical round trip";
      else if (!round_trip(v, false)) why = "compact round trip";
      else if (it % 4 == 1 && !pretty_ok(v)) why = "pretty round trip";
      else if (!numbers_ok(v)) why = "number helpers";
      else if (prev && wg_json_equal(v, wg_json_root(prev)) !=
                           wg_json_equal(wg_json_root(prev), v))
        why = "equality not symmetric";
    }
    if (!why && it % 4 == 0 && !writer_ok(&r, buf, len))
      why = "streaming writer";
    if (why) {
      failed++;
      fprintf(stderr, "FAIL input %zu (%s): ", it, why);
      fwrite(buf, 1, len < 200 ? len : 200, stderr);
      fputc('\n', stderr);
    }
    if (d) { /* keep the last accepted document for the symmetry check */
      wg_json_free(prev);
      prev = d;
    }
  }
  wg_json_free(prev);
  for (size_t i = 0; i < nseeds; i++) free(seeds[i].data);
  for (size_t i = 0; i < npool; i++) free(pool[i].data);
  printf("%zu inputs, %zu accepted, %zu rejected\n", total, accepted,
         total - accepted);
  printf("%zu passed, %zu failed\n", total - failed, failed);
  return failed || nseeds < 300 ? 1 : 0;
}
