/* mcp_internal.h: the MCP server's internal pieces, shared by its files.
 *
 * The flow of one message, whatever the transport:
 *   mcp_msg_parse (jsonrpc.c)     text -> a classified JSON-RPC message
 *   mcp_dispatch (dispatch.c)     method routing, both protocol eras
 *   -> an immediate reply (everything but tools/call), or
 *   -> an mcp_job on the worker pool (pool.c) that runs the call through
 *      the backend seam (backend.c) and hands its reply to the transport's
 *      completion callback.
 * The in-flight table (inflight.c) maps request ids to running jobs so
 * `notifications/cancelled` can reach them, and bounds how many there are.
 *
 * Invariants: a reply is one complete JSON-RPC message without a newline;
 * a notification never gets a reply; nothing here writes to stdout. */
#ifndef WG_MCP_INTERNAL_H
#define WG_MCP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/json.h"
#include "mcp.h"

/* ---- JSON-RPC and MCP error codes ----------------------------------------- */

enum {
  MCP_PARSE_ERROR = -32700,
  MCP_INVALID_REQUEST = -32600,
  MCP_METHOD_NOT_FOUND = -32601,
  MCP_INVALID_PARAMS = -32602,
  MCP_INTERNAL_ERROR = -32603,
  /* 2026-07-28 (basic/index, "Error Codes") */
  MCP_HEADER_MISMATCH = -32020,
  MCP_MISSING_CLIENT_CAPABILITY = -32021,
  MCP_UNSUPPORTED_VERSION = -32022,
};

/* ---- Protocol versions (protocol.c) -------------------------------------- */

#define MCP_MODERN_VERSION "2026-07-28"
#define MCP_LATEST_LEGACY "2025-11-25"
#define MCP_META_VERSION "io.modelcontextprotocol/protocolVersion"
#define MCP_META_CAPS "io.modelcontextprotocol/clientCapabilities"
#define MCP_META_SERVER_INFO "io.modelcontextprotocol/serverInfo"

typedef enum mcp_era { MCP_ERA_LEGACY, MCP_ERA_MODERN } mcp_era;

/* Every version this server speaks, newest first. */
extern const char *const mcp_versions[];
extern const size_t mcp_version_count;
bool mcp_is_legacy_version(const char *v, size_t len);
/* The version `initialize` answers: the client's if supported, else the
 * latest legacy one. */
const char *mcp_negotiate_legacy(const char *requested, size_t len);

/* ---- Messages (jsonrpc.c) ------------------------------------------------- */

typedef enum mcp_msg_kind {
  MCP_MSG_REQUEST,      /* method + id */
  MCP_MSG_NOTIFICATION, /* method, no id */
  MCP_MSG_RESPONSE,     /* result/error + id: a client answering; ignored */
  MCP_MSG_INVALID,      /* see error_code / error_message; id if readable */
} mcp_msg_kind;

typedef struct mcp_msg {
  wg_json_doc *doc;
  const char *text; /* the message text (spans below point into it) */
  size_t len;
  mcp_msg_kind kind;
  const wg_json *id;     /* NULL for notifications and unreadable ids */
  const wg_json *params; /* NULL or an object */
  const char *method;    /* decoded; may contain NUL: use method_len */
  size_t method_len;
  int error_code;        /* for MCP_MSG_INVALID */
  char error_message[160];
} mcp_msg;

/* Parses and classifies one message of at most max_len bytes. Always fills
 * m (free with mcp_msg_free). */
void mcp_msg_parse(const char *text, size_t len, size_t max_len, mcp_msg *m);
void mcp_msg_free(mcp_msg *m);
bool mcp_method_is(const mcp_msg *m, const char *name);

/* Reply writers. id may be NULL (written as null). */
void mcp_write_error(wg_buf *out, const wg_json *id, int code,
                     const char *message, const char *data_json);
/* Opens {"jsonrpc":"2.0","id":ID,"result":{ and leaves the writer inside the
 * result object; mcp_result_end closes it. */
void mcp_result_begin(wg_json_writer *w, wg_buf *out, const wg_json *id);
void mcp_result_end(wg_json_writer *w);
/* "_meta":{"io.modelcontextprotocol/serverInfo":{"name","version"}} */
void mcp_write_server_info(wg_json_writer *w);
/* The id as JSON text (for in-flight keys); false if it does not fit. */
bool mcp_id_key(const wg_json *id, char *out, size_t size);

/* ---- base64 (base64.c) ---------------------------------------------------- */

