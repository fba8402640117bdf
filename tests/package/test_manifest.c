/* test_manifest.c: plugin.toml, permissions (docs/design.md#manifest,
 * #permissions) and the [[tools]] checks: every rejection asserts its
 * exact kind, phase and message, and that the message holds no manifest
 * content. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "wasmgate/manifest.h"
#include "zipbuild.h"

#define HEAD                                                        \
  "schema_version = 1\nid = \"example\"\nname = \"Example\"\n"      \
  "version = \"1.0.0\"\n"
#define RUNTIME                                                     \
  "[runtime]\nkind = \"wasm\"\nentry = \"plugin.wasm\"\n"           \
  "abi = \"yoi-plugin-wasm-1\"\n"

static const char parse_msg[] = "plugin.toml could not be parsed";

/* Byte offset of the first `needle` in text (the test's own input). */
static size_t off(const char *text, const char *needle) {
  const char *p = strstr(text, needle);
  REQUIRE(p != NULL);
  return (size_t)(p - text);
}

static wg_manifest *parse_ok(const char *text) {
  wg_manifest *m = NULL;
  wg_pkg_diag d;
  memset(&d, 0, sizeof d);
  wg_pkg_code rc = wg_manifest_parse(text, strlen(text), &m, &d);
  if (rc != WG_PKG_OK) fprintf(stderr, "  unexpected: %s\n", d.message);
  REQUIRE(rc == WG_PKG_OK && m != NULL);
  return m;
}

static wg_pkg_diag parse_fail(const char *text) {
  wg_manifest *m = (wg_manifest *)1;
  wg_pkg_diag d;
  memset(&d, 0, sizeof d);
  CHECK_INT(wg_manifest_parse(text, strlen(text), &m, &d), WG_PKG_MALFORMED);
  CHECK(m == NULL);
  CHECK_STR(wg_pkg_code_name(d.kind), "malformed");
  CHECK_STR(wg_pkg_phase_name(d.phase), "manifest");
  return d;
}

/* The parse fails with the span [start, end). */
static void parse_fail_span(const char *text, size_t start, size_t end) {
  wg_pkg_diag d = parse_fail(text);
  char want[128];
  snprintf(want, sizeof want, "%s near byte span %zu..%zu", parse_msg, start,
           end);
  CHECK_STR(d.message, want);
}

/* Parses, then validates without a package; the validation must fail. */
static void validate_fail(const char *text, wg_pkg_code kind, const char *msg) {
  wg_manifest *m = parse_ok(text);
  wg_pkg_diag d;
  memset(&d, 0, sizeof d);
  CHECK_INT(wg_manifest_validate(m, NULL, &d), kind);
  CHECK_STR(wg_pkg_code_name(d.kind), wg_pkg_code_name(kind));
  CHECK_STR(wg_pkg_phase_name(d.phase), "manifest");
  CHECK_STR(d.message, msg);
  wg_manifest_free(m);
}

static void validate_ok(const char *text) {
  wg_manifest *m = parse_ok(text);
  wg_pkg_diag d;
  memset(&d, 0, sizeof d);
  CHECK_INT(wg_manifest_validate(m, NULL, &d), WG_PKG_OK);
  wg_manifest_free(m);
}

/* ---- parse: accepted shapes ------------------------------------------- */

static void test_reference_example_is_accepted(void) {
  const char *text =
      HEAD "surfaces = [\"tool\"]\n"
      "permissions = [ { kind = \"surface\", surface = \"tool\" }, "
      "{ kind = \"tool\", name = \"PluginEcho\" } ]\n" RUNTIME
      "[[tools]]\nname = \"PluginEcho\"\ndescription = \"Echo plugin tool\"\n"
      "input_schema = { type = \"object\", additionalProperties = true }\n";
  wg_manifest *m = parse_ok(text);
  CHECK_INT(m->schema_version, 1);
  CHECK_STR(m->id, "example");
  CHECK_STR(m->name, "Example");
  CHECK_STR(m->version, "1.0.0");
  CHECK(m->description == NULL);
  REQUIRE(m->surface_count == 1);
  CHECK_INT(m->surfaces[0], WG_SURFACE_TOOL);
  CHECK_INT(m->declared_surfaces,
            (1u << WG_SURFACE_TOOL) | (1u << WG_SURFACE_WASM));
  CHECK(m->has_runtime);
  CHECK_STR(m->runtime.kind, "wasm");
  CHECK_STR(m->runtime.entry, "plugin.wasm");
  CHECK_STR(m->runtime.abi, "yoi-plugin-wasm-1");
  REQUIRE(m->permission_count == 2);
  char label[64];
  CHECK_INT(wg_permission_label(&m->permissions[0], label, sizeof label), 13);
  CHECK_STR(label, "surfaces.tool");
  wg_permission_label(&m->permissions[1], label, sizeof label);
  CHECK_STR(label, "tool.PluginEcho");
  REQUIRE(m->tool_count == 1);
  CHECK_STR(m->tools[0].name, "PluginEcho");
  CHECK_STR(m->tools[0].description, "Echo plugin tool");
  CHECK_STR(m->tools[0].input_schema_json,
            "{\"additionalProperties\":true,\"type\":\"object\"}");
  CHECK(m->tools[0].input_schema_error == NULL);
  CHECK(!m->tools[0].external_write);
  wg_manifest_diag td;
  CHECK_INT(wg_manifest_tool_check(m, 0, &td), WG_PKG_OK);
  CHECK(!wg_manifest_tool_warning(m, 0, &td));
  wg_pkg_diag d;
  CHECK_INT(wg_manifest_validate(m, NULL, &d), WG_PKG_OK);
  wg_manifest_free(m);
}

static void test_minimal_manifest_and_defaults(void) {
  wg_manifest *m = parse_ok(HEAD "description = \"d\"\n");
  CHECK_STR(m->description, "d");
  CHECK_INT(m->surface_count, 0);
  CHECK_INT(m->declared_surfaces, 0);
  CHECK(!m->has_runtime);
  CHECK_INT(m->hook_count, 0);
  CHECK_INT(m->tool_count, 0);
  CHECK_INT(m->permission_count, 0);
  wg_manifest_free(m);
}

