/* host_https.h: internal pieces of the `yoi:https` host API, shared by the
 * files of src/host/ (prefix `host_`): the lazily loaded client libraries,
 * the resolver, the transfer, the descriptor decoder and the response
 * encoder. Nothing here is public; include/wasmgate/host.h has the API. */
#ifndef WASMGATE_HOST_HTTPS_H
#define WASMGATE_HOST_HTTPS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host_call.h"
#include "wasmgate/host.h"

/* ---- Failures ----------------------------------------------------------- */

/* What went wrong in one request: an https_* code (or cancelled/timeout
 * when the call itself stopped) and a bounded message with no query
 * string and no secret value. */
typedef struct host_fail {
  wg_err code;
  char message[WG_ERROR_MESSAGE_MAX + 1];
} host_fail;

void host_fail_set(host_fail *f, wg_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Waiting under the call's bounds ------------------------------------- */

/* A request's time budget: `deadline_ns` is min(request timeout, the
 * call's deadline) on wg_now_ns()'s clock; `call_deadline_ns` tells the
 * two apart when it passes; `cancel` is the call's flag (may be NULL).
 * Waits are cut into slices of at most HOST_WAIT_SLICE_MS so that a
 * cancellation is seen within that time. */
enum { HOST_WAIT_SLICE_MS = 2 };

typedef struct host_wait {
  uint64_t deadline_ns;
  uint64_t call_deadline_ns;
  atomic_int *cancel;
} host_wait;

/* True (and f set: cancelled, timeout or https_timeout) if the request
 * must stop now. `what` names the step for the https_timeout message. */
bool host_wait_expired(const host_wait *w, const char *what, host_fail *f);
/* Milliseconds to wait next: min(slice, time left), at least 0. */
int host_wait_slice_ms(const host_wait *w);
/* Milliseconds left before the deadline (0 when passed), capped at 1 h. */
long host_wait_left_ms(const host_wait *w);

/* ---- Addresses ----------------------------------------------------------- */

/* A lookup's answers are at most WG_HTTPS_MAX_DNS_ADDRS (limits.h). */

typedef struct host_addr {
  int family; /* AF_INET or AF_INET6 */
  uint8_t bytes[16];
} host_addr;

typedef struct host_addrs {
  host_addr a[WG_HTTPS_MAX_DNS_ADDRS];
  size_t count;
} host_addrs;

/* Appends unless present; false if the set is full. */
bool host_addrs_add(host_addrs *s, int family, const void *bytes);
/* "127.0.0.1" or "::1" (no brackets), NUL-terminated, at most 46 bytes. */
void host_addr_text(const host_addr *a, char out[64]);

/* ---- The client libraries, loaded on first use ----------------------------- */

/* libcurl and c-ares are opened with dlopen the first time a request is
 * made (pthread_once), so a process that makes no request never loads,
 * relocates or initialises them. False (f: unsupported) if either is
 * missing. */
bool host_libs_load(host_fail *f);
/* True once the libraries were loaded by this process (tests and bench). */
bool host_libs_loaded(void);

/* ---- DNS ------------------------------------------------------------------ */

typedef struct host_dns_config {
  const char *const *servers; /* "IP:PORT" / "[IPv6]:PORT"; none = system */
  size_t server_count;
} host_dns_config;

/* Resolves `name` (A and AAAA) under w with c-ares driven from this
 * thread; every distinct answer is stored (*total counts them). On failure
 * f is https_dns_failed (no answer, NXDOMAIN, server failure, more than
 * WG_HTTPS_MAX_DNS_ADDRS answers), or https_timeout/timeout/cancelled. */
bool host_dns_lookup(const char *name, const host_dns_config *cfg,
                     const host_wait *w, host_addrs *out, size_t *total,
                     host_fail *f);

/* ---- One transfer ------------------------------------------------------------ */

/* Judges an address libcurl is about to connect to: true to allow; false
 * with `why` filled ("loopback 127.0.0.0/8") to refuse. */
typedef bool (*host_judge_fn)(void *ctx, int family, const uint8_t *bytes,
                              char *why, size_t why_size);

typedef struct host_header {
  char *name;
  size_t name_len;
  char *value;
  size_t value_len;
} host_header;

/* Raw body bytes read: the limit (limits.h) plus slack, so that a secret
 * (4 KiB at most; its base64 under 5.5 KiB) straddling the cut is still
 * whole when the body is redacted, before it is cut to the limit. */
enum { HOST_BODY_READ = WG_HTTPS_MAX_RESPONSE_BODY + 8192 };

typedef struct host_transfer_req {
  const char *method;   /* GET POST PUT PATCH DELETE */
  const char *url;      /* the policy's rebuilt URL */
  const char *safe_url; /* for messages */
  const char *host;     /* canonical host, IPv6 without brackets */
  uint16_t port;
  const host_addrs *pin; /* pinned with CURLOPT_RESOLVE; NULL/empty for an IP literal */
  const host_header *headers; /* sent as given (guest + injected) */
  size_t header_count;
  const char *body;     /* NULL: no body */
  size_t body_len;
  const char *ca_file;  /* extra CA bundle, or NULL */
  host_judge_fn judge;  /* connect-time address check (required) */
  void *judge_ctx;
  host_wait wait;
} host_transfer_req;

typedef struct host_transfer_resp {
  long status;
  host_header headers[WG_HTTPS_MAX_RAW_HEADERS]; /* the final response's, in order */
  size_t header_count;
  char *body;           /* malloc'd, at most HOST_BODY_READ bytes */
  size_t body_len;
  bool truncated;       /* more than HOST_BODY_READ bytes came */
  uint64_t bytes;       /* body bytes received (at most HOST_BODY_READ + 1) */
  char connected_ip[64]; /* the address libcurl used ("" if none) */
  size_t sockets_opened; /* by the open-socket callback */
  size_t sockets_refused;
  char refusal[160];     /* the first connect-time refusal */
  host_fail fail;        /* code WG_ERR_NONE on success */
} host_transfer_resp;

/* Runs one request on libcurl's multi interface with a fresh easy handle.
 * Returns true with a response, or false with resp->fail. Always free resp
 * with host_transfer_resp_free. */
bool host_transfer(const host_transfer_req *req, host_transfer_resp *resp);
void host_transfer_resp_free(host_transfer_resp *resp);

/* The connect-time check as libcurl's open-socket callback sees it (the
 * callback itself is internal to https_client.c): judges addr and opens
 * the socket, or records the refusal in resp. Exposed for tests. */
int host_open_socket_checked(const host_transfer_req *req,
                             host_transfer_resp *resp, int family,
                             int socktype, int protocol,
                             const void *sockaddr, size_t addrlen);

/* ---- The request descriptor (what the guest passes to request) ----------- */

/* The decoded descriptor: strings point into `doc` (decoded JSON, may hold
 * NUL: use the lengths). Headers are in `headers[0..header_count)`, an
 * array sized by the JSON (itself bounded by the 48 KiB descriptor). */
typedef struct host_desc {
  wg_json_doc *doc;
  const char *method;
  size_t method_len;
  const char *url;
  size_t url_len;
  wg_pol_header *headers;
  size_t header_count;
  const char *body; /* NULL when absent or null */
  size_t body_len;
} host_desc;

/* Decodes text[0..len) strictly: at most WG_HOST_MAX_HTTPS_REQUEST bytes,
 * a JSON object with `method` and `url` strings, optional `headers` (an
 * array of {"name": string, "value": string}) and `body` (string or null),
 * nothing else. On failure f says why with the https_* code of the field
 * (method_denied, url_rejected, header_rejected, body_too_large for the
 * size; url_rejected for a descriptor that is not such an object). Free
 * with host_desc_free either way. */
bool host_desc_decode(const char *text, size_t len, host_desc *out, host_fail *f);
void host_desc_free(host_desc *d);

/* ---- The response JSON (what response_read copies) ---------------------- */

/* Appends {"status","headers","body","truncated"} in yoi's order: at most
 * 16 headers (sensitive ones dropped, values that are not visible ASCII
 * skipped, each value redacted and cut to 1 KiB plus "..."), the body
 * redacted, decoded as lossy UTF-8 and cut to 64 KiB on a character
 * boundary (truncated set when anything was cut). False on OOM. */
bool host_response_encode(const host_transfer_resp *r, const wg_pol_secrets *secrets,
                          wg_buf *out);

/* ---- Secrets (https_secrets.c) -------------------------------------------- */

typedef struct host_secret_bad {
  const char *name; /* the [secrets] name (config-owned) */
  char why[96];     /* never the value */
} host_secret_bad;

typedef struct host_secrets {
  wg_pol_secrets *set; /* the usable values (redaction and substitution) */
  host_secret_bad bad[WG_POL_SECRETS_MAX];
  size_t bad_count;
} host_secrets;

/* Reads the secrets the plugin's https grants name. Unusable ones are
 * listed in `bad`, not failures; false only on out of memory. */
bool host_secrets_load(const wg_https_ctx *ctx, host_secrets *out, host_fail *f);
/* Why secret `name` is unusable, or NULL if it is usable (or unknown). */
const char *host_secret_problem(const host_secrets *s, const char *name, size_t len);
void host_secrets_free(host_secrets *s);

/* ---- One guest request (https_request.c) ----------------------------------- */

typedef struct host_https_state {
  uint32_t requests;      /* `request` calls so far (the limit counts them) */
  bool failed;            /* a request failed: later ones are refused */
  char *response;         /* the last response JSON (malloc'd) */
  size_t response_len;
  wg_https_record *records;
  size_t record_count, record_cap;
  bool secrets_loaded;
  host_secrets secrets;
} host_https_state;

/* Runs the request described by desc[0..len) for the call hc: on success
 * the response JSON is appended to json; else f says why (an https_* code,
 * or cancelled / timeout when the call itself stopped). Records every
 * request (and redirect hop) in st. */
bool host_https_run(const host_call *hc, host_https_state *st, const char *desc,
                    size_t len, wg_buf *json, host_fail *f);

/* ---- The imports (https_abi.c) and the sticky error (abi.c) --------------- */

/* Records the call's first output error (later ones are dropped). */
void host_sticky(host_call *hc, wg_err code, const char *msg);

wg_trap host_h_https_request(wg_caller *c, void *user, const wg_val *args, wg_val *results);
wg_trap host_h_https_response_len(wg_caller *c, void *user, const wg_val *args,
                                  wg_val *results);
wg_trap host_h_https_response_read(wg_caller *c, void *user, const wg_val *args,
                                   wg_val *results);
void host_https_state_free(host_call *hc);

#endif
