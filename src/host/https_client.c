/* https_client.c: one https request on libcurl's multi interface.
 *
 * Every request gets a fresh multi and easy handle: no connection, DNS
 * cache, cookie, TLS session or CA store survives it. The options pin the
 * client down: https only (also for redirects, which are never followed
 * here), no proxy whatever the environment says, no .netrc, no cookies,
 * TLS verification always on (an operator CA bundle is added next to the
 * system store: CAINFO + CAPATH, both loaded by OpenSSL libcurl), HTTP/1.1
 * (no connection is reused, so HTTP/2 would gain nothing), the path sent
 * exactly as the policy rebuilt it, no automatic decompression, no
 * signals. Names are pinned with CURLOPT_RESOLVE to the addresses already
 * judged, and every socket libcurl opens goes through the open-socket
 * callback, which judges the address again: the address checked is the
 * address used.
 *
 * The loop waits in slices of HOST_WAIT_SLICE_MS, checking the call's
 * cancellation flag and the deadline between slices; stopping removes the
 * easy handle, which closes its socket at once. */
#include "host_lib.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct xfer {
  const host_transfer_req *req;
  host_transfer_resp *resp;
  size_t header_bytes;
  bool header_overflow;
  bool body_cut; /* the write callback stopped the transfer at the bound */
} xfer;

/* ---- the connect-time check ---------------------------------------------- */

int host_open_socket_checked(const host_transfer_req *req,
                             host_transfer_resp *resp, int family,
                             int socktype, int protocol,
                             const void *sockaddr, size_t addrlen) {
  const uint8_t *bytes = NULL;
  if (family == AF_INET && addrlen >= sizeof(struct sockaddr_in))
    bytes = (const uint8_t *)&((const struct sockaddr_in *)sockaddr)->sin_addr;
  else if (family == AF_INET6 && addrlen >= sizeof(struct sockaddr_in6))
    bytes = (const uint8_t *)&((const struct sockaddr_in6 *)sockaddr)->sin6_addr;
  char why[160] = "not an IP address";
  /* Once one address was refused, every later one is too: a request with
   * a blocked address fails whole, it never falls back to another. */
  if (!bytes || resp->sockets_refused ||
      !req->judge(req->judge_ctx, family, bytes, why, sizeof why)) {
    if (!resp->sockets_refused) {
      host_addr a = {.family = family};
      if (bytes) memcpy(a.bytes, bytes, family == AF_INET ? 4 : 16);
      char ip[64] = "?";
      if (bytes) host_addr_text(&a, ip);
      snprintf(resp->refusal, sizeof resp->refusal, "%s (%s)", ip, why);
    }
    resp->sockets_refused++;
    return -1;
  }
  int fd = socket(family, socktype | SOCK_CLOEXEC, protocol);
  if (fd >= 0) resp->sockets_opened++;
  return fd;
}

static curl_socket_t open_socket(void *p, curlsocktype purpose, struct curl_sockaddr *a) {
  xfer *x = p;
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  int fd = host_open_socket_checked(x->req, x->resp, a->family, a->socktype, a->protocol,
                                    &a->addr, a->addrlen);
  return fd < 0 ? CURL_SOCKET_BAD : fd;
}

/* ---- the response ------------------------------------------------------------ */

static size_t on_body(char *data, size_t size, size_t n, void *p) {
  xfer *x = p;
  host_transfer_resp *r = x->resp;
  size_t len = size * n;
  size_t room = HOST_BODY_READ - r->body_len;
  size_t keep = len < room ? len : room;
  if (keep) {
    memcpy(r->body + r->body_len, data, keep);
    r->body_len += keep;
  }
  r->bytes += len < room + 1 ? len : room + 1;
  if (len > room) {
    /* One byte past the bound is enough to know: stop reading. */
    r->truncated = true;
    x->body_cut = true;
    return 0;
  }
  return len;
}

static void free_headers(host_transfer_resp *r) {
  for (size_t i = 0; i < r->header_count; i++) {
    free(r->headers[i].name);
    free(r->headers[i].value);
  }
  r->header_count = 0;
}

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

/* Keeps the header lines of the last response (a 1xx or a status line
 * starts a new set), trimmed, with lowercase names. */
