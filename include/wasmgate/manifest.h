/* manifest.h: plugin.toml (yoi's PluginPackageManifest), the permission
 * type shared by manifests and config grants, and the yoi-plugin-wasm-1
 * entry-module check (docs/design.md#manifest, #permissions, #the-abi).
 *
 * All of it is in the wg_package library (which links wg_toml, wg_json,
 * wg_schema and wg_wasm). A parsed manifest lives in one arena: one wg_manifest_free releases it.
 * Every diagnostic is a wg_pkg_diag with yoi's kinds and fixed messages; no
 * message ever holds manifest content or a filesystem path. Locations (the
 * only place manifest keys may appear, e.g. "tools[0].input_schema.
 * properties.x") are kept in a separate, bounded, escaped field. */
#ifndef WASMGATE_MANIFEST_H
#define WASMGATE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/package.h"
#include "wasmgate/wasm.h"
#include "wasmgate/schema.h"
#include "wasmgate/toml.h"
#include "wasmgate/limits.h"

/* ---- surfaces ---------------------------------------------------------- */

typedef enum wg_surface {
  WG_SURFACE_HOOK,
  WG_SURFACE_TOOL,
  WG_SURFACE_SERVICE,
  WG_SURFACE_INGRESS,
  WG_SURFACE_WASM,
  WG_SURFACE_COUNT
} wg_surface;

/* "hook", "tool", "service", "ingress", "wasm". */
const char *wg_surface_name(wg_surface s);
/* Exact match of one of the names above. */
bool wg_surface_parse(const char *s, size_t len, wg_surface *out);

/* ---- permissions (docs/design.md#permissions) -------------------------- */

typedef enum wg_perm_kind {
  WG_PERM_SURFACE,        /* { kind = "surface", surface = "tool" } */
  WG_PERM_TOOL,           /* { kind = "tool", name = "X" } */
  WG_PERM_TOOL_NAMESPACE, /* { kind = "tool_namespace", namespace = "p" } */
  WG_PERM_EXTERNAL_WRITE, /* { kind = "external_write" } */
  WG_PERM_HOST_API,       /* { kind = "host_api", api = "https"|"fs" } */
} wg_perm_kind;

typedef enum wg_host_api { WG_HOST_API_HTTPS, WG_HOST_API_FS } wg_host_api;

/* "surface", "tool", "tool_namespace", "external_write", "host_api". */
const char *wg_perm_kind_name(wg_perm_kind k);
/* "https", "fs". */
const char *wg_host_api_name(wg_host_api a);

typedef struct wg_permission {
  wg_perm_kind kind;
  wg_surface surface; /* WG_PERM_SURFACE */
  wg_host_api api;    /* WG_PERM_HOST_API */
  /* WG_PERM_TOOL: the name; WG_PERM_TOOL_NAMESPACE: the namespace (may be
   * empty; an empty namespace matches nothing). NUL-terminated, but compare
   * by length: TOML strings may hold NUL. NULL/0 for the other kinds. */
  const char *text;
  size_t text_len;
} wg_permission;

/* Parses one permission table (serde's tagged enum with
 * deny_unknown_fields): `v` must be a table with a string `kind` naming one
 * of the five kinds and exactly that kind's keys, of the right types.
 * Strings are copied into `arena`. Returns WG_PKG_OK, or WG_PKG_MALFORMED
 * (not a permission: an unknown kind, key, surface or api, a missing key or
 * a wrong type) or WG_PKG_IO (out of memory), with *err_offset set to the
 * byte offset of the offending value or key, for the caller's "could not be
 * parsed near byte span" diagnostic. */
wg_pkg_code wg_permission_from_toml(const wg_toml_value *v, wg_arena *arena,
                                    wg_permission *out, size_t *err_offset);

/* The label yoi shows: "surfaces.tool", "tool.X",
 * "tool_namespace.p", "external_write", "host_api.https". Writes at most
 * cap bytes including a NUL (truncating like snprintf) and returns the full
 * length. Tool names are written as they are (they may hold any text). */
size_t wg_permission_label(const wg_permission *p, char *out, size_t cap);

/* Exact equality (kind and value). */
bool wg_permission_equal(const wg_permission *a, const wg_permission *b);
/* yoi's match for surface, external_write and host_api: `p` appears
 * exactly in list[0..n). */
bool wg_permissions_contain(const wg_permission *list, size_t n,
                            const wg_permission *p);
