/* pdk_probe.c: a test plugin for the PDK's reader and writer. For the
 * input member "k" it writes a summary describing what the reader saw:
 *   string  -> "s:<decoded text>"      number -> "n:<wgp_w_double of it>"
 *   array   -> "a:<count>:<sum of numbers>"   object -> "o:<member x as string>"
 *   object with "x8" -> "8:<x8 decoded into 8 bytes>", "8:small" or "8:notstring"
 *   absent  -> "none"                  other  -> "t:<type>"
 * and the raw text of "k" as the content. */
#include "wasmgate_plugin.h"

static char buf[4096];

WGP_EXPORT("yoi_tool_call") void yoi_tool_call(void) {
  wgp_size len = 0;
  const char *in = wgp_input(&len);
  wgp_value k = wgp_get(wgp_root(in, len), "k");
  wgp_writer w = wgp_writer_new();
  wgp_w_cstr(&w, "{\"summary\":");
  if (k.type == WGP_STRING) {
    long n = wgp_string(k, buf + 2, sizeof buf - 2);
    buf[0] = 's', buf[1] = ':';
    wgp_w_str(&w, buf, n < 0 ? 2 : (wgp_size)n + 2);
  } else if (k.type == WGP_NUMBER) {
    double x = 0;
    wgp_number(k, &x);
    wgp_w_cstr(&w, "\"n:");
    wgp_w_double(&w, x);
    wgp_w_cstr(&w, "\"");
  } else if (k.type == WGP_ARRAY) {
    wgp_size pos = 0, count = 0;
    double sum = 0;
    wgp_value item;
    while (wgp_array_next(k, &pos, &item)) {
      double x = 0;
      if (wgp_number(item, &x)) sum += x;
      count++;
    }
    wgp_w_cstr(&w, "\"a:");
    wgp_w_u64(&w, count);
    wgp_w_cstr(&w, ":");
    wgp_w_double(&w, sum);
    wgp_w_cstr(&w, "\"");
  } else if (k.type == WGP_OBJECT && wgp_get(k, "x8").type != WGP_NONE) {
    char small[8];
    long n = wgp_string(wgp_get(k, "x8"), small, sizeof small);
    wgp_w_cstr(&w, "\"8:");
    if (n == WGP_TOO_SMALL) wgp_w_cstr(&w, "small\"");
    else if (n == WGP_NOT_STRING) wgp_w_cstr(&w, "notstring\"");
    else {
      wgp_w_raw(&w, small, (wgp_size)n);
      wgp_w_cstr(&w, "\"");
    }
  } else if (k.type == WGP_OBJECT) {
    long n = wgp_string(wgp_get(k, "x"), buf + 2, sizeof buf - 2);
    buf[0] = 'o', buf[1] = ':';
    wgp_w_str(&w, buf, n < 0 ? 2 : (wgp_size)n + 2);
  } else if (k.type == WGP_NONE) {
    wgp_w_cstr(&w, "\"none\"");
  } else {
    wgp_w_cstr(&w, "\"t:");
    wgp_w_u64(&w, (wgp_u64)k.type);
    wgp_w_cstr(&w, "\"");
  }
  wgp_w_cstr(&w, ",\"content\":");
  wgp_w_str(&w, k.text ? k.text : "", k.len);
  wgp_w_cstr(&w, "}");
  wgp_w_finish(&w);
}