static void test_implicit_surfaces(void) {
  wg_manifest *m = parse_ok(
      HEAD "surfaces = [\"service\", \"ingress\", \"service\"]\n"
      "hooks = [{ id = \"h\", file = \"h.wasm\" }]\n"
      "[[tools]]\nname = \"T\"\ndescription = \"\"\ninput_schema = {}\n"
      "external_write = true\n");
  CHECK_INT(m->surface_count, 3);
  CHECK_INT(m->declared_surfaces, (1u << WG_SURFACE_SERVICE) |
                                      (1u << WG_SURFACE_INGRESS) |
                                      (1u << WG_SURFACE_HOOK) |
                                      (1u << WG_SURFACE_TOOL));
  REQUIRE(m->hook_count == 1);
  CHECK_STR(m->hooks[0].id, "h");
  CHECK_STR(m->hooks[0].file, "h.wasm");
  CHECK(m->tools[0].external_write);
  wg_manifest_free(m);
}

static void test_design_doc_hook_manifest_is_accepted(void) {
  validate_ok("schema_version = 1\nid = \"example.summarizer\"\n"
              "name = \"Summarizer\"\nversion = \"0.1.0\"\n"
              "surfaces = [\"hook\"]\n"
              "[[hooks]]\nid = \"pre-tool\"\nfile = \"hooks/pre.wasm\"\n");
}

/* ---- parse: rejections ------------------------------------------------- */

static void test_unknown_keys_rejected_at_every_level(void) {
  const char *t1 = HEAD "effect = \"read\"\n";
  parse_fail_span(t1, off(t1, "effect"), off(t1, "effect") + 6);
  const char *t2 = HEAD "[package]\nname = \"x\"\n";
  parse_fail_span(t2, off(t2, "package"), off(t2, "package") + 7);
  const char *t3 = HEAD RUNTIME "component = \"c.wasm\"\n";
  parse_fail_span(t3, off(t3, "component"), off(t3, "component") + 9);
  const char *t4 = HEAD "[[hooks]]\nid = \"h\"\nfile = \"f\"\nwhen = \"pre\"\n";
  parse_fail_span(t4, off(t4, "when"), off(t4, "when") + 4);
  const char *t5 = HEAD "[[tools]]\nname = \"T\"\ndescription = \"d\"\n"
                        "input_schema = {}\noutput_schema = {}\n";
  parse_fail_span(t5, off(t5, "output_schema"), off(t5, "output_schema") + 13);
  const char *t6 = HEAD "[[request]]\nhost = \"h\"\n";
  parse_fail_span(t6, off(t6, "request"), off(t6, "request") + 7);
  const char *t7 = HEAD "permissions = [{ kind = \"external_write\", x = 1 }]\n";
  parse_fail_span(t7, off(t7, "x = 1"), off(t7, "x = 1") + 1);
}

static void test_missing_required_keys(void) {
  /* A key missing from the root has no span, as toml-rs. */
  wg_pkg_diag d = parse_fail("schema_version = 1\nname = \"n\"\nversion = \"1\"\n");
  CHECK_STR(d.message, parse_msg);
  d = parse_fail("id = \"a\"\nname = \"n\"\nversion = \"1\"\n");
  CHECK_STR(d.message, parse_msg);
  d = parse_fail("");
  CHECK_STR(d.message, parse_msg);
  /* Inside a table: the table's span. */
  const char *t1 = HEAD "[runtime]\nkind = \"wasm\"\n";
  parse_fail_span(t1, off(t1, "[runtime]"), off(t1, "[runtime]") + 1);
  const char *t2 = HEAD "[[tools]]\nname = \"T\"\ndescription = \"d\"\n";
  parse_fail_span(t2, off(t2, "[[tools]]"), off(t2, "[[tools]]") + 1);
  const char *t3 = HEAD "hooks = [{ id = \"h\" }]\n";
  parse_fail_span(t3, off(t3, "{ id"), off(t3, "{ id") + 1);
}

static void test_wrong_types_and_ranges(void) {
  const char *t1 = "schema_version = \"1\"\nid = \"a\"\nname = \"n\"\nversion = \"1\"\n";
  parse_fail_span(t1, off(t1, "\"1\""), off(t1, "\"1\"") + 1);
  const char *t2 = "schema_version = -1\nid = \"a\"\nname = \"n\"\nversion = \"1\"\n";
  parse_fail_span(t2, off(t2, "-1"), off(t2, "-1") + 1);
  const char *t3 = "schema_version = 4294967296\nid = \"a\"\nname = \"n\"\nversion = \"1\"\n";
  parse_fail_span(t3, off(t3, "4294"), off(t3, "4294") + 1);
  const char *t4 = "schema_version = 1.0\nid = \"a\"\nname = \"n\"\nversion = \"1\"\n";
  parse_fail_span(t4, off(t4, "1.0"), off(t4, "1.0") + 1);
  const char *t5 = "schema_version = 1\nid = 7\nname = \"n\"\nversion = \"1\"\n";
  parse_fail_span(t5, off(t5, "7"), off(t5, "7") + 1);
  const char *t6 = HEAD "surfaces = \"tool\"\n";
  parse_fail_span(t6, off(t6, "\"tool\""), off(t6, "\"tool\"") + 1);
  const char *t7 = HEAD "surfaces = [\"tool\", \"shell\"]\n";
  parse_fail_span(t7, off(t7, "\"shell\""), off(t7, "\"shell\"") + 1);
  const char *t8 = HEAD "runtime = \"wasm\"\n";
  parse_fail_span(t8, off(t8, "\"wasm\""), off(t8, "\"wasm\"") + 1);
  const char *t9 = HEAD "[[tools]]\nname = \"T\"\ndescription = \"d\"\n"
                        "input_schema = {}\nexternal_write = \"yes\"\n";
  parse_fail_span(t9, off(t9, "\"yes\""), off(t9, "\"yes\"") + 1);
  const char *t10 = HEAD "version2 = 1\n";
  parse_fail_span(t10, off(t10, "version2"), off(t10, "version2") + 8);
  const char *t11 = "schema_version = 4294967295\nid = \"a\"\nname = \"n\"\nversion = \"1\"\n";
  wg_manifest *m = parse_ok(t11);
  CHECK_U64(m->schema_version, 4294967295u);
  wg_manifest_free(m);
}