/* yoi's match for tools: list has {tool, name == tool} or
 * {tool_namespace, ns} with ns non-empty and a byte prefix of the name. */
bool wg_permissions_allow_tool(const wg_permission *list, size_t n,
                               const char *tool, size_t tool_len);

/* ---- the manifest ------------------------------------------------------ */

/* WG_MANIFEST_MAX_TOOL_NAME and _DESCRIPTION are in limits.h. */
/* What most model APIs accept: [A-Za-z0-9_-]{1,64}; outside it, a warning. */
#define WG_MANIFEST_PORTABLE_TOOL_NAME 64u

typedef struct wg_manifest_hook {
  const char *id, *file; /* NUL-terminated; lengths below */
  size_t id_len, file_len;
} wg_manifest_hook;

typedef struct wg_manifest_tool {
  const char *name;
  size_t name_len;
  const char *description;
  size_t description_len;
  /* input_schema converted to JSON, canonical form (sorted keys, as yoi's
   * serde_json shows it). NULL when the TOML value cannot be JSON (date-time,
   * nan, inf): wg_manifest_tool_check then reports where. */
  const char *input_schema_json;
  size_t input_schema_len;
  /* When input_schema_json is NULL: where the value JSON cannot represent
   * sits, e.g. "tools[0].input_schema.properties.x.default" (escaped). */
  const char *input_schema_error;
  bool external_write;
} wg_manifest_tool;

typedef struct wg_manifest {
  uint32_t schema_version;
  const char *id, *name, *version;
  size_t id_len, name_len, version_len;
  const char *description; /* NULL if absent */
  size_t description_len;
  /* The explicit `surfaces` list, in document order. */
  const wg_surface *surfaces;
  size_t surface_count;
  /* declared_surfaces(): bit (1u << wg_surface) for the explicit list plus
   * hook if hooks, tool if tools, wasm if runtime. */
  unsigned declared_surfaces;
  bool has_runtime;
  struct {
    const char *kind, *entry, *abi; /* abi NULL if absent */
    size_t kind_len, entry_len, abi_len;
  } runtime;
  const wg_manifest_hook *hooks;
  size_t hook_count;
  const wg_manifest_tool *tools;
  size_t tool_count;
  const wg_permission *permissions;
  size_t permission_count;
} wg_manifest;

/* The fixed parse message (yoi's: no manifest text in it). */
#define WG_MANIFEST_PARSE_MESSAGE "plugin.toml could not be parsed"

/* Parses plugin.toml text (the serde step: TOML syntax, unknown keys at
 * every level, types, required keys, enum values, u32 range). On failure
 * returns the kind of diag, e.g. malformed/manifest "plugin.toml could not be
 * parsed near byte span A..B" (A..B: the offending value or key). Does NOT
 * apply the rules of wg_manifest_validate. */
wg_pkg_code wg_manifest_parse(const char *text, size_t len, wg_manifest **out,
                              wg_pkg_diag *diag);
void wg_manifest_free(wg_manifest *m);

/* yoi's discovery-time validation, in yoi's order: schema_version (api),
 * id (malformed), name/version (malformed), runtime kind (api), abi (api),
 * entry (traversal/missing), then each hook id (malformed) and file
 * (traversal/missing). `pkg` may be NULL to skip the presence checks. Tools
 * are not checked here (see wg_manifest_tool_check). The code (package.h):
 * WG_PKG_OK, or the kind of *diag. */
wg_pkg_code wg_manifest_validate(const wg_manifest *m, const wg_pkg *pkg,
                                 wg_pkg_diag *diag);

/* wg_manifest_parse + wg_manifest_validate on the package's plugin.toml. */
wg_pkg_code wg_manifest_load(const wg_pkg *pkg, wg_manifest **out, wg_pkg_diag *diag);

/* A diagnostic about one tool (registration-time rules), or a warning. */
typedef struct wg_manifest_diag {
  wg_pkg_diag diag;   /* kind, phase manifest, fixed message */
  bool warning;       /* true: reported, does not make the package invalid */
  size_t tool_index;  /* index into m->tools; SIZE_MAX if not per tool */
  /* Where, e.g. "tools[0].name", "tools[1].input_schema.properties.x";
   * keys are escaped (non-printable bytes as \xNN) and the text is bounded. */
  char location[WG_PKG_MESSAGE_MAX];
} wg_manifest_diag;

