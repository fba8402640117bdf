/* hostile_util.h: small helpers shared by the hostile-input tests: reading a
 * whole file with a cap, and listing a directory's *.wasm files in sorted
 * order (so every run sees the same corpus). */
#ifndef WG_TESTS_HOSTILE_UTIL_H
#define WG_TESTS_HOSTILE_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/util.h"

/* Reads path into a malloc'd buffer; NULL if missing, unreadable or larger
 * than max_size. */
static inline unsigned char *hostile_read_file(const char *path,
                                               size_t max_size, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  wg_buf b;
  wg_buf_init(&b, max_size);
  char chunk[16384];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (!wg_buf_append(&b, chunk, got)) break;
  bool ok = !ferror(f) && wg_buf_ok(&b);
  fclose(f);
  if (!ok) {
    wg_buf_free(&b);
    return NULL;
  }
  unsigned char *data = (unsigned char *)wg_buf_take(&b, len);
  if (!data) data = calloc(1, 1); /* empty file: still a buffer */
  return data;
}

static inline int hostile_wasm_filter(const struct dirent *d) {
  size_t n = strlen(d->d_name);
  return n > 5 && strcmp(d->d_name + n - 5, ".wasm") == 0;
}

#endif
