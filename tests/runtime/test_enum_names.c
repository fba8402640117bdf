/* test_enum_names.c: every name of every public enum, against a golden list.
 *
 * A name is API: it is in JSON output, history records, MCP results and the
 * docs, so renaming one must be a visible change. For each wg_*_name
 * function this lists every value that has a name (trying 0..511, which
 * covers every enum, value types included) as "enum value name" lines and
 * compares them with enum_names.golden. It also checks what the compiler
 * cannot: no name is NULL or empty or repeated within its enum, and every
 * value outside the enum is WG_NAME_UNKNOWN, the one fallback spelling.
 *
 * Usage: test_enum_names GOLDEN      compare (exit 1 on any difference)
 *        test_enum_names --print     print the list (to regenerate GOLDEN) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/wasmgate.h"

typedef const char *(*name_fn)(int v);

/* One adapter per enum: the name functions take their own enum type. */
#define ADAPT(fn, type) \
  static const char *fn##_(int v) { return fn((type)v); }
ADAPT(wg_json_type_name, wg_json_type)
ADAPT(wg_json_code_name, wg_json_code)
ADAPT(wg_valtype_name, wg_valtype)
ADAPT(wg_wasm_code_name, wg_wasm_code)
ADAPT(wg_trap_name, wg_trap)
ADAPT(wg_toml_code_name, wg_toml_code)
ADAPT(wg_toml_type_name, wg_toml_type)
ADAPT(wg_schema_code_name, wg_schema_code)
ADAPT(wg_pkg_code_name, wg_pkg_code)
ADAPT(wg_pkg_pack_code_name, wg_pkg_pack_code)
ADAPT(wg_pkg_phase_name, wg_pkg_phase)
ADAPT(wg_surface_name, wg_surface)
ADAPT(wg_perm_kind_name, wg_perm_kind)
ADAPT(wg_host_api_name, wg_host_api)
ADAPT(wg_config_code_name, wg_config_code)
ADAPT(wg_source_name, wg_source)
ADAPT(wg_plugin_status_name, wg_plugin_status)
ADAPT(wg_plugin_set_code_name, wg_plugin_set_code)
ADAPT(wg_pol_code_name, wg_pol_code)
ADAPT(wg_pol_rule_name, wg_pol_rule)
ADAPT(wg_err_name, wg_err)
ADAPT(wg_read_code_name, wg_read_code)
ADAPT(wg_cidr_code_name, wg_cidr_code)

static const struct {
  const char *enum_name;
  name_fn fn;
} enums[] = {
#define E(type, fn) {#type, fn##_}
    E(wg_json_type, wg_json_type_name),       E(wg_json_code, wg_json_code_name),
    E(wg_valtype, wg_valtype_name),           E(wg_wasm_code, wg_wasm_code_name),
    E(wg_trap, wg_trap_name),                 E(wg_toml_code, wg_toml_code_name),
    E(wg_toml_type, wg_toml_type_name),       E(wg_schema_code, wg_schema_code_name),
    E(wg_pkg_code, wg_pkg_code_name),         E(wg_pkg_phase, wg_pkg_phase_name),
    E(wg_surface, wg_surface_name),           E(wg_perm_kind, wg_perm_kind_name),
    E(wg_host_api, wg_host_api_name),         E(wg_config_code, wg_config_code_name),
    E(wg_source, wg_source_name),             E(wg_plugin_status, wg_plugin_status_name),
    E(wg_plugin_set_code, wg_plugin_set_code_name),
    E(wg_pol_code, wg_pol_code_name),         E(wg_pol_rule, wg_pol_rule_name),
    E(wg_err, wg_err_name),
    E(wg_pkg_pack_code, wg_pkg_pack_code_name),
    E(wg_read_code, wg_read_code_name),       E(wg_cidr_code, wg_cidr_code_name),
#undef E
};

enum { MAX_VALUE = 512, LIST_CAP = 1 << 16 };

/* Appends the list to out; counts problems the golden file cannot show. */
static int build_list(char *out, size_t cap) {
  int problems = 0;
  size_t len = 0;
  out[0] = '\0';
  for (size_t e = 0; e < sizeof enums / sizeof enums[0]; e++) {
    const char *seen[MAX_VALUE];
    int nseen = 0;
    for (int v = 0; v < MAX_VALUE; v++) {
      const char *n = enums[e].fn(v);
      if (!n || !n[0]) {
        fprintf(stderr, "FAIL %s %d has no name\n", enums[e].enum_name, v);
        problems++;
        continue;
      }
      if (strcmp(n, WG_NAME_UNKNOWN) == 0) continue;
      for (int k = 0; k < nseen; k++)
        if (strcmp(seen[k], n) == 0) {
          fprintf(stderr, "FAIL %s: '%s' names two values\n", enums[e].enum_name, n);
          problems++;
        }
      seen[nseen++] = n;
      int w = snprintf(out + len, cap - len, "%s %d %s\n", enums[e].enum_name, v, n);
      if (w < 0 || (size_t)w >= cap - len) {
        fprintf(stderr, "FAIL list longer than %zu bytes\n", cap);
        return problems + 1;
      }
      len += (size_t)w;
    }
    const int outside[] = {-1, MAX_VALUE, 100000};
    for (size_t k = 0; k < sizeof outside / sizeof outside[0]; k++) {
      const char *n = enums[e].fn(outside[k]);
      if (!n || strcmp(n, WG_NAME_UNKNOWN) != 0) {
        fprintf(stderr, "FAIL %s %d is '%s', not '%s'\n", enums[e].enum_name, outside[k],
                n ? n : "(null)", WG_NAME_UNKNOWN);
        problems++;
      }
    }
  }
  return problems;
}

static char *read_all(const char *path, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = malloc(cap);
  size_t n = buf ? fread(buf, 1, cap - 1, f) : 0;
  fclose(f);
  if (buf) buf[n] = '\0';
  return buf;
}

/* Prints the first differing line of each side. */
static void show_difference(const char *want, const char *got) {
  int line = 1;
  size_t i = 0, start = 0;
  while (want[i] && want[i] == got[i]) {
    if (want[i] == '\n') line++, start = i + 1;
    i++;
  }
  want += start, got += start;
  fprintf(stderr, "FAIL names differ from the golden list at line %d:\n", line);
  fprintf(stderr, "  golden: %.*s\n", (int)strcspn(want, "\n"), want);
  fprintf(stderr, "  now:    %.*s\n", (int)strcspn(got, "\n"), got);
  fprintf(stderr, "(a renamed or new name: regenerate with `test_enum_names --print`)\n");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_enum_names GOLDEN | --print\n");
    return 2;
  }
  char *list = malloc(LIST_CAP);
  if (!list) return 1;
  int problems = build_list(list, LIST_CAP);
  if (strcmp(argv[1], "--print") == 0) {
    fputs(list, stdout);
    free(list);
    return problems ? 1 : 0;
  }
  char *golden = read_all(argv[1], LIST_CAP);
  if (!golden) {
    fprintf(stderr, "FAIL cannot read %s\n", argv[1]);
    free(list);
    return 1;
  }
  if (strcmp(golden, list) != 0) {
    show_difference(golden, list);
    problems++;
  }
  size_t names = 0;
  for (const char *p = list; *p; p++) names += *p == '\n';
  printf("%zu names of %zu enums checked, %d problems\n", names,
         sizeof enums / sizeof enums[0], problems);
  free(golden);
  free(list);
  return problems ? 1 : 0;
}
