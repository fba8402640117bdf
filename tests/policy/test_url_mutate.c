/* test_url_mutate.c: a deterministic mutation run over the policy's URL
 * and host parsers (seeded xorshift; 200,000 inputs derived from the URLs
 * of url_cases.tsv by byte flips, insertion of URL-significant tokens,
 * deletion, duplication and truncation), each checked with url_check.h's
 * invariants. Meant for the ASan build, cheap enough for both.
 * argv: url_cases.tsv [iterations]. */
#include <stdio.h>

#include "../test_file.h"
#include "url_check.h"

enum { MAX_INPUT = 2048, MAX_SEEDS = 512 };

static const char *const tokens[] = {
    "https://", "http:", "//", "\\", "@", ":", "[", "]", "%25", "%2e", "%2E", "%00", "%2f",
    "%ff", "..", ".", "/", "?", "#", "0x", "0", "127.1", "::", "::ffff:", "64:ff9b::", "xn--",
    "localhost", "{{secret:", "}}", "{", "\xc3\xbc", "\xef\xbd\x8c", "\xe3\x80\x82", "\t", " ",
    "4294967295", "65536", ":0", ":443", "%",
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

static size_t mutate(rng *r, char *buf, size_t n) {
  int steps = 1 + (int)(next(r) % 4);
  for (int k = 0; k < steps; k++) {
    size_t at = n ? next(r) % (n + 1) : 0;
    switch (next(r) % 6) {
    case 0: /* flip a byte */
      if (n) buf[at % n] = (char)(next(r) & 0xff);
      break;
    case 1: { /* insert a token */
      const char *t = tokens[next(r) % (sizeof tokens / sizeof tokens[0])];
      size_t tl = strlen(t);
      if (n + tl >= MAX_INPUT) break;
      memmove(buf + at + tl, buf + at, n - at);
      memcpy(buf + at, t, tl);
      n += tl;
      break;
    }
    case 2: { /* delete a run */
      size_t len = 1 + next(r) % 8;
      if (at + len > n) len = n - at;
      memmove(buf + at, buf + at + len, n - at - len);
      n -= len;
      break;
    }
    case 3: { /* duplicate a run */
      size_t len = 1 + next(r) % 16;
      if (at + len > n) len = n - at;
      if (n + len >= MAX_INPUT) break;
      memmove(buf + at + len, buf + at, n - at);
      n += len;
      break;
    }
    case 4: /* truncate */
      n = at;
      break;
    default: /* ASCII case flip */
      if (n && ((buf[at % n] | 0x20) >= 'a' && (buf[at % n] | 0x20) <= 'z')) buf[at % n] ^= 0x20;
      break;
    }
  }
  return n;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_url_mutate URL_CASES [ITERATIONS]\n");
    return 2;
  }
  long iterations = argc > 2 ? atol(argv[2]) : 200000;
  size_t len;
  char *text = wg_test_read_file(argv[1], 1 << 20, &len);
  if (!text) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  const char *seeds[MAX_SEEDS];
  size_t seed_len[MAX_SEEDS], ns = 0;
  for (char *p = text; *p && ns < MAX_SEEDS;) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = '\0';
    char *tab = strchr(p, '\t');
    if (p[0] != '#' && tab && tab > p) {
      seeds[ns] = p;
      seed_len[ns++] = (size_t)(tab - p);
    }
    if (!nl) break;
    p = nl + 1;
  }
  rng r = {0x9E3779B97F4A7C15ull};
  char buf[MAX_INPUT];
  for (size_t i = 0; i < ns; i++) uc_check((const uint8_t *)seeds[i], seed_len[i]);
  for (long it = 0; it < iterations; it++) {
    size_t k = next(&r) % ns, n = seed_len[k] < MAX_INPUT ? seed_len[k] : MAX_INPUT - 1;
    memcpy(buf, seeds[k], n);
    n = mutate(&r, buf, n);
    uc_check((const uint8_t *)buf, n);
  }
  printf("%zu seeds, %ld mutations: all invariants held\n", ns, iterations);
  free(text);
  return 0;
}
