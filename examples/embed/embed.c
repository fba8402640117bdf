/* embed.c: a host program embedding libwasmgate: open a workspace, list
 * the tools a model would see, call one, print the result.
 *   embed WORKSPACE [TOOL [JSON]]
 * The call is audited like `wasmgate call` (history before the guest runs). */
#include <stdio.h>
#include <string.h>
#include <wasmgate/wasmgate.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: embed WORKSPACE [TOOL [JSON]]\n");
    return 2;
  }
  wg_workspace_options opts = {.workspace = argv[1]};
  wg_workspace *ws;
  wg_config_error err;
  wg_plugin_set_code st = wg_workspace_open(&opts, &ws, &err);
  if (st != WG_PLUGIN_SET_OK) {
    fprintf(stderr, "embed: %s: %s\n", wg_plugin_set_code_name(st), err.message);
    return 1;
  }
  const wg_registry *reg = wg_workspace_registry(ws);
  for (size_t i = 0; i < reg->count; i++)
    printf("tool %.*s from %s: %.*s\n", (int)reg->tools[i].name_len, reg->tools[i].name,
           reg->tools[i].ref, (int)reg->tools[i].description_len, reg->tools[i].description);
  int rc = 0;
  if (argc > 2) {
    const char *input = argc > 3 ? argv[3] : "{}";
    wg_cancel cancel; /* wg_cancel_request(&cancel) from any thread stops it */
    wg_cancel_init(&cancel);
    wg_call_result r;
    wg_err code = wg_workspace_call(ws, argv[2], input, strlen(input), &cancel, NULL, &r);
    printf("%s %s: %.*s\n", r.call_id, code == WG_ERR_NONE ? "ok" : wg_err_name(code),
           (int)r.summary_len, r.summary);
    if (r.content) printf("content: %.*s\n", (int)r.content_len, r.content);
    if (!r.recorded) printf("history: %s\n", r.history_error);
    rc = code == WG_ERR_NONE && r.recorded ? 0 : 1;
    wg_call_result_free(&r);
  }
  wg_workspace_close(ws);
  return rc;
}
