/* man.c: writes wasmgate(1) to stdout, generated from the command specs
 * (a build step; not installed). */
#include "cli.h"

int main(void) {
  cli_write_man(stdout);
  return fflush(stdout) == 0 ? 0 : 1;
}
