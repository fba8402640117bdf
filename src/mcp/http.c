/* http.c: the Streamable HTTP transport on libmicrohttpd.
 *
 * POST /mcp carries one JSON-RPC message; the reply is application/json
 * (no SSE: this server sends no progress or server-to-client messages).
 * Notifications and client responses get 202. GET and DELETE on /mcp get
 * 405; GET /healthz is a readiness probe (no token needed: it says "ok"). Before the body is read a request
 * passes, in order: Host (loopback-bound servers only), Origin (foreign ->
 * 403), the bearer token (-> 401), Content-Type (-> 415), Accept (-> 406)
 * and the body bound (-> 413). Nothing is kept between requests.
 *
 * Each connection has its own thread (MHD_USE_THREAD_PER_CONNECTION,
 * bounded by the connection limit). A tools/call runs on the worker pool
 * while the connection thread waits for it and watches the socket: a
 * client that closes the connection cancels its call (2026-07-28
 * basic/patterns/cancellation). Legacy clients carry the Mcp-Session-Id
 * minted at `initialize`, which lets notifications/cancelled name their
 * call on this replica. */
#include "mcp_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct http_ctx {
  mcp_server srv;
  const wg_mcp_options *opt;
  bool loopback;   /* bound to a loopback address: Host is checked */
} http_ctx;

/* One request in flight on a connection. */
typedef struct http_req {
  wg_buf body;
  uint64_t started_ns;
  bool failed;           /* the body outgrew the bound: answer 413 */
  /* the job's completion, handed over by the worker */
  int done_fd;
  wg_buf reply;
} http_req;

static const char json_type[] = "application/json";

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status,
                               const char *body, size_t len, const char *session) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  if (len) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, json_type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
  if (status == MHD_HTTP_UNAUTHORIZED) MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  if (status == MHD_HTTP_SERVICE_UNAVAILABLE) MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
  if (session && session[0]) MHD_add_response_header(r, "Mcp-Session-Id", session);
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

/* A transport-level refusal: the status with a JSON-RPC error without id. */
static enum MHD_Result refuse(struct MHD_Connection *c, unsigned status, int code,
                              const char *message) {
  wg_buf b;
  wg_buf_init(&b, 0);
  mcp_write_error(&b, NULL, code, message, NULL);
  enum MHD_Result r = respond(c, status, b.data ? b.data : "", b.len, NULL);
  wg_buf_free(&b);
  return r;
}

static const char *header(struct MHD_Connection *c, const char *name) {
  return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Host and Origin: the DNS-rebinding checks every request passes. */
static bool admit_origin(http_ctx *x, struct MHD_Connection *c) {
  const wg_mcp_options *o = x->opt;
  if (x->loopback && !mcp_host_allowed(header(c, MHD_HTTP_HEADER_HOST))) {
    refuse(c, MHD_HTTP_FORBIDDEN, MCP_INVALID_REQUEST, "Forbidden: Host is not a loopback name");
    return false;
  }
  if (!mcp_origin_allowed(header(c, "Origin"), o)) {
    refuse(c, MHD_HTTP_FORBIDDEN, MCP_INVALID_REQUEST, "Forbidden: Origin is not allowed");
    return false;
  }
  return true;
}

/* The checks made on the first call, before any body is read. Returns true
 * when the request may proceed; otherwise a response was queued. */
static bool admit(http_ctx *x, struct MHD_Connection *c) {
  const wg_mcp_options *o = x->opt;
  if (!admit_origin(x, c)) return false;
  if (o->auth_token &&
      !mcp_bearer_ok(header(c, MHD_HTTP_HEADER_AUTHORIZATION), o->auth_token, o->auth_token_len)) {
    refuse(c, MHD_HTTP_UNAUTHORIZED, MCP_INVALID_REQUEST,
           "Unauthorized: a valid bearer token is required");
    return false;
  }
  return true;
}

static bool admit_post(http_ctx *x, struct MHD_Connection *c) {
  if (!mcp_content_type_json(header(c, MHD_HTTP_HEADER_CONTENT_TYPE))) {
    refuse(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, MCP_INVALID_REQUEST,
           "Unsupported Media Type: the body must be application/json");
    return false;
  }
  if (!mcp_accept_ok(header(c, MHD_HTTP_HEADER_ACCEPT))) {
    refuse(c, MHD_HTTP_NOT_ACCEPTABLE, MCP_INVALID_REQUEST,
           "Not Acceptable: responses are application/json");
    return false;
  }
  const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    if (errno || *end || n > x->opt->max_message_bytes) {
      refuse(c, MHD_HTTP_CONTENT_TOO_LARGE, MCP_INVALID_REQUEST, "Content Too Large");
      return false;
    }
  }
  return true;
}

