/* manifest_internal.h: shared internals of the manifest, permission, tool
 * and ABI checks (src/package/manifest*.c, permission.c, abi.c). Prefix
 * pkg_, the package layer's one internal prefix. */
#ifndef WG_MANIFEST_INTERNAL_H
#define WG_MANIFEST_INTERNAL_H

#include "wasmgate/manifest.h"
#include "pkg_internal.h"

/* The allocation behind a wg_manifest: the public struct first, so a
 * wg_manifest * is also an pkg_manifest *. */
typedef struct pkg_manifest {
  wg_manifest pub;
  wg_arena arena;
} pkg_manifest;

/* True if s[0..len) equals the NUL-terminated literal. */
bool pkg_str_is(const char *s, size_t len, const char *lit);

/* Converts a TOML value to canonical JSON text (sorted keys, serde_json's
 * number forms). Returns 0 with *json (arena), 1 if a value has no JSON form
 * (date-time, nan, inf) with its location appended to `where` (which holds
 * the prefix, e.g. "tools[0].input_schema"), or -1 when out of memory. */
int pkg_toml_to_json(const wg_toml_value *v, wg_arena *arena, const char **json,
                    size_t *json_len, wg_buf *where);

/* Appends ".key" to a location, bytes outside printable ASCII as \xNN. */
void pkg_loc_key(wg_buf *where, const char *key, size_t len);

/* yoi's is_safe_id. */
bool pkg_safe_id(const char *s, size_t len);
/* Rust's char::is_whitespace. */
bool pkg_unicode_space(uint32_t cp);
/* A path the manifest references: resolved in pkg, or (pkg NULL) only
 * normalized. 0 or -1 with traversal/missing. */
int pkg_check_ref(const wg_pkg *pkg, const char *path, size_t len,
                 wg_pkg_diag *diag);

#endif
