/* policy.h: the https policy (docs/https.md): URL and
 * host parsing with WHATWG semantics, IP address classes, the operator's
 * exceptions, grant matching, request checks, secret substitution and
 * redaction.
 *
 * Everything here is a pure function of its arguments: no sockets, no
 * files, no environment, no clock, no global mutable state. Every input has
 * a length and a named bound (below); work is linear in the input (times
 * the number of secrets for redaction, which is bounded); nothing recurses.
 * The host layer calls these before any network access and again for every
 * address it is about to connect to; `wasmgate explain-url` shows them.
 *
 * Messages (wg_pol_error.message) are bounded, printable, and never hold a
 * query string, userinfo, a header value, a body or a secret value. Guest
 * text they quote (a scheme, a header name, a host) is cut and has
 * non-printable bytes replaced by '?'. */
#ifndef WASMGATE_POLICY_H
#define WASMGATE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/config.h"
#include "wasmgate/util.h"
#include "wasmgate/limits.h"

/* The bounds (WG_POL_*) are in wasmgate/limits.h. */

/* ---- verdicts and errors ---------------------------------------------- */

/* One value per `https_*` code of wg_err (names are exactly those codes), so
 * the host maps them one to one onto wg_err. The policy itself produces
 * GRANT_DENIED .. BODY_TOO_LARGE and INTERNAL (out of memory); the others
 * are here so the host can carry its own failures in the same type. */
typedef enum wg_pol_code {
  WG_POL_OK,
  WG_POL_GRANT_DENIED,      /* "https_grant_denied" */
  WG_POL_URL_REJECTED,      /* "https_url_rejected" */
  WG_POL_PRIVATE_ADDRESS,   /* "https_private_address" */
  WG_POL_METHOD_DENIED,     /* "https_method_denied" */
  WG_POL_HEADER_REJECTED,   /* "https_header_rejected" */
  WG_POL_BODY_TOO_LARGE,    /* "https_body_too_large" */
  WG_POL_DNS_FAILED,        /* "https_dns_failed" */
  WG_POL_TLS_FAILED,        /* "https_tls_failed" */
  WG_POL_TIMEOUT,           /* "https_timeout" */
  WG_POL_NETWORK,           /* "https_network" */
  WG_POL_TOO_MANY_REQUESTS, /* "https_too_many_requests" */
  WG_POL_INTERNAL,          /* "internal" (out of memory) */
} wg_pol_code;

/* "ok", "https_grant_denied", ... as above. */
const char *wg_pol_code_name(wg_pol_code code);

/* Which rule decided: finer than the code, for tests, explain-url
 * ("rule" in its JSON) and logs. Stable snake_case names. */
