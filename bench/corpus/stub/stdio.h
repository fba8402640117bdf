/* stdio.h (stub): declarations only (bench/corpus). */
#pragma once
#include <stdarg.h>
#include <stddef.h>
typedef struct FILE FILE;
int snprintf(char *, size_t, const char *, ...);
int vsnprintf(char *, size_t, const char *, va_list);
