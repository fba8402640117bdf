/* fuzz_call.c: libFuzzer entry point for the runtime's untrusted-input
 * paths (CI runs test_runtime's random-output test instead). Built by
 * the libFuzzer build of fuzz/CMakeLists.txt (-DWG_FUZZ=ON, target
 * fuzz_call; fuzz/README.md), then build/fuzz/fuzz/fuzz_call.
 * The first byte picks the path: even = the bytes are a guest's output
 * (decoded as the output contract says), odd = the bytes are a call's
 * input. Checked: only the documented codes come out, every message is
 * bounded UTF-8, an accepted output has a summary of 1..1024 bytes, and an
 * accepted input's canonical form parses back to an equal value. */
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"
#include "../tests/runtime/rt_test_util.h"

static void check_error(const wg_error *e) {
  size_t n = strlen(e->message);
  if (n > WG_ERROR_MESSAGE_MAX || !wg_utf8_valid((const uint8_t *)e->message, n)) abort();
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)e->message[i] < 0x20) abort();
}

static void fuzz_output(const uint8_t *data, size_t size) {
  host_call hc = {0};
  hc.output = (char *)data, hc.output_len = size, hc.output_written = true;
  wg_call_limits lim = wg_call_limits_default();
  wg_call_result r;
  memset(&r, 0, sizeof r);
  rt_decode_output(&hc, &lim, &r);
  wg_err c = r.error.code;
  if (c != WG_ERR_NONE && c != WG_ERR_OUTPUT_INVALID && c != WG_ERR_OUTPUT_TOO_LARGE) abort();
  check_error(&r.error);
  if (c == WG_ERR_NONE && (!r.summary || r.summary_len == 0 || r.summary_len > 1024)) abort();
  free(r.summary);
  free(r.content);
}

static void fuzz_input(const uint8_t *data, size_t size) {
  static wg_module *m;
  static const char out[] = "{\"summary\":\"ok\"}";
  if (!m) m = rt_output_module((const uint8_t *)out, sizeof out - 1, 1, sizeof out - 1);
  wg_call_request req = rt_request(m, "Fuzz", NULL);
  req.input = (const char *)data;
  req.input_len = size;
  wg_call_result r;
  wg_err c = wg_call(&req, &r);
  if (c != WG_ERR_NONE && c != WG_ERR_INVALID_INPUT) abort();
  check_error(&r.error);
  if (c == WG_ERR_NONE) {
    wg_json_doc *a = wg_json_parse((const char *)data, size, &(wg_json_limits){.max_depth = 1 << 20}, NULL);
    wg_json_doc *b = wg_json_parse(r.arguments, r.arguments_len, &(wg_json_limits){.max_depth = 1 << 20}, NULL);
    if (!a || !b || !wg_json_equal(wg_json_root(a), wg_json_root(b))) abort();
    wg_json_free(a);
    wg_json_free(b);
  }
  wg_call_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) fuzz_output(data + 1, size - 1);
  else fuzz_input(data + 1, size - 1);
  return 0;
}
