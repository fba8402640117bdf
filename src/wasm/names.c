/* names.c: stable names of results, traps and value types, and function
 * type equality. */
#include <string.h>

#include "vm_module.h"

const char *wg_valtype_name(wg_valtype t) {
  switch (t) {
    case WG_I32: return "i32";
    case WG_I64: return "i64";
    case WG_F32: return "f32";
    case WG_F64: return "f64";
    case WG_FUNCREF: return "funcref";
    case WG_EXTERNREF: return "externref";
  }
  return WG_NAME_UNKNOWN;
}

static const char *const result_names[] = {
    [WG_WASM_OK] = "ok",           [WG_WASM_MALFORMED] = "malformed",
    [WG_WASM_UNSUPPORTED] = "unsupported", [WG_WASM_INVALID] = "invalid",
    [WG_WASM_LINK] = "link",       [WG_WASM_LIMIT] = "limit",
    [WG_WASM_TRAP] = "trap",       [WG_WASM_NOMEM] = "nomem",
    [WG_WASM_ARGS] = "args",
};
WG_NAMES_COVER(result_names, WG_WASM_ARGS);

const char *wg_wasm_code_name(wg_wasm_code r) {
  return WG_NAME_IN(result_names, r);
}

/* Each trap's stable name and its message, side by side. */
static const struct {
  const char *name, *message;
} traps[] = {
    [WG_TRAP_NONE] = {"none", "no trap"},
    [WG_TRAP_UNREACHABLE] = {"unreachable", "unreachable executed"},
    [WG_TRAP_MEMORY_OUT_OF_BOUNDS] = {"memory_out_of_bounds", "out of bounds memory access"},
    [WG_TRAP_TABLE_OUT_OF_BOUNDS] = {"table_out_of_bounds", "out of bounds table access"},
    [WG_TRAP_INDIRECT_CALL_TYPE_MISMATCH] = {"indirect_call_type_mismatch",
                                             "indirect call type mismatch"},
    [WG_TRAP_UNINITIALIZED_ELEMENT] = {"uninitialized_element", "uninitialized element"},
    [WG_TRAP_INTEGER_DIVIDE_BY_ZERO] = {"integer_divide_by_zero", "integer divide by zero"},
    [WG_TRAP_INTEGER_OVERFLOW] = {"integer_overflow", "integer overflow"},
    [WG_TRAP_INVALID_CONVERSION] = {"invalid_conversion", "invalid conversion to integer"},
    [WG_TRAP_CALL_STACK_EXHAUSTED] = {"call_stack_exhausted", "call stack exhausted"},
    [WG_TRAP_FUEL_EXHAUSTED] = {"fuel_exhausted", "fuel exhausted"},
    [WG_TRAP_DEADLINE] = {"deadline", "deadline exceeded"},
    [WG_TRAP_CANCELLED] = {"cancelled", "cancelled"},
    [WG_TRAP_HOST_ERROR] = {"host_error", "host error"},
};
_Static_assert(sizeof traps / sizeof traps[0] == WG_TRAP_HOST_ERROR + 1,
               "a name and a message for every wg_trap");

const char *wg_trap_name(wg_trap t) {
  if ((unsigned)t < sizeof traps / sizeof traps[0]) return traps[t].name;
  return WG_NAME_UNKNOWN;
}

const char *wg_trap_message(wg_trap t) {
  if ((unsigned)t < sizeof traps / sizeof traps[0]) return traps[t].message;
  return "unknown trap";
}

bool vm_functype_equal(const wg_functype *a, const wg_functype *b) {
  if (a == b) return true;
  if (a->param_count != b->param_count || a->result_count != b->result_count)
    return false;
  if (a->param_count &&
      memcmp(a->params, b->params, a->param_count * sizeof *a->params) != 0)
    return false;
  return !a->result_count ||
         memcmp(a->results, b->results, a->result_count * sizeof *a->results) == 0;
}
