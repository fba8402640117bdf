/* cli_check.c: `wasmgate check PATH [--json] [--timeout-ms N]`: validates
 * one package (file or directory) without running anything: archive
 * rules, plugin.toml (yoi's discovery rules), every [[tools]] entry
 * (registration rules, plus a warning for names most model APIs refuse)
 * and the entry module
 * (decode, validate, yoi-plugin-wasm-1 imports and exports). It also warns
 * when the manifest does not request the permissions its own tools and
 * imports need (surfaces.tool, the tool, external_write, host_api.https):
 * no config grant could then authorize them.
 *
 * Exit 0 valid (warnings allowed), 1 invalid, 2 usage. Diagnostics are
 * fixed messages (never a path); warnings are diagnostics whose "kind" is
 * "warning". A location ("tools[0].input_schema.properties.x") is printed
 * beside a diagnostic when there is one, never inside its message.
 *
 * The module is compiled under a deadline (--timeout-ms, default that of a
 * call) and the engine's compile memory budget, so check ends within its
 * own bound whatever the module holds. */
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/json.h"
#include "wasmgate/manifest.h"
#include "wasmgate/package.h"
#include "wasmgate/runtime.h"
#include "wasmgate/util.h"

/* WG_CLI_CHECK_* (diagnostics listed, --timeout-ms) are in limits.h. */

typedef struct check_report {
  wg_pkg *pkg;
  wg_manifest *manifest;
  char digest[WG_PKG_DIGEST_LEN];
  bool have_digest;
  wg_manifest_diag *diags;
  size_t diag_count, diag_cap;
  bool ok;
  uint64_t deadline_ns; /* of the module's compilation */
} check_report;

/* Adds a diagnostic; an error makes the report invalid. */
static void add_diag(check_report *r, const wg_manifest_diag *d) {
  if (!d->warning) r->ok = false;
  wg_manifest_diag *p = wg_vec_reserve(r->diags, &r->diag_cap, r->diag_count + 1,
                                       sizeof *p, WG_CLI_CHECK_MAX_DIAGS);
  if (!p) return; /* past WG_CLI_CHECK_MAX_DIAGS or out of memory: dropped */
  r->diags = p;
  r->diags[r->diag_count++] = *d;
}

static void add_pkg_diag(check_report *r, const wg_pkg_diag *pd) {
  wg_manifest_diag d;
  memset(&d, 0, sizeof d);
  d.diag = *pd;
  d.tool_index = SIZE_MAX;
  add_diag(r, &d);
}

/* A warning of `kind` about the package (tool SIZE_MAX) or tools[tool]. */
static wg_manifest_diag warning_diag(wg_pkg_code kind, const char *message, size_t tool) {
  wg_manifest_diag d;
  memset(&d, 0, sizeof d);
  d.warning = true;
  d.tool_index = tool;
  d.diag.kind = kind;
  d.diag.phase = WG_PKG_PHASE_MANIFEST;
  snprintf(d.diag.message, sizeof d.diag.message, "%s", message);
  if (tool != SIZE_MAX)
    snprintf(d.location, sizeof d.location, "tools[%zu]", tool);
  return d;
}

static void add_warning(check_report *r, wg_pkg_code kind, const char *message, size_t tool) {
  wg_manifest_diag d = warning_diag(kind, message, tool);
  add_diag(r, &d);
}

/* A warning about the manifest's own permission requests: without them no
 * grant can ever authorize the tool (both sides must hold a permission),
 * whatever the config says. yoi's denial wording, minus the tool name (the
 * location has it). */
static void add_request_warning(check_report *r, const char *message, size_t tool) {
  add_warning(r, WG_PKG_GRANT, message, tool);
}

static void check_requests(check_report *r) {
  const wg_manifest *m = r->manifest;
  const wg_permission *p = m->permissions;
  size_t n = m->permission_count;
  wg_permission surface = {.kind = WG_PERM_SURFACE, .surface = WG_SURFACE_TOOL};
  wg_permission ext = {.kind = WG_PERM_EXTERNAL_WRITE};
  if (m->tool_count && !wg_permissions_contain(p, n, &surface))
    add_request_warning(r, "requested surfaces.tool permission is missing",
                        SIZE_MAX);
  for (size_t i = 0; i < m->tool_count; i++) {
    const wg_manifest_tool *t = &m->tools[i];
    if (!wg_permissions_allow_tool(p, n, t->name, t->name_len))
      add_request_warning(r, "requested tool permission is missing", i);
    if (t->external_write && !wg_permissions_contain(p, n, &ext))
      add_request_warning(r, "requested external_write permission is missing",
                          i);
  }
}

/* A valid input_schema that no input can ever get through in part (a
 * $ref chain deeper than the validator's limit): a warning, located at
 * that subschema. */