typedef enum wg_pol_rule {
  WG_POL_RULE_NONE,              /* "none": allowed */
  /* URL syntax (code URL_REJECTED) */
  WG_POL_RULE_URL_TOO_LONG,      /* "url_too_long" */
  WG_POL_RULE_URL_SYNTAX,        /* "url_syntax": not UTF-8, tab/CR/LF,
                                    leading/trailing space or control, no
                                    scheme */
  WG_POL_RULE_SCHEME,            /* "scheme": not https */
  WG_POL_RULE_USERINFO,          /* "userinfo": '@' in the authority */
  WG_POL_RULE_NO_HOST,           /* "no_host" */
  WG_POL_RULE_HOST_INVALID,      /* "host_invalid": forbidden code point,
                                    bad percent-encoding, empty or long
                                    label, host too long */
  WG_POL_RULE_IDN,               /* "idn": IDNA conversion failed */
  WG_POL_RULE_IPV4_INVALID,      /* "ipv4_invalid": ends in a number but is
                                    not a valid (shorthand) IPv4 */
  WG_POL_RULE_IPV6_INVALID,      /* "ipv6_invalid" */
  WG_POL_RULE_ZONE_ID,           /* "zone_id": [fe80::1%25eth0] */
  WG_POL_RULE_PORT,              /* "port": not 1-65535 */
  WG_POL_RULE_PLACEHOLDER,       /* "placeholder": malformed {{secret:..}},
                                    one outside the path, or too many */
  /* target (code PRIVATE_ADDRESS) */
  WG_POL_RULE_LOCAL_NAME,        /* "local_name": localhost, *.localhost */
  WG_POL_RULE_BLOCKED_ADDRESS,   /* "blocked_address": see wg_pol_classify */
  /* request (codes METHOD_DENIED, HEADER_REJECTED, BODY_TOO_LARGE) */
  WG_POL_RULE_METHOD,            /* "method": not GET POST PUT PATCH DELETE */
  WG_POL_RULE_HEADER_COUNT,      /* "header_count": more than 16 */
  WG_POL_RULE_HEADER_NAME,       /* "header_name": not a 1-64 byte token */
  WG_POL_RULE_HEADER_VALUE,      /* "header_value": > 1 KiB or a CTL */
  WG_POL_RULE_HEADER_SENSITIVE,  /* "header_sensitive": yoi's credentials */
  WG_POL_RULE_HEADER_MANAGED,    /* "header_managed": host, content-length,
                                    transfer-encoding, connection, ... are
                                    set by the client, never the guest */
  WG_POL_RULE_HEADER_GRANTED,    /* "header_granted": the matched grant
                                    sets this header itself */
  WG_POL_RULE_BODY,              /* "body": more than 32 KiB */
  /* grants (code GRANT_DENIED, or METHOD_DENIED for METHOD_NOT_GRANTED) */
  WG_POL_RULE_NO_GRANTS,         /* "no_grants": no usable https grant */
  WG_POL_RULE_HOST_NOT_GRANTED,  /* "host_not_granted" */
  WG_POL_RULE_PORT_NOT_GRANTED,  /* "port_not_granted" */
  WG_POL_RULE_METHOD_NOT_GRANTED,/* "method_not_granted" */
  WG_POL_RULE_PATH_NOT_GRANTED,  /* "path_not_granted" */
  WG_POL_RULE_PATH_SECRET_NOT_GRANTED, /* "path_secret_not_granted" */
  /* secrets (code GRANT_DENIED: a grant whose secret is unusable) */
  WG_POL_RULE_SECRET_MISSING,    /* "secret_missing": not in the set */
  WG_POL_RULE_SECRET_INVALID,    /* "secret_invalid": building a set */
  WG_POL_RULE_NOMEM,             /* "nomem" (code INTERNAL) */
} wg_pol_rule;

const char *wg_pol_rule_name(wg_pol_rule rule);

typedef struct wg_pol_error {
  wg_pol_code code;
  wg_pol_rule rule;
  char message[WG_POL_MESSAGE_MAX]; /* NUL-terminated, see the top */
} wg_pol_error;

/* ---- hosts and URLs --------------------------------------------------- */

typedef enum wg_pol_host_kind {
  WG_POL_HOST_DOMAIN, /* a name, resolved at request time */
  WG_POL_HOST_IPV4,
  WG_POL_HOST_IPV6,
} wg_pol_host_kind;

/* A canonical host: the WHATWG host serialization (lowercase ASCII;
 * punycode for IDN; IPv4 shorthands as dotted quad; IPv6 compressed),
 * then trailing dots trimmed and IPv6 brackets stripped (as yoi).
 * Two hosts are the same host iff their `name`s are equal. */
typedef struct wg_pol_host {
  wg_pol_host_kind kind;
  char name[WG_POL_HOST_MAX + 1];
  wg_ip ip; /* the literal's address (kind IPV4/IPV6) */
} wg_pol_host;

/* Parses a host as WHATWG's host parser does for a special scheme
 * (percent-decoding, IDNA to ASCII via libidn2 UTS 46 non-transitional,
 * loaded on first use,
 * forbidden domain code points, the IPv4 number parser, "[v6]"), plus:
 * trailing dots trimmed, every label 1-63 bytes, the whole at most 253,
 * IPv6 zone ids refused (RULE_ZONE_ID). It does not judge the address
 * (wg_pol_check_host does). Code OK or URL_REJECTED. */
wg_pol_code wg_pol_host_parse(const char *text, size_t len, wg_pol_host *out,
                              wg_pol_error *err);

