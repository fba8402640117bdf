/* fuzz_mcp.c: libFuzzer entry for the MCP server's parsers of untrusted
 * input: a JSON-RPC message (classification), a tools/list cursor, a
 * base64 value (the Mcp-Name sentinel) and the HTTP header policy. Built
 * by tests/mcp/CMakeLists.txt without libFuzzer as test_mcp_fuzz, which
 * runs the same entry on seeds and 20,000 deterministic mutations of them
 * (ctest fuzz_mcp). With libFuzzer (-DWG_FUZZ_LIBFUZZER, no main): the
 * libFuzzer build of fuzz/CMakeLists.txt (-DWG_FUZZ=ON, target fuzz_mcp;
 * fuzz/README.md).
 * Checked: only the documented error codes come out, every error message
 * is bounded, NUL-free UTF-8; an accepted cursor points inside the list; an
 * accepted base64 value re-encodes to itself. */
#include "../src/mcp/mcp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_msg(const uint8_t *data, size_t size) {
  mcp_msg m;
  mcp_msg_parse((const char *)data, size, 1 << 20, &m);
  if (m.kind == MCP_MSG_INVALID) {
    int c = m.error_code;
    if (c != MCP_PARSE_ERROR && c != MCP_INVALID_REQUEST && c != MCP_INVALID_PARAMS &&
        c != MCP_INTERNAL_ERROR)
      abort();
    size_t n = strlen(m.error_message);
    if (n == 0 || n >= sizeof m.error_message) abort();
  } else if (m.kind == MCP_MSG_REQUEST) {
    if (!m.id || !m.method) abort();
    if (m.params && m.params->type != WG_JSON_OBJECT) abort();
  } else if (m.kind == MCP_MSG_NOTIFICATION) {
    if (m.id || !m.method) abort();
  }
  if (m.kind == MCP_MSG_INVALID || m.kind == MCP_MSG_REQUEST) {
    wg_buf b;
    wg_buf_init(&b, 0);
    mcp_write_error(&b, m.id, m.error_code ? m.error_code : -1, m.error_message, NULL);
    wg_json_doc *d = b.data ? wg_json_parse(b.data, b.len, NULL, NULL) : NULL;
    if (!d) abort(); /* a reply is always valid JSON */
    wg_json_free(d);
    wg_buf_free(&b);
  }
  mcp_msg_free(&m);
}

static void check_cursor(const uint8_t *data, size_t size) {
  size_t idx = 0;
  if (mcp_cursor_decode((const char *)data, size, 42, 1000, &idx) && (idx == 0 || idx >= 1000)) abort();
}

static void check_base64(const uint8_t *data, size_t size) {
  if (size > 4096) return;
  uint8_t out[4096];
  for (int url = 0; url < 2; url++) {
    long n = mcp_base64_decode((const char *)data, size, url, out);
    if (n < 0) continue;
    wg_buf b;
    wg_buf_init(&b, 0);
    mcp_base64_encode(out, (size_t)n, url, &b);
    if (b.len != size || (size && memcmp(b.data, data, size) != 0)) abort();
    wg_buf_free(&b);
  }
}

static void check_headers(const uint8_t *data, size_t size) {
  char s[512];
  size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
  memcpy(s, data, n);
  s[n] = '\0';
  wg_mcp_options o;
  wg_mcp_options_default(&o);
  (void)mcp_origin_allowed(s, &o);
  (void)mcp_host_allowed(s);
  (void)mcp_accept_ok(s);
  (void)mcp_content_type_json(s);
  (void)mcp_bearer_ok(s, "0123456789abcdef", 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  switch (data[0] & 3) {
  case 0: check_msg(data + 1, size - 1); break;
  case 1: check_cursor(data + 1, size - 1); break;
  case 2: check_base64(data + 1, size - 1); break;
  default: check_headers(data + 1, size - 1); break;
  }
  return 0;
}

#ifndef WG_FUZZ_LIBFUZZER
/* Seeds, then deterministic mutations (xorshift): flips, inserts, cuts. */
static const char *const seeds[] = {
  "\0{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"Echo\",\"arguments\":{}}}",
  "\0{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"x\"}}",
  "\0{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}",
  "\0[{\"jsonrpc\":\"2.0\"}]",
  "\1MTAuMDAwMDAwMDAwMDAwMDAyYQ",
  "\2Zm9vYmFy",
  "\2Zm9vYg==",
  "\3http://localhost:8080",
  "\3Bearer 0123456789abcdef",
  "\3application/json; charset=utf-8",
};

int main(void) {
  uint64_t x = 0x9e3779b97f4a7c15ull;
  uint8_t buf[512];
  size_t runs = 0;
  for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
    size_t len = 1 + strlen(seeds[s] + 1);
    LLVMFuzzerTestOneInput((const uint8_t *)seeds[s], len);
    for (int i = 0; i < 2000; i++) {
      memcpy(buf, seeds[s], len);
      size_t n = len;
      int edits = 1 + (int)(x % 4);
      for (int e = 0; e < edits; e++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t at = 1 + (size_t)(x % (n > 1 ? n - 1 : 1));
        switch ((x >> 32) % 3) {
        case 0: buf[at % n] ^= (uint8_t)(x >> 40); break;
        case 1:
          if (n < sizeof buf) {
            memmove(buf + at + 1, buf + at, n - at);
            buf[at] = (uint8_t)(x >> 48);
            n++;
          }
          break;
        default: n = at; break;
        }
      }
      LLVMFuzzerTestOneInput(buf, n);
      runs++;
    }
  }
  printf("%zu mutated inputs, 0 failures\n1 passed, 0 failed\n", runs);
  return 0;
}
#endif
