/* test_json_suite.c: runs the vendored JSONTestSuite (test_parsing/) through
 * wg_json_parse with default limits. y_ files must be accepted, n_ files
 * rejected, and every file listed in policy.tsv as the policy says (all i_
 * files are listed). Accepted documents must also survive a canonical round
 * trip (parse -> canonical -> parse gives an equal tree and the same
 * canonical text). Prints per-prefix counts and `N passed, M failed`.
 * With a golden table (canonical_golden.tsv), also checks the exact
 * canonical bytes of every accepted y_ file against it.
 * Usage: test_json_suite DIR [GOLDEN] (DIR holds test_parsing/, policy.tsv) */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/json.h"
#include "../test_file.h"

enum { MAX_FILES = 1024, MAX_FILE_BYTES = 1 << 22 };

typedef struct policy_entry {
  char name[256];
  bool accept;
} policy_entry;

static size_t load_policy(const char *dir, policy_entry *pol, size_t max) {
  char path[4096];
  snprintf(path, sizeof path, "%s/policy.tsv", dir);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[1024];
  size_t n = 0;
  while (fgets(line, sizeof line, f) && n < max) {
    if (line[0] == '#' || line[0] == '\n') continue;
    char *tab = strchr(line, '\t');
    if (!tab || (size_t)(tab - line) >= sizeof pol[n].name) continue;
    memcpy(pol[n].name, line, (size_t)(tab - line));
    pol[n].name[tab - line] = '\0';
    pol[n].accept = strncmp(tab + 1, "accept", 6) == 0;
    n++;
  }
  fclose(f);
  return n;
}

/* parse -> canonical -> parse: equal trees, identical canonical text. */
static bool round_trips(const wg_json *v) {
  wg_buf a, b;
  wg_buf_init(&a, 0);
  wg_buf_init(&b, 0);
  bool ok = wg_json_write(v, true, &a);
  wg_json_doc *d2 = ok ? wg_json_parse(a.data, a.len, NULL, NULL) : NULL;
  ok = d2 && wg_json_equal(v, wg_json_root(d2)) &&
       wg_json_write(wg_json_root(d2), true, &b) && a.len == b.len &&
       memcmp(a.data, b.data, a.len) == 0;
  wg_json_free(d2);
  wg_buf_free(&a);
  wg_buf_free(&b);
  return ok;
}

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compares the canonical output of each file listed in the golden table
 * (file<TAB>bytes per line, '#' comments) with its expected bytes. Returns
 * the number of mismatches; *checked counts the entries. */
static int check_golden(const char *suite_dir, const char *golden,
                        int *checked) {
  size_t glen;
  char *g = wg_test_read_file(golden, MAX_FILE_BYTES, &glen);
  int bad = 0;
  *checked = 0;
  if (!g) return 1;
  for (size_t at = 0; at < glen;) {
    char *line = g + at;
    char *nl = memchr(line, '\n', glen - at);
    size_t n = nl ? (size_t)(nl - line) : glen - at;
    at += n + 1;
    char *tab = memchr(line, '\t', n);
    if (line[0] == '#' || !tab) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/test_parsing/%.*s", suite_dir,
             (int)(tab - line), line);
    size_t len;
    char *text = wg_test_read_file(path, MAX_FILE_BYTES, &len);
    wg_buf out;
    wg_buf_init(&out, 0);
    size_t want_len = n - (size_t)(tab + 1 - line);
    bool ok = text && wg_json_canonicalize(text, len, NULL, &out, NULL) == WG_JSON_OK &&
              out.len == want_len && memcmp(out.data, tab + 1, want_len) == 0;
    if (!ok) {
      fprintf(stderr, "FAIL %.*s: canonical form differs from golden\n",
              (int)(tab - line), line);
      bad++;
    }
    (*checked)++;
    wg_buf_free(&out);
    free(text);
  }
  free(g);
  return bad;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  static policy_entry pol[256];
  size_t npol = load_policy(argv[1], pol, 256);
  char path[4096];
  snprintf(path, sizeof path, "%s/test_parsing", argv[1]);
  DIR *dir = opendir(path);
  if (!dir || npol == 0) {
    fprintf(stderr, "cannot read %s or its policy.tsv\n", argv[1]);
    if (dir) closedir(dir);
    return 2;
  }
  static char *names[MAX_FILES];
  size_t nfiles = 0;
  struct dirent *de;
  while ((de = readdir(dir)) && nfiles < MAX_FILES)
    if (strstr(de->d_name, ".json")) names[nfiles++] = strdup(de->d_name);
  closedir(dir);
  qsort(names, nfiles, sizeof names[0], name_cmp);

  const char prefixes[] = "yni";
  int pass[3] = {0}, fail[3] = {0};
  for (size_t i = 0; i < nfiles; i++) {
    const char *name = names[i];
    int p = name[0] == 'y' ? 0 : name[0] == 'n' ? 1 : 2;
    bool expect_accept = p == 0;
    bool listed = false;
    for (size_t k = 0; k < npol; k++)
      if (strcmp(pol[k].name, name) == 0) {
        expect_accept = pol[k].accept;
        listed = true;
      }
    size_t len;
    snprintf(path, sizeof path, "%s/test_parsing/%s", argv[1], name);
    char *text = wg_test_read_file(path, MAX_FILE_BYTES, &len);
    wg_json_error err;
    wg_json_doc *d = text ? wg_json_parse(text, len, NULL, &err) : NULL;
    bool ok = text && (d != NULL) == expect_accept && (p != 2 || listed);
    if (ok && d && !round_trips(wg_json_root(d))) {
      fprintf(stderr, "FAIL %s: canonical round trip differs\n", name);
      ok = false;
    } else if (!ok) {
      fprintf(stderr, "FAIL %s: expected %s, got %s (%s at %zu: %s)\n", name,
              expect_accept ? "accept" : "reject", d ? "accept" : "reject",
              d ? "ok" : wg_json_code_name(err.code), d ? 0 : err.offset,
              d ? "" : err.message);
    }
    ok ? pass[p]++ : fail[p]++;
    wg_json_free(d);
    free(text);
    free(names[i]);
  }
  int tp = 0, tf = 0;
  for (int p = 0; p < 3; p++) {
    printf("%c_: %d passed, %d failed\n", prefixes[p], pass[p], fail[p]);
    tp += pass[p];
    tf += fail[p];
  }
  if (argc > 2) {
    int checked, bad = check_golden(argv[1], argv[2], &checked);
    printf("canonical golden: %d passed, %d failed\n", checked - bad, bad);
    tp += checked - bad;
    tf += bad;
  }
  printf("%d passed, %d failed\n", tp, tf);
  return tf || tp == 0 ? 1 : 0;
}