static size_t on_header(char *data, size_t size, size_t n, void *p) {
  xfer *x = p;
  host_transfer_resp *r = x->resp;
  size_t len = size * n;
  x->header_bytes += len;
  if (x->header_bytes > WG_HTTPS_MAX_HEADER_BYTES) {
    x->header_overflow = true;
    return 0;
  }
  if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
    free_headers(r);
    return len;
  }
  while (len && (data[len - 1] == '\n' || data[len - 1] == '\r')) len--;
  const char *colon = memchr(data, ':', len);
  if (!colon || colon == data || r->header_count == WG_HTTPS_MAX_RAW_HEADERS) return size * n;
  size_t nl = (size_t)(colon - data);
  const char *v = colon + 1, *end = data + len;
  while (v < end && is_ows(*v)) v++;
  while (end > v && is_ows(end[-1])) end--;
  host_header *h = &r->headers[r->header_count];
  h->name = malloc(nl + 1);
  h->value = malloc((size_t)(end - v) + 1);
  if (!h->name || !h->value) {
    free(h->name);
    free(h->value);
    h->name = h->value = NULL;
    return 0;
  }
  for (size_t i = 0; i < nl; i++) {
    char c = data[i];
    h->name[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  h->name[nl] = '\0';
  h->name_len = nl;
  memcpy(h->value, v, (size_t)(end - v));
  h->value_len = (size_t)(end - v);
  h->value[h->value_len] = '\0';
  r->header_count++;
  return size * n;
}

/* ---- the request -------------------------------------------------------------- */

static bool has_header(const host_transfer_req *req, const char *name) {
  for (size_t i = 0; i < req->header_count; i++)
    if (strcasecmp(req->headers[i].name, name) == 0) return true;
  return false;
}

/* "Name: value" lines; an empty value is written "Name;" (libcurl's way of
 * sending an empty header: "Name:" would remove it). */
static struct curl_slist *header_list(const host_transfer_req *req, bool *ok) {
  const host_lib_table *L = host_lib();
  struct curl_slist *list = NULL, *t;
  *ok = false;
  for (size_t i = 0; i < req->header_count; i++) {
    const host_header *h = &req->headers[i];
    size_t n = h->name_len + h->value_len + 3;
    char *line = malloc(n);
    if (!line) goto fail;
    if (h->value_len) snprintf(line, n, "%.*s: %.*s", (int)h->name_len, h->name, (int)h->value_len, h->value);
    else snprintf(line, n, "%.*s;", (int)h->name_len, h->name);
    t = L->slist_append(list, line);
    free(line);
    if (!t) goto fail;
    list = t;
  }
  /* The host adds no content type (yoi): remove libcurl's form default. */
  if (req->body && !has_header(req, "content-type")) {
    if (!(t = L->slist_append(list, "Content-Type:"))) goto fail;
    list = t;
  }
  if (!(t = L->slist_append(list, "Expect:"))) goto fail;
  list = t;
  *ok = true;
  return list;
fail:
  L->slist_free_all(list);
  return NULL;
}

/* "host:port:addr,addr" (IPv6 in brackets) for CURLOPT_RESOLVE. */
static bool resolve_line(const host_transfer_req *req, char *out, size_t size) {
  int n = snprintf(out, size, "%s:%u:", req->host, req->port);
  if (n < 0 || (size_t)n >= size) return false;
  size_t used = (size_t)n;
  for (size_t i = 0; i < req->pin->count; i++) {
    char ip[64];
    host_addr_text(&req->pin->a[i], ip);
    bool v6 = req->pin->a[i].family == AF_INET6;
    n = snprintf(out + used, size - used, "%s%s%s%s", i ? "," : "", v6 ? "[" : "", ip, v6 ? "]" : "");
    if (n < 0 || (size_t)n >= size - used) return false;
    used += (size_t)n;
  }
  return true;
}

#define SET(opt, val)                                                  \
  do {                                                                 \
    if (L->easy_setopt(e, opt, val) != CURLE_OK) return false;         \
  } while (0)

static bool configure(CURL *e, xfer *x, struct curl_slist *headers,
                      struct curl_slist *resolve, char *errbuf) {
  const host_lib_table *L = host_lib();
  const host_transfer_req *req = x->req;
  SET(CURLOPT_URL, req->url);
  SET(CURLOPT_PROTOCOLS_STR, "https");
  SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
  SET(CURLOPT_FOLLOWLOCATION, 0L);
  SET(CURLOPT_MAXREDIRS, 0L);
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_FORBID_REUSE, 1L);
  SET(CURLOPT_FRESH_CONNECT, 1L);
  SET(CURLOPT_PROXY, "");
  SET(CURLOPT_NOPROXY, "*");
  SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
  SET(CURLOPT_SSL_VERIFYPEER, 1L);
  SET(CURLOPT_SSL_VERIFYHOST, 2L);
  SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  if (req->ca_file) {
    SET(CURLOPT_CAINFO, req->ca_file);
    if (L->system_capath) SET(CURLOPT_CAPATH, L->system_capath);
  }
  SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  SET(CURLOPT_PATH_AS_IS, 1L);
  SET(CURLOPT_USERAGENT, "wasmgate/" WG_VERSION);
  SET(CURLOPT_ERRORBUFFER, errbuf);
  long ms = host_wait_left_ms(&req->wait);
  if (ms < 1) ms = 1;
  SET(CURLOPT_TIMEOUT_MS, ms);
  SET(CURLOPT_CONNECTTIMEOUT_MS, ms);
  SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
  SET(CURLOPT_OPENSOCKETDATA, x);
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_WRITEDATA, x);
  SET(CURLOPT_HEADERFUNCTION, on_header);
  SET(CURLOPT_HEADERDATA, x);
  SET(CURLOPT_HTTPHEADER, headers);
  if (resolve) SET(CURLOPT_RESOLVE, resolve);
  if (strcmp(req->method, "GET") != 0) SET(CURLOPT_CUSTOMREQUEST, req->method);
  if (req->body) {
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    SET(CURLOPT_POSTFIELDS, req->body);
    if (strcmp(req->method, "POST") != 0) SET(CURLOPT_CUSTOMREQUEST, req->method);
  }
  return true;
}

