/* sys/types.h (stub): declarations only (bench/corpus). */
#pragma once
typedef long ssize_t;
typedef long long off_t;
typedef int pid_t;
