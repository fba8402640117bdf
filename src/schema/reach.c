/* reach.c: finds subschemas no instance can ever validate through, because
 * reaching them takes more nested schema applications than the validator
 * allows (max_validate_depth): a `$ref` chain 300 deep, or a `$ref` / allOf
 * cycle that consumes no instance. What `wasmgate check` warns about.
 *
 * For every node: d = the fewest applications from the root to it (BFS
 * over every subschema edge), chain = the longest run of applications that
 * every instance validating there must go through ($ref, which validate
 * runs first and always, and allOf; a cycle of them is endless). The
 * validator fails any call made at depth >= max, so a node with
 * d + chain > max can never validate anything that reaches it. Both passes
 * are iterative (no recursion on the schema's shape) and linear in the
 * nodes and edges; memory is a few words per node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

typedef struct edges {
  uint32_t *v;
  size_t n, cap;
} edges;

static bool edge(edges *e, uint32_t to) {
  if (to == SCHEMA_NONE) return true;
  uint32_t *v = wg_vec_reserve(e->v, &e->cap, e->n + 1, sizeof *v, 0);
  if (!v) return false;
  e->v = v;
  e->v[e->n++] = to;
  return true;
}

/* Every subschema node n applies (mandatory_only: $ref and allOf). */
static bool children(const schema_node *n, bool mandatory_only, edges *e) {
  e->n = 0;
  bool ok = edge(e, n->ref);
  for (size_t i = 0; ok && i < n->nall_of; i++) ok = edge(e, n->all_of[i]);
  if (mandatory_only) return ok;
  for (size_t i = 0; ok && i < n->nprops; i++) ok = edge(e, n->props[i].node);
  for (size_t i = 0; ok && i < n->npprops; i++) ok = edge(e, n->pprops[i].node);
  for (size_t i = 0; ok && i < n->ndep_schemas; i++) ok = edge(e, n->dep_schemas[i].node);
  for (size_t i = 0; ok && i < n->nprefix; i++) ok = edge(e, n->prefix[i]);
  for (size_t i = 0; ok && i < n->nany_of; i++) ok = edge(e, n->any_of[i]);
  for (size_t i = 0; ok && i < n->none_of; i++) ok = edge(e, n->one_of[i]);
  uint32_t single[] = {n->additional, n->property_names, n->items, n->contains,
                       n->not_,       n->if_,            n->then_, n->else_};
  for (size_t i = 0; ok && i < sizeof single / sizeof single[0]; i++) ok = edge(e, single[i]);
  return ok;
}

/* Fewest applications from the root (root = 0); SIZE_MAX if unreachable. */
static bool min_depths(const wg_schema *s, size_t *d, uint32_t *queue) {
  for (size_t i = 0; i < s->nnodes; i++) d[i] = SIZE_MAX;
  size_t head = 0, tail = 0;
  d[s->root] = 0;
  queue[tail++] = s->root;
  edges e = {0};
  bool ok = true;
  while (ok && head < tail) {
    uint32_t at = queue[head++];
    ok = children(&s->nodes[at], false, &e);
    for (size_t i = 0; ok && i < e.n; i++) {
      if (d[e.v[i]] != SIZE_MAX) continue;
      d[e.v[i]] = d[at] + 1;
      queue[tail++] = e.v[i];
    }
  }
  free(e.v);
  return ok;
}

/* Longest mandatory chain from each node, counting the node itself,
 * saturated at cap (a cycle is cap). Iterative depth-first search with an
 * explicit stack of (node, next child). */
static bool chains(const wg_schema *s, size_t cap, size_t *chain, uint8_t *state,
                   uint32_t *stack, size_t *next) {
  memset(state, 0, s->nnodes);
  edges e = {0};
  bool ok = true;
  for (size_t start = 0; ok && start < s->nnodes; start++) {
    if (state[start]) continue;
    size_t top = 0;
    stack[top] = (uint32_t)start;
    next[top++] = 0;
    state[start] = 1;
    chain[start] = 1;
    while (ok && top) {
      uint32_t at = stack[top - 1];
      ok = children(&s->nodes[at], true, &e);
      if (!ok) break;
      if (next[top - 1] < e.n) {
        uint32_t to = e.v[next[top - 1]++];
        if (state[to] == 1) chain[at] = cap; /* a cycle: endless */
        if (state[to] == 2 && chain[at] < chain[to] + 1)
          chain[at] = chain[to] + 1 > cap ? cap : chain[to] + 1;
        if (state[to] == 0) {
          state[to] = 1;
          chain[to] = 1;
          stack[top] = to;
          next[top++] = 0;
        }
        continue;
      }
      state[at] = 2;
      top--;
      if (top) { /* fold the finished child into its parent */
        uint32_t parent = stack[top - 1];
        size_t via = chain[at] + 1 > cap ? cap : chain[at] + 1;
        if (chain[parent] < via) chain[parent] = via;
      }
    }
  }
  free(e.v);
  return ok;
}

wg_schema_code wg_schema_depth_warning(const wg_schema *s, wg_schema_error *warn) {
  memset(warn, 0, sizeof *warn);
  size_t n = s->nnodes, max = s->opt.max_validate_depth;
  size_t *d = calloc(n ? n : 1, sizeof *d), *chain = calloc(n ? n : 1, sizeof *chain);
  size_t *next = calloc(n ? n : 1, sizeof *next);
  uint32_t *work = calloc(n ? n : 1, sizeof *work);
  uint8_t *state = calloc(n ? n : 1, 1);
  warn->code = WG_SCHEMA_NOMEM;
  if (d && chain && next && work && state && min_depths(s, d, work) &&
      chains(s, max + 1, chain, state, work, next)) {
    warn->code = WG_SCHEMA_OK;
    size_t worst = SIZE_MAX;
    for (size_t i = 0; i < n; i++) /* the shallowest such node: the first a reader meets */
      if (d[i] != SIZE_MAX && d[i] + chain[i] > max && (worst == SIZE_MAX || d[i] < d[worst]))
        worst = i;
    if (worst != SIZE_MAX) {
      const schema_node *w = &s->nodes[worst];
      warn->code = WG_SCHEMA_DEPTH;
      wg_utf8_cut(warn->schema_path, sizeof warn->schema_path, w->path, strlen(w->path),
                  SIZE_MAX, "...");
      snprintf(warn->keyword, sizeof warn->keyword, "%s", w->ref != SCHEMA_NONE ? "$ref" : "allOf");
      if (chain[worst] > max)
        snprintf(warn->message, sizeof warn->message,
                 "schema can never validate here: its $ref/allOf chain needs more than the "
                 "validator's %zu nested schema applications (or loops), so every input "
                 "that reaches it is refused", max);
      else
        snprintf(warn->message, sizeof warn->message,
                 "schema can never validate here: reaching it takes %zu nested schema "
                 "applications, over the validator's %zu, so every input that reaches it "
                 "is refused", d[worst] + chain[worst], max);
    }
  }
  free(d);
  free(chain);
  free(next);
  free(work);
  free(state);
  return warn->code;
}
