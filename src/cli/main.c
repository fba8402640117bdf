/* main.c: `wasmgate` entry point: the global options before the command,
 * then the command's own parse (cli_parse) and run. */
#include "cli.h"

#include <string.h>

/* The first global option set in a (for "COMMAND does not take ..."). */
static const char *first_global(const cli_args *a, unsigned allowed) {
  const char *given[] = {a->workspace, a->config, a->project_store, a->user_store};
  for (size_t i = 0; i < 4; i++)
    if (given[i] && !(allowed & cli_global_bits[i])) return cli_global_opts[i].name;
  return NULL;
}

static int run(int argc, char **argv, cli_args *a) {
  int at = 1;
  if (cli_parse(NULL, argc, argv, 1, a, &at) != 0) return CLI_EXIT_USAGE;
  if (a->version && at >= argc) {
    printf("wasmgate %s\n", WG_VERSION);
    return CLI_EXIT_OK;
  }
  if (at >= argc) {
    cli_print_main_help(a->help ? stdout : stderr);
    return a->help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  if (a->version) return cli_usage_error("--version takes no command");
  const cli_spec *c = cli_command_find(argv[at]);
  if (!c) return cli_usage_error("unknown command '%s' (see --help)", argv[at]);
  const char *g = first_global(a, c->globals);
  if (g) return cli_usage_error("%s: --%s does not apply to this command (see --help)", c->name, g);
  int rc = cli_parse(c, argc, argv, at + 1, a, NULL);
  if (rc != 0) return rc;
  if (a->help) {
    cli_print_help(stdout, c);
    return CLI_EXIT_OK;
  }
  return c->run(a);
}

int main(int argc, char **argv) {
  cli_args a;
  memset(&a, 0, sizeof a);
  int rc = run(argc, argv, &a);
  cli_args_free(&a);
  return rc;
}