static void test_toml_syntax_error_hides_content(void) {
  /* yoi's test: a multibyte payload never leaks, the message is bounded. */
  char text[2048];
  size_t n = (size_t)snprintf(text, sizeof text, "id = \"");
  for (int i = 0; i < 200 && n + 8 < sizeof text; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, "\xE6\xA9\x9F\xE5\xAF\x86");
  snprintf(text + n, sizeof text - n, "\nnot = [valid\n");
  wg_pkg_diag d = parse_fail(text);
  CHECK(strncmp(d.message, "plugin.toml could not be parsed near byte span ",
                47) == 0);
  CHECK(strlen(d.message) <= 241);
  CHECK(strstr(d.message, "\xE6\xA9\x9F") == NULL);
  CHECK(strstr(d.message, "valid") == NULL);
  /* A bare syntax error: the span is one byte at the error. */
  const char *t = "a = = 1\n";
  d = parse_fail(t);
  CHECK_STR(d.message, "plugin.toml could not be parsed near byte span 4..5");
}

static void test_unknown_permission_kind_fails_closed(void) {
  const char *t1 = HEAD "permissions = [{ kind = \"ambient_shell\" }]\n";
  parse_fail_span(t1, off(t1, "\"ambient_shell\""),
                  off(t1, "\"ambient_shell\"") + 1);
  const char *t2 = HEAD "permissions = [{ kind = \"host_api\", api = \"shell\" }]\n";
  parse_fail_span(t2, off(t2, "\"shell\""), off(t2, "\"shell\"") + 1);
  const char *t3 = HEAD "permissions = [{ kind = \"surface\", surface = \"x\" }]\n";
  parse_fail_span(t3, off(t3, "\"x\""), off(t3, "\"x\"") + 1);
  const char *t4 = HEAD "permissions = [{ kind = \"tool\" }]\n";
  parse_fail_span(t4, off(t4, "{ kind"), off(t4, "{ kind") + 1);
  const char *t5 = HEAD "permissions = [{ name = \"T\" }]\n";
  parse_fail_span(t5, off(t5, "{ name"), off(t5, "{ name") + 1);
  const char *t6 = HEAD "permissions = [{ kind = \"tool\", namespace = \"p\" }]\n";
  parse_fail_span(t6, off(t6, "namespace"), off(t6, "namespace") + 1);
  const char *t7 = HEAD "permissions = [{ kind = \"tool\", name = 1 }]\n";
  parse_fail_span(t7, off(t7, "1 }"), off(t7, "1 }") + 1);
  const char *t8 = HEAD "permissions = [\"tool\"]\n";
  parse_fail_span(t8, off(t8, "\"tool\""), off(t8, "\"tool\"") + 1);
}

/* ---- validation rules, in yoi's order ---------------------------------- */

static void test_schema_version_must_be_one(void) {
  validate_fail("schema_version = 999\nid = \"a\"\nname = \"n\"\nversion = \"1\"\n",
                WG_PKG_API, "plugin schema/API version is unsupported");
  validate_fail("schema_version = 0\nid = \"a\"\nname = \"n\"\nversion = \"1\"\n",
                WG_PKG_API, "plugin schema/API version is unsupported");
  /* schema_version is checked before the id. */
  validate_fail("schema_version = 2\nid = \"../x\"\nname = \"\"\nversion = \"1\"\n",
                WG_PKG_API, "plugin schema/API version is unsupported");
}

static void test_id_must_be_safe(void) {
  static const char *bad[] = {"", ".a", "a.", "a/b", "a b", "a:b", "ä",
                              "a\\b", "..", "."};
  char text[512];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(text, sizeof text,
             "schema_version = 1\nid = \"%s\"\nname = \"n\"\nversion = \"1\"\n",
             bad[i]);
    validate_fail(text, WG_PKG_MALFORMED,
                  "plugin manifest id is not a safe local id");
  }
  char id[130];
  memset(id, 'a', 129);
  id[129] = '\0';
  snprintf(text, sizeof text,
           "schema_version = 1\nid = \"%s\"\nname = \"n\"\nversion = \"1\"\n", id);
  validate_fail(text, WG_PKG_MALFORMED, "plugin manifest id is not a safe local id");
  id[128] = '\0';
  snprintf(text, sizeof text,
           "schema_version = 1\nid = \"%s\"\nname = \"n\"\nversion = \"1\"\n", id);
  validate_ok(text);
  validate_ok("schema_version = 1\nid = \"a..b\"\nname = \"n\"\nversion = \"1\"\n");
  validate_ok("schema_version = 1\nid = \"A-z_0.9\"\nname = \"n\"\nversion = \"1\"\n");
  /* The id is checked before name and version. */
  validate_fail("schema_version = 1\nid = \"-/\"\nname = \"\"\nversion = \"\"\n",
                WG_PKG_MALFORMED, "plugin manifest id is not a safe local id");
}

static void test_name_and_version_not_blank(void) {
  static const char *blank[] = {"", " ", "\\t\\n", "\\u3000", "\\u00a0 \\u2028"};
  char text[256];
  for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
    snprintf(text, sizeof text,
             "schema_version = 1\nid = \"a\"\nname = \"%s\"\nversion = \"1\"\n",
             blank[i]);
    validate_fail(text, WG_PKG_MALFORMED,
                  "plugin manifest name and version are required");
    snprintf(text, sizeof text,
             "schema_version = 1\nid = \"a\"\nname = \"n\"\nversion = \"%s\"\n",
             blank[i]);
    validate_fail(text, WG_PKG_MALFORMED,
                  "plugin manifest name and version are required");
  }
  /* NUL and a zero-width space are not White_Space: not blank. */
  validate_ok("schema_version = 1\nid = \"a\"\nname = \"\\u0000\"\nversion = \"\\u200b\"\n");
}

