/* fcntl.h (stub): declarations only (bench/corpus). */
#pragma once
#define O_RDONLY 0
#define O_CLOEXEC 02000000
int open(const char *, int, ...);
