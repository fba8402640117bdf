/* rt_internal.h: shared pieces of the runtime layer (prefix rt_). */
#ifndef WASMGATE_RT_INTERNAL_H
#define WASMGATE_RT_INTERNAL_H

#include "host_call.h"
#include "wasmgate/json.h"
#include "wasmgate/runtime.h"

/* Validates the input against the tool's schema; on failure sets e
 * (schema_mismatch, naming the instance path and keyword). */
bool rt_check_schema(const wg_schema *s, const wg_json *input, wg_error *e);

/* Decodes the guest's output in yoi's order (docs/design.md#output-contract);
 * fills summary and
 * content of out, or sets out->error (output_invalid / output_too_large). */
void rt_decode_output(const host_call *hc, const wg_call_limits *lim,
                      wg_call_result *out);

/* The stat stamp of a package read whose digest matched. */
typedef struct rt_stamp {
  uint64_t dev, ino, size, mtime_ns, ctime_ns;
} rt_stamp;

/* Stamp table of a module cache (cache.c), keyed by package path. */
bool rt_stamp_get(wg_module_cache *c, const char *path, rt_stamp *out,
                  char digest[72]);
void rt_stamp_put(wg_module_cache *c, const char *path, rt_stamp st,
                  const char *digest);
/* The cached module for digest (retained), or NULL. */
wg_module *rt_cache_lookup(wg_module_cache *c, const char *digest);

/* The request of one call of a registered tool: load = authorize again,
 * then the module through the cache (stat, re-hash on change). lc must
 * outlive the call. */
typedef struct rt_load_ctx {
  const wg_tool *tool;
  wg_module_cache *cache;
  wg_module_limits bounds; /* the call's deadline and cancellation flag */
} rt_load_ctx;
void rt_tool_request(const wg_tool *t, wg_module_cache *cache, const char *input,
                     size_t input_len, const wg_call_limits *limits,
                     wg_cancel *cancel, rt_load_ctx *lc, wg_call_request *req);

/* Why an enabled plugin was rejected, as `wasmgate list` says it: the
 * resolution diagnostic d, then its item's discovery diagnostics. */
void rt_rejection_reason(const wg_discovery *disc, const wg_plugin_diag *d, char *out,
                         size_t size);

/* Finishes a call that failed before wg_call (out->error set): is_error
 * and yoi's text as the summary. Returns the code. */
wg_err rt_fail_early(const wg_call_limits *lim, wg_call_result *out);

#endif
