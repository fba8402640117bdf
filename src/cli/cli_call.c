/* cli_call.c: `wasmgate call TOOL [JSON|-] [--json]`: one audited tool
 * call of the workspace (docs/design.md#call-sequence) through
 * wg_workspace_call:
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

static int run(const cli_args *a, wg_cancel *cancel) {
  const char *tool = a->pos[0];
  const char *arg = a->npos > 1 ? a->pos[1] : "{}";
  wg_workspace *ws;
  int rc = cli_workspace_open(a, &ws);
  if (rc != CLI_EXIT_OK) return rc;
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
  rc = code == WG_ERR_NONE ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  /* The records come first (wg_workspace_call wrote them); then stdout. */
  if (!r.recorded) {
    fprintf(stderr, "wasmgate: history: %s\n", r.history_error);
    rc = CLI_EXIT_FAIL;
  }
  if (!print_result(&r, cli_flag(a, "json"))) {
    int e = errno;
    fprintf(stderr, "wasmgate: call: cannot write the result: %s\n", strerror(e ? e : EIO));
    rc = CLI_EXIT_FAIL;
  }
  wg_call_result_free(&r);
  free(stdin_data);
  wg_workspace_close(ws);
  return rc;
}

static int call_run(const cli_args *a) {
  /* Handlers first: a signal during loading or reading stdin still ends
   * in a recorded, cancelled call. */
  wg_cancel cancel;
  wg_cancel_init(&cancel);
  signal_state ss;
  signals_install(&cancel, &ss);
  int rc = run(a, &cancel);
  signals_restore(&ss);
  return rc;
}

static const cli_opt call_opts[] = {
  {"json", 0, CLI_OPT_FLAG, NULL,
   "print {\"is_error\", \"summary\", \"content\", \"error\"?, \"stats\"} (C1 and bidi "
   "controls escaped)", false},
  {0},
};

const cli_spec cli_call_spec = {
  .name = "call",
  .synopsis = "call TOOL [JSON|-] [--json]",
  .summary = "run one tool call under the limits; record it in history",
  .description =
      "Runs one call of TOOL with the JSON object arguments (default {};\n"
      "`-` reads them from stdin) under the [limits] of wasmgate.toml, and\n"
      "records it in the history: the tool_call record before the plugin\n"
      "runs (if it cannot be written, the plugin does not run), the\n"
      "tool_result record after; the result is printed last. Ctrl-C,\n"
      "SIGTERM and SIGHUP cancel the call (recorded as `cancelled`).\n"
      "\n"
      "Exit status: 0 success, 1 a tool error, a history record that could\n"
      "not be written or output that could not be written (a closed pipe),\n"
      "2 usage error.",
  .options = call_opts,
  .globals = CLI_G_ALL,
  .min_args = 1,
  .max_args = 2,
  .run = call_run,
};
