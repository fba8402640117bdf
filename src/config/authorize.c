/* authorize.c: grant binding (id, version, digest) and yoi's static
 * permission checks authorize_plugin_tool / authorize_plugin_host_api
 * (docs/design.md#permissions). Pure
 * functions of the resolved plugin: resolution, inspection, registration
 * and the executor all call these, so they agree by construction. Every
 * message is a fixed string (the tool name is the only text quoted, as
 * yoi does, and it is bounded). */
#include "cfg_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool grants_empty(const wg_config_grants *g) {
  return g->permission_count == 0 && g->https_count == 0;
}

const char *wg_grant_binding_error(const wg_config_grants *g,
                                   const char *identity, const char *version,
                                   const char *digest) {
  if (grants_empty(g)) return NULL;
  wg_source source;
  const char *local;
  char bound[WG_PLUGIN_REF_MAX];
  if (!g->id) return "plugin grant is missing a source-qualified package id binding";
  if (wg_parse_plugin_id(g->id, &source, &local) != WG_ID_OK)
    return "plugin grant package id binding is not a valid source-qualified plugin id";
  cfg_fmt(bound, sizeof bound, "%s:%s", wg_source_name(source), local);
  if (strcmp(bound, identity) != 0)
    return "plugin grant package id binding does not match enabled package";
  if (!g->digest) return "plugin grant is missing a deterministic digest binding";
  if (!wg_pkg_digest_matches(g->digest, digest))
    return "plugin grant digest binding does not match enabled package digest";
  if (!g->version) return "plugin grant is missing an exact package version binding";
  if (strcmp(g->version, version) != 0)
    return "plugin grant version binding does not match enabled package version";
  return NULL;
}

static const char *binding_of(const wg_resolved *p) {
  const wg_discovered *d = p->package;
  return wg_grant_binding_error(&p->entry->grants, d->identity,
                                d->manifest->version, d->digest);
}

static bool deny(char msg[WG_AUTH_MESSAGE_MAX], const char *text) {
  cfg_fmt(msg, WG_AUTH_MESSAGE_MAX, "%s", text);
  return false;
}

/* The tool name quoted in a denial: bounded, control bytes as '?'. */
static bool deny_tool(char msg[WG_AUTH_MESSAGE_MAX], const char *which,
                      const wg_manifest_tool *tool) {
  char name[129];
  size_t n = tool->name_len < 128 ? tool->name_len : 128;
  n = wg_utf8_trim((const uint8_t *)tool->name, n);
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)tool->name[i];
    name[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
  }
  name[n] = '\0';
  cfg_fmt(msg, WG_AUTH_MESSAGE_MAX, "%s tool permission for `%s` is missing",
           which, name);
  return false;
}

bool wg_authorize_tool(const wg_resolved *p, const wg_manifest_tool *tool,
                       char msg[WG_AUTH_MESSAGE_MAX]) {
  const wg_manifest *m = p->package->manifest;
  const wg_config_grants *g = &p->entry->grants;
  const char *binding = binding_of(p);
  if (binding) return deny(msg, binding);
  wg_permission surface = {.kind = WG_PERM_SURFACE, .surface = WG_SURFACE_TOOL};
  if (!wg_permissions_contain(m->permissions, m->permission_count, &surface))
    return deny(msg, "requested surfaces.tool permission is missing");
  if (!wg_permissions_contain(g->permissions, g->permission_count, &surface))
    return deny(msg, "granted surfaces.tool permission is missing");
  if (!wg_permissions_allow_tool(m->permissions, m->permission_count,
                                 tool->name, tool->name_len))
    return deny_tool(msg, "requested", tool);
  if (!wg_permissions_allow_tool(g->permissions, g->permission_count,
                                 tool->name, tool->name_len))
    return deny_tool(msg, "granted", tool);
  if (!tool->external_write) return true;
  wg_permission ew = {.kind = WG_PERM_EXTERNAL_WRITE};
  if (!wg_permissions_contain(m->permissions, m->permission_count, &ew))
    return deny(msg, "requested external_write permission is missing");
  if (!wg_permissions_contain(g->permissions, g->permission_count, &ew))
    return deny(msg, "granted external_write permission is missing");
  return true;
}

/* A usable https grant: a host that is non-empty once trimmed (and its
 * trailing dots dropped), and a method that, trimmed and upper-cased, is
 * one yoi allows (GET POST PUT PATCH DELETE). */
static bool https_grant_usable(const wg_config_https_grant *h) {
  const char *s = h->host;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) n--;
  while (n && isspace((unsigned char)*s)) s++, n--;
  while (n && s[n - 1] == '.') n--;
  if (n == 0) return false;
  static const char *const allowed[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  for (size_t i = 0; i < h->method_count; i++) {
    const char *m = h->methods[i];
    size_t len = strlen(m);
    while (len && isspace((unsigned char)m[len - 1])) len--;
    while (len && isspace((unsigned char)*m)) m++, len--;
    for (size_t a = 0; a < 5; a++) {
      if (strlen(allowed[a]) != len) continue;
      bool eq = true;
      for (size_t k = 0; k < len && eq; k++)
        eq = toupper((unsigned char)m[k]) == allowed[a][k];
      if (eq) return true;
    }
  }
  return false;
}

bool wg_authorize_host_api(const wg_resolved *p, wg_host_api api,
                           char msg[WG_AUTH_MESSAGE_MAX]) {
  const wg_manifest *m = p->package->manifest;
  const wg_config_grants *g = &p->entry->grants;
  const char *binding = binding_of(p);
  if (binding) return deny(msg, binding);
  wg_permission perm = {.kind = WG_PERM_HOST_API, .api = api};
  const char *name = wg_host_api_name(api);
  if (!wg_permissions_contain(m->permissions, m->permission_count, &perm)) {
    cfg_fmt(msg, WG_AUTH_MESSAGE_MAX, "requested host_api.%s permission is missing", name);
    return false;
  }
  if (!wg_permissions_contain(g->permissions, g->permission_count, &perm)) {
    cfg_fmt(msg, WG_AUTH_MESSAGE_MAX, "granted host_api.%s permission is missing", name);
    return false;
  }
  if (api == WG_HOST_API_FS) return deny(msg, "host_api.fs is not implemented");
  for (size_t i = 0; i < g->https_count; i++)
    if (https_grant_usable(&g->https[i])) return true;
  return deny(msg, "granted host_api.https allowlist is missing");
}
