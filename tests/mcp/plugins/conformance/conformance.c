/* conformance.c: the fixture tools the MCP conformance suite calls
 * (@modelcontextprotocol/conformance 0.1.16, server scenarios), as one
 * plugin module that dispatches on the invoked tool's name:
 *   test_simple_text          -> the suite's expected text
 *   test_error_handling       -> fails (a trap): a tool error, isError
 *   json_schema_2020_12_tool  -> its schema is what the suite checks */
#include "wasmgate_plugin.h"

static int name_is(const char *n, wgp_size len, const char *want) {
  wgp_size w = wgp_strlen(want);
  if (len != w) return 0;
  for (wgp_size i = 0; i < len; i++)
    if (n[i] != want[i]) return 0;
  return 1;
}

WGP_EXPORT("yoi_tool_call") void yoi_tool_call(void) {
  wgp_size len = 0;
  const char *name = wgp_tool_name(&len);
  if (name && name_is(name, len, "test_simple_text")) {
    wgp_output("This is a simple text response for testing.", 0, 0);
    return;
  }
  if (name && name_is(name, len, "test_error_handling")) __builtin_trap();
  wgp_size in_len = 0;
  const char *in = wgp_input(&in_len);
  wgp_output("arguments accepted", in, in ? in_len : 0);
}
