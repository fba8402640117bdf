/* test_file.h: reading a whole file into memory, for test programs and
 * conformance runners (one helper instead of a copy in each). */
#ifndef WASMGATE_TEST_FILE_H
#define WASMGATE_TEST_FILE_H

#include "wasmgate/util.h"

/* Reads path into a malloc'd, NUL-terminated buffer (an empty file gives a
 * valid empty buffer). NULL if the file is missing, unreadable or larger
 * than max_size bytes. */
/* Not inlined: GCC's -Wdangling-pointer takes &data, once inlined, for a
 * pointer into the caller's frame. */
__attribute__((noinline, unused)) static char *wg_test_read_file(const char *path,
                                                                 size_t max_size,
                                                                 size_t *len) {
  uint8_t *data = NULL;
  if (wg_read_file(path, max_size, 0, &data, len, NULL) != WG_READ_OK) return NULL;
  return (char *)data;
}

#endif
