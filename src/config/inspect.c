/* inspect.c: static inspection for `list` and `show`, as yoi's `plugin
 * list|show` (docs/configuration.md#list--show-wg_inspect).
 * One item per reference, gathered from discovered packages (by identity),
 * enablement entries (by id as written), resolved plugins and diagnostics
 * (by identity, else "source:" + label stem, else "<global>"). Resolved
 * items get inspect_resolved_plugin_static: runtime kind and ABI, host API
 * eligibility, per-tool validity and authorization. Nothing here reads a
 * package or runs code.
 *
 * All item memory lives in one arena; the items point into cfg, disc and
 * res for manifest text. */
#include "cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_NOT_ENABLED "plugin is discovered but not enabled"
#define MSG_NOT_RESOLVED "plugin is configured but not resolved"
#define MSG_NO_RUNTIME "resolved plugin package does not declare a WASM runtime"
#define MSG_RUNTIME_KIND "plugin runtime kind is unsupported"
#define MSG_RUNTIME_ABI "plugin WASM ABI is unsupported"
#define WG_ABI "yoi-plugin-wasm-1"

struct wg_inspect_priv {
  wg_arena arena;
};

const char *wg_plugin_status_name(wg_plugin_status s) {
  switch (s) {
  case WG_PLUGIN_ACTIVE: return "active";
  case WG_PLUGIN_DISABLED: return "disabled";
  case WG_PLUGIN_MISSING: return "missing";
  case WG_PLUGIN_REJECTED: return "rejected";
  case WG_PLUGIN_PARTIAL: return "partial";
  }
  return WG_NAME_UNKNOWN;
}

typedef struct insp {
  wg_arena *arena;
  const wg_config *cfg;
  const wg_discovery *disc;
  const wg_resolution *res;
  const char **disc_keys, **res_keys; /* each diagnostic's item key */
  bool oom;
} insp;

static char *dup_n(insp *s, const char *p, size_t n) {
  char *c = wg_arena_strndup(s->arena, p, n);
  if (!c) s->oom = true;
  return c;
}
static char *dup(insp *s, const char *p) { return dup_n(s, p, strlen(p)); }

/* ---- keys ---------------------------------------------------------------- */

/* The reference a diagnostic belongs to: its identity, else "source:" +
 * the package label without .yoi-plugin, else "<global>", as yoi keys it. */
void wg_plugin_diag_ref(const wg_plugin_diag *d, char *out, size_t cap) {
  if (d->identity[0] || (!d->has_source && !d->package[0])) {
    cfg_fmt(out, cap, "%s", d->identity[0] ? d->identity : "<global>");
    return;
  }
  if (!d->has_source || !d->package[0]) {
    cfg_fmt(out, cap, "<global>");
    return;
  }
  size_t n = strlen(d->package), e = strlen(".yoi-plugin");
  if (n > e && strcmp(d->package + n - e, ".yoi-plugin") == 0) n -= e;
  cfg_fmt(out, cap, "%s:%.*s", wg_source_name(d->source), (int)n, d->package);
}

static void diag_key(const wg_plugin_diag *d, char *out, size_t cap) {
  wg_plugin_diag_ref(d, out, cap);
}

/* The reference of an enablement entry: its id as written, cut the way a
 * diagnostic's identity is cut, so the two always meet in one item. */
static void entry_key(const wg_config_enabled *e, char out[WG_PLUGIN_REF_MAX]) {
  cfg_copy(out, WG_PLUGIN_REF_MAX, e->id ? e->id : "");
}

typedef struct key_list {
  char **keys;
  size_t count, cap;
} key_list;

