/* output.c: the output contract (docs/design.md#output-contract) and the
 * input schema check.
 *
 * The decode order is yoi's, so the first rule a bad output breaks decides
 * its message: never written/empty, over the byte bound, not UTF-8, not
 * JSON, not an object, unsupported key, summary (present, string,
 * non-empty, bounded), content (absent, null or string). Messages name
 * offsets and keys (sanitized, short), never the output's text. */
#include "rt_internal.h"

#include <stdlib.h>
#include <string.h>

bool rt_check_schema(const wg_schema *s, const wg_json *input, wg_error *e) {
  wg_schema_error se;
  memset(&se, 0, sizeof se);
  wg_schema_result r = wg_schema_validate(s, input, &se);
  if (r == WG_SCHEMA_VALID) return true;
  const char *where = se.instance_path[0] ? se.instance_path : "/";
  if (r == WG_SCHEMA_NOT_VALID)
    wg_error_set(e, WG_ERR_SCHEMA_MISMATCH,
                 "plugin tool `%s` input does not match input_schema at %s: %s: %s",
                 e->tool, where, se.keyword, se.message);
  else
    wg_error_set(e, WG_ERR_SCHEMA_MISMATCH,
                 "plugin tool `%s` input could not be validated against input_schema "
                 "at %s: %s", e->tool, where, wg_schema_code_name(se.code));
  return false;
}

static char *dup_bytes(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

/* First offset where text is not valid UTF-8. */
static size_t utf8_error_offset(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t k = wg_utf8_decode(s + i, n - i, &cp);
    if (k == 0) return i;
    i += k;
  }
  return n;
}

/* Rules 5-8 on a parsed output. */
static bool check_object(const wg_json *root, const wg_call_limits *lim,
                         wg_error *e) {
  if (root->type != WG_JSON_OBJECT) {
    wg_error_set(e, WG_ERR_OUTPUT_INVALID, "guest output JSON must be an object");
    return false;
  }
  for (size_t i = 0; i < root->u.object.count; i++) {
    const wg_json_member *m = &root->u.object.members[i];
    if (strcmp(m->key, "summary") == 0 && m->key_len == 7) continue;
    if (strcmp(m->key, "content") == 0 && m->key_len == 7) continue;
    char key[68];
    wg_error_sanitize(key, sizeof key, m->key, m->key_len);
    wg_error_set(e, WG_ERR_OUTPUT_INVALID, "guest output contains unsupported key `%s`", key);
    return false;
  }
  const wg_json *summary = wg_json_get(root, "summary");
  if (!summary) {
    wg_error_set(e, WG_ERR_OUTPUT_INVALID, "guest output must include a summary string");
    return false;
  }
  if (summary->type != WG_JSON_STRING) {
    wg_error_set(e, WG_ERR_OUTPUT_INVALID, "guest output summary must be a string");
    return false;
  }
  if (summary->u.string.len == 0) {
    wg_error_set(e, WG_ERR_OUTPUT_INVALID, "guest output summary must not be empty");
    return false;
  }
  if (summary->u.string.len > lim->max_summary_bytes) {
    wg_error_set(e, WG_ERR_OUTPUT_TOO_LARGE, "guest output summary exceeds %zu bytes",
                 lim->max_summary_bytes);
    return false;
  }
  const wg_json *content = wg_json_get(root, "content");
  if (content && content->type != WG_JSON_NULL && content->type != WG_JSON_STRING) {
    wg_error_set(e, WG_ERR_OUTPUT_INVALID, "guest output content must be a string or null");
    return false;
  }
  return true;
}

void rt_decode_output(const host_call *hc, const wg_call_limits *lim,
                      wg_call_result *out) {
  wg_error *e = &out->error;
  if (!hc->output_written || hc->output_len == 0) {
    wg_error_set(e, WG_ERR_OUTPUT_INVALID, "guest did not call output_write");
    return;
  }
  if (hc->output_len > lim->max_output_bytes) {
    wg_error_set(e, WG_ERR_OUTPUT_TOO_LARGE, "guest output exceeds %zu bytes",
                 lim->max_output_bytes);
    return;
  }
  const uint8_t *text = (const uint8_t *)hc->output;
  size_t bad = utf8_error_offset(text, hc->output_len);
  if (bad < hc->output_len) {
    wg_error_set(e, WG_ERR_OUTPUT_INVALID,
                 "guest output is not UTF-8: invalid byte at offset %zu", bad);
    return;
  }
  wg_json_limits jl = {.max_size = lim->max_output_bytes};
  wg_json_error je;
  wg_json_doc *doc = wg_json_parse(hc->output, hc->output_len, &jl, &je);
  if (!doc) {
    wg_error_set(e, WG_ERR_OUTPUT_INVALID, "guest output is not valid JSON: %s at byte %zu",
                 je.message, je.offset);
    return;
  }
  const wg_json *root = wg_json_root(doc);
  if (check_object(root, lim, e)) {
    const wg_json *summary = wg_json_get(root, "summary");
    const wg_json *content = wg_json_get(root, "content");
    out->summary = dup_bytes(summary->u.string.text, summary->u.string.len);
    out->summary_len = summary->u.string.len;
    if (content && content->type == WG_JSON_STRING) {
      out->content = dup_bytes(content->u.string.text, content->u.string.len);
      out->content_len = content->u.string.len;
      if (!out->content) wg_error_set(e, WG_ERR_INTERNAL, "out of memory");
    }
    if (!out->summary) wg_error_set(e, WG_ERR_INTERNAL, "out of memory");
  }
  wg_json_free(doc);
}