static bool is_tls_error(CURLcode c) {
  switch (c) {
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_USE_SSL_FAILED:
    return true;
  default:
    return false;
  }
}

/* Maps libcurl's result to a failure. The messages are fixed text plus
 * the safe URL; only TLS failures carry libcurl's detail (the certificate
 * problem), which names no URL. */
static void map_result(const host_transfer_req *req, xfer *x, CURLcode c,
                       const char *errbuf, host_transfer_resp *r) {
  const host_lib_table *L = host_lib();
  if (r->sockets_refused) {
    host_fail_set(&r->fail, WG_ERR_HTTPS_PRIVATE_ADDRESS,
                  "HTTPS blocked local/private address %s for %s at connect time", r->refusal,
                  req->safe_url);
    return;
  }
  if (x->header_overflow) {
    host_fail_set(&r->fail, WG_ERR_HTTPS_NETWORK,
                  "HTTPS request to %s failed: response headers exceed %d bytes", req->safe_url,
                  WG_HTTPS_MAX_HEADER_BYTES);
    return;
  }
  if (c == CURLE_OPERATION_TIMEDOUT) {
    if (host_wait_expired(&req->wait, "request", &r->fail) && r->fail.code != WG_ERR_HTTPS_TIMEOUT)
      return; /* the call's own deadline or cancellation */
    /* libcurl's timer may fire a hair before our clock says the deadline
     * passed: when the call's deadline was the binding bound, it is the
     * call that timed out. */
    if (req->wait.call_deadline_ns && req->wait.call_deadline_ns <= req->wait.deadline_ns) {
      host_fail_set(&r->fail, WG_ERR_TIMEOUT, "wall-clock deadline reached");
      return;
    }
    host_fail_set(&r->fail, WG_ERR_HTTPS_TIMEOUT, "HTTPS request to %s timed out", req->safe_url);
    return;
  }
  if (is_tls_error(c)) {
    host_fail_set(&r->fail, WG_ERR_HTTPS_TLS_FAILED, "HTTPS request to %s failed: TLS: %s",
                  req->safe_url, errbuf[0] ? errbuf : L->easy_strerror(c));
    return;
  }
  if (c == CURLE_COULDNT_RESOLVE_HOST) {
    host_fail_set(&r->fail, WG_ERR_HTTPS_DNS_FAILED, "HTTPS request to %s failed: name not resolved",
                  req->safe_url);
    return;
  }
  host_fail_set(&r->fail, WG_ERR_HTTPS_NETWORK, "HTTPS request to %s failed: %s", req->safe_url,
                L->easy_strerror(c));
}