/* A parsed https URL. Every string is NUL-terminated and owned by the URL
 * (free with wg_pol_url_free; a zeroed struct is safe to free). */
typedef struct wg_pol_url {
  wg_pol_host host;
  uint16_t port;          /* 443 unless another port was written */
  bool explicit_port;     /* a port other than 443 was written (WHATWG
                             drops ":443") */
  char *path;             /* normalised, percent-encoded, starts with '/' */
  size_t path_len;
  char *query;            /* without the '?'; NULL when there is none */
  size_t query_len;
  size_t placeholder_count; /* {{secret:NAME}} in path */
} wg_pol_url;

/* Parses a guest URL (at most WG_POL_URL_MAX bytes) with WHATWG semantics
 * for the `https` scheme:
 *  - refused (RULE_URL_SYNTAX) where WHATWG would silently repair: tab, CR
 *    or LF anywhere, leading or trailing C0 control or space, invalid UTF-8;
 *  - scheme ASCII case-insensitive, only "https" (RULE_SCHEME quotes it);
 *    "https:host", "https:/host" and backslashes work as in WHATWG;
 *  - no userinfo at all (any '@' in the authority, even "https://@h/");
 *  - host: wg_pol_host_parse; port: digits, 1-65535, empty means 443;
 *  - path: '\' is '/', "." and ".." segments (also %2e, %2E forms)
 *    removed, WHATWG's path percent-encode set applied, other %XX kept as
 *    written; `{{secret:NAME}}` (NAME as [secrets] names) kept literally
 *    as a placeholder (literal '{' '}' are otherwise encoded, so a '{' in
 *    `path` always starts a placeholder); a malformed placeholder, one in
 *    the query, or more than WG_POL_PLACEHOLDERS_MAX is RULE_PLACEHOLDER;
 *  - query: WHATWG's special-query percent-encode set; kept only to be
 *    sent, never matched, never in a safe URL or a message;
 *  - fragment: dropped.
 * Code OK or URL_REJECTED. It does not judge the host (wg_pol_check_host)
 * or the grants (wg_pol_match_grants). */
wg_pol_code wg_pol_url_parse(const char *text, size_t len, wg_pol_url *out,
                             wg_pol_error *err);

/* Resolves a redirect's Location (at most WG_POL_URL_MAX bytes) against
 * `base` as WHATWG does (absolute, "//host/..", "/path", "?q", relative
 * path; "https:rel" is relative). Placeholders are NOT recognised in `ref`
 * (a server must not be able to ask for a secret), but a path-relative
 * reference keeps those of base's directory. Same rules and codes as
 * wg_pol_url_parse. */
wg_pol_code wg_pol_url_resolve(const wg_pol_url *base, const char *ref,
                               size_t len, wg_pol_url *out, wg_pol_error *err);

void wg_pol_url_free(wg_pol_url *u);

/* Appends "https://host[:port]/path[?query]" (IPv6 bracketed, port only if
 * explicit), placeholders as written. This is NOT what to send when the
 * URL has placeholders: use wg_pol_url_substitute. False on overflow/OOM. */
bool wg_pol_url_href(const wg_pol_url *u, wg_buf *out);

/* Appends the safe form for logs, errors and history:
 * "https://host[:port]/path" with no query, the path cut to at most
 * WG_POL_SAFE_PATH_MAX bytes on a UTF-8 boundary plus "…" (U+2026) when
 * cut, placeholders kept as written (never substituted). */
bool wg_pol_url_safe(const wg_pol_url *u, wg_buf *out);

/* The safe form of text that may not parse (for errors and history of a
 * refused request): everything from the first '?' or '#' dropped, any
 * userinfo (up to the last '@' of the authority) dropped, the whole cut
 * like the path above (at most 200 bytes plus "…"), bytes that are not
 * printable ASCII or valid UTF-8 replaced by '?'. */
bool wg_pol_safe_url_text(const char *text, size_t len, wg_buf *out);

/* ---- addresses -------------------------------------------------------- */

/* The operator's exceptions and name pins, built once from [https]
 * (allow_networks, resolve). Immutable after creation: safe to share
 * between threads. */
typedef struct wg_policy wg_policy;

