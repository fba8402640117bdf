/* manifest.c: plugin.toml, yoi's PluginPackageManifest
 * (docs/design.md#manifest).
 *
 * Two steps, as in yoi. wg_manifest_parse is the serde step: the TOML tree
 * is walked key by key in document order with deny_unknown_fields at every
 * level, each value's type is checked, and required keys are checked at the
 * end of their table; the first problem is "plugin.toml could not be parsed"
 * plus the byte span of the offending key or value (none for a key missing
 * from the root, like toml-rs). wg_manifest_validate then applies the
 * discovery rules in yoi's order. Everything the manifest holds is copied
 * into one arena; the TOML tree is freed before parse returns. */
#include "manifest_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* yoi's bounded_message: 240 bytes, then an ellipsis. */
#define PKG_MESSAGE_BOUND 240u

typedef struct parser {
  pkg_manifest *mf;
  wg_arena *arena;
  wg_pkg_diag *diag;
} parser;

/* yoi's bounded_message: cut at 240 bytes on a UTF-8 boundary + "…". */
static void set_bounded(wg_pkg_diag *d, wg_pkg_code kind, const char *text) {
  char cut[WG_PKG_MESSAGE_MAX];
  wg_utf8_cut(cut, sizeof cut, text, strlen(text), PKG_MESSAGE_BOUND, "\xE2\x80\xA6");
  pkg_diag_set(d, kind, WG_PKG_PHASE_MANIFEST, cut);
}

static int parse_fail_span(parser *p, size_t start, size_t end) {
  char text[128];
  snprintf(text, sizeof text, WG_MANIFEST_PARSE_MESSAGE " near byte span %zu..%zu",
           start, end);
  set_bounded(p->diag, WG_PKG_MALFORMED, text);
  return -1;
}

static int parse_fail_at(parser *p, const wg_toml_pos *pos) {
  return parse_fail_span(p, pos->offset, pos->offset + 1);
}

static int parse_fail_key(parser *p, const wg_toml_member *m) {
  return parse_fail_span(p, m->key_pos.offset, m->key_pos.offset + m->key_len);
}

static int parse_fail_nospan(parser *p) {
  set_bounded(p->diag, WG_PKG_MALFORMED, WG_MANIFEST_PARSE_MESSAGE);
  return -1;
}

static int oom(parser *p) {
  pkg_diag_oom(p->diag);
  return -1;
}

static int take_string(parser *p, const wg_toml_value *v, const char **s,
                       size_t *len) {
  if (v->type != WG_TOML_STRING) return parse_fail_at(p, &v->pos);
  *s = wg_arena_strndup(p->arena, v->u.string.text, v->u.string.len);
  if (!*s) return oom(p);
  *len = v->u.string.len;
  return 0;
}

/* serde's u32: a TOML integer in 0..=u32::MAX. */
static int take_u32(parser *p, const wg_toml_value *v, uint32_t *out) {
  if (v->type != WG_TOML_INTEGER || v->u.integer < 0 ||
      v->u.integer > (int64_t)UINT32_MAX)
    return parse_fail_at(p, &v->pos);
  *out = (uint32_t)v->u.integer;
  return 0;
}

/* An array's items, allocated in the arena; count 0 is fine. */
static void *take_array(parser *p, const wg_toml_value *v, size_t elem,
                        size_t *count) {
  if (v->type != WG_TOML_ARRAY) {
    parse_fail_at(p, &v->pos);
    return NULL;
  }
  *count = v->u.array.count;
  void *items = wg_arena_array(p->arena, *count ? *count : 1, elem);
  if (!items) oom(p);
  return items;
}

