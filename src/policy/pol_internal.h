/* pol_internal.h: what the policy's files share: error helpers, ASCII
 * helpers, the path normaliser, and the sizes of quoted text.
 *
 * Invariants every file keeps: no input is read past its length; every
 * allocation is bounded by a named limit (WG_POL_* in wasmgate/limits.h);
 * messages are built only with pol_fail/pol_quote, so they are bounded and
 * printable and never hold a query, a header value or a secret value. */
#ifndef WG_POL_INTERNAL_H
#define WG_POL_INTERNAL_H

#include "wasmgate/policy.h"

#include <stdarg.h>

/* Guest text quoted in a message (a scheme, a header name, a host). */
#define POL_QUOTE_MAX 64u
/* The safe form of text that did not parse (wg_pol_safe_url_text). */
#define POL_SAFE_TEXT_MAX 200u

/* One [https] resolve entry, its host normalised. */
typedef struct pol_pin {
  wg_pol_host host;
  uint16_t port;
  wg_ip *addrs;
  size_t count;
} pol_pin;

struct wg_policy {
  wg_cidr *nets;     /* [https] allow_networks */
  char **net_labels; /* "allow_networks 10.0.0.0/8" */
  size_t net_count;
  pol_pin *pins;
  size_t pin_count;
};

/* Sets *err (if non-NULL) and returns code. The format's %s arguments must
 * be policy text or pol_quote output. */
wg_pol_code pol_fail(wg_pol_error *err, wg_pol_code code, wg_pol_rule rule,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void pol_ok(wg_pol_error *err);

/* Copies at most `max` bytes of guest text into out (size >= max + 4),
 * cut on a UTF-8 boundary with "..." appended when cut, every byte that is
 * not printable ASCII (or valid UTF-8 above it) replaced by '?', and '"'
 * and '`' replaced by '\'' so a quote cannot be closed early. */
void pol_quote(char *out, size_t size, const char *text, size_t len, size_t max);

static inline char pol_lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}
static inline bool pol_is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool pol_is_digit(char c) { return c >= '0' && c <= '9'; }
static inline int pol_hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool pol_ieq(const char *a, size_t alen, const char *b); /* b: lowercase, NUL-terminated */

/* A [secrets] name: 1-64 of A-Z a-z 0-9 _ - . (as the config layer). */
bool pol_secret_name_valid(const char *s, size_t len);
/* If s[0..len) starts with "{{secret:NAME}}", its length and the name;
 * 0 if it is not a placeholder at all (does not start with "{{secret:");
 * SIZE_MAX if it starts like one but is malformed. */
size_t pol_placeholder(const char *s, size_t len, const char **name,
                       size_t *name_len);

/* The WHATWG path state for a special URL: path[0..len) is what follows
 * the authority up to (not including) '?' or '#'. A leading '/' or '\' is
 * the path start. `base` (may be NULL) is a normalised path whose
 * directory (all but the last segment) the result starts from (a
 * path-relative reference). Appends the normalised path ("/" at least) to
 * out and counts placeholders (recognised only if `placeholders`). Code OK,
 * URL_REJECTED (placeholder, url_too_long) or INTERNAL. */
wg_pol_code pol_path_parse(const char *path, size_t len, bool placeholders,
                           const char *base, size_t base_len, wg_buf *out,
                           size_t *placeholder_count, wg_pol_error *err);

/* The whole URL machine (url.c), shared by parse and resolve. */
wg_pol_code pol_url_parse(const wg_pol_url *base, const char *text, size_t len,
                          wg_pol_url *out, wg_pol_error *err);

/* IDNA "domain to ASCII" (idn.c: libidn2, UTS 46 non-transitional, loaded
 * on first use). input is NUL-terminated UTF-8; on POL_IDN_OK *output is a
 * malloc'd ASCII string (free it); otherwise *error_name is a static name
 * (libidn2's, or "IDN2_NOT_AVAILABLE"). */
enum { POL_IDN_OK, POL_IDN_INVALID, POL_IDN_NOMEM, POL_IDN_UNAVAILABLE };
int pol_idn_to_ascii(const char *input, char **output, const char **error_name);

/* The config grant behind grant i of gs. */
const wg_config_https_grant *pol_grant_config(const wg_pol_grants *gs, size_t i);

/* Segment-aware prefix test on normalised paths. */
bool pol_path_covers(const char *prefix, size_t plen, const char *path,
                     size_t len);

#endif