static void check_schema_depth(check_report *r, size_t i) {
  wg_schema_error se;
  wg_schema *s = wg_manifest_tool_schema(&r->manifest->tools[i], &se);
  if (!s) return; /* wg_manifest_tool_check reported it */
  wg_schema_error w;
  if (wg_schema_depth_warning(s, &w) == WG_SCHEMA_DEPTH) {
    wg_manifest_diag d = warning_diag(WG_PKG_BOUNDS, w.message, i);
    /* Cut to the location's room: a long path ends in "...". */
    snprintf(d.location, sizeof d.location, "tools[%zu].input_schema%.200s", i,
             w.schema_path[0] == '$' ? w.schema_path + 1 : "");
    add_diag(r, &d);
  }
  wg_schema_free(s);
}

static void check_tools(check_report *r) {
  const wg_manifest *m = r->manifest;
  for (size_t i = 0; i < m->tool_count; i++) {
    wg_manifest_diag d;
    bool valid = wg_manifest_tool_check(m, i, &d) == 0;
    if (!valid) add_diag(r, &d);
    if (wg_manifest_tool_warning(m, i, &d)) add_diag(r, &d);
    if (valid) check_schema_depth(r, i);
  }
}

static void check_module(check_report *r) {
  const wg_manifest *m = r->manifest;
  if (!m->has_runtime) {
    if (m->tool_count)
      add_warning(r, WG_PKG_API,
                  "plugin package declares tools but no WASM runtime; every call fails",
                  SIZE_MAX);
    return;
  }
  const wg_pkg_file *entry;
  wg_pkg_diag pd;
  if (wg_pkg_resolve_ref(r->pkg, m->runtime.entry, m->runtime.entry_len,
                         &entry, &pd) != 0) {
    add_pkg_diag(r, &pd); /* wg_manifest_load already checked it */
    return;
  }
  bool https = false;
  wg_module_limits lim = {.deadline_ns = r->deadline_ns};
  if (wg_abi_check_limited(entry->data, entry->size, &lim, &https, &pd) != 0) {
    add_pkg_diag(r, &pd);
    return;
  }
  wg_permission want = {.kind = WG_PERM_HOST_API, .api = WG_HOST_API_HTTPS};
  if (https && !wg_permissions_contain(m->permissions, m->permission_count, &want))
    add_request_warning(r, "requested host_api.https permission is missing",
                        SIZE_MAX);
}

static void run_check(check_report *r, const char *path) {
  wg_pkg_diag pd;
  r->ok = true;
  if (wg_pkg_open_path(path, NULL, &r->pkg, &pd) != 0) {
    add_pkg_diag(r, &pd);
    return;
  }
  wg_pkg_digest(r->pkg, r->digest);
  r->have_digest = true;
  if (wg_manifest_load(r->pkg, &r->manifest, &pd) != 0) {
    add_pkg_diag(r, &pd);
    return;
  }
  check_tools(r);
  check_requests(r);
  check_module(r);
}

static const char *diag_kind(const wg_manifest_diag *d) {
  return d->warning ? "warning" : wg_pkg_code_name(d->diag.kind);
}

static void json_string_or_null(wg_json_writer *w, const char *s, size_t len) {
  if (s) wg_json_writer_string(w, s, len);
  else wg_json_writer_null(w);
}

static int print_json(const check_report *r) {
  wg_buf out;
  wg_buf_init(&out, 0);
  wg_json_writer w;
  wg_json_writer_init(&w, &out);
  const wg_manifest *m = r->manifest;
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "ok", 2);
  wg_json_writer_bool(&w, r->ok);
  wg_json_writer_key(&w, "id", 2);
  json_string_or_null(&w, m ? m->id : NULL, m ? m->id_len : 0);
  wg_json_writer_key(&w, "version", 7);
  json_string_or_null(&w, m ? m->version : NULL, m ? m->version_len : 0);
  wg_json_writer_key(&w, "digest", 6);
  wg_json_writer_cstr(&w, r->have_digest ? r->digest : NULL);
  wg_json_writer_key(&w, "tools", 5);
  wg_json_writer_begin_array(&w);
  for (size_t i = 0; m && i < m->tool_count; i++)
    wg_json_writer_string(&w, m->tools[i].name, m->tools[i].name_len);
  wg_json_writer_end_array(&w);
  wg_json_writer_key(&w, "diagnostics", 11);
  wg_json_writer_begin_array(&w);
  for (size_t i = 0; i < r->diag_count; i++) {
    const wg_manifest_diag *d = &r->diags[i];
    wg_json_writer_begin_object(&w);
    wg_json_writer_key(&w, "kind", 4);
    wg_json_writer_cstr(&w, diag_kind(d));
    wg_json_writer_key(&w, "phase", 5);
    wg_json_writer_cstr(&w, wg_pkg_phase_name(d->diag.phase));
    wg_json_writer_key(&w, "message", 7);
    wg_json_writer_cstr(&w, d->diag.message);
    if (d->location[0]) {
      wg_json_writer_key(&w, "location", 8);
      wg_json_writer_cstr(&w, d->location);
    }
    wg_json_writer_end_object(&w);
  }
  wg_json_writer_end_array(&w);
  wg_json_writer_end_object(&w);
  bool ok = wg_json_writer_finish(&w);
  if (ok) printf("%s\n", out.data);
  wg_buf_free(&out);
  return ok ? 0 : -1;
}

