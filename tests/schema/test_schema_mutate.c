/* test_schema_mutate.c: seeded mutation testing of the schema layer.
 *
 * Every schema of the vendored suite is mutated (byte flips, inserts,
 * deletes, token splices) with a fixed seed; each mutant that still parses
 * as JSON is compiled with small limits and, if it compiles, validated
 * against every instance of its suite case. Random ECMA-ish patterns are
 * compiled and matched the same way. Checked on every run: what
 * schema_check.h lists (each outcome and its code agree, messages are
 * non-empty and NUL-terminated inside their arrays; fuzz/fuzz_schema.c
 * checks the same). Under ASan this is also a memory-safety and leak
 * check. Usage: test_schema_mutate DIR [rounds]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/json.h"
#include "wasmgate/schema.h"
#include "../test_file.h"
#include "schema_check.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state % n);
}

static int failures;
static long parsed, compiled, regex_ok;

#define EXPECT(cond, ...)                                        \
  do {                                                           \
    if (!(cond)) {                                               \
      failures++;                                                \
      fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                              \
      fputc('\n', stderr);                                       \
    }                                                            \
  } while (0)

static const char *tokens[] = {
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "true",
    "false",
    "null",
    "0",
    "-1",
    "1e400",
    "0.1",
    "\"type\"",
    "\"$ref\"",
    "\"#\"",
    "\"#/$defs/a\"",
    "\"$defs\"",
    "\"a\"",
    "\"pattern\"",
    "\"(a+)+$\"",
    "\"items\"",
    "\"properties\"",
    "\"not\"",
    "\"allOf\"",
    "\"anyOf\"",
    "\"oneOf\"",
    "\"enum\"",
    "\"const\"",
    "\"multipleOf\"",
    "\"$anchor\"",
    "\"$id\"",
    "\"uniqueItems\"",
    "\"contains\"",
    "\"if\"",
    "\"required\"",
};

static size_t mutate(const char *src, size_t len, char *dst, size_t cap) {
  size_t n = len < cap ? len : cap;
  memcpy(dst, src, n);
  int edits = 1 + (int)rnd(4);
  for (int e = 0; e < edits && n > 0; e++) {
    size_t at = rnd((uint32_t)n);
    switch (rnd(4)) {
      case 0: dst[at] = (char)rnd(128); break;
      case 1:
        memmove(dst + at, dst + at + 1, n - at - 1);
        n--;
        break;
      case 2:
        if (n < cap) {
          memmove(dst + at + 1, dst + at, n - at);
          dst[at] = (char)rnd(128);
          n++;
        }
        break;
      default: {
        const char *t = tokens[rnd(sizeof tokens / sizeof tokens[0])];
        size_t tl = strlen(t);
        if (n + tl <= cap) {
          memmove(dst + at + tl, dst + at, n - at);
          memcpy(dst + at, t, tl);
          n += tl;
        }
      }
    }
  }
  return n;
}

static void run_mutant(const char *text, size_t len, const wg_json *tests) {
  wg_json_doc *d = wg_json_parse(text, len, NULL, NULL);
  if (!d) return;
  parsed++;
  wg_schema_options opt = wg_schema_default_options();
  opt.max_steps = 200000;
  opt.regex_match_limit = 100000;
  wg_schema_error err;
  wg_schema *s = wg_schema_compile(wg_json_root(d), &opt, &err);
  const char *why = schema_compile_check(s, &err);
  EXPECT(!why, "compile: %s (code %d)", why, (int)err.code);
  if (s) {
    compiled++;
    for (size_t i = 0; tests && i < tests->u.array.count; i++) {
      wg_schema_result r =
          wg_schema_validate(s, wg_json_get(wg_json_at(tests, i), "data"), &err);
      why = schema_validate_check(r, &err);
      EXPECT(!why, "validate: %s (result %d, code %d)", why, (int)r, (int)err.code);
    }
    wg_schema_free(s);
  }
  wg_json_free(d);
}

static const char *regex_atoms[] = {
    "a",        "b",       ".",          "\\d",    "\\w",         "\\s",   "\\S",
    "\\b",      "[a-z]",   "[^\\s]",     "[\\S]",  "[]",          "[^]",   "(",
    ")",        "(?:",     "(?=",        "(?!",    "(?<=",        "(?<n>", "|",
    "*",        "+",       "?",          "{2}",    "{1,3}",       "*?",    "^",
    "$",        "\\u00e9", "\\u{1F600}", "\\p{L}", "\\P{Letter}", "\\1",   "\\k<n>",
    "\\cA",     "\\x41",   "\\0",        "\\",     "{",           "}",     "]",
    "\xc3\xa9", "\\-",     "\\.",        "(*",     "(?>",         "++",
};

static void run_regex_round(void) {
  char pat[256];
  size_t n = 0;
  int atoms = 1 + (int)rnd(12);
  for (int i = 0; i < atoms; i++) {
    const char *a = regex_atoms[rnd(sizeof regex_atoms / sizeof regex_atoms[0])];
    size_t l = strlen(a);
    if (n + l >= sizeof pat) break;
    memcpy(pat + n, a, l);
    n += l;
  }
  /* A schema {"pattern": <pat>} built as a tree directly (no JSON escaping). */
  wg_json str = {.type = WG_JSON_STRING};
  str.u.string.text = pat;
  str.u.string.len = n;
  pat[n] = '\0';
  wg_json_member m = {"pattern", 7, &str};
  wg_json schema = {.type = WG_JSON_OBJECT};
  schema.u.object.members = &m;
  schema.u.object.count = 1;
  wg_schema_error err;
  wg_schema *s = wg_schema_compile(&schema, NULL, &err);
  if (!s) {
    EXPECT(err.code == WG_SCHEMA_BAD_PATTERN, "pattern %s: %d", pat, (int)err.code);
    return;
  }
  regex_ok++;
  static const char *subjects[] = {"",         "a",
                                   "ab",       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
                                   "\xc3\xa9", "\xf0\x9f\x98\x80",
                                   " \n",      "a1_b"};
  for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
    wg_json inst = {.type = WG_JSON_STRING};
    inst.u.string.text = subjects[i];
    inst.u.string.len = strlen(subjects[i]);
    wg_schema_result r = wg_schema_validate(s, &inst, &err);
    EXPECT(r == WG_SCHEMA_VALID ||
               (r == WG_SCHEMA_NOT_VALID && !strcmp(err.keyword, "pattern")) ||
               (r == WG_SCHEMA_ERROR && err.code == WG_SCHEMA_REGEX_LIMIT),
           "pattern %s on %s: %d", pat, subjects[i], (int)r);
  }
  wg_schema_free(s);
}

