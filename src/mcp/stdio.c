/* stdio.c: the stdio transport: newline-delimited JSON-RPC on two fds.
 *
 * The calling thread reads and dispatches; tools/call runs on the worker
 * pool and its reply is written by the worker, so replies may come out of
 * order. Writes are serialized (one message per line, never interleaved)
 * and bounded by the write timeout: a client that stops reading its stdout
 * is given up on, not waited for forever.
 *
 * Lines longer than max_message_bytes are dropped as they stream past: the
 * buffer never holds more than the bound, and the client gets one -32600
 * error (with a null id, since the id was never buffered). EOF lets calls
 * in flight finish and be answered; stop_fd cancels them. */
#include "mcp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct stdio_ctx {
  mcp_server srv;
  mcp_conn conn;
  int in_fd, out_fd, stop_fd;
  int wake_fd;              /* written when the output breaks */
  pthread_mutex_t out_lock; /* one message at a time on out_fd */
  atomic_bool broken;
  wg_buf line;
  bool discarding;
} stdio_ctx;

enum { READ_CHUNK = 64 * 1024 };

static void send_reply(stdio_ctx *x, wg_buf *reply) {
  if (!reply->len) return;
  if (!wg_buf_append_char(reply, '\n')) return;
  pthread_mutex_lock(&x->out_lock);
  if (!atomic_load(&x->broken) &&
      mcp_write_all(x->out_fd, reply->data, reply->len, x->srv.opt->write_timeout_ms) != 0) {
    atomic_store(&x->broken, true);
    mcp_log("stdout: the client stopped reading or closed it; stopping");
    uint64_t one = 1;
    if (write(x->wake_fd, &one, sizeof one) < 0) { /* the reader also polls `broken` */ }
  }
  pthread_mutex_unlock(&x->out_lock);
}

static void job_done(mcp_job *job, wg_buf *reply, void *ctx) {
  send_reply(ctx, reply);
  mcp_job_free(job);
}

static bool blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
  return true;
}

static void handle_line(stdio_ctx *x) {
  const char *s = x->line.data;
  size_t n = x->line.len;
  if (n && s[n - 1] == '\r') n--;
  if (!s || blank(s, n)) return;
  mcp_msg m;
  mcp_server_parse(&x->srv, s, n, &m);
  mcp_result r;
  mcp_dispatch(&x->srv, &x->conn, &m, job_done, x, &r);
  if (r.outcome == MCP_OUT_REPLY) send_reply(x, &r.reply);
  wg_buf_free(&r.reply);
  mcp_msg_free(&m);
}

static void oversize(stdio_ctx *x) {
  char msg[128];
  snprintf(msg, sizeof msg, "Invalid Request: message larger than %zu bytes",
           x->srv.opt->max_message_bytes);
  wg_buf reply;
  wg_buf_init(&reply, 0);
  mcp_write_error(&reply, NULL, MCP_INVALID_REQUEST, msg, NULL);
  send_reply(x, &reply);
  wg_buf_free(&reply);
}

/* Feeds one chunk of input through the line splitter. */
static void feed(stdio_ctx *x, const char *p, size_t n) {
  size_t max = x->srv.opt->max_message_bytes;
  while (n > 0) {
    const char *nl = memchr(p, '\n', n);
    size_t seg = nl ? (size_t)(nl - p) : n;
    if (!x->discarding) {
      if (x->line.len + seg > max) {
        x->discarding = true;
        wg_buf_free(&x->line);
        wg_buf_init(&x->line, max);
      } else if (!wg_buf_append(&x->line, p, seg)) {
        x->discarding = true; /* out of memory: treat as oversize */
        wg_buf_free(&x->line);
        wg_buf_init(&x->line, max);
      }
    }
    if (!nl) return;
    if (x->discarding) oversize(x);
    else handle_line(x);
    x->discarding = false;
    wg_buf_reset(&x->line);
    p += seg + 1;
    n -= seg + 1;
  }
}

/* Reads until EOF, a read error, stop_fd or a broken output. Returns true if
 * stopped by stop_fd. */
static bool read_loop(stdio_ctx *x) {
  static const size_t chunk_size = READ_CHUNK;
  char chunk[READ_CHUNK];
  for (;;) {
    if (atomic_load(&x->broken)) return false;
    struct pollfd p[3] = {
      {.fd = x->in_fd, .events = POLLIN},
      {.fd = x->wake_fd, .events = POLLIN},
      {.fd = x->stop_fd, .events = POLLIN},
    };
    int r = poll(p, x->stop_fd >= 0 ? 3 : 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (x->stop_fd >= 0 && p[2].revents) return true;
    if (p[1].revents) return false;
    if (!p[0].revents) continue;
    ssize_t n = read(x->in_fd, chunk, chunk_size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) break;
    feed(x, chunk, (size_t)n);
  }
  /* EOF: a last line without its newline is still a message. */
  if (x->discarding) oversize(x);
  else if (x->line.len) handle_line(x);
  return false;
}

/* A pipe or socket stdout is made non-blocking so writes can time out;
 * returns the flags to restore, or -1 when left alone. */
static int make_nonblocking(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return -1;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || (fl & O_NONBLOCK)) return -1;
  return fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 ? fl : -1;
}

int wg_mcp_serve_stdio(wg_workspace *ws, const wg_mcp_options *o, int in_fd,
                       int out_fd, int stop_fd) {
  stdio_ctx *x = calloc(1, sizeof *x);
  if (!x) {
    mcp_log("out of memory");
    return 1;
  }
  x->in_fd = in_fd;
  x->out_fd = out_fd;
  x->stop_fd = stop_fd;
  x->conn.persistent = true;
  x->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  pthread_mutex_init(&x->out_lock, NULL);
  wg_buf_init(&x->line, o->max_message_bytes);
  int rc = 1;
  if (x->wake_fd < 0) {
    mcp_log("cannot create an eventfd");
  } else if (mcp_server_init(&x->srv, ws, o, false) == 0) {
    int restore = make_nonblocking(out_fd);
    if (!o->quiet)
      mcp_log("serving %zu tool(s) on stdio", x->srv.registry->count);
    bool stopped = read_loop(x);
    if (stopped || atomic_load(&x->broken)) mcp_server_cancel_all(&x->srv);
    mcp_server_destroy(&x->srv);
    if (restore >= 0) fcntl(out_fd, F_SETFL, restore);
    rc = atomic_load(&x->broken) ? 1 : 0;
  }
  wg_buf_free(&x->line);
  pthread_mutex_destroy(&x->out_lock);
  if (x->wake_fd >= 0) close(x->wake_fd);
  free(x);
  return rc;
}
