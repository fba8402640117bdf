/* test_manifest_mutate.c: a deterministic mutation run over plugin.toml
 * parsing, validation and the per-tool checks (seeded xorshift, 500,000 inputs
 * derived from valid manifests by byte flips, insertion of TOML-significant
 * tokens, deletion, duplication and truncation). Invariants: those of
 * manifest_check.h (fuzz/fuzz_manifest.c checks the same). ASan/UBSan check
 * every byte touched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "wasmgate/manifest.h"
#include "manifest_check.h"

enum { ITERATIONS = 500000, MAX_INPUT = 8192 };

static const char *const seeds[] = {
  "schema_version = 1\nid = \"QZ\"\nname = \"QZ name\"\nversion = \"QZ1\"\n"
  "description = \"QZ desc\"\nsurfaces = [\"tool\", \"hook\"]\n"
  "permissions = [ { kind = \"surface\", surface = \"tool\" }, "
  "{ kind = \"tool\", name = \"QZtool\" }, { kind = \"tool_namespace\", "
  "namespace = \"QZ\" }, { kind = \"external_write\" }, "
  "{ kind = \"host_api\", api = \"https\" } ]\n"
  "hooks = [{ id = \"QZh\", file = \"QZ/h.wasm\" }]\n"
  "[runtime]\nkind = \"wasm\"\nentry = \"QZ.wasm\"\nabi = \"yoi-plugin-wasm-1\"\n"
  "[[tools]]\nname = \"QZtool\"\ndescription = \"QZ tool\\n\\tmore\"\n"
  "external_write = true\n"
  "input_schema = { type = \"object\", required = [\"QZa\"], properties = { "
  "QZa = { type = \"string\", enum = [\"QZx\", \"QZy\"] }, "
  "QZb = { type = \"number\", minimum = 1.5, maximum = 1e3 }, "
  "QZc = { type = \"array\", items = { type = \"integer\" } } } }\n",

  "schema_version = 1\nid = \"QZ.id\"\nname = \"QZ\"\nversion = \"QZ\"\n"
  "[[tools]]\nname = \"QZ.one\"\ndescription = \"QZ\"\n"
  "[tools.input_schema]\ntype = \"object\"\n"
  "[tools.input_schema.properties.QZq]\ntype = \"string\"\n"
  "pattern = \"^QZ[a-z]+$\"\ndefault = \"QZ\"\n"
  "[[tools]]\nname = \"QZtwo\"\ndescription = \"QZ\"\n"
  "input_schema = { type = \"object\", additionalProperties = { type = \"boolean\" } }\n",
};

/* Tokens that steer mutations toward interesting TOML. */
static const char *const tokens[] = {
  "=", "[", "]", "{", "}", ",", "\"", "'", "\n", "#", ".", "[[", "]]",
  "1979-05-27", "07:32:00", "nan", "inf", "-inf", "1e400", "0x10", "true",
  "\"\"\"", "\\u0000", "\\u00e9", "QZ", "kind", "type", "\"object\"",
  "schema_version", "tools", "runtime", "input_schema", "surfaces",
  "999", "-1", "4294967296", "\xE6\xA9\x9F", "\r\n", "\t",
};

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

static void insert(char *buf, size_t *len, size_t at, const char *s, size_t n) {
  if (*len + n > MAX_INPUT) return;
  memmove(buf + at + n, buf + at, *len - at);
  memcpy(buf + at, s, n);
  *len += n;
}

static void mutate(rng *r, char *buf, size_t *len) {
  size_t rounds = 1 + rng_below(r, 4);
  for (size_t k = 0; k < rounds; k++) {
    size_t at = rng_below(r, *len + 1);
    switch (rng_below(r, 5)) {
    case 0:
      if (at < *len) buf[at] = (char)rng_next(r);
      break;
    case 1: {
      const char *t = tokens[rng_below(r, sizeof tokens / sizeof tokens[0])];
      insert(buf, len, at, t, strlen(t));
      break;
    }
    case 2: {
      size_t n = rng_below(r, 16);
      if (at + n > *len) n = *len - at;
      memmove(buf + at, buf + at + n, *len - at - n);
      *len -= n;
      break;
    }
    case 3: {
      size_t from = rng_below(r, *len), n = rng_below(r, 32);
      if (from + n > *len) n = *len - from;
      char tmp[32];
      memcpy(tmp, buf + from, n);
      insert(buf, len, at, tmp, n);
      break;
    }
    default:
      if (rng_below(r, 8) == 0) *len = at;
      break;
    }
  }
}

static int failures;

static void fail(const char *what, const char *text, size_t len) {
  if (failures++ < 5)
    fprintf(stderr, "  %s on input of %zu bytes: %.*s\n", what, len,
            (int)(len > 200 ? 200 : len), text);
}

static void test_mutated_manifests(void) {
  rng r = {0x9E3779B97F4A7C15ull};
  char *buf = malloc(MAX_INPUT);
  REQUIRE(buf != NULL);
  size_t accepted = 0, rejected = 0;
  for (int it = 0; it < ITERATIONS; it++) {
    const char *seed = seeds[rng_below(&r, sizeof seeds / sizeof seeds[0])];
    size_t len = strlen(seed);
    memcpy(buf, seed, len);
    mutate(&r, buf, &len);
    /* An exact-size copy, so ASan sees any read past the end. */
    char *exact = malloc(len ? len : 1);
    REQUIRE(exact != NULL);
    memcpy(exact, buf, len);
    wg_manifest *m = NULL;
    wg_pkg_diag d;
    wg_pkg_code rc = wg_manifest_parse(exact, len, &m, &d);
    free(exact);
    const char *why;
    if (rc == WG_PKG_OK) {
      accepted++;
      why = manifest_accepted_check(m);
      if (why) fail(why, buf, len);
      wg_manifest_free(m);
      continue;
    }
    rejected++;
    why = manifest_rejected_check(rc, m, &d, len);
    if (why) fail(why, buf, len);
  }
  free(buf);
  printf("  %zu accepted, %zu rejected\n", accepted, rejected);
  CHECK_INT(accepted + rejected, ITERATIONS);
  /* Both outcomes must be well represented for the run to mean anything. */
  CHECK(accepted > ITERATIONS / 20);
  CHECK(rejected > ITERATIONS / 4);
  CHECK_INT(failures, 0);
}

WG_TEST_LIST {
  WG_TEST(test_mutated_manifests),
};
WG_TEST_MAIN()
