/* cli_tools.c: `wasmgate tools [--json]`: the model-visible tool list
 * (reference section 3) built from the resolved config, with registration
 * diagnostics. Never runs plugin code. */
#include "cli_plugins.h"
#include "wasmgate/runtime.h"

#include <string.h>

static void tools_help(FILE *f) {
  fputs("usage: wasmgate [--workspace DIR] [--config FILE] tools [--json]\n"
        "                [--project-store DIR] [--user-store DIR]\n"
        "\n"
        "Lists the tools a model sees: name, description and input schema of\n"
        "every tool of the enabled, resolved and authorized plugins, in\n"
        "registration order. Never runs plugin code.\n",
        f);
}

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

int cli_cmd_tools(int argc, char **argv, const cli_global *g) {
  cli_plugin_opts o;
  if (cli_plugin_opts_parse(argc, argv, 0, &o) != 0) return CLI_EXIT_USAGE;
  if (o.help) {
    tools_help(stdout);
    return CLI_EXIT_OK;
  }
  cli_plugins p;
  int rc = cli_plugins_load(g, &o, true, &p);
  wg_registry reg;
  if (rc == CLI_EXIT_OK && wg_registry_build(p.cfg, &p.res, NULL, 0, &reg) != 0)
    rc = cli_fail("out of memory");
  if (rc == CLI_EXIT_OK) {
    if (o.json) {
      wg_buf out;
      wg_buf_init(&out, 0);
      if (wg_registry_write_json(&reg, &out)) cli_print_json_pretty(stdout, out.data, out.len);
      else rc = cli_fail("out of memory");
      wg_buf_free(&out);
    } else {
      print_human(&reg);
    }
    wg_registry_free(&reg);
  }
  cli_plugins_free(&p);
  return rc;
}
