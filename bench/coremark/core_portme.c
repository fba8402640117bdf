/* core_portme.c: wasmgate's CoreMark port layer (see core_portme.h): the
 * seeds, a timer that reads zero, and an ee_printf that prints nothing but
 * folds every number of the lines that report a CRC (the verification
 * output: seedcrc, crclist, crcmatrix, crcstate, crcfinal, and the
 * "ERROR! ... crc" lines) into the checksum that run() returns. core_main.c
 * is built through core_main_run.c (its main renamed coremark_main). */
#include <stdarg.h>

#include "../bench.h"
#include "coremark.h"

#if VALIDATION_RUN
volatile ee_s32 seed1_volatile = 0x3415;
volatile ee_s32 seed2_volatile = 0x3415;
volatile ee_s32 seed3_volatile = 0x66;
#endif
#if PERFORMANCE_RUN
volatile ee_s32 seed1_volatile = 0x0;
volatile ee_s32 seed2_volatile = 0x0;
volatile ee_s32 seed3_volatile = 0x66;
#endif
#if PROFILE_RUN
volatile ee_s32 seed1_volatile = 0x8;
volatile ee_s32 seed2_volatile = 0x8;
volatile ee_s32 seed3_volatile = 0x8;
#endif
volatile ee_s32 seed4_volatile = ITERATIONS;
volatile ee_s32 seed5_volatile = 0;

ee_u32 default_num_contexts = 1;

void start_time(void) {}
void stop_time(void) {}
CORE_TICKS get_time(void) { return 0; }
secs_ret time_in_secs(CORE_TICKS ticks) { return (secs_ret)ticks; }

void portable_init(core_portable *p, int *argc, char *argv[]) {
  (void)argc;
  (void)argv;
  p->portable_id = 1;
}
void portable_fini(core_portable *p) { p->portable_id = 0; }

static uint32_t checksum = 2166136261u;
static int crc_lines;

static int has_crc(const char *s) {
  for (; *s; s++)
    if (s[0] == 'c' && s[1] == 'r' && s[2] == 'c') return 1;
  return 0;
}

/* Consumes the arguments of fmt's conversions (d, u, x, s, with an
 * optional l), folding the integers into the checksum when the line
 * reports a CRC. */
int ee_printf(const char *fmt, ...) {
  va_list ap;
  int fold = has_crc(fmt);
  crc_lines += fold;
  va_start(ap, fmt);
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') continue;
    p++;
    while (*p >= '0' && *p <= '9') p++;
    int is_long = *p == 'l';
    if (is_long) p++;
    uint32_t v = 0;
    if (*p == 's') {
      (void)va_arg(ap, const char *);
      continue;
    }
    if (*p == 'd' || *p == 'u' || *p == 'x')
      v = is_long ? (uint32_t)va_arg(ap, unsigned long)
                  : (uint32_t)va_arg(ap, unsigned int);
    else if (*p == '\0')
      break;
    else
      continue;
    if (fold) checksum = (checksum ^ v) * 16777619u;
  }
  va_end(ap);
  return 0;
}

int coremark_main(void);

BENCH_EXPORT int run(void) {
  coremark_main();
  /* no CRC line at all would mean the run did not report */
  return BENCH_CHECKSUM(crc_lines ? checksum : 0);
}