/* Standard alphabet with padding, or URL-safe without padding. */
bool mcp_base64_encode(const uint8_t *in, size_t len, bool url, wg_buf *out);
/* Strict: the alphabet of `url`, padding required exactly when !url, no
 * whitespace. Returns decoded length or -1; out must hold len * 3 / 4 + 3. */
long mcp_base64_decode(const char *in, size_t len, bool url, uint8_t *out);

/* ---- tools/list and tools/call bodies (tools.c) ---------------------------- */

/* A stable fingerprint of the registry (names, plugins, digests, schemas)
 * carried in cursors, so a cursor from another tool set is refused. */
uint64_t mcp_registry_fingerprint(const wg_registry *r);
/* Cursor text for the page starting at index. */
bool mcp_cursor_encode(size_t index, uint64_t fingerprint, wg_buf *out);
/* false if the cursor is malformed, foreign or out of range. */
bool mcp_cursor_decode(const char *s, size_t len, uint64_t fingerprint,
                       size_t count, size_t *index);
/* Writes "tools":[...] (and "nextCursor") for tools [start, start+page). */
bool mcp_write_tools_page(wg_json_writer *w, const wg_registry *r,
                          size_t start, size_t page, uint64_t fingerprint);
/* Writes the members of a CallToolResult from a runtime result. */
bool mcp_write_call_result(wg_json_writer *w, const wg_call_result *r);
/* The tool named name[0..len), or NULL. */
const wg_tool *mcp_find_tool(const wg_registry *r, const char *name,
                             size_t len);

/* ---- Backend seam (backend.c) -------------------------------------------- */

typedef struct mcp_backend mcp_backend;
mcp_backend *mcp_backend_open(wg_workspace *ws, char *err, size_t err_size);
void mcp_backend_close(mcp_backend *b);
const wg_registry *mcp_backend_registry(const mcp_backend *b);
/* One tools/call: the workspace's audited call (tool_call record, the
 * call, tool_result record). Always fills out (free with
 * wg_call_result_free). */
void mcp_backend_call(mcp_backend *b, const wg_tool *tool, const char *input,
                      size_t input_len, wg_cancel *cancel,
                      wg_call_result *out);

/* Why name[0..len) is not a registered tool ("" when nothing explains it):
 * the plugin that declares it was rejected, and why (no paths). */
void mcp_backend_explain_unknown(const mcp_backend *b, const char *name, size_t len,
                                 char *out, size_t size);

/* ---- Jobs, the in-flight table, the pool (inflight.c, pool.c) -------------- */

typedef struct mcp_server mcp_server;
typedef struct mcp_job mcp_job;
/* Called on a worker thread when a job is done; `reply` is empty when no
 * reply must be sent (the client cancelled the call). The callee owns the
 * job from then on (mcp_job_free). */
typedef void (*mcp_job_done_fn)(mcp_job *job, wg_buf *reply, void *ctx);

enum { MCP_KEY_MAX = 320 }; /* session (<= 128) + '\n' + id text (<= 160) */

struct mcp_job {
  mcp_server *srv;
  const wg_tool *tool;
  char *id_json;        /* the request id as JSON text */
  size_t id_json_len;
  char key[MCP_KEY_MAX];/* in-flight key; "" when not cancellable by id */
  char *args;           /* the arguments JSON text */
  size_t args_len;
  mcp_era era;
  wg_cancel cancel;
  atomic_bool client_cancelled;
  mcp_job_done_fn done;
  void *done_ctx;
  mcp_job *next;        /* pool queue / in-flight list */
  mcp_job *inflight_next;
  bool registered;
};

void mcp_job_free(mcp_job *job);

typedef struct mcp_pool mcp_pool;
mcp_pool *mcp_pool_new(uint32_t workers, void (*run)(mcp_job *));
void mcp_pool_submit(mcp_pool *p, mcp_job *job);
/* Runs every queued job, then joins the workers. */
void mcp_pool_free(mcp_pool *p);

/* ---- The server core (server.c) -------------------------------------------- */

struct mcp_server {
  const wg_mcp_options *opt;
  mcp_backend *backend;
  const wg_registry *registry;
  uint64_t fingerprint;
  mcp_pool *pool;
  pthread_mutex_t lock;    /* guards the in-flight list and count */
  pthread_cond_t idle;     /* signalled when in_flight drops */
  mcp_job *inflight;
  uint32_t in_flight;
  bool stopping;
  bool http;               /* HTTP: ttl/cacheScope private with a token */
  pthread_mutex_t parse_lock; /* one large message parsed at a time */
};

/* 0 or -1 with a message on stderr. */
int mcp_server_init(mcp_server *s, wg_workspace *ws, const wg_mcp_options *o,
                    bool http);
