/* registry.c: the model-visible tool list from the resolved config
 * (yoi's registration rules: docs/design.md#tool-registration) and a call
 * of a registered tool.
 *
 * Order is deterministic: resolved plugins in enabled order, each plugin's
 * tools in manifest order; it depends only on config and manifests, never
 * on execution. The first registration of a name wins. */
#include "rt_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool push_diag(wg_registry *r, bool warning, const char *plugin,
                      const wg_manifest_tool *tool, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* tool: the manifest tool the diagnostic is about, or NULL. */
static bool push_diag(wg_registry *r, bool warning, const char *plugin,
                      const wg_manifest_tool *tool, const char *fmt, ...) {
  wg_registry_diag *d = wg_vec_reserve(r->diags, &r->diags_cap, r->diag_count + 1, sizeof *d, 0);
  if (!d) return false;
  r->diags = d;
  d = &r->diags[r->diag_count++];
  memset(d, 0, sizeof *d);
  d->warning = warning;
  wg_error_sanitize(d->plugin, sizeof d->plugin, plugin, strlen(plugin));
  if (tool) wg_error_sanitize(d->tool, sizeof d->tool, tool->name, tool->name_len);
  va_list ap;
  va_start(ap, fmt);
  wg_error_vformat(d->message, sizeof d->message, fmt, ap);
  va_end(ap);
  return true;
}

static const wg_tool *find_n(const wg_registry *r, const char *name, size_t len) {
  for (size_t i = 0; i < r->count; i++)
    if (r->tools[i].name_len == len && memcmp(r->tools[i].name, name, len) == 0)
      return &r->tools[i];
  return NULL;
}

const wg_tool *wg_registry_find(const wg_registry *r, const char *name) {
  return find_n(r, name, strlen(name));
}

static bool reserved_name(const char *const *reserved, size_t n,
                          const wg_manifest_tool *t) {
  for (size_t i = 0; i < n; i++)
    if (strlen(reserved[i]) == t->name_len && memcmp(reserved[i], t->name, t->name_len) == 0)
      return true;
  return false;
}

/* A short printable copy of a manifest tool name for messages. */
static void tool_label(char *dst, size_t size, const wg_manifest_tool *t) {
  wg_error_sanitize(dst, size, t->name, t->name_len);
}

/* The https context of plugin p: made on its first granted tool, one per
 * plugin (its grants normalised once), the policy once per registry. NULL
 * on out of memory. */
static const wg_https_ctx *https_ctx_for(wg_registry *r, const wg_config *cfg,
                                         const wg_resolved *p) {
  for (size_t i = 0; i < r->https_ctx_count; i++)
    if (r->https_ctxs[i]->plugin == p) return r->https_ctxs[i];
  wg_pol_error pe;
  if (!r->https_policy && wg_policy_new(cfg, &r->https_policy, &pe) != WG_POL_OK) return NULL;
  wg_https_ctx **grown = wg_vec_reserve(r->https_ctxs, &r->https_ctxs_cap,
                                        r->https_ctx_count + 1, sizeof *grown, 0);
  if (!grown) return NULL;
  r->https_ctxs = grown;
  wg_https_ctx *ctx = calloc(1, sizeof *ctx);
  const wg_config_grants *g = &p->entry->grants;
  wg_pol_grants *gs = ctx ? wg_pol_grants_new(g->https, g->https_count) : NULL;
  if (!gs) {
    free(ctx);
    return NULL;
  }
  *ctx = (wg_https_ctx){cfg, r->https_policy, p, gs, r->base_dir};
  r->https_ctxs[r->https_ctx_count++] = ctx;
  return ctx;
}

typedef struct install {
  wg_registry *r;
  const wg_config *cfg;
  const wg_resolved *p;
  const char *ref;
  const char *const *reserved;
  size_t reserved_count;
  size_t denied;
  char first_denial[WG_ERROR_MESSAGE_MAX + 1];
} install;

