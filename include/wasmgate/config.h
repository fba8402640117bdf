/* config.h: wasmgate.toml, as yoi reads its plugin sections plus
 * wasmgate's own ([limits], [https], [secrets], [history], [stores])
 * (docs/configuration.md). The plugin stores, discovery, the lock file and
 * resolution are in plugins.h; static inspection and the whole plugin set
 * in inspect.h.
 *
 * A wg_config owns its parsed TOML tree and one arena: every string and
 * array in it lives until wg_config_free. Parsing is strict: an unknown key
 * or a wrong type anywhere is an error with the line and column of the key or
 * value. */
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

/* `[limits]`: each key defaults to its WG_RT_DEFAULT_* and is accepted up
 * to its WG_CONFIG_MAX_* (limits.h; the minima are in src/config/config.c). */
typedef struct wg_config_limits {
  uint64_t input_bytes;    /* WG_RT_DEFAULT_MAX_INPUT */
  uint64_t output_bytes;   /* WG_RT_DEFAULT_MAX_OUTPUT */
  uint64_t summary_bytes;  /* WG_RT_DEFAULT_MAX_SUMMARY */
  uint64_t fuel;           /* WG_RT_DEFAULT_FUEL */
  uint64_t timeout_ms;     /* WG_RT_DEFAULT_TIMEOUT_MS */
  uint64_t memory_bytes;   /* WG_RT_DEFAULT_MAX_MEMORY */
  uint64_t table_elements; /* WG_RT_DEFAULT_MAX_TABLE */
  uint64_t call_depth;     /* WG_RT_DEFAULT_MAX_CALL_DEPTH */
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
  uint32_t max_redirects; /* default 0, at most WG_CONFIG_MAX_REDIRECTS */
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
  uint32_t max_requests_per_call; /* WG_CONFIG_DEFAULT_REQUESTS_PER_CALL */
  const char **dns_servers;    /* [https]: "IPv4:PORT" / "[IPv6]:PORT"; none =
                                  the system resolver configuration */
  size_t dns_server_count;
  uint32_t https_timeout_ms;   /* [https] timeout_ms: per request
                                  (WG_HTTPS_DEFAULT_TIMEOUT_MS) */
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

/* Parses text[0..len) (at most WG_CONFIG_MAX_FILE_SIZE bytes; TOML nesting
 * at most the TOML layer's default depth). Returns NULL and fills *err on
 * any error. */
wg_config *wg_config_parse(const char *text, size_t len, wg_config_error *err);
/* Reads and parses `path` (at most WG_CONFIG_MAX_FILE_SIZE bytes, a regular
 * file, never blocks on a FIFO). If the file does not exist: with must_exist an error, else an empty
 * config (nothing enabled). Messages never hold the path: callers prefix
 * the name they showed the user. */
wg_config *wg_config_load(const char *path, bool must_exist,
                          wg_config_error *err);
void wg_config_free(wg_config *cfg);

#endif