/* cfg may be NULL (no exceptions, no pins). Fails (err set) on out of
 * memory, or if a value does not parse (the config layer validated them,
 * so that means the two layers disagree: a bug). */
wg_pol_code wg_policy_new(const wg_config *cfg, wg_policy **out,
                          wg_pol_error *err);
void wg_policy_free(wg_policy *pol);

typedef struct wg_pol_addr_verdict {
  bool allowed;
  bool exception;       /* allowed only because of an allow_networks entry */
  const char *range;    /* the deciding range, e.g. "loopback 127.0.0.0/8";
                           for an exception "allow_networks 127.0.0.1/32";
                           NULL for a plain public address. Static or owned
                           by the policy. */
  bool embedded;        /* judged by an embedded IPv4 (mapped, compatible,
                           NAT64): it is in `ipv4`, `range` is its range */
  wg_ip ipv4;
  const char *via;      /* embedded: the IPv6 block that embeds it, e.g.
                           "IPv4-mapped ::ffff:0:0/96"; else NULL */
} wg_pol_addr_verdict;

/* Classifies one address (raw bytes, e.g. from a struct sockaddr at
 * connect time; pol may be NULL for no exceptions). Refused:
 *  IPv4: 0.0.0.0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12,
 *    192.0.0.0/24, 192.0.2.0/24, 192.88.99.0/24, 192.168/16, 198.18/15,
 *    198.51.100.0/24, 203.0.113.0/24, 224/4, 240/4 (yoi's list plus
 *    the 6to4 relay anycast block);
 *  IPv6: an allowlist, only 2000::/3, minus 2001::/23 (Teredo
 *    2001::/32 included), 2001:db8::/32, 2002::/16, 3fff::/20, 5f00::/16;
 *    ::ffff:0:0/96 (mapped), ::/96 (compatible; but :: and ::1 are named
 *    unspecified and loopback), 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64,
 *    the IPv4 in the last 32 bits) are judged by the IPv4 they embed.
 * An allow_networks block containing the address (or the embedded IPv4)
 * allows it whatever its class. */
void wg_pol_classify(const wg_policy *pol, const wg_ip *ip,
                     wg_pol_addr_verdict *out);

/* The static target check (as yoi): a name is refused if it is
 * "localhost" or ends in ".localhost" (RULE_LOCAL_NAME), an IP literal if
 * wg_pol_classify refuses it (RULE_BLOCKED_ADDRESS). A name's addresses
 * are judged later, one by one, with wg_pol_check_address. Code OK or
 * PRIVATE_ADDRESS; messages as yoi's plus the range:
 *   HTTPS blocked local/private host "localhost"
 *   HTTPS blocked local/private address 127.0.0.1 for host "127.1"
 *     (loopback 127.0.0.0/8)                            [one line] */
wg_pol_code wg_pol_check_host(const wg_policy *pol, const wg_pol_host *host,
                              wg_pol_error *err);

/* One address a name resolved to, or that the client is about to connect
 * to (host is used in the message only). Code OK or PRIVATE_ADDRESS. */
wg_pol_code wg_pol_check_address(const wg_policy *pol, const wg_pol_host *host,
                                 const wg_ip *ip, wg_pol_error *err);

/* [https] resolve pins for (host, port): true and the addresses (owned by
 * the policy, 1..n, in config order) if an entry names them; the name is
 * then not looked up, but every address must still pass
 * wg_pol_check_address. */
bool wg_policy_resolve(const wg_policy *pol, const wg_pol_host *host,
                       uint16_t port, const wg_ip **addrs, size_t *count);

/* ---- request checks (yoi's order: method, headers, body) -------------- */

typedef struct wg_pol_header {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
} wg_pol_header;

/* Exactly GET POST PUT PATCH DELETE (uppercase, no spaces). Code OK or
 * METHOD_DENIED ("HTTPS method `X` is not allowed"). */
wg_pol_code wg_pol_check_method(const char *method, size_t len,
                                wg_pol_error *err);
