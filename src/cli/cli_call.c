/* cli_call.c: `wasmgate call TOOL [JSON|-] [--json]`: one audited tool
 * call of the workspace (SPEC sections 5, 6, 8) through wg_workspace_call:
 * the tool_call record is written before the guest runs, the tool_result
 * record after it, and only then is the result printed. Exit 0 on success,
 * 1 on a tool error (or when a record or the result could not be written),
 * 2 on a usage error.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP cancel the call (its tool_result says
 * `cancelled`); SIGPIPE is ignored, so a reader that goes away makes the
 * final write fail with EPIPE (exit 1) after the records are safe.
 *
 * The one piece of global state: a signal handler needs the call's
 * cancellation flag, so it is published in a static pointer for the
 * duration of the command (a handler cannot be given a context). */
#include "cli_plugins.h"
#include "wasmgate/runtime.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic(wg_cancel *) signal_cancel; /* lock-free: usable in a handler */

static void on_cancel_signal(int sig) {
  (void)sig;
  wg_cancel *c = atomic_load(&signal_cancel);
  if (c) wg_cancel_request(c); /* one lock-free atomic store */
}

static const int cancel_signals[] = {SIGINT, SIGTERM, SIGHUP};
enum { CANCEL_SIGNAL_COUNT = sizeof cancel_signals / sizeof cancel_signals[0] };

typedef struct signal_state {
  struct sigaction old[CANCEL_SIGNAL_COUNT];
  struct sigaction old_pipe;
} signal_state;

/* From here on a cancel signal sets c (no SA_RESTART: a blocked read of
 * stdin returns EINTR instead of waiting on). */
static void signals_install(wg_cancel *c, signal_state *s) {
  atomic_store(&signal_cancel, c);
  struct sigaction sa = {0};
  sa.sa_handler = on_cancel_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < CANCEL_SIGNAL_COUNT; i++) sigaction(cancel_signals[i], &sa, &s->old[i]);
  struct sigaction ign = {0};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, &s->old_pipe);
}

static void signals_restore(signal_state *s) {
  for (int i = 0; i < CANCEL_SIGNAL_COUNT; i++) sigaction(cancel_signals[i], &s->old[i], NULL);
  sigaction(SIGPIPE, &s->old_pipe, NULL);
  atomic_store(&signal_cancel, NULL);
}

static void call_help(FILE *f) {
  fputs("usage: wasmgate [--workspace DIR] [--config FILE] call TOOL [JSON|-] [--json]\n"
        "                [--project-store DIR] [--user-store DIR]\n"
        "\n"
        "Runs one call of TOOL with the JSON object arguments (default {};\n"
        "`-` reads them from stdin) under the [limits] of wasmgate.toml, and\n"
        "records it in the history: the tool_call record before the plugin\n"
        "runs (if it cannot be written, the plugin does not run), the\n"
        "tool_result record after. --json prints {\"is_error\", \"summary\",\n"
        "\"content\", \"error\"?, \"stats\"}. Exit status: 0 success, 1 tool\n"
        "error or history/output failure, 2 usage error. Ctrl-C, SIGTERM and\n"
        "SIGHUP cancel the call.\n",
        f);
}

/* Prints the result; false if stdout failed (EPIPE included). */
static bool print_result(const wg_call_result *r, bool json) {
  if (json) {
    wg_buf out;
    wg_buf_init(&out, 0);
    bool ok = wg_call_result_write_json(r, &out);
    if (ok) {
      fwrite(out.data, 1, out.len, stdout);
      fputc('\n', stdout);
    }
    wg_buf_free(&out);
    if (!ok) return false;
  } else {
    cli_print_safe(stdout, r->summary, r->summary_len);
    fputc('\n', stdout);
    if (r->content) {
      cli_print_safe(stdout, r->content, r->content_len);
      fputc('\n', stdout);
    }
  }
  return fflush(stdout) == 0 && !ferror(stdout);
}