static void key_add(insp *s, key_list *k, const char *key) {
  if (s->oom) return;
  char **n = wg_vec_reserve(k->keys, &k->cap, k->count + 1, sizeof *n, 0);
  if (!n) {
    s->oom = true;
    return;
  }
  k->keys = n;
  k->keys[k->count] = dup(s, key);
  if (k->keys[k->count]) k->count++;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each diagnostic's key is computed once and kept (*keys[i]), so building
 * an item is one string compare per diagnostic. */
static void collect_diag_keys(insp *s, key_list *k, const wg_plugin_diag *d,
                              size_t n, const char ***keys) {
  char key[WG_PLUGIN_REF_MAX + WG_PLUGIN_LABEL_MAX];
  *keys = wg_arena_array(s->arena, n ? n : 1, sizeof **keys);
  if (!*keys) s->oom = true;
  for (size_t i = 0; i < n && !s->oom; i++) {
    diag_key(&d[i], key, sizeof key);
    key_add(s, k, key);
    if (!s->oom) (*keys)[i] = k->keys[k->count - 1];
  }
}

static void collect_keys(insp *s, key_list *k) {
  for (size_t i = 0; i < s->disc->count; i++)
    key_add(s, k, s->disc->packages[i].identity);
  char ek[WG_PLUGIN_REF_MAX];
  for (size_t i = 0; i < s->cfg->enabled_count; i++) {
    entry_key(&s->cfg->enabled[i], ek);
    key_add(s, k, ek);
  }
  collect_diag_keys(s, k, s->disc->diags, s->disc->diag_count, &s->disc_keys);
  collect_diag_keys(s, k, s->res->diags, s->res->diag_count, &s->res_keys);
  if (s->oom || k->count == 0) return;
  qsort(k->keys, k->count, sizeof *k->keys, cmp_str);
  size_t o = 1;
  for (size_t i = 1; i < k->count; i++)
    if (strcmp(k->keys[i], k->keys[o - 1]) != 0) k->keys[o++] = k->keys[i];
  k->count = o;
}

/* ---- string sets --------------------------------------------------------- */

typedef struct str_acc {
  const char **items;
  size_t count, cap;
} str_acc;

/* Room for one more element in an arena array of count elements of elem
 * bytes: doubles *cap (first capacity `first`) by copying into a new arena
 * block (the arena frees the old one with the rest). False, and s->oom, when
 * the arena is out of memory. */
static bool arena_room(insp *s, void **items, size_t *cap, size_t count,
                       size_t elem, size_t first) {
  if (count < *cap) return true;
  size_t ncap = *cap ? *cap * 2 : first;
  void *n = wg_arena_array(s->arena, ncap, elem);
  if (!n) {
    s->oom = true;
    return false;
  }
  if (count) memcpy(n, *items, count * elem);
  *items = n;
  *cap = ncap;
  return true;
}

static void acc_add(insp *s, str_acc *a, const char *str) {
  void *items = a->items;
  if (s->oom || !str || !arena_room(s, &items, &a->cap, a->count, sizeof *a->items, 8))
    return;
  a->items = items;
  a->items[a->count++] = str;
}

static wg_strings acc_finish(str_acc *a) {
  if (a->count > 1) {
    qsort(a->items, a->count, sizeof *a->items, cmp_str);
    size_t o = 1;
    for (size_t i = 1; i < a->count; i++)
      if (strcmp(a->items[i], a->items[o - 1]) != 0) a->items[o++] = a->items[i];
    a->count = o;
  }
  return (wg_strings){a->items, a->count};
}

static wg_strings surface_set(insp *s, unsigned bits) {
  str_acc a = {0};
  for (unsigned i = 0; i < WG_SURFACE_COUNT; i++)
    if (bits & (1u << i)) acc_add(s, &a, wg_surface_name((wg_surface)i));
  return acc_finish(&a);
}

static wg_strings permission_set(insp *s, const wg_permission *p, size_t n) {
  str_acc a = {0};
  for (size_t i = 0; i < n; i++) {
    char small[256];
    size_t len = wg_permission_label(&p[i], small, sizeof small);
    char *label = wg_arena_alloc(s->arena, len + 1);
    if (!label) {
      s->oom = true;
      break;
    }
    if (len < sizeof small) memcpy(label, small, len + 1);
    else wg_permission_label(&p[i], label, len + 1);
    acc_add(s, &a, label);
  }
  return acc_finish(&a);
}

/* "<host> <METHODS comma-joined | <no-methods>> <prefixes comma-joined | *>" */
static wg_strings https_set(insp *s, const wg_config_grants *g) {
  str_acc a = {0};
  for (size_t i = 0; i < g->https_count; i++) {
    const wg_config_https_grant *h = &g->https[i];
    wg_buf b;
    wg_buf_init(&b, 64 * 1024);
    wg_buf_printf(&b, "%s ", h->host);
    for (size_t m = 0; m < h->method_count; m++)
      wg_buf_printf(&b, "%s%s", m ? "," : "", h->methods[m]);
    if (h->method_count == 0) wg_buf_append_str(&b, "<no-methods>");
    wg_buf_append_char(&b, ' ');
    for (size_t p = 0; p < h->path_prefix_count; p++)
      wg_buf_printf(&b, "%s%s", p ? "," : "", h->path_prefixes[p]);
    if (h->path_prefix_count == 0) wg_buf_append_char(&b, '*');
    if (wg_buf_ok(&b)) acc_add(s, &a, dup_n(s, b.data, b.len));
    else s->oom = true;
    wg_buf_free(&b);
  }
  return acc_finish(&a);
}

/* ---- diagnostics of an item ---------------------------------------------- */

typedef struct diag_acc {
  wg_inspect_diag *items;
  size_t count, cap;
} diag_acc;

static void diag_push(insp *s, diag_acc *a, const char *kind, const char *msg) {
  void *items = a->items;
  if (s->oom || !arena_room(s, &items, &a->cap, a->count, sizeof *a->items, 4)) return;
  a->items = items;
  a->items[a->count++] = (wg_inspect_diag){kind, dup(s, msg)};
}

static int cmp_diag(const void *a, const void *b) {
  const wg_inspect_diag *x = a, *y = b;
  int c = strcmp(x->kind, y->kind);
  return c ? c : strcmp(x->message, y->message);
}

/* ---- static inspection of a resolved plugin ------------------------------ */

static void inspect_runtime(insp *s, wg_inspect_item *it, const wg_manifest *m) {
  it->runtime.eligible = false;
  if (!m->has_runtime) {
    it->runtime.status = "none";
    it->runtime.diagnostic = MSG_NO_RUNTIME;
    return;
  }
  if (strcmp(m->runtime.kind, "wasm") != 0) {
    it->runtime.status = dup(s, m->runtime.kind);
    it->runtime.diagnostic = MSG_RUNTIME_KIND;
    return;
  }
  if (!m->runtime.abi) {
    it->runtime.status = "wasm/<missing-abi>";
    it->runtime.diagnostic = MSG_RUNTIME_ABI;
    return;
  }
  char status[WG_PKG_MESSAGE_MAX];
  cfg_fmt(status, sizeof status, "wasm/%s", m->runtime.abi);
  it->runtime.status = dup(s, status);
  if (strcmp(m->runtime.abi, WG_ABI) != 0) {
    it->runtime.diagnostic = MSG_RUNTIME_ABI;
    return;
  }
  it->runtime.eligible = true;
}

static void inspect_host_apis(insp *s, wg_inspect_item *it, const wg_resolved *r) {
  const wg_manifest *m = r->package->manifest;
  const wg_config_grants *g = &r->entry->grants;
  static const wg_host_api apis[2] = {WG_HOST_API_HTTPS, WG_HOST_API_FS};
  for (size_t i = 0; i < 2; i++) {
    wg_permission p = {.kind = WG_PERM_HOST_API, .api = apis[i]};
    bool requested = wg_permissions_contain(m->permissions, m->permission_count, &p);
    bool granted = wg_permissions_contain(g->permissions, g->permission_count, &p);
    if (!requested && !granted) continue;
    wg_inspect_host_api *h = &it->host_apis[it->host_api_count++];
    char msg[WG_AUTH_MESSAGE_MAX];
    h->api = apis[i];
    h->requested = requested;
    h->granted = granted;
    h->eligible = wg_authorize_host_api(r, apis[i], msg);
    h->diagnostic = h->eligible ? NULL : dup(s, msg);
  }
}

/* Tool validity (name, schema, as at registration) then authorization. */
static void inspect_tool(insp *s, const wg_resolved *r, size_t i,
                         wg_inspect_tool *t) {
  const wg_manifest *m = r->package->manifest;
  const wg_config_grants *g = &r->entry->grants;
  const wg_manifest_tool *mt = &m->tools[i];
  t->requested = wg_permissions_allow_tool(m->permissions, m->permission_count,
                                           mt->name, mt->name_len);
  t->granted = wg_permissions_allow_tool(g->permissions, g->permission_count,
                                         mt->name, mt->name_len);
  wg_manifest_diag md;
  char msg[WG_AUTH_MESSAGE_MAX];
  if (wg_manifest_tool_check(m, i, &md) != 0) {
    char text[WG_PKG_MESSAGE_MAX + 8 + WG_PKG_MESSAGE_MAX];
    if (md.location[0])
      cfg_fmt(text, sizeof text, "%s (%s)", md.diag.message, md.location);
    else
      cfg_fmt(text, sizeof text, "%s", md.diag.message);
    t->diagnostic = dup(s, text);
  } else if (!wg_authorize_tool(r, mt, msg)) {
    t->diagnostic = dup(s, msg);
  } else {
    t->eligible = true;
  }
}

/* The item's tool list, with the manifest's names and external_write set;
 * false (s->oom) when the arena is out of memory. */
static bool list_tools(insp *s, wg_inspect_item *it, const wg_manifest *m) {
  it->tool_count = m->tool_count;
  it->tools = wg_arena_array(s->arena, m->tool_count ? m->tool_count : 1,
                             sizeof *it->tools);
  if (!it->tools) {
    s->oom = true;
    return false;
  }
  for (size_t i = 0; i < m->tool_count; i++) {
    it->tools[i].name = m->tools[i].name;
    it->tools[i].name_len = m->tools[i].name_len;
    it->tools[i].external_write = m->tools[i].external_write;
  }
  return true;
}

static void inspect_resolved(insp *s, wg_inspect_item *it, const wg_resolved *r,
                             diag_acc *diags) {
  const wg_manifest *m = r->package->manifest;
  it->has_static_runtime = true;
  inspect_runtime(s, it, m);
  inspect_host_apis(s, it, r);
  it->static_eligible = it->runtime.eligible;
  char text[WG_PKG_MESSAGE_MAX * 2];
  if (!it->runtime.eligible) {
    cfg_fmt(text, sizeof text, "runtime: %s", it->runtime.diagnostic);
    diag_push(s, diags, "static_eligibility", text);
  }
  for (size_t i = 0; i < it->host_api_count; i++) {
    const wg_inspect_host_api *h = &it->host_apis[i];
    if (h->eligible) continue;
    it->static_eligible = false;
    cfg_fmt(text, sizeof text, "host_api.%s: %s", wg_host_api_name(h->api),
             h->diagnostic ? h->diagnostic : "");
    diag_push(s, diags, "static_eligibility", text);
  }
  if (!list_tools(s, it, m)) return;
  for (size_t i = 0; i < m->tool_count && !s->oom; i++) {
    wg_inspect_tool *t = &it->tools[i];
    inspect_tool(s, r, i, t);
    if (t->eligible) continue;
    /* Statically eligible means nothing is wrong: a denied tool counts, so
     * a plugin whose every tool is denied is rejected, not active. */
    it->static_eligible = false;
    /* The name is manifest text: the diagnostic names the tool by index. */
    cfg_fmt(text, sizeof text, "tools[%zu]: %s", i, t->diagnostic ? t->diagnostic : "");
    diag_push(s, diags, "static_eligibility", text);
  }
}

/* Tools of a package that is not resolved: nothing is granted. */
static void list_unresolved_tools(insp *s, wg_inspect_item *it,
                                  const wg_manifest *m, const char *why) {
  if (!list_tools(s, it, m)) return;
  for (size_t i = 0; i < m->tool_count; i++) {
    wg_inspect_tool *t = &it->tools[i];
    t->requested = wg_permissions_allow_tool(m->permissions, m->permission_count,
                                             t->name, t->name_len);
    t->diagnostic = why;
  }
}

/* ---- status (yoi's active/disabled/missing/rejected/partial) ------------- */

static wg_plugin_status status_of(const wg_inspect_item *it,
                                  bool file_present, bool non_missing) {
  if (it->resolved) {
    size_t eligible = 0;
    for (size_t i = 0; i < it->tool_count; i++) eligible += it->tools[i].eligible;
    bool problem = it->diag_count > 0 || eligible < it->tool_count ||
                   !it->static_eligible;
    if (eligible > 0 && problem) return WG_PLUGIN_PARTIAL;
    if (eligible > 0 || (it->static_eligible && it->enabled_surfaces.count > 0))
      return WG_PLUGIN_ACTIVE;
    return WG_PLUGIN_REJECTED;
  }
  if (it->discovered && !it->configured) return WG_PLUGIN_DISABLED;
  if (it->configured && !it->discovered)
    return file_present || non_missing ? WG_PLUGIN_REJECTED : WG_PLUGIN_MISSING;
  return WG_PLUGIN_REJECTED;
}

/* ---- one item ------------------------------------------------------------ */

static void add_diags(insp *s, const char *key, const wg_plugin_diag *d,
                      const char *const *keys, size_t n, diag_acc *acc,
                      wg_inspect_item *it, bool *file_present, bool *non_missing) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(keys[i], key) != 0) continue;
    diag_push(s, acc, wg_pkg_code_name(d[i].kind), d[i].message);
    if (d[i].kind != WG_PKG_MISSING) *non_missing = true;
    if (d[i].has_source && d[i].package[0]) {
      *file_present = true;
      if (!it->package) it->package = dup(s, d[i].package);
    }
    if (!it->has_source && d[i].has_source) {
      it->has_source = true;
      it->source = d[i].source;
    }
  }
}

