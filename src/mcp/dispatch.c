/* dispatch.c: method routing for both protocol generations.
 *
 * A request is modern when its params._meta carries
 * "io.modelcontextprotocol/protocolVersion" (2026-07-28 basic/versioning);
 * it is then served statelessly: the version must be one we speak (else
 * UnsupportedProtocolVersion -32022 listing ours), client capabilities must
 * be declared (else -32602), and on HTTP the mirrored headers must match
 * the body (else HeaderMismatch -32020). Modern methods: server/discover,
 * tools/list, tools/call; `initialize`, `ping` and `logging/setLevel` are
 * not part of that revision (-32601).
 *
 * Anything else is legacy: `initialize` negotiates the version and `ping`
 * always answers. On stdio the connection remembers `initialize` and other
 * requests before it are refused; on HTTP every request stands alone (the
 * version is the MCP-Protocol-Version header, 2025-03-26 when absent, as
 * 2025-06-18 basic/transports allows).
 *
 * HTTP statuses follow 2026-07-28 streamable-http for modern requests (400
 * for the _meta, version and header errors, 404 for an unknown method) and
 * the 2025 SDK servers for legacy ones (400 only for unreadable messages),
 * so legacy clients see JSON-RPC errors, not transport failures. */
#include "mcp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

typedef struct req {
  mcp_server *s;
  mcp_conn *c;
  const mcp_msg *m;
  mcp_result *out;
  mcp_era era;
  const wg_json *meta;
} req;

static void reply_error(req *r, int code, int status, const char *msg,
                        const char *data) {
  r->out->outcome = MCP_OUT_REPLY;
  r->out->http_status = status;
  wg_buf_reset(&r->out->reply);
  mcp_write_error(&r->out->reply, r->m->id, code, msg, data);
}

/* Status of a request-level error: modern requests get the spec's
 * statuses, legacy ones 200 with the JSON-RPC error. */
static int param_status(const req *r) { return r->era == MCP_ERA_MODERN ? 400 : 200; }

static void begin_result(req *r, wg_json_writer *w) {
  r->out->outcome = MCP_OUT_REPLY;
  r->out->http_status = 200;
  mcp_result_begin(w, &r->out->reply, r->m->id);
  if (r->era == MCP_ERA_MODERN) {
    wg_json_writer_key(w, "resultType", 10);
    wg_json_writer_cstr(w, "complete");
    mcp_write_server_info(w);
  }
}

static void end_result(req *r, wg_json_writer *w) {
  mcp_result_end(w);
  if (!wg_json_writer_finish(w))
    reply_error(r, MCP_INTERNAL_ERROR, 500, "Internal error: the result could not be written",
                NULL);
}

/* ttlMs and cacheScope (2026-07-28 server/utilities/caching). With a bearer
 * token the list is for authorized callers only: never a shared cache. */
static void write_cache_hints(req *r, wg_json_writer *w) {
  wg_json_writer_key(w, "ttlMs", 5);
  wg_json_writer_uint(w, r->s->opt->list_ttl_ms);
  wg_json_writer_key(w, "cacheScope", 10);
  wg_json_writer_cstr(w, r->s->opt->auth_token ? "private" : "public");
}

static void write_capabilities(wg_json_writer *w) {
  wg_json_writer_key(w, "capabilities", 12);
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, "tools", 5);
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, "listChanged", 11);
  wg_json_writer_bool(w, false);
  wg_json_writer_end_object(w);
  wg_json_writer_end_object(w);
}

static const char instructions[] =
    "Tools of WebAssembly plugins run by wasmgate. Each call runs in its own "
    "sandbox under fixed limits; a failed call returns isError with a stable "
    "error code in structuredContent.code.";

/* ---- methods ---------------------------------------------------------------- */

/* HTTP: a random Mcp-Session-Id for a legacy client. Nothing is stored
 * under it; any replica serves any session id, or none. It only tells this
 * client's request ids apart from other clients', so that its
 * notifications/cancelled can find its call (docs/mcp.md). */
