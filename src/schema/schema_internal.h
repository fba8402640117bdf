/* schema_internal.h: internals shared by the files of the schema layer.
 *
 * A compiled schema is a flat array of nodes addressed by index (so $ref
 * cycles are just indices, and the array may grow while refs are resolved).
 * Everything a node points to lives in the schema's arena, except PCRE2
 * codes, which are listed in `regexes` and freed one by one. After
 * wg_schema_compile returns, nothing in a wg_schema is ever written again, so
 * concurrent validation needs no locks. */
#ifndef WG_SCHEMA_INTERNAL_H
#define WG_SCHEMA_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "wasmgate/schema.h"
#include "wasmgate/util.h"
#include "json_dec.h"

#define SCHEMA_NONE UINT32_MAX
#define SCHEMA_PATH_MAX 256 /* bytes of a stored schema path; cut beyond */

/* 1 if v is an integer multiple of d (d > 0), 0 if not, -1 if deciding would
 * cost more than max_work digit operations (or an exponent is beyond
 * json_dec_lsd_exp's range), -2 out of memory. *work receives the cost. */
int schema_multiple_of(const json_dec *v, const json_dec *d, uint64_t max_work,
                       uint64_t *work);

/* JSON helpers that never recurse (equality: json_budget.h). */
/* Deep copy of v into the arena; NULL on allocation failure. */
wg_json *schema_json_copy(wg_arena *arena, const wg_json *v);

/* ECMA-262 regex translated to PCRE2. On failure returns NULL and writes a
 * short reason to msg; *oom tells an allocation failure from a bad pattern. */
pcre2_code *schema_regex_compile(const char *pat, size_t len, size_t max_len, char *msg,
                                 size_t msg_size, bool *oom);
/* Counts regex work: the callout (installed on the match context with the
 * meter as data) adds one per pattern item visited and aborts the match
 * once `used` passes `limit`. */
typedef struct schema_regex_meter {
  uint64_t used, limit;
} schema_regex_meter;
int schema_regex_meter_callout(pcre2_callout_block *block, void *data);
/* 1 match, 0 no match, -1 a PCRE2 limit or failure, -2 meter exhausted. */
int schema_regex_search(const pcre2_code *re, const char *s, size_t n,
                        pcre2_match_data *md, pcre2_match_context *mc,
                        schema_regex_meter *meter);

typedef struct schema_str {
  const char *s;
  size_t len;
} schema_str;

typedef struct schema_named { /* properties, dependentSchemas */
  schema_str key;
  uint32_t node;
} schema_named;

typedef struct schema_pat { /* patternProperties */
  const pcre2_code *re;
  uint32_t node;
} schema_pat;

typedef struct schema_dep_req { /* dependentRequired */
  schema_str key;
  schema_str *names;
  size_t count;
} schema_dep_req;

enum { SCHEMA_KIND_TRUE, SCHEMA_KIND_FALSE, SCHEMA_KIND_OBJECT };

/* Bits of schema_node.types. */
enum {
  SCHEMA_T_NULL = 1 << 0,
  SCHEMA_T_BOOLEAN = 1 << 1,
  SCHEMA_T_OBJECT = 1 << 2,
  SCHEMA_T_ARRAY = 1 << 3,
  SCHEMA_T_NUMBER = 1 << 4,
  SCHEMA_T_STRING = 1 << 5,
  SCHEMA_T_INTEGER = 1 << 6,
};

typedef struct schema_num {
  json_dec dec; /* digits point into `text` (arena copy of the lexeme) */
  const char *text;
} schema_num;

typedef struct schema_node {
  int kind;
  const char *path; /* JSONPath-like location, for errors */
  unsigned types;   /* 0: no "type" keyword */
  uint32_t ref;
  const wg_json *enum_vals; /* array, copied */
  const wg_json *const_val; /* copied; NULL if absent */
  /* objects */
  schema_named *props; /* sorted by key bytes */
  size_t nprops;
  schema_pat *pprops;
  size_t npprops;
  uint32_t additional, property_names;
  schema_str *required;
  size_t nrequired;
  schema_dep_req *dep_req;
  size_t ndep_req;
  schema_named *dep_schemas;
  size_t ndep_schemas;
  uint64_t min_props, max_props;
  /* arrays */
  uint32_t *prefix;
  size_t nprefix;
  uint32_t items, contains;
  uint64_t min_contains, max_contains;
  uint64_t min_items, max_items;
  bool unique;
  /* strings */
  uint64_t min_len, max_len;
  const pcre2_code *pattern;
  /* numbers */
  const schema_num *minimum, *maximum, *xminimum, *xmaximum, *multiple_of;
  /* applicators */
  uint32_t *all_of, *any_of, *one_of;
  size_t nall_of, nany_of, none_of;
  uint32_t not_, if_, then_, else_;
} schema_node;

struct wg_schema {
  wg_arena arena;
  schema_node *nodes;
  size_t nnodes, nodes_cap;
  pcre2_code **regexes;
  size_t nregexes, regexes_cap;
  wg_schema_options opt;
  uint32_t root;
};

/* Copies src into a fixed char array, cutting on a UTF-8 boundary and
 * ending in "..." when it does not fit. */

/* Makes a message safe to show: control characters and bytes that are not
 * valid UTF-8 (e.g. a character cut by a %.Ns conversion) become '?'. */
void schema_clean_message(char *msg);

#endif