/* Drives the transfer to its end, or stops it on cancel or deadline. */
static bool drive(CURLM *m, const host_transfer_req *req, host_transfer_resp *r,
                  CURLcode *result) {
  const host_lib_table *L = host_lib();
  for (;;) {
    int running = 0;
    if (L->multi_perform(m, &running) != CURLM_OK) {
      host_fail_set(&r->fail, WG_ERR_HTTPS_NETWORK, "HTTPS request to %s failed: client error",
                    req->safe_url);
      return false;
    }
    int left;
    CURLMsg *msg;
    while ((msg = L->multi_info_read(m, &left)))
      if (msg->msg == CURLMSG_DONE) {
        *result = msg->data.result;
        return true;
      }
    if (!running) {
      *result = CURLE_RECV_ERROR;
      return true;
    }
    if (host_wait_expired(&req->wait, "request", &r->fail)) {
      if (r->fail.code == WG_ERR_HTTPS_TIMEOUT)
        host_fail_set(&r->fail, WG_ERR_HTTPS_TIMEOUT, "HTTPS request to %s timed out", req->safe_url);
      return false;
    }
    int ready;
    L->multi_poll(m, NULL, 0, host_wait_slice_ms(&req->wait), &ready);
  }
}

/* A peer that closes while the request is being written must not kill the
 * process with SIGPIPE (whatever libcurl and OpenSSL use to write): the
 * signal is blocked in this thread for the transfer, and one raised by it
 * is consumed before the old mask comes back. */
static void sigpipe_block(sigset_t *old) {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, old);
}

static void sigpipe_restore(const sigset_t *old) {
  sigset_t pipe, pending;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) && !sigismember(old, SIGPIPE)) {
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe, NULL, &zero) < 0 && errno == EINTR) {}
  }
  pthread_sigmask(SIG_SETMASK, old, NULL);
}

static bool transfer(const host_transfer_req *req, host_transfer_resp *r);

bool host_transfer(const host_transfer_req *req, host_transfer_resp *r) {
  sigset_t old;
  sigpipe_block(&old);
  bool ok = transfer(req, r);
  sigpipe_restore(&old);
  return ok;
}

static bool transfer(const host_transfer_req *req, host_transfer_resp *r) {
  memset(r, 0, sizeof *r);
  if (!host_libs_load(&r->fail)) return false;
  if (host_wait_expired(&req->wait, "request", &r->fail)) return false;
  const host_lib_table *L = host_lib();
  xfer x = {.req = req, .resp = r};
  char errbuf[CURL_ERROR_SIZE] = "";
  char pin[WG_HTTPS_MAX_DNS_ADDRS * 48 + 320];
  bool headers_ok = false;
  struct curl_slist *headers = header_list(req, &headers_ok), *resolve = NULL;
  CURLM *m = L->multi_init();
  CURL *e = L->easy_init();
  r->body = malloc(HOST_BODY_READ);
  bool ok = false, added = false;
  if (!headers_ok || !m || !e || !r->body) {
    host_fail_set(&r->fail, WG_ERR_INTERNAL, "out of memory for the request");
    goto out;
  }
  if (req->pin && req->pin->count) {
    if (!resolve_line(req, pin, sizeof pin) || !(resolve = L->slist_append(NULL, pin))) {
      host_fail_set(&r->fail, WG_ERR_INTERNAL, "cannot pin the resolved addresses");
      goto out;
    }
  }
  if (!configure(e, &x, headers, resolve, errbuf)) {
    host_fail_set(&r->fail, WG_ERR_INTERNAL, "the https client refused an option");
    goto out;
  }
  if (L->multi_add_handle(m, e) != CURLM_OK) {
    host_fail_set(&r->fail, WG_ERR_INTERNAL, "the https client cannot start");
    goto out;
  }
  added = true;
  CURLcode c = CURLE_OK;
  if (!drive(m, req, r, &c)) goto out;
  char *ip = NULL;
  if (L->easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip)
    snprintf(r->connected_ip, sizeof r->connected_ip, "%s", ip);
  if (c == CURLE_WRITE_ERROR && x.body_cut) c = CURLE_OK; /* truncated at the bound */
  if (c != CURLE_OK) {
    map_result(req, &x, c, errbuf, r);
    goto out;
  }
  L->easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
  ok = true;
out:
  if (added) L->multi_remove_handle(m, e); /* closes the connection now */
  if (e) L->easy_cleanup(e);
  if (m) L->multi_cleanup(m);
  L->slist_free_all(headers);
  L->slist_free_all(resolve);
  if (!ok) {
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
    free_headers(r);
  }
  return ok;
}

void host_transfer_resp_free(host_transfer_resp *r) {
  free(r->body);
  r->body = NULL;
  free_headers(r);
}
