/* inspect.h: static inspection (`list`, `show`: what each plugin is and
 * may do, without running it) and the plugin set, everything at once: what
 * every command and the runtime start with. */
#ifndef WASMGATE_INSPECT_H
#define WASMGATE_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/config.h"
#include "wasmgate/plugins.h"

/* ---- static inspection: `list` / `show` -------------------------------- */

typedef enum wg_plugin_status {
  WG_PLUGIN_ACTIVE,
  WG_PLUGIN_DISABLED,
  WG_PLUGIN_MISSING,
  WG_PLUGIN_REJECTED,
  WG_PLUGIN_PARTIAL,
} wg_plugin_status;

/* "active", "disabled", "missing", "rejected", "partial". */
const char *wg_plugin_status_name(wg_plugin_status s);

typedef struct wg_inspect_tool {
  const char *name; /* manifest text: may hold anything; use name_len */
  size_t name_len;
  bool requested, granted, eligible, external_write;
  const char *diagnostic; /* NULL if none */
} wg_inspect_tool;

typedef struct wg_inspect_host_api {
  wg_host_api api;
  bool requested, granted, eligible;
  const char *diagnostic;
} wg_inspect_host_api;

typedef struct wg_inspect_diag {
  const char *kind; /* a wg_pkg_code name or "static_eligibility" */
  const char *message;
} wg_inspect_diag;

typedef struct wg_strings {
  const char **items; /* sorted, de-duplicated */
  size_t count;
} wg_strings;

/* One reference as `list` shows it (yoi's item fields). NULL strings and
 * has_* == false are unknown values. */
typedef struct wg_inspect_item {
  const char *reference, *local_ref;
  wg_plugin_status status;
  bool has_source;
  wg_source source;
  const char *package, *package_path, *version, *digest;
  bool has_schema_version;
  uint32_t schema_version;
  bool configured, discovered, resolved, static_eligible;
  wg_strings declared_surfaces, enabled_surfaces, requested_permissions,
      configured_grants, configured_https_grants;
  wg_inspect_tool *tools;
  size_t tool_count;
  bool has_static_runtime;
  struct {
    bool eligible;
    const char *status; /* wasm/yoi-plugin-wasm-1, wasm/<abi>, none, ... */
    const char *diagnostic;
  } runtime;
  wg_inspect_host_api host_apis[2];
  size_t host_api_count;
  wg_inspect_diag *diags; /* sorted by (kind, message) */
  size_t diag_count;
} wg_inspect_item;

/* The item list is capped as yoi's. */
enum { WG_INSPECT_MAX_ITEMS = 129 };

typedef struct wg_inspection {
  wg_inspect_item *items; /* sorted by reference */
  size_t count;           /* at most WG_INSPECT_MAX_ITEMS */
  size_t total;           /* before the cap */
  struct wg_inspect_priv *priv;
} wg_inspection;

/* Builds the items from discovery and a fresh resolution. Never reads a
 * package or runs code. WG_CONFIG_OK, or WG_CONFIG_NOMEM. cfg, disc and res
 * must outlive the inspection. */
wg_config_code wg_inspect(const wg_config *cfg, const wg_discovery *disc,
                          const wg_resolution *res, wg_inspection *out);
void wg_inspection_free(wg_inspection *in);

typedef enum wg_inspect_lookup {
  WG_LOOKUP_FOUND,
  WG_LOOKUP_NOT_FOUND,
  WG_LOOKUP_AMBIGUOUS,
} wg_inspect_lookup;

/* show's ref lookup: an exact reference, else a unique local-part match. */
wg_inspect_lookup wg_inspect_find(const wg_inspection *in, const char *ref,
                                  const wg_inspect_item **out);

/* The item as yoi's JSON object (serde field order). False if the writer
 * failed or memory ran out (the output is then incomplete). */
bool wg_inspect_item_json(const wg_inspect_item *item, wg_json_writer *w);

/* ---- everything at once: what every command and the runtime start with -- */

typedef struct wg_plugin_set_options {
  const char *workspace;     /* NULL: the current directory */
  const char *config_path;   /* NULL: WORKSPACE/wasmgate.toml, may be absent;
                                given: must exist */
  const char *project_store; /* overrides of config and environment, or NULL */
  const char *user_store;
  bool ignore_lock;          /* resolve afresh (what `wasmgate lock` does) */
  /* Use and refresh WORKSPACE/.wasmgate/digest-cache: packages no enabled
   * entry names are not read again while their (device, inode, size,
   * mtime, ctime) are unchanged, and their wg_discovered has no manifest
   * (so the set is not for wg_inspect). Enabled packages are always read
   * and hashed in full. If resolution reports any problem, discovery is
   * redone without the cache, so a stale or forged entry can never be the
   * reason a plugin is refused. */
  bool digest_cache;
} wg_plugin_set_options;

typedef struct wg_plugin_set {
  char workspace[WG_CONFIG_PATH_MAX]; /* canonical */
  char lock_path[WG_CONFIG_PATH_MAX]; /* WORKSPACE/wasmgate.lock */
  wg_config *cfg;
  wg_plugin_stores stores;
  wg_discovery disc;
  wg_lock lock;
  bool has_lock; /* a lock file was read and used */
  wg_resolution res;
} wg_plugin_set;

typedef enum wg_plugin_set_code {
  WG_PLUGIN_SET_OK,
  WG_PLUGIN_SET_WORKSPACE, /* the workspace does not exist or is not readable */
  WG_PLUGIN_SET_CONFIG,    /* err: the config file's error (line/column if any) */
  WG_PLUGIN_SET_STORES,    /* a store path is too long */
  WG_PLUGIN_SET_LOCK,      /* err: wasmgate.lock's error (line/column if any) */
  WG_PLUGIN_SET_NOMEM,
} wg_plugin_set_code;

/* "ok", "workspace", "config", "stores", "lock", "nomem". */
const char *wg_plugin_set_code_name(wg_plugin_set_code s);

/* Canonical workspace, config, stores, discovery, lock (unless ignored or
 * absent) and resolution. On failure *err says why; call
 * wg_plugin_set_free either way. */
wg_plugin_set_code wg_plugin_set_load(const wg_plugin_set_options *opts,
                                      wg_plugin_set *out,
                                      wg_config_error *err);
void wg_plugin_set_free(wg_plugin_set *set);

#endif
