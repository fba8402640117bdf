/* toml_check.h: what must hold for any text wg_toml_parse reads, shared by
 * the mutation test (test_toml.c) and the libFuzzer entry
 * (fuzz/fuzz_toml.c). A tree: every node and key position inside the
 * input, no missing child. An error: a code other than ok, nomem and
 * too_large (the inputs stay under the default size and memory limits),
 * located inside the input (line and column from 1), with a message. */
#ifndef WG_TESTS_TOML_CHECK_H
#define WG_TESTS_TOML_CHECK_H

#include <stdbool.h>
#include <stdlib.h>

#include "wasmgate/toml.h"
#include "wasmgate/util.h"

/* Walks the tree without recursion (an explicit stack on the heap, as deep
 * and as wide as the input makes it). Returns false on a broken node or
 * when the stack cannot grow; *nodes counts the nodes seen. */
static inline bool toml_tree_ok(const wg_toml_value *root, size_t len,
                                size_t *nodes) {
  const wg_toml_value **stack = NULL;
  size_t cap = 0, depth = 0;
  bool ok = true;
  *nodes = 0;
  stack = wg_vec_reserve(stack, &cap, 1, sizeof *stack, 0);
  if (!stack) return false;
  stack[depth++] = root;
  while (ok && depth) {
    const wg_toml_value *v = stack[--depth];
    ++*nodes;
    ok = v->pos.offset <= len && v->pos.line >= 1 && v->pos.column >= 1;
    for (size_t i = 0; ok && i < wg_toml_count(v); i++) {
      bool table = v->type == WG_TOML_TABLE;
      const wg_toml_value *child =
          table ? wg_toml_member_at(v, i)->value : wg_toml_at(v, i);
      ok = child && (!table || wg_toml_member_at(v, i)->key_pos.offset <= len);
      if (!ok) break;
      const wg_toml_value **grown =
          wg_vec_reserve(stack, &cap, depth + 1, sizeof *stack, 0);
      if (!grown) {
        ok = false;
        break;
      }
      stack = grown;
      stack[depth++] = child;
    }
  }
  free(stack);
  return ok;
}

static inline bool toml_error_ok(const wg_toml_error *e, size_t len) {
  return e->code > WG_TOML_OK && e->code <= WG_TOML_NOMEM &&
         e->code != WG_TOML_NOMEM && e->code != WG_TOML_TOO_LARGE &&
         e->offset <= len && e->line >= 1 && e->column >= 1 &&
         e->message[0] != '\0';
}

#endif
