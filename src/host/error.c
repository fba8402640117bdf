/* error.c: the tool-call error model: stable code names, bounded sanitized
 * messages, the JSON object and yoi's human text form
 * (docs/design.md#error-model).
 *
 * Invariant: every string field of a wg_error is valid UTF-8 without control
 * characters and within its bound, whatever bytes it was built from. */
#include "wasmgate/host.h"
#include "wasmgate/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const err_names[] = {
  [WG_ERR_NONE] = "none",
  [WG_ERR_INVALID_INPUT] = "invalid_input",
  [WG_ERR_SCHEMA_MISMATCH] = "schema_mismatch",
  [WG_ERR_UNKNOWN_TOOL] = "unknown_tool",
  [WG_ERR_PERMISSION_DENIED] = "permission_denied",
  [WG_ERR_PACKAGE_INVALID] = "package_invalid",
  [WG_ERR_PACKAGE_CHANGED] = "package_changed",
  [WG_ERR_MODULE_INVALID] = "module_invalid",
  [WG_ERR_LINK_ERROR] = "link_error",
  [WG_ERR_TRAP] = "trap",
  [WG_ERR_FUEL_EXHAUSTED] = "fuel_exhausted",
  [WG_ERR_TIMEOUT] = "timeout",
  [WG_ERR_CANCELLED] = "cancelled",
  [WG_ERR_MEMORY_LIMIT] = "memory_limit",
  [WG_ERR_OUTPUT_INVALID] = "output_invalid",
  [WG_ERR_OUTPUT_TOO_LARGE] = "output_too_large",
  [WG_ERR_HTTPS_GRANT_DENIED] = "https_grant_denied",
  [WG_ERR_HTTPS_URL_REJECTED] = "https_url_rejected",
  [WG_ERR_HTTPS_PRIVATE_ADDRESS] = "https_private_address",
  [WG_ERR_HTTPS_METHOD_DENIED] = "https_method_denied",
  [WG_ERR_HTTPS_HEADER_REJECTED] = "https_header_rejected",
  [WG_ERR_HTTPS_BODY_TOO_LARGE] = "https_body_too_large",
  [WG_ERR_HTTPS_DNS_FAILED] = "https_dns_failed",
  [WG_ERR_HTTPS_TLS_FAILED] = "https_tls_failed",
  [WG_ERR_HTTPS_TIMEOUT] = "https_timeout",
  [WG_ERR_HTTPS_NETWORK] = "https_network",
  [WG_ERR_HTTPS_TOO_MANY_REQUESTS] = "https_too_many_requests",
  [WG_ERR_UNSUPPORTED] = "unsupported",
  [WG_ERR_INTERNAL] = "internal",
};
WG_NAMES_COVER(err_names, WG_ERR_COUNT_ - 1);

const char *wg_err_name(wg_err code) {
  return WG_NAME_IN(err_names, code);
}

bool wg_err_from_name(const char *name, wg_err *out) {
  for (int i = 0; i < WG_ERR_COUNT_; i++) {
    if (strcmp(err_names[i], name) == 0) {
      *out = (wg_err)i;
      return true;
    }
  }
  return false;
}

