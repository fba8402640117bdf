/* backend.c: the one seam between the MCP server and the runtime: the
 * workspace's registered tools, and one tool call through
 * wg_workspace_call, the same audited call `wasmgate call` makes (the
 * tool_call record before the guest runs, the tool_result after; the call
 * fails closed as `internal` if its record cannot be written). */
#include "mcp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcp_backend {
  wg_workspace *ws;
};

mcp_backend *mcp_backend_open(wg_workspace *ws, char *err, size_t err_size) {
  mcp_backend *b = calloc(1, sizeof *b);
  if (!b) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  b->ws = ws;
  return b;
}

void mcp_backend_close(mcp_backend *b) { free(b); }

const wg_registry *mcp_backend_registry(const mcp_backend *b) {
  return wg_workspace_registry(b->ws);
}

void mcp_backend_call(mcp_backend *b, const wg_tool *tool, const char *input,
                      size_t input_len, wg_cancel *cancel,
                      wg_call_result *out) {
  /* wg_workspace_call takes the NUL-terminated name; registry names never
   * contain NUL (a tool name has no control character). */
  char name[WG_MANIFEST_MAX_TOOL_NAME + 1];
  size_t n = tool->name_len < sizeof name - 1 ? tool->name_len : sizeof name - 1;
  memcpy(name, tool->name, n);
  name[n] = '\0';
  wg_workspace_call(b->ws, name, input, input_len, cancel, NULL, out);
  if (!out->recorded) mcp_log("history: %s", out->history_error);
}

void mcp_backend_explain_unknown(const mcp_backend *b, const char *name, size_t len,
                                 char *out, size_t size) {
  out[0] = '\0';
  if (len > WG_MANIFEST_MAX_TOOL_NAME || memchr(name, '\0', len)) return;
  char n[WG_MANIFEST_MAX_TOOL_NAME + 1];
  memcpy(n, name, len);
  n[len] = '\0';
  wg_workspace_explain_unknown(b->ws, n, out, size);
}