/* At most 16; each name a 1-64 byte HTTP token, not sensitive (reference
 * 7.7: authorization, proxy-authorization, cookie, set-cookie, x-api-key,
 * x-auth-token, api-key, apikey) and not managed by the client (host,
 * content-length, transfer-encoding, connection, keep-alive, upgrade, te,
 * trailer, expect, proxy-connection); each value at most 1 KiB with no
 * control character but tab (obs-text bytes >= 0x80 allowed). Values are
 * never quoted. Code OK or HEADER_REJECTED. */
wg_pol_code wg_pol_check_headers(const wg_pol_header *headers, size_t count,
                                 wg_pol_error *err);
/* At most 32 KiB. Code OK or BODY_TOO_LARGE. */
wg_pol_code wg_pol_check_body(size_t len, wg_pol_error *err);
/* yoi's credential header list, ASCII case-insensitive (also what the host
 * drops from responses). */
bool wg_pol_header_sensitive(const char *name, size_t len);
/* An RFC 9110 token of 1-64 bytes. */
bool wg_pol_header_name_valid(const char *name, size_t len);

/* ---- grants ----------------------------------------------------------- */

/* The https grants of one plugin, normalised once (hosts through
 * wg_pol_host_parse, path prefixes through the URL path normaliser,
 * methods upper-cased). A grant whose host or prefixes do not normalise is
 * kept but unusable (it never matches; wg_pol_grant_problem says why).
 * Points into `grants`, which must outlive it. Grant hosts may be
 * "*.example.com": any name with one or more labels before
 * ".example.com" (not "example.com" itself; at least two labels after
 * "*."; never an IP literal). */
typedef struct wg_pol_grants wg_pol_grants;

/* NULL only on out of memory. n may be 0. */
wg_pol_grants *wg_pol_grants_new(const wg_config_https_grant *grants,
                                 size_t n);
void wg_pol_grants_free(wg_pol_grants *gs);
/* NULL if grant i is usable, else why not (static text). */
const char *wg_pol_grant_problem(const wg_pol_grants *gs, size_t i);

typedef struct wg_pol_match {
  bool matched;
  size_t grant;       /* matched: the first matching grant's index (into
                         the config array); else the index of the grant that
                         came closest (host matched), or SIZE_MAX */
  wg_pol_rule rule;   /* not matched: the furthest check any grant passed
                         before failing: HOST < PORT < METHOD < PATH <
                         PATH_SECRET _NOT_GRANTED, or NO_GRANTS */
} wg_pol_match;

/* yoi's rule plus port and "*." hosts (docs/https.md#grants): a grant matches
 * if its host equals the URL's canonical host (or its "*." form covers it),
 * its port (443 when unset) is the URL's, one of its methods equals `method`
 * ASCII case-insensitively, one of its path prefixes covers the path on whole
 * segments ("/v1" covers "/v1", "/v1/", "/v1/x", not "/v1admin"; an empty
 * list covers every path; a prefix ending in '/' covers what starts with it),
 * and it lists every placeholder name in path_secrets. Code OK, METHOD_DENIED
 * (method_not_granted) or GRANT_DENIED ("HTTPS request <METHOD> <safe_url> is
 * not covered by host/method/path grants (<why>)").
 */
wg_pol_code wg_pol_match_grants(const wg_pol_grants *gs, const char *method,
                                size_t method_len, const wg_pol_url *url,
                                wg_pol_match *out, wg_pol_error *err);

/* ---- the whole static decision ---------------------------------------- */

typedef struct wg_pol_request {
  const char *method;
  size_t method_len;
  const char *url;
  size_t url_len;
  const wg_pol_header *headers; /* the guest's, as decoded */
  size_t header_count;
  size_t body_len;
} wg_pol_request;

typedef struct wg_pol_decision {
  bool has_url;       /* the URL step was reached and parsed: url is valid
                         (use wg_pol_url_safe for the history record) */
  wg_pol_url url;
  wg_pol_match match; /* valid when the grants step was reached */
} wg_pol_decision;

/* Everything that runs before any network access, in yoi's order: method,
 * header count, each header, body size, URL, static target, grants; then
 * a guest header that the matched grant sets itself is refused
 * (RULE_HEADER_GRANTED). OK means: resolve the host (or take
 * wg_policy_resolve's pins), check every address with
 * wg_pol_check_address, expand the grant's headers, substitute path
 * secrets, send. Free the decision with wg_pol_decision_free whatever the
 * result. */
