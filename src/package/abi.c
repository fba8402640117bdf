/* abi.c: the yoi-plugin-wasm-1 check of an entry module
 * (docs/design.md#the-abi), done statically: decode and validate with the
 * engine, then the exports (`memory`, `yoi_tool_call: [] -> []`) and every
 * import against the fixed host table, names and exact types. yoi checks
 * import names before instantiation and types only at link time; we check
 * both up front, so a package that passes `check` links. Messages name at
 * most an import's module or name, bounded and escaped: never a path or
 * manifest text. */
#include "manifest_internal.h"
#include "pkg_abi.h"

#include <stdio.h>
#include <string.h>

#include "wasmgate/wasm.h"

/* Import and message bounds: names longer than this are cut with "...". */
#define ABI_NAME_SHOWN 64u

static const wg_valtype abi_i32x2[] = {WG_I32, WG_I32};
static const wg_valtype abi_i32[] = {WG_I32};
#define ABI_LEN {0, 1, NULL, abi_i32}          /* () -> i32 */
#define ABI_PTR_LEN {2, 1, abi_i32x2, abi_i32} /* (i32, i32) -> i32 */

/* The yoi:tool and yoi:https imports, indexed by pkg_abi_import_id. */
static const pkg_abi_import abi_imports[PKG_ABI_IMPORT_COUNT] = {
  [PKG_ABI_TOOL_NAME_LEN] = {"yoi:tool", "tool_name_len", ABI_LEN},
  [PKG_ABI_TOOL_NAME_READ] = {"yoi:tool", "tool_name_read", ABI_PTR_LEN},
  [PKG_ABI_INPUT_LEN] = {"yoi:tool", "input_len", ABI_LEN},
  [PKG_ABI_INPUT_READ] = {"yoi:tool", "input_read", ABI_PTR_LEN},
  [PKG_ABI_OUTPUT_WRITE] = {"yoi:tool", "output_write", ABI_PTR_LEN},
  [PKG_ABI_HTTPS_REQUEST] = {"yoi:https", "request", ABI_PTR_LEN},
  [PKG_ABI_HTTPS_RESPONSE_LEN] = {"yoi:https", "response_len", ABI_LEN},
  [PKG_ABI_HTTPS_RESPONSE_READ] = {"yoi:https", "response_read", ABI_PTR_LEN},
};

const pkg_abi_import *pkg_abi_import_at(pkg_abi_import_id id) {
  if ((unsigned)id >= PKG_ABI_IMPORT_COUNT) return NULL;
  return &abi_imports[id];
}

int pkg_abi_find_import(const char *module, size_t module_len,
                       const char *name, size_t name_len) {
  for (int i = 0; i < PKG_ABI_IMPORT_COUNT; i++)
    if (pkg_str_is(module, module_len, abi_imports[i].module) &&
        pkg_str_is(name, name_len, abi_imports[i].name))
      return i;
  return -1;
}

bool pkg_abi_import_type_ok(const wg_import_info *im, pkg_abi_import_id id) {
  const wg_functype *want = &abi_imports[id].type, *got = &im->functype;
  if (im->kind != WG_EXTERN_FUNC || got->param_count != want->param_count ||
      got->result_count != want->result_count)
    return false;
  for (uint32_t i = 0; i < got->param_count; i++)
    if (got->params[i] != want->params[i]) return false;
  for (uint32_t i = 0; i < got->result_count; i++)
    if (got->results[i] != want->results[i]) return false;
  return true;
}

static int abi_fail(wg_pkg_diag *d, const char *msg) {
  pkg_diag_set(d, WG_PKG_API, WG_PKG_PHASE_MANIFEST, msg);
  return -1;
}

/* A name for a message: printable ASCII kept, other bytes as \xNN, cut. */
static void shown_name(char *out, size_t cap, const char *s, size_t len) {
  wg_escape_ascii(out, cap, s, len, ABI_NAME_SHOWN, "`\\");
}

