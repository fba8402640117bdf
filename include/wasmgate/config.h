/* config.h: wasmgate.toml, plugin stores, discovery, resolution, the lock
 * file and static inspection, as yoi (docs/configuration.md).
 *
 * A wg_config owns its parsed TOML tree and one arena: every string and
 * array in it lives until wg_config_free. Parsing is strict: an unknown key
 * or a wrong type anywhere is an error with the line and column of the key or
 * value. Discovery and resolution never execute plugin code; their
 * diagnostics carry yoi's kinds, phases and fixed messages and never a
 * filesystem path. */
#ifndef WASMGATE_CONFIG_H
#define WASMGATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/json.h"
#include "wasmgate/manifest.h"
#include "wasmgate/package.h"
#include "wasmgate/toml.h"
#include "wasmgate/limits.h"

/* ---- wasmgate.toml ---------------------------------------------------- */

/* docs/design.md#limits has the defaults; the accepted ranges are in
 * src/config/config.c. */
typedef struct wg_config_limits {
  uint64_t input_bytes;    /* 65536 */
  uint64_t output_bytes;   /* 65536 */
  uint64_t summary_bytes;  /* 1024 */
  uint64_t fuel;           /* 100,000,000 */
  uint64_t timeout_ms;     /* 10,000 */
  uint64_t memory_bytes;   /* 16 MiB */
  uint64_t table_elements; /* 10,000 */
  uint64_t call_depth;     /* 1,000 */
} wg_config_limits;

typedef struct wg_config_header {
  const char *name;
  const char *value; /* may hold ${secret:NAME} references */
} wg_config_header;

/* One [[plugins.enabled.grants.https]] entry (yoi's host/methods/
 * path_prefixes plus wasmgate's port, max_redirects, headers,
 * path_secrets). Parsed and kept; enforcement is the policy layer's. */
typedef struct wg_config_https_grant {
  const char *host;
  const char **methods;
  size_t method_count;
  const char **path_prefixes;
  size_t path_prefix_count;
  bool has_port;
  uint16_t port;
  uint32_t max_redirects; /* default 0 */
  wg_config_header *headers;
  size_t header_count;
  const char **path_secrets;
  size_t path_secret_count;
} wg_config_https_grant;

/* [plugins.enabled.grants]. NULL strings are absent keys. */
typedef struct wg_config_grants {
  const char *id;
  const char *version;
  const char *digest;
  wg_permission *permissions;
  size_t permission_count;
  wg_config_https_grant *https;
  size_t https_count;
} wg_config_grants;

/* One [[plugins.enabled]] entry (yoi's schema). */
typedef struct wg_config_enabled {
  const char *id; /* NULL if absent (resolution then reports it) */
  const char *version;
  const char *digest;
  unsigned surfaces; /* bit set of (1u << wg_surface); 0 = all declared */
  wg_config_grants grants;
  const wg_toml_value *config; /* opaque, NULL if absent */
  uint32_t line, column;       /* where the entry starts */
} wg_config_enabled;

typedef struct wg_config_secret {
  const char *name;
  const char *env;  /* exactly one of env and file is non-NULL */
  const char *file;
} wg_config_secret;

/* One [https] resolve entry "HOST:PORT:ADDRESS[,ADDRESS...]" (curl
 * --resolve style; an IPv6 address may be written "[v6]"). The host is
 * kept as written (the policy normalises it); the addresses are parsed. */
typedef struct wg_config_resolve {
  const char *host;
  uint16_t port;
  wg_ip *addresses;
  size_t address_count;
} wg_config_resolve;

typedef enum wg_config_fsync { WG_FSYNC_ALWAYS, WG_FSYNC_NEVER } wg_config_fsync;

typedef struct wg_config {
  bool plugins_feature_enabled; /* [feature.plugins] enabled, default false */
  wg_config_enabled *enabled;
  size_t enabled_count;
  wg_config_limits limits;
  const char **allow_networks; /* [https]: validated CIDR strings */
  size_t allow_network_count;
  const char *ca_file;         /* NULL if unset */
  wg_config_resolve *resolve;  /* [https] resolve, in order */
  size_t resolve_count;
  uint32_t max_requests_per_call; /* default 16 */
  const char **dns_servers;    /* [https]: "IPv4:PORT" / "[IPv6]:PORT"; none =
                                  the system resolver configuration */
  size_t dns_server_count;
  uint32_t https_timeout_ms;   /* [https] timeout_ms: per request, default 5000 */
  wg_config_secret *secrets;
  size_t secret_count;
  const char *history_path;    /* default ".wasmgate/history.jsonl" */
  wg_config_fsync history_fsync; /* default always */
  const char *project_store;   /* [stores] project, NULL if unset */
  const char *user_store;      /* [stores] user, NULL if unset */
  struct wg_config_priv *priv; /* owns the tree and the arena */
} wg_config;