static void mint_session(mcp_conn *c) {
  uint8_t rnd[16];
  if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) return;
  for (size_t i = 0; i < sizeof rnd; i++)
    snprintf(c->minted_session + 2 * i, 3, "%02x", rnd[i]);
}

static void do_initialize(req *r) {
  const wg_json *v = wg_json_get(r->m->params, "protocolVersion");
  if (!v || v->type != WG_JSON_STRING)
    return reply_error(r, MCP_INVALID_PARAMS, 200,
                       "Invalid params: initialize needs a string \"protocolVersion\"", NULL);
  if (r->c->persistent && r->c->initialized)
    return reply_error(r, MCP_INVALID_REQUEST, 200,
                       "Invalid Request: initialize was already received on this connection",
                       NULL);
  const char *version = mcp_negotiate_legacy(v->u.string.text, v->u.string.len);
  r->c->initialized = true;
  snprintf(r->c->version, sizeof r->c->version, "%s", version);
  if (r->c->http) mint_session(r->c);
  wg_json_writer w;
  begin_result(r, &w);
  wg_json_writer_key(&w, "protocolVersion", 15);
  wg_json_writer_cstr(&w, version);
  write_capabilities(&w);
  wg_json_writer_key(&w, "serverInfo", 10);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "name", 4);
  wg_json_writer_cstr(&w, "wasmgate");
  wg_json_writer_key(&w, "version", 7);
  wg_json_writer_cstr(&w, WG_VERSION);
  wg_json_writer_end_object(&w);
  wg_json_writer_key(&w, "instructions", 12);
  wg_json_writer_cstr(&w, instructions);
  end_result(r, &w);
}

static void do_ping(req *r) {
  wg_json_writer w;
  begin_result(r, &w);
  end_result(r, &w);
}

static void do_discover(req *r) {
  wg_json_writer w;
  begin_result(r, &w);
  wg_json_writer_key(&w, "supportedVersions", 17);
  wg_json_writer_begin_array(&w);
  for (size_t i = 0; i < mcp_version_count; i++) wg_json_writer_cstr(&w, mcp_versions[i]);
  wg_json_writer_end_array(&w);
  write_capabilities(&w);
  wg_json_writer_key(&w, "instructions", 12);
  wg_json_writer_cstr(&w, instructions);
  write_cache_hints(r, &w);
  end_result(r, &w);
}

static void do_tools_list(req *r) {
  size_t start = 0;
  const wg_json *cursor = wg_json_get(r->m->params, "cursor");
  if (cursor && cursor->type != WG_JSON_NULL) {
    if (cursor->type != WG_JSON_STRING ||
        !mcp_cursor_decode(cursor->u.string.text, cursor->u.string.len, r->s->fingerprint,
                           r->s->registry->count, &start))
      return reply_error(r, MCP_INVALID_PARAMS, 200,
                         "Invalid params: unknown or stale cursor (list again without one)",
                         NULL);
  }
  wg_json_writer w;
  begin_result(r, &w);
  mcp_write_tools_page(&w, r->s->registry, start, r->s->opt->page_size, r->s->fingerprint);
  if (r->era == MCP_ERA_MODERN) write_cache_hints(r, &w);
  end_result(r, &w);
}

/* The in-flight key: stdio's request ids are the connection's own; on HTTP
 * only a client that carries a session id can be told apart, so only its
 * calls can be cancelled by id (others cancel by closing the connection). */
static bool job_key(req *r, char *key, size_t size) {
  char id[168];
  if (!mcp_id_key(r->m->id, id, sizeof id)) return false;
  if (!r->c->http) return (size_t)snprintf(key, size, "%s", id) < size;
  const char *session = r->c->session;
  if (!session || !session[0]) {
    key[0] = '\0';
    return true;
  }
  return (size_t)snprintf(key, size, "%s\n%s", session, id) < size;
}

