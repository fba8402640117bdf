/* http_policy.c: the checks a Streamable HTTP request passes before its
 * body is read: Origin (a MUST of the transport: DNS rebinding), Host on a
 * loopback-bound server, the bearer token, Accept and Content-Type. Pure
 * functions of header values, so they are table-tested without sockets. */
#include "mcp_internal.h"

#include <strings.h>
#include <string.h>

static bool loopback_name(const char *h, size_t n) {
  return (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
         (n == 9 && memcmp(h, "127.0.0.1", 9) == 0) || (n == 5 && memcmp(h, "[::1]", 5) == 0);
}

/* host[:port] with a decimal port of 1..5 digits; returns the host length or
 * 0 if malformed. */
static size_t host_part(const char *s, size_t n) {
  size_t h = n;
  if (n && s[0] == '[') {
    const char *close = memchr(s, ']', n);
    if (!close) return 0;
    h = (size_t)(close - s) + 1;
  } else {
    const char *colon = memchr(s, ':', n);
    if (colon) h = (size_t)(colon - s);
  }
  if (h == 0) return 0;
  if (h == n) return h;
  if (s[h] != ':' || n - h - 1 == 0 || n - h - 1 > 5) return 0;
  for (size_t i = h + 1; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return h;
}

bool mcp_host_allowed(const char *host) {
  if (!host) return true;
  size_t n = strlen(host);
  size_t h = host_part(host, n);
  return h && loopback_name(host, h);
}

bool mcp_origin_allowed(const char *origin, const wg_mcp_options *o) {
  if (!origin) return true;
  for (size_t i = 0; i < o->allowed_origin_count; i++)
    if (o->allowed_origins[i] && strcasecmp(origin, o->allowed_origins[i]) == 0) return true;
  const char *sep = strstr(origin, "://");
  if (!sep || sep == origin) return false;
  for (const char *p = origin; p < sep; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '+' || *p == '-' ||
          *p == '.' || (p > origin && *p >= '0' && *p <= '9')))
      return false;
  const char *rest = sep + 3;
  size_t n = strlen(rest);
  if (n && rest[n - 1] == '/') n--; /* tolerate a trailing slash */
  size_t h = host_part(rest, n);
  return h && loopback_name(rest, h);
}

bool mcp_bearer_ok(const char *authorization, const char *token, size_t len) {
  if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0) return false;
  const char *given = authorization + 7;
  while (*given == ' ') given++;
  size_t glen = strlen(given);
  while (glen && given[glen - 1] == ' ') glen--;
  /* The loop runs over the expected token, whatever was sent; the result
   * depends on every byte. */
  volatile unsigned char diff = (unsigned char)(glen != len);
  for (size_t i = 0; i < len; i++) {
    unsigned char g = i < glen ? (unsigned char)given[i] : 0;
    diff |= (unsigned char)(g ^ (unsigned char)token[i]);
  }
  return diff == 0;
}

/* Does the comma-separated media-range list contain `want`? */
static bool list_has(const char *list, const char *want) {
  size_t wn = strlen(want);
  const char *p = list;
  while (*p) {
    while (*p == ' ' || *p == ',') p++;
    const char *end = p;
    while (*end && *end != ',' && *end != ';' && *end != ' ') end++;
    if ((size_t)(end - p) == wn && strncasecmp(p, want, wn) == 0) return true;
    while (*end && *end != ',') end++;
    p = end;
  }
  return false;
}

bool mcp_accept_ok(const char *accept) {
  if (!accept || !accept[0]) return true;
  return list_has(accept, "application/json") || list_has(accept, "application/*") ||
         list_has(accept, "*/*");
}

bool mcp_content_type_json(const char *ct) {
  if (!ct) return false;
  while (*ct == ' ') ct++;
  if (strncasecmp(ct, "application/json", 16) != 0) return false;
  char c = ct[16];
  return c == '\0' || c == ';' || c == ' ';
}