static void job_done(mcp_job *job, wg_buf *reply, void *ctx) {
  (void)job;
  http_req *hr = ctx;
  size_t len;
  char *data = wg_buf_take(reply, &len);
  hr->reply.data = data;
  hr->reply.len = len;
  uint64_t one = 1;
  /* The waiter frees the job after this; nothing here touches it again. */
  if (write(hr->done_fd, &one, sizeof one) < 0) { /* cannot fail on an eventfd */ }
}

/* Waits for the job, cancelling it if the client goes away. Returns false
 * if the client disconnected. */
static bool wait_job(struct MHD_Connection *c, mcp_job *job, http_req *hr) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  int sock = ci ? ci->connect_fd : -1;
  bool gone = false;
  for (;;) {
    struct pollfd p[2] = {{.fd = hr->done_fd, .events = POLLIN},
                          {.fd = gone ? -1 : sock, .events = POLLRDHUP}};
    int r = poll(p, 2, -1);
    if (r < 0 && errno != EINTR) break;
    if (p[0].revents & POLLIN) break;
    if (!gone && (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
      gone = true; /* closing the connection is the cancellation signal */
      atomic_store(&job->client_cancelled, true);
      wg_cancel_request(&job->cancel);
    }
  }
  uint64_t v;
  if (read(hr->done_fd, &v, sizeof v) < 0) { /* drained below by close */ }
  return !gone;
}

static const char *any_header(void *ctx, const char *name) { return header(ctx, name); }

static enum MHD_Result handle_message(http_ctx *x, struct MHD_Connection *c, http_req *hr) {
  mcp_conn conn = {.http = true};
  conn.header_version = header(c, "MCP-Protocol-Version");
  conn.header_method = header(c, "Mcp-Method");
  conn.header_name = header(c, "Mcp-Name");
  conn.session = header(c, "Mcp-Session-Id");
  conn.header = any_header;
  conn.header_ctx = c;
  mcp_msg m;
  mcp_server_parse(&x->srv, hr->body.data ? hr->body.data : "", hr->body.len, &m);
  mcp_result r;
  mcp_dispatch(&x->srv, &conn, &m, job_done, hr, &r);
  enum MHD_Result ret = MHD_YES;
  if (r.outcome == MCP_OUT_REPLY) {
    ret = respond(c, (unsigned)r.http_status, r.reply.data, r.reply.len, conn.minted_session);
  } else if (r.outcome == MCP_OUT_NONE) {
    ret = respond(c, MHD_HTTP_ACCEPTED, "", 0, NULL);
  } else {
    bool here = wait_job(c, r.job, hr);
    mcp_job_free(r.job);
    /* Withheld (cancelled by notification): 202 with no body, no result. */
    if (!here) ret = MHD_NO;
    else if (hr->reply.len) ret = respond(c, MHD_HTTP_OK, hr->reply.data, hr->reply.len, NULL);
    else ret = respond(c, MHD_HTTP_ACCEPTED, "", 0, NULL);
    /* The call may have outlasted the idle timeout; restart its clock. */
    MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
                              (unsigned)x->opt->http_idle_timeout_s);
  }
  wg_buf_free(&r.reply);
  mcp_msg_free(&m);
  return ret;
}

static http_req *new_req(const wg_mcp_options *o) {
  http_req *hr = calloc(1, sizeof *hr);
  if (!hr) return NULL;
  hr->done_fd = eventfd(0, EFD_CLOEXEC);
  if (hr->done_fd < 0) {
    free(hr);
    return NULL;
  }
  wg_buf_init(&hr->body, o->max_message_bytes);
  wg_buf_init(&hr->reply, 0);
  hr->started_ns = wg_now_ns();
  return hr;
}

static void free_req(http_req *hr) {
  if (!hr) return;
  wg_buf_free(&hr->body);
  wg_buf_free(&hr->reply);
  close(hr->done_fd);
  free(hr);
}

static void completed(void *cls, struct MHD_Connection *c, void **req_cls,
                      enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  free_req(*req_cls);
  *req_cls = NULL;
}

