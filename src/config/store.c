/* store.c: plugin sources, source-qualified ids (`source:id`, source user,
 * project or builtin), the store directories (the same user root for every
 * command, unlike yoi's CLI) and the diagnostic list helpers. */
#include "cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *wg_source_name(wg_source s) {
  switch (s) {
  case WG_SOURCE_USER: return "user";
  case WG_SOURCE_PROJECT: return "project";
  case WG_SOURCE_BUILTIN: return "builtin";
  }
  return WG_NAME_UNKNOWN;
}

wg_id_parse wg_parse_plugin_id(const char *id, wg_source *source,
                               const char **local) {
  const char *colon = strchr(id, ':');
  if (!colon) return WG_ID_UNQUALIFIED;
  size_t n = (size_t)(colon - id);
  if (n == 4 && memcmp(id, "user", 4) == 0) *source = WG_SOURCE_USER;
  else if (n == 7 && memcmp(id, "project", 7) == 0) *source = WG_SOURCE_PROJECT;
  else if (n == 7 && memcmp(id, "builtin", 7) == 0) *source = WG_SOURCE_BUILTIN;
  else return WG_ID_BAD_SOURCE;
  const char *rest = colon + 1;
  if (!rest[0] || strchr(rest, ':') || !cfg_safe_id(rest, strlen(rest)))
    return WG_ID_BAD_LOCAL_ID;
  *local = rest;
  return WG_ID_OK;
}

/* base + "/" + rel, or rel itself when absolute; false if too long. */
static bool join_path(char *out, const char *base, const char *rel) {
  int n = rel[0] == '/' ? cfg_fmt(out, WG_CONFIG_PATH_MAX, "%s", rel)
                        : cfg_fmt(out, WG_CONFIG_PATH_MAX, "%s/%s", base, rel);
  return n > 0 && n < WG_CONFIG_PATH_MAX;
}

wg_config_code wg_plugin_stores_get(const wg_config *cfg, const char *workspace,
                                    const char *project_override,
                                    const char *user_override, wg_plugin_stores *out,
                                    wg_config_error *err) {
  memset(out, 0, sizeof *out);
  if (err) memset(err, 0, sizeof *err);
  const char *project = project_override ? project_override
                        : cfg && cfg->project_store ? cfg->project_store
                                                    : ".yoi/plugins";
  if (!join_path(out->project, workspace, project)) goto too_long;
  const char *user = user_override ? user_override : cfg ? cfg->user_store : NULL;
  if (user) {
    if (!join_path(out->user, workspace, user)) goto too_long;
    out->has_user = true;
    return WG_CONFIG_OK;
  }
  /* XDG: an empty or relative XDG_DATA_HOME is invalid and ignored. */
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  int n = -1;
  if (xdg && xdg[0] == '/') n = cfg_fmt(out->user, sizeof out->user, "%s/yoi/plugins", xdg);
  else if (home && home[0] == '/')
    n = cfg_fmt(out->user, sizeof out->user, "%s/.local/share/yoi/plugins", home);
  else return WG_CONFIG_OK; /* no user store */
  if (n <= 0 || n >= (int)sizeof out->user) goto too_long;
  out->has_user = true;
  return WG_CONFIG_OK;
too_long:
  cfg_error_set(err, WG_CONFIG_INVALID, "store path is too long");
  return WG_CONFIG_INVALID;
}

void cfg_copy(char *dst, size_t cap, const char *src) {
  if (!src) src = "";
  size_t n = strlen(src);
  if (n >= cap) n = wg_utf8_trim((const uint8_t *)src, cap - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

wg_plugin_diag *cfg_diag_add(cfg_diags *d, wg_pkg_code kind,
                             wg_pkg_phase phase, const char *message) {
  if (d->oom) return NULL;
  wg_plugin_diag *p = wg_vec_reserve(d->items, &d->cap, d->count + 1, sizeof *p, 0);
  if (!p) {
    d->oom = true;
    return NULL;
  }
  d->items = p;
  wg_plugin_diag *e = &d->items[d->count++];
  memset(e, 0, sizeof *e);
  e->kind = kind;
  e->phase = phase;
  cfg_copy(e->message, sizeof e->message, message);
  return e;
}
