/* suite_runner.c: runs the vendored JSON-Schema-Test-Suite (draft 2020-12)
 * against wg_schema.
 *
 * Usage: suite_runner DIR [FILE...]. DIR is the draft2020-12 folder; every
 * *.json in it and in optional/ runs (optional/format/ is skipped as a whole:
 * those files assume format assertion, and our `format` is an annotation).
 * A case is compiled once and each test validated; a compile failure fails
 * all its tests. Cases outside our contract are listed in `skips` with the
 * reason (and are compiled anyway, to check the skip still holds);
 * everything else must pass. -v lists the skips. Prints per-file counts and
 * `N passed, M failed, K skipped`; exits 1 if anything failed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/json.h"
#include "wasmgate/schema.h"

typedef struct skip {
  const char *file, *case_desc; /* case_desc NULL: whole file */
  const char *reason;
  bool compiles; /* false: the case must fail to compile (checked) */
} skip;

#include "suite_skips.h"
#include "../test_file.h"

typedef struct counts {
  int passed, failed, skipped;
} counts;

static const skip *find_skip(const char *file, const char *case_desc) {
  for (size_t i = 0; i < sizeof skips / sizeof skips[0]; i++) {
    if (strcmp(skips[i].file, file) != 0) continue;
    if (!skips[i].case_desc || strcmp(skips[i].case_desc, case_desc) == 0)
      return &skips[i];
  }
  return NULL;
}

/* A skipped case is still compiled: most skips are "uses something we
 * reject", and that must stay true, or the skip list has gone stale. */
static bool skip_holds(const skip *sk, const wg_json *schema, const char *file,
                       const char *desc, bool verbose) {
  wg_schema_error e;
  wg_schema *k = wg_schema_compile(schema, NULL, &e);
  bool compiled = k != NULL;
  wg_schema_free(k);
  if (verbose)
    printf("  SKIP %s: %s: %s [%s]\n", file, desc, sk->reason,
           compiled ? "compiles" : wg_schema_code_name(e.code));
  if (compiled == sk->compiles) return true;
  printf("  FAIL %s: %s: skipped case %s\n", file, desc,
         compiled ? "now compiles" : "no longer compiles");
  return false;
}

static const char *get_str(const wg_json *o, const char *k) {
  const char *s = wg_json_str(wg_json_get(o, k));
  return s ? s : "";
}

static void run_case(const char *file, const wg_json *tc, counts *ct, bool verbose) {
  const char *desc = get_str(tc, "description");
  const wg_json *tests = wg_json_get(tc, "tests");
  size_t ntests = tests ? tests->u.array.count : 0;
  const skip *sk = find_skip(file, desc);
  if (sk) {
    if (skip_holds(sk, wg_json_get(tc, "schema"), file, desc, verbose))
      ct->skipped += (int)ntests;
    else
      ct->failed += (int)ntests;
    return;
  }
  wg_schema_error err;
  wg_schema *s = wg_schema_compile(wg_json_get(tc, "schema"), NULL, &err);
  if (!s) {
    ct->failed += (int)ntests;
    printf("  FAIL %s: %s: compile: %s at %s (%s): %s\n", file, desc,
           wg_schema_code_name(err.code), err.schema_path, err.keyword, err.message);
    return;
  }
  for (size_t i = 0; i < ntests; i++) {
    const wg_json *t = wg_json_at(tests, i);
    const wg_json *valid = wg_json_get(t, "valid");
    wg_schema_result r = wg_schema_validate(s, wg_json_get(t, "data"), &err);
    bool want = valid && valid->type == WG_JSON_TRUE;
    bool ok = (r == WG_SCHEMA_VALID && want) || (r == WG_SCHEMA_NOT_VALID && !want);
    if (ok) {
      ct->passed++;
      continue;
    }
    ct->failed++;
    printf("  FAIL %s: %s: %s: expected %s, got %s (%s at %s %s: %s)\n", file, desc,
           get_str(t, "description"), want ? "valid" : "invalid",
           r == WG_SCHEMA_VALID       ? "valid"
           : r == WG_SCHEMA_NOT_VALID ? "invalid"
                                      : "error",
           wg_schema_code_name(err.code), err.instance_path, err.keyword,
           err.message);
  }
  wg_schema_free(s);
}

static bool run_file(const char *dir, const char *file, counts *total, bool verbose) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  size_t len;
  char *text = wg_test_read_file(path, 16u << 20, &len);
  if (!text) {
    printf("cannot read %s\n", path);
    return false;
  }
  wg_json_error jerr;
  wg_json_doc *doc = wg_json_parse(text, len, NULL, &jerr);
  if (!doc) {
    printf("cannot parse %s: %s at %zu\n", path, jerr.message, jerr.offset);
    free(text);
    return false;
  }
  const wg_json *root = wg_json_root(doc);
  counts ct = {0};
  for (size_t i = 0; i < root->u.array.count; i++)
    run_case(file, root->u.array.items[i], &ct, verbose);
  printf("%-40s %3d passed, %d failed, %d skipped\n", file, ct.passed, ct.failed,
         ct.skipped);
  total->passed += ct.passed;
  total->failed += ct.failed;
  total->skipped += ct.skipped;
  wg_json_free(doc);
  free(text);
  return true;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Collects "*.json" names of dir/sub (prefixed by sub/). */
static size_t list_json(const char *dir, const char *sub, char **names, size_t max) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s%s", dir, sub[0] ? "/" : "", sub);
  DIR *d = opendir(path);
  size_t n = 0;
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < max) {
    size_t l = strlen(e->d_name);
    if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0) continue;
    char buf[600];
    snprintf(buf, sizeof buf, "%s%s%s", sub, sub[0] ? "/" : "", e->d_name);
    names[n++] = strdup(buf);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  return n;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [-v] [FILE...]\n", argv[0]);
    return 2;
  }
  bool verbose = argc > 2 && strcmp(argv[2], "-v") == 0;
  int first = verbose ? 3 : 2;
  counts total = {0};
  bool ok = true;
  if (argc > first) {
    for (int i = first; i < argc; i++)
      ok = run_file(argv[1], argv[i], &total, verbose) && ok;
  } else {
    char *names[256];
    size_t n = list_json(argv[1], "", names, 128);
    n += list_json(argv[1], "optional", names + n, 128);
    if (n < 50) {
      printf("suite files missing under %s\n", argv[1]);
      ok = false;
    }
    for (size_t i = 0; i < n; i++) {
      ok = run_file(argv[1], names[i], &total, verbose) && ok;
      free(names[i]);
    }
    printf("%-40s skipped (format assertion is not enabled)\n", "optional/format/*");
  }
  printf("%d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped);
  return ok && total.failed == 0 ? 0 : 1;
}
