/* cli_tools.c: `wasmgate tools [--json]`: the model-visible tool list
 * (docs/design.md#tool-registration) built from the resolved config, with
 * registration diagnostics. Never runs plugin code. */
#include "cli_plugins.h"
#include "wasmgate/runtime.h"

#include <string.h>

static void print_human(const wg_registry *r) {
  for (size_t i = 0; i < r->count; i++) {
    const wg_tool *t = &r->tools[i];
    cli_print_safe(stdout, t->name, t->name_len);
    fputs(" (", stdout);
    cli_print_safe_str(stdout, t->ref);
    fputs(")\n    ", stdout);
    cli_print_safe(stdout, t->description, t->description_len);
    fputs("\n    input_schema: ", stdout);
    cli_print_safe(stdout, t->input_schema_json, t->input_schema_len);
    fputc('\n', stdout);
  }
  if (r->count == 0) puts("no tools");
  for (size_t i = 0; i < r->diag_count; i++) {
    printf("%s: ", r->diags[i].warning ? "warning" : "error");
    cli_print_safe_str(stdout, r->diags[i].message);
    fputc('\n', stdout);
  }
}

static int tools_run(const cli_args *a) {
  wg_workspace *ws;
  int rc = cli_workspace_open(a, &ws);
  if (rc != CLI_EXIT_OK) return rc;
  const wg_registry *reg = wg_workspace_registry(ws);
  rc = CLI_EXIT_OK;
  if (cli_flag(a, "json")) {
    wg_buf out;
    wg_buf_init(&out, 0);
    if (wg_registry_write_json(reg, &out)) cli_print_json_pretty(stdout, out.data, out.len);
    else rc = cli_fail("out of memory");
    wg_buf_free(&out);
  } else {
    print_human(reg);
  }
  wg_workspace_close(ws);
  return rc;
}

static const cli_opt tools_opts[] = {
  {"json", 0, CLI_OPT_FLAG, NULL,
   "print {\"tools\": [{\"name\", \"description\", \"input_schema\", \"plugin\", "
   "\"version\", \"digest\"}], \"diagnostics\": [{\"plugin\", \"severity\", \"message\"}]}",
   false},
  {0},
};

const cli_spec cli_tools_spec = {
  .name = "tools",
  .synopsis = "tools [--json]",
  .summary = "list the tools a model sees (name, description, schema)",
  .description =
      "Lists the tools a model sees: name, description and input schema of\n"
      "every tool of the enabled, resolved and authorized plugins, in\n"
      "registration order, then the diagnostics: an enabled plugin that was\n"
      "rejected (with the reason `wasmgate list` shows) and tools that could\n"
      "not be registered. Never runs plugin code.",
  .options = tools_opts,
  .globals = CLI_G_ALL,
  .run = tools_run,
};