/* Waits for the jobs in flight, then frees everything. */
void mcp_server_destroy(mcp_server *s);
/* Cancels every job in flight (shutdown). */
void mcp_server_cancel_all(mcp_server *s);
/* Waits until no job is in flight. */
void mcp_server_wait_idle(mcp_server *s);
/* Parses text under the large-message lock when it is big. */
void mcp_server_parse(mcp_server *s, const char *text, size_t len,
                      mcp_msg *m);

/* ---- Dispatch (dispatch.c) ------------------------------------------------ */

/* Per-connection legacy state: stdio's one connection holds it; HTTP passes
 * a fresh one per request (stateless). */
typedef struct mcp_conn {
  bool persistent;         /* stdio: initialize is remembered */
  bool initialized;        /* initialize answered */
  char version[16];        /* negotiated legacy version */
  /* HTTP request facts (NULL/empty on stdio) */
  bool http;
  const char *header_version; /* MCP-Protocol-Version, or NULL */
  const char *header_method;  /* Mcp-Method */
  const char *header_name;    /* Mcp-Name */
  const char *session;        /* Mcp-Session-Id (legacy cancel key) */
  /* Any other request header by name (Mcp-Param-*), or NULL. */
  const char *(*header)(void *ctx, const char *name);
  void *header_ctx;
  char minted_session[40];    /* set when initialize minted one */
} mcp_conn;

typedef enum mcp_outcome {
  MCP_OUT_NONE,   /* nothing to send (notification, ignored response) */
  MCP_OUT_REPLY,  /* `reply` holds the response */
  MCP_OUT_ASYNC,  /* a job was submitted; its callback sends the reply */
} mcp_outcome;

typedef struct mcp_result {
  mcp_outcome outcome;
  wg_buf reply;
  int http_status;  /* the status for the reply over HTTP */
  mcp_job *job;     /* MCP_OUT_ASYNC: the job (owned by the pool) */
} mcp_result;

/* Handles one parsed message. done/ctx receive the job's reply. */
void mcp_dispatch(mcp_server *s, mcp_conn *c, const mcp_msg *m,
                  mcp_job_done_fn done, void *ctx, mcp_result *out);

/* The x-mcp-header check of a modern HTTP tools/call (2026-07-28
 * streamable-http): every argument whose schema property (reached through
 * `properties` keys only) names an x-mcp-header and whose value is present
 * must be mirrored in Mcp-Param-{Name}. NULL when it is, else why (in why).
 * Note: the schema layer refuses unknown keywords today, so no registered
 * tool carries x-mcp-header yet; this is ready for when it may. */
const char *mcp_check_param_headers(const wg_tool *t, const wg_json *args,
                                    const char *(*header)(void *, const char *), void *ctx,
                                    char *why, size_t size);

/* ---- In-flight table (inflight.c) ----------------------------------------- */

/* Takes a slot for a job; false when the server is at max_in_flight (or
 * stopping) or key (non-empty) is already in flight. *busy tells which. */
bool mcp_inflight_add(mcp_server *s, mcp_job *job, bool *busy);
void mcp_inflight_remove(mcp_server *s, mcp_job *job);
/* Cancels the job with this key, if any (notifications/cancelled). */
bool mcp_inflight_cancel(mcp_server *s, const char *key);

/* ---- HTTP request policy (http_policy.c; pure functions) ------------------ */

/* Origin (DNS-rebinding protection): absent is fine (not a browser);
 * otherwise its host must be loopback (localhost, 127.0.0.1, [::1]; any
 * scheme and port) or the origin one of the allowed ones (exact, ASCII
 * case-insensitive). "null" and anything unparsable are foreign. */
bool mcp_origin_allowed(const char *origin, const wg_mcp_options *o);
/* Host, when bound to loopback: absent, or a loopback name with an
 * optional port. */
bool mcp_host_allowed(const char *host);
/* "Bearer TOKEN" (scheme case-insensitive), compared in constant time for
 * a given token length. */
bool mcp_bearer_ok(const char *authorization, const char *token, size_t len);
/* Accept: absent, or it admits application/json. */
bool mcp_accept_ok(const char *accept);
/* Content-Type is application/json (parameters such as charset allowed). */
bool mcp_content_type_json(const char *content_type);

/* ---- Helpers for transports ------------------------------------------------ */

/* Writes all of buf to a (possibly non-blocking) fd, waiting at most
 * timeout_ms in total for it to drain; 0, or -1 on error or timeout. */
int mcp_write_all(int fd, const char *buf, size_t len, uint32_t timeout_ms);
/* One-line log on stderr: "wasmgate serve: ...". */
void mcp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
