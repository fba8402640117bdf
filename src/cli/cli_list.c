/* cli_list.c: `wasmgate list [--json]`: every plugin reference the
 * workspace knows (discovered, enabled, resolved or diagnosed) with its
 * status (docs/configuration.md#list--show-wg_inspect). Read-only: never
 * executes plugin code. */
#include "cli_plugins.h"

#include <string.h>

/* Items shown in human output; the rest are counted (as yoi). */
enum { LIST_HUMAN_MAX = 128, LIST_DIAG_LINES = 3 };

static void print_surfaces(const wg_strings *s) {
  if (s->count == 0) fputs("(none)", stdout);
  for (size_t i = 0; i < s->count; i++) {
    if (i) fputs(", ", stdout);
    fputs(s->items[i], stdout);
  }
}

static void print_item_line(const wg_inspect_item *it) {
  fputs("- ", stdout);
  cli_print_safe_str(stdout, it->reference);
  printf(" [%s] version=", wg_plugin_status_name(it->status));
  cli_print_safe_str(stdout, it->version);
  if (it->has_schema_version)
    printf(" schema_version=%u api_version=%u", it->schema_version, it->schema_version);
  else
    fputs(" schema_version=<unknown> api_version=<unknown>", stdout);
  fputs(" package_path=", stdout);
  cli_print_safe_str(stdout, it->package_path);
  printf(" digest=%s source=%s enabled_surfaces=", it->digest ? it->digest : "<unknown>",
         it->has_source ? wg_source_name(it->source) : "<unknown>");
  print_surfaces(&it->enabled_surfaces);
  printf(" tools=%zu diagnostics=%zu\n", it->tool_count, it->diag_count);
  for (size_t d = 0; d < it->diag_count && d < LIST_DIAG_LINES; d++) {
    fputs("    diagnostic: ", stdout);
    cli_print_safe_str(stdout, it->diags[d].message);
    fputc('\n', stdout);
  }
}

static int print_json(const cli_plugins *p) {
  wg_buf out;
  wg_json_writer w;
  wg_buf_init(&out, 0);
  wg_json_writer_init(&w, &out);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "workspace", 9);
  wg_json_writer_cstr(&w, p->workspace);
  wg_json_writer_key(&w, "items", 5);
  wg_json_writer_begin_array(&w);
  bool ok = true;
  for (size_t i = 0; i < p->insp.count; i++)
    ok = wg_inspect_item_json(&p->insp.items[i], &w) && ok;
  wg_json_writer_end_array(&w);
  wg_json_writer_end_object(&w);
  ok = wg_json_writer_finish(&w) && ok;
  if (ok) cli_print_json_pretty(stdout, out.data, out.len);
  wg_buf_free(&out);
  return ok ? CLI_EXIT_OK : cli_fail("out of memory");
}

static int list_run(const cli_args *a) {
  cli_plugins p;
  int rc = cli_plugins_open(a, true, &p);
  if (rc == CLI_EXIT_OK && wg_inspect(p.cfg, &p.disc, &p.res, &p.insp) != 0)
    rc = cli_fail("out of memory");
  if (rc != CLI_EXIT_OK) {
    cli_plugins_free(&p);
    return rc;
  }
  if (cli_flag(a, "json")) {
    rc = print_json(&p);
  } else {
    fputs("plugin packages (workspace: ", stdout);
    cli_print_safe_str(stdout, p.workspace);
    fputs(")\n", stdout);
    if (p.insp.count == 0) fputs("  (none)\n", stdout);
    for (size_t i = 0; i < p.insp.count && i < LIST_HUMAN_MAX; i++)
      print_item_line(&p.insp.items[i]);
    if (p.insp.total > LIST_HUMAN_MAX)
      printf("  ... %zu more plugin package(s) omitted\n", p.insp.total - LIST_HUMAN_MAX);
  }
  cli_plugins_free(&p);
  return rc;
}

static const cli_opt list_opts[] = {
  {"json", 0, CLI_OPT_FLAG, NULL, "print {\"workspace\", \"items\": [...]} as yoi does", false},
  {0},
};

const cli_spec cli_list_spec = {
  .name = "list",
  .synopsis = "list [--json]",
  .summary = "list plugin packages and their status",
  .description =
      "Lists plugin packages: discovered in the project store\n"
      "(WORKSPACE/.yoi/plugins) and the user store\n"
      "(${XDG_DATA_HOME:-$HOME/.local/share}/yoi/plugins), enabled in\n"
      "wasmgate.toml, and their status: active, disabled, missing, rejected\n"
      "or partial. Uses wasmgate.lock when present. Never runs plugin code.",
  .options = list_opts,
  .globals = CLI_G_ALL,
  .run = list_run,
};
