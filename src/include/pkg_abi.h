/* pkg_abi.h: the one check of an entry module's required exports, shared by
 * the package layer (`check`, at discovery) and the host layer (before each
 * call instantiates), so both refuse the same modules, in the same order,
 * with the same words. Not public. */
#ifndef WASMGATE_PKG_ABI_H
#define WASMGATE_PKG_ABI_H

#include "wasmgate/wasm.h"

/* NULL when m exports `memory` (a memory) and `yoi_tool_call` (a function
 * [] -> []); else the first problem, memory first, as a static message:
 *   "plugin WASM module does not export memory"
 *   "plugin WASM module does not export yoi_tool_call: [] -> []" */
const char *pkg_abi_export_problem(const wg_module *m);

#endif
