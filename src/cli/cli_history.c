/* cli_history.c: `wasmgate history [--json] [--tail N]`: the tool calls and
 * results recorded in the workspace's history (docs/runtime.md#history).
 *
 * Every record that parses is shown, however deep its arguments nest (the
 * reader bounds depth by the line's size only, as the writer does). Text
 * is shown with its escapes visible, never cut: strings are printed as
 * their JSON escape form (a summary holding U+0000 prints `\u0000`, a
 * backslash `\\`), and C1 and bidi controls are escaped as `\uXXXX` in the
 * human and the --json output alike. Lines that are not records (torn,
 * not a JSON object, over WG_HISTORY_DEFAULT_MAX_RECORD) are counted on
 * stderr. The file is read as it is written: no symlink, no FIFO
 * (wg_history_scan). */
#include "cli_plugins.h"
#include "wasmgate/config.h"
#include "wasmgate/runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The history file of the workspace's config (wg_history_path). */
static int history_path(const cli_args *a, char *out, size_t size) {
  const char *ws = a->workspace ? a->workspace : ".";
  char real[PATH_MAX], cfg_path[PATH_MAX + 32];
  if (!realpath(ws, real)) return cli_fail("workspace `%s` does not exist or cannot be read", ws);
  snprintf(cfg_path, sizeof cfg_path, "%s/wasmgate.toml", real);
  wg_config_error err;
  wg_config *cfg = wg_config_load(a->config ? a->config : cfg_path, a->config != NULL, &err);
  if (!cfg) {
    const char *file = a->config_arg ? a->config_arg : "wasmgate.toml";
    if (err.line) return cli_fail("%s:%u:%u: %s", file, err.line, err.column, err.message);
    return cli_fail("%s: %s", file, err.message);
  }
  bool ok = wg_history_path(real, cfg, out, size);
  wg_config_free(cfg);
  return ok ? CLI_EXIT_OK : cli_fail("history path is too long");
}

/* A string as its JSON escape form without the quotes, C1 and bidi
 * controls escaped too: every byte visible, nothing cut. */
static void print_visible(wg_buf *scratch, const wg_json *v) {
  const char *s = v && v->type == WG_JSON_STRING ? v->u.string.text : "";
  size_t n = v && v->type == WG_JSON_STRING ? v->u.string.len : 0;
  wg_buf_reset(scratch);
  if (wg_json_write_string_flags(scratch, s, n, WG_JSON_ESCAPE_TERMINAL) && scratch->len >= 2)
    fwrite(scratch->data + 1, 1, scratch->len - 2, stdout);
}

static bool is_kind(const wg_json *rec, const char *kind) {
  const char *k = wg_json_str(wg_json_get(rec, "kind"));
  return k && strcmp(k, kind) == 0;
}

/* One record as one line; false if it could not be formatted. */
static bool print_record(const wg_json *rec) {
  wg_buf b;
  wg_buf_init(&b, 0);
  print_visible(&b, wg_json_get(rec, "timestamp"));
  fputc(' ', stdout);
  print_visible(&b, wg_json_get(rec, "call_id"));
  fputc(' ', stdout);
  print_visible(&b, wg_json_get(rec, "kind"));
  if (is_kind(rec, "tool_call")) {
    fputc(' ', stdout);
    print_visible(&b, wg_json_get(rec, "name"));
    const wg_json *args = wg_json_get(rec, "arguments");
    wg_buf_reset(&b);
    if (args && wg_json_write_flags(args, false, WG_JSON_ESCAPE_TERMINAL, &b)) {
      fputc(' ', stdout);
      fwrite(b.data, 1, b.len, stdout);
    }
  } else if (is_kind(rec, "tool_result")) {
    const wg_json *err = wg_json_get(rec, "error");
    fputs(" [", stdout);
    if (err) print_visible(&b, wg_json_get(err, "code"));
    else fputs("ok", stdout);
    fputs("] ", stdout);
    print_visible(&b, wg_json_get(rec, "summary"));
  }
  fputc('\n', stdout);
  bool ok = wg_buf_ok(&b);
  wg_buf_free(&b);
  return ok;
}

