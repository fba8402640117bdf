/* host.h: the host side of the `yoi-plugin-wasm-1` ABI and the error model
 * every tool call reports in.
 *
 * Errors (docs/design.md#error-model): one enum of stable codes with
 * snake_case names, and one bounded, sanitized error object. A message is at
 * most 512 bytes, cut on a UTF-8 boundary, with control characters replaced;
 * it is built only from fixed text plus short, sanitized names (tool names,
 * import names, output keys), never from paths, environment values, guest
 * memory dumps or raw input.
 *
 * ABI (docs/design.md#the-abi): host_bind checks every import of a module
 * against the `yoi:tool` table (and `yoi:https` when granted) before
 * anything is instantiated, and creates one host function per import in the
 * call's store, bound to that call's host_call state.
 *
 * HTTPS (docs/https.md): `yoi:https.request` runs the whole
 * request on the calling thread under the call's deadline and cancellation
 * flag: authorization again, the descriptor, the policy (policy.h), DNS,
 * the transfer (libcurl, loaded on first use), redirects, the response
 * JSON, and one wg_https_record per request for the history. */
#ifndef WASMGATE_HOST_H
#define WASMGATE_HOST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/config.h"
#include "wasmgate/plugins.h"
#include "wasmgate/policy.h"
#include "wasmgate/util.h"
#include "wasmgate/wasm.h"
#include "wasmgate/limits.h"

/* ---- Error model --------------------------------------------------------- */

typedef enum wg_err {
  WG_ERR_NONE = 0,
  WG_ERR_INVALID_INPUT,
  WG_ERR_SCHEMA_MISMATCH,
  WG_ERR_UNKNOWN_TOOL,
  WG_ERR_PERMISSION_DENIED,
  WG_ERR_PACKAGE_INVALID,
  WG_ERR_PACKAGE_CHANGED,
  WG_ERR_MODULE_INVALID,
  WG_ERR_LINK_ERROR,
  WG_ERR_TRAP,
  WG_ERR_FUEL_EXHAUSTED,
  WG_ERR_TIMEOUT,
  WG_ERR_CANCELLED,
  WG_ERR_MEMORY_LIMIT,
  WG_ERR_OUTPUT_INVALID,
  WG_ERR_OUTPUT_TOO_LARGE,
  WG_ERR_HTTPS_GRANT_DENIED,
  WG_ERR_HTTPS_URL_REJECTED,
  WG_ERR_HTTPS_PRIVATE_ADDRESS,
  WG_ERR_HTTPS_METHOD_DENIED,
  WG_ERR_HTTPS_HEADER_REJECTED,
  WG_ERR_HTTPS_BODY_TOO_LARGE,
  WG_ERR_HTTPS_DNS_FAILED,
  WG_ERR_HTTPS_TLS_FAILED,
  WG_ERR_HTTPS_TIMEOUT,
  WG_ERR_HTTPS_NETWORK,
  WG_ERR_HTTPS_TOO_MANY_REQUESTS,
  WG_ERR_UNSUPPORTED,
  WG_ERR_INTERNAL,
  WG_ERR_COUNT_
} wg_err;

/* "invalid_input", ...; "none" for WG_ERR_NONE, "internal" if out of range. */
const char *wg_err_name(wg_err code);
/* Parses a name back; false if unknown. */
bool wg_err_from_name(const char *name, wg_err *out);

/* Why these numbers: 512 is the message bound of the error model; a tool
 * name is at most 128 bytes (yoi's validate_tool_name); a plugin ref is
 * "source:id" with an id of at most 128 bytes; a digest is "sha256:" + 64
 * hex. */
enum {
  WG_ERROR_MESSAGE_MAX = 512,
  WG_ERROR_TOOL_MAX = 128,
  WG_ERROR_PLUGIN_MAX = 160,
  WG_ERROR_DIGEST_MAX = 71,
};

