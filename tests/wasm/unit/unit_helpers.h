/* unit_helpers.h: what the engine's unit tests share: modules built from
 * wat/ into WG_UNIT_WASM_DIR, exports by name, i32 values. */
#ifndef WG_UNIT_HELPERS_H
#define WG_UNIT_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../test_file.h"
#include "wasmgate/wasm.h"

static inline uint8_t *read_file(const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", WG_UNIT_WASM_DIR, name);
  return (uint8_t *)wg_test_read_file(path, 64u << 20, len);
}

/* The compiled module of wat/NAME.wat (NAME.wasm), or NULL. */
static inline wg_module *load(const char *name) {
  size_t len;
  uint8_t *b = read_file(name, &len);
  if (!b) return NULL;
  wg_module *m = NULL;
  wg_wasm_error err;
  wg_module_new(b, len, &m, &err);
  free(b);
  return m;
}

static inline wg_func *export_func(wg_instance *inst, const char *name) {
  wg_extern e;
  if (!wg_instance_export(inst, name, strlen(name), &e)) return NULL;
  return e.kind == WG_EXTERN_FUNC ? e.of.func : NULL;
}

static inline wg_val i32v(uint32_t x) {
  wg_val v;
  memset(&v, 0, sizeof v);
  v.type = WG_I32;
  v.of.i32 = x;
  return v;
}

#endif
