/* wasm_unit_run.c: runs exported nullary functions of a module and prints
 * "NAME i32:VALUE" (or "NAME trap:KIND") per line, for the differential
 * test against wabt's wasm-interp (diff_interp.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/wasm.h"
#include "../../../test_file.h"

static uint8_t *read_all(const char *path, size_t *len) {
  return (uint8_t *)wg_test_read_file(path, 64u << 20, len);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: wasm_unit_run FILE [NAME...]\n");
    return 2;
  }
  size_t len;
  uint8_t *bytes = read_all(argv[1], &len);
  if (!bytes) return 2;
  wg_module *m = NULL;
  wg_wasm_error err;
  int rc = 0;
  if (wg_module_new(bytes, len, &m, &err) != WG_WASM_OK) {
    printf("module %s: %s\n", wg_wasm_code_name(err.code), err.message);
    free(bytes);
    return 1;
  }
  wg_limits lim = {.fuel = 100000000};
  wg_store *s = wg_store_new(&lim);
  wg_instance *inst;
  if (wg_instance_new(s, m, NULL, 0, &inst, &err) != WG_WASM_OK) {
    printf("instance %s: %s\n", wg_wasm_code_name(err.code), err.message);
    rc = 1;
  }
  for (int i = 2; rc == 0 && i < argc; i++) {
    wg_extern e;
    wg_val r;
    if (!wg_instance_export(inst, argv[i], strlen(argv[i]), &e) ||
        e.kind != WG_EXTERN_FUNC) {
      printf("%s missing\n", argv[i]);
      continue;
    }
    if (wg_func_call(s, e.of.func, NULL, 0, &r, 1, &err) == WG_WASM_OK)
      printf("%s i32:%u\n", argv[i], r.of.i32);
    else
      printf("%s trap:%s\n", argv[i], wg_trap_name(err.trap));
  }
  wg_store_free(s);
  wg_module_release(m);
  free(bytes);
  return rc;
}
