/* cfg_internal.h: helpers shared by the files of the config layer: strict
 * typed reads of a TOML tree with located errors (cfg_toml.c), diagnostics
 * (cfg_diag_add, store.c) and small sorting helpers.
 *
 * Invariants: every string a wg_config hands out points into its TOML tree
 * (NUL-terminated, checked to hold no NUL) or its arena; a failing read sets
 * the error once (the first error wins) and returns -1. */
#ifndef WG_CFG_INTERNAL_H
#define WG_CFG_INTERNAL_H

#include <stdarg.h>

#include <sys/stat.h>

#include "wasmgate/config.h"
#include "wasmgate/inspect.h"
#include "wasmgate/plugins.h"
#include "wasmgate/util.h"

struct wg_config_priv {
  wg_toml_doc *doc;
  wg_arena arena;
};

/* A read in progress: where errors go and where copies live. */
typedef struct cfg_ctx {
  wg_arena *arena;
  wg_config_error *err;
  const char *text; /* the source, for byte offset -> line/column */
  size_t len;
  bool failed;
} cfg_ctx;

/* Longest dotted location we name in a message ("plugins.enabled[3].grants
 * .https[0].headers[1].name"); longer ones are cut. */
enum { CFG_WHERE_MAX = 160 };

/* Fail with WG_CONFIG_INVALID / with a given code. */
int cfg_fail_at(cfg_ctx *c, uint32_t line, uint32_t column, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
int cfg_fail_code(cfg_ctx *c, wg_config_code code, uint32_t line,
                  uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A message without location or context (I/O, TOML, memory). */
void cfg_error_set(wg_config_error *err, wg_config_code code, const char *fmt,
                   ...) __attribute__((format(printf, 3, 4)));
int cfg_fail_offset(cfg_ctx *c, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "a.b" + key -> "a.b.key" (or "key" at the root), bounded. */
void cfg_join(char *out, const char *where, const char *key);
/* "a.b" + index -> "a.b[i]". */
void cfg_index(char *out, const char *where, size_t i);

/* vsnprintf: bounded formatting where truncation is intended (messages
 * are cut, never overflowed). */
int cfg_fmt(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Every key of `table` must be in allowed (NULL-terminated). */
int cfg_check_keys(cfg_ctx *c, const wg_toml_value *table,
                   const char *const *allowed, const char *where);

/* Typed reads of table[key]. An absent key leaves *out unchanged and
 * returns 0 (callers preset defaults); a present one of the wrong type or
 * range fails with the value's position. */
int cfg_get_string(cfg_ctx *c, const wg_toml_value *table, const char *key,
                   const char *where, const char **out);
int cfg_get_bool(cfg_ctx *c, const wg_toml_value *table, const char *key,
                 const char *where, bool *out);
int cfg_get_u64(cfg_ctx *c, const wg_toml_value *table, const char *key,
                const char *where, uint64_t min, uint64_t max, uint64_t *out);
int cfg_get_table(cfg_ctx *c, const wg_toml_value *table, const char *key,
                  const char *where, const wg_toml_value **out);
int cfg_get_array(cfg_ctx *c, const wg_toml_value *table, const char *key,
                  const char *where, const wg_toml_value **out);
/* An array of strings, copied into an arena array of pointers. */
int cfg_get_strings(cfg_ctx *c, const wg_toml_value *table, const char *key,
                    const char *where, const char ***out, size_t *count);
/* A string value (not a member): type check and no NUL inside. */
int cfg_string_value(cfg_ctx *c, const wg_toml_value *v, const char *where,
                     const char **out);
/* A key that must be present. */
int cfg_require(cfg_ctx *c, const wg_toml_value *table, const char *key,
                const char *where);

/* Diagnostics: one growable array. */
typedef struct cfg_diags {
  wg_plugin_diag *items;
  size_t count, cap;
  bool oom;
} cfg_diags;

/* Appends a diagnostic; identity/package/digest may be NULL. Returns the
 * new entry, or NULL (sets oom) when memory runs out. */
wg_plugin_diag *cfg_diag_add(cfg_diags *d, wg_pkg_code kind,
                             wg_pkg_phase phase, const char *message);
void cfg_copy(char *dst, size_t cap, const char *src);

/* Reads a regular file of at most max bytes (O_NONBLOCK: a FIFO never
 * blocks). 0, or -1 with *errnum (EFBIG when too large). */
int cfg_read_file(const char *path, size_t max, char **data, size_t *len,
                  int *errnum);
/* cfg_read_file's errnum for a FIFO, device or socket. */
#define CFG_ENOTREG (-2)
/* Text for cfg_read_file's errnum: strerror, or our two own cases (a file
 * over max is "larger than <max>", written into buf). */
const char *cfg_read_error_text(int errnum, size_t max, char *buf,
                                size_t size);

/* ---- the discovery digest cache (digest_cache.c) ---- */

/* What discovery learnt from one package file, keyed by store and file
 * name, valid while the file's stat stamp is unchanged. */
typedef struct cfg_cache_entry {
  wg_source source;
  char label[WG_PLUGIN_LABEL_MAX];
  uint64_t dev, ino, size, mtime_ns, ctime_ns;
  char local_id[WG_PLUGIN_REF_MAX];
  char digest[WG_PKG_DIGEST_LEN];
  bool used; /* seen by this discovery (unused entries are dropped on save) */
} cfg_cache_entry;

/* A store directory's kept names (discovery's first max by name), valid
 * while the directory's stamp is unchanged (an entry created, removed or
 * renamed changes its mtime and ctime). */
typedef struct cfg_cache_dir {
  bool valid, used;
  uint64_t dev, ino, mtime_ns, ctime_ns, max;
  bool truncated;
  char **names; /* sorted */
  size_t count;
} cfg_cache_dir;

typedef struct cfg_cache {
  cfg_cache_dir dirs[2];    /* by wg_source: user, project */
  cfg_cache_entry *entries; /* sorted by (source, label) */
  size_t count, cap;
  bool dirty;
  uint64_t now_ns;          /* realtime when loaded: what is "racy" */
} cfg_cache;

/* Parses a cache file's text: 0, or -1 (invalid anywhere; out empty). */
int cfg_cache_parse(const char *text, size_t len, cfg_cache *out);
/* The text of the used entries. */
bool cfg_cache_format(const cfg_cache *c, wg_buf *out);
void cfg_cache_free(cfg_cache *c);
/* A missing, unreadable or invalid file gives an empty cache. */
void cfg_cache_load(const char *path, cfg_cache *out);
/* Writes the used entries atomically if anything changed; errors ignored. */
void cfg_cache_save(const char *path, cfg_cache *c);
cfg_cache_entry *cfg_cache_find(cfg_cache *c, wg_source source, const char *label);
bool cfg_cache_stamp_matches(const cfg_cache_entry *e, const struct stat *st);
void cfg_cache_record(cfg_cache *c, wg_source source, const char *label,
                      const struct stat *st, const char *local_id, const char *digest);
/* The cached listing of a store, if its stamp and max still match. */
const cfg_cache_dir *cfg_cache_dir_find(cfg_cache *c, wg_source source,
                                        const struct stat *st, size_t max);
void cfg_cache_dir_record(cfg_cache *c, wg_source source, const struct stat *st,
                          size_t max, bool truncated, char *const *names, size_t count);

/* Discovery with the cache: an unchanged package whose identity is not in
 * `wanted` comes from the cache (manifest NULL, owned_id set); every other
 * one is read in full and recorded. wanted NULL: every package is read in
 * full (the cache is only refreshed). cache NULL: wg_discover. */
int cfg_discover(const wg_plugin_stores *stores, const wg_pkg_limits *limits,
                 cfg_cache *cache, const char *const *wanted, size_t wanted_count,
                 wg_discovery *out);

/* yoi's is_safe_id: 1-128 bytes of ASCII letters, digits, '-', '_', '.',
 * not starting or ending with '.'. */
bool cfg_safe_id(const char *s, size_t len);

/* [https] (https.c), and the shape checks of one https grant and of its
 * header `index` (called once the grant's fields are read). */
int cfg_parse_https(cfg_ctx *c, const wg_toml_value *root, wg_config *cfg);
/* [https] dns_servers and timeout_ms (https_client.c), given the table. */
int cfg_parse_https_client(cfg_ctx *c, const wg_toml_value *t, wg_config *cfg);
int cfg_check_https_grant(cfg_ctx *c, const wg_toml_value *v, const char *where,
                          const wg_config_https_grant *h);
int cfg_check_grant_header(cfg_ctx *c, const wg_toml_value *v, const char *where,
                           const wg_config_https_grant *h, size_t index);

/* The code of a failure *err describes (never WG_CONFIG_OK: a failure that
 * set no code is out of memory). */
static inline wg_config_code cfg_failed_code(const wg_config_error *err) {
  return err && err->code != WG_CONFIG_OK ? err->code : WG_CONFIG_NOMEM;
}

#endif
