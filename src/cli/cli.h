/* cli.h: shared declarations of the `wasmgate` command-line program. Each
 * subcommand lives in its own cli_<name>.c and is listed in cli_commands.c.
 *
 * How a command plugs in (the one option parser, cli_opts.c):
 *
 *   static const cli_opt tools_opts[] = {
 *     {"json", 0, CLI_OPT_FLAG, NULL, "print the list as JSON"},
 *     {0},
 *   };
 *   static int tools_run(const cli_args *a) {
 *     bool json = cli_flag(a, "json");      // a->workspace, a->config, ...
 *     ...                                   // a->pos[0 .. a->npos)
 *   }
 *   const cli_spec cli_tools_spec = {
 *     .name = "tools", .synopsis = "tools [--json]",
 *     .summary = "one line for `wasmgate --help`",
 *     .description = "paragraphs for `--help` and the man page",
 *     .options = tools_opts, .globals = CLI_G_ALL,
 *     .min_args = 0, .max_args = 0, .run = tools_run,
 *   };
 *
 * and one line `&cli_tools_spec,` in cli_commands.c. main() then parses
 * the whole command line: global options before or after the command,
 * `--opt VALUE` and `--opt=VALUE`, `--` to end options, `-h` / `--help`
 * (the help is generated from the spec, and so is the man page), and every
 * usage error (unknown option, missing or repeated value, a global option
 * the command does not take, too many or too few arguments) is exit 2 with
 * one message. Path options (CLI_OPT_PATH, and --workspace, --config,
 * --project-store, --user-store) are made absolute against the current
 * directory, so they mean the same in every command. Every command has a
 * spec: there is no other way in. */
#ifndef WASMGATE_CLI_H
#define WASMGATE_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes (docs/design.md#error-model). */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAIL = 1,   /* a tool/check/run failure */
  CLI_EXIT_USAGE = 2,  /* bad command line */
};

/* ---- Options --------------------------------------------------------------- */

typedef enum cli_opt_kind {
  CLI_OPT_FLAG,  /* --json */
  CLI_OPT_VALUE, /* --tail N */
  CLI_OPT_PATH,  /* --output FILE: made absolute against the current dir */
  CLI_OPT_LIST,  /* --allow-origin X, repeatable (read with cli_values); the
                    others may be given once */
} cli_opt_kind;

/* One option of a command; a table ends with {0}. */
typedef struct cli_opt {
  const char *name;     /* long name without "--" */
  char short_name;      /* e.g. 'o' for -o, or 0 */
  cli_opt_kind kind;
  const char *metavar;  /* VALUE and PATH: "N", "FILE" */
  const char *help;     /* one line */
  bool required;
} cli_opt;

/* The global options, by bit: which ones a command takes. */
enum {
  CLI_G_WORKSPACE = 1, /* --workspace DIR */
  CLI_G_CONFIG = 2,    /* --config FILE */
  CLI_G_STORES = 4,    /* --project-store DIR, --user-store DIR */
  CLI_G_ALL = 7,
};

/* Why these numbers: no command has more than a handful of options or
 * positional arguments (argv beyond them is a usage error), and no list
 * option is given more than a few times (serve takes 16 --allow-origin). A spec's max_args may exceed CLI_MAX_ARGS (`wasm run`
 * takes a function's arguments): those are kept in one allocation of at
 * most max_args pointers. */
enum { CLI_MAX_OPTS = 16, CLI_MAX_ARGS = 8, CLI_MAX_REPEATS = 32 };

struct cli_spec;

/* A parsed command line. Paths are absolute (owned by the args). */
typedef struct cli_args {
  const struct cli_spec *spec;
  const char *workspace;     /* --workspace, or NULL: the current directory */
  const char *config;        /* --config, or NULL: WORKSPACE/wasmgate.toml */
  const char *config_arg;    /* --config as the user wrote it (for messages) */
  const char *project_store; /* --project-store, or NULL */
  const char *user_store;    /* --user-store, or NULL */
  const char *value[CLI_MAX_OPTS]; /* per spec option (a list's first); "" for a set flag */
  const char *more[CLI_MAX_REPEATS]; /* the later values of CLI_OPT_LIST options */
  unsigned char more_opt[CLI_MAX_REPEATS]; /*   ... and the option of each */
  int nmore;
  const char **pos;                /* the positional arguments: pos_inline or pos_heap */
  int npos;
  const char *pos_inline[CLI_MAX_ARGS];
  const char **pos_heap;
  bool help;
  bool version; /* --version before the command */
  char *owned[CLI_MAX_OPTS + 4]; /* paths made absolute: one per PATH option */
  int nowned;
} cli_args;

typedef struct cli_spec {
  const char *name;
  const char *synopsis;    /* after "wasmgate ": "call TOOL [JSON|-] [--json]" */
  const char *summary;     /* one line, for the command list */
  const char *description; /* paragraphs, for --help and the man page */
  const cli_opt *options;  /* NULL or a {0}-terminated table */
  unsigned globals;        /* CLI_G_* bits */
  int min_args, max_args;  /* positional arguments */
  /* An argument with a single '-' (other than -h) is positional, not an
   * option: `wasm run`'s -1 and -inf. Such a command has no short options. */
  bool dash_args;
  int (*run)(const cli_args *a);
} cli_spec;

/* --workspace, --config, --project-store, --user-store ({0}-terminated)
 * and the CLI_G_* bit of each. */
extern const cli_opt cli_global_opts[];
extern const unsigned cli_global_bits[];

/* The options as they were given, for the lookups below. */
bool cli_flag(const cli_args *a, const char *name);
const char *cli_value(const cli_args *a, const char *name); /* NULL: absent */
/* The values of a CLI_OPT_LIST option, in the order given, into out[0 ..
 * cap); returns how many were given (more than cap: the rest not stored,
 * for the command's own "at most N" message). */
size_t cli_values(const cli_args *a, const char *name, const char **out, size_t cap);
/* Parses an option value as an integer in [min, max]; prints the usage
 * error and returns false otherwise. */
bool cli_uint_value(const cli_args *a, const char *name, unsigned long long min,
                    unsigned long long max, unsigned long long *out);

/* argv[from..argc) against spec (NULL: the global options only, stopping
 * at the first argument that is not an option: main's use). `a` may hold
 * global options given earlier; giving one twice is an error. Returns 0,
 * or CLI_EXIT_USAGE after printing the message (CLI_EXIT_FAIL when out of
 * memory). *next (if non-NULL) gets the index where parsing stopped. */
int cli_parse(const cli_spec *spec, int argc, char **argv, int from, cli_args *a,
              int *next);
void cli_args_free(cli_args *a);

/* ---- Commands ------------------------------------------------------------ */

/* Every command, in help order (cli_commands.c). */
extern const cli_spec *const cli_commands[];
extern const size_t cli_command_count;

const cli_spec *cli_command_find(const char *name); /* NULL: no such command */

/* ---- Help ------------------------------------------------------------------ */

void cli_print_main_help(FILE *out);
void cli_print_help(FILE *out, const cli_spec *spec);
/* The man page wasmgate(1), in roff, from the same texts. */
void cli_write_man(FILE *out);

/* ---- Shared helpers ------------------------------------------------------- */

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
extern const cli_spec cli_wasm_spec, cli_pack_spec, cli_digest_spec, cli_check_spec,
    cli_list_spec, cli_show_spec, cli_lock_spec, cli_tools_spec, cli_call_spec,
    cli_history_spec, cli_explain_url_spec, cli_serve_spec, cli_help_spec;

#endif