static int parse_surfaces(parser *p, const wg_toml_value *v) {
  size_t n = 0;
  wg_surface *s = take_array(p, v, sizeof *s, &n);
  if (!s) return -1;
  for (size_t i = 0; i < n; i++) {
    const wg_toml_value *item = wg_toml_at(v, i);
    if (item->type != WG_TOML_STRING ||
        !wg_surface_parse(item->u.string.text, item->u.string.len, &s[i]))
      return parse_fail_at(p, &item->pos);
  }
  p->mf->pub.surfaces = s;
  p->mf->pub.surface_count = n;
  return 0;
}

static int parse_runtime(parser *p, const wg_toml_value *v) {
  wg_manifest *m = &p->mf->pub;
  if (v->type != WG_TOML_TABLE) return parse_fail_at(p, &v->pos);
  bool have_kind = false, have_entry = false;
  for (size_t i = 0; i < wg_toml_count(v); i++) {
    const wg_toml_member *mem = wg_toml_member_at(v, i);
    int rc;
    if (pkg_str_is(mem->key, mem->key_len, "kind")) {
      rc = take_string(p, mem->value, &m->runtime.kind, &m->runtime.kind_len);
      have_kind = true;
    } else if (pkg_str_is(mem->key, mem->key_len, "entry")) {
      rc = take_string(p, mem->value, &m->runtime.entry, &m->runtime.entry_len);
      have_entry = true;
    } else if (pkg_str_is(mem->key, mem->key_len, "abi")) {
      rc = take_string(p, mem->value, &m->runtime.abi, &m->runtime.abi_len);
    } else {
      return parse_fail_key(p, mem);
    }
    if (rc) return rc;
  }
  if (!have_kind || !have_entry) return parse_fail_at(p, &v->pos);
  m->has_runtime = true;
  return 0;
}

static int parse_hook(parser *p, const wg_toml_value *v, wg_manifest_hook *h) {
  if (v->type != WG_TOML_TABLE) return parse_fail_at(p, &v->pos);
  bool have_id = false, have_file = false;
  for (size_t i = 0; i < wg_toml_count(v); i++) {
    const wg_toml_member *mem = wg_toml_member_at(v, i);
    int rc;
    if (pkg_str_is(mem->key, mem->key_len, "id")) {
      rc = take_string(p, mem->value, &h->id, &h->id_len);
      have_id = true;
    } else if (pkg_str_is(mem->key, mem->key_len, "file")) {
      rc = take_string(p, mem->value, &h->file, &h->file_len);
      have_file = true;
    } else {
      return parse_fail_key(p, mem);
    }
    if (rc) return rc;
  }
  if (!have_id || !have_file) return parse_fail_at(p, &v->pos);
  return 0;
}

static int parse_hooks(parser *p, const wg_toml_value *v) {
  size_t n = 0;
  wg_manifest_hook *hooks = take_array(p, v, sizeof *hooks, &n);
  if (!hooks) return -1;
  for (size_t i = 0; i < n; i++)
    if (parse_hook(p, wg_toml_at(v, i), &hooks[i])) return -1;
  p->mf->pub.hooks = hooks;
  p->mf->pub.hook_count = n;
  return 0;
}

/* input_schema: any TOML value; its JSON form (or where it has none) is
 * kept for wg_manifest_tool_check. */
static int take_schema(parser *p, const wg_toml_value *v, size_t index,
                       wg_manifest_tool *t) {
  wg_buf where;
  wg_buf_init(&where, WG_PKG_MESSAGE_MAX - 1);
  wg_buf_printf(&where, "tools[%zu].input_schema", index);
  int rc = pkg_toml_to_json(v, p->arena, &t->input_schema_json,
                           &t->input_schema_len, &where);
  if (rc == 1) {
    const char *loc = where.data ? where.data : "";
    t->input_schema_error = wg_arena_strndup(p->arena, loc, strlen(loc));
    if (!t->input_schema_error) rc = -1;
  }
  wg_buf_free(&where);
  return rc < 0 ? oom(p) : 0;
}

