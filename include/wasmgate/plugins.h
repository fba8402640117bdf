/* plugins.h: from wasmgate.toml to resolved plugins, as yoi: sources and
 * plugin ids, the store directories, discovery, the lock file, resolution
 * (grant binding included) and authorization (docs/design.md#permissions).
 *
 * Discovery and resolution never execute plugin code; their diagnostics
 * carry yoi's kinds, phases and fixed messages and never a filesystem
 * path. */
#ifndef WASMGATE_PLUGINS_H
#define WASMGATE_PLUGINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/config.h"
#include "wasmgate/manifest.h"
#include "wasmgate/package.h"

/* ---- sources, ids, stores --------------------------------------------- */

typedef enum wg_source {
  WG_SOURCE_USER,    /* sort order as yoi: user < project < builtin */
  WG_SOURCE_PROJECT,
  WG_SOURCE_BUILTIN,
} wg_source;

const char *wg_source_name(wg_source s); /* "user", "project", "builtin" */

typedef enum wg_id_parse {
  WG_ID_OK,
  WG_ID_UNQUALIFIED,   /* no ':' */
  WG_ID_BAD_SOURCE,
  WG_ID_BAD_LOCAL_ID,
} wg_id_parse;

/* yoi's SourceQualifiedPluginId::parse; on success *local points into id. */
wg_id_parse wg_parse_plugin_id(const char *id, wg_source *source,
                               const char **local);

enum { WG_CONFIG_PATH_MAX = 4096 };

/* Absolute store directories (not canonicalized; they may not exist). */
typedef struct wg_plugin_stores {
  char project[WG_CONFIG_PATH_MAX];
  char user[WG_CONFIG_PATH_MAX];
  bool has_user; /* false if neither XDG_DATA_HOME nor HOME is set */
} wg_plugin_stores;

/* Project: override, else [stores] project, else <workspace>/.yoi/plugins.
 * User: override, else [stores] user, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/yoi/plugins (env read here, via
 * getenv; the caller passes NULL overrides to use config and environment).
 * Relative paths are relative to `workspace` (an absolute path).
 * WG_CONFIG_OK, or WG_CONFIG_INVALID (a path too long) with *err. */
wg_config_code wg_plugin_stores_get(const wg_config *cfg, const char *workspace,
                                    const char *project_override,
                                    const char *user_override, wg_plugin_stores *out,
                                    wg_config_error *err);

/* ---- diagnostics ------------------------------------------------------ */

enum { WG_PLUGIN_LABEL_MAX = 256, WG_PLUGIN_REF_MAX = 160 };

typedef struct wg_plugin_diag {
  wg_pkg_code kind;
  wg_pkg_phase phase;
  bool has_source;
  wg_source source;
  char identity[WG_PLUGIN_REF_MAX]; /* "" if none */
  char package[WG_PLUGIN_LABEL_MAX]; /* file label, "" if none */
  char digest[WG_PKG_DIGEST_LEN];   /* "" if none */
  char message[WG_PKG_MESSAGE_MAX];
} wg_plugin_diag;

/* The plugin reference a diagnostic belongs to, as `list` groups them
 * (as yoi's `plugin list`): its identity, else "source:" + the package
 * label's stem, else "<global>". */
void wg_plugin_diag_ref(const wg_plugin_diag *d, char *out, size_t cap);

/* ---- discovery -------------------------------------------------------- */

typedef struct wg_discovered {
  wg_source source;
  char identity[WG_PLUGIN_REF_MAX];  /* source:local_id */
  const char *local_id;              /* manifest id */
  char label[WG_PLUGIN_LABEL_MAX];   /* file name, e.g. echo.yoi-plugin */
  char *path;                        /* canonical absolute path */
  char digest[WG_PKG_DIGEST_LEN];
  /* NULL only for a package known from the digest cache (plugin sets
   * loaded with digest_cache: packages no enabled entry names); then
   * local_id points to owned_id. */
  wg_manifest *manifest;
  char *owned_id;
} wg_discovered;

