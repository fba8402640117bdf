/* wasmgate.h: the umbrella header of libwasmgate: every public header, in
 * layer order (docs/design.md#layers). An embedding host includes this one and
 * links `pkg-config --libs wasmgate` (or find_package(wasmgate) ->
 * wasmgate::wasmgate). The usual entry is runtime.h's workspace API:
 * wg_workspace_open, wg_workspace_registry, wg_workspace_call,
 * wg_workspace_close (examples/embed/embed.c).
 *
 * Two kinds of public header (as Lua has lua.h beside lapi.h):
 * - the embedding API, what a host program needs: runtime.h (workspaces,
 *   one bounded call, history), host.h (wg_error and the stable error
 *   codes), config.h (wasmgate.toml), limits.h (every default);
 * - the layer APIs, public so that a tool or a test can use one layer
 *   alone (the JSON parser, the engine, the TOML parser, ...): util.h,
 *   json.h, wasm.h, toml.h, schema.h, package.h, manifest.h, plugins.h,
 *   inspect.h, policy.h. They change with their layer.
 * What only the layers share is not here: src/include/ and
 * src/<layer>/..._internal.h. */
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
