/* access.c: read-only lookups on a parsed tree. Object lookup is a linear
 * scan: member order is kept and keys are unique, so the first match is the
 * only one. */
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
