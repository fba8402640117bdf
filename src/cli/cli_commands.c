/* cli_commands.c: the command table of `wasmgate` (help order) and
 * `wasmgate help [COMMAND]`. Every command is a cli_spec, parsed by main
 * with cli_parse. */
#include "cli.h"

#include <string.h>

const cli_spec *const cli_commands[] = {
  &cli_wasm_spec,
  &cli_pack_spec,
  &cli_digest_spec,
  &cli_check_spec,
  &cli_list_spec,
  &cli_show_spec,
  &cli_lock_spec,
  &cli_tools_spec,
  &cli_call_spec,
  &cli_history_spec,
  &cli_explain_url_spec,
  &cli_serve_spec,
  &cli_help_spec,
};
const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

const cli_spec *cli_command_find(const char *name) {
  for (size_t i = 0; i < cli_command_count; i++)
    if (strcmp(cli_commands[i]->name, name) == 0) return cli_commands[i];
  return NULL;
}

static int help_run(const cli_args *a) {
  if (a->npos == 0) {
    cli_print_main_help(stdout);
    return CLI_EXIT_OK;
  }
  const cli_spec *c = cli_command_find(a->pos[0]);
  if (!c) return cli_usage_error("help: unknown command '%s' (see wasmgate --help)", a->pos[0]);
  cli_print_help(stdout, c);
  return CLI_EXIT_OK;
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
