/* permission.c: surfaces and permissions (docs/design.md#permissions), the
 * one type shared by plugin.toml requests and config grants: parsing a
 * TOML table with serde's tagged-enum rules (deny_unknown_fields), labels,
 * matching.
 * Parsing failures report only a byte offset, never the text. */
#include "manifest_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const surface_names[] = {
  [WG_SURFACE_HOOK] = "hook",       [WG_SURFACE_TOOL] = "tool",
  [WG_SURFACE_SERVICE] = "service", [WG_SURFACE_INGRESS] = "ingress",
  [WG_SURFACE_WASM] = "wasm",
};
WG_NAMES_COVER(surface_names, WG_SURFACE_COUNT - 1);

const char *wg_surface_name(wg_surface s) {
  return WG_NAME_IN(surface_names, s);
}

bool wg_surface_parse(const char *s, size_t len, wg_surface *out) {
  for (unsigned i = 0; i < WG_SURFACE_COUNT; i++) {
    if (strlen(surface_names[i]) == len && memcmp(s, surface_names[i], len) == 0) {
      *out = (wg_surface)i;
      return true;
    }
  }
  return false;
}

static const char *const kind_names[] = {
  [WG_PERM_SURFACE] = "surface",
  [WG_PERM_TOOL] = "tool",
  [WG_PERM_TOOL_NAMESPACE] = "tool_namespace",
  [WG_PERM_EXTERNAL_WRITE] = "external_write",
  [WG_PERM_HOST_API] = "host_api",
};
enum { KIND_COUNT = sizeof kind_names / sizeof kind_names[0] };
WG_NAMES_COVER(kind_names, WG_PERM_HOST_API);

const char *wg_perm_kind_name(wg_perm_kind k) {
  return WG_NAME_IN(kind_names, k);
}

const char *wg_host_api_name(wg_host_api a) {
  switch (a) {
  case WG_HOST_API_HTTPS: return "https";
  case WG_HOST_API_FS: return "fs";
  }
  return WG_NAME_UNKNOWN;
}

bool pkg_str_is(const char *s, size_t len, const char *lit) {
  size_t n = strlen(lit);
  return len == n && memcmp(s, lit, n) == 0;
}

/* The one key besides `kind` that each kind takes (NULL: none). */
static const char *kind_value_key(wg_perm_kind k) {
  switch (k) {
  case WG_PERM_SURFACE: return "surface";
  case WG_PERM_TOOL: return "name";
  case WG_PERM_TOOL_NAMESPACE: return "namespace";
  case WG_PERM_HOST_API: return "api";
  case WG_PERM_EXTERNAL_WRITE: return NULL;
  }
  return NULL;
}

static wg_pkg_code fail_code(size_t *err_offset, size_t offset, wg_pkg_code code) {
  if (err_offset) *err_offset = offset;
  return code;
}

static wg_pkg_code fail_at(size_t *err_offset, size_t offset) {
  return fail_code(err_offset, offset, WG_PKG_MALFORMED);
}

/* Reads the kind's value (already known to be a string) into *out:
 * malformed if it names no surface or api, io when out of memory. */
static wg_pkg_code set_value(wg_permission *out, const wg_toml_value *v,
                             wg_arena *arena) {
  const char *s = v->u.string.text;
  size_t len = v->u.string.len;
  switch (out->kind) {
  case WG_PERM_SURFACE:
    return wg_surface_parse(s, len, &out->surface) ? WG_PKG_OK : WG_PKG_MALFORMED;
  case WG_PERM_HOST_API:
    if (pkg_str_is(s, len, "https")) out->api = WG_HOST_API_HTTPS;
    else if (pkg_str_is(s, len, "fs")) out->api = WG_HOST_API_FS;
    else return WG_PKG_MALFORMED;
    return WG_PKG_OK;
  case WG_PERM_TOOL:
  case WG_PERM_TOOL_NAMESPACE:
    out->text = wg_arena_strndup(arena, s, len);
    out->text_len = len;
    return out->text ? WG_PKG_OK : WG_PKG_IO;
  case WG_PERM_EXTERNAL_WRITE:
    break;
  }
  return WG_PKG_MALFORMED;
}

