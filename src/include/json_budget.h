/* json_budget.h: the JSON layer's equality with a step budget, for the
 * schema layer (const, enum and uniqueItems run inside validation's step
 * budget). Not public: an embedder uses wg_json_equal (json.h). */
#ifndef WASMGATE_JSON_BUDGET_H
#define WASMGATE_JSON_BUDGET_H

#include <stdint.h>

#include "wasmgate/json.h"

/* wg_json_equal's sense of equality (numbers by exact decimal value, strings
 * by bytes, arrays in order, objects as key sets), charging *steps: one per
 * pair compared, one per key compared while looking a member up, one per 64
 * string bytes. 1 equal, 0 not, -1 when *steps would pass max_steps, -2 out
 * of memory. Non-recursive. */
int json_equal_budget(const wg_json *a, const wg_json *b, uint64_t *steps,
                      uint64_t max_steps);

#endif
