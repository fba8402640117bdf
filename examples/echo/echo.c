/* echo.c: the `Echo` tool: returns its arguments (as the host passed them,
 * canonical JSON) as the content, with the summary "echo". */
#include "wasmgate_plugin.h"

WGP_EXPORT("yoi_tool_call") void yoi_tool_call(void) {
  wgp_size len = 0;
  const char *in = wgp_input(&len);
  if (!in) {
    wgp_output("input could not be read", 0, 0);
    return;
  }
  wgp_output("echo", in, len);
}