/* Returns 1 registered, 0 skipped, -1 stop this plugin, -2 out of memory. */
static int install_tool(install *in, size_t index) {
  const wg_manifest *m = in->p->package->manifest;
  const wg_manifest_tool *t = &m->tools[index];
  char name[WG_ERROR_TOOL_MAX + 8];
  tool_label(name, sizeof name, t);
  wg_manifest_diag md;
  if (wg_manifest_tool_check(m, index, &md) != 0)
    return push_diag(in->r, false, in->ref, t, "plugin `%s` tool `%s` is invalid: %s (%s)", in->ref,
                     name, md.diag.message, md.location) ? -1 : -2;
  char msg[WG_AUTH_MESSAGE_MAX];
  if (!wg_authorize_tool(in->p, t, msg)) {
    if (in->denied++ == 0)
      snprintf(in->first_denial, sizeof in->first_denial, "plugin `%s` tool `%s` registration denied: %s",
               in->ref, name, msg);
    return push_diag(in->r, true, in->ref, t, "plugin `%s` tool `%s` registration denied: %s", in->ref,
                     name, msg) ? 0 : -2;
  }
  const wg_tool *prior = find_n(in->r, t->name, t->name_len);
  if (prior || reserved_name(in->reserved, in->reserved_count, t))
    return push_diag(in->r, false, in->ref, t,
                     "duplicate tool contribution `%s` from feature `plugin:%s:tool`; first "
                     "registered by `%s`", name, in->ref,
                     prior ? prior->ref : "builtin") ? -1 : -2;
  wg_schema_error se;
  wg_schema *schema = wg_manifest_tool_schema(t, &se);
  if (!schema)
    return push_diag(in->r, false, in->ref, t, "plugin `%s` tool `%s` input_schema does not compile: %s",
                     in->ref, name, se.message) ? -1 : -2;
  wg_tool *grown = wg_vec_reserve(in->r->tools, &in->r->tools_cap, in->r->count + 1,
                                  sizeof *grown, 0);
  if (!grown) {
    wg_schema_free(schema);
    return -2;
  }
  in->r->tools = grown;
  char hmsg[WG_AUTH_MESSAGE_MAX];
  bool https = wg_authorize_host_api(in->p, WG_HOST_API_HTTPS, hmsg);
  const wg_https_ctx *ctx = https ? https_ctx_for(in->r, in->cfg, in->p) : NULL;
  if (https && !ctx) {
    wg_schema_free(schema);
    return -2;
  }
  grown[in->r->count++] = (wg_tool){
    .name = t->name, .name_len = t->name_len,
    .description = t->description, .description_len = t->description_len,
    .input_schema_json = t->input_schema_json, .input_schema_len = t->input_schema_len,
    .schema = schema, .plugin = in->p, .manifest_tool = t, .ref = in->ref,
    .version = m->version, .digest = in->p->package->digest,
    .https_granted = https, .https = ctx,
  };
  return 1;
}

/* One plugin, as yoi installs it: gated on [feature.plugins] and the tool
 * surface, then each tool in manifest order. False on out of memory. */
static bool install_plugin(wg_registry *r, const wg_config *cfg, const wg_resolved *p,
                           const char *const *reserved, size_t reserved_count) {
  const wg_manifest *m = p->package ? p->package->manifest : NULL;
  if (!m || !(p->enabled_surfaces & (1u << WG_SURFACE_TOOL)) || m->tool_count == 0) return true;
  install in = {r, cfg, p, p->package->identity, reserved, reserved_count, 0, ""};
  size_t registered = 0;
  for (size_t i = 0; i < m->tool_count; i++) {
    int rc = install_tool(&in, i);
    if (rc == -2) return false;
    if (rc == -1) break;
    registered += (size_t)rc;
  }
  if (registered == 0 && in.denied > 0 &&
      !push_diag(r, false, in.ref, NULL, "%zu plugin tool registrations denied; first denial: %s",
                 in.denied, in.first_denial))
    return false;
  return true;
}

/* Why an enabled plugin did not resolve: its resolution diagnostic, then
 * (in parentheses) the discovery diagnostics `wasmgate list` shows in the
 * same item, e.g. why its package could not be read. No paths: these are
 * fixed messages and file labels. */
void rt_rejection_reason(const wg_discovery *disc, const wg_plugin_diag *d, char *out,
                         size_t size) {
  size_t n = (size_t)snprintf(out, size, "%s", d->message);
  char ref[WG_PLUGIN_REF_MAX + 32], other[WG_PLUGIN_REF_MAX + 32];
  wg_plugin_diag_ref(d, ref, sizeof ref);
  bool open = false;
  for (size_t i = 0; disc && i < disc->diag_count && n < size; i++) {
    wg_plugin_diag_ref(&disc->diags[i], other, sizeof other);
    if (strcmp(ref, other) != 0) continue;
    n += (size_t)snprintf(out + n, size - n, "%s%s", open ? "; " : " (", disc->diags[i].message);
    open = true;
  }
  if (open && n < size) snprintf(out + n, size - n, ")");
}

