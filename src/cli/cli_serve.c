/* cli_serve.c: `wasmgate serve`: the workspace's tools as an MCP server on
 * stdio (default) or Streamable HTTP (--http ADDR:PORT). Options are parsed
 * here; the server is src/mcp/ (docs/mcp.md).
 *
 * Start-up errors go to stderr with exit 2 (usage) or 1; stdout carries
 * protocol messages only, from the first byte. SIGINT, SIGTERM and SIGHUP
 * are taken through a signalfd (no handler, no global state): the server
 * cancels its calls in flight and exits 0. SIGPIPE is ignored so a closed
 * stdout is an error code, not a kill. */
#include "cli_plugins.h"
#include "mcp.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

typedef struct serve_opts {
  cli_plugin_opts plugins;
  wg_mcp_options mcp;
  const char *http;        /* ADDR:PORT, or NULL for stdio */
  const char *token_file;
  char host[64];
} serve_opts;

static void serve_help(FILE *f) {
  fputs("usage: wasmgate [--workspace DIR] [--config FILE] serve [--http ADDR:PORT] [OPTIONS]\n"
        "\n"
        "Serves the workspace's enabled tools over MCP (Model Context Protocol),\n"
        "protocol revisions 2024-11-05 to 2025-11-25 (initialize) and 2026-07-28\n"
        "(stateless). Each tools/call is one call as `wasmgate call` runs it: same\n"
        "limits, same history records, same errors. Stdout carries only protocol\n"
        "messages; logs go to stderr. See docs/mcp.md.\n"
        "\n"
        "Transport:\n"
        "  (default)                  newline-delimited JSON-RPC on stdin/stdout\n"
        "  --http ADDR:PORT           Streamable HTTP at http://ADDR:PORT/mcp; ADDR is\n"
        "                             numeric (default 127.0.0.1, e.g. --http 8080);\n"
        "                             port 0 picks a free one (printed on stderr)\n"
        "HTTP security:\n"
        "  --auth-token-file FILE     require `Authorization: Bearer TOKEN`; FILE holds\n"
        "                             the token (>= 16 bytes), not readable by others\n"
        "  --allow-origin ORIGIN      also accept this browser Origin (repeatable; by\n"
        "                             default only loopback origins are accepted)\n"
        "Limits:\n"
        "  --max-message BYTES        largest message: stdio line or HTTP body (4194304)\n"
        "  --max-in-flight N          tool calls queued or running before more are\n"
        "                             refused with an error (64)\n"
        "  --workers N                threads running tool calls (4)\n"
        "  --page-size N              tools per tools/list page (100)\n"
        "  --write-timeout SECONDS    stdio: give up on a client that stops reading\n"
        "                             its responses (60)\n"
        "  --max-connections N        HTTP connections at once (64)\n"
        "  --idle-timeout SECONDS     HTTP: close a connection idle this long (30)\n"
        "  --request-timeout SECONDS  HTTP: time for a request's body to arrive (30)\n"
        "  --list-ttl-ms MS           freshness hint of tools/list (60000)\n"
        "Other:\n"
        "  --project-store DIR, --user-store DIR   store overrides (as `list`)\n"
        "  --quiet                    no start-up line on stderr\n"
        "\n"
        "Exit status: 0 after EOF on stdin or a signal, 1 if the server could not\n"
        "start or its output broke, 2 on a usage error.\n",
        f);
}

/* `--name VALUE` or `--name=VALUE`. Returns 1 if it matched (value set), 0
 * if not, -1 on a missing value (message printed). */
