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
#include "../../test_file.h"

/* Reads path into a malloc'd buffer; NULL if missing, unreadable or larger
 * than max_size. */
static inline unsigned char *hostile_read_file(const char *path,
                                               size_t max_size, size_t *len) {
  return (unsigned char *)wg_test_read_file(path, max_size, len);
}

static inline int hostile_wasm_filter(const struct dirent *d) {
  size_t n = strlen(d->d_name);
  return n > 5 && strcmp(d->d_name + n - 5, ".wasm") == 0;
}

#endif