static void test_runtime_rules_in_order(void) {
  validate_fail(HEAD "[runtime]\nkind = \"wasm-component\"\nentry = \"../x\"\n"
                     "abi = \"other\"\n",
                WG_PKG_API, "plugin runtime kind is unsupported");
  validate_fail(HEAD "[runtime]\nkind = \"WASM\"\nentry = \"p.wasm\"\n"
                     "abi = \"yoi-plugin-wasm-1\"\n",
                WG_PKG_API, "plugin runtime kind is unsupported");
  validate_fail(HEAD "[runtime]\nkind = \"wasm\"\nentry = \"../x\"\n",
                WG_PKG_API, "plugin WASM ABI is unsupported");
  validate_fail(HEAD "[runtime]\nkind = \"wasm\"\nentry = \"../x\"\n"
                     "abi = \"yoi-plugin-wasm-2\"\n",
                WG_PKG_API, "plugin WASM ABI is unsupported");
  static const char *bad_paths[] = {"../x.wasm", "/abs.wasm", "~/x", "a//b",
                                    "a/./b", "C:x", "a\\\\b", "dir/", ""};
  char text[512];
  for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
    snprintf(text, sizeof text,
             HEAD "[runtime]\nkind = \"wasm\"\nentry = \"%s\"\n"
                  "abi = \"yoi-plugin-wasm-1\"\n", bad_paths[i]);
    validate_fail(text, WG_PKG_TRAVERSAL,
                  "plugin manifest references a path outside the package root");
  }
  /* The runtime comes before the hooks. */
  validate_fail(HEAD "hooks = [{ id = \".bad\", file = \"h\" }]\n"
                     "[runtime]\nkind = \"x\"\nentry = \"p.wasm\"\n",
                WG_PKG_API, "plugin runtime kind is unsupported");
}

static void test_hook_rules(void) {
  validate_fail(HEAD "[[hooks]]\nid = \"ok\"\nfile = \"a.wasm\"\n"
                     "[[hooks]]\nid = \"not safe\"\nfile = \"../b\"\n",
                WG_PKG_MALFORMED, "plugin hook id is not safe");
  validate_fail(HEAD "[[hooks]]\nid = \"h\"\nfile = \"../b.wasm\"\n",
                WG_PKG_TRAVERSAL,
                "plugin manifest references a path outside the package root");
}

/* Validation against a real (in-memory ZIP) package: presence checks. */
static void test_load_from_package(void) {
  const char *manifest = HEAD "hooks = []\n" RUNTIME;
  const char *manifest_missing =
      HEAD "[runtime]\nkind = \"wasm\"\nentry = \"other.wasm\"\n"
           "abi = \"yoi-plugin-wasm-1\"\n";
  const char *manifest_hook =
      HEAD RUNTIME "[[hooks]]\nid = \"h\"\nfile = \"hooks/h.wasm\"\n";
  const char *texts[] = {manifest, manifest_missing, manifest_hook};
  for (int i = 0; i < 3; i++) {
    zb_entry e[2] = {zb_file("plugin.toml", texts[i]),
                     zb_file("plugin.wasm", "\0asm")};
    uint8_t *zip = NULL;
    size_t len = zb_build(e, 2, NULL, &zip);
    wg_pkg *pkg = NULL;
    wg_pkg_diag d;
    REQUIRE(wg_pkg_open_bytes(zip, len, NULL, &pkg, &d) == 0);
    free(zip);
    wg_manifest *m = NULL;
    wg_pkg_code rc = wg_manifest_load(pkg, &m, &d);
    if (i == 0) {
      CHECK_INT(rc, WG_PKG_OK);
      REQUIRE(m != NULL);
      CHECK_STR(m->id, "example");
    } else {
      CHECK_INT(rc, WG_PKG_MISSING);
      CHECK(m == NULL);
      CHECK_STR(wg_pkg_code_name(d.kind), "missing");
      CHECK_STR(wg_pkg_phase_name(d.phase), "manifest");
      CHECK_STR(d.message,
                "plugin manifest references a path not present in the package");
    }
    wg_manifest_free(m);
    wg_pkg_free(pkg);
  }
}

static void test_load_parse_error(void) {
  zb_entry e[1] = {zb_file("plugin.toml", "schema_version = 1\nid = [\n")};
  uint8_t *zip = NULL;
  size_t len = zb_build(e, 1, NULL, &zip);
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  REQUIRE(wg_pkg_open_bytes(zip, len, NULL, &pkg, &d) == 0);
  free(zip);
  wg_manifest *m = NULL;
  CHECK_INT(wg_manifest_load(pkg, &m, &d), WG_PKG_MALFORMED);
  CHECK_STR(wg_pkg_code_name(d.kind), "malformed");
  CHECK(strncmp(d.message, parse_msg, strlen(parse_msg)) == 0);
  wg_pkg_free(pkg);
}

/* ---- permissions -------------------------------------------------------- */

static wg_manifest *perms(const char *list) {
  char text[1024];
  snprintf(text, sizeof text, HEAD "permissions = [%s]\n", list);
  return parse_ok(text);
}

