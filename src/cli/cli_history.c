/* cli_history.c: `wasmgate history [--json] [--tail N]`: the tool calls
 * and results recorded in the workspace's history (SPEC section 8). A torn
 * last line is skipped; JSON output is the records as JSON Lines. */
#include "cli_plugins.h"
#include "wasmgate/config.h"
#include "wasmgate/runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void history_help(FILE *f) {
  fputs("usage: wasmgate [--workspace DIR] [--config FILE] history [--json] [--tail N]\n"
        "\n"
        "Prints the tool call history ([history] path, default\n"
        "WORKSPACE/.wasmgate/history.jsonl): one line per record, or the\n"
        "records themselves as JSON Lines with --json.\n",
        f);
}

/* The history file of the workspace's config (wg_history_path). */
static int history_path(const cli_global *g, char *out, size_t size) {
  const char *ws = g->workspace ? g->workspace : ".";
  char real[PATH_MAX], cfg_path[PATH_MAX + 32];
  if (!realpath(ws, real)) return cli_fail("workspace `%s` does not exist or cannot be read", ws);
  snprintf(cfg_path, sizeof cfg_path, "%s/wasmgate.toml", real);
  wg_config_error err;
  wg_config *cfg = wg_config_load(g->config ? g->config : cfg_path, g->config != NULL, &err);
  if (!cfg) return cli_fail("%s: %s", g->config ? g->config : "wasmgate.toml", err.message);
  bool ok = wg_history_path(real, cfg, out, size);
  wg_config_free(cfg);
  return ok ? CLI_EXIT_OK : cli_fail("history path is too long");
}

static const char *field(const wg_json *o, const char *key) {
  const char *s = wg_json_str(wg_json_get(o, key));
  return s ? s : "";
}

static void print_record(const char *line) {
  wg_json_doc *d = wg_json_parse(line, strlen(line), NULL, NULL);
  if (!d) return;
  const wg_json *o = wg_json_root(d);
  const char *kind = field(o, "kind");
  cli_print_safe_str(stdout, field(o, "timestamp"));
  fputc(' ', stdout);
  cli_print_safe_str(stdout, field(o, "call_id"));
  fputc(' ', stdout);
  cli_print_safe_str(stdout, kind);
  fputc(' ', stdout);
  if (strcmp(kind, "tool_call") == 0) {
    cli_print_safe_str(stdout, field(o, "name"));
    fputc(' ', stdout);
    const wg_json *args = wg_json_get(o, "arguments");
    if (args) cli_print_safe(stdout, line + args->start, args->end - args->start);
  } else {
    const wg_json *err = wg_json_get(o, "error");
    if (err) printf("[%s] ", field(err, "code"));
    else fputs("[ok] ", stdout);
    cli_print_safe_str(stdout, field(o, "summary"));
  }
  fputc('\n', stdout);
  wg_json_free(d);
}

int cli_cmd_history(int argc, char **argv, const cli_global *g) {
  bool json = false;
  size_t tail = 0;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      history_help(stdout);
      return CLI_EXIT_OK;
    }
    if (strcmp(argv[i], "--json") == 0) {
      json = true;
    } else if (strcmp(argv[i], "--tail") == 0 && i + 1 < argc) {
      char *end;
      unsigned long long v = strtoull(argv[++i], &end, 10);
      if (*end || argv[i][0] == '-' || v == 0 || v > 1000000)
        return cli_usage_error("history: --tail needs a number from 1 to 1000000");
      tail = (size_t)v;
    } else {
      return cli_usage_error("history: unexpected argument '%s' (see --help)", argv[i]);
    }
  }
  char path[PATH_MAX + 64];
  int rc = history_path(g, path, sizeof path);
  if (rc != CLI_EXIT_OK) return rc;
  struct stat st;
  if (stat(path, &st) != 0 && errno == ENOENT) return CLI_EXIT_OK; /* no calls yet */
  wg_history_lines lines;
  char err[160] = "";
  if (!wg_history_read(path, tail, 0, &lines, err, sizeof err))
    return cli_fail("history: %s", err);
  for (size_t i = 0; i < lines.count; i++) {
    if (json) puts(lines.lines[i]);
    else print_record(lines.lines[i]);
  }
  if (lines.skipped) fprintf(stderr, "wasmgate: history: %zu damaged line(s) skipped\n", lines.skipped);
  wg_history_lines_free(&lines);
  return CLI_EXIT_OK;
}
