/* cli_call.c: `wasmgate call TOOL [JSON|-] [--json]`: one tool call of the
 * workspace's registry (SPEC sections 5, 6, 8): the result on stdout, one
 * tool_call + tool_result pair in history. Exit 0 on success, 1 on a tool
 * error, 2 on a usage error. SIGINT cancels the running call.
 *
 * The one piece of global state: the SIGINT handler needs the call's
 * cancellation flag, so it is published in a static pointer for the
 * duration of the call (a handler cannot be given a context). */
#include "cli_plugins.h"
#include "wasmgate/runtime.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static _Atomic(wg_cancel *) sigint_cancel; /* lock-free: usable in a handler */

static void on_sigint(int sig) {
  (void)sig;
  wg_cancel *c = atomic_load(&sigint_cancel);
  if (c) wg_cancel_request(c); /* one lock-free atomic store */
}

static void call_help(FILE *f) {
  fputs("usage: wasmgate [--workspace DIR] [--config FILE] call TOOL [JSON|-] [--json]\n"
        "                [--project-store DIR] [--user-store DIR]\n"
        "\n"
        "Runs one call of TOOL with the JSON object arguments (default {};\n"
        "`-` reads them from stdin) under the [limits] of wasmgate.toml, and\n"
        "records it in the history. --json prints {\"is_error\", \"summary\",\n"
        "\"content\", \"error\"?, \"stats\"}. Exit status: 0 success, 1 tool\n"
        "error, 2 usage error. Ctrl-C cancels the call.\n",
        f);
}

/* Appends the call to history, creating its directory (0700) if needed. */
static void record(const cli_global *g, const wg_tool *t, const char *tool,
                   const wg_call_result *r) {
  char path[PATH_MAX + 64];
  bool fsync = true;
  if (cli_history_path(g, path, sizeof path, &fsync) != CLI_EXIT_OK) return;
  char dir[sizeof path];
  memcpy(dir, path, sizeof dir);
  const char *parent = dirname(dir);
  if (mkdir(parent, 0700) != 0 && errno != EEXIST) {
    fprintf(stderr, "wasmgate: history: cannot create its directory\n");
    return;
  }
  wg_history_options opts = {.fsync = fsync};
  char err[160];
  wg_history *h = wg_history_open(path, &opts, err, sizeof err);
  wg_history_origin origin = {t ? t->ref : "", t ? t->version : "", t ? t->digest : ""};
  if (!h || !wg_history_append_call(h, NULL, tool, t ? &origin : NULL, r, err, sizeof err))
    fprintf(stderr, "wasmgate: history: %s\n", err);
  wg_history_close(h);
}

static void print_result(const wg_call_result *r, bool json) {
  if (json) {
    wg_buf out;
    wg_buf_init(&out, 0);
    wg_call_result_write_json(r, &out);
    fwrite(out.data, 1, out.len, stdout);
    fputc('\n', stdout);
    wg_buf_free(&out);
    return;
  }
  cli_print_safe(stdout, r->summary, r->summary_len);
  fputc('\n', stdout);
  if (r->content) {
    cli_print_safe(stdout, r->content, r->content_len);
    fputc('\n', stdout);
  }
}

/* Runs the call with SIGINT cancelling it. */
static wg_err run_call(const wg_registry *reg, const wg_config *cfg, const char *tool,
                       const char *input, size_t len, wg_call_result *r) {
  wg_module_cache *cache = wg_module_cache_new(4);
  wg_cancel cancel;
  wg_cancel_init(&cancel);
  atomic_store(&sigint_cancel, &cancel);
  struct sigaction sa = {0}, old;
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old);
  wg_call_limits lim = wg_call_limits_from_config(&cfg->limits);
  wg_err code = wg_registry_call(reg, cache, tool, input, len, &lim, &cancel, r);
  sigaction(SIGINT, &old, NULL);
  atomic_store(&sigint_cancel, NULL);
  wg_module_cache_free(cache);
  return code;
}

/* Reads at most limit + 1 bytes of stdin: one byte over is enough for the
 * call to report the input as too large (invalid_input, exit 1). */
static bool read_stdin(size_t limit, char **out, size_t *len) {
  char *buf = malloc(limit + 2);
  if (!buf) return false;
  size_t n = 0;
  while (n < limit + 1) {
    size_t got = fread(buf + n, 1, limit + 1 - n, stdin);
    if (got == 0) break;
    n += got;
  }
  if (ferror(stdin)) {
    free(buf);
    return false;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return true;
}

int cli_cmd_call(int argc, char **argv, const cli_global *g) {
  cli_plugin_opts o;
  if (cli_plugin_opts_parse(argc, argv, 2, &o) != 0) return CLI_EXIT_USAGE;
  if (o.help) {
    call_help(stdout);
    return CLI_EXIT_OK;
  }
  if (o.positional_count < 1) return cli_usage_error("call: usage: wasmgate call TOOL [JSON|-] [--json]");
  const char *tool = o.positional[0], *arg = o.positional_count > 1 ? o.positional[1] : "{}";
  cli_plugins p;
  int rc = cli_plugins_load(g, &o, true, &p);
  if (rc != CLI_EXIT_OK) {
    cli_plugins_free(&p);
    return rc;
  }
  char *stdin_data = NULL;
  size_t len = strlen(arg);
  if (strcmp(arg, "-") == 0) {
    if (!read_stdin((size_t)p.cfg->limits.input_bytes, &stdin_data, &len)) {
      cli_plugins_free(&p);
      return cli_fail("call: cannot read the arguments from stdin");
    }
    arg = stdin_data;
  }
  wg_registry reg;
  if (wg_registry_build(p.cfg, &p.res, NULL, 0, &reg) != 0 ||
      !wg_registry_set_base_dir(&reg, p.workspace)) {
    free(stdin_data);
    cli_plugins_free(&p);
    return cli_fail("out of memory");
  }
  wg_call_result r;
  wg_err code = run_call(&reg, p.cfg, tool, arg, len, &r);
  print_result(&r, o.json);
  record(g, wg_registry_find(&reg, tool), tool, &r);
  wg_call_result_free(&r);
  wg_registry_free(&reg);
  free(stdin_data);
  cli_plugins_free(&p);
  return code == WG_ERR_NONE ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