/* --json: the record's own text, C1 and bidi controls escaped. */
static bool print_json_line(const char *line, size_t len) {
  wg_buf b;
  wg_buf_init(&b, 0);
  bool ok = wg_json_escape_terminal(line, len, &b);
  if (ok) {
    fwrite(b.data, 1, b.len, stdout);
    fputc('\n', stdout);
  }
  wg_buf_free(&b);
  return ok;
}

typedef struct show_ctx {
  bool json;
  size_t unshown; /* parsed, but could not be formatted (memory) */
} show_ctx;

static bool show_line(void *p, const char *line, size_t len, const wg_json *rec) {
  show_ctx *c = p;
  bool ok = c->json ? print_json_line(line, len) : print_record(rec);
  if (!ok) c->unshown++;
  return true;
}

static int history_run(const cli_args *a) {
  unsigned long long tail = 0;
  if (cli_value(a, "tail") && !cli_uint_value(a, "tail", 1, 1000000, &tail))
    return CLI_EXIT_USAGE;
  char path[PATH_MAX + 64];
  int rc = history_path(a, path, sizeof path);
  if (rc != CLI_EXIT_OK) return rc;
  struct stat st;
  if (lstat(path, &st) != 0 && errno == ENOENT) return CLI_EXIT_OK; /* no calls yet */
  show_ctx c = {.json = cli_flag(a, "json")};
  size_t skipped = 0;
  char err[160] = "";
  if (tail == 0) {
    if (!wg_history_scan(path, 0, show_line, &c, &skipped, err, sizeof err))
      return cli_fail("history: %s", err);
  } else {
    wg_history_lines lines;
    if (!wg_history_read(path, (size_t)tail, 0, &lines, err, sizeof err))
      return cli_fail("history: %s", err);
    skipped = lines.skipped;
    for (size_t i = 0; i < lines.count; i++) {
      size_t len = strlen(lines.lines[i]);
      wg_json_doc *d = wg_history_parse_line(lines.lines[i], len, 0);
      if (d) show_line(&c, lines.lines[i], len, wg_json_root(d));
      else c.unshown++;
      wg_json_free(d);
    }
    wg_history_lines_free(&lines);
  }
  if (skipped) {
    char max[WG_SIZE_TEXT_MAX];
    wg_size_text(max, sizeof max, WG_HISTORY_DEFAULT_MAX_RECORD);
    fprintf(stderr, "wasmgate: history: %zu damaged line(s) skipped (torn, not a JSON object, "
            "or over %s)\n", skipped, max);
  }
  if (c.unshown) {
    fprintf(stderr, "wasmgate: history: %zu record(s) could not be shown (out of memory)\n",
            c.unshown);
    return CLI_EXIT_FAIL;
  }
  return CLI_EXIT_OK;
}

static const cli_opt history_opts[] = {
  {"json", 0, CLI_OPT_FLAG, NULL, "print the records themselves as JSON Lines", false},
  {"tail", 0, CLI_OPT_VALUE, "N", "only the last N records (1 to 1000000)", false},
  {0},
};

const cli_spec cli_history_spec = {
  .name = "history",
  .synopsis = "history [--json] [--tail N]",
  .summary = "print the tool call history",
  .description =
      "Prints the tool call history ([history] path, default\n"
      "WORKSPACE/.wasmgate/history.jsonl): one line per record (timestamp,\n"
      "call id, kind, then the tool and its arguments, or [ok]/[error code]\n"
      "and the summary), or the records themselves as JSON Lines with\n"
      "--json. Text is shown with its escapes visible (\\u0000, \\n, \\\\),\n"
      "C1 and bidi controls as \\uXXXX; nothing is cut. Lines that are not\n"
      "records are counted on stderr.",
  .options = history_opts,
  .globals = CLI_G_WORKSPACE | CLI_G_CONFIG,
  .run = history_run,
};