static int check_import(const wg_import_info *im, bool *uses_https,
                        wg_pkg_diag *d) {
  bool tool = pkg_str_is(im->module, im->module_len, "yoi:tool");
  bool https = pkg_str_is(im->module, im->module_len, "yoi:https");
  char shown[96], msg[WG_PKG_MESSAGE_MAX];
  if (pkg_str_is(im->module, im->module_len, "yoi:fs"))
    return abi_fail(d, "host_api.fs is not implemented");
  if (!tool && !https) {
    shown_name(shown, sizeof shown, im->module, im->module_len);
    snprintf(msg, sizeof msg,
             "unsupported import module `%s`; only `yoi:tool` and "
             "`yoi:https` are available", shown);
    return abi_fail(d, msg);
  }
  int id = pkg_abi_find_import(im->module, im->module_len, im->name,
                              im->name_len);
  if (id >= 0) {
    const pkg_abi_import *h = &abi_imports[id];
    if (https) *uses_https = true;
    if (pkg_abi_import_type_ok(im, (pkg_abi_import_id)id)) return 0;
    snprintf(msg, sizeof msg, "host import `%s.%s` has the wrong type",
             h->module, h->name);
    return abi_fail(d, msg);
  }
  shown_name(shown, sizeof shown, im->name, im->name_len);
  if (https)
    snprintf(msg, sizeof msg, "unsupported https host import `%s`", shown);
  else
    snprintf(msg, sizeof msg,
             "unsupported host import `%s`; no filesystem, ambient network, "
             "environment, or WASI imports are available", shown);
  return abi_fail(d, msg);
}

const char *pkg_abi_export_problem(const wg_module *m) {
  bool memory = false, call = false;
  size_t n = wg_module_export_count(m);
  for (size_t i = 0; i < n; i++) {
    wg_export_info e;
    if (!wg_module_export(m, i, &e)) continue;
    if (pkg_str_is(e.name, e.name_len, "memory"))
      memory = e.kind == WG_EXTERN_MEMORY;
    if (pkg_str_is(e.name, e.name_len, "yoi_tool_call"))
      call = e.kind == WG_EXTERN_FUNC && e.functype.param_count == 0 &&
             e.functype.result_count == 0;
  }
  if (!memory) return "plugin WASM module does not export memory";
  if (!call) return "plugin WASM module does not export yoi_tool_call: [] -> []";
  return NULL;
}

static int check_exports(const wg_module *mod, wg_pkg_diag *d) {
  const char *problem = pkg_abi_export_problem(mod);
  return problem ? abi_fail(d, problem) : 0;
}

/* A build the engine did not finish: its deadline or cancellation
 * (bounds), or one of its limits (api, with the engine's fixed text). */
static int abi_unfinished(wg_wasm_code r, const wg_wasm_error *err,
                          wg_pkg_diag *d) {
  char msg[WG_PKG_MESSAGE_MAX];
  if (r == WG_WASM_TRAP) {
    pkg_diag_set(d, WG_PKG_BOUNDS, WG_PKG_PHASE_MANIFEST,
                 err->trap == WG_TRAP_CANCELLED
                     ? "plugin WASM module check was cancelled"
                     : "plugin WASM module could not be checked within the "
                       "time limit");
    return -1;
  }
  snprintf(msg, sizeof msg, "plugin WASM module exceeds an engine limit: %.200s",
           err->message);
  return abi_fail(d, msg);
}

wg_pkg_code wg_abi_check(const uint8_t *wasm, size_t len, bool *uses_https,
                         wg_pkg_diag *diag) {
  return wg_abi_check_limited(wasm, len, NULL, uses_https, diag);
}

static int abi_check(const uint8_t *wasm, size_t len,
                     const wg_module_limits *limits, bool *uses_https,
                     wg_pkg_diag *diag) {
  bool https = false;
  if (uses_https) *uses_https = false;
  wg_module *mod = NULL;
  wg_wasm_error err;
  wg_wasm_code r = wg_module_new_limited(wasm, len, limits, &mod, &err);
  if (r == WG_WASM_NOMEM) {
    pkg_diag_oom(diag);
    return -1;
  }
  if (r == WG_WASM_TRAP || r == WG_WASM_LIMIT)
    return abi_unfinished(r, &err, diag);
  if (r != WG_WASM_OK) {
    char msg[WG_PKG_MESSAGE_MAX];
    snprintf(msg, sizeof msg,
             "plugin WASM module could not be decoded or validated (%s)",
             wg_wasm_code_name(r));
    return abi_fail(diag, msg);
  }
  int rc = 0;
  size_t n = wg_module_import_count(mod);
  for (size_t i = 0; i < n && rc == 0; i++) {
    wg_import_info im;
    if (wg_module_import(mod, i, &im)) rc = check_import(&im, &https, diag);
  }
  if (rc == 0) rc = check_exports(mod, diag);
  wg_module_release(mod);
  if (uses_https) *uses_https = https;
  return rc;
}

wg_pkg_code wg_abi_check_limited(const uint8_t *wasm, size_t len,
                                 const wg_module_limits *limits, bool *uses_https,
                                 wg_pkg_diag *diag) {
  wg_pkg_diag own;
  diag = pkg_diag_begin(diag, &own);
  return pkg_code_of(abi_check(wasm, len, limits, uses_https, diag), diag);
}