static int opt(int argc, char **argv, int *i, const char *name, const char **value) {
  size_t n = strlen(name);
  const char *a = argv[*i];
  if (strncmp(a, name, n) != 0) return 0;
  if (a[n] == '=') {
    *value = a + n + 1;
    return 1;
  }
  if (a[n] != '\0') return 0;
  if (*i + 1 >= argc) {
    cli_usage_error("serve: %s needs a value", name);
    return -1;
  }
  *value = argv[++*i];
  return 1;
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out) {
  if (!s || !*s || *s == '-' || *s == '+') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

/* ADDR:PORT, [V6]:PORT, :PORT or PORT. */
static bool parse_http(const char *s, serve_opts *o) {
  const char *port = s;
  const char *host = "127.0.0.1";
  size_t host_len = strlen(host);
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (!close || close[1] != ':') return false;
    host = s + 1;
    host_len = (size_t)(close - s - 1);
    port = close + 2;
  } else {
    const char *colon = strrchr(s, ':');
    if (colon) {
      if (colon != s) {
        host = s;
        host_len = (size_t)(colon - s);
      }
      port = colon + 1;
    }
  }
  uint64_t p;
  if (host_len == 0 || host_len >= sizeof o->host || !parse_u64(port, 0, 65535, &p)) return false;
  memcpy(o->host, host, host_len);
  o->host[host_len] = '\0';
  o->mcp.http_host = o->host;
  o->mcp.http_port = (uint16_t)p;
  return true;
}

typedef struct num_opt {
  const char *name;
  uint64_t min, max;
} num_opt;

/* Numeric options: index into the table below, stored by store_num. */
static const num_opt nums[] = {
  {"--max-message", WG_MCP_MIN_MAX_MESSAGE, 256u * 1024u * 1024u},
  {"--max-in-flight", 1, WG_MCP_MAX_MAX_IN_FLIGHT},
  {"--workers", 1, WG_MCP_MAX_WORKERS},
  {"--page-size", 1, WG_MCP_MAX_PAGE_SIZE},
  {"--write-timeout", 1, 86400},
  {"--max-connections", 1, 4096},
  {"--idle-timeout", 1, 86400},
  {"--request-timeout", 1, 86400},
  {"--list-ttl-ms", 0, UINT32_MAX},
};

static void store_num(wg_mcp_options *m, size_t which, uint64_t v) {
  switch (which) {
  case 0: m->max_message_bytes = (size_t)v; break;
  case 1: m->max_in_flight = (uint32_t)v; break;
  case 2: m->workers = (uint32_t)v; break;
  case 3: m->page_size = (uint32_t)v; break;
  case 4: m->write_timeout_ms = (uint32_t)(v * 1000u); break;
  case 5: m->http_max_connections = (uint32_t)v; break;
  case 6: m->http_idle_timeout_s = (uint32_t)v; break;
  case 7: m->http_request_timeout_s = (uint32_t)v; break;
  default: m->list_ttl_ms = (uint32_t)v; break;
  }
}

/* Returns 1 matched, 0 not, -1 error (printed). */
static int parse_num(int argc, char **argv, int *i, serve_opts *o) {
  for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
    const char *v;
    int r = opt(argc, argv, i, nums[k].name, &v);
    if (r < 0) return -1;
    if (r == 0) continue;
    uint64_t x;
    if (!parse_u64(v, nums[k].min, nums[k].max, &x)) {
      cli_usage_error("serve: %s needs a whole number from %llu to %llu", nums[k].name,
                      (unsigned long long)nums[k].min, (unsigned long long)nums[k].max);
      return -1;
    }
    store_num(&o->mcp, k, x);
    return 1;
  }
  return 0;
}

