/* errno.h (stub) (bench/corpus). */
#pragma once
extern int errno;
#define ERANGE 34
#define EINVAL 22