static char *read_all(const char *path, size_t *len) {
  return wg_test_read_file(path, 64u << 20, len);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [rounds]\n", argv[0]);
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 20;
  static const char *files[] = {"ref.json",
                                "anchor.json",
                                "items.json",
                                "properties.json",
                                "patternProperties.json",
                                "oneOf.json",
                                "if-then-else.json",
                                "uniqueItems.json",
                                "multipleOf.json",
                                "contains.json",
                                "dependentSchemas.json",
                                "infinite-loop-detection.json",
                                "optional/ecmascript-regex.json",
                                "optional/bignum.json"};
  long mutants = 0;
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[1], files[f]);
    size_t len;
    char *text = read_all(path, &len);
    wg_json_doc *doc = text ? wg_json_parse(text, len, NULL, NULL) : NULL;
    if (!doc) {
      printf("cannot load %s\n", path);
      free(text);
      return 1;
    }
    const wg_json *root = wg_json_root(doc);
    for (size_t c = 0; c < root->u.array.count; c++) {
      const wg_json *tc = root->u.array.items[c];
      const wg_json *sch = wg_json_get(tc, "schema");
      size_t sl = sch->end - sch->start;
      char buf[8192];
      for (int r = 0; r < rounds; r++, mutants++) {
        size_t n = mutate(text + sch->start, sl, buf, sizeof buf);
        run_mutant(buf, n, wg_json_get(tc, "tests"));
      }
    }
    wg_json_free(doc);
    free(text);
  }
  for (int i = 0; i < rounds * 200; i++) run_regex_round();
  printf(
      "%ld schema mutants (%ld parse, %ld compile), %d regexes (%ld compile): %d failed "
      "checks\n",
      mutants, parsed, compiled, rounds * 200, regex_ok, failures);
  printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
  return failures ? 1 : 0;
}
