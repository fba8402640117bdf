/* resolve.c: resolution of [[plugins.enabled]] against discovered packages
 * in yoi's order (docs/design.md#stores-discovery-and-resolution), plus
 * wasmgate's lock file check. Entries are processed in order and
 * independently; an entry's first failure emits exactly one
 * diagnostic (phase resolution, fixed message) and skips it.
 *
 * Order: id -> match -> digest pin -> lock -> version -> grant binding ->
 * surface subset. The lock comes right after the explicit pin: both are
 * digest checks, and a locked digest also fixes the version. */
#include "cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_AMBIGUOUS \
  "plugin enablement id must be source-qualified as user:<id>, project:<id>, or builtin:<id>"
#define MSG_BAD_ID "plugin enablement id is not a valid source-qualified plugin id"
#define MSG_MISSING "enabled plugin package was not discovered"
#define MSG_DUPLICATE "enabled plugin identity matches more than one package in its source store"
#define MSG_DIGEST "plugin package digest does not match the enabled digest pin"
#define MSG_VERSION "plugin package version does not match the enabled version requirement"

typedef struct res_state {
  wg_resolution *out;
  size_t cap;
  cfg_diags diags;
} res_state;

/* A diagnostic about entry `e`: keyed by its id as written (the CLI joins
 * it to the enablement item), with the package's label and digest when one
 * was matched. */
static int fail(res_state *s, const wg_config_enabled *e,
                 const wg_discovered *pkg, wg_pkg_code kind, const char *msg) {
  wg_plugin_diag *d = cfg_diag_add(&s->diags, kind, WG_PKG_PHASE_RESOLUTION, msg);
  if (!d) return 0;
  cfg_copy(d->identity, sizeof d->identity, e->id ? e->id : "");
  wg_source source;
  const char *local;
  if (e->id && wg_parse_plugin_id(e->id, &source, &local) == WG_ID_OK) {
    d->has_source = true;
    d->source = source;
  }
  if (pkg) {
    cfg_copy(d->package, sizeof d->package, pkg->label);
    cfg_copy(d->digest, sizeof d->digest, pkg->digest);
  }
  return 0;
}

static int push(res_state *s, const wg_resolved *r) {
  wg_resolved *n = wg_vec_reserve(s->out->plugins, &s->cap, s->out->count + 1, sizeof *n, 0);
  if (!n) return -1;
  s->out->plugins = n;
  s->out->plugins[s->out->count++] = *r;
  return 0;
}

static int resolve_entry(res_state *s, const wg_config_enabled *e,
                          const wg_discovery *disc, const wg_lock *lock) {
  wg_source source;
  const char *local;
  wg_id_parse ip = wg_parse_plugin_id(e->id ? e->id : "", &source, &local);
  if (ip == WG_ID_UNQUALIFIED) return fail(s, e, NULL, WG_PKG_AMBIGUOUS, MSG_AMBIGUOUS);
  if (ip != WG_ID_OK) return fail(s, e, NULL, WG_PKG_MALFORMED, MSG_BAD_ID);
  char identity[WG_PLUGIN_REF_MAX];
  cfg_fmt(identity, sizeof identity, "%s:%s", wg_source_name(source), local);
  const wg_discovered *pkg = NULL;
  size_t matches = 0;
  for (size_t i = 0; i < disc->count; i++) {
    if (strcmp(disc->packages[i].identity, identity) != 0) continue;
    if (!pkg) pkg = &disc->packages[i];
    matches++;
  }
  if (matches == 0) return fail(s, e, NULL, WG_PKG_MISSING, MSG_MISSING);
  if (matches > 1) return fail(s, e, pkg, WG_PKG_DUPLICATE, MSG_DUPLICATE);
  if (e->digest && !wg_pkg_digest_matches(e->digest, pkg->digest))
    return fail(s, e, pkg, WG_PKG_DIGEST, MSG_DIGEST);
  if (lock) {
    const wg_lock_entry *le = wg_lock_find(lock, identity);
    if (!le) return fail(s, e, pkg, WG_PKG_MISSING, WG_LOCK_MSG_NOT_LOCKED);
    if (!wg_pkg_digest_matches(le->digest, pkg->digest))
      return fail(s, e, pkg, WG_PKG_DIGEST, WG_LOCK_MSG_DIGEST);
  }
  const wg_manifest *m = pkg->manifest;
  if (e->version && strcmp(e->version, m->version) != 0)
    return fail(s, e, pkg, WG_PKG_VERSION, MSG_VERSION);
  const char *binding = wg_grant_binding_error(&e->grants, identity, m->version,
                                               pkg->digest);
  if (binding) return fail(s, e, pkg, WG_PKG_GRANT, binding);
  for (unsigned sf = 0; sf < WG_SURFACE_COUNT; sf++) {
    if (!(e->surfaces & (1u << sf)) || (m->declared_surfaces & (1u << sf))) continue;
    char msg[WG_PKG_MESSAGE_MAX];
    cfg_fmt(msg, sizeof msg, "enabled plugin requested undeclared surface `%s`",
             wg_surface_name((wg_surface)sf));
    return fail(s, e, pkg, WG_PKG_SURFACE, msg);
  }
  wg_resolved r = {.entry = e, .package = pkg,
                   .enabled_surfaces = e->surfaces ? e->surfaces : m->declared_surfaces};
  if (push(s, &r) != 0) s->diags.oom = true;
  return 0;
}

wg_config_code wg_resolve(const wg_config *cfg, const wg_discovery *disc,
                          const wg_lock *lock, wg_resolution *out) {
  memset(out, 0, sizeof *out);
  res_state s = {.out = out};
  for (size_t i = 0; i < cfg->enabled_count && !s.diags.oom; i++)
    resolve_entry(&s, &cfg->enabled[i], disc, lock);
  out->diags = s.diags.items;
  out->diag_count = s.diags.count;
  if (s.diags.oom) {
    wg_resolution_free(out);
    return WG_CONFIG_NOMEM;
  }
  return WG_CONFIG_OK;
}

void wg_resolution_free(wg_resolution *r) {
  free(r->plugins);
  free(r->diags);
  memset(r, 0, sizeof *r);
}
