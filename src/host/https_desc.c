/* https_desc.c: decoding the request descriptor a guest passes to
 * `yoi:https.request`, as strictly as yoi's
 * `deny_unknown_fields` serde types: an object of `method` (string),
 * `url` (string), `headers` (array of exactly {name, value} strings,
 * default []) and `body` (string or null, text only). The shape is checked
 * whole before any policy check runs (serde fails before yoi's step 4).
 *
 * Codes, one per field so a guest's mistake says where it is:
 *   over 48 KiB                                -> https_body_too_large
 *   not JSON / not an object / unknown field /
 *   a wrong `body` type                        -> https_url_rejected
 *   `method` missing or not a string           -> https_method_denied
 *   `url` missing or not a string              -> https_url_rejected
 *   `headers` or an entry of the wrong shape   -> https_header_rejected
 * Messages quote no guest text but JSON positions and key names (cut). */
#include "host_https.h"

#include <stdlib.h>
#include <string.h>

/* The descriptor has exactly three levels: object, headers array, header
 * object. One more lets a nested value be reported as a wrong type. */
enum { DESC_MAX_DEPTH = 4 };

static void key_name(char *dst, size_t size, const char *k, size_t len) {
  wg_error_sanitize(dst, size, k, len > 40 ? 40 : len);
}

static bool decode_header(const wg_json *h, size_t i, wg_pol_header *out, host_fail *f) {
  if (h->type != WG_JSON_OBJECT) {
    host_fail_set(f, WG_ERR_HTTPS_HEADER_REJECTED,
                  "invalid HTTPS request JSON: headers[%zu] must be an object with `name` and "
                  "`value`", i);
    return false;
  }
  const wg_json *name = NULL, *value = NULL;
  for (size_t k = 0; k < h->u.object.count; k++) {
    const wg_json_member *m = &h->u.object.members[k];
    if (m->key_len == 4 && memcmp(m->key, "name", 4) == 0) name = m->value;
    else if (m->key_len == 5 && memcmp(m->key, "value", 5) == 0) value = m->value;
    else {
      char kn[48];
      key_name(kn, sizeof kn, m->key, m->key_len);
      host_fail_set(f, WG_ERR_HTTPS_HEADER_REJECTED,
                    "invalid HTTPS request JSON: headers[%zu] has unknown field `%s`", i, kn);
      return false;
    }
  }
  if (!name || !value || name->type != WG_JSON_STRING || value->type != WG_JSON_STRING) {
    host_fail_set(f, WG_ERR_HTTPS_HEADER_REJECTED,
                  "invalid HTTPS request JSON: headers[%zu] needs string `name` and `value`", i);
    return false;
  }
  *out = (wg_pol_header){name->u.string.text, name->u.string.len, value->u.string.text,
                         value->u.string.len};
  return true;
}

static bool decode_headers(const wg_json *v, host_desc *d, host_fail *f) {
  if (v->type != WG_JSON_ARRAY) {
    host_fail_set(f, WG_ERR_HTTPS_HEADER_REJECTED,
                  "invalid HTTPS request JSON: `headers` must be an array");
    return false;
  }
  size_t n = v->u.array.count;
  /* n is bounded by the descriptor size (each entry takes >= 2 bytes). */
  d->headers = calloc(n ? n : 1, sizeof *d->headers);
  if (!d->headers) {
    host_fail_set(f, WG_ERR_INTERNAL, "out of memory decoding the request");
    return false;
  }
  for (size_t i = 0; i < n; i++)
    if (!decode_header(v->u.array.items[i], i, &d->headers[i], f)) return false;
  d->header_count = n;
  return true;
}

