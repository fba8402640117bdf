/* plugin_set.c: the sequence every plugin command (and the runtime) starts
 * with: canonical workspace -> config -> store paths -> discovery -> lock ->
 * resolution, with one status saying which step failed. */
#include "cfg_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *wg_plugin_set_code_name(wg_plugin_set_code s) {
  switch (s) {
  case WG_PLUGIN_SET_OK: return "ok";
  case WG_PLUGIN_SET_WORKSPACE: return "workspace";
  case WG_PLUGIN_SET_CONFIG: return "config";
  case WG_PLUGIN_SET_STORES: return "stores";
  case WG_PLUGIN_SET_LOCK: return "lock";
  case WG_PLUGIN_SET_NOMEM: return "nomem";
  }
  return WG_NAME_UNKNOWN;
}

static bool in_workspace(char *out, const char *ws, const char *name) {
  int n = cfg_fmt(out, WG_CONFIG_PATH_MAX, "%s/%s", ws, name);
  return n > 0 && n < WG_CONFIG_PATH_MAX;
}

static wg_plugin_set_code fail(wg_config_error *err, wg_plugin_set_code s,
                               const char *msg) {
  cfg_error_set(err, s == WG_PLUGIN_SET_NOMEM ? WG_CONFIG_NOMEM : WG_CONFIG_IO, "%s", msg);
  return s;
}

/* The identities the enabled entries name: always read in full. */
static char **wanted_ids(const wg_config *cfg, size_t *count) {
  *count = 0;
  char **ids = calloc(cfg->enabled_count ? cfg->enabled_count : 1, sizeof *ids);
  if (!ids) return NULL;
  for (size_t i = 0; i < cfg->enabled_count; i++) {
    wg_source source;
    const char *local;
    const char *id = cfg->enabled[i].id;
    if (!id || wg_parse_plugin_id(id, &source, &local) != WG_ID_OK) continue;
    char identity[WG_PLUGIN_REF_MAX];
    cfg_fmt(identity, sizeof identity, "%s:%s", wg_source_name(source), local);
    if (!(ids[(*count)++] = strdup(identity))) {
      for (size_t k = 0; k < *count; k++) free(ids[k]);
      free(ids);
      return NULL;
    }
  }
  return ids;
}

/* Discovery through WORKSPACE/.wasmgate/digest-cache. If resolution then
 * reports any problem, discovery is redone reading every package, so the
 * cache is never the reason a plugin is refused. */
static int discover_cached(wg_plugin_set *p) {
  char path[WG_CONFIG_PATH_MAX];
  if (!in_workspace(path, p->workspace, ".wasmgate/digest-cache"))
    return wg_discover(&p->stores, NULL, &p->disc) == WG_CONFIG_OK ? 0 : -1;
  size_t n = 0;
  char **wanted = wanted_ids(p->cfg, &n);
  if (!wanted) return -1;
  cfg_cache cache;
  cfg_cache_load(path, &cache);
  int rc = cfg_discover(&p->stores, NULL, &cache, (const char *const *)wanted, n, &p->disc);
  wg_resolution probe;
  bool retry = false;
  if (rc == 0 && wg_resolve(p->cfg, &p->disc, p->has_lock ? &p->lock : NULL, &probe) != 0)
    rc = -1;
  if (rc == 0) {
    retry = probe.diag_count > 0;
    wg_resolution_free(&probe);
  }
  if (retry) {
    wg_discovery_free(&p->disc);
    for (size_t i = 0; i < cache.count; i++) cache.entries[i].used = false;
    rc = cfg_discover(&p->stores, NULL, &cache, NULL, 0, &p->disc);
  }
  if (rc == 0) cfg_cache_save(path, &cache);
  cfg_cache_free(&cache);
  for (size_t i = 0; i < n; i++) free(wanted[i]);
  free(wanted);
  return rc;
}

wg_plugin_set_code wg_plugin_set_load(const wg_plugin_set_options *o,
                                      wg_plugin_set *p,
                                      wg_config_error *err) {
  wg_config_error scratch;
  if (!err) err = &scratch;
  memset(p, 0, sizeof *p);
  memset(err, 0, sizeof *err);
  char real[PATH_MAX];
  if (!realpath(o->workspace ? o->workspace : ".", real) ||
      strlen(real) >= sizeof p->workspace)
    return fail(err, WG_PLUGIN_SET_WORKSPACE, "workspace does not exist or cannot be read");
  cfg_copy(p->workspace, sizeof p->workspace, real);
  char config_path[WG_CONFIG_PATH_MAX];
  if (!in_workspace(config_path, p->workspace, "wasmgate.toml") ||
      !in_workspace(p->lock_path, p->workspace, "wasmgate.lock"))
    return fail(err, WG_PLUGIN_SET_WORKSPACE, "workspace path is too long");
  p->cfg = wg_config_load(o->config_path ? o->config_path : config_path,
                          o->config_path != NULL, err);
  if (!p->cfg) return WG_PLUGIN_SET_CONFIG;
  if (wg_plugin_stores_get(p->cfg, p->workspace, o->project_store, o->user_store,
                           &p->stores, err) != WG_CONFIG_OK)
    return WG_PLUGIN_SET_STORES;
  if (!o->ignore_lock) {
    wg_config_code lrc = wg_lock_load(p->lock_path, &p->lock, err);
    if (lrc != WG_CONFIG_OK && lrc != WG_CONFIG_MISSING) return WG_PLUGIN_SET_LOCK;
    p->has_lock = lrc == WG_CONFIG_OK;
  }
  int rc = o->digest_cache ? discover_cached(p)
           : wg_discover(&p->stores, NULL, &p->disc) == WG_CONFIG_OK ? 0 : -1;
  if (rc == 0 && wg_resolve(p->cfg, &p->disc, p->has_lock ? &p->lock : NULL, &p->res) != 0)
    rc = -1;
  return rc == 0 ? WG_PLUGIN_SET_OK : fail(err, WG_PLUGIN_SET_NOMEM, "out of memory");
}

void wg_plugin_set_free(wg_plugin_set *p) {
  wg_resolution_free(&p->res);
  wg_lock_free(&p->lock);
  wg_discovery_free(&p->disc);
  wg_config_free(p->cfg);
  memset(p, 0, sizeof *p);
}
