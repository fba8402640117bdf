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
  return "unknown";
}

const char *wg_wasm_result_name(wg_wasm_result r) {
  static const char *const names[] = {
      "ok", "malformed", "unsupported", "invalid", "link",
      "limit", "trap", "nomem", "args"};
  if ((unsigned)r < sizeof names / sizeof names[0]) return names[r];
  return "unknown";
}

const char *wg_trap_name(wg_trap t) {
  static const char *const names[] = {
      "none", "unreachable", "memory_out_of_bounds", "table_out_of_bounds",
      "indirect_call_type_mismatch", "uninitialized_element",
      "integer_divide_by_zero", "integer_overflow", "invalid_conversion",
      "call_stack_exhausted", "fuel_exhausted", "deadline", "cancelled",
      "host_error"};
  if ((unsigned)t < sizeof names / sizeof names[0]) return names[t];
  return "unknown";
}

const char *wg_trap_message(wg_trap t) {
  static const char *const messages[] = {
      "no trap", "unreachable executed", "out of bounds memory access",
      "out of bounds table access", "indirect call type mismatch",
      "uninitialized element", "integer divide by zero", "integer overflow",
      "invalid conversion to integer", "call stack exhausted",
      "fuel exhausted", "deadline exceeded", "cancelled", "host error"};
  if ((unsigned)t < sizeof messages / sizeof messages[0]) return messages[t];
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
