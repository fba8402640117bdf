/* rt_internal.h: shared pieces of the runtime layer (prefix rt_). */
#ifndef WASMGATE_RT_INTERNAL_H
#define WASMGATE_RT_INTERNAL_H

#include "wasmgate/json.h"
#include "wasmgate/runtime.h"

/* Validates the input against the tool's schema; on failure sets e
 * (schema_mismatch, naming the instance path and keyword). */
bool rt_check_schema(const wg_schema *s, const wg_json *input, wg_error *e);

/* Decodes the guest's output exactly as reference 4.5; fills summary and
 * content of out, or sets out->error (output_invalid / output_too_large). */
void rt_decode_output(const wg_host_call *hc, const wg_call_limits *lim,
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

#endif