static int parse_tool(parser *p, const wg_toml_value *v, size_t index,
                      wg_manifest_tool *t) {
  if (v->type != WG_TOML_TABLE) return parse_fail_at(p, &v->pos);
  bool have_name = false, have_desc = false, have_schema = false;
  for (size_t i = 0; i < wg_toml_count(v); i++) {
    const wg_toml_member *mem = wg_toml_member_at(v, i);
    int rc = 0;
    if (pkg_str_is(mem->key, mem->key_len, "name")) {
      rc = take_string(p, mem->value, &t->name, &t->name_len);
      have_name = true;
    } else if (pkg_str_is(mem->key, mem->key_len, "description")) {
      rc = take_string(p, mem->value, &t->description, &t->description_len);
      have_desc = true;
    } else if (pkg_str_is(mem->key, mem->key_len, "input_schema")) {
      rc = take_schema(p, mem->value, index, t);
      have_schema = true;
    } else if (pkg_str_is(mem->key, mem->key_len, "external_write")) {
      if (mem->value->type != WG_TOML_BOOL)
        return parse_fail_at(p, &mem->value->pos);
      t->external_write = mem->value->u.boolean;
    } else {
      return parse_fail_key(p, mem);
    }
    if (rc) return rc;
  }
  if (!have_name || !have_desc || !have_schema)
    return parse_fail_at(p, &v->pos);
  return 0;
}

static int parse_tools(parser *p, const wg_toml_value *v) {
  size_t n = 0;
  wg_manifest_tool *tools = take_array(p, v, sizeof *tools, &n);
  if (!tools) return -1;
  for (size_t i = 0; i < n; i++)
    if (parse_tool(p, wg_toml_at(v, i), i, &tools[i])) return -1;
  p->mf->pub.tools = tools;
  p->mf->pub.tool_count = n;
  return 0;
}

static int parse_permissions(parser *p, const wg_toml_value *v) {
  size_t n = 0;
  wg_permission *perms = take_array(p, v, sizeof *perms, &n);
  if (!perms) return -1;
  for (size_t i = 0; i < n; i++) {
    size_t at = 0;
    wg_pkg_code code = wg_permission_from_toml(wg_toml_at(v, i), p->arena, &perms[i], &at);
    if (code == WG_PKG_IO) return oom(p);
    if (code != WG_PKG_OK) return parse_fail_span(p, at, at + 1);
  }
  p->mf->pub.permissions = perms;
  p->mf->pub.permission_count = n;
  return 0;
}

enum {
  HAVE_SCHEMA_VERSION = 1, HAVE_ID = 2, HAVE_NAME = 4, HAVE_VERSION = 8,
  HAVE_REQUIRED = 15,
};

static int parse_root_member(parser *p, const wg_toml_member *mem,
                             unsigned *have) {
  wg_manifest *m = &p->mf->pub;
  const wg_toml_value *v = mem->value;
  const char *k = mem->key;
  size_t kl = mem->key_len;
  if (pkg_str_is(k, kl, "schema_version")) {
    *have |= HAVE_SCHEMA_VERSION;
    return take_u32(p, v, &m->schema_version);
  }
  if (pkg_str_is(k, kl, "id")) {
    *have |= HAVE_ID;
    return take_string(p, v, &m->id, &m->id_len);
  }
  if (pkg_str_is(k, kl, "name")) {
    *have |= HAVE_NAME;
    return take_string(p, v, &m->name, &m->name_len);
  }
  if (pkg_str_is(k, kl, "version")) {
    *have |= HAVE_VERSION;
    return take_string(p, v, &m->version, &m->version_len);
  }
  if (pkg_str_is(k, kl, "description"))
    return take_string(p, v, &m->description, &m->description_len);
  if (pkg_str_is(k, kl, "surfaces")) return parse_surfaces(p, v);
  if (pkg_str_is(k, kl, "runtime")) return parse_runtime(p, v);
  if (pkg_str_is(k, kl, "hooks")) return parse_hooks(p, v);
  if (pkg_str_is(k, kl, "tools")) return parse_tools(p, v);
  if (pkg_str_is(k, kl, "permissions")) return parse_permissions(p, v);
  return parse_fail_key(p, mem);
}

