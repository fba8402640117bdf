/* cli_digest.c: `wasmgate digest PATH`: prints the package digest of a
 * .yoi-plugin file or a directory package, alone on one line (yoi's
 * `sha256:<64 lowercase hex>`). Exit 0, 1 on a bad package (`kind: message`
 * on stderr, never a path), 2 on usage errors. */
#include "cli.h"

#include <string.h>

#include "wasmgate/package.h"

static int digest_run(const cli_args *a) {
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  if (wg_pkg_open_path(a->pos[0], NULL, &pkg, &d) != 0) {
    fprintf(stderr, "%s: %s\n", wg_pkg_code_name(d.kind), d.message);
    return CLI_EXIT_FAIL;
  }
  char digest[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(pkg, digest);
  printf("%s\n", digest);
  wg_pkg_free(pkg);
  return CLI_EXIT_OK;
}

const cli_spec cli_digest_spec = {
  .name = "digest",
  .synopsis = "digest PATH",
  .summary = "print the digest of a package file or directory",
  .description =
      "Prints the digest of the package at PATH: a .yoi-plugin file or a\n"
      "directory package. The package is checked with yoi's rules first\n"
      "(ZIP structure, paths, sizes, root plugin.toml). A directory and its\n"
      "`wasmgate pack` output have the same digest.",
  .min_args = 1,
  .max_args = 1,
  .run = digest_run,
};