/* An enabled plugin that did not resolve, as an error diagnostic. */
static bool push_rejected(wg_registry *r, const wg_discovery *disc, const wg_plugin_diag *d) {
  const char *ref = d->identity[0] ? d->identity : d->package;
  char why[WG_ERROR_MESSAGE_MAX + 1];
  rt_rejection_reason(disc, d, why, sizeof why);
  return push_diag(r, false, ref, NULL, "plugin `%s` was rejected: %s", ref, why);
}

static bool build(const wg_config *cfg, const wg_discovery *disc, const wg_resolution *res,
                  const char *const *reserved, size_t reserved_count, wg_registry *out) {
  memset(out, 0, sizeof *out);
  if (!cfg->plugins_feature_enabled) return true;
  for (size_t i = 0; i < res->diag_count; i++) {
    if (!push_rejected(out, disc, &res->diags[i])) {
      wg_registry_free(out);
      return false;
    }
  }
  for (size_t i = 0; i < res->count; i++) {
    if (!install_plugin(out, cfg, &res->plugins[i], reserved, reserved_count)) {
      wg_registry_free(out);
      return false;
    }
  }
  return true;
}

bool wg_registry_build(const wg_config *cfg, const wg_resolution *res,
                       const char *const *reserved, size_t reserved_count,
                       wg_registry *out) {
  return build(cfg, NULL, res, reserved, reserved_count, out);
}

bool wg_registry_build_set(const wg_plugin_set *set, const char *const *reserved,
                           size_t reserved_count, wg_registry *out) {
  return build(set->cfg, &set->disc, &set->res, reserved, reserved_count, out);
}

void wg_registry_free(wg_registry *r) {
  for (size_t i = 0; i < r->count; i++) wg_schema_free(r->tools[i].schema);
  for (size_t i = 0; i < r->https_ctx_count; i++) {
    wg_pol_grants_free((wg_pol_grants *)r->https_ctxs[i]->grants);
    free(r->https_ctxs[i]);
  }
  free(r->https_ctxs);
  wg_policy_free(r->https_policy);
  free(r->base_dir);
  free(r->tools);
  free(r->diags);
  memset(r, 0, sizeof *r);
}

bool wg_registry_set_base_dir(wg_registry *r, const char *dir) {
  char *copy = dir ? strdup(dir) : NULL;
  if (dir && !copy) return false;
  free(r->base_dir);
  r->base_dir = copy;
  for (size_t i = 0; i < r->https_ctx_count; i++) r->https_ctxs[i]->base_dir = copy;
  return true;
}

bool wg_registry_write_json(const wg_registry *r, wg_buf *out) {
  wg_json_writer w;
  wg_json_writer_init(&w, out);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "tools", 5);
  wg_json_writer_begin_array(&w);
  for (size_t i = 0; i < r->count; i++) {
    const wg_tool *t = &r->tools[i];
    wg_json_writer_begin_object(&w);
    wg_json_writer_key(&w, "name", 4);
    wg_json_writer_string(&w, t->name, t->name_len);
    wg_json_writer_key(&w, "description", 11);
    wg_json_writer_string(&w, t->description, t->description_len);
    wg_json_writer_key(&w, "input_schema", 12);
    wg_json_doc *doc = wg_json_parse(t->input_schema_json, t->input_schema_len, NULL, NULL);
    if (doc) wg_json_writer_value(&w, wg_json_root(doc), true);
    else wg_json_writer_null(&w);
    wg_json_free(doc);
    wg_json_writer_key(&w, "plugin", 6);
    wg_json_writer_cstr(&w, t->ref);
    wg_json_writer_key(&w, "version", 7);
    wg_json_writer_cstr(&w, t->version);
    wg_json_writer_key(&w, "digest", 6);
    wg_json_writer_cstr(&w, t->digest);
    wg_json_writer_end_object(&w);
  }
  wg_json_writer_end_array(&w);
  wg_json_writer_key(&w, "diagnostics", 11);
  wg_json_writer_begin_array(&w);
  for (size_t i = 0; i < r->diag_count; i++) {
    wg_json_writer_begin_object(&w);
    wg_json_writer_key(&w, "plugin", 6);
    wg_json_writer_cstr(&w, r->diags[i].plugin);
    wg_json_writer_key(&w, "severity", 8);
    wg_json_writer_cstr(&w, r->diags[i].warning ? "warning" : "error");
    wg_json_writer_key(&w, "message", 7);
    wg_json_writer_cstr(&w, r->diags[i].message);
    wg_json_writer_end_object(&w);
  }
  wg_json_writer_end_array(&w);
  wg_json_writer_end_object(&w);
  return wg_json_writer_finish(&w);
}

