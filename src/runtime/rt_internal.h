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

#endif