/* Manifest text for a terminal: printable ASCII and UTF-8 kept, control
 * bytes as \xNN, so a name cannot move the cursor or fake a line. */
static void print_text(const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n = wg_utf8_decode((const uint8_t *)s + i, len - i, &cp);
    if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      printf("\\x%02X", (unsigned char)s[i]);
      i++;
      continue;
    }
    fwrite(s + i, 1, n, stdout);
    i += n;
  }
}

static void print_field(const char *label, const char *s, size_t len) {
  printf("%-8s ", label);
  if (s) print_text(s, len);
  else fputs("-", stdout);
  fputc('\n', stdout);
}

static void print_human(const check_report *r) {
  const wg_manifest *m = r->manifest;
  print_field("id", m ? m->id : NULL, m ? m->id_len : 0);
  print_field("version", m ? m->version : NULL, m ? m->version_len : 0);
  print_field("digest", r->have_digest ? r->digest : NULL,
              r->have_digest ? strlen(r->digest) : 0);
  printf("%-8s ", "tools");
  if (!m || m->tool_count == 0) fputs("-", stdout);
  for (size_t i = 0; m && i < m->tool_count; i++) {
    if (i) fputs(", ", stdout);
    print_text(m->tools[i].name, m->tools[i].name_len);
  }
  fputc('\n', stdout);
  for (size_t i = 0; i < r->diag_count; i++) {
    const wg_manifest_diag *d = &r->diags[i];
    printf("[%s] %s", diag_kind(d), d->diag.message);
    if (d->location[0]) printf(" (at %s)", d->location);
    fputc('\n', stdout);
  }
  printf("%s\n", r->ok ? "ok: package is valid" : "error: package is invalid");
}

static int check_run(const cli_args *a) {
  uint64_t start = wg_now_ns();
  unsigned long long timeout_ms = WG_CLI_CHECK_DEFAULT_TIMEOUT_MS;
  if (cli_value(a, "timeout-ms") &&
      !cli_uint_value(a, "timeout-ms", 1, WG_CLI_CHECK_MAX_TIMEOUT_MS, &timeout_ms))
    return CLI_EXIT_USAGE;
  check_report r;
  memset(&r, 0, sizeof r);
  r.deadline_ns = start + (uint64_t)timeout_ms * 1000000u;
  run_check(&r, a->pos[0]);
  int rc = r.ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  if (cli_flag(a, "json")) {
    if (print_json(&r) != 0) rc = cli_fail("check: out of memory");
  } else {
    print_human(&r);
  }
  free(r.diags);
  wg_manifest_free(r.manifest);
  wg_pkg_free(r.pkg);
  return rc;
}

static const cli_opt check_opts[] = {
  {"json", 0, CLI_OPT_FLAG, NULL,
   "print one JSON object: {\"ok\", \"id\", \"version\", \"digest\", \"tools\": [names], "
   "\"diagnostics\": [{\"kind\", \"phase\", \"message\", \"location\"?}]}", false},
  {"timeout-ms", 0, CLI_OPT_VALUE, "N",
   "give up after N ms (default 10000, a call's default timeout; at most 3600000): a "
   "module that takes longer to compile is reported as a `bounds` error", false},
  {0},
};

const cli_spec cli_check_spec = {
  .name = "check",
  .synopsis = "check PATH [--json] [--timeout-ms N]",
  .summary = "validate a package: archive, manifest, tools, ABI",
  .description =
      "Checks the package at PATH (a .yoi-plugin file or a directory\n"
      "package) without running it: the archive rules, plugin.toml, each\n"
      "tool (name, description, input_schema) and the entry module\n"
      "(decodes, validates, and imports/exports only what the\n"
      "yoi-plugin-wasm-1 ABI allows). Prints id, version, digest, tools\n"
      "and each diagnostic as `[kind] message`; warnings (kind `warning`:\n"
      "tool names most model APIs refuse, permissions the manifest does\n"
      "not request for its own tools or imports, an input_schema that can\n"
      "never validate) do not make the package invalid.\n"
      "\n"
      "Exit status: 0 valid, 1 invalid, 2 usage error.",
  .options = check_opts,
  .min_args = 1,
  .max_args = 1,
  .run = check_run,
};
