/* fuzz_json.c: libFuzzer entry point for the JSON layer (the deterministic
 * run in tests/json/test_json_mutate.c is what CI executes). Built by the
 * libFuzzer build of fuzz/CMakeLists.txt (-DWG_FUZZ=ON, target fuzz_json;
 * fuzz/README.md).
 * Checks the same properties: sane errors, canonical/compact round trips to
 * an equal tree and identical text, pretty output parsing back equal. */
#include <stdlib.h>
#include <string.h>

#include "wasmgate/json.h"

static void round_trip(const wg_json *v, bool canonical) {
  wg_buf a, b;
  wg_buf_init(&a, 0);
  wg_buf_init(&b, 0);
  if (!wg_json_write(v, canonical, &a)) abort();
  wg_json_doc *d = wg_json_parse(a.data, a.len, NULL, NULL);
  if (!d || !wg_json_equal(v, wg_json_root(d))) abort();
  if (!wg_json_write(wg_json_root(d), canonical, &b)) abort();
  if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) abort();
  wg_json_free(d);
  wg_buf_free(&a);
  wg_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wg_json_limits lim = {.max_depth = 64, .max_members = 4096};
  wg_json_error err;
  wg_json_doc *d = wg_json_parse((const char *)data, size, &lim, &err);
  if (!d) {
    if (err.code == WG_JSON_OK || err.offset > size || !err.message[0])
      abort();
    return 0;
  }
  if (!wg_utf8_valid(data, size)) abort();
  const wg_json *v = wg_json_root(d);
  round_trip(v, true);
  round_trip(v, false);
  wg_buf pretty;
  wg_buf_init(&pretty, 0);
  if (!wg_json_write_pretty(v, true, 2, &pretty)) abort();
  wg_json_doc *p = wg_json_parse(pretty.data, pretty.len, NULL, NULL);
  if (!p || !wg_json_equal(v, wg_json_root(p))) abort();
  wg_json_free(p);
  wg_buf_free(&pretty);
  if (v->type == WG_JSON_NUMBER) {
    double x;
    int64_t i;
    (void)wg_json_to_double(v, &x);
    if (wg_json_to_int64(v, &i) && !wg_json_is_integer(v)) abort();
    if (wg_json_number_cmp(v, v) != 0) abort();
  }
  wg_json_free(d);
  return 0;
}