static void fill_package(insp *s, wg_inspect_item *it, const wg_discovered *p) {
  const wg_manifest *m = p->manifest;
  it->has_source = true;
  it->source = p->source;
  it->package = dup(s, p->label);
  it->package_path = p->path;
  it->version = m->version;
  it->digest = p->digest;
  it->has_schema_version = true;
  it->schema_version = m->schema_version;
  str_acc a = {0};
  for (size_t i = 0; i < m->surface_count; i++)
    acc_add(s, &a, wg_surface_name(m->surfaces[i]));
  it->declared_surfaces = acc_finish(&a);
  it->requested_permissions = permission_set(s, m->permissions, m->permission_count);
}

static void build_item(insp *s, const char *key, wg_inspect_item *it) {
  it->reference = key;
  const char *colon = strchr(key, ':');
  it->local_ref = colon ? colon + 1 : key;
  const wg_discovered *pkg = NULL;
  const wg_config_enabled *entry = NULL;
  const wg_resolved *res = NULL;
  for (size_t i = 0; i < s->disc->count && !pkg; i++)
    if (strcmp(s->disc->packages[i].identity, key) == 0) pkg = &s->disc->packages[i];
  char ek[WG_PLUGIN_REF_MAX];
  for (size_t i = 0; i < s->cfg->enabled_count && !entry; i++) {
    entry_key(&s->cfg->enabled[i], ek);
    if (strcmp(ek, key) == 0) entry = &s->cfg->enabled[i];
  }
  for (size_t i = 0; i < s->res->count && !res; i++)
    if (strcmp(s->res->plugins[i].package->identity, key) == 0) res = &s->res->plugins[i];
  it->discovered = pkg != NULL;
  it->configured = entry != NULL;
  it->resolved = res != NULL;
  if (res) pkg = res->package;
  if (pkg) fill_package(s, it, pkg);
  if (entry) {
    it->configured_grants = permission_set(s, entry->grants.permissions,
                                           entry->grants.permission_count);
    it->configured_https_grants = https_set(s, &entry->grants);
  }
  diag_acc diags = {0};
  bool file_present = false, non_missing = false;
  add_diags(s, key, s->disc->diags, s->disc_keys, s->disc->diag_count, &diags, it,
            &file_present, &non_missing);
  add_diags(s, key, s->res->diags, s->res_keys, s->res->diag_count, &diags, it,
            &file_present, &non_missing);
  if (res) {
    it->enabled_surfaces = surface_set(s, res->enabled_surfaces);
    inspect_resolved(s, it, res, &diags);
  } else if (pkg) {
    list_unresolved_tools(s, it, pkg->manifest,
                          entry ? MSG_NOT_RESOLVED : MSG_NOT_ENABLED);
  }
  if (diags.count > 1) qsort(diags.items, diags.count, sizeof *diags.items, cmp_diag);
  it->diags = diags.items;
  it->diag_count = diags.count;
  it->status = status_of(it, file_present, non_missing);
}