static mcp_job *new_job(req *r, const wg_tool *tool, const wg_json *args) {
  mcp_job *job = calloc(1, sizeof *job);
  if (!job) return NULL;
  job->srv = r->s;
  job->tool = tool;
  job->era = r->era;
  wg_cancel_init(&job->cancel);
  wg_buf id;
  wg_buf_init(&id, 0);
  wg_json_write(r->m->id, false, &id);
  job->id_json = wg_buf_take(&id, &job->id_json_len);
  const char *text = args ? r->m->text + args->start : "{}";
  size_t len = args ? args->end - args->start : 2;
  job->args = malloc(len + 1);
  if (!job->id_json || !job->args || !job_key(r, job->key, sizeof job->key)) {
    mcp_job_free(job);
    return NULL;
  }
  memcpy(job->args, text, len);
  job->args[len] = '\0';
  job->args_len = len;
  return job;
}

static void do_tools_call(req *r, mcp_job_done_fn done, void *ctx) {
  const wg_json *name = wg_json_get(r->m->params, "name");
  if (!name || name->type != WG_JSON_STRING)
    return reply_error(r, MCP_INVALID_PARAMS, param_status(r),
                       "Invalid params: tools/call needs a string \"name\"", NULL);
  const wg_json *args = wg_json_get(r->m->params, "arguments");
  if (args && args->type == WG_JSON_NULL) args = NULL;
  if (args && args->type != WG_JSON_OBJECT)
    return reply_error(r, MCP_INVALID_PARAMS, 200,
                       "Invalid params: \"arguments\" must be an object", NULL);
  const wg_tool *tool = mcp_find_tool(r->s->registry, name->u.string.text, name->u.string.len);
  if (!tool) {
    char label[WG_ERROR_TOOL_MAX + 1], why[WG_ERROR_MESSAGE_MAX + 1];
    char msg[sizeof label + sizeof why + 32];
    wg_error_sanitize(label, sizeof label, name->u.string.text, name->u.string.len);
    mcp_backend_explain_unknown(r->s->backend, name->u.string.text, name->u.string.len, why,
                                sizeof why);
    snprintf(msg, sizeof msg, "Unknown tool: %s%s%s", label, why[0] ? " (" : "",
             why[0] ? why : "");
    if (why[0]) snprintf(msg + strlen(msg), sizeof msg - strlen(msg), ")");
    return reply_error(r, MCP_INVALID_PARAMS, 200, msg, NULL);
  }
  mcp_job *job = new_job(r, tool, args);
  if (!job)
    return reply_error(r, MCP_INTERNAL_ERROR, 500, "Internal error: out of memory", NULL);
  job->done = done;
  job->done_ctx = ctx;
  bool busy;
  if (!mcp_inflight_add(r->s, job, &busy)) {
    mcp_job_free(job);
    if (!busy)
      return reply_error(r, MCP_INVALID_REQUEST, 200,
                         "Invalid Request: a request with this id is already in flight", NULL);
    char msg[120], data[80];
    snprintf(msg, sizeof msg, "Server busy: %u requests in flight; retry later",
             (unsigned)r->s->opt->max_in_flight);
    snprintf(data, sizeof data, "{\"reason\":\"busy\",\"limit\":%u}",
             (unsigned)r->s->opt->max_in_flight);
    return reply_error(r, MCP_INTERNAL_ERROR, 503, msg, data);
  }
  r->out->outcome = MCP_OUT_ASYNC;
  r->out->job = job;
  mcp_pool_submit(r->s->pool, job);
}

/* ---- modern requests ---------------------------------------------------------- */

/* Decodes an `=?base64?...?=` header value (2026-07-28 streamable-http,
 * "Value Encoding") into out; plain values are copied. false if malformed. */
