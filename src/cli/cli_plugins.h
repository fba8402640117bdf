/* cli_plugins.h: shared plumbing of `list`, `show` and `lock` (options,
 * loading config + stores + discovery + lock + resolution, safe printing). */
#ifndef WASMGATE_CLI_PLUGINS_H
#define WASMGATE_CLI_PLUGINS_H

#include <limits.h>

#include "cli.h"
#include "wasmgate/config.h"

typedef struct cli_plugin_opts {
  bool help, json;
  const char *workspace;                  /* --workspace after the command */
  const char *project_store, *user_store; /* overrides, or NULL */
  const char *positional[3];
  int positional_count;
} cli_plugin_opts;

/* argv[0] is the command. Returns 0 or CLI_EXIT_USAGE (message printed). */
int cli_plugin_opts_parse(int argc, char **argv, int max_positional,
                          cli_plugin_opts *o);

/* The fields of wg_plugin_set (moved out of it by cli_plugins_load), plus
 * the inspection `list` and `show` build. */
typedef struct cli_plugins {
  char workspace[PATH_MAX];
  char lock_path[PATH_MAX + 16];
  wg_config *cfg;
  wg_store_paths stores;
  wg_discovery disc;
  wg_lock lock;
  bool has_lock;
  wg_resolution res;
  wg_inspection insp;
} cli_plugins;

/* Canonical workspace, config (--config must exist; the default may not),
 * stores, discovery, the lock (if use_lock and present) and resolution.
 * Returns CLI_EXIT_OK or an exit code after printing the error; call
 * cli_plugins_free either way. */
int cli_plugins_load(const cli_global *g, const cli_plugin_opts *o,
                     bool use_lock, cli_plugins *p);
void cli_plugins_free(cli_plugins *p);

void cli_str(char *dst, size_t cap, const char *src);
void cli_print_safe(FILE *f, const char *s, size_t len);
void cli_print_safe_str(FILE *f, const char *s); /* NULL: <unknown> */
void cli_print_json_pretty(FILE *f, const char *s, size_t len);

#endif