static void test_permission_kinds_and_labels(void) {
  wg_manifest *m = perms(
      "{ kind = \"surface\", surface = \"hook\" }, { kind = \"tool\", name = \"X\" },"
      "{ kind = \"tool_namespace\", namespace = \"pfx\" },"
      "{ kind = \"external_write\" }, { kind = \"host_api\", api = \"https\" },"
      "{ api = \"fs\", kind = \"host_api\" }, { kind = \"surface\", surface = \"wasm\" }");
  static const char *labels[] = {"surfaces.hook", "tool.X", "tool_namespace.pfx",
                                 "external_write", "host_api.https",
                                 "host_api.fs", "surfaces.wasm"};
  REQUIRE(m->permission_count == 7);
  for (size_t i = 0; i < 7; i++) {
    char label[64];
    size_t n = wg_permission_label(&m->permissions[i], label, sizeof label);
    CHECK_STR(label, labels[i]);
    CHECK_INT(n, strlen(labels[i]));
  }
  CHECK_INT(m->permissions[2].kind, WG_PERM_TOOL_NAMESPACE);
  CHECK_INT(m->permissions[2].text_len, 3);
  CHECK_INT(m->permissions[5].api, WG_HOST_API_FS);
  /* Truncation like snprintf: the full length comes back. */
  char small[6];
  CHECK_INT(wg_permission_label(&m->permissions[2], small, sizeof small), 18);
  CHECK_STR(small, "tool_");
  CHECK_STR(wg_perm_kind_name(WG_PERM_EXTERNAL_WRITE), "external_write");
  CHECK_STR(wg_surface_name(WG_SURFACE_INGRESS), "ingress");
  wg_manifest_free(m);
}

static void test_permission_from_toml_directly(void) {
  const char *text = "p = { kind = \"tool\", name = \"a\\u0000b\" }\n"
                     "q = { kind = \"tool_namespace\", namespace = \"\" }\n";
  wg_toml_doc *doc = wg_toml_parse(text, strlen(text), NULL, NULL);
  REQUIRE(doc != NULL);
  wg_arena arena;
  wg_arena_init(&arena, 0);
  wg_permission p, q;
  size_t at = 99;
  CHECK_INT(wg_permission_from_toml(wg_toml_get(wg_toml_root(doc), "p"), &arena,
                                    &p, &at), WG_PKG_OK);
  CHECK_INT(p.text_len, 3);
  CHECK(memcmp(p.text, "a\0b", 3) == 0);
  CHECK_INT(wg_permission_from_toml(wg_toml_get(wg_toml_root(doc), "q"), &arena,
                                    &q, &at), WG_PKG_OK);
  CHECK_INT(q.text_len, 0);
  /* An empty namespace matches nothing; NUL inside a name is compared. */
  CHECK(!wg_permissions_allow_tool(&q, 1, "anything", 8));
  CHECK(wg_permissions_allow_tool(&p, 1, "a\0b", 3));
  CHECK(!wg_permissions_allow_tool(&p, 1, "a", 1));
  /* Not a table: the value's own offset. */
  CHECK_INT(wg_permission_from_toml(wg_toml_get(wg_toml_get(wg_toml_root(doc), "p"),
                                                "kind"),
                                    &arena, &p, &at), WG_PKG_MALFORMED);
  CHECK_INT(at, 13);
  wg_arena_free(&arena);
  wg_toml_free(doc);
}

static void test_permission_matching(void) {
  wg_manifest *m = perms(
      "{ kind = \"tool\", name = \"Read\" }, { kind = \"tool_namespace\", namespace = \"git\" },"
      "{ kind = \"surface\", surface = \"tool\" }, { kind = \"host_api\", api = \"https\" }");
  const wg_permission *p = m->permissions;
  size_t n = m->permission_count;
  CHECK(wg_permissions_allow_tool(p, n, "Read", 4));
  CHECK(!wg_permissions_allow_tool(p, n, "ReadX", 5));
  CHECK(!wg_permissions_allow_tool(p, n, "Rea", 3));
  CHECK(wg_permissions_allow_tool(p, n, "git", 3));
  CHECK(wg_permissions_allow_tool(p, n, "gitStatus", 9)); /* plain prefix */
  CHECK(wg_permissions_allow_tool(p, n, "git_log", 7));
  CHECK(!wg_permissions_allow_tool(p, n, "gi", 2));
  CHECK(!wg_permissions_allow_tool(p, n, "Git", 3));
  wg_permission want = {.kind = WG_PERM_SURFACE, .surface = WG_SURFACE_TOOL};
  CHECK(wg_permissions_contain(p, n, &want));
  want.surface = WG_SURFACE_HOOK;
  CHECK(!wg_permissions_contain(p, n, &want));
  wg_permission https = {.kind = WG_PERM_HOST_API, .api = WG_HOST_API_HTTPS};
  wg_permission fs = {.kind = WG_PERM_HOST_API, .api = WG_HOST_API_FS};
  wg_permission ew = {.kind = WG_PERM_EXTERNAL_WRITE};
  CHECK(wg_permissions_contain(p, n, &https));
  CHECK(!wg_permissions_contain(p, n, &fs));
  CHECK(!wg_permissions_contain(p, n, &ew));
  CHECK(!wg_permissions_contain(NULL, 0, &ew));
  /* A tool permission is not equal to a namespace of the same text. */
  wg_permission tool_git = {.kind = WG_PERM_TOOL, .text = "git", .text_len = 3};
  CHECK(!wg_permission_equal(&tool_git, &p[1]));
  wg_permission ns_git = {.kind = WG_PERM_TOOL_NAMESPACE, .text = "git",
                          .text_len = 3};
  CHECK(wg_permission_equal(&ns_git, &p[1]));
  wg_manifest_free(m);
}

/* ---- tools: input_schema conversion ------------------------------------ */

static wg_manifest *one_tool(const char *name, const char *desc,
                             const char *schema) {
  char *text = malloc(16384);
  REQUIRE(text != NULL);
  snprintf(text, 16384,
           HEAD "[[tools]]\nname = \"%s\"\ndescription = \"%s\"\ninput_schema = %s\n",
           name, desc, schema);
  wg_manifest *m = parse_ok(text);
  free(text);
  return m;
}