static bool header_value(const char *h, wg_buf *out) {
  size_t n = strlen(h);
  if (n >= 11 && memcmp(h, "=?base64?", 9) == 0 && memcmp(h + n - 2, "?=", 2) == 0) {
    size_t enc = n - 11;
    uint8_t *dec = malloc(enc / 4 * 3 + 3);
    if (!dec) return false;
    long len = mcp_base64_decode(h + 9, enc, false, dec);
    bool ok = len >= 0 && wg_buf_append(out, dec, (size_t)len);
    free(dec);
    return ok;
  }
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)h[i] < 0x20 && h[i] != '\t') return false;
  return wg_buf_append(out, h, n);
}

static bool header_equals(const char *h, const char *s, size_t len) {
  wg_buf v;
  wg_buf_init(&v, 0);
  bool ok = header_value(h, &v) && v.len == len && (len == 0 || memcmp(v.data, s, len) == 0);
  wg_buf_free(&v);
  return ok;
}

/* Does header h carry the argument value v (2026-07-28 streamable-http,
 * "Value Encoding": strings as-is or base64-sentinel, integers compared
 * numerically, booleans as true/false)? */
static bool param_matches(const char *h, const wg_json *v) {
  if (v->type == WG_JSON_STRING) return header_equals(h, v->u.string.text, v->u.string.len);
  wg_buf b;
  wg_buf_init(&b, 64);
  bool ok = header_value(h, &b);
  if (ok && v->type == WG_JSON_NUMBER) {
    wg_json_doc *d = wg_json_parse(b.data ? b.data : "", b.len, NULL, NULL);
    const wg_json *n = d ? wg_json_root(d) : NULL;
    ok = n && n->type == WG_JSON_NUMBER && wg_json_number_cmp(n, v) == 0;
    wg_json_free(d);
  } else if (ok) {
    const char *want = v->type == WG_JSON_TRUE ? "true" : v->type == WG_JSON_FALSE ? "false" : NULL;
    ok = want && b.len == strlen(want) && memcmp(b.data, want, b.len) == 0;
  }
  wg_buf_free(&b);
  return ok;
}

/* Bounds of the x-mcp-header walk: a chain of `properties` keys only. */
enum { PARAM_DEPTH_MAX = 16, PARAM_HEADERS_MAX = 64 };

/* The tool's x-mcp-header parameters (2026-07-28 streamable-http, "Custom
 * Headers from Tool Parameters"): each value present in the arguments
 * must be mirrored in its Mcp-Param-{Name} header. Returns NULL or why not. */
const char *mcp_check_param_headers(const wg_tool *t, const wg_json *args,
                                    const char *(*header)(void *, const char *), void *ctx,
                                    char *why, size_t size) {
  wg_json_doc *d = wg_json_parse(t->input_schema_json, t->input_schema_len, NULL, NULL);
  if (!d) return NULL;
  struct { const wg_json *props, *args; } stack[PARAM_DEPTH_MAX];
  size_t top = 0, seen = 0;
  stack[top].props = wg_json_get(wg_json_root(d), "properties");
  stack[top++].args = args;
  const char *fail = NULL;
  while (top && !fail && seen < PARAM_HEADERS_MAX) {
    top--;
    const wg_json *props = stack[top].props, *a = stack[top].args;
    if (!props || props->type != WG_JSON_OBJECT) continue;
    for (size_t i = 0; i < props->u.object.count && !fail; i++) {
      const wg_json_member *p = &props->u.object.members[i];
      const wg_json *val = wg_json_getn(a, p->key, p->key_len);
      const wg_json *name = wg_json_get(p->value, "x-mcp-header");
      if (name && name->type == WG_JSON_STRING && val && val->type != WG_JSON_NULL) {
        seen++;
        char hname[160];
        snprintf(hname, sizeof hname, "Mcp-Param-%.*s", (int)(name->u.string.len > 128 ? 128 : name->u.string.len),
                 name->u.string.text);
        const char *h = header ? header(ctx, hname) : NULL;
        if (!h || !param_matches(h, val)) {
          snprintf(why, size, "the %s header %s", hname, h ? "does not match the arguments" : "is missing");
          fail = why;
        }
      }
      const wg_json *sub = wg_json_get(p->value, "properties");
      if (sub && val && val->type == WG_JSON_OBJECT && top < PARAM_DEPTH_MAX) {
        stack[top].props = sub;
        stack[top++].args = val;
      }
    }
  }
  wg_json_free(d);
  return fail;
}

