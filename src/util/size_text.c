/* size_text.c: a byte count as a message shows it ("1 MiB", "64 KiB",
 * "1000 bytes"), so messages that state a limit print the limit's macro
 * instead of a copy of its number. */
#include <stdio.h>

#include "wasmgate/util.h"

size_t wg_size_text(char *dst, size_t dst_size, uint64_t bytes) {
  static const char *const units[] = {"GiB", "MiB", "KiB"};
  static const unsigned shifts[] = {30, 20, 10};
  int n = -1;
  for (size_t i = 0; i < sizeof units / sizeof units[0] && n < 0; i++) {
    uint64_t unit = 1ull << shifts[i];
    if (bytes >= unit && bytes % unit == 0)
      n = snprintf(dst, dst_size, "%llu %s", (unsigned long long)(bytes >> shifts[i]),
                   units[i]);
  }
  if (n < 0)
    n = snprintf(dst, dst_size, "%llu byte%s", (unsigned long long)bytes,
                 bytes == 1 ? "" : "s");
  if (n < 0) return 0;
  return (size_t)n < dst_size ? (size_t)n : (dst_size ? dst_size - 1 : 0);
}
