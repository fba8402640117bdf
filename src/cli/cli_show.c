/* cli_show.c: `wasmgate show REF [--json]`: one plugin reference in full
 * (as yoi's `plugin show`): identity, package, permissions and grants, static
 * runtime, host API and per-tool eligibility, diagnostics. Read-only. */
#include "cli_plugins.h"

#include <string.h>

enum { SHOW_DIAG_LINES = 48 };

static void field(const char *key, const char *value) {
  printf("  %s: ", key);
  cli_print_safe_str(stdout, value);
  fputc('\n', stdout);
}

static void field_bool(const char *key, bool v) { printf("  %s: %s\n", key, v ? "true" : "false"); }

static void field_list(const char *key, const wg_strings *s) {
  printf("  %s: ", key);
  if (s->count == 0) fputs("(none)", stdout);
  for (size_t i = 0; i < s->count; i++) {
    if (i) fputs(", ", stdout);
    cli_print_safe_str(stdout, s->items[i]);
  }
  fputc('\n', stdout);
}

static void diagnostic_line(const char *indent, const char *msg) {
  if (!msg) return;
  printf("%sdiagnostic: ", indent);
  cli_print_safe_str(stdout, msg);
  fputc('\n', stdout);
}

static void print_tools(const wg_inspect_item *it) {
  fputs("  tools:\n", stdout);
  if (it->tool_count == 0) fputs("    (none)\n", stdout);
  for (size_t i = 0; i < it->tool_count; i++) {
    const wg_inspect_tool *t = &it->tools[i];
    fputs("    - ", stdout);
    cli_print_safe(stdout, t->name, t->name_len);
    fputs(" permission=tool.", stdout);
    cli_print_safe(stdout, t->name, t->name_len);
    printf(" requested=%s granted=%s eligible=%s external_write=%s\n",
           t->requested ? "true" : "false", t->granted ? "true" : "false",
           t->eligible ? "true" : "false", t->external_write ? "true" : "false");
    diagnostic_line("      ", t->diagnostic);
  }
}

static void print_human(const wg_inspect_item *it) {
  char num[16];
  fputs("plugin ", stdout);
  cli_print_safe_str(stdout, it->reference);
  fputc('\n', stdout);
  field("status", wg_plugin_status_name(it->status));
  field("source", it->has_source ? wg_source_name(it->source) : NULL);
  field("package", it->package);
  field("package_path", it->package_path);
  snprintf(num, sizeof num, "%u", it->schema_version);
  field("schema_version", it->has_schema_version ? num : NULL);
  field("api_version", it->has_schema_version ? num : NULL);
  field("version", it->version);
  field("digest", it->digest);
  field_bool("configured", it->configured);
  field_bool("discovered", it->discovered);
  field_bool("resolved", it->resolved);
  field_bool("static_eligible", it->static_eligible);
  field_list("declared_surfaces", &it->declared_surfaces);
  field_list("enabled_surfaces", &it->enabled_surfaces);
  field_list("requested_permissions", &it->requested_permissions);
  field_list("configured_grants", &it->configured_grants);
  field_list("configured_https_grants", &it->configured_https_grants);
  if (it->has_static_runtime) {
    fputs("  runtime: ", stdout);
    cli_print_safe_str(stdout, it->runtime.status);
    printf(" eligible=%s\n", it->runtime.eligible ? "true" : "false");
    diagnostic_line("    ", it->runtime.diagnostic);
  } else {
    fputs("  runtime: <unknown> eligible=false\n", stdout);
  }
  fputs("  host_api_permissions:\n", stdout);
  if (it->host_api_count == 0) fputs("    (none)\n", stdout);
  for (size_t i = 0; i < it->host_api_count; i++) {
    const wg_inspect_host_api *h = &it->host_apis[i];
    printf("    - host_api.%s requested=%s granted=%s eligible=%s\n",
           wg_host_api_name(h->api), h->requested ? "true" : "false",
           h->granted ? "true" : "false", h->eligible ? "true" : "false");
    diagnostic_line("      ", h->diagnostic);
  }
  print_tools(it);
  fputs("  diagnostics:\n", stdout);
  if (it->diag_count == 0) fputs("    (none)\n", stdout);
  for (size_t i = 0; i < it->diag_count && i < SHOW_DIAG_LINES; i++) {
    printf("    - [%s] ", it->diags[i].kind);
    cli_print_safe_str(stdout, it->diags[i].message);
    fputc('\n', stdout);
  }
}

static int print_json(const wg_inspect_item *it) {
  wg_buf out;
  wg_json_writer w;
  wg_buf_init(&out, 0);
  wg_json_writer_init(&w, &out);
  bool ok = wg_inspect_item_json(it, &w);
  ok = wg_json_writer_finish(&w) && ok;
  if (ok) cli_print_json_pretty(stdout, out.data, out.len);
  wg_buf_free(&out);
  return ok ? CLI_EXIT_OK : cli_fail("out of memory");
}

static int show_run(const cli_args *a) {
  cli_plugins p;
  int rc = cli_plugins_open(a, true, &p);
  if (rc == CLI_EXIT_OK && wg_inspect(p.cfg, &p.disc, &p.res, &p.insp) != 0)
    rc = cli_fail("out of memory");
  if (rc == CLI_EXIT_OK) {
    const wg_inspect_item *it;
    wg_inspect_lookup l = wg_inspect_find(&p.insp, a->pos[0], &it);
    if (l != WG_LOOKUP_FOUND) rc = cli_ref_error(a->pos[0], l == WG_LOOKUP_AMBIGUOUS, CLI_EXIT_FAIL);
    else if (cli_flag(a, "json")) rc = print_json(it);
    else print_human(it);
  }
  cli_plugins_free(&p);
  return rc;
}

static const cli_opt show_opts[] = {
  {"json", 0, CLI_OPT_FLAG, NULL, "print the item as yoi's JSON object", false},
  {0},
};

const cli_spec cli_show_spec = {
  .name = "show",
  .synopsis = "show REF [--json]",
  .summary = "show one plugin package: permissions, grants, tools",
  .description =
      "Shows one plugin reference (source:id, or a unique id) as `list` sees\n"
      "it, with permissions, grants and per-tool eligibility. Never runs\n"
      "plugin code.",
  .options = show_opts,
  .globals = CLI_G_ALL,
  .min_args = 1,
  .max_args = 1,
  .run = show_run,
};