/* The mirrored headers of a modern HTTP request. false after replying. */
static bool check_headers(req *r, const wg_json *version) {
  const mcp_conn *c = r->c;
  const char *why = NULL;
  char param_why[200];
  if (!c->header_version) why = "the MCP-Protocol-Version header is missing";
  else if (strlen(c->header_version) != version->u.string.len ||
           memcmp(c->header_version, version->u.string.text, version->u.string.len) != 0)
    why = "the MCP-Protocol-Version header does not match _meta";
  else if (!c->header_method) why = "the Mcp-Method header is missing";
  else if (!header_equals(c->header_method, r->m->method, r->m->method_len))
    why = "the Mcp-Method header does not match the body's method";
  else if (mcp_method_is(r->m, "tools/call")) {
    const wg_json *name = wg_json_get(r->m->params, "name");
    if (!c->header_name) why = "the Mcp-Name header is missing";
    else if (name && name->type == WG_JSON_STRING &&
             !header_equals(c->header_name, name->u.string.text, name->u.string.len))
      why = "the Mcp-Name header does not match params.name";
    else if (name && name->type == WG_JSON_STRING) {
      const wg_tool *t = mcp_find_tool(r->s->registry, name->u.string.text, name->u.string.len);
      if (t)
        why = mcp_check_param_headers(t, wg_json_get(r->m->params, "arguments"), c->header,
                                      c->header_ctx, param_why, sizeof param_why);
    }
  }
  if (!why) return true;
  char msg[240];
  snprintf(msg, sizeof msg, "Header mismatch: %s", why);
  reply_error(r, MCP_HEADER_MISMATCH, 400, msg, NULL);
  return false;
}

static void unsupported_version(req *r, const wg_json *v) {
  wg_buf data;
  wg_buf_init(&data, 0);
  wg_json_writer w;
  wg_json_writer_init(&w, &data);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "supported", 9);
  wg_json_writer_begin_array(&w);
  for (size_t i = 0; i < mcp_version_count; i++) wg_json_writer_cstr(&w, mcp_versions[i]);
  wg_json_writer_end_array(&w);
  wg_json_writer_key(&w, "requested", 9);
  if (v->type == WG_JSON_STRING) wg_json_writer_string(&w, v->u.string.text, v->u.string.len);
  else wg_json_writer_value(&w, v, false);
  wg_json_writer_end_object(&w);
  reply_error(r, MCP_UNSUPPORTED_VERSION, 400, "Unsupported protocol version",
              wg_json_writer_finish(&w) ? data.data : NULL);
  wg_buf_free(&data);
}

static void modern(req *r, const wg_json *version, mcp_job_done_fn done, void *ctx) {
  if (version->type != WG_JSON_STRING)
    return unsupported_version(r, version);
  if (version->u.string.len != strlen(MCP_MODERN_VERSION) ||
      memcmp(version->u.string.text, MCP_MODERN_VERSION, version->u.string.len) != 0)
    return unsupported_version(r, version);
  const wg_json *caps = wg_json_get(r->meta, MCP_META_CAPS);
  if (!caps || caps->type != WG_JSON_OBJECT)
    return reply_error(r, MCP_INVALID_PARAMS, 400,
                       "Invalid params: _meta needs the object "
                       "\"io.modelcontextprotocol/clientCapabilities\"",
                       NULL);
  if (r->c->http && !check_headers(r, version)) return;
  if (mcp_method_is(r->m, "server/discover")) return do_discover(r);
  if (mcp_method_is(r->m, "tools/list")) return do_tools_list(r);
  if (mcp_method_is(r->m, "tools/call")) return do_tools_call(r, done, ctx);
  reply_error(r, MCP_METHOD_NOT_FOUND, 404,
              "Method not found in protocol revision " MCP_MODERN_VERSION, NULL);
}

