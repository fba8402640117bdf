/* bench_mcp.c: the tools/call round trip of the Echo tool three ways, for
 * bench/mcp/run.sh: in process (wg_workspace_call, the baseline), over
 * stdio (`wasmgate serve` on pipes, CONC requests kept outstanding on the
 * one connection) and over Streamable HTTP (CONC keep-alive connections,
 * one request at a time each). Prints one line:
 *   MODE CONC CALLS median_us p99_us calls_per_s
 *
 * usage: bench_mcp inproc WORKSPACE CONC CALLS
 *        bench_mcp stdio  WORKSPACE CONC CALLS WASMGATE
 *        bench_mcp http   WORKSPACE CONC CALLS PORT */
#include "wasmgate/runtime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *mode, int conc, size_t n, uint64_t *lat, uint64_t wall_ns) {
  qsort(lat, n, sizeof *lat, cmp_u64);
  printf("%s %d %zu %.1f %.1f %.0f\n", mode, conc, n, lat[n / 2] / 1e3, lat[(n * 99) / 100] / 1e3,
         n / (wall_ns / 1e9));
}

/* ---- in process ---------------------------------------------------------------- */

typedef struct worker {
  wg_workspace *ws;
  size_t calls;
  uint64_t *lat;
  int port;
  int ok;
} worker;

static const char ARGS[] = "{\"bench\":1}";

static void *inproc_worker(void *arg) {
  worker *w = arg;
  for (size_t i = 0; i < w->calls; i++) {
    uint64_t t0 = wg_now_ns();
    wg_call_result r;
    wg_workspace_call(w->ws, "Echo", ARGS, sizeof ARGS - 1, NULL, NULL, &r);
    w->ok += r.error.code == WG_ERR_NONE;
    wg_call_result_free(&r);
    w->lat[i] = wg_now_ns() - t0;
  }
  return NULL;
}

/* ---- HTTP ------------------------------------------------------------------------ */

static int connect_local(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* Reads one response (headers + Content-Length body); true if 200. */
static bool read_response(int fd, char *buf, size_t cap) {
  size_t have = 0;
  char *end = NULL;
  while (!end) {
    ssize_t n = read(fd, buf + have, cap - have - 1);
    if (n <= 0) return false;
    have += (size_t)n;
    buf[have] = '\0';
    end = strstr(buf, "\r\n\r\n");
  }
  const char *cl = strcasestr(buf, "Content-Length:");
  size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
  size_t want = (size_t)(end + 4 - buf) + body;
  while (have < want) {
    ssize_t n = read(fd, buf + have, cap - have - 1);
    if (n <= 0) return false;
    have += (size_t)n;
  }
  return strncmp(buf, "HTTP/1.1 200", 12) == 0;
}

static void *http_worker(void *arg) {
  worker *w = arg;
  char req[512], buf[16384];
  const char *body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"Echo\",\"arguments\":{\"bench\":1}}}";
  int n = snprintf(req, sizeof req,
                   "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\n"
                   "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
  int fd = connect_local(w->port);
  for (size_t i = 0; i < w->calls && fd >= 0; i++) {
    uint64_t t0 = wg_now_ns();
    if (write(fd, req, (size_t)n) != n || !read_response(fd, buf, sizeof buf)) {
      close(fd);
      fd = connect_local(w->port); /* the server closed it: reconnect */
      w->lat[i] = wg_now_ns() - t0;
      continue;
    }
    w->ok++;
    w->lat[i] = wg_now_ns() - t0;
  }
  if (fd >= 0) close(fd);
  return NULL;
}

/* ---- stdio ---------------------------------------------------------------------- */

static int run_stdio(const char *wasmgate, const char *ws, int conc, size_t calls) {
  int in[2], out[2];
  if (pipe(in) || pipe(out)) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[1]);
    close(out[0]);
    execl(wasmgate, wasmgate, "--workspace", ws, "serve", "--quiet", "--max-in-flight", "1024",
          (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  FILE *rd = fdopen(out[0], "r");
  const char *init = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}\n";
  char line[16384];
  if (write(in[1], init, strlen(init)) < 0 || !fgets(line, sizeof line, rd)) return 1;
  uint64_t *sent = calloc(calls + 1, sizeof *sent), *lat = calloc(calls, sizeof *lat);
  size_t next = 1, done = 0, ok = 0;
  uint64_t t0 = wg_now_ns();
  while (done < calls) {
    while (next <= calls && next - 1 - done < (size_t)conc) {
      char req[256];
      int n = snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"tools/call\",\"params\":{\"name\":\"Echo\",\"arguments\":{\"bench\":1}}}\n", next);
      sent[next] = wg_now_ns();
      if (write(in[1], req, (size_t)n) != n) return 1;
      next++;
    }
    if (!fgets(line, sizeof line, rd)) return 1;
    size_t id = strtoul(strstr(line, "\"id\":") + 5, NULL, 10);
    if (id == 0 || id > calls) return 1;
    lat[done++] = wg_now_ns() - sent[id];
    ok += strstr(line, "\"isError\":false") != NULL;
  }
  uint64_t wall = wg_now_ns() - t0;
  close(in[1]);
  waitpid(pid, NULL, 0);
  fclose(rd);
  if (ok != calls) fprintf(stderr, "stdio: %zu of %zu calls failed\n", calls - ok, calls);
  report("stdio", conc, calls, lat, wall);
  free(sent);
  free(lat);
  return ok == calls ? 0 : 1;
}

static int run_threads(const char *mode, wg_workspace *ws, int port, int conc, size_t calls) {
  size_t per = calls / (size_t)conc;
  worker *w = calloc((size_t)conc, sizeof *w);
  pthread_t *t = calloc((size_t)conc, sizeof *t);
  uint64_t *lat = calloc(per * (size_t)conc, sizeof *lat);
  uint64_t t0 = wg_now_ns();
  for (int i = 0; i < conc; i++) {
    w[i] = (worker){.ws = ws, .calls = per, .lat = lat + per * (size_t)i, .port = port};
    pthread_create(&t[i], NULL, port ? http_worker : inproc_worker, &w[i]);
  }
  int ok = 0;
  for (int i = 0; i < conc; i++) {
    pthread_join(t[i], NULL);
    ok += w[i].ok;
  }
  uint64_t wall = wg_now_ns() - t0;
  if ((size_t)ok != per * (size_t)conc)
    fprintf(stderr, "%s: %zu of %zu calls failed\n", mode, per * (size_t)conc - (size_t)ok, per * (size_t)conc);
  report(mode, conc, per * (size_t)conc, lat, wall);
  free(w);
  free(t);
  free(lat);
  return (size_t)ok == per * (size_t)conc ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: bench_mcp inproc|stdio|http WORKSPACE CONC CALLS [WASMGATE|PORT]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const char *mode = argv[1], *dir = argv[2];
  int conc = atoi(argv[3]);
  size_t calls = strtoul(argv[4], NULL, 10);
  if (strcmp(mode, "stdio") == 0) return argc > 5 ? run_stdio(argv[5], dir, conc, calls) : 2;
  if (strcmp(mode, "http") == 0) return argc > 5 ? run_threads("http", NULL, atoi(argv[5]), conc, calls) : 2;
  wg_workspace_options wo = {.workspace = dir};
  wg_workspace *ws;
  wg_config_error err;
  if (wg_workspace_open(&wo, &ws, &err) != WG_PLUGIN_SET_OK) {
    fprintf(stderr, "workspace: %s\n", err.message);
    return 1;
  }
  int rc = run_threads("inproc", ws, 0, conc, calls);
  wg_workspace_close(ws);
  return rc;
}
