/* test_file.h: reading a whole file into memory, for test programs and
 * conformance runners (one helper instead of a copy in each). */
#ifndef WASMGATE_TEST_FILE_H
#define WASMGATE_TEST_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "wasmgate/util.h"

/* Reads path into a malloc'd, NUL-terminated buffer (an empty file gives a
 * valid empty buffer). NULL if the file is missing, unreadable or larger
 * than max_size bytes. */
static inline char *wg_test_read_file(const char *path, size_t max_size,
                                      size_t *len) {
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  wg_buf b;
  wg_buf_init(&b, max_size);
  char chunk[65536];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (!wg_buf_append(&b, chunk, got)) break;
  bool ok = !ferror(f) && wg_buf_ok(&b);
  fclose(f);
  if (!ok) {
    wg_buf_free(&b);
    return NULL;
  }
  return wg_buf_take(&b, len);
}

#endif