wg_config_code wg_inspect(const wg_config *cfg, const wg_discovery *disc,
                          const wg_resolution *res, wg_inspection *out) {
  memset(out, 0, sizeof *out);
  out->priv = calloc(1, sizeof *out->priv);
  if (!out->priv) return WG_CONFIG_NOMEM;
  wg_arena_init(&out->priv->arena, 0);
  insp s = {.arena = &out->priv->arena, .cfg = cfg, .disc = disc, .res = res};
  key_list keys = {0};
  collect_keys(&s, &keys);
  out->total = keys.count;
  size_t n = keys.count < WG_INSPECT_MAX_ITEMS ? keys.count : WG_INSPECT_MAX_ITEMS;
  out->items = wg_arena_array(s.arena, n ? n : 1, sizeof *out->items);
  if (!out->items) s.oom = true;
  for (size_t i = 0; i < n && !s.oom; i++) build_item(&s, keys.keys[i], &out->items[i]);
  out->count = n;
  free(keys.keys); /* the strings themselves are in the arena */
  if (s.oom) {
    wg_inspection_free(out);
    return WG_CONFIG_NOMEM;
  }
  return WG_CONFIG_OK;
}

void wg_inspection_free(wg_inspection *in) {
  if (in->priv) {
    wg_arena_free(&in->priv->arena);
    free(in->priv);
  }
  memset(in, 0, sizeof *in);
}

wg_inspect_lookup wg_inspect_find(const wg_inspection *in, const char *ref,
                                  const wg_inspect_item **out) {
  *out = NULL;
  for (size_t i = 0; i < in->count; i++)
    if (strcmp(in->items[i].reference, ref) == 0) {
      *out = &in->items[i];
      return WG_LOOKUP_FOUND;
    }
  size_t matches = 0;
  for (size_t i = 0; i < in->count; i++)
    if (strcmp(in->items[i].local_ref, ref) == 0) {
      if (!*out) *out = &in->items[i];
      matches++;
    }
  if (matches == 1) return WG_LOOKUP_FOUND;
  *out = NULL;
  return matches ? WG_LOOKUP_AMBIGUOUS : WG_LOOKUP_NOT_FOUND;
}
