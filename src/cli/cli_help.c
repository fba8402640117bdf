/* cli_help.c: `--help` texts and the man page wasmgate(1), both generated
 * from the command specs (cli.h), so the two can never disagree. */
#include "cli.h"

#include <string.h>

#define MAIN_SUMMARY "run untrusted WebAssembly tool plugins under hard bounds"

static const char main_description[] =
    "wasmgate runs untrusted tool plugins for AI agents: a plugin is a WebAssembly\n"
    "module plus a manifest, shipped as a .yoi-plugin package. Each call runs in its\n"
    "own interpreter with no ambient authority (no files, no network, no\n"
    "environment), under limits on input, output, fuel, wall-clock time, memory,\n"
    "table size and call depth, and is recorded in the tool history before the\n"
    "plugin runs.";

/* "-o, --output FILE" / "--json" as the left column of an option line. */
static void opt_label(const cli_opt *o, char *out, size_t size) {
  int n = 0;
  if (o->short_name) n = snprintf(out, size, "-%c, ", o->short_name);
  snprintf(out + n, size - (size_t)n, "--%s%s%s", o->name, o->metavar ? " " : "",
           o->metavar ? o->metavar : "");
}

/* "  LABEL   help text", the help wrapped at 79 columns under itself (a
 * label too long for its column gets the help on the next line). */
static void print_opt(FILE *out, const cli_opt *o) {
  enum { INDENT = 25, WIDTH = 79 };
  char label[64];
  opt_label(o, label, sizeof label);
  fprintf(out, "  %-22s", label);
  if (2 + (int)strlen(label) > INDENT - 2) fprintf(out, "\n%*s", INDENT - 1, "");
  int col = INDENT - 1;
  const char *s = o->help;
  while (*s) {
    size_t w = strcspn(s, " ");
    if (col + 1 + (int)w > WIDTH && col > INDENT - 1) {
      fprintf(out, "\n%*s", INDENT - 1, "");
      col = INDENT - 1;
    }
    fprintf(out, " %.*s", (int)w, s);
    col += 1 + (int)w;
    s += w;
    while (*s == ' ') s++;
  }
  fputc('\n', out);
}

static void print_globals(FILE *out, unsigned bits) {
  if (!bits) return;
  fputs("\nGlobal options (before or after the command):\n", out);
  for (size_t i = 0; cli_global_opts[i].name; i++)
    if (bits & cli_global_bits[i]) print_opt(out, &cli_global_opts[i]);
}

void cli_print_help(FILE *out, const cli_spec *spec) {
  fprintf(out, "usage: wasmgate %s\n\n%s\n\nOptions:\n", spec->synopsis, spec->description);
  for (size_t i = 0; spec->options && spec->options[i].name; i++)
    print_opt(out, &spec->options[i]);
  print_opt(out, &(cli_opt){"help", 'h', CLI_OPT_FLAG, NULL, "show this help", false});
  print_globals(out, spec->globals);
}

void cli_print_main_help(FILE *out) {
  fprintf(out, "usage: wasmgate [GLOBAL OPTIONS] COMMAND [ARGS]\n\n%s\n\nCommands:\n",
          main_description);
  for (size_t i = 0; i < cli_command_count; i++)
    fprintf(out, "  %-11s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
  print_globals(out, CLI_G_ALL);
  print_opt(out, &(cli_opt){"help", 'h', CLI_OPT_FLAG, NULL, "show this help", false});
  print_opt(out, &(cli_opt){"version", 0, CLI_OPT_FLAG, NULL, "show the version", false});
  fputs("\nRun `wasmgate help COMMAND` (or `wasmgate COMMAND --help`) for a command's\n"
        "options. Exit status: 0 success, 1 a tool, check or run failure, 2 a usage\n"
        "error.\n",
        out);
}

/* ---- wasmgate(1) ------------------------------------------------------------ */

/* Text for roff: backslashes and hyphens escaped, a line never starting
 * with a control character ('.' or '\''). */
static void roff(FILE *out, const char *s) {
  bool line_start = true;
  for (; *s; s++) {
    if (line_start && (*s == '.' || *s == '\'')) fputs("\\&", out);
    line_start = *s == '\n';
    if (*s == '\\') fputs("\\e", out);
    else if (*s == '-') fputs("\\-", out);
    else fputc(*s, out);
  }
}

static void man_opt(FILE *out, const cli_opt *o) {
  char label[64];
  opt_label(o, label, sizeof label);
  fputs(".TP\n.B ", out);
  roff(out, label);
  fputc('\n', out);
  roff(out, o->help);
  fputc('\n', out);
}

void cli_write_man(FILE *out) {
  fprintf(out, ".TH WASMGATE 1 \"\" \"wasmgate %s\" \"User Commands\"\n", WG_VERSION);
  fputs(".SH NAME\nwasmgate \\- ", out);
  roff(out, MAIN_SUMMARY);
  fputs("\n.SH SYNOPSIS\n.B wasmgate\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n"
        ".SH DESCRIPTION\n", out);
  roff(out, main_description);
  fputs("\n.PP\nEvery command takes \\fB\\-h\\fR, \\fB\\-\\-help\\fR; "
        "\\fBwasmgate help\\fR \\fICOMMAND\\fR prints the same text.\n"
        ".SH GLOBAL OPTIONS\nThey may come before or after the command; a command that does "
        "not use one refuses it (exit 2). Relative paths are relative to the current "
        "directory.\n", out);
  for (size_t i = 0; cli_global_opts[i].name; i++) man_opt(out, &cli_global_opts[i]);
  man_opt(out, &(cli_opt){"version", 0, CLI_OPT_FLAG, NULL, "show the version", false});
  fputs(".SH COMMANDS\n", out);
  for (size_t i = 0; i < cli_command_count; i++) {
    const cli_spec *c = cli_commands[i];
    fputs(".SS \"wasmgate ", out);
    roff(out, c->synopsis);
    fputs("\"\n", out);
    roff(out, c->description);
    fputc('\n', out);
    for (size_t k = 0; c->options && c->options[k].name; k++) man_opt(out, &c->options[k]);
  }
  fputs(".SH EXIT STATUS\n.TP\n0\nsuccess\n.TP\n1\na tool, check or run failure (also a "
        "history record or the output that could not be written)\n.TP\n2\na usage error\n"
        ".SH FILES\n.TP\n.I wasmgate.toml\nthe workspace's config: enabled plugins, grants, "
        "limits, history, stores\n.TP\n.I wasmgate.lock\nthe resolved plugins (wasmgate "
        "lock)\n.TP\n.I .wasmgate/history.jsonl\nthe tool history (JSON Lines)\n.TP\n"
        ".I .yoi/plugins/\nthe project plugin store\n", out);
}