static bool is_control(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* One sanitized code point of s[i..n): its bytes in tmp, returns the
 * input bytes consumed. */
static size_t clean_cp(const uint8_t *s, size_t n, size_t i, char tmp[4],
                       size_t *tn) {
  uint32_t cp = 0;
  size_t k = wg_utf8_decode(s + i, n - i, &cp);
  if (k == 0) {
    tmp[0] = '?', *tn = 1;
    return 1;
  }
  if (is_control(cp)) {
    tmp[0] = ' ', *tn = 1;
    return k;
  }
  memcpy(tmp, s + i, k), *tn = k;
  return k;
}

/* Two passes: the first measures the sanitized text; only if it does not
 * fit is room kept for the cut marker, so a cut text always ends in it. */
size_t wg_error_sanitize(char *dst, size_t dst_size, const char *src,
                         size_t len) {
  static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026 */
  if (dst_size == 0) return 0;
  const uint8_t *s = (const uint8_t *)src;
  size_t cap = dst_size - 1, total = 0, n = 0, tn;
  char tmp[4];
  for (size_t i = 0; i < len;) i += clean_cp(s, len, i, tmp, &tn), total += tn;
  size_t limit = total <= cap ? cap : (cap >= 3 ? cap - 3 : 0);
  for (size_t i = 0; i < len;) {
    size_t k = clean_cp(s, len, i, tmp, &tn);
    if (n + tn > limit) break;
    memcpy(dst + n, tmp, tn);
    n += tn;
    i += k;
  }
  if (total > cap && cap >= 3) memcpy(dst + n, ellipsis, 3), n += 3;
  dst[n] = '\0';
  return n;
}

size_t wg_error_vformat(char *dst, size_t dst_size, const char *fmt, va_list ap) {
  char raw[1024];
  int r = vsnprintf(raw, sizeof raw, fmt, ap);
  size_t len = r < 0 ? 0 : (size_t)r >= sizeof raw ? sizeof raw - 1 : (size_t)r;
  return wg_error_sanitize(dst, dst_size, raw, len);
}

void wg_error_set(wg_error *e, wg_err code, const char *fmt, ...) {
  e->code = code;
  if (code != WG_ERR_TRAP) e->trap = WG_TRAP_NONE;
  va_list ap;
  va_start(ap, fmt);
  wg_error_vformat(e->message, sizeof e->message, fmt, ap);
  va_end(ap);
}

static void set_field(char *dst, size_t size, const char *s) {
  wg_error_sanitize(dst, size, s ? s : "", s ? strlen(s) : 0);
}

void wg_error_set_origin(wg_error *e, const char *tool, const char *plugin,
                         const char *digest) {
  set_field(e->tool, sizeof e->tool, tool);
  set_field(e->plugin, sizeof e->plugin, plugin);
  set_field(e->digest, sizeof e->digest, digest);
}

bool wg_error_write_json(const wg_error *e, wg_buf *out) {
  wg_json_writer w;
  wg_json_writer_init(&w, out);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "code", 4);
  wg_json_writer_cstr(&w, wg_err_name(e->code));
  wg_json_writer_key(&w, "message", 7);
  wg_json_writer_cstr(&w, e->message);
  wg_json_writer_key(&w, "tool", 4);
  wg_json_writer_cstr(&w, e->tool);
  wg_json_writer_key(&w, "plugin", 6);
  wg_json_writer_cstr(&w, e->plugin);
  wg_json_writer_key(&w, "digest", 6);
  wg_json_writer_cstr(&w, e->digest);
  if (e->code == WG_ERR_TRAP) {
    wg_json_writer_key(&w, "trap", 4);
    wg_json_writer_cstr(&w, wg_trap_name(e->trap));
  }
  wg_json_writer_end_object(&w);
  return wg_json_writer_finish(&w);
}

/* The category yoi puts before a runtime failure's message. */
static const char *category(wg_err code) {
  switch (code) {
  case WG_ERR_PACKAGE_INVALID:
  case WG_ERR_PACKAGE_CHANGED:
    return "package/module load error";
  case WG_ERR_UNKNOWN_TOOL:
  case WG_ERR_PERMISSION_DENIED:
  case WG_ERR_MODULE_INVALID:
  case WG_ERR_LINK_ERROR:
  case WG_ERR_UNSUPPORTED:
    return "WASM module error";
  case WG_ERR_OUTPUT_INVALID:
  case WG_ERR_OUTPUT_TOO_LARGE:
    return "WASM output error";
  default:
    if (code >= WG_ERR_HTTPS_GRANT_DENIED &&
        code <= WG_ERR_HTTPS_TOO_MANY_REQUESTS)
      return "WASM output error"; /* https failures are sticky output errors */
    return "WASM execution error";
  }
}

/* "10s", or "1500ms" when not a whole number of seconds. */
static void append_duration(wg_buf *out, uint64_t ns) {
  uint64_t ms = ns / 1000000u;
  if (ms % 1000u == 0) wg_buf_printf(out, "%llus", (unsigned long long)(ms / 1000u));
  else wg_buf_printf(out, "%llums", (unsigned long long)ms);
}

bool wg_error_write_text(const wg_error *e, uint64_t wall_clock_ns,
                         wg_buf *out) {
  if (e->code == WG_ERR_INVALID_INPUT || e->code == WG_ERR_SCHEMA_MISMATCH) {
    /* The message already reads "plugin tool `T` input ...". */
    wg_buf_printf(out, "Invalid argument: %s", e->message);
    return wg_buf_ok(out);
  }
  if (e->plugin[0])
    wg_buf_printf(out, "Execution failed: plugin WASM tool `%s` from `%s` (digest %s) ",
                  e->tool, e->plugin, e->digest[0] ? e->digest : "unknown");
  else /* no plugin: an unknown tool */
    wg_buf_printf(out, "Execution failed: plugin WASM tool `%s` ", e->tool);
  if (e->code == WG_ERR_TIMEOUT) {
    wg_buf_append_str(out, "timed out after ");
    append_duration(out, wall_clock_ns);
  } else if (e->code == WG_ERR_CANCELLED) {
    wg_buf_printf(out, "cancelled/failed to join: %s", e->message);
  } else {
    wg_buf_printf(out, "failed closed: %s: %s", category(e->code), e->message);
  }
  return wg_buf_ok(out);
}