static enum MHD_Result not_post(http_ctx *x, struct MHD_Connection *c, const char *url,
                                const char *method) {
  /* The readiness probe says only "ok", so it needs no token: a
   * Kubernetes probe cannot read a Secret into its headers. */
  if (strcmp(url, "/healthz") == 0 && strcmp(method, "GET") == 0) {
    if (!admit_origin(x, c)) return MHD_YES;
    static const char ok[] = "{\"status\":\"ok\"}";
    return respond(c, MHD_HTTP_OK, ok, sizeof ok - 1, NULL);
  }
  if (strcmp(url, "/mcp") != 0) return refuse(c, MHD_HTTP_NOT_FOUND, MCP_INVALID_REQUEST, "Not Found");
  if (!admit(x, c)) return MHD_YES;
  return refuse(c, MHD_HTTP_METHOD_NOT_ALLOWED, MCP_INVALID_REQUEST,
                "Method Not Allowed: POST one JSON-RPC message to /mcp");
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version,
                                      const char *upload, size_t *upload_size,
                                      void **req_cls) {
  (void)version;
  http_ctx *x = cls;
  http_req *hr = *req_cls;
  if (!hr) {
    if (strcmp(method, "POST") != 0 || strcmp(url, "/mcp") != 0) {
      if (strcmp(method, "POST") == 0 && strcmp(url, "/mcp") != 0)
        return refuse(c, MHD_HTTP_NOT_FOUND, MCP_INVALID_REQUEST, "Not Found");
      return not_post(x, c, url, method);
    }
    if (!admit(x, c) || !admit_post(x, c)) return MHD_YES;
    hr = new_req(x->opt);
    if (!hr) return MHD_NO;
    *req_cls = hr;
    return MHD_YES;
  }
  if (*upload_size) {
    /* A body that takes longer than the request timeout to arrive: drop the
     * connection (no response can be queued mid-body). */
    uint64_t limit = (uint64_t)x->opt->http_request_timeout_s * 1000000000u;
    if (wg_now_ns() - hr->started_ns > limit) return MHD_NO;
    /* Past the bound the rest is discarded as it arrives, never buffered;
     * the 413 goes out once the body has ended. */
    if (!hr->failed && !wg_buf_append(&hr->body, upload, *upload_size)) {
      hr->failed = true;
      wg_buf_free(&hr->body);
    }
    *upload_size = 0;
    return MHD_YES;
  }
  if (hr->failed) return refuse(c, MHD_HTTP_CONTENT_TOO_LARGE, MCP_INVALID_REQUEST, "Content Too Large");
  return handle_message(x, c, hr);
}

static bool bind_address(const char *host, uint16_t port, struct sockaddr_storage *ss,
                         bool *v6, bool *loopback) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(port);
    *v6 = false;
    *loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
    return true;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    *v6 = true;
    *loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
    return true;
  }
  return false;
}

static void wait_stop(int stop_fd) {
  for (;;) {
    struct pollfd p = {.fd = stop_fd, .events = POLLIN};
    int r = poll(&p, stop_fd >= 0 ? 1 : 0, -1);
    if (r > 0) return;
    if (r < 0 && errno != EINTR) return;
  }
}

int wg_mcp_serve_http(wg_workspace *ws, const wg_mcp_options *o, int stop_fd) {
  struct sockaddr_storage ss;
  bool v6 = false, loopback = false;
  if (!bind_address(o->http_host, o->http_port, &ss, &v6, &loopback)) {
    mcp_log("--http: '%s' is not a numeric IPv4 or IPv6 address", o->http_host);
    return 1;
  }
  http_ctx *x = calloc(1, sizeof *x);
  if (!x) return 1;
  x->opt = o;
  x->loopback = loopback;
  if (mcp_server_init(&x->srv, ws, o, true) != 0) {
    free(x);
    return 1;
  }
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                   MHD_USE_POLL | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, o->http_port, NULL, NULL, access_handler, x,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->http_max_connections,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->http_idle_timeout_s,
      MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
      MHD_OPTION_END);
  if (!d) {
    mcp_log("cannot listen on %s:%u: %s", o->http_host, (unsigned)o->http_port, strerror(errno));
    mcp_server_destroy(&x->srv);
    free(x);
    return 1;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = di ? di->port : o->http_port;
  if (!o->quiet)
    mcp_log("serving %zu tool(s) on http://%s%s%s:%u/mcp", x->srv.registry->count,
            v6 ? "[" : "", o->http_host, v6 ? "]" : "", port);
  wait_stop(stop_fd);
  mcp_server_cancel_all(&x->srv);
  MHD_stop_daemon(d);
  mcp_server_destroy(&x->srv);
  free(x);
  return 0;
}
