/* compile_internal.h: state shared by the two halves of schema compilation,
 * compile.c (driver, paths and errors, $id/$anchor/$ref resolution, public
 * API) and keywords.c (one handler per keyword). */
#ifndef WG_SCHEMA_COMPILE_INTERNAL_H
#define WG_SCHEMA_COMPILE_INTERNAL_H

#include "schema_internal.h"

#define SCHEMA_WORK_PATH 1024 /* working path buffer; stored paths are cut */

typedef struct resource {
  const char *uri; /* absolute (or document-relative), without fragment */
  const wg_json *json;
} resource;

typedef struct anchor {
  const char *uri, *name;
  const wg_json *json;
} anchor;

typedef struct pending_ref {
  uint32_t node;
  const char *target; /* resolved, with fragment */
  const char *path;   /* where the $ref is, for errors */
} pending_ref;

typedef struct ptr_map { /* open addressing: wg_json pointer -> node */
  const wg_json **keys;
  uint32_t *vals;
  size_t cap, len;
} ptr_map;

typedef struct cctx {
  wg_schema *s;
  wg_schema_error *err;
  char path[SCHEMA_WORK_PATH];
  size_t path_len;
  size_t depth;
  ptr_map map;
  resource *res;
  size_t nres, res_cap;
  anchor *anchors;
  size_t nanchors, anchors_cap;
  pending_ref *refs;
  size_t nrefs, refs_cap;
} cctx;

/* Fills the error (first one wins) at the current path; returns false. */
bool schema_cerr(cctx *c, wg_schema_code st, const char *kw, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Appends ".key" or "['key']" to the path; returns the length to pop to. */
size_t schema_path_key(cctx *c, const char *k, size_t n);
void schema_path_pop(cctx *c, size_t saved);
/* Grows *p (an array of elem-size items with capacity *cap) to hold need. */
/* Node i; the pointer is invalidated by anything that adds nodes. */
schema_node *schema_node_at(cctx *c, uint32_t i);
char *schema_arena_str(cctx *c, const char *s, size_t n);
void *schema_arena_arr(cctx *c, size_t count, size_t size);
/* Compiles schema v (once per JSON value); SCHEMA_NONE on error. */
uint32_t schema_compile_at(cctx *c, const wg_json *v, const char *base);
/* Compiles the subschema v under `key` (and index idx if >= 0). */
uint32_t schema_sub(cctx *c, const wg_json *v, const char *base, const char *key,
                    size_t keylen, long idx);
/* keywords.c: compiles one member of a schema object into node n; an
 * unknown keyword is an error. */
bool schema_compile_keyword(cctx *c, uint32_t n, const wg_json_member *m,
                            const char *base);

#endif
