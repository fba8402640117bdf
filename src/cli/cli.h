/* cli.h: shared declarations of the `wasmgate` command-line program. Each
 * subcommand lives in its own cli_<name>.c and is listed in main.c. */
#ifndef WASMGATE_CLI_H
#define WASMGATE_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes (SPEC.md section 9). */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAIL = 1,   /* a tool/check/run failure */
  CLI_EXIT_USAGE = 2,  /* bad command line */
};

/* Options that come before the subcommand. */
typedef struct cli_global {
  const char *workspace;  /* --workspace DIR, or NULL for the current dir */
  const char *config;     /* --config FILE, or NULL for <workspace>/wasmgate.toml */
} cli_global;

/* A subcommand gets argv starting at its own name (argv[0] = "wasm"). */
typedef int (*cli_command_fn)(int argc, char **argv, const cli_global *g);

typedef struct cli_command {
  const char *name;
  cli_command_fn fn;
  const char *summary;
} cli_command;

/* Prints "wasmgate: <message>" to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "wasmgate: <message>" to stderr and returns CLI_EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True if s is "-h" or "--help". */
bool cli_is_help(const char *s);

/* Reads a whole file (or "-" for stdin) with a size cap. Returns 0 and a
 * malloc'd buffer, or -1 with a message written to err (no path leaks beyond
 * the name the user gave). */
int cli_read_file(const char *path, size_t max_size, unsigned char **data,
                  size_t *len, char *err, size_t err_size);

/* Subcommands. */
int cli_cmd_wasm(int argc, char **argv, const cli_global *g);
int cli_cmd_pack(int argc, char **argv, const cli_global *g);
int cli_cmd_digest(int argc, char **argv, const cli_global *g);
int cli_cmd_check(int argc, char **argv, const cli_global *g);
int cli_cmd_list(int argc, char **argv, const cli_global *g);
int cli_cmd_show(int argc, char **argv, const cli_global *g);
int cli_cmd_lock(int argc, char **argv, const cli_global *g);
int cli_cmd_tools(int argc, char **argv, const cli_global *g);
int cli_cmd_call(int argc, char **argv, const cli_global *g);
int cli_cmd_history(int argc, char **argv, const cli_global *g);
int cli_cmd_serve(int argc, char **argv, const cli_global *g); /* cli_serve.c */

#endif
