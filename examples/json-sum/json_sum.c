/* json_sum.c: the `JsonSum` tool: the sum of the array argument `numbers`.
 * The input schema makes every item a number, so the plugin only sums. */
#include "wasmgate_plugin.h"

WGP_EXPORT("yoi_tool_call") void yoi_tool_call(void) {
  wgp_size len = 0;
  const char *in = wgp_input(&len);
  wgp_value numbers = in ? wgp_get(wgp_root(in, len), "numbers") : (wgp_value){0, 0, WGP_NONE};
  if (numbers.type != WGP_ARRAY) {
    wgp_output("argument `numbers` must be an array", 0, 0);
    return;
  }
  double sum = 0;
  wgp_u64 count = 0;
  wgp_size pos = 0;
  wgp_value item;
  while (wgp_array_next(numbers, &pos, &item)) {
    double x;
    if (!wgp_number(item, &x)) {
      wgp_output("every item of `numbers` must be a number", 0, 0);
      return;
    }
    sum += x;
    count++;
  }
  wgp_writer w = wgp_writer_new();
  wgp_w_cstr(&w, "{\"summary\":\"sum: ");
  wgp_w_double(&w, sum);
  wgp_w_cstr(&w, " (");
  wgp_w_u64(&w, count);
  wgp_w_cstr(&w, count == 1 ? " number)" : " numbers)");
  wgp_w_cstr(&w, "\",\"content\":\"{\\\"count\\\":");
  wgp_w_u64(&w, count);
  wgp_w_cstr(&w, ",\\\"sum\\\":");
  wgp_w_double(&w, sum);
  wgp_w_cstr(&w, "}\"}");
  wgp_w_finish(&w);
}