static void test_schema_conversion_is_canonical_json(void) {
  wg_manifest *m = one_tool(
      "T", "d",
      "{ type = \"object\", required = [\"b\"], properties = { "
      "b = { type = \"integer\", minimum = -5, maximum = 1_000 }, "
      "a = { type = \"number\", minimum = 1.0, maximum = 1e3, multipleOf = 0.25 }, "
      "c = { type = \"string\", default = \"q\\\"\\n\\u00e9\" }, "
      "d = { type = \"array\", items = { type = \"boolean\" }, default = [true, false] }, "
      "e = { enum = [1, \"x\", [], {}], type = \"string\" } }, "
      "additionalProperties = false }");
  CHECK_STR(m->tools[0].input_schema_json,
            "{\"additionalProperties\":false,\"properties\":{"
            "\"a\":{\"maximum\":1000.0,\"minimum\":1.0,\"multipleOf\":0.25,"
            "\"type\":\"number\"},"
            "\"b\":{\"maximum\":1000,\"minimum\":-5,\"type\":\"integer\"},"
            "\"c\":{\"default\":\"q\\\"\\n\xC3\xA9\",\"type\":\"string\"},"
            "\"d\":{\"default\":[true,false],\"items\":{\"type\":\"boolean\"},"
            "\"type\":\"array\"},"
            "\"e\":{\"enum\":[1,\"x\",[],{}],\"type\":\"string\"}},"
            "\"required\":[\"b\"],\"type\":\"object\"}");
  wg_manifest_diag d;
  CHECK_INT(wg_manifest_tool_check(m, 0, &d), WG_PKG_OK);
  wg_manifest_free(m);
  /* A [tools.input_schema] table and -0.0, 5e-324, big integers. */
  m = parse_ok(HEAD "[[tools]]\nname = \"T\"\ndescription = \"d\"\n"
                    "[tools.input_schema]\ntype = \"object\"\n"
                    "[tools.input_schema.properties.x]\ntype = \"number\"\n"
                    "enum = [-0.0, 5e-324, 9223372036854775807, -9223372036854775808]\n");
  CHECK_STR(m->tools[0].input_schema_json,
            "{\"properties\":{\"x\":{\"enum\":[-0.0,5e-324,"
            "9223372036854775807,-9223372036854775808],\"type\":\"number\"}},"
            "\"type\":\"object\"}");
  wg_manifest_free(m);
}

/* Floats come out as serde_json (ryu) writes them. */
static void test_schema_float_forms(void) {
  wg_manifest *m = one_tool(
      "T", "d",
      "{ type = \"object\", enum = [1e20, 1e15, 1e16, 0.0001, 1e-5, 1e-6, "
      "4.5e-7, 12.34, 1.5e300, -2.5, 0.1, 1_0.0_1, +3.0, 0.0] }");
  CHECK_STR(m->tools[0].input_schema_json,
            "{\"enum\":[1e20,1000000000000000.0,1e16,0.0001,0.00001,1e-6,"
            "4.5e-7,12.34,1.5e300,-2.5,0.1,10.01,3.0,0.0],\"type\":\"object\"}");
  wg_manifest_free(m);
}

static void schema_unrepresentable(const char *schema, const char *where) {
  wg_manifest *m = one_tool("T", "d", schema);
  CHECK(m->tools[0].input_schema_json == NULL);
  CHECK_STR(m->tools[0].input_schema_error, where);
  wg_manifest_diag d;
  CHECK_INT(wg_manifest_tool_check(m, 0, &d), WG_PKG_MALFORMED);
  CHECK(!d.warning);
  CHECK_INT(d.tool_index, 0);
  CHECK_STR(wg_pkg_code_name(d.diag.kind), "malformed");
  CHECK_STR(wg_pkg_phase_name(d.diag.phase), "manifest");
  CHECK_STR(d.diag.message, "plugin tool input_schema holds a value JSON "
                            "cannot represent (date-time, nan or inf)");
  CHECK_STR(d.location, where);
  wg_schema_error err;
  CHECK(wg_manifest_tool_schema(&m->tools[0], &err) == NULL);
  wg_manifest_free(m);
}

static void test_datetime_nan_inf_rejected_with_location(void) {
  schema_unrepresentable(
      "{ type = \"object\", properties = { x = { type = \"string\", "
      "default = 1979-05-27T07:32:00Z } } }",
      "tools[0].input_schema.properties.x.default");
  schema_unrepresentable(
      "{ type = \"object\", properties = { x = { enum = [1, inf] } } }",
      "tools[0].input_schema.properties.x.enum[1]");
  schema_unrepresentable("{ type = \"object\", minimum = nan }",
                         "tools[0].input_schema.minimum");
  schema_unrepresentable("{ type = \"object\", minimum = -inf }",
                         "tools[0].input_schema.minimum");
  schema_unrepresentable("{ type = \"object\", default = { a = [[07:32:00]] } }",
                         "tools[0].input_schema.default.a[0][0]");
  schema_unrepresentable("1979-05-27", "tools[0].input_schema");
  schema_unrepresentable(
      "{ type = \"object\", properties = { \"a.b\\n\" = { default = 1979-05-27T00:00:00 } } }",
      "tools[0].input_schema.properties.a.b\\x0A.default");
}

/* ---- tools: registration checks ---------------------------------------- */

static void tool_fail(wg_manifest *m, size_t index, wg_pkg_code kind,
                      const char *message, const char *location) {
  wg_manifest_diag d;
  CHECK_INT(wg_manifest_tool_check(m, index, &d), kind);
  CHECK(!d.warning);
  CHECK_INT(d.tool_index, index);
  CHECK_STR(wg_pkg_code_name(d.diag.kind), wg_pkg_code_name(kind));
  CHECK_STR(wg_pkg_phase_name(d.diag.phase), "manifest");
  CHECK_STR(d.diag.message, message);
  CHECK_STR(d.location, location);
}

static void check_name(const char *name, const char *message) {
  wg_manifest *m = one_tool(name, "d", "{ type = \"object\" }");
  if (message)
    tool_fail(m, 0, WG_PKG_MALFORMED, message, "tools[0].name");
  else {
    wg_manifest_diag d;
    CHECK_INT(wg_manifest_tool_check(m, 0, &d), WG_PKG_OK);
  }
  wg_manifest_free(m);
}