static bool decode_member(const wg_json_member *m, host_desc *d, bool *seen_headers,
                          host_fail *f) {
  const wg_json *v = m->value;
  if (m->key_len == 6 && memcmp(m->key, "method", 6) == 0) {
    if (v->type != WG_JSON_STRING) {
      host_fail_set(f, WG_ERR_HTTPS_METHOD_DENIED,
                    "invalid HTTPS request JSON: `method` must be a string");
      return false;
    }
    d->method = v->u.string.text, d->method_len = v->u.string.len;
    return true;
  }
  if (m->key_len == 3 && memcmp(m->key, "url", 3) == 0) {
    if (v->type != WG_JSON_STRING) {
      host_fail_set(f, WG_ERR_HTTPS_URL_REJECTED, "invalid HTTPS request JSON: `url` must be a string");
      return false;
    }
    d->url = v->u.string.text, d->url_len = v->u.string.len;
    return true;
  }
  if (m->key_len == 7 && memcmp(m->key, "headers", 7) == 0) {
    *seen_headers = true;
    return decode_headers(v, d, f);
  }
  if (m->key_len == 4 && memcmp(m->key, "body", 4) == 0) {
    if (v->type == WG_JSON_NULL) return true;
    if (v->type != WG_JSON_STRING) {
      host_fail_set(f, WG_ERR_HTTPS_URL_REJECTED,
                    "invalid HTTPS request JSON: `body` must be a string or null (text only)");
      return false;
    }
    d->body = v->u.string.text, d->body_len = v->u.string.len;
    return true;
  }
  char kn[48];
  key_name(kn, sizeof kn, m->key, m->key_len);
  host_fail_set(f, WG_ERR_HTTPS_URL_REJECTED, "invalid HTTPS request JSON: unknown field `%s`", kn);
  return false;
}

bool host_desc_decode(const char *text, size_t len, host_desc *d, host_fail *f) {
  memset(d, 0, sizeof *d);
  if (len > WG_HOST_MAX_HTTPS_REQUEST) {
    host_fail_set(f, WG_ERR_HTTPS_BODY_TOO_LARGE, "HTTPS request descriptor exceeds %d bytes",
                  WG_HOST_MAX_HTTPS_REQUEST);
    return false;
  }
  wg_json_limits lim = {.max_depth = DESC_MAX_DEPTH, .max_size = WG_HOST_MAX_HTTPS_REQUEST};
  wg_json_error je;
  d->doc = wg_json_parse(text, len, &lim, &je);
  if (!d->doc) {
    if (je.code == WG_JSON_NOMEM) host_fail_set(f, WG_ERR_INTERNAL, "out of memory decoding the request");
    else if (je.code == WG_JSON_TOO_DEEP)
      host_fail_set(f, WG_ERR_HTTPS_URL_REJECTED,
                    "invalid HTTPS request JSON: nested too deeply at byte %zu", je.offset);
    else if (je.code == WG_JSON_DUPLICATE_KEY) /* the parser's text quotes the key */
      host_fail_set(f, WG_ERR_HTTPS_URL_REJECTED,
                    "invalid HTTPS request JSON: duplicate object key at byte %zu", je.offset);
    else
      host_fail_set(f, WG_ERR_HTTPS_URL_REJECTED, "invalid HTTPS request JSON: %s at byte %zu",
                    je.message, je.offset);
    return false;
  }
  const wg_json *root = wg_json_root(d->doc);
  if (root->type != WG_JSON_OBJECT) {
    host_fail_set(f, WG_ERR_HTTPS_URL_REJECTED, "invalid HTTPS request JSON: expected an object, got %s",
                  wg_json_type_name(root->type));
    return false;
  }
  bool seen_headers = false;
  for (size_t i = 0; i < root->u.object.count; i++)
    if (!decode_member(&root->u.object.members[i], d, &seen_headers, f)) return false;
  if (!d->method) {
    host_fail_set(f, WG_ERR_HTTPS_METHOD_DENIED, "invalid HTTPS request JSON: missing field `method`");
    return false;
  }
  if (!d->url) {
    host_fail_set(f, WG_ERR_HTTPS_URL_REJECTED, "invalid HTTPS request JSON: missing field `url`");
    return false;
  }
  return true;
}

void host_desc_free(host_desc *d) {
  wg_json_free(d->doc);
  free(d->headers);
  memset(d, 0, sizeof *d);
}
