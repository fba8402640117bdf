/* time.h (stub) (bench/corpus). */
#pragma once
struct timespec { long long tv_sec; long tv_nsec; };
#define CLOCK_MONOTONIC 1
int clock_gettime(int, struct timespec *);