typedef struct wg_error {
  wg_err code;
  wg_trap trap; /* the engine's trap kind when code == WG_ERR_TRAP */
  char message[WG_ERROR_MESSAGE_MAX + 1];
  char tool[WG_ERROR_TOOL_MAX + 1];
  char plugin[WG_ERROR_PLUGIN_MAX + 1];
  char digest[WG_ERROR_DIGEST_MAX + 1];
} wg_error;

/* Sets code and a printf-formatted message, sanitized and bounded. Keeps
 * tool/plugin/digest. */
void wg_error_set(wg_error *e, wg_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fills tool/plugin/digest (each sanitized and cut to its bound). */
void wg_error_set_origin(wg_error *e, const char *tool, const char *plugin,
                         const char *digest);
/* Copies src[0..len) into dst (size dst_size, NUL-terminated): invalid UTF-8
 * becomes '?', control characters (C0, DEL, C1) become ' ', and the text is
 * cut on a code-point boundary; a cut text ends in "..." (U+2026) inside the
 * bound. Returns the length written. */
size_t wg_error_sanitize(char *dst, size_t dst_size, const char *src,
                         size_t len);
/* vsnprintf, then wg_error_sanitize into dst: how a formatted message
 * reaches an error or a diagnostic (the text is first cut at 1 KiB, more
 * than any message field holds). */
size_t wg_error_vformat(char *dst, size_t dst_size, const char *fmt, va_list ap);
/* {"code","message","tool","plugin","digest"[,"trap"]} as a JSON object. */
bool wg_error_write_json(const wg_error *e, wg_buf *out);
/* yoi's human text, e.g. "Execution failed: plugin WASM
 * tool `T` from `ref` (digest d) failed closed: WASM output error: ...".
 * wall_clock_ns is the call's limit, named in the timeout text. */
bool wg_error_write_text(const wg_error *e, uint64_t wall_clock_ns,
                         wg_buf *out);

/* ---- The yoi:tool ABI ------------------------------------------------------ */

/* The ABI's own bounds (WG_HOST_MAX_*) are in wasmgate/limits.h. */

/* ---- The yoi:https API ----------------------------------------------------- */

/* WG_HTTPS_DEFAULT_TIMEOUT_MS and WG_HTTPS_RECORD_URL_MAX: limits.h. */
/* What the host needs to run one plugin's requests: read-only, shared by
 * every call of that plugin's tools (any thread), owned by the caller (the
 * runtime's registry builds one per plugin). */
typedef struct wg_https_ctx {
  const wg_config *cfg;        /* [https] ca_file, dns_servers, timeout_ms,
                                  max_requests_per_call; [secrets] */
  const wg_policy *policy;     /* allow_networks and resolve (from cfg) */
  const wg_resolved *plugin;   /* host_api.https is re-authorized on every
                                  request; its grants are the allowlist */
  const wg_pol_grants *grants; /* plugin->entry->grants.https, normalised */
  const char *base_dir;        /* relative ca_file / secret file paths are
                                  relative to it; NULL = current directory */
} wg_https_ctx;

/* One request as the history records it (docs/https.md#history): never a
 * header, a body or a query string. A redirect hop is a record of its own. */
typedef struct wg_https_record {
  char method[8];      /* "" if the descriptor named no valid method */
  char url[WG_HTTPS_RECORD_URL_MAX + 1]; /* safe URL; "" if none parsed */
  uint16_t status;     /* 0 when no response came back */
  wg_err error;        /* WG_ERR_NONE when a response came back */
  uint64_t bytes;      /* response body bytes received */
  uint64_t ms;         /* from the request's start to its end */
  uint32_t hop;        /* 0: the guest's request; k: its k-th redirect */
} wg_https_record;

/* The per-call state the host functions work on, and binding a module's
 * imports to it, are the runtime's business: src/include/host_call.h. */

/* True once this process has loaded the https client libraries (libcurl
 * and c-ares are opened on the first request only). */
bool wg_https_client_loaded(void);

#endif
