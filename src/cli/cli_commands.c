/* cli_commands.c: the command table of `wasmgate` (help order) and
 * `wasmgate help [COMMAND]`. A command with a spec is parsed by main with
 * cli_parse; one without (wasm) parses its own arguments. */
#include "cli.h"

#include <string.h>

const cli_command cli_commands[] = {
  {"wasm", cli_cmd_wasm, "run a function of a WebAssembly module (engine entry)", NULL, true},
  {.spec = &cli_pack_spec},
  {.spec = &cli_digest_spec},
  {.spec = &cli_check_spec},
  {.spec = &cli_list_spec},
  {.spec = &cli_show_spec},
  {.spec = &cli_lock_spec},
  {.spec = &cli_tools_spec},
  {.spec = &cli_call_spec},
  {.spec = &cli_history_spec},
  {"explain-url", cli_cmd_explain_url,
   "explain the https policy's decision for a METHOD and URL", NULL, false},
  {"serve", cli_cmd_serve, "serve the tools over MCP (stdio, or Streamable HTTP with --http)", NULL,
   false},
  {.spec = &cli_help_spec},
};
const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

const char *cli_command_name(const cli_command *c) { return c->spec ? c->spec->name : c->name; }
const char *cli_command_summary(const cli_command *c) {
  return c->spec ? c->spec->summary : c->summary;
}

const cli_command *cli_command_find(const char *name) {
  for (size_t i = 0; i < cli_command_count; i++)
    if (strcmp(cli_command_name(&cli_commands[i]), name) == 0) return &cli_commands[i];
  return NULL;
}

static int help_run(const cli_args *a) {
  if (a->npos == 0) {
    cli_print_main_help(stdout);
    return CLI_EXIT_OK;
  }
  const cli_command *c = cli_command_find(a->pos[0]);
  if (!c) return cli_usage_error("help: unknown command '%s' (see wasmgate --help)", a->pos[0]);
  if (c->spec) {
    cli_print_help(stdout, c->spec);
    return CLI_EXIT_OK;
  }
  char *argv[] = {(char *)c->name, "--help", NULL};
  cli_global g = {0};
  return c->fn(2, argv, &g);
}

const cli_spec cli_help_spec = {
  .name = "help",
  .synopsis = "help [COMMAND]",
  .summary = "show the help of wasmgate or of one command",
  .description = "Prints the same text as `wasmgate --help`, or, given a COMMAND, as\n"
                 "`wasmgate COMMAND --help`.",
  .max_args = 1,
  .run = help_run,
};
