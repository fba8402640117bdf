/* math.h (stub): declarations only (bench/corpus). */
#pragma once
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define signbit(x) __builtin_signbit(x)
#define HUGE_VAL __builtin_huge_val()
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
double floor(double); float floorf(float);
double ceil(double); float ceilf(float);
double trunc(double); float truncf(float);
double sqrt(double); float sqrtf(float);
double nearbyint(double); float nearbyintf(float);
double fabs(double); double fmod(double, double); double pow(double, double);
double ldexp(double, int); double frexp(double, int *); double modf(double, double *);
double log10(double);
