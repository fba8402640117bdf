/* unistd.h (stub): declarations only (bench/corpus). */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#define _SC_PAGESIZE 30
long sysconf(int);
int close(int);
pid_t getpid(void);
ssize_t pread(int, void *, size_t, off_t);
