/* host_probe.c: reads one host per line on stdin (JSON-string escaped is
 * not needed: hosts never hold a newline here) and prints, per line,
 * "ok CANONICAL" or "fail RULE" from wg_pol_host_parse. Driven by
 * host_diff.js, which compares it with Node's WHATWG URL parser. */
#include <stdio.h>
#include <string.h>

#include "wasmgate/policy.h"

int main(void) {
  char line[8192];
  while (fgets(line, sizeof line, stdin)) {
    size_t n = strlen(line);
    if (n && line[n - 1] == '\n') line[--n] = '\0';
    wg_pol_host h;
    wg_pol_error e;
    if (wg_pol_host_parse(line, n, &h, &e) == WG_POL_OK) printf("ok %s\n", h.name);
    else printf("fail %s\n", wg_pol_rule_name(e.rule));
  }
  return 0;
}
