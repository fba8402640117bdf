/* jsonrpc.c: JSON-RPC 2.0 framing for MCP: one message in, classified
 * (request, notification, client response, or invalid with the error to
 * answer), and the reply writers.
 *
 * Rules (MCP basic/index): a message is one JSON object (batches are not
 * accepted: 2025-06-18 removed them); "jsonrpc" is "2.0"; a request's id is
 * a string or a number, never null; params, when present, is an object.
 * Malformed JSON is -32700; anything else wrong -32600 (-32602 for params
 * that are not an object), answered with the id when it can be read and
 * without one otherwise: MCP's schema makes the id of an error optional
 * and the SDKs reject JSON-RPC 2.0's `"id": null`. */
#include "mcp_internal.h"

#include <stdio.h>
#include <string.h>

/* The JSON parser's own limits, set from the message bound: depth 512 is
 * the parser's default and more than any schema or argument needs. */
static wg_json_limits msg_limits(size_t max_len) {
  wg_json_limits l = {0};
  l.max_depth = 512;
  l.max_size = max_len;
  return l;
}

static void invalid(mcp_msg *m, int code, const char *msg) {
  m->kind = MCP_MSG_INVALID;
  m->error_code = code;
  snprintf(m->error_message, sizeof m->error_message, "%s", msg);
}

static bool valid_id(const wg_json *id) {
  return id && (id->type == WG_JSON_STRING || id->type == WG_JSON_NUMBER);
}

/* Classifies a parsed object: returns with m->kind set. */
static void classify(const wg_json *root, mcp_msg *m) {
  const wg_json *version = wg_json_get(root, "jsonrpc");
  const wg_json *id = wg_json_get(root, "id");
  const wg_json *method = wg_json_get(root, "method");
  if (valid_id(id)) m->id = id;
  if (!version || version->type != WG_JSON_STRING ||
      version->u.string.len != 3 || memcmp(version->u.string.text, "2.0", 3) != 0)
    return invalid(m, MCP_INVALID_REQUEST, "Invalid Request: \"jsonrpc\" must be \"2.0\"");
  if (!method) {
    if (wg_json_get(root, "result") || wg_json_get(root, "error")) {
      m->kind = MCP_MSG_RESPONSE;
      return;
    }
    return invalid(m, MCP_INVALID_REQUEST, "Invalid Request: no \"method\"");
  }
  if (method->type != WG_JSON_STRING)
    return invalid(m, MCP_INVALID_REQUEST, "Invalid Request: \"method\" must be a string");
  if (id && !valid_id(id))
    return invalid(m, MCP_INVALID_REQUEST,
                   "Invalid Request: \"id\" must be a string or a number (never null)");
  m->method = method->u.string.text;
  m->method_len = method->u.string.len;
  const wg_json *params = wg_json_get(root, "params");
  if (params && params->type != WG_JSON_OBJECT) {
    if (!id) {
      m->kind = MCP_MSG_NOTIFICATION; /* a bad notification is just ignored */
      return;
    }
    return invalid(m, MCP_INVALID_PARAMS, "Invalid params: \"params\" must be an object");
  }
  m->params = params;
  m->kind = id ? MCP_MSG_REQUEST : MCP_MSG_NOTIFICATION;
}

void mcp_msg_parse(const char *text, size_t len, size_t max_len, mcp_msg *m) {
  memset(m, 0, sizeof *m);
  m->text = text;
  m->len = len;
  if (len > max_len) return invalid(m, MCP_INVALID_REQUEST, "Invalid Request: message too large");
  wg_json_limits lim = msg_limits(max_len);
  wg_json_error err;
  m->doc = wg_json_parse(text, len, &lim, &err);
  if (!m->doc) {
    /* The parser's reason names a byte offset, never the input's bytes. */
    char msg[sizeof m->error_message];
    snprintf(msg, sizeof msg, "Parse error: %.100s at byte %zu", err.message, err.offset);
    return invalid(m, err.code == WG_JSON_NOMEM ? MCP_INTERNAL_ERROR : MCP_PARSE_ERROR, msg);
  }
  const wg_json *root = wg_json_root(m->doc);
  if (root->type == WG_JSON_ARRAY)
    return invalid(m, MCP_INVALID_REQUEST, "Invalid Request: batches are not supported");
  if (root->type != WG_JSON_OBJECT)
    return invalid(m, MCP_INVALID_REQUEST, "Invalid Request: a message must be a JSON object");
  classify(root, m);
}

void mcp_msg_free(mcp_msg *m) {
  wg_json_free(m->doc);
  m->doc = NULL;
}

bool mcp_method_is(const mcp_msg *m, const char *name) {
  size_t n = strlen(name);
  return m->method && m->method_len == n && memcmp(m->method, name, n) == 0;
}

static void write_id(wg_json_writer *w, const wg_json *id) {
  if (id) wg_json_writer_value(w, id, false);
  else wg_json_writer_null(w);
}

void mcp_write_error(wg_buf *out, const wg_json *id, int code,
                     const char *message, const char *data_json) {
  wg_json_writer w;
  wg_json_writer_init(&w, out);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "jsonrpc", 7);
  wg_json_writer_cstr(&w, "2.0");
  if (id) { /* unreadable: no id (MCP's schema; SDKs reject a null one) */
    wg_json_writer_key(&w, "id", 2);
    write_id(&w, id);
  }
  wg_json_writer_key(&w, "error", 5);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "code", 4);
  wg_json_writer_int(&w, code);
  wg_json_writer_key(&w, "message", 7);
  wg_json_writer_cstr(&w, message);
  if (data_json) {
    wg_json_writer_key(&w, "data", 4);
    wg_json_doc *d = wg_json_parse(data_json, strlen(data_json), NULL, NULL);
    if (d) wg_json_writer_value(&w, wg_json_root(d), false);
    else wg_json_writer_null(&w);
    wg_json_free(d);
  }
  wg_json_writer_end_object(&w);
  wg_json_writer_end_object(&w);
}

void mcp_result_begin(wg_json_writer *w, wg_buf *out, const wg_json *id) {
  wg_json_writer_init(w, out);
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, "jsonrpc", 7);
  wg_json_writer_cstr(w, "2.0");
  wg_json_writer_key(w, "id", 2);
  write_id(w, id);
  wg_json_writer_key(w, "result", 6);
  wg_json_writer_begin_object(w);
}

void mcp_result_end(wg_json_writer *w) {
  wg_json_writer_end_object(w);
  wg_json_writer_end_object(w);
}

bool mcp_id_key(const wg_json *id, char *out, size_t size) {
  wg_buf b;
  wg_buf_init(&b, size - 1);
  bool ok = id && wg_json_write(id, true, &b) && wg_buf_ok(&b);
  if (ok) memcpy(out, b.data, b.len + 1);
  wg_buf_free(&b);
  return ok;
}
