/* inspect_json.c: an inspection item as yoi's `plugin list --json` object,
 * fields in serde's struct order. Unknown values are null. */
#include "cfg_internal.h"

#include <string.h>

static void key(wg_json_writer *w, const char *k) { wg_json_writer_key(w, k, strlen(k)); }

static void str_or_null(wg_json_writer *w, const char *k, const char *v) {
  key(w, k);
  wg_json_writer_cstr(w, v);
}

static void boolean(wg_json_writer *w, const char *k, bool v) {
  key(w, k);
  wg_json_writer_bool(w, v);
}

static void strings(wg_json_writer *w, const char *k, const wg_strings *s) {
  key(w, k);
  wg_json_writer_begin_array(w);
  for (size_t i = 0; i < s->count; i++) wg_json_writer_cstr(w, s->items[i]);
  wg_json_writer_end_array(w);
}

/* False if memory ran out building a permission label. */
static bool tools(wg_json_writer *w, const wg_inspect_item *it) {
  bool ok = true;
  key(w, "tools");
  wg_json_writer_begin_array(w);
  for (size_t i = 0; i < it->tool_count; i++) {
    const wg_inspect_tool *t = &it->tools[i];
    wg_buf perm;
    wg_buf_init(&perm, 0);
    wg_buf_append_str(&perm, "tool.");
    wg_buf_append(&perm, t->name, t->name_len);
    ok = ok && wg_buf_ok(&perm);
    wg_json_writer_begin_object(w);
    key(w, "name");
    wg_json_writer_string(w, t->name, t->name_len);
    key(w, "permission");
    wg_json_writer_string(w, perm.data ? perm.data : "", perm.len);
    boolean(w, "requested", t->requested);
    boolean(w, "granted", t->granted);
    boolean(w, "eligible", t->eligible);
    boolean(w, "external_write", t->external_write);
    str_or_null(w, "diagnostic", t->diagnostic);
    wg_json_writer_end_object(w);
    wg_buf_free(&perm);
  }
  wg_json_writer_end_array(w);
  return ok;
}

static bool static_runtime(wg_json_writer *w, const wg_inspect_item *it) {
  key(w, "static_runtime");
  if (!it->has_static_runtime) return wg_json_writer_null(w);
  wg_json_writer_begin_object(w);
  key(w, "runtime");
  wg_json_writer_begin_object(w);
  boolean(w, "eligible", it->runtime.eligible);
  str_or_null(w, "status", it->runtime.status);
  str_or_null(w, "diagnostic", it->runtime.diagnostic);
  wg_json_writer_end_object(w);
  key(w, "host_apis");
  wg_json_writer_begin_array(w);
  for (size_t i = 0; i < it->host_api_count; i++) {
    const wg_inspect_host_api *h = &it->host_apis[i];
    char perm[32];
    cfg_fmt(perm, sizeof perm, "host_api.%s", wg_host_api_name(h->api));
    wg_json_writer_begin_object(w);
    str_or_null(w, "permission", perm);
    boolean(w, "requested", h->requested);
    boolean(w, "granted", h->granted);
    boolean(w, "eligible", h->eligible);
    str_or_null(w, "diagnostic", h->diagnostic);
    wg_json_writer_end_object(w);
  }
  wg_json_writer_end_array(w);
  bool ok = tools(w, it);
  return wg_json_writer_end_object(w) && ok;
}

bool wg_inspect_item_json(const wg_inspect_item *it, wg_json_writer *w) {
  wg_json_writer_begin_object(w);
  str_or_null(w, "reference", it->reference);
  str_or_null(w, "local_ref", it->local_ref);
  str_or_null(w, "status", wg_plugin_status_name(it->status));
  str_or_null(w, "source", it->has_source ? wg_source_name(it->source) : NULL);
  str_or_null(w, "package", it->package);
  str_or_null(w, "package_path", it->package_path);
  str_or_null(w, "version", it->version);
  key(w, "schema_version");
  if (it->has_schema_version) wg_json_writer_uint(w, it->schema_version);
  else wg_json_writer_null(w);
  key(w, "api_version");
  if (it->has_schema_version) wg_json_writer_uint(w, it->schema_version);
  else wg_json_writer_null(w);
  str_or_null(w, "digest", it->digest);
  boolean(w, "configured", it->configured);
  boolean(w, "discovered", it->discovered);
  boolean(w, "resolved", it->resolved);
  boolean(w, "static_eligible", it->static_eligible);
  strings(w, "declared_surfaces", &it->declared_surfaces);
  strings(w, "enabled_surfaces", &it->enabled_surfaces);
  strings(w, "requested_permissions", &it->requested_permissions);
  strings(w, "configured_grants", &it->configured_grants);
  strings(w, "configured_https_grants", &it->configured_https_grants);
  bool ok = tools(w, it);
  ok = static_runtime(w, it) && ok;
  key(w, "diagnostics");
  wg_json_writer_begin_array(w);
  for (size_t i = 0; i < it->diag_count; i++) {
    wg_json_writer_begin_object(w);
    str_or_null(w, "kind", it->diags[i].kind);
    str_or_null(w, "message", it->diags[i].message);
    wg_json_writer_end_object(w);
  }
  wg_json_writer_end_array(w);
  return wg_json_writer_end_object(w) && ok;
}