/* declared_surfaces(): the explicit list plus the implied ones. */
static unsigned declared_surfaces(const wg_manifest *m) {
  unsigned mask = 0;
  for (size_t i = 0; i < m->surface_count; i++) mask |= 1u << m->surfaces[i];
  if (m->hook_count) mask |= 1u << WG_SURFACE_HOOK;
  if (m->tool_count) mask |= 1u << WG_SURFACE_TOOL;
  if (m->has_runtime) mask |= 1u << WG_SURFACE_WASM;
  return mask;
}

static int parse_tree(parser *p, const wg_toml_value *root) {
  unsigned have = 0;
  for (size_t i = 0; i < wg_toml_count(root); i++)
    if (parse_root_member(p, wg_toml_member_at(root, i), &have)) return -1;
  if ((have & HAVE_REQUIRED) != HAVE_REQUIRED) return parse_fail_nospan(p);
  p->mf->pub.declared_surfaces = declared_surfaces(&p->mf->pub);
  return 0;
}

static int toml_fail(parser *p, const wg_toml_error *e, size_t len) {
  if (e->code == WG_TOML_NOMEM) return oom(p);
  if (e->code == WG_TOML_TOO_LARGE && len > WG_MANIFEST_MAX_TEXT) {
    pkg_diag_set(p->diag, WG_PKG_BOUNDS, WG_PKG_PHASE_MANIFEST,
                 "plugin.toml exceeds the configured manifest size bound");
    return -1;
  }
  return parse_fail_span(p, e->offset, e->offset < len ? e->offset + 1 : len);
}

static int parse_manifest(const char *text, size_t len, wg_manifest **out,
                          wg_pkg_diag *diag) {
  *out = NULL;
  pkg_manifest *mf = calloc(1, sizeof *mf);
  parser p = {mf, mf ? &mf->arena : NULL, diag};
  if (!mf) return oom(&p);
  wg_arena_init(&mf->arena, WG_MANIFEST_MAX_ARENA);
  wg_toml_limits lim = wg_toml_default_limits();
  lim.max_size = WG_MANIFEST_MAX_TEXT;
  lim.max_depth = WG_MANIFEST_MAX_TOML_DEPTH;
  wg_toml_error terr;
  wg_toml_doc *doc = wg_toml_parse(text, text ? len : 0, &lim, &terr);
  int rc = doc ? parse_tree(&p, wg_toml_root(doc)) : toml_fail(&p, &terr, len);
  wg_toml_free(doc);
  if (rc) {
    wg_manifest_free(&mf->pub);
    return -1;
  }
  *out = &mf->pub;
  return 0;
}

wg_pkg_code wg_manifest_parse(const char *text, size_t len, wg_manifest **out,
                              wg_pkg_diag *diag) {
  wg_pkg_diag own;
  diag = pkg_diag_begin(diag, &own);
  return pkg_code_of(parse_manifest(text, len, out, diag), diag);
}

void wg_manifest_free(wg_manifest *m) {
  if (!m) return;
  pkg_manifest *mf = (pkg_manifest *)m;
  wg_arena_free(&mf->arena);
  free(mf);
}

/* ---- validation (discovery rules) ------------------------------------- */

/* yoi's is_safe_id: 1-128 bytes of [A-Za-z0-9._-], no leading or trailing
 * '.'. */
bool pkg_safe_id(const char *s, size_t len) {
  if (len == 0 || len > 128 || s[0] == '.' || s[len - 1] == '.') return false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

/* Rust's char::is_whitespace (Unicode White_Space). */
bool pkg_unicode_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 ||
         cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

/* Blank after Rust's str::trim. Bytes that are not UTF-8 count as text. */
static bool blank(const char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    size_t n = wg_utf8_decode((const uint8_t *)s + i, len - i, &cp);
    if (n == 0 || !pkg_unicode_space(cp)) return false;
    i += n;
  }
  return true;
}

