/* sys/sysinfo.h (stub): declarations only (bench/corpus). */
#pragma once
struct sysinfo {
  unsigned long totalswap;
};
int sysinfo(struct sysinfo *);