/* Registration-time checks of m->tools[index] (the registry calls this;
 * check reports it), in this order; the first failure gives its kind and
 * *diag (phase manifest, location set), else WG_PKG_OK:
 *   name (yoi's validate_tool_name), location "tools[i].name", malformed:
 *     "plugin tool name is empty" / "... exceeds 128 bytes" /
 *     "... contains whitespace or control characters"
 *   duplicate of an earlier tool's name, kind duplicate:
 *     "plugin tool name is declared twice in the same plugin package"
 *   description, "tools[i].description", malformed:
 *     "plugin tool description exceeds 4096 bytes" / "plugin tool
 *     description contains control characters other than newline and tab"
 *   input_schema, malformed:
 *     "plugin tool input_schema holds a value JSON cannot represent
 *     (date-time, nan or inf)" (location: where the value is)
 *     "plugin tool input_schema root must have type \"object\""
 *     ("tools[i].input_schema.type")
 *     "plugin tool input_schema is not a supported JSON Schema (S)", S the
 *     schema layer's code name ("tools[i].input_schema" + its path).
 * Deliberately not yoi's small keyword subset (type, properties, required,
 * items, enum, ...): the full schema layer, since wasmgate validates every
 * call's input against it. */
wg_pkg_code wg_manifest_tool_check(const wg_manifest *m, size_t index,
                                   wg_manifest_diag *diag);

/* The warning of m->tools[index], if any: true and *diag (warning = true,
 * location "tools[i].name") when the name is outside [A-Za-z0-9_-]{1,64}:
 * "plugin tool name is outside [A-Za-z0-9_-]{1,64}, which most model APIs
 * require". */
bool wg_manifest_tool_warning(const wg_manifest *m, size_t index,
                              wg_manifest_diag *diag);

/* True if the name is in [A-Za-z0-9_-]{1,64}. */
bool wg_manifest_tool_name_portable(const char *name, size_t len);

/* Compiles a tool's input_schema with the schema layer (compile on demand;
 * the caller frees). NULL with *err when it does not compile or has no JSON
 * form (err->code WG_SCHEMA_BAD_KEYWORD then). */
wg_schema *wg_manifest_tool_schema(const wg_manifest_tool *t,
                                   wg_schema_error *err);

/* ---- yoi-plugin-wasm-1 ABI check (docs/design.md#the-abi) -------------- */

/* Decodes and validates `wasm` with the engine, then checks: exports
 * `memory` (a memory) and `yoi_tool_call` (a function [] -> []); every
 * import is yoi:tool.{tool_name_len,tool_name_read,input_len,input_read,
 * output_write} or yoi:https.{request,response_len,response_read} with its
 * exact type. The first failure gives its kind and diag (phase manifest):
 *   api  "plugin WASM module could not be decoded or validated (R)"
 *         (R: the engine's result name: malformed, invalid, unsupported)
 *   api  "plugin WASM module does not export memory"
 *   api  "plugin WASM module does not export yoi_tool_call: [] -> []"
 *   api  "unsupported import module `M`; only `yoi:tool` and `yoi:https`
 *         are available"   (M bounded and escaped)
 *   api  "unsupported host import `N`; no filesystem, ambient network,
 *         environment, or WASI imports are available"
 *   api  "unsupported https host import `N`"
 *   api  "host import `M.N` has the wrong type" (also: not a function)
 *   api  "host_api.fs is not implemented" (any yoi:fs import, as yoi)
 * *uses_https (if non-NULL) is set when yoi:https is imported (authorizing
 * host_api.https is wg_authorize_host_api's job, plugins.h). */
wg_pkg_code wg_abi_check(const uint8_t *wasm, size_t len, bool *uses_https,
                         wg_pkg_diag *diag);
/* The same with the engine's build bounds (NULL: its defaults). Also:
 *   api     "plugin WASM module exceeds an engine limit: MSG" (MSG: the
 *           engine's fixed text, e.g. "br_table with 70000 targets (limit
 *           65520)")
 *   bounds  "plugin WASM module could not be checked within the time
 *           limit" (the deadline) / "... check was cancelled" */
wg_pkg_code wg_abi_check_limited(const uint8_t *wasm, size_t len,
                                 const wg_module_limits *limits, bool *uses_https,
                                 wg_pkg_diag *diag);

#endif