static int invalid(wg_pkg_diag *d, wg_pkg_code kind, const char *message) {
  pkg_diag_set(d, kind, WG_PKG_PHASE_MANIFEST, message);
  return -1;
}

static int validate_runtime(const wg_manifest *m, const wg_pkg *pkg,
                            wg_pkg_diag *diag) {
  if (!pkg_str_is(m->runtime.kind, m->runtime.kind_len, "wasm"))
    return invalid(diag, WG_PKG_API, "plugin runtime kind is unsupported");
  if (!m->runtime.abi ||
      !pkg_str_is(m->runtime.abi, m->runtime.abi_len, "yoi-plugin-wasm-1"))
    return invalid(diag, WG_PKG_API, "plugin WASM ABI is unsupported");
  return pkg_check_ref(pkg, m->runtime.entry, m->runtime.entry_len, diag);
}

int pkg_check_ref(const wg_pkg *pkg, const char *path, size_t len,
                          wg_pkg_diag *diag) {
  if (pkg) {
    const wg_pkg_file *f;
    return wg_pkg_resolve_ref(pkg, path, len, &f, diag) == WG_PKG_OK ? 0 : -1;
  }
  if (!wg_pkg_path_valid(path, len))
    return invalid(diag, WG_PKG_TRAVERSAL,
                   "plugin manifest references a path outside the package root");
  return 0;
}

static int validate_manifest(const wg_manifest *m, const wg_pkg *pkg,
                             wg_pkg_diag *diag) {
  if (m->schema_version != 1)
    return invalid(diag, WG_PKG_API, "plugin schema/API version is unsupported");
  if (!pkg_safe_id(m->id, m->id_len))
    return invalid(diag, WG_PKG_MALFORMED,
                   "plugin manifest id is not a safe local id");
  if (blank(m->name, m->name_len) || blank(m->version, m->version_len))
    return invalid(diag, WG_PKG_MALFORMED,
                   "plugin manifest name and version are required");
  if (m->has_runtime && validate_runtime(m, pkg, diag)) return -1;
  for (size_t i = 0; i < m->hook_count; i++) {
    const wg_manifest_hook *h = &m->hooks[i];
    if (!pkg_safe_id(h->id, h->id_len))
      return invalid(diag, WG_PKG_MALFORMED, "plugin hook id is not safe");
    if (pkg_check_ref(pkg, h->file, h->file_len, diag)) return -1;
  }
  return 0;
}

wg_pkg_code wg_manifest_validate(const wg_manifest *m, const wg_pkg *pkg,
                                 wg_pkg_diag *diag) {
  wg_pkg_diag own;
  diag = pkg_diag_begin(diag, &own);
  return pkg_code_of(validate_manifest(m, pkg, diag), diag);
}

wg_pkg_code wg_manifest_load(const wg_pkg *pkg, wg_manifest **out, wg_pkg_diag *diag) {
  *out = NULL;
  wg_pkg_diag own;
  diag = pkg_diag_begin(diag, &own);
  const wg_pkg_file *f = wg_pkg_manifest_file(pkg);
  if (!f) {
    invalid(diag, WG_PKG_MISSING, "plugin package is missing root plugin.toml");
    return WG_PKG_MISSING;
  }
  wg_manifest *m;
  wg_pkg_code code = wg_manifest_parse((const char *)f->data, f->size, &m, diag);
  if (code != WG_PKG_OK) return code;
  code = wg_manifest_validate(m, pkg, diag);
  if (code != WG_PKG_OK) {
    wg_manifest_free(m);
    return code;
  }
  *out = m;
  return WG_PKG_OK;
}
