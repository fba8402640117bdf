/* core_main_run.c: EEMBC's core_main.c, unmodified, with its main()
 * renamed coremark_main so that run() (core_portme.c) can call it. */
#define main coremark_main
#include "core_main.c"
