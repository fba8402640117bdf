/* manifest_check.h: what must hold for any text wg_manifest_parse reads,
 * shared by the mutation run (test_manifest_mutate.c) and the libFuzzer
 * entry (fuzz/fuzz_manifest.c). A rejection is malformed, in the manifest
 * phase, with the fixed parse message (optionally a byte span inside the
 * input), its code the diagnostic's kind, and no manifest. An accepted
 * manifest has its required fields, and its validation, tool checks and
 * warnings give fixed messages only: seeds carry the marker "QZ" in every
 * value, which no fixed message contains, so a message with "QZ" copied
 * manifest text. Each returns the first rule broken, or NULL. */
#ifndef WG_TESTS_MANIFEST_CHECK_H
#define WG_TESTS_MANIFEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "wasmgate/manifest.h"

static inline bool manifest_fixed_text(const char *s) {
  return strstr(s, "QZ") == NULL;
}

/* "plugin.toml could not be parsed" [+ " near byte span A..B", A<=B<=len]. */
static inline bool manifest_parse_message_ok(const char *msg, size_t len) {
  static const char base[] = "plugin.toml could not be parsed";
  if (strcmp(msg, base) == 0) return true;
  size_t a, b;
  char tail;
  if (sscanf(msg, "plugin.toml could not be parsed near byte span %zu..%zu%c",
             &a, &b, &tail) != 2)
    return false;
  return a <= b && b <= len + 1;
}

static inline const char *manifest_rejected_check(wg_pkg_code rc,
                                                  const wg_manifest *m,
                                                  const wg_pkg_diag *d,
                                                  size_t len) {
  if (m) return "rejected but returned a manifest";
  if (rc != d->kind) return "the code is not the diagnostic's kind";
  if (d->kind != WG_PKG_MALFORMED || d->phase != WG_PKG_PHASE_MANIFEST ||
      !manifest_parse_message_ok(d->message, len))
    return "unexpected rejection";
  return NULL;
}

static inline const char *manifest_accepted_check(const wg_manifest *m) {
  if (!m->id || !m->name || !m->version) return "missing required field";
  if (m->has_runtime && (!m->runtime.kind || !m->runtime.entry))
    return "runtime without kind/entry";
  wg_pkg_diag d;
  if (wg_manifest_validate(m, NULL, &d) != WG_PKG_OK &&
      !manifest_fixed_text(d.message))
    return "validation message holds content";
  for (size_t i = 0; i < m->tool_count; i++) {
    const wg_manifest_tool *t = &m->tools[i];
    if (!t->name || !t->description) return "tool without name";
    if (!t->input_schema_json == !t->input_schema_error)
      return "schema json/error not exclusive";
    wg_manifest_diag td;
    if (wg_manifest_tool_check(m, i, &td) != WG_PKG_OK &&
        (!manifest_fixed_text(td.diag.message) || td.tool_index != i))
      return "tool message holds content";
    wg_manifest_tool_warning(m, i, &td);
  }
  for (size_t i = 0; i < m->permission_count; i++) {
    char label[64];
    wg_permission_label(&m->permissions[i], label, sizeof label);
  }
  return NULL;
}

#endif