typedef struct wg_discovery {
  wg_discovered *packages; /* sorted: identity, digest, label */
  size_t count;
  wg_plugin_diag *diags;   /* discovery diagnostics in store order */
  size_t diag_count;
} wg_discovery;

/* Scans the stores (user, then project; a NULL or missing store is skipped).
 * WG_CONFIG_OK, or WG_CONFIG_NOMEM only: every package problem is a
 * diagnostic, and one bad package never hides the others. */
wg_config_code wg_discover(const wg_plugin_stores *stores, const wg_pkg_limits *limits,
                           wg_discovery *out);
void wg_discovery_free(wg_discovery *d);

/* ---- lock file -------------------------------------------------------- */

typedef struct wg_lock_entry {
  char *id;      /* source-qualified */
  char *version;
  char *digest;
  char **tools;
  size_t tool_count;
} wg_lock_entry;

typedef struct wg_lock {
  wg_lock_entry *entries;
  size_t count;
} wg_lock;

/* Reads a lock file: WG_CONFIG_OK; WG_CONFIG_MISSING and an empty lock if
 * it does not exist (not an error: a workspace need not have one); else the
 * failure's code with *err (line/column when it is a format error). */
wg_config_code wg_lock_load(const char *path, wg_lock *out, wg_config_error *err);
wg_config_code wg_lock_parse(const char *text, size_t len, wg_lock *out,
                             wg_config_error *err);
void wg_lock_free(wg_lock *lock);
const wg_lock_entry *wg_lock_find(const wg_lock *lock, const char *id);

/* ---- resolution (yoi's, grant binding included; plus the lock) -------- */

typedef struct wg_resolved {
  const wg_config_enabled *entry;
  const wg_discovered *package;
  unsigned enabled_surfaces; /* bit set of (1u << wg_surface) */
} wg_resolved;

typedef struct wg_resolution {
  wg_resolved *plugins; /* in enabled order */
  size_t count;
  wg_plugin_diag *diags;
  size_t diag_count;
} wg_resolution;

/* Fixed messages of the lock checks (kinds: `missing`, `digest`). */
#define WG_LOCK_MSG_NOT_LOCKED "enabled plugin is not recorded in wasmgate.lock"
#define WG_LOCK_MSG_DIGEST "plugin package digest does not match wasmgate.lock"

/* Resolves cfg's enabled entries against `disc`. `lock` may be NULL (no
 * lock file). WG_CONFIG_OK, or WG_CONFIG_NOMEM. The result points into cfg
 * and disc, which must outlive it. */
wg_config_code wg_resolve(const wg_config *cfg, const wg_discovery *disc,
                          const wg_lock *lock, wg_resolution *out);
void wg_resolution_free(wg_resolution *r);

/* The resolved plugins as a lock (one entry per identity, tools in manifest
 * order; WG_CONFIG_NOMEM), and its TOML text written atomically to `path`
 * (temp + rename; WG_CONFIG_IO with *err). */
wg_config_code wg_lock_from_resolution(const wg_resolution *r, wg_lock *out);
wg_config_code wg_lock_write(const wg_lock *lock, const char *path, wg_config_error *err);
/* The lock's TOML text (appended to out). */
bool wg_lock_format(const wg_lock *lock, wg_buf *out);

/* ---- authorization (docs/design.md#permissions) ----------------------- */

enum { WG_AUTH_MESSAGE_MAX = 256 };

/* Grant binding: NULL if bound (or grants are empty), else the fixed
 * message. */
const char *wg_grant_binding_error(const wg_config_grants *grants,
                                   const char *identity, const char *version,
                                   const char *digest);
/* authorize_plugin_tool: binding, manifest/grant surfaces.tool, tool by name
 * or namespace, external_write. Returns true, or false with msg filled. */
bool wg_authorize_tool(const wg_resolved *plugin, const wg_manifest_tool *tool,
                       char msg[WG_AUTH_MESSAGE_MAX]);
/* authorize_plugin_host_api(https); fs always fails ("not implemented"). */
bool wg_authorize_host_api(const wg_resolved *plugin, wg_host_api api,
                           char msg[WG_AUTH_MESSAGE_MAX]);

#endif
