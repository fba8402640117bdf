/* http.c: HTTP header and method vocabulary shared by the config layer
 * (validating grant headers and methods) and the policy (checking guest
 * requests), so both refuse the same names. Pure lookups. */
#include "wasmgate/util.h"

#include <string.h>

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static bool in_list(const char *const *list, const char *s, size_t len) {
  for (size_t i = 0; list[i]; i++) {
    size_t n = strlen(list[i]);
    if (n != len) continue;
    size_t k = 0;
    while (k < n && lower(s[k]) == list[i][k]) k++;
    if (k == n) return true;
  }
  return false;
}

bool wg_http_token(const char *s, size_t len) {
  if (len == 0) return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c && strchr("!#$%&'*+-.^_`|~", c));
    if (!ok) return false;
  }
  return true;
}

bool wg_http_field_value(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
  }
  return true;
}

bool wg_http_header_sensitive(const char *name, size_t len) {
  /* yoi's list of credential headers: a guest must never set or see them. */
  static const char *const names[] = {"authorization", "proxy-authorization", "cookie",
                                      "set-cookie", "x-api-key", "x-auth-token",
                                      "api-key", "apikey", NULL};
  return in_list(names, name, len);
}

bool wg_http_header_managed(const char *name, size_t len) {
  /* The client frames the message and names the host it connects to: a
   * guest (or grant) value would let a request reach another virtual host
   * than the one checked, or desynchronise the message framing. */
  static const char *const names[] = {"host", "content-length", "transfer-encoding",
                                      "connection", "keep-alive", "upgrade", "te",
                                      "trailer", "expect", "proxy-connection", NULL};
  return in_list(names, name, len);
}

int wg_http_method(const char *s, size_t len, bool any_case) {
  static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};
  for (int i = 0; methods[i]; i++) {
    size_t n = strlen(methods[i]);
    if (n != len) continue;
    size_t k = 0;
    for (; k < n; k++) {
      char c = s[k];
      if (any_case && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
      if (c != methods[i][k]) break;
    }
    if (k == n) return i;
  }
  return -1;
}