wg_pol_code wg_pol_check_request(const wg_policy *pol, const wg_pol_grants *gs,
                                 const wg_pol_request *req,
                                 wg_pol_decision *out, wg_pol_error *err);
void wg_pol_decision_free(wg_pol_decision *d);

/* ---- secrets ---------------------------------------------------------- */

/* Secret values are given by the host (which read them from env or file);
 * the policy copies them, never logs them, and wipes its copies on free.
 * Hosts reading a file usually want one trailing "\n" or "\r\n" removed
 * first (the policy refuses control characters in a value). */
typedef struct wg_pol_secret {
  const char *name;     /* as in [secrets] */
  const uint8_t *value;
  size_t len;
} wg_pol_secret;

typedef struct wg_pol_secrets wg_pol_secrets;

/* Builds a set (at most WG_POL_SECRETS_MAX; names unique and valid
 * [secrets] names; values WG_POL_SECRET_MIN..WG_POL_SECRET_VALUE_MAX bytes
 * with no control character but tab). Precomputes the redaction forms.
 * Code OK, GRANT_DENIED (RULE_SECRET_INVALID, the message names the secret,
 * never the value) or INTERNAL. n may be 0. */
wg_pol_code wg_pol_secrets_new(const wg_pol_secret *items, size_t n,
                               wg_pol_secrets **out, wg_pol_error *err);
void wg_pol_secrets_free(wg_pol_secrets *s);

/* Appends a grant header value with every ${secret:NAME} replaced by the
 * value, and checks the result as a header value (1 KiB, no CTL). Code OK,
 * GRANT_DENIED (RULE_SECRET_MISSING: "secret `NAME` is not available"),
 * HEADER_REJECTED (the expansion is not a valid value; never quoted) or
 * INTERNAL. secrets may be NULL (no secrets). A header value that is empty
 * after expansion must be given to libcurl as "Name;" (libcurl reads
 * "Name:" as "remove this header"). */
wg_pol_code wg_pol_expand_header(const wg_pol_secrets *secrets,
                                 const char *value, size_t len, wg_buf *out,
                                 wg_pol_error *err);

/* Appends the URL to send: wg_pol_url_href with each {{secret:NAME}}
 * replaced by the value, percent-encoded (every byte but A-Z a-z 0-9 - . _
 * ~, so a value cannot add a segment or a query). `grant` is the matched
 * grant; every NAME must be in its path_secrets (checked again:
 * RULE_PATH_SECRET_NOT_GRANTED) and in `secrets` (RULE_SECRET_MISSING).
 * The result is at most WG_POL_SEND_URL_MAX bytes (else URL_REJECTED,
 * url_too_long). */
wg_pol_code wg_pol_url_substitute(const wg_pol_url *url,
                                  const wg_config_https_grant *grant,
                                  const wg_pol_secrets *secrets, wg_buf *out,
                                  wg_pol_error *err);

/* Appends text with every occurrence of every secret replaced by
 * "<redacted>": the raw value, its URL-encoded forms (upper- and lowercase
 * hex; '+' for space), and its base64 forms (standard and URL-safe
 * alphabets; with and without padding; at each of the three byte
 * alignments a value can have inside a longer base64 stream, every
 * character that depends only on the value). Overlapping matches merge
 * into one "<redacted>". Time O(len x forms), forms <= 22 per secret;
 * output at most len * 10 / 8 + 10 bytes. secrets may be NULL (a copy).
 * False on overflow/OOM of out. */
bool wg_pol_redact(const wg_pol_secrets *secrets, const char *text, size_t len,
                   wg_buf *out);

/* yoi's redact_secret_like, for https error texts and
 * response header values: after each case-insensitive occurrence of
 * authorization, proxy-authorization, cookie, set-cookie, x-api-key,
 * x-auth-token, api-key, token, secret, password (and the run of spaces,
 * tabs, '=' and ':' after it), the run up to the next space, ',', ';', CR
 * or LF becomes "<redacted>". */
bool wg_pol_redact_secret_like(const char *text, size_t len, wg_buf *out);

#endif
