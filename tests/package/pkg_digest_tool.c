/* pkg_digest_tool.c: test helper for digest_vectors.py: prints the digest
 * of a file or directory package (as `wasmgate digest` does) using only the
 * package library, so the cross-check does not depend on the CLI. On a bad
 * package prints `kind: message` to stderr and exits 1. */
#include "wasmgate/package.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: pkg_digest_tool PATH\n");
    return 2;
  }
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  if (wg_pkg_open_path(argv[1], NULL, &pkg, &d) != 0) {
    fprintf(stderr, "%s: %s\n", wg_pkg_code_name(d.kind), d.message);
    return 1;
  }
  char digest[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(pkg, digest);
  printf("%s\n", digest);
  wg_pkg_free(pkg);
  return 0;
}
