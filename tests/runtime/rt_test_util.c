/* rt_test_util.c: see rt_test_util.h. */
#include "rt_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Test inputs are small; the bound only keeps a wrong path from eating RAM. */
enum { RT_READ_MAX = 1 << 30 };

uint8_t *rt_read_file(const char *path, size_t *len) {
  uint8_t *data = NULL;
  *len = 0;
  if (wg_read_file(path, RT_READ_MAX, 0, &data, len, NULL) != WG_READ_OK) return NULL;
  return data;
}

bool rt_write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return false;
  bool ok = fwrite(data, 1, len, f) == len;
  return fclose(f) == 0 && ok;
}

bool rt_copy_file(const char *from, const char *to) {
  size_t len = 0;
  uint8_t *b = rt_read_file(from, &len);
  bool ok = b && rt_write_file(to, b, len);
  free(b);
  return ok;
}

void rt_digest_of(const char *path, char out[72]) {
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  out[0] = '\0';
  if (wg_pkg_open_path(path, NULL, &pkg, &d) == 0) wg_pkg_digest(pkg, out);
  wg_pkg_free(pkg);
}

wg_module *rt_load(const char *name, bool example) {
  char path[1024];
  if (example) snprintf(path, sizeof path, "%s/%s/plugin.wasm", RT_EXAMPLES_DIR, name);
  else snprintf(path, sizeof path, "%s/%s.wasm", RT_FIXTURE_DIR, name);
  size_t len = 0;
  uint8_t *bytes = rt_read_file(path, &len);
  if (!bytes) {
    fprintf(stderr, "missing module %s\n", path);
    return NULL;
  }
  wg_module *m = NULL;
  wg_wasm_error err;
  if (wg_module_new(bytes, len, &m, &err) != WG_WASM_OK)
    fprintf(stderr, "cannot compile %s: %s\n", path, err.message);
  free(bytes);
  return m;
}

/* ---- A tiny wasm writer for output modules ---- */

static void leb(wg_buf *b, uint32_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    if (v) byte |= 0x80;
    wg_buf_append_char(b, (char)byte);
  } while (v);
}

static void sleb(wg_buf *b, int32_t v) {
  for (;;) {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    if (!done) byte |= 0x80;
    wg_buf_append_char(b, (char)byte);
    if (done) break;
  }
}

static void section(wg_buf *mod, uint8_t id, wg_buf *body) {
  wg_buf_append_char(mod, (char)id);
  leb(mod, (uint32_t)body->len);
  wg_buf_append(mod, body->data, body->len);
  wg_buf_reset(body);
}

static void name(wg_buf *b, const char *s) {
  leb(b, (uint32_t)strlen(s));
  wg_buf_append_str(b, s);
}

wg_module *rt_output_module(const uint8_t *out, size_t len, uint32_t pages,
                            uint32_t write_len) {
  wg_buf mod, s;
  wg_buf_init(&mod, 0);
  wg_buf_init(&s, 0);
  wg_buf_append(&mod, "\0asm\1\0\0\0", 8);
  /* types: 0 = (i32,i32)->i32, 1 = ()->() */
  wg_buf_append(&s, "\x02\x60\x02\x7f\x7f\x01\x7f\x60\x00\x00", 10);
  section(&mod, 1, &s);
  leb(&s, 1);
  name(&s, "yoi:tool");
  name(&s, "output_write");
  wg_buf_append(&s, "\x00\x00", 2);
  section(&mod, 2, &s);
  wg_buf_append(&s, "\x01\x01", 2); /* one function of type 1 */
  section(&mod, 3, &s);
  wg_buf_append_char(&s, 1);
  wg_buf_append_char(&s, 0);
  leb(&s, pages);
  section(&mod, 5, &s);
  leb(&s, 2);
  name(&s, "memory");
  wg_buf_append(&s, "\x02\x00", 2);
  name(&s, "yoi_tool_call");
  wg_buf_append(&s, "\x00\x01", 2);
  section(&mod, 7, &s);
  /* code: i32.const 0; i32.const write_len; call 0; drop; end */
  wg_buf body;
  wg_buf_init(&body, 0);
  wg_buf_append_char(&body, 0); /* no locals */
  wg_buf_append(&body, "\x41\x00\x41", 3);
  sleb(&body, (int32_t)write_len);
  wg_buf_append(&body, "\x10\x00\x1a\x0b", 4);
  leb(&s, 1);
  leb(&s, (uint32_t)body.len);
  wg_buf_append(&s, body.data, body.len);
  wg_buf_free(&body);
  section(&mod, 10, &s);
  leb(&s, 1);
  wg_buf_append(&s, "\x00\x41\x00\x0b", 4); /* active, memory 0, offset 0 */
  leb(&s, (uint32_t)len);
  wg_buf_append(&s, out, len);
  section(&mod, 11, &s);
  wg_module *m = NULL;
  wg_wasm_error err;
  if (wg_module_new((const uint8_t *)mod.data, mod.len, &m, &err) != WG_WASM_OK)
    fprintf(stderr, "output module: %s\n", err.message);
  wg_buf_free(&mod);
  wg_buf_free(&s);
  return m;
}

wg_schema *rt_schema(const char *json) {
  wg_json_doc *doc = wg_json_parse(json, strlen(json), NULL, NULL);
  if (!doc) return NULL;
  wg_schema *s = wg_schema_compile(wg_json_root(doc), NULL, NULL);
  wg_json_free(doc);
  return s;
}

wg_call_request rt_request(const wg_module *m, const char *tool,
                           const char *input) {
  wg_call_request r = {0};
  r.module = m;
  r.tool = tool;
  r.plugin = "project:test";
  r.digest = RT_DIGEST;
  r.input = input;
  r.input_len = input ? strlen(input) : 0;
  r.limits = wg_call_limits_default();
  return r;
}
