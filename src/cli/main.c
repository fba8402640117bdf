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

/* A command without a spec: it parses the rest itself. */
static int run_legacy(const cli_command *c, int argc, char **argv, int at, const cli_args *a) {
  const char *g = first_global(a, c->no_globals ? 0 : CLI_G_ALL);
  if (g) return cli_usage_error("%s: --%s does not apply to this command (see --help)", c->name, g);
  cli_global glob = {a->workspace, a->config, a->project_store, a->user_store};
  if (a->help) {
    char *help_argv[] = {argv[at], "--help", NULL};
    return c->fn(2, help_argv, &glob);
  }
  return c->fn(argc - at, argv + at, &glob);
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
  const cli_command *c = cli_command_find(argv[at]);
  if (!c) return cli_usage_error("unknown command '%s' (see --help)", argv[at]);
  if (!c->spec) return run_legacy(c, argc, argv, at, a);
  const char *g = first_global(a, c->spec->globals);
  if (g)
    return cli_usage_error("%s: --%s does not apply to this command (see --help)", c->spec->name,
                           g);
  if (cli_parse(c->spec, argc, argv, at + 1, a, NULL) != 0) return CLI_EXIT_USAGE;
  if (a->help) {
    cli_print_help(stdout, c->spec);
    return CLI_EXIT_OK;
  }
  return c->spec->run(a);
}

int main(int argc, char **argv) {
  cli_args a;
  memset(&a, 0, sizeof a);
  int rc = run(argc, argv, &a);
  cli_args_free(&a);
  return rc;
}
