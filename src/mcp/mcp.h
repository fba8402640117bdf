/* mcp.h: `wasmgate serve`, the MCP server: every registered tool of a
 * workspace as an MCP tool, on stdio or Streamable HTTP.
 *
 * One server answers both protocol generations (docs/mcp.md):
 *  - legacy (2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25): `initialize`
 *    negotiates the version, `ping`, `tools/list`, `tools/call`;
 *  - modern (2026-07-28): no handshake; each request carries its protocol
 *    version and client capabilities in `_meta`; `server/discover`;
 *    `resultType` on every result.
 * Each `tools/call` is one runtime call with the workspace's limits and the
 * same history records as `wasmgate call`; `notifications/cancelled`
 * cancels it.
 *
 * The server runs every call through the workspace (runtime.h): the tools
 * are its registry, each call is wg_workspace_call (audit first), and the
 * workspace must outlive the server.
 *
 * Threads: the transports run requests on a fixed worker pool; the caller
 * gives a `stop_fd` (e.g. a signalfd): when it becomes readable the server
 * cancels what is in flight and returns. */
#ifndef WASMGATE_MCP_H
#define WASMGATE_MCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/runtime.h"

/* ---- Limits (every one is an option; see docs/mcp.md) -------------------- */

/* WG_MCP_DEFAULT_* and WG_MCP_MAX_* are in wasmgate/limits.h. */

typedef struct wg_mcp_options {
  size_t max_message_bytes;  /* stdio line / HTTP body */
  uint32_t max_in_flight;
  uint32_t workers;
  uint32_t page_size;
  uint32_t write_timeout_ms; /* stdio */
  uint32_t list_ttl_ms;
  /* HTTP */
  const char *http_host;     /* numeric IPv4/IPv6 address to bind */
  uint16_t http_port;        /* 0: an ephemeral port (printed on stderr) */
  uint32_t http_max_connections;
  uint32_t http_idle_timeout_s;
  uint32_t http_request_timeout_s;
  const char *auth_token;    /* NULL: no bearer token required */
  size_t auth_token_len;
  const char *allowed_origins[WG_MCP_MAX_ALLOWED_ORIGINS]; /* exact origins */
  size_t allowed_origin_count;
  bool quiet;                /* no start-up line on stderr */
} wg_mcp_options;

void wg_mcp_options_default(wg_mcp_options *o);

/* Serves newline-delimited JSON-RPC on in_fd/out_fd until EOF on in_fd
 * (calls in flight finish first), or stop_fd becomes readable (calls in
 * flight are cancelled). stop_fd may be -1. Returns 0, or 1 if the output
 * broke (the client stopped reading or closed it) or start-up failed;
 * messages go to stderr, never to out_fd. */
int wg_mcp_serve_stdio(wg_workspace *ws, const wg_mcp_options *o, int in_fd,
                       int out_fd, int stop_fd);

/* Serves Streamable HTTP at http://HOST:PORT/mcp until stop_fd becomes
 * readable. Returns 0, or 1 if it could not start (message on stderr). */
int wg_mcp_serve_http(wg_workspace *ws, const wg_mcp_options *o, int stop_fd);

/* Reads a bearer token file once: at most WG_MCP_AUTH_TOKEN_MAX bytes, one
 * trailing newline dropped, at least WG_MCP_AUTH_TOKEN_MIN bytes of
 * visible ASCII, a regular file that others cannot read or write. Returns a
 * malloc'd token, or NULL with a message (no file content) in err. */
char *wg_mcp_read_token_file(const char *path, size_t *len, char *err,
                             size_t err_size);

#endif
