/* cli_plugins.h: shared plumbing of the workspace commands (loading config
 * + stores + discovery + lock + resolution, printing untrusted text). */
#ifndef WASMGATE_CLI_PLUGINS_H
#define WASMGATE_CLI_PLUGINS_H

#include <limits.h>

#include "cli.h"
#include "wasmgate/config.h"
#include "wasmgate/runtime.h"

/* The fields of wg_plugin_set (moved out of it by cli_plugins_load), plus
 * the inspection `list` and `show` build. */
typedef struct cli_plugins {
  char workspace[PATH_MAX];
  char lock_path[PATH_MAX + 16];
  wg_config *cfg;
  wg_plugin_stores stores;
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
int cli_plugins_open(const cli_args *a, bool use_lock, cli_plugins *p);
/* Prints a wg_plugin_set_load / wg_workspace_open failure as
 * "wasmgate: wasmgate.toml:3:1: ..." and returns CLI_EXIT_FAIL. */
int cli_plugin_set_error(wg_plugin_set_code st, const char *workspace,
                         const char *config, const wg_config_error *err);
void cli_plugins_free(cli_plugins *p);
/* Opens the workspace the global options name (wg_workspace_open); returns
 * CLI_EXIT_OK, or CLI_EXIT_FAIL after printing the error as
 * cli_plugin_set_error does. *ws is set either way (NULL on failure);
 * wg_workspace_close accepts NULL. */
int cli_workspace_open(const cli_args *a, wg_workspace **ws);
/* "plugin package `REF` was not found" (or "... is ambiguous; use a
 * source-qualified ref"), REF cut to 80 bytes with controls shown as '?';
 * returns exit_code (usage or failure: the caller's convention). */
int cli_ref_error(const char *ref, bool ambiguous, int exit_code);

void cli_str(char *dst, size_t cap, const char *src);
void cli_print_safe(FILE *f, const char *s, size_t len);
void cli_print_safe_str(FILE *f, const char *s); /* NULL: <unknown> */
void cli_print_json_pretty(FILE *f, const char *s, size_t len);

#endif