wg_pkg_code wg_permission_from_toml(const wg_toml_value *v, wg_arena *arena,
                                    wg_permission *out, size_t *err_offset) {
  memset(out, 0, sizeof *out);
  if (!v) return fail_at(err_offset, 0);
  if (v->type != WG_TOML_TABLE) return fail_at(err_offset, v->pos.offset);
  const wg_toml_member *kind = wg_toml_find(v, "kind", 4);
  /* serde reads the tag first: a missing or unknown tag fails before any
   * other key is looked at. */
  if (!kind) return fail_at(err_offset, v->pos.offset);
  if (kind->value->type != WG_TOML_STRING)
    return fail_at(err_offset, kind->value->pos.offset);
  bool known = false;
  for (unsigned k = 0; k < KIND_COUNT; k++) {
    if (pkg_str_is(kind->value->u.string.text, kind->value->u.string.len,
                  kind_names[k])) {
      out->kind = (wg_perm_kind)k;
      known = true;
    }
  }
  if (!known) return fail_at(err_offset, kind->value->pos.offset);
  const char *value_key = kind_value_key(out->kind);
  bool have_value = false;
  for (size_t i = 0; i < wg_toml_count(v); i++) {
    const wg_toml_member *m = wg_toml_member_at(v, i);
    if (m == kind) continue;
    if (!value_key || !pkg_str_is(m->key, m->key_len, value_key))
      return fail_at(err_offset, m->key_pos.offset);
    wg_pkg_code code = m->value->type == WG_TOML_STRING
                           ? set_value(out, m->value, arena) : WG_PKG_MALFORMED;
    if (code != WG_PKG_OK) return fail_code(err_offset, m->value->pos.offset, code);
    have_value = true;
  }
  if (value_key && !have_value) return fail_at(err_offset, v->pos.offset);
  return WG_PKG_OK;
}

size_t wg_permission_label(const wg_permission *p, char *out, size_t cap) {
  /* a tool name's display: a label longer than this is cut by cap anyway */
  enum { LABEL_TEXT_SHOWN = 4096 };
  const char *kind = wg_perm_kind_name(p->kind);
  int n;
  switch (p->kind) {
  case WG_PERM_SURFACE:
    n = snprintf(out, cap, "surfaces.%s", wg_surface_name(p->surface));
    break;
  case WG_PERM_TOOL:
  case WG_PERM_TOOL_NAMESPACE:
    /* %.*s would stop at an embedded NUL; the label is for display. */
    n = snprintf(out, cap, "%s.%.*s", kind,
                 (int)(p->text_len > LABEL_TEXT_SHOWN ? LABEL_TEXT_SHOWN : p->text_len),
                 p->text ? p->text : "");
    break;
  case WG_PERM_HOST_API:
    n = snprintf(out, cap, "%s.%s", kind, wg_host_api_name(p->api));
    break;
  case WG_PERM_EXTERNAL_WRITE:
  default: /* out of range: the kind name is WG_NAME_UNKNOWN */
    n = snprintf(out, cap, "%s", kind);
    break;
  }
  return n < 0 ? 0 : (size_t)n;
}

bool wg_permission_equal(const wg_permission *a, const wg_permission *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case WG_PERM_SURFACE: return a->surface == b->surface;
  case WG_PERM_HOST_API: return a->api == b->api;
  case WG_PERM_EXTERNAL_WRITE: return true;
  case WG_PERM_TOOL:
  case WG_PERM_TOOL_NAMESPACE:
    return a->text_len == b->text_len &&
           (a->text_len == 0 || memcmp(a->text, b->text, a->text_len) == 0);
  }
  return false;
}

bool wg_permissions_contain(const wg_permission *list, size_t n,
                            const wg_permission *p) {
  for (size_t i = 0; i < n; i++)
    if (wg_permission_equal(&list[i], p)) return true;
  return false;
}

bool wg_permissions_allow_tool(const wg_permission *list, size_t n,
                               const char *tool, size_t tool_len) {
  for (size_t i = 0; i < n; i++) {
    const wg_permission *p = &list[i];
    if (p->kind == WG_PERM_TOOL && p->text_len == tool_len &&
        (tool_len == 0 || memcmp(p->text, tool, tool_len) == 0))
      return true;
    /* yoi: a non-empty namespace that is a plain byte prefix. */
    if (p->kind == WG_PERM_TOOL_NAMESPACE && p->text_len > 0 &&
        p->text_len <= tool_len && memcmp(p->text, tool, p->text_len) == 0)
      return true;
  }
  return false;
}
