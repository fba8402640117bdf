/* https_probe.c: a test plugin that sends the raw request descriptors it is
 * given, so the tests can hand the host any bytes a hostile guest could.
 *
 * Input: {"requests": ["<descriptor text>", ...]}. For each descriptor it
 * calls yoi:https.request(ptr, len) and records the return value; when it
 * is a length, it checks response_len agrees and that response_read
 * refuses a wrong length, then reads the response. It keeps going after a
 * failure (the failure is sticky: the call must fail anyway) and always
 * ends with a valid output:
 *   {"summary": "N requests", "content": "[{\"rc\":N,\"response\":<JSON>|null}, ...]"}
 * A response over 16 KiB is summarised as {"len":N,"truncated":B,"status":S}. */
#include "wasmgate_plugin.h"

static char desc[2 * WGP_HTTPS_MAX_REQUEST]; /* room for over-long descriptors */
static char content[60000];

WGP_EXPORT("yoi_tool_call") void yoi_tool_call(void) {
  wgp_size len = 0;
  const char *in = wgp_input(&len);
  if (!in) return;
  wgp_value reqs = wgp_get(wgp_root(in, len), "requests");
  wgp_writer c = {content, sizeof content, 0, 0};
  wgp_w_cstr(&c, "[");
  wgp_size pos = 0, count = 0;
  wgp_value item;
  while (wgp_array_next(reqs, &pos, &item)) {
    long n = wgp_string(item, desc, sizeof desc);
    if (n < 0) continue;
    int rc = wgp_https_request_raw(desc, (int)n);
    wgp_w_cstr(&c, count++ ? ",{\"rc\":" : "{\"rc\":");
    wgp_w_i64(&c, rc);
    wgp_w_cstr(&c, ",\"len\":");
    wgp_w_i64(&c, wgp_https_response_len());
    if (rc > 0 && wgp_https_response_len() == rc && rc <= WGP_HTTPS_MAX_RESPONSE) {
      int short_read = wgp_https_response_read(wgp_https_resp_buf_, rc - 1);
      int long_read = wgp_https_response_read(wgp_https_resp_buf_, rc + 1);
      int ok = wgp_https_response_read(wgp_https_resp_buf_, rc);
      wgp_w_cstr(&c, ",\"wrong_len_reads\":");
      wgp_w_i64(&c, short_read == -1 && long_read == -1 ? 0 : 1);
      wgp_value root = wgp_root(wgp_https_resp_buf_, (wgp_size)rc);
      if (ok == rc && rc <= 16384) {
        wgp_w_cstr(&c, ",\"response\":");
        wgp_w_raw(&c, wgp_https_resp_buf_, (wgp_size)rc);
      } else if (ok == rc) {
        wgp_value b = wgp_get(root, "body");
        wgp_value t = wgp_get(root, "truncated");
        wgp_w_cstr(&c, ",\"status\":");
        wgp_w_raw(&c, wgp_get(root, "status").text, wgp_get(root, "status").len);
        wgp_w_cstr(&c, ",\"truncated\":");
        wgp_w_raw(&c, t.text, t.len);
        long bl = wgp_string(b, desc, sizeof desc);
        wgp_w_cstr(&c, ",\"body_text_len\":");
        wgp_w_i64(&c, b.len);
        wgp_w_cstr(&c, ",\"body_fits\":");
        wgp_w_i64(&c, bl >= 0);
      }
    }
    wgp_w_cstr(&c, "}");
  }
  wgp_w_cstr(&c, "]");
  wgp_writer w = wgp_writer_new();
  wgp_w_cstr(&w, "{\"summary\":\"");
  wgp_w_u64(&w, count);
  wgp_w_cstr(&w, " requests\",\"content\":");
  wgp_w_str(&w, c.buf, c.overflow ? 0 : c.len);
  wgp_w_cstr(&w, "}");
  wgp_w_finish(&w);
}