/* What went wrong, for callers and tests; the message says it to people. */
typedef enum wg_config_code {
  WG_CONFIG_OK,
  WG_CONFIG_TOML,        /* not valid TOML (the TOML layer's message) */
  WG_CONFIG_UNKNOWN_KEY, /* a key the format does not have */
  WG_CONFIG_TYPE,        /* a value of the wrong type */
  WG_CONFIG_RANGE,       /* a number outside its accepted range */
  WG_CONFIG_MISSING,     /* a required key is absent */
  WG_CONFIG_INVALID,     /* any other bad value (CIDR, secret, id, ...) */
  WG_CONFIG_IO,          /* the file could not be read or written */
  WG_CONFIG_NOMEM,
} wg_config_code;

/* "ok", "toml", "unknown_key", "type", "range", "missing", "invalid", "io",
 * "nomem". */
const char *wg_config_code_name(wg_config_code code);

/* Bounded error with a 1-based location (line 0: no location, e.g. I/O). */
typedef struct wg_config_error {
  wg_config_code code;
  uint32_t line, column;
  char message[256];
} wg_config_error;

/* Parses text[0..len) (at most 1 MiB; TOML nesting at most the TOML
 * layer's default depth). Returns NULL and fills *err on any error. */
wg_config *wg_config_parse(const char *text, size_t len, wg_config_error *err);
/* Reads and parses `path` (at most 1 MiB, a regular file, never blocks on a
 * FIFO). If the file does not exist: with must_exist an error, else an empty
 * config (nothing enabled). Messages never hold the path: callers prefix
 * the name they showed the user. */
wg_config *wg_config_load(const char *path, bool must_exist,
                          wg_config_error *err);
void wg_config_free(wg_config *cfg);

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
 * Relative paths are relative to `workspace` (an absolute path). */
int wg_plugin_stores_get(const wg_config *cfg, const char *workspace,
                         const char *project_override,
                         const char *user_override, wg_plugin_stores *out,
                         wg_config_error *err);

/* ---- diagnostics ------------------------------------------------------ */

enum { WG_PLUGIN_LABEL_MAX = 256, WG_PLUGIN_REF_MAX = 160 };

typedef struct wg_plugin_diag {
  wg_pkg_kind kind;
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
 * Returns 0, or -1 on out of memory only: every package problem is a
 * diagnostic, and one bad package never hides the others. */
int wg_discover(const wg_plugin_stores *stores, const wg_pkg_limits *limits,
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

/* Reads a lock file. Returns 1 and an empty lock if it does not exist, 0 on
 * success, -1 with *err (line/column when it is a format error). */
int wg_lock_load(const char *path, wg_lock *out, wg_config_error *err);
int wg_lock_parse(const char *text, size_t len, wg_lock *out,
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
 * lock file). Returns 0, or -1 on out of memory. The result points into cfg
 * and disc, which must outlive it. */
int wg_resolve(const wg_config *cfg, const wg_discovery *disc,
               const wg_lock *lock, wg_resolution *out);
void wg_resolution_free(wg_resolution *r);

/* The resolved plugins as a lock (one entry per identity, tools in manifest
 * order), and its TOML text written atomically to `path` (temp + rename). */
int wg_lock_from_resolution(const wg_resolution *r, wg_lock *out);
int wg_lock_write(const wg_lock *lock, const char *path, wg_config_error *err);
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
  const char *kind; /* a wg_pkg_kind name or "static_eligibility" */
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
 * package or runs code. 0, or -1 on out of memory. cfg, disc and res must
 * outlive the inspection. */
int wg_inspect(const wg_config *cfg, const wg_discovery *disc,
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

typedef enum wg_plugin_set_status {
  WG_PLUGIN_SET_OK,
  WG_PLUGIN_SET_WORKSPACE, /* the workspace does not exist or is not readable */
  WG_PLUGIN_SET_CONFIG,    /* err: the config file's error (line/column if any) */
  WG_PLUGIN_SET_STORES,    /* a store path is too long */
  WG_PLUGIN_SET_LOCK,      /* err: wasmgate.lock's error (line/column if any) */
  WG_PLUGIN_SET_NOMEM,
} wg_plugin_set_status;

/* "ok", "workspace", "config", "stores", "lock", "nomem". */
const char *wg_plugin_set_status_name(wg_plugin_set_status s);

/* Canonical workspace, config, stores, discovery, lock (unless ignored or
 * absent) and resolution. On failure *err says why; call
 * wg_plugin_set_free either way. */
wg_plugin_set_status wg_plugin_set_load(const wg_plugin_set_options *opts,
                                        wg_plugin_set *out,
                                        wg_config_error *err);
void wg_plugin_set_free(wg_plugin_set *set);

#endif
