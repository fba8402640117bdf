/* host_call.h: the per-call state of the yoi:tool and yoi:https host
 * functions, and binding a module's imports to it. Only the runtime (call.c,
 * output.c) and the host layer use it; an embedder calls wg_call or
 * wg_workspace_call instead, so none of it is in the public headers. */
#ifndef WASMGATE_HOST_CALL_H
#define WASMGATE_HOST_CALL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/host.h"
#include "wasmgate/wasm.h"

struct host_https_state; /* internal (src/host/https_abi.c) */

/* Per-call state the host functions work on. The caller fills the inputs,
 * zeroes the rest, and frees with host_call_free. */
typedef struct host_call {
  /* inputs */
  const char *tool_name;
  size_t tool_name_len;
  const char *input; /* canonical JSON text the guest reads */
  size_t input_len;
  size_t max_output; /* output_write bound; 0 = WG_HOST_MAX_OUTPUT_WRITE */
  bool https_granted;
  const wg_https_ctx *https; /* NULL: a granted request fails closed */
  uint64_t deadline_ns;      /* the call's deadline (wg_now_ns clock), 0 = none */
  atomic_int *cancel;        /* the call's cancellation flag, or NULL */
  /* outputs */
  char *output;       /* the last successful output_write, malloc'd */
  size_t output_len;
  size_t output_cap;  /* bytes allocated for output */
  bool output_written;
  wg_err sticky;      /* first output error, WG_ERR_NONE if none */
  char sticky_message[WG_ERROR_MESSAGE_MAX + 1];
  uint32_t host_calls;
  struct host_https_state *https_state; /* created by the first request */
} host_call;

void host_call_free(host_call *hc);

/* Moves the call's https records out (*out malloc'd, caller frees; NULL and
 * 0 when no request was made). */
void host_call_take_https(host_call *hc, wg_https_record **out, size_t *count);

/* Checks every import of m (yoi's order: module, authorization, name) and,
 * if all are acceptable, fills imports[0..wg_module_import_count(m)) with
 * host functions created in s and bound to hc. On failure returns false and
 * sets err (code link_error, permission_denied or unsupported; nothing was
 * instantiated). */
bool host_bind(wg_store *s, const wg_module *m, host_call *hc, wg_extern *imports,
               wg_error *err);

/* Checks the required exports: `memory` (a memory) and `yoi_tool_call`
 * ([] -> []), memory first, with the package check's messages (manifest.h:
 * "plugin WASM module does not export ..."). On failure sets err
 * (module_invalid) and returns false. */
bool host_check_exports(const wg_module *m, wg_error *err);

#endif