static void test_tool_name_rules(void) {
  check_name("", "plugin tool name is empty");
  check_name("a b", "plugin tool name contains whitespace or control characters");
  check_name("a\\tb", "plugin tool name contains whitespace or control characters");
  check_name("a\\u3000", "plugin tool name contains whitespace or control characters");
  check_name("a\\u0085", "plugin tool name contains whitespace or control characters");
  check_name("\\u007f", "plugin tool name contains whitespace or control characters");
  check_name("\\u0000", "plugin tool name contains whitespace or control characters");
  char name[140];
  memset(name, 'n', 129);
  name[129] = '\0';
  check_name(name, "plugin tool name exceeds 128 bytes");
  name[128] = '\0';
  check_name(name, NULL);
  /* yoi checks nothing else: dots, colons, non-ASCII are fine. */
  check_name("git.status", NULL);
  check_name("caf\\u00e9:\\u200b", NULL);
}

static void test_duplicate_tool_names(void) {
  wg_manifest *m = parse_ok(
      HEAD "[[tools]]\nname = \"A\"\ndescription = \"\"\ninput_schema = { type = \"object\" }\n"
           "[[tools]]\nname = \"B\"\ndescription = \"\"\ninput_schema = { type = \"object\" }\n"
           "[[tools]]\nname = \"A\"\ndescription = \"\"\ninput_schema = { type = \"object\" }\n");
  wg_manifest_diag d;
  CHECK_INT(wg_manifest_tool_check(m, 0, &d), WG_PKG_OK);
  CHECK_INT(wg_manifest_tool_check(m, 1, &d), WG_PKG_OK);
  tool_fail(m, 2, WG_PKG_DUPLICATE,
            "plugin tool name is declared twice in the same plugin package",
            "tools[2].name");
  CHECK_INT(wg_manifest_tool_check(m, 3, &d), WG_PKG_MISSING);
  CHECK_U64(d.tool_index, SIZE_MAX);
  wg_manifest_free(m);
}

static void test_description_bounds(void) {
  char *desc = malloc(4200);
  REQUIRE(desc != NULL);
  memset(desc, 'd', 4096);
  desc[4096] = '\0';
  wg_manifest *m = one_tool("T", desc, "{ type = \"object\" }");
  wg_manifest_diag d;
  CHECK_INT(wg_manifest_tool_check(m, 0, &d), WG_PKG_OK);
  wg_manifest_free(m);
  desc[4096] = 'd';
  desc[4097] = '\0';
  m = one_tool("T", desc, "{ type = \"object\" }");
  tool_fail(m, 0, WG_PKG_MALFORMED, "plugin tool description exceeds 4096 bytes",
            "tools[0].description");
  wg_manifest_free(m);
  free(desc);
  static const char *bad[] = {"a\\rb", "\\u0000", "\\u001b[2J", "x\\u007f",
                              "\\u0085", "\\u009b"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    m = one_tool("T", bad[i], "{ type = \"object\" }");
    tool_fail(m, 0, WG_PKG_MALFORMED,
              "plugin tool description contains control characters other "
              "than newline and tab",
              "tools[0].description");
    wg_manifest_free(m);
  }
  m = one_tool("T", "line one\\n\\tindented \\u00e9\\u2028", "{ type = \"object\" }");
  CHECK_INT(wg_manifest_tool_check(m, 0, &d), WG_PKG_OK);
  wg_manifest_free(m);
}

static void test_schema_root_must_be_object(void) {
  static const char *bad[] = {"{ type = \"array\" }", "{}",
                              "{ type = [\"object\"] }", "[]", "true",
                              "\"object\"", "{ properties = {} }"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    wg_manifest *m = one_tool("T", "d", bad[i]);
    tool_fail(m, 0, WG_PKG_MALFORMED,
              "plugin tool input_schema root must have type \"object\"",
              "tools[0].input_schema.type");
    wg_manifest_free(m);
  }
}

static void test_schema_must_compile(void) {
  wg_manifest *m = one_tool(
      "T", "d",
      "{ type = \"object\", properties = { q = { type = \"string\", bogus = 1 } } }");
  tool_fail(m, 0, WG_PKG_MALFORMED,
            "plugin tool input_schema is not a supported JSON Schema "
            "(unknown_keyword)",
            "tools[0].input_schema.properties.q");
  wg_manifest_free(m);
  m = one_tool("T", "d",
               "{ type = \"object\", properties = { q = { minLength = -1 } } }");
  tool_fail(m, 0, WG_PKG_MALFORMED,
            "plugin tool input_schema is not a supported JSON Schema "
            "(bad_keyword)",
            "tools[0].input_schema.properties.q");
  wg_manifest_free(m);
  m = one_tool("T", "d", "{ type = \"object\", \"$ref\" = \"#/nowhere\" }");
  wg_manifest_diag d;
  CHECK_INT(wg_manifest_tool_check(m, 0, &d), WG_PKG_MALFORMED);
  CHECK_STR(d.diag.message, "plugin tool input_schema is not a supported JSON "
                            "Schema (bad_ref)");
  wg_manifest_free(m);
}

static void test_compiled_schema_validates_input(void) {
  wg_manifest *m = one_tool(
      "T", "d",
      "{ type = \"object\", required = [\"q\"], properties = { q = { type = \"string\" } } }");
  wg_schema_error err;
  wg_schema *s = wg_manifest_tool_schema(&m->tools[0], &err);
  REQUIRE(s != NULL);
  wg_json_doc *good = wg_json_parse("{\"q\":\"x\"}", 9, NULL, NULL);
  wg_json_doc *bad = wg_json_parse("{\"q\":1}", 7, NULL, NULL);
  CHECK_INT(wg_schema_validate(s, wg_json_root(good), NULL), WG_SCHEMA_VALID);
  CHECK_INT(wg_schema_validate(s, wg_json_root(bad), NULL), WG_SCHEMA_NOT_VALID);
  wg_json_free(good);
  wg_json_free(bad);
  wg_schema_free(s);
  wg_manifest_free(m);
}