wg_call_limits wg_call_limits_from_config(const wg_config_limits *l) {
  wg_call_limits c = {
    .max_input_bytes = (size_t)l->input_bytes,
    .max_output_bytes = (size_t)l->output_bytes,
    .max_summary_bytes = (size_t)l->summary_bytes,
    .fuel = l->fuel,
    .wall_clock_ns = l->timeout_ms * 1000000u,
    .max_memory_bytes = l->memory_bytes,
    .max_table_elements = (uint32_t)l->table_elements,
    .max_call_depth = (uint32_t)l->call_depth,
  };
  return c;
}

/* As yoi, after the input checks: authorize again, then
 * the module from the digest-verified cache. */
static wg_module *load_module(void *p, wg_error *err) {
  const rt_load_ctx *lc = p;
  const wg_tool *t = lc->tool;
  char msg[WG_AUTH_MESSAGE_MAX];
  if (!wg_authorize_tool(t->plugin, t->manifest_tool, msg)) {
    wg_error_set(err, WG_ERR_PERMISSION_DENIED, "plugin permission denied: %s", msg);
    return NULL;
  }
  const wg_manifest *m = t->plugin->package->manifest;
  if (!m->has_runtime) {
    wg_error_set(err, WG_ERR_PACKAGE_INVALID,
                 "resolved plugin package does not declare a WASM runtime");
    return NULL;
  }
  return wg_module_cache_load_limited(lc->cache, t->plugin->package->path,
                                      t->digest, m->runtime.entry, &lc->bounds,
                                      err);
}

void rt_tool_request(const wg_tool *t, wg_module_cache *cache, const char *input,
                     size_t input_len, const wg_call_limits *limits,
                     wg_cancel *cancel, rt_load_ctx *lc, wg_call_request *req) {
  lc->tool = t;
  lc->cache = cache;
  /* The compile (on a cache miss) runs under the call's bounds; the
   * deadline counts from here, a hair before wg_call's own start. */
  lc->bounds = (wg_module_limits){.cancel = cancel ? &cancel->flag : NULL};
  if (__builtin_add_overflow(wg_now_ns(), limits->wall_clock_ns, &lc->bounds.deadline_ns))
    lc->bounds.deadline_ns = UINT64_MAX;
  *req = (wg_call_request){
    .load = load_module, .load_ctx = lc, .tool = t->name,
    .plugin = t->ref, .digest = t->digest, .input = input, .input_len = input_len,
    .schema = t->schema, .https_granted = t->https_granted, .https = t->https,
    .limits = *limits, .cancel = cancel,
  };
}

wg_err rt_fail_early(const wg_call_limits *lim, wg_call_result *out) {
  out->is_error = true;
  wg_buf text;
  wg_buf_init(&text, 4096);
  wg_error_write_text(&out->error, lim->wall_clock_ns, &text);
  out->summary = wg_buf_take(&text, &out->summary_len);
  return out->error.code;
}

wg_err wg_registry_call(const wg_registry *r, wg_module_cache *cache,
                        const char *tool, const char *input, size_t input_len,
                        const wg_call_limits *limits, wg_cancel *cancel,
                        wg_call_result *out) {
  memset(out, 0, sizeof *out);
  wg_call_limits lim = limits ? *limits : wg_call_limits_default();
  const wg_tool *t = wg_registry_find(r, tool);
  if (!t) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    out->stats.started_unix_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    wg_error_set_origin(&out->error, tool, "", "");
    wg_error_set(&out->error, WG_ERR_UNKNOWN_TOOL, "no registered tool has this name");
    return rt_fail_early(&lim, out);
  }
  rt_load_ctx lc;
  wg_call_request req;
  rt_tool_request(t, cache, input, input_len, &lim, cancel, &lc, &req);
  return wg_call(&req, out);
}
