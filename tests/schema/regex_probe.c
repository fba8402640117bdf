/* regex_probe.c: reads JSON lines [pattern, subject] on stdin and prints,
 * per line, what wg_schema makes of {"pattern": pattern} on that subject:
 * "1" (matches), "0" (does not), "E <reason>" (pattern rejected), "L"
 * (limit). Used by regex_diff.js to compare our ECMA-262 dialect with a real
 * ECMA engine (node's RegExp with the `u` flag); not part of ctest, since
 * node is not a build dependency. */
#include <stdio.h>
#include <string.h>

#include "wasmgate/json.h"
#include "wasmgate/schema.h"

static void probe(const char *line, size_t n) {
  wg_json_doc *d = wg_json_parse(line, n, NULL, NULL);
  const wg_json *a = d ? wg_json_root(d) : NULL;
  const wg_json *pat = wg_json_at(a, 0), *subject = wg_json_at(a, 1);
  if (!pat || pat->type != WG_JSON_STRING || !subject) {
    puts("J");
    wg_json_free(d);
    return;
  }
  wg_json_member m = {"pattern", 7, (wg_json *)pat};
  wg_json schema = {.type = WG_JSON_OBJECT};
  schema.u.object.members = &m;
  schema.u.object.count = 1;
  wg_schema_error err;
  wg_schema *s = wg_schema_compile(&schema, NULL, &err);
  if (!s) {
    printf("E %s\n", err.message);
  } else {
    wg_schema_result r = wg_schema_validate(s, subject, &err);
    puts(r == WG_SCHEMA_VALID ? "1" : r == WG_SCHEMA_NOT_VALID ? "0" : "L");
    wg_schema_free(s);
  }
  wg_json_free(d);
}

int main(void) {
  static char line[1 << 16];
  while (fgets(line, sizeof line, stdin)) {
    size_t n = strlen(line);
    if (n && line[n - 1] == '\n') line[--n] = '\0';
    probe(line, n);
  }
  return 0;
}