static void test_check_order_name_then_description_then_schema(void) {
  wg_manifest *m = one_tool("a b", "\\u0001", "1979-05-27");
  tool_fail(m, 0, WG_PKG_MALFORMED,
            "plugin tool name contains whitespace or control characters",
            "tools[0].name");
  wg_manifest_free(m);
  m = one_tool("ab", "\\u0001", "1979-05-27");
  tool_fail(m, 0, WG_PKG_MALFORMED,
            "plugin tool description contains control characters other than "
            "newline and tab",
            "tools[0].description");
  wg_manifest_free(m);
}

static void warn(const char *name, bool expect) {
  wg_manifest *m = one_tool(name, "d", "{ type = \"object\" }");
  wg_manifest_diag d;
  CHECK_INT(wg_manifest_tool_warning(m, 0, &d), expect);
  if (expect) {
    CHECK(d.warning);
    CHECK_INT(d.tool_index, 0);
    CHECK_STR(d.diag.message, "plugin tool name is outside [A-Za-z0-9_-]{1,64}, "
                              "which most model APIs require");
    CHECK_STR(d.location, "tools[0].name");
    /* A warning does not fail the tool. */
    CHECK_INT(wg_manifest_tool_check(m, 0, &d), WG_PKG_OK);
  }
  wg_manifest_free(m);
}

static void test_tool_name_portability_warning(void) {
  warn("Read_file-2", false);
  warn("git.status", true);
  warn("caf\\u00e9", true);
  warn("a:b", true);
  char name[80];
  memset(name, 'x', 64);
  name[64] = '\0';
  warn(name, false);
  name[64] = 'x';
  name[65] = '\0';
  warn(name, true);
  CHECK(!wg_manifest_tool_name_portable("", 0));
  CHECK(wg_manifest_tool_name_portable("a", 1));
}

/* No diagnostic message ever holds manifest content. */
static void test_messages_hold_no_manifest_content(void) {
  const char *secret = "S3CR3T-\xE6\xA9\x9F\xE5\xAF\x86";
  char text[2048];
  snprintf(text, sizeof text,
           HEAD "[[tools]]\nname = \"%s x\"\ndescription = \"%s\\u0001\"\n"
                "input_schema = { type = \"object\", properties = { %s = { bogus = 1 } } }\n",
           secret, secret, "S3CR3T");
  wg_manifest *m = parse_ok(text);
  wg_manifest_diag d;
  CHECK_INT(wg_manifest_tool_check(m, 0, &d), WG_PKG_MALFORMED);
  CHECK(strstr(d.diag.message, "S3CR3T") == NULL);
  wg_manifest_free(m);
  snprintf(text, sizeof text, HEAD "%s = 1\n", "S3CR3T");
  wg_pkg_diag pd = parse_fail(text);
  CHECK(strstr(pd.message, "S3CR3T") == NULL);
  snprintf(text, sizeof text,
           "schema_version = 1\nid = \"%s\"\nname = \"n\"\nversion = \"1\"\n", secret);
  m = parse_ok(text);
  CHECK_INT(wg_manifest_validate(m, NULL, &pd), WG_PKG_MALFORMED);
  CHECK(strstr(pd.message, "S3CR3T") == NULL);
  wg_manifest_free(m);
}

static void test_null_and_oversized_input(void) {
  wg_manifest *m = (wg_manifest *)1;
  wg_pkg_diag d;
  CHECK_INT(wg_manifest_parse(NULL, 0, &m, &d), WG_PKG_MALFORMED);
  CHECK(m == NULL);
  CHECK_STR(d.message, parse_msg);
  CHECK_INT(wg_manifest_parse(NULL, 0, &m, NULL), WG_PKG_MALFORMED);
  size_t big = 1024 * 1024 + 1;
  char *text = malloc(big);
  REQUIRE(text != NULL);
  memset(text, '#', big);
  CHECK_INT(wg_manifest_parse(text, big, &m, &d), WG_PKG_BOUNDS);
  CHECK_STR(wg_pkg_code_name(d.kind), "bounds");
  CHECK_STR(d.message, "plugin.toml exceeds the configured manifest size bound");
  free(text);
  wg_manifest_free(NULL);
}

WG_TEST_LIST {
  WG_TEST(test_reference_example_is_accepted),
  WG_TEST(test_minimal_manifest_and_defaults),
  WG_TEST(test_implicit_surfaces),
  WG_TEST(test_design_doc_hook_manifest_is_accepted),
  WG_TEST(test_unknown_keys_rejected_at_every_level),
  WG_TEST(test_missing_required_keys),
  WG_TEST(test_wrong_types_and_ranges),
  WG_TEST(test_toml_syntax_error_hides_content),
  WG_TEST(test_unknown_permission_kind_fails_closed),
  WG_TEST(test_schema_version_must_be_one),
  WG_TEST(test_id_must_be_safe),
  WG_TEST(test_name_and_version_not_blank),
  WG_TEST(test_runtime_rules_in_order),
  WG_TEST(test_hook_rules),
  WG_TEST(test_load_from_package),
  WG_TEST(test_load_parse_error),
  WG_TEST(test_permission_kinds_and_labels),
  WG_TEST(test_permission_from_toml_directly),
  WG_TEST(test_permission_matching),
  WG_TEST(test_schema_conversion_is_canonical_json),
  WG_TEST(test_schema_float_forms),
  WG_TEST(test_datetime_nan_inf_rejected_with_location),
  WG_TEST(test_tool_name_rules),
  WG_TEST(test_duplicate_tool_names),
  WG_TEST(test_description_bounds),
  WG_TEST(test_schema_root_must_be_object),
  WG_TEST(test_schema_must_compile),
  WG_TEST(test_compiled_schema_validates_input),
  WG_TEST(test_check_order_name_then_description_then_schema),
  WG_TEST(test_tool_name_portability_warning),
  WG_TEST(test_messages_hold_no_manifest_content),
  WG_TEST(test_null_and_oversized_input),
};
WG_TEST_MAIN()
