/* unistd.h (stub): declarations only (bench/corpus). */
#pragma once
#define _SC_PAGESIZE 30
long sysconf(int);
