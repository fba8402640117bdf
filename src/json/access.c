/* access.c: read-only lookups on a parsed tree (keys, indices, JSON
 * Pointers) and offset-to-line/column. Object lookup is a linear scan:
 * member order is kept and keys are unique, so the first match is the only
 * one. */
#include "json_internal.h"

#include <string.h>

const wg_json *wg_json_getn(const wg_json *obj, const char *key, size_t len) {
  if (!obj || obj->type != WG_JSON_OBJECT || (!key && len)) return NULL;
  size_t n = json_count(obj);
  for (size_t i = 0; i < n; i++) {
    const wg_json_member *m = &obj->u.object.members[i];
    if (json_key_len(m) == len && (len == 0 || memcmp(m->key, key, len) == 0))
      return m->value;
  }
  return NULL;
}

const wg_json *wg_json_get(const wg_json *obj, const char *key) {
  if (!key) return NULL;
  return wg_json_getn(obj, key, strlen(key));
}

const wg_json *wg_json_at(const wg_json *arr, size_t i) {
  if (!arr || arr->type != WG_JSON_ARRAY || i >= json_count(arr))
    return NULL;
  return arr->u.array.items[i];
}

const char *wg_json_str(const wg_json *v) {
  if (!v || v->type != WG_JSON_STRING) return NULL;
  return v->u.string.text;
}

/* Decodes one reference token of a pointer ("~0" is '~', "~1" is '/') into
 * out; false if a '~' is not followed by 0 or 1. */
static bool json_ptr_token(const char *s, size_t n, wg_buf *out) {
  wg_buf_reset(out);
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '~') {
      if (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '1')) return false;
      c = s[++i] == '0' ? '~' : '/';
    }
    wg_buf_append_char(out, c);
  }
  return wg_buf_ok(out);
}

/* An array index token: decimal, no leading zeros, fits size_t. */
static bool json_ptr_index(const char *s, size_t n, size_t *idx) {
  if (n == 0 || (n > 1 && s[0] == '0')) return false;
  size_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (v > (SIZE_MAX - 9) / 10) return false;
    v = v * 10 + (size_t)(s[i] - '0');
  }
  *idx = v;
  return true;
}

const wg_json *wg_json_pointer(const wg_json *root, const char *ptr,
                               size_t len) {
  if (!root || (!ptr && len)) return NULL;
  if (len == 0) return root;
  if (ptr[0] != '/') return NULL;
  wg_buf tok;
  wg_buf_init(&tok, 0);
  const wg_json *v = root;
  size_t i = 1;
  for (;;) {
    size_t end = i;
    while (end < len && ptr[end] != '/') end++;
    if (!json_ptr_token(ptr + i, end - i, &tok)) {
      v = NULL;
      break;
    }
    const char *key = tok.data ? tok.data : "";
    size_t idx;
    if (v->type == WG_JSON_OBJECT) v = wg_json_getn(v, key, tok.len);
    else if (json_ptr_index(key, tok.len, &idx)) v = wg_json_at(v, idx);
    else v = NULL;
    if (!v || end >= len) break;
    i = end + 1;
  }
  wg_buf_free(&tok);
  return v;
}

void wg_json_line_col(const char *text, size_t len, size_t offset,
                      size_t *line, size_t *col) {
  size_t l = 1, start = 0;
  if (offset > len) offset = len;
  for (size_t i = 0; text && i < offset; i++)
    if (text[i] == '\n') {
      l++;
      start = i + 1;
    }
  *line = l;
  *col = offset - start + 1;
}
