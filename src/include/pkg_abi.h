/* pkg_abi.h: the ABI facts the package layer (`check`, at discovery) and the
 * host layer (before each call instantiates) share, so both accept and
 * refuse the same modules, in the same order, with the same words: the one
 * check of an entry module's required exports, and the one table of host
 * imports. Not public. */
#ifndef WASMGATE_PKG_ABI_H
#define WASMGATE_PKG_ABI_H

#include "wasmgate/wasm.h"

#include <stddef.h>

/* NULL when m exports `memory` (a memory) and `yoi_tool_call` (a function
 * [] -> []); else the first problem, memory first, as a static message:
 *   "plugin WASM module does not export memory"
 *   "plugin WASM module does not export yoi_tool_call: [] -> []" */
const char *pkg_abi_export_problem(const wg_module *m);

/* The host imports of yoi-plugin-wasm-1 (yoi:tool, yoi:https): one table,
 * used by `check` and by the host layer that implements them. */
typedef enum pkg_abi_import_id {
  PKG_ABI_TOOL_NAME_LEN,
  PKG_ABI_TOOL_NAME_READ,
  PKG_ABI_INPUT_LEN,
  PKG_ABI_INPUT_READ,
  PKG_ABI_OUTPUT_WRITE,
  PKG_ABI_HTTPS_REQUEST,
  PKG_ABI_HTTPS_RESPONSE_LEN,
  PKG_ABI_HTTPS_RESPONSE_READ,
  PKG_ABI_IMPORT_COUNT
} pkg_abi_import_id;

typedef struct pkg_abi_import {
  const char *module; /* "yoi:tool" or "yoi:https" */
  const char *name;
  wg_functype type;   /* () -> i32 or (i32, i32) -> i32 */
} pkg_abi_import;

const pkg_abi_import *pkg_abi_import_at(pkg_abi_import_id id);
/* The id of import module.name, or -1 if the ABI has no such import. */
int pkg_abi_find_import(const char *module, size_t module_len,
                       const char *name, size_t name_len);
/* True if im is a function import of exactly the type of import id. */
bool pkg_abi_import_type_ok(const wg_import_info *im, pkg_abi_import_id id);

#endif
