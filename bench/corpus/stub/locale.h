/* locale.h (stub) (bench/corpus). */
#pragma once
struct lconv { char *decimal_point; };
struct lconv *localeconv(void);
typedef void *locale_t;
#define LC_ALL_MASK 0x1fbf
locale_t newlocale(int, const char *, locale_t);
void freelocale(locale_t);
double strtod_l(const char *, char **, locale_t);
