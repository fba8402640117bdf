/* server.c: the transport-independent core: the backend, the worker pool,
 * the in-flight table, and the job that runs one tools/call.
 *
 * A job's life: created by dispatch (which takes its in-flight slot), run
 * on a worker, its reply built, its slot released, then handed to the
 * transport's callback, which frees it. The reply is withheld when the
 * client cancelled the call and the call did stop as cancelled (a call
 * that finished first is answered; the client ignores the late reply). */
#include "mcp_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mcp_log(const char *fmt, ...) {
  char line[600];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  /* One write per line so lines from several threads never interleave. */
  fprintf(stderr, "wasmgate serve: %s\n", line);
}

void wg_mcp_options_default(wg_mcp_options *o) {
  memset(o, 0, sizeof *o);
  o->max_message_bytes = WG_MCP_DEFAULT_MAX_MESSAGE;
  o->max_in_flight = WG_MCP_DEFAULT_MAX_IN_FLIGHT;
  o->workers = WG_MCP_DEFAULT_WORKERS;
  o->page_size = WG_MCP_DEFAULT_PAGE_SIZE;
  o->write_timeout_ms = WG_MCP_DEFAULT_WRITE_TIMEOUT_MS;
  o->list_ttl_ms = WG_MCP_DEFAULT_LIST_TTL_MS;
  o->http_host = "127.0.0.1";
  o->http_port = 0;
  o->http_max_connections = WG_MCP_DEFAULT_HTTP_MAX_CONNECTIONS;
  o->http_idle_timeout_s = WG_MCP_DEFAULT_HTTP_IDLE_TIMEOUT_S;
  o->http_request_timeout_s = WG_MCP_DEFAULT_HTTP_REQUEST_TIMEOUT_S;
}

void mcp_job_free(mcp_job *job) {
  if (!job) return;
  free(job->id_json);
  free(job->args);
  free(job);
}

void mcp_write_server_info(wg_json_writer *w) {
  wg_json_writer_key(w, "_meta", 5);
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, MCP_META_SERVER_INFO, strlen(MCP_META_SERVER_INFO));
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, "name", 4);
  wg_json_writer_cstr(w, "wasmgate");
  wg_json_writer_key(w, "version", 7);
  wg_json_writer_cstr(w, WG_VERSION);
  wg_json_writer_end_object(w);
  wg_json_writer_end_object(w);
}

static void build_reply(const mcp_job *job, const wg_call_result *r, wg_buf *out) {
  wg_json_doc *id = wg_json_parse(job->id_json, job->id_json_len, NULL, NULL);
  wg_json_writer w;
  mcp_result_begin(&w, out, id ? wg_json_root(id) : NULL);
  if (job->era == MCP_ERA_MODERN) {
    wg_json_writer_key(&w, "resultType", 10);
    wg_json_writer_cstr(&w, "complete");
    mcp_write_server_info(&w);
  }
  mcp_write_call_result(&w, r);
  mcp_result_end(&w);
  wg_json_free(id);
  if (!wg_json_writer_finish(&w)) {
    wg_buf_reset(out);
    mcp_write_error(out, id ? wg_json_root(id) : NULL, MCP_INTERNAL_ERROR,
                    "Internal error: the result could not be written", NULL);
  }
}

static void run_job(mcp_job *job) {
  mcp_server *s = job->srv;
  wg_call_result r;
  mcp_backend_call(s->backend, job->tool, job->args, job->args_len, &job->cancel, &r);
  wg_buf reply;
  wg_buf_init(&reply, 0);
  bool withheld = atomic_load(&job->client_cancelled) && r.error.code == WG_ERR_CANCELLED;
  if (!withheld) build_reply(job, &r, &reply);
  wg_call_result_free(&r);
  mcp_inflight_remove(s, job);
  job->done(job, &reply, job->done_ctx);
  wg_buf_free(&reply);
}

int mcp_server_init(mcp_server *s, wg_workspace *ws, const wg_mcp_options *o,
                    bool http) {
  memset(s, 0, sizeof *s);
  s->opt = o;
  s->http = http;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->idle, NULL);
  pthread_mutex_init(&s->parse_lock, NULL);
  char err[200];
  s->backend = mcp_backend_open(ws, err, sizeof err);
  if (!s->backend) {
    mcp_log("%s", err);
    mcp_server_destroy(s);
    return -1;
  }
  s->registry = mcp_backend_registry(s->backend);
  s->fingerprint = mcp_registry_fingerprint(s->registry);
  s->pool = mcp_pool_new(o->workers, run_job);
  if (!s->pool) {
    mcp_log("cannot start the worker threads");
    mcp_server_destroy(s);
    return -1;
  }
  return 0;
}

void mcp_server_destroy(mcp_server *s) {
  if (s->pool) {
    mcp_server_wait_idle(s);
    mcp_pool_free(s->pool);
    s->pool = NULL;
  }
  mcp_backend_close(s->backend);
  s->backend = NULL;
  pthread_mutex_destroy(&s->parse_lock);
  pthread_cond_destroy(&s->idle);
  pthread_mutex_destroy(&s->lock);
}

/* Messages up to this size parse concurrently; larger ones one at a time,
 * so N connections cannot each hold a multi-megabyte parse tree at once. */
enum { MCP_SMALL_MESSAGE = 256 * 1024 };

void mcp_server_parse(mcp_server *s, const char *text, size_t len, mcp_msg *m) {
  bool big = len > MCP_SMALL_MESSAGE;
  if (big) pthread_mutex_lock(&s->parse_lock);
  mcp_msg_parse(text, len, s->opt->max_message_bytes, m);
  if (big) pthread_mutex_unlock(&s->parse_lock);
}