static int parse_args(int argc, char **argv, serve_opts *o) {
  memset(o, 0, sizeof *o);
  wg_mcp_options_default(&o->mcp);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    if (cli_is_help(a)) {
      o->plugins.help = true;
      return 0;
    }
    if (strcmp(a, "--quiet") == 0) {
      o->mcp.quiet = true;
      continue;
    }
    int r;
    if ((r = opt(argc, argv, &i, "--http", &v)) != 0) {
      if (r < 0) return CLI_EXIT_USAGE;
      if (!parse_http(v, o))
        return cli_usage_error("serve: --http wants ADDR:PORT (e.g. 127.0.0.1:8080), got '%s'", v);
      o->http = v;
      continue;
    }
    if ((r = opt(argc, argv, &i, "--auth-token-file", &o->token_file)) != 0) {
      if (r < 0) return CLI_EXIT_USAGE;
      continue;
    }
    if ((r = opt(argc, argv, &i, "--allow-origin", &v)) != 0) {
      if (r < 0) return CLI_EXIT_USAGE;
      if (o->mcp.allowed_origin_count >= WG_MCP_MAX_ALLOWED_ORIGINS)
        return cli_usage_error("serve: at most %u --allow-origin", WG_MCP_MAX_ALLOWED_ORIGINS);
      o->mcp.allowed_origins[o->mcp.allowed_origin_count++] = v;
      continue;
    }
    if ((r = opt(argc, argv, &i, "--workspace", &o->plugins.workspace)) ||
        (r = opt(argc, argv, &i, "--project-store", &o->plugins.project_store)) ||
        (r = opt(argc, argv, &i, "--user-store", &o->plugins.user_store))) {
      if (r < 0) return CLI_EXIT_USAGE;
      continue;
    }
    if ((r = parse_num(argc, argv, &i, o)) != 0) {
      if (r < 0) return CLI_EXIT_USAGE;
      continue;
    }
    return cli_usage_error("serve: unknown %s '%s' (see wasmgate serve --help)",
                           a[0] == '-' ? "option" : "argument", a);
  }
  if (!o->http && (o->token_file || o->mcp.allowed_origin_count))
    return cli_usage_error("serve: --auth-token-file and --allow-origin need --http");
  return 0;
}

/* SIGINT/SIGTERM/SIGHUP through a signalfd: blocked here, before any thread
 * exists, so every thread inherits the mask. */
static int stop_signals(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
  return signalfd(-1, &set, SFD_CLOEXEC);
}

static int open_error(wg_plugin_set_status st, const cli_global *g, const char *ws,
                      const wg_config_error *err) {
  const char *file = st == WG_SET_LOCK ? "wasmgate.lock" : g->config ? g->config : "wasmgate.toml";
  switch (st) {
  case WG_SET_WORKSPACE: return cli_fail("workspace `%s`: %s", ws ? ws : ".", err->message);
  case WG_SET_CONFIG:
  case WG_SET_LOCK:
    if (err->line) return cli_fail("%s:%u:%u: %s", file, err->line, err->column, err->message);
    return cli_fail("%s: %s", file, err->message);
  default: return cli_fail("%s", err->message);
  }
}

static int run(serve_opts *o, wg_workspace *ws) {
  const wg_registry *reg = wg_workspace_registry(ws);
  for (size_t i = 0; i < reg->diag_count; i++)
    fprintf(stderr, "wasmgate serve: %s: %s: %s\n", reg->diags[i].warning ? "warning" : "error",
            reg->diags[i].plugin, reg->diags[i].message);
  signal(SIGPIPE, SIG_IGN);
  int stop = stop_signals();
  if (stop < 0) return cli_fail("serve: cannot set up signal handling");
  int rc = o->http ? wg_mcp_serve_http(ws, &o->mcp, stop)
                   : wg_mcp_serve_stdio(ws, &o->mcp, STDIN_FILENO, STDOUT_FILENO, stop);
  close(stop);
  return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cli_cmd_serve(int argc, char **argv, const cli_global *g) {
  serve_opts o;
  int rc = parse_args(argc, argv, &o);
  if (rc != 0) return rc;
  if (o.plugins.help) {
    serve_help(stdout);
    return CLI_EXIT_OK;
  }
  char *token = NULL;
  if (o.token_file) {
    char err[160];
    token = wg_mcp_read_token_file(o.token_file, &o.mcp.auth_token_len, err, sizeof err);
    if (!token) return cli_fail("serve: --auth-token-file: %s", err);
    o.mcp.auth_token = token;
  }
  wg_workspace_options wo = {
    .workspace = o.plugins.workspace ? o.plugins.workspace : g->workspace,
    .config_path = g->config,
    .project_store = o.plugins.project_store,
    .user_store = o.plugins.user_store,
  };
  wg_workspace *ws = NULL;
  wg_config_error err;
  wg_plugin_set_status st = wg_workspace_open(&wo, &ws, &err);
  if (st != WG_SET_OK) rc = open_error(st, g, wo.workspace, &err);
  else rc = run(&o, ws);
  wg_workspace_close(ws);
  if (token) {
    memset(token, 0, o.mcp.auth_token_len);
    free(token);
  }
  return rc;
}
