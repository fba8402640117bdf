/* cfg_internal.h: helpers shared by the files of the config layer: strict
 * typed reads of a TOML tree with located errors (cfg_toml.c), diagnostics
 * (diag.c) and small sorting helpers.
 *
 * Invariants: every string a wg_config hands out points into its TOML tree
 * (NUL-terminated, checked to hold no NUL) or its arena; a failing read sets
 * the error once (the first error wins) and returns -1. */
#ifndef WG_CFG_INTERNAL_H
#define WG_CFG_INTERNAL_H

#include <stdarg.h>

#include "wasmgate/config.h"
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
wg_plugin_diag *cfg_diag_add(cfg_diags *d, wg_pkg_kind kind,
                             wg_pkg_phase phase, const char *message);
void cfg_copy(char *dst, size_t cap, const char *src);

/* Reads a regular file of at most max bytes (O_NONBLOCK: a FIFO never
 * blocks). 0, or -1 with *errnum (EFBIG when too large). */
int cfg_read_file(const char *path, size_t max, char **data, size_t *len,
                  int *errnum);
/* cfg_read_file's errnum for a FIFO, device or socket. */
#define CFG_ENOTREG (-2)
/* Text for cfg_read_file's errnum: strerror, or our two own cases. */
const char *cfg_read_error_text(int errnum);

/* is_safe_id (reference 1.5). */
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

#endif
