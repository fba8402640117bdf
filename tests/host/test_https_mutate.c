/* test_https_mutate.c: a deterministic mutation run over what a guest can
 * hand to `yoi:https.request`: seeds are descriptors below (allowed ones,
 * each refusal kind, secrets placeholders, odd hosts); a seeded xorshift
 * derives MUTATIONS inputs from them (byte flips, inserted JSON and URL
 * tokens, deletions, duplications, splices, truncations, one long value).
 * Each input goes through the decoder and the policy's static decision
 * (desc_check.h). Under ASan/UBSan this is the memory-safety net for the
 * whole pre-network path. Usage: test_https_mutate [MUTATIONS] [SEED] */
#include <stdlib.h>

#include "desc_check.h"

static const char *const seeds[] = {
  "{\"method\":\"GET\",\"url\":\"https://api.example.com/v1/items?q=1\"}",
  "{\"method\":\"POST\",\"url\":\"https://api.example.com/v1/hooks/{{secret:hook}}\","
  "\"headers\":[{\"name\":\"content-type\",\"value\":\"application/json\"}],\"body\":\"{}\"}",
  "{\"method\":\"PUT\",\"url\":\"https://a.b.example.org:8443/x/../y\",\"body\":null}",
  "{\"method\":\"DELETE\",\"url\":\"https://A.B.EXAMPLE.ORG.:8443/%2e%2e/z#frag\"}",
  "{\"method\":\"GET\",\"url\":\"https://0x7f.1/\",\"headers\":[]}",
  "{\"method\":\"GET\",\"url\":\"https://[::ffff:10.1.2.3]/\"}",
  "{\"method\":\"GET\",\"url\":\"https://user:pw@api.example.com/v1\"}",
  "{\"method\":\"GET\",\"url\":\"http://api.example.com/v1\"}",
  "{\"method\":\"GET\",\"url\":\"https://api.example.com\\\\@evil.test/v1\"}",
  "{\"method\":\"GET\",\"url\":\"https://xn--nxasmq6b.example.org:8443/\"}",
  "{\"method\":\"GET\",\"url\":\"https://\\u00e9xample.org/\"}",
  "{\"method\":\"GET\",\"url\":\"https://localhost/\"}",
  "{\"method\":\"get\",\"url\":\"https://api.example.com/v1\",\"headers\":[{\"name\":\"Host\","
  "\"value\":\"x\"},{\"name\":\"authorization\",\"value\":\"y\"}]}",
  "{\"method\":\"GET\",\"url\":\"https://api.example.com/v1\",\"headers\":[{\"name\":\"x\","
  "\"value\":\"a\\r\\nb\"}],\"extra\":1}",
  "{\"url\":\"https://[fe80::1%25eth0]/\",\"method\":\"GET\"}",
  "{\"method\":\"GET\",\"url\":\"https://2130706433/\"}",
};

static const char *const tokens[] = {
  "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "1e999",
  "{{secret:hook}}", "{{secret:tok}}", "{{secret:", "%2e", "%2E%2e", "%", "%00", "..", "/",
  "?", "#", "@", "[::1]", "[", "0x", "0177.", ".", ":", ":0", ":65536", "https://", "http:",
  "\"headers\":[{\"name\":\"a\",\"value\":\"b\"}]", "\"body\":\"", "\xff", "\xc3\xa9",
  "xn--", "*.", "localhost", "127.0.0.1", "10.1.2.3", "\t", " ",
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

enum { MAX_INPUT = 60000 };

static size_t mutate(rng *r, char *buf, size_t len) {
  int rounds = 1 + (int)below(r, 4);
  for (int k = 0; k < rounds; k++) {
    size_t at = below(r, len + 1);
    switch (below(r, 7)) {
    case 0: /* flip a byte */
      if (len) buf[below(r, len)] ^= (char)(1u << below(r, 8));
      break;
    case 1: { /* insert a token */
      const char *t = tokens[below(r, sizeof tokens / sizeof tokens[0])];
      size_t n = strlen(t);
      if (len + n >= MAX_INPUT) break;
      memmove(buf + at + n, buf + at, len - at);
      memcpy(buf + at, t, n);
      len += n;
      break;
    }
    case 2: { /* delete a range */
      size_t n = below(r, 16) + 1;
      if (at + n > len) n = len - at;
      memmove(buf + at, buf + at + n, len - at - n);
      len -= n;
      break;
    }
    case 3: { /* duplicate a range */
      size_t n = below(r, 32) + 1;
      if (at + n > len) n = len - at;
      if (len + n >= MAX_INPUT) break;
      memmove(buf + at + n, buf + at, len - at);
      len += n;
      break;
    }
    case 4: /* truncate */
      len = at;
      break;
    case 5: { /* splice in part of another seed */
      const char *s = seeds[below(r, sizeof seeds / sizeof seeds[0])];
      size_t sl = strlen(s), from = below(r, sl), n = below(r, sl - from) + 1;
      if (len + n >= MAX_INPUT) break;
      memmove(buf + at + n, buf + at, len - at);
      memcpy(buf + at, s + from, n);
      len += n;
      break;
    }
    default: { /* one long run (a long host label, path, value, body) */
      size_t n = below(r, 4) == 0 ? 40000 : below(r, 300) + 1;
      if (len + n >= MAX_INPUT) break;
      memmove(buf + at + n, buf + at, len - at);
      memset(buf + at, "a.%/0"[below(r, 5)], n);
      len += n;
      break;
    }
    }
  }
  return len;
}

int main(int argc, char **argv) {
  long mutations = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
  rng r = {argc > 2 ? strtoull(argv[2], NULL, 10) : 0x9e3779b97f4a7c15ull};
  desc_env env;
  if (!desc_env_init(&env)) {
    fprintf(stderr, "cannot build the test config\n");
    return 1;
  }
  static char buf[MAX_INPUT];
  long bad = 0;
  size_t nseeds = sizeof seeds / sizeof seeds[0];
  for (size_t i = 0; i < nseeds; i++)
    if (!desc_check_one(&env, seeds[i], strlen(seeds[i]))) bad++;
  size_t seed_accepted = env.accepted;
  for (long i = 0; i < mutations; i++) {
    const char *s = seeds[below(&r, nseeds)];
    size_t len = strlen(s);
    memcpy(buf, s, len);
    len = mutate(&r, buf, len);
    if (!desc_check_one(&env, buf, len)) {
      fprintf(stderr, "mutation %ld violates the property\n", i);
      bad++;
    }
  }
  printf("%zu of %zu seeds allowed; %ld mutations: %zu allowed, %zu refused, %ld violations\n",
         seed_accepted, nseeds, mutations, env.accepted - seed_accepted, env.refused - (nseeds - seed_accepted),
         bad);
  desc_env_free(&env);
  printf("%ld passed, %ld failed\n", mutations + (long)nseeds - bad, bad);
  return bad ? 1 : 0;
}
