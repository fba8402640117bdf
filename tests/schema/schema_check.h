/* schema_check.h: what must hold for any schema the schema layer compiles
 * and any instance it validates, shared by the mutation run
 * (test_schema_mutate.c) and the libFuzzer entry (fuzz/fuzz_schema.c).
 * Every error field is NUL-terminated inside its array. A compile either
 * succeeds with code ok, or fails with a compile code, a message and a
 * schema path from the root ($...). A validation is valid with code ok,
 * not valid with code invalid, a keyword and a message, or an error with a
 * limit's code (budget and above, or nomem) and a message. Each returns the first
 * rule broken, or NULL. */
#ifndef WG_TESTS_SCHEMA_CHECK_H
#define WG_TESTS_SCHEMA_CHECK_H

#include <stdbool.h>
#include <string.h>

#include "wasmgate/schema.h"

static inline const char *schema_error_shape(const wg_schema_error *e) {
  if (!memchr(e->instance_path, '\0', sizeof e->instance_path))
    return "instance_path not terminated";
  if (!memchr(e->schema_path, '\0', sizeof e->schema_path))
    return "schema_path not terminated";
  if (!memchr(e->keyword, '\0', sizeof e->keyword)) return "keyword not terminated";
  if (!memchr(e->message, '\0', sizeof e->message)) return "message not terminated";
  return NULL;
}

static inline const char *schema_compile_check(const wg_schema *s,
                                               const wg_schema_error *e) {
  const char *why = schema_error_shape(e);
  if (why) return why;
  if (s) return e->code == WG_SCHEMA_OK ? NULL : "compiled with a code";
  if (e->code < WG_SCHEMA_UNKNOWN_KEYWORD || e->code > WG_SCHEMA_NOMEM)
    return "compile failed with a code out of range";
  if (!e->message[0]) return "empty compile message";
  if (e->schema_path[0] != '$') return "schema path not from the root";
  return NULL;
}

static inline const char *schema_validate_check(wg_schema_result r,
                                                const wg_schema_error *e) {
  const char *why = schema_error_shape(e);
  if (why) return why;
  switch (r) {
    case WG_SCHEMA_VALID:
      return e->code == WG_SCHEMA_OK ? NULL : "valid with a code";
    case WG_SCHEMA_NOT_VALID:
      return e->code == WG_SCHEMA_INVALID && e->keyword[0] && e->message[0]
                 ? NULL
                 : "not valid without code invalid, keyword and message";
    case WG_SCHEMA_ERROR:
      return (e->code >= WG_SCHEMA_BUDGET || e->code == WG_SCHEMA_NOMEM) &&
                     e->message[0]
                 ? NULL
                 : "error without a limit's code and a message";
  }
  return "result out of range";
}

#endif
