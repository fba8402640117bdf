/* bench_json.c: parse and canonicalize throughput of the JSON layer on a
 * 64 KiB tool-argument-like document (a benchmark, not a test).
 *
 * The document is generated deterministically (xorshift, fixed seed): an
 * object like an agent's tool call arguments, with a query, nested options,
 * a list of chat messages with prose, escapes and non-ASCII text, numbers
 * of every shape and a few deep filters. `--emit FILE` writes it so the
 * Python baseline (bench/json/run.sh) measures the very same bytes.
 *
 * Reported (MB = 10^6 bytes of the input document; the best of 7 runs of
 * about 0.3 s each, because the machine is shared and the best run is the
 * least disturbed one): parse, canonical write of a parsed tree, and
 * parse + canonical write end to end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/json.h"

enum { DOC_TARGET = 64 * 1024, RUNS = 7 };

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static const char *const words[] = {
    "weather", "forecast", "Paris", "temperature", "the", "a", "user",
    "asked", "for", "résumé", "naïve", "日本語", "emoji 😀", "tab\there",
    "line\nbreak", "quote \"x\"", "back\\slash", "path/to/file", "and",
    "with", "tool", "call", "result", "JSON", "schema", "München",
};

static void text(wg_json_writer *w, size_t nwords) {
  char buf[1024];
  size_t len = 0;
  for (size_t i = 0; i < nwords; i++) {
    const char *s = words[rnd() % (sizeof words / sizeof words[0])];
    size_t n = strlen(s);
    if (len + n + 1 >= sizeof buf) break;
    if (i) buf[len++] = ' ';
    memcpy(buf + len, s, n);
    len += n;
  }
  wg_json_writer_string(w, buf, len);
}

static void number(wg_json_writer *w) {
  static const char *const lex[] = {"0", "-0.0", "1e400", "3.14159",
                                    "123456789012345678901234567890",
                                    "-17", "2.5e-8", "1E+2"};
  switch (rnd() % 3) {
    case 0: wg_json_writer_int(w, (int64_t)(rnd() % 2000000) - 1000000); break;
    case 1: wg_json_writer_double(w, (double)(rnd() % 100000) / 128.0); break;
    default: {
      const char *s = lex[rnd() % 8];
      wg_json_writer_number(w, s, strlen(s));
    }
  }
}

static void message(wg_json_writer *w, int i) {
  char key[32];
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, "role", 4);
  wg_json_writer_cstr(w, i % 2 ? "assistant" : "user");
  wg_json_writer_key(w, "content", 7);
  text(w, 20 + rnd() % 60);
  wg_json_writer_key(w, "tokens", 6);
  number(w);
  wg_json_writer_key(w, "meta", 4);
  wg_json_writer_begin_object(w);
  for (int k = 0; k < 6; k++) {
    int n = snprintf(key, sizeof key, "k%02d_%u", (k * 7) % 6,
                     (unsigned)(rnd() % 1000));
    wg_json_writer_key(w, key, (size_t)n);
    if (k % 3 == 0) number(w);
    else if (k % 3 == 1) wg_json_writer_bool(w, rnd() & 1);
    else text(w, 2);
  }
  wg_json_writer_end_object(w);
  wg_json_writer_key(w, "filters", 7);
  for (int d = 0; d < 6; d++) {
    wg_json_writer_begin_array(w);
    wg_json_writer_begin_object(w);
    wg_json_writer_key(w, "op", 2);
    wg_json_writer_cstr(w, "and");
    wg_json_writer_key(w, "args", 4);
  }
  wg_json_writer_null(w);
  for (int d = 0; d < 6; d++) {
    wg_json_writer_end_object(w);
    wg_json_writer_end_array(w);
  }
  wg_json_writer_end_object(w);
}

static void make_doc(wg_buf *out) {
  wg_json_writer w;
  wg_json_writer_init(&w, out);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "query", 5);
  wg_json_writer_cstr(&w, "weather in Paris next week, metric units");
  wg_json_writer_key(&w, "options", 7);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "units", 5);
  wg_json_writer_cstr(&w, "metric");
  wg_json_writer_key(&w, "days", 4);
  wg_json_writer_int(&w, 7);
  wg_json_writer_key(&w, "lang", 4);
  wg_json_writer_cstr(&w, "fr");
  wg_json_writer_end_object(&w);
  wg_json_writer_key(&w, "messages", 8);
  wg_json_writer_begin_array(&w);
  for (int i = 0; out->len < DOC_TARGET - 1200; i++) message(&w, i);
  wg_json_writer_end_array(&w);
  wg_json_writer_end_object(&w);
}

static double now_s(void) { return (double)wg_now_ns() / 1e9; }

static int dbl_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Best MB/s over RUNS runs of ~0.3 s (mode: 0 parse, 1 write,
 * 2 both). */
static double measure(const wg_buf *doc, int mode) {
  wg_json_doc *tree = wg_json_parse(doc->data, doc->len, NULL, NULL);
  wg_buf out;
  wg_buf_init(&out, 0);
  double rates[RUNS];
  for (int r = 0; r < RUNS; r++) {
    size_t iters = 0;
    double t0 = now_s(), t;
    do {
      for (int k = 0; k < 16; k++) {
        wg_json_doc *d = NULL;
        if (mode != 1) d = wg_json_parse(doc->data, doc->len, NULL, NULL);
        if (mode != 0) {
          wg_buf_reset(&out);
          wg_json_write(wg_json_root(mode == 1 ? tree : d), true, &out);
        }
        wg_json_free(d);
      }
      iters += 16;
      t = now_s() - t0;
    } while (t < 0.3);
    rates[r] = (double)doc->len * (double)iters / t / 1e6;
  }
  wg_buf_free(&out);
  wg_json_free(tree);
  qsort(rates, RUNS, sizeof rates[0], dbl_cmp);
  return rates[RUNS - 1];
}

int main(int argc, char **argv) {
  wg_buf doc;
  wg_buf_init(&doc, 0);
  make_doc(&doc);
  wg_json_error err;
  wg_json_doc *d = wg_json_parse(doc.data, doc.len, NULL, &err);
  if (!d) {
    fprintf(stderr, "generated document does not parse: %s at %zu\n",
            err.message, err.offset);
    return 1;
  }
  wg_json_free(d);
  if (argc == 3 && strcmp(argv[1], "--emit") == 0) {
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(doc.data, 1, doc.len, f) != doc.len) return 1;
    fclose(f);
    printf("wrote %zu bytes to %s\n", doc.len, argv[2]);
    wg_buf_free(&doc);
    return 0;
  }
  printf("document: %zu bytes\n", doc.len);
  printf("wasmgate parse:            %8.1f MB/s\n", measure(&doc, 0));
  printf("wasmgate canonical write:  %8.1f MB/s\n", measure(&doc, 1));
  printf("wasmgate parse+canonical:  %8.1f MB/s\n", measure(&doc, 2));
  wg_buf_free(&doc);
  return 0;
}