/* ---- legacy requests ------------------------------------------------------------ */

/* HTTP: the MCP-Protocol-Version header of a legacy request. false after
 * replying 400 (2025-06-18 basic/transports). */
static bool legacy_http_version(req *r) {
  const char *h = r->c->header_version;
  if (!h || mcp_is_legacy_version(h, strlen(h))) return true;
  char msg[200];
  snprintf(msg, sizeof msg,
           "Bad Request: unsupported MCP-Protocol-Version (supported: %s, %s, %s, %s, %s)",
           mcp_versions[0], mcp_versions[1], mcp_versions[2], mcp_versions[3], mcp_versions[4]);
  reply_error(r, MCP_INVALID_REQUEST, 400, msg, NULL);
  return false;
}

static void legacy(req *r, mcp_job_done_fn done, void *ctx) {
  if (mcp_method_is(r->m, "initialize")) return do_initialize(r);
  if (mcp_method_is(r->m, "ping")) return do_ping(r);
  if (mcp_method_is(r->m, "server/discover"))
    return reply_error(r, MCP_INVALID_PARAMS, 400,
                       "Invalid params: server/discover needs _meta "
                       "\"io.modelcontextprotocol/protocolVersion\"",
                       NULL);
  if (r->c->persistent && !r->c->initialized)
    return reply_error(r, MCP_INVALID_REQUEST, 200,
                       "Invalid Request: send initialize first (or use protocol revision "
                       MCP_MODERN_VERSION " with _meta)",
                       NULL);
  if (r->c->http && !legacy_http_version(r)) return;
  if (mcp_method_is(r->m, "tools/list")) return do_tools_list(r);
  if (mcp_method_is(r->m, "tools/call")) return do_tools_call(r, done, ctx);
  reply_error(r, MCP_METHOD_NOT_FOUND, 200, "Method not found", NULL);
}

/* ---- notifications -------------------------------------------------------------- */

static void notification(mcp_server *s, mcp_conn *c, const mcp_msg *m) {
  if (!mcp_method_is(m, "notifications/cancelled")) return; /* initialized, others */
  const wg_json *id = wg_json_get(m->params, "requestId");
  if (!id || (id->type != WG_JSON_STRING && id->type != WG_JSON_NUMBER)) return;
  char idk[168], key[MCP_KEY_MAX];
  if (!mcp_id_key(id, idk, sizeof idk)) return;
  if (c->http) {
    if (!c->session || !c->session[0]) return;
    if ((size_t)snprintf(key, sizeof key, "%s\n%s", c->session, idk) >= sizeof key) return;
  } else {
    snprintf(key, sizeof key, "%s", idk);
  }
  mcp_inflight_cancel(s, key); /* unknown or finished: ignored, as the spec says */
}

void mcp_dispatch(mcp_server *s, mcp_conn *c, const mcp_msg *m,
                  mcp_job_done_fn done, void *ctx, mcp_result *out) {
  memset(out, 0, sizeof *out);
  wg_buf_init(&out->reply, 0);
  out->outcome = MCP_OUT_NONE;
  out->http_status = 202;
  req r = {.s = s, .c = c, .m = m, .out = out, .era = MCP_ERA_LEGACY};
  switch (m->kind) {
  case MCP_MSG_RESPONSE:
    return;
  case MCP_MSG_NOTIFICATION:
    return notification(s, c, m);
  case MCP_MSG_INVALID:
    return reply_error(&r, m->error_code, m->error_code == MCP_INTERNAL_ERROR ? 500 : 400,
                       m->error_message, NULL);
  case MCP_MSG_REQUEST:
    break;
  }
  r.meta = wg_json_get(m->params, "_meta");
  const wg_json *version = wg_json_get(r.meta, MCP_META_VERSION);
  if (version) {
    r.era = MCP_ERA_MODERN;
    return modern(&r, version, done, ctx);
  }
  legacy(&r, done, ctx);
}
