/* wasmgate.h: the umbrella header of libwasmgate: every public header, in
 * layer order (docs/design.md#layers). An embedding host includes this one and
 * links `pkg-config --libs wasmgate` (or find_package(wasmgate) ->
 * wasmgate::wasmgate). The usual entry is runtime.h's workspace API:
 * wg_workspace_open, wg_workspace_registry, wg_workspace_call,
 * wg_workspace_close (examples/embed/embed.c). */
#ifndef WASMGATE_WASMGATE_H
#define WASMGATE_WASMGATE_H

#include "wasmgate/limits.h"
#include "wasmgate/util.h"
#include "wasmgate/json.h"
#include "wasmgate/wasm.h"
#include "wasmgate/toml.h"
#include "wasmgate/schema.h"
#include "wasmgate/package.h"
#include "wasmgate/manifest.h"
#include "wasmgate/config.h"
#include "wasmgate/plugins.h"
#include "wasmgate/inspect.h"
#include "wasmgate/policy.h"
#include "wasmgate/host.h"
#include "wasmgate/runtime.h"

#endif
