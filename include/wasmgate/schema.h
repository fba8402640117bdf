/* schema.h: JSON Schema (draft 2020-12 subset) validator for tool inputs.
 *
 * A schema (a wg_json tree) is compiled once into an immutable wg_schema,
 * then any number of instances are validated against it, from any number of
 * threads at once. Compilation is strict: a keyword outside the supported set
 * fails with a JSONPath-like location ("$.properties.q.oneOf[1]"), so a
 * manifest can never rely on a rule that would be silently skipped.
 *
 * Supported: type, enum, const, properties, required, additionalProperties,
 * patternProperties, propertyNames, items, prefixItems, contains,
 * minContains, maxContains, minItems, maxItems, uniqueItems, minLength,
 * maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
 * multipleOf, pattern, minProperties, maxProperties, allOf, anyOf, oneOf,
 * not, if/then/else, dependentRequired, dependentSchemas, $ref/$defs/$anchor
 * and $id within one document, boolean schemas. Annotations accepted and
 * ignored: format, title, description, default, examples, $comment,
 * readOnly, writeOnly, deprecated, and $schema when it names a standard
 * meta-schema (2020-12, 2019-09, draft-07/06/04; a custom one is refused,
 * since it could switch on vocabularies we do not implement).
 *
 * Numbers are compared exactly on their decimal lexemes; `pattern` is
 * ECMA-262 (translated to PCRE2, run with match/depth/heap limits).
 * Validation runs on a step budget and a depth limit: running out is
 * WG_SCHEMA_ERROR, never a pass. The compiled schema does not reference the
 * input tree (enum/const values are copied). */
#ifndef WASMGATE_SCHEMA_H
#define WASMGATE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/json.h"
#include "wasmgate/limits.h"

typedef enum wg_schema_code {
  WG_SCHEMA_OK = 0,
  /* compile errors */
  WG_SCHEMA_UNKNOWN_KEYWORD, /* a keyword we do not implement */
  WG_SCHEMA_BAD_KEYWORD,     /* a keyword's value has the wrong type/range */
  WG_SCHEMA_BAD_REF,         /* $ref not resolvable within the document */
  WG_SCHEMA_BAD_PATTERN,     /* regex invalid or uses non-ECMA syntax */
  WG_SCHEMA_TOO_DEEP,        /* schema nesting over max_depth */
  WG_SCHEMA_TOO_LARGE,       /* over max_nodes or another size limit */
  WG_SCHEMA_NOMEM,           /* out of memory (compile or validation) */
  /* validation outcomes */
  WG_SCHEMA_INVALID,      /* the instance does not match */
  WG_SCHEMA_BUDGET,       /* step budget exhausted */
  WG_SCHEMA_DEPTH,        /* validation nesting over max_validate_depth */
  WG_SCHEMA_REGEX_LIMIT,  /* a regex hit its match/depth/heap limit */
  WG_SCHEMA_NUMBER_LIMIT, /* a number too large to decide exactly */
} wg_schema_code;

/* Stable snake_case name: "unknown_keyword", "invalid", "budget", ... */
const char *wg_schema_code_name(wg_schema_code s);

/* Limits. A zero field means "the default". */
typedef struct wg_schema_options {
  /* Each default is WG_SCHEMA_DEFAULT_<FIELD> (limits.h); the depth and
   * pattern options are also capped by WG_SCHEMA_MAX_COMPILE_DEPTH,
   * WG_SCHEMA_MAX_VALIDATE_DEPTH and WG_SCHEMA_MAX_PATTERN_LEN. */
  size_t max_depth;           /* schema nesting at compile */
  size_t max_nodes;           /* compiled subschemas */
  size_t max_pattern_len;     /* bytes of one pattern */
  size_t max_validate_depth;  /* nested schema applications */
  uint64_t max_steps;         /* validation work units */
  uint32_t regex_match_limit; /* PCRE2 match limit */
  uint32_t regex_depth_limit; /* PCRE2 depth limit (the heap limit is what
                                 bounds memory) */
  uint32_t regex_heap_limit_kib; /* PCRE2 heap limit (REGEX_HEAP_KIB) */
} wg_schema_options;

wg_schema_options wg_schema_default_options(void);

/* Bounded error report. Paths are cut (ending in "...") if too long.
 * `message` never quotes the instance (only schema values such as limits
 * and property names), and holds no control characters. `instance_path`
 * never quotes it either: a JSON pointer whose object steps are keys the
 * schema itself names (`properties`), or `{i}` for the member at index i
 * (from 0, in input order) reached by patternProperties,
 * additionalProperties or propertyNames; array items are their index. For
 * an unknown keyword, `keyword` is that keyword (cut, controls as '?'). */
typedef struct wg_schema_error {
  wg_schema_code code;
  char instance_path[256]; /* JSON pointer into the instance: "/items/3/{0}" */
  char schema_path[256];   /* JSONPath-like: "$.properties.q.oneOf[1]" */
  char keyword[32];        /* "minLength", "$ref", ... */
  char message[192];       /* short reason */
} wg_schema_error;

typedef enum wg_schema_result {
  WG_SCHEMA_VALID = 0,
  WG_SCHEMA_NOT_VALID = 1, /* err->code == WG_SCHEMA_INVALID */
  WG_SCHEMA_ERROR = 2,     /* budget, depth, regex/number limit, memory; see err */
} wg_schema_result;

typedef struct wg_schema wg_schema;

/* Compiles schema. opt may be NULL (defaults). Returns NULL on failure and
 * fills err (if non-NULL); schema_path then names the failing location. */
wg_schema *wg_schema_compile(const wg_json *schema, const wg_schema_options *opt,
                             wg_schema_error *err);
/* Validates instance. Thread-safe on a shared wg_schema. err may be NULL. */
wg_schema_result wg_schema_validate(const wg_schema *s, const wg_json *instance,
                                    wg_schema_error *err);
void wg_schema_free(wg_schema *s); /* NULL is fine */

/* A subschema no instance can validate through: reaching it takes more
 * nested applications than max_validate_depth (a $ref chain deeper than
 * the limit, a $ref/allOf cycle consuming no instance), so every input
 * that gets there fails with WG_SCHEMA_DEPTH. Returns WG_SCHEMA_DEPTH and
 * fills warn (schema_path of the shallowest such subschema, keyword,
 * message), WG_SCHEMA_OK if there is none, WG_SCHEMA_NOMEM out of memory;
 * warn->code is the same. Linear in the schema; no recursion. */
wg_schema_code wg_schema_depth_warning(const wg_schema *s, wg_schema_error *warn);

#endif
