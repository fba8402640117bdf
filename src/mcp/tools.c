/* tools.c: the bodies of `tools/list` and `tools/call` results.
 *
 * tools/list: the registry's order (resolved plugins in enabled order, each
 * plugin's tools in manifest order), paged by an opaque cursor: base64url of
 * "INDEX.FINGERPRINT", where the fingerprint hashes the whole tool set, so
 * a cursor minted by a replica with other tools (or a hand-made one) is
 * refused with -32602 instead of silently skipping or repeating tools.
 *
 * tools/call: success is text items (the summary, then the content when
 * present); a tool failure is `isError: true`, yoi's human text as the one
 * text item, and the error object (docs/design.md#error-model) as
 * `structuredContent`. */
#include "mcp_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const wg_tool *mcp_find_tool(const wg_registry *r, const char *name,
                             size_t len) {
  for (size_t i = 0; i < r->count; i++)
    if (r->tools[i].name_len == len && memcmp(r->tools[i].name, name, len) == 0)
      return &r->tools[i];
  return NULL;
}

/* FNV-1a, 64 bits: a fingerprint against accidents and stale cursors, not a
 * security boundary (a cursor grants nothing). */
static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 0x100000001b3ull;
  }
  return (h ^ 0xff) * 0x100000001b3ull; /* a field separator */
}

static uint64_t fnv_str(uint64_t h, const char *s) {
  return fnv(h, s ? s : "", s ? strlen(s) : 0);
}

uint64_t mcp_registry_fingerprint(const wg_registry *r) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < r->count; i++) {
    const wg_tool *t = &r->tools[i];
    h = fnv(h, t->name, t->name_len);
    h = fnv(h, t->description, t->description_len);
    h = fnv(h, t->input_schema_json, t->input_schema_len);
    h = fnv_str(h, t->ref);
    h = fnv_str(h, t->digest);
  }
  return h;
}

/* The cursor's plain text is at most 20 + 1 + 16 digits. */
enum { CURSOR_TEXT_MAX = 40, CURSOR_MAX = 64 };

bool mcp_cursor_encode(size_t index, uint64_t fingerprint, wg_buf *out) {
  char text[CURSOR_TEXT_MAX];
  int n = snprintf(text, sizeof text, "%zu.%016" PRIx64, index, fingerprint);
  return n > 0 && mcp_base64_encode((const uint8_t *)text, (size_t)n, true, out);
}

bool mcp_cursor_decode(const char *s, size_t len, uint64_t fingerprint,
                       size_t count, size_t *index) {
  if (len == 0 || len > CURSOR_MAX) return false;
  uint8_t text[CURSOR_MAX];
  long n = mcp_base64_decode(s, len, true, text);
  if (n <= 17 || n >= CURSOR_TEXT_MAX) return false;
  size_t dot = (size_t)n - 17;
  if (text[dot] != '.' || dot == 0 || dot > 20) return false;
  if (dot > 1 && text[0] == '0') return false; /* one spelling per index */
  size_t idx = 0;
  for (size_t i = 0; i < dot; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    if (idx > (SIZE_MAX - 9) / 10) return false;
    idx = idx * 10 + (size_t)(text[i] - '0');
  }
  char want[17];
  snprintf(want, sizeof want, "%016" PRIx64, fingerprint);
  if (memcmp(text + dot + 1, want, 16) != 0) return false;
  if (idx == 0 || idx >= count) return false; /* page 1 has no cursor */
  *index = idx;
  return true;
}

static void write_schema(wg_json_writer *w, const wg_tool *t) {
  wg_json_doc *d = wg_json_parse(t->input_schema_json, t->input_schema_len, NULL, NULL);
  if (d) {
    wg_json_writer_value(w, wg_json_root(d), false);
    wg_json_free(d);
    return;
  }
  /* The registry only holds schemas that compiled; keep the list valid. */
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, "type", 4);
  wg_json_writer_cstr(w, "object");
  wg_json_writer_end_object(w);
}

static void write_tool(wg_json_writer *w, const wg_tool *t) {
  bool writes = t->manifest_tool && t->manifest_tool->external_write;
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, "name", 4);
  wg_json_writer_string(w, t->name, t->name_len);
  wg_json_writer_key(w, "title", 5);
  wg_json_writer_string(w, t->name, t->name_len);
  wg_json_writer_key(w, "description", 11);
  wg_json_writer_string(w, t->description, t->description_len);
  wg_json_writer_key(w, "inputSchema", 11);
  write_schema(w, t);
  wg_json_writer_key(w, "annotations", 11);
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, "readOnlyHint", 12);
  wg_json_writer_bool(w, !writes);
  wg_json_writer_key(w, "destructiveHint", 15);
  wg_json_writer_bool(w, writes);
  wg_json_writer_key(w, "openWorldHint", 13);
  wg_json_writer_bool(w, t->https_granted);
  wg_json_writer_end_object(w);
  wg_json_writer_end_object(w);
}

bool mcp_write_tools_page(wg_json_writer *w, const wg_registry *r,
                          size_t start, size_t page, uint64_t fingerprint) {
  size_t end = start + page < r->count ? start + page : r->count;
  wg_json_writer_key(w, "tools", 5);
  wg_json_writer_begin_array(w);
  for (size_t i = start; i < end; i++) write_tool(w, &r->tools[i]);
  wg_json_writer_end_array(w);
  if (end < r->count) {
    wg_buf c;
    wg_buf_init(&c, 0);
    bool ok = mcp_cursor_encode(end, fingerprint, &c);
    wg_json_writer_key(w, "nextCursor", 10);
    wg_json_writer_string(w, c.data ? c.data : "", c.len);
    wg_buf_free(&c);
    if (!ok) return false;
  }
  return !w->misused;
}

static void text_item(wg_json_writer *w, const char *s, size_t len) {
  wg_json_writer_begin_object(w);
  wg_json_writer_key(w, "type", 4);
  wg_json_writer_cstr(w, "text");
  wg_json_writer_key(w, "text", 4);
  wg_json_writer_string(w, s ? s : "", s ? len : 0);
  wg_json_writer_end_object(w);
}

bool mcp_write_call_result(wg_json_writer *w, const wg_call_result *r) {
  wg_json_writer_key(w, "content", 7);
  wg_json_writer_begin_array(w);
  text_item(w, r->summary, r->summary_len);
  if (!r->is_error && r->content) text_item(w, r->content, r->content_len);
  wg_json_writer_end_array(w);
  wg_json_writer_key(w, "isError", 7);
  wg_json_writer_bool(w, r->is_error);
  if (r->is_error) {
    wg_buf e;
    wg_buf_init(&e, 0);
    wg_error_write_json(&r->error, &e);
    wg_json_doc *d = e.data ? wg_json_parse(e.data, e.len, NULL, NULL) : NULL;
    wg_json_writer_key(w, "structuredContent", 17);
    if (d) wg_json_writer_value(w, wg_json_root(d), false);
    else wg_json_writer_null(w);
    wg_json_free(d);
    wg_buf_free(&e);
  }
  return !w->misused;
}
