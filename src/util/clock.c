/* clock.c: the monotonic clock every deadline is measured on. */
#include "wasmgate/util.h"

#include <time.h>

uint64_t wg_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
