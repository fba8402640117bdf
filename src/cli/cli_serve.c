/* cli_serve.c: `wasmgate serve`: the workspace's tools as an MCP server on
 * stdio (default) or Streamable HTTP (--http ADDR:PORT). Its option table
 * is below; the server is src/mcp/ (docs/mcp.md).
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
  wg_mcp_options mcp;
  const char *http;        /* ADDR:PORT, or NULL for stdio */
  const char *token_file;
  char host[64];
} serve_opts;

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

/* The numeric options: name, range, and where each goes. */
typedef struct num_opt {
  const char *name;
  unsigned long long min, max;
} num_opt;

static const num_opt nums[] = {
  {"max-message", WG_MCP_MIN_MAX_MESSAGE, WG_MCP_MAX_MAX_MESSAGE},
  {"max-in-flight", 1, WG_MCP_MAX_MAX_IN_FLIGHT},
  {"workers", 1, WG_MCP_MAX_WORKERS},
  {"page-size", 1, WG_MCP_MAX_PAGE_SIZE},
  {"write-timeout", 1, WG_MCP_MAX_TIMEOUT_S},
  {"max-connections", 1, WG_MCP_MAX_HTTP_CONNECTIONS},
  {"idle-timeout", 1, WG_MCP_MAX_TIMEOUT_S},
  {"request-timeout", 1, WG_MCP_MAX_TIMEOUT_S},
  {"list-ttl-ms", 0, UINT32_MAX},
};

static void store_num(wg_mcp_options *m, size_t which, unsigned long long v) {
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

/* The parsed options into o (defaults first); 0 or CLI_EXIT_USAGE after
 * printing the message. */
static int read_options(const cli_args *a, serve_opts *o) {
  memset(o, 0, sizeof *o);
  wg_mcp_options_default(&o->mcp);
  o->mcp.quiet = cli_flag(a, "quiet");
  for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
    unsigned long long v;
    if (!cli_value(a, nums[k].name)) continue;
    if (!cli_uint_value(a, nums[k].name, nums[k].min, nums[k].max, &v)) return CLI_EXIT_USAGE;
    store_num(&o->mcp, k, v);
  }
  o->http = cli_value(a, "http");
  if (o->http && !parse_http(o->http, o))
    return cli_usage_error("serve: --http wants ADDR:PORT (e.g. 127.0.0.1:8080), got '%s'",
                           o->http);
  o->token_file = cli_value(a, "auth-token-file");
  size_t origins = cli_values(a, "allow-origin", o->mcp.allowed_origins,
                              WG_MCP_MAX_ALLOWED_ORIGINS);
  if (origins > WG_MCP_MAX_ALLOWED_ORIGINS)
    return cli_usage_error("serve: at most %u --allow-origin", WG_MCP_MAX_ALLOWED_ORIGINS);
  o->mcp.allowed_origin_count = origins;
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

static int serve_run(const cli_args *a) {
  serve_opts o;
  int rc = read_options(a, &o);
  if (rc != 0) return rc;
  char *token = NULL;
  if (o.token_file) {
    char err[160];
    token = wg_mcp_read_token_file(o.token_file, &o.mcp.auth_token_len, err, sizeof err);
    if (!token) return cli_fail("serve: --auth-token-file: %s", err);
    o.mcp.auth_token = token;
  }
  wg_workspace *ws;
  rc = cli_workspace_open(a, &ws);
  if (rc == CLI_EXIT_OK) rc = run(&o, ws);
  wg_workspace_close(ws);
  if (token) {
    memset(token, 0, o.mcp.auth_token_len);
    free(token);
  }
  return rc;
}

static const cli_opt serve_opts_table[] = {
  {"http", 0, CLI_OPT_VALUE, "ADDR:PORT",
   "serve Streamable HTTP at http://ADDR:PORT/mcp instead of stdio; ADDR is numeric, "
   "127.0.0.1 when left out (--http 8080); port 0 picks a free one (printed on stderr)", false},
  {"auth-token-file", 0, CLI_OPT_PATH, "FILE",
   "HTTP: require `Authorization: Bearer TOKEN`; FILE holds the token (at least 16 bytes) "
   "and others may not read or write it", false},
  {"allow-origin", 0, CLI_OPT_LIST, "ORIGIN",
   "HTTP: also accept this browser Origin (exact; repeatable, up to 16; by default only "
   "loopback origins)", false},
  {"max-message", 0, CLI_OPT_VALUE, "BYTES",
   "largest message: a stdio line or an HTTP body (default 4194304, 1024 to 268435456)", false},
  {"max-in-flight", 0, CLI_OPT_VALUE, "N",
   "tool calls queued or running before more are refused with an error (default 64, "
   "at most 4096)", false},
  {"workers", 0, CLI_OPT_VALUE, "N", "threads running tool calls (default 4, at most 256)",
   false},
  {"page-size", 0, CLI_OPT_VALUE, "N", "tools per tools/list page (default 100, at most 1000)",
   false},
  {"write-timeout", 0, CLI_OPT_VALUE, "SECONDS",
   "stdio: give up on a client that stops reading its responses (default 60)", false},
  {"max-connections", 0, CLI_OPT_VALUE, "N", "HTTP: connections at once (default 64)", false},
  {"idle-timeout", 0, CLI_OPT_VALUE, "SECONDS",
   "HTTP: close a connection idle this long (default 30)", false},
  {"request-timeout", 0, CLI_OPT_VALUE, "SECONDS",
   "HTTP: time for a request's body to arrive (default 30)", false},
  {"list-ttl-ms", 0, CLI_OPT_VALUE, "MS", "freshness hint (ttlMs) of tools/list (default 60000)",
   false},
  {"quiet", 0, CLI_OPT_FLAG, NULL, "no start-up line on stderr", false},
  {0},
};

const cli_spec cli_serve_spec = {
  .name = "serve",
  .synopsis = "serve [--http ADDR:PORT] [OPTIONS]",
  .summary = "serve the tools over MCP (stdio, or Streamable HTTP with --http)",
  .description =
      "Serves the workspace's enabled tools over MCP (Model Context Protocol),\n"
      "protocol revisions 2024-11-05 to 2025-11-25 (initialize) and 2026-07-28\n"
      "(stateless): newline-delimited JSON-RPC on stdin/stdout by default, or\n"
      "Streamable HTTP with --http. Each tools/call is one call as `wasmgate\n"
      "call` runs it: same limits, same history records, same errors. Stdout\n"
      "carries only protocol messages; logs go to stderr. SIGINT, SIGTERM and\n"
      "SIGHUP cancel the calls in flight and stop the server. See docs/mcp.md.\n"
      "\n"
      "Exit status: 0 after EOF on stdin or a signal, 1 if the server could not\n"
      "start or its output broke, 2 on a usage error.",
  .options = serve_opts_table,
  .globals = CLI_G_ALL,
  .run = serve_run,
};