/* Reads at most limit + 1 bytes of stdin: one byte over is enough for the
 * call to report the input as too large (invalid_input, exit 1). A cancel
 * signal ends the read early; the call then reports `cancelled`. */
static bool read_stdin(size_t limit, wg_cancel *cancel, char **out, size_t *len) {
  char *buf = malloc(limit + 2);
  if (!buf) return false;
  size_t n = 0;
  while (n < limit + 1) {
    size_t got = fread(buf + n, 1, limit + 1 - n, stdin);
    n += got;
    if (got > 0) continue;
    if (ferror(stdin) && errno == EINTR && !wg_cancel_requested(cancel)) {
      clearerr(stdin);
      continue;
    }
    break;
  }
  if (ferror(stdin) && !wg_cancel_requested(cancel)) {
    free(buf);
    return false;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return true;
}

static int open_error(wg_plugin_set_status st, const cli_global *g, const char *ws,
                      const wg_config_error *err) {
  const char *file = st == WG_SET_LOCK ? "wasmgate.lock"
                     : g->config      ? g->config
                                      : "wasmgate.toml";
  switch (st) {
  case WG_SET_WORKSPACE: return cli_fail("workspace `%s`: %s", ws ? ws : ".", err->message);
  case WG_SET_CONFIG:
  case WG_SET_LOCK:
    if (err->line) return cli_fail("%s:%u:%u: %s", file, err->line, err->column, err->message);
    return cli_fail("%s: %s", file, err->message);
  default: return cli_fail("%s", err->message);
  }
}

static int run(const cli_global *g, const cli_plugin_opts *o, wg_cancel *cancel) {
  const char *tool = o->positional[0];
  const char *arg = o->positional_count > 1 ? o->positional[1] : "{}";
  wg_workspace_options wo = {
    .workspace = o->workspace ? o->workspace : g->workspace,
    .config_path = g->config,
    .project_store = o->project_store,
    .user_store = o->user_store,
  };
  wg_workspace *ws;
  wg_config_error err;
  wg_plugin_set_status st = wg_workspace_open(&wo, &ws, &err);
  if (st != WG_SET_OK) return open_error(st, g, wo.workspace, &err);
  char *stdin_data = NULL;
  size_t len = strlen(arg);
  if (strcmp(arg, "-") == 0) {
    if (!read_stdin(wg_workspace_limits(ws)->max_input_bytes, cancel, &stdin_data, &len)) {
      wg_workspace_close(ws);
      return cli_fail("call: cannot read the arguments from stdin");
    }
    arg = stdin_data;
  }
  wg_call_result r;
  wg_err code = wg_workspace_call(ws, tool, arg, len, cancel, NULL, &r);
  int rc = code == WG_ERR_NONE ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  /* The records come first (wg_workspace_call wrote them); then stdout. */
  if (!r.recorded) {
    fprintf(stderr, "wasmgate: history: %s\n", r.history_error);
    rc = CLI_EXIT_FAIL;
  }
  if (!print_result(&r, o->json)) {
    int e = errno;
    fprintf(stderr, "wasmgate: call: cannot write the result: %s\n", strerror(e ? e : EIO));
    rc = CLI_EXIT_FAIL;
  }
  wg_call_result_free(&r);
  free(stdin_data);
  wg_workspace_close(ws);
  return rc;
}

int cli_cmd_call(int argc, char **argv, const cli_global *g) {
  cli_plugin_opts o;
  if (cli_plugin_opts_parse(argc, argv, 2, &o) != 0) return CLI_EXIT_USAGE;
  if (o.help) {
    call_help(stdout);
    return CLI_EXIT_OK;
  }
  if (o.positional_count < 1)
    return cli_usage_error("call: usage: wasmgate call TOOL [JSON|-] [--json]");
  /* Handlers first: a signal during loading or reading stdin still ends
   * in a recorded, cancelled call. */
  wg_cancel cancel;
  wg_cancel_init(&cancel);
  signal_state ss;
  signals_install(&cancel, &ss);
  int rc = run(g, &o, &cancel);
  signals_restore(&ss);
  return rc;
}
