/* cli_digest.c: `wasmgate digest PATH`: prints the package digest of a
 * .yoi-plugin file or a directory package, alone on one line (yoi's
 * `sha256:<64 lowercase hex>`). Exit 0, 1 on a bad package (`kind: message`
 * on stderr, never a path), 2 on usage errors. */
#include "cli.h"

#include <string.h>

#include "wasmgate/package.h"

static void digest_help(FILE *out) {
  fprintf(out,
          "usage: wasmgate digest PATH\n"
          "\n"
          "Prints the digest of the package at PATH: a .yoi-plugin file or a\n"
          "directory package. The package is checked with yoi's rules first\n"
          "(ZIP structure, paths, sizes, root plugin.toml). A directory and its\n"
          "`wasmgate pack` output have the same digest.\n"
          "\n"
          "Options:\n"
          "  -h, --help  show this help\n");
}

int cli_cmd_digest(int argc, char **argv, const cli_global *g) {
  (void)g;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (cli_is_help(a)) {
      digest_help(stdout);
      return CLI_EXIT_OK;
    }
    if (a[0] == '-' && a[1] != '\0')
      return cli_usage_error("digest: unknown option '%s' (see --help)", a);
    if (path) return cli_usage_error("digest: unexpected argument '%s'", a);
    path = a;
  }
  if (!path) return cli_usage_error("digest: usage: wasmgate digest PATH");
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  if (wg_pkg_open_path(path, NULL, &pkg, &d) != 0) {
    fprintf(stderr, "%s: %s\n", wg_pkg_kind_name(d.kind), d.message);
    return CLI_EXIT_FAIL;
  }
  char digest[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(pkg, digest);
  printf("%s\n", digest);
  wg_pkg_free(pkg);
  return CLI_EXIT_OK;
}
