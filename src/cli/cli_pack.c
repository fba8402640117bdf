/* cli_pack.c: `wasmgate pack DIR -o FILE`: writes a directory package as a
 * deterministic stored ZIP (same input, same bytes), atomically; prints the
 * package digest. Exit 0 written, 1 bad package or write failure (`kind:
 * message` on stderr, never a path), 2 usage, including an output inside
 * the input or one that is a symlink or not a regular file. */
#include "cli.h"

#include <string.h>

#include "wasmgate/package.h"

static void pack_help(FILE *out) {
  fprintf(out,
          "usage: wasmgate pack DIR -o FILE\n"
          "\n"
          "Writes the directory package DIR (for example NAME.yoi-plugin/) as a\n"
          "deterministic .yoi-plugin file: stored entries sorted by path, fixed\n"
          "timestamps, no directory entries. The same files always give the same\n"
          "bytes and the same digest as `wasmgate digest DIR`. FILE is written\n"
          "atomically (temp file + rename) and never inside DIR; symlinks are\n"
          "never followed. Prints the package digest.\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE  the package file to write (required)\n"
          "  -h, --help         show this help\n");
}

int cli_cmd_pack(int argc, char **argv, const cli_global *g) {
  (void)g;
  const char *dir = NULL, *out = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (cli_is_help(a)) {
      pack_help(stdout);
      return CLI_EXIT_OK;
    }
    if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
      if (i + 1 >= argc) return cli_usage_error("pack: %s needs a value", a);
      out = argv[++i];
    } else if (a[0] == '-' && a[1] != '\0') {
      return cli_usage_error("pack: unknown option '%s' (see --help)", a);
    } else if (!dir) {
      dir = a;
    } else {
      return cli_usage_error("pack: unexpected argument '%s'", a);
    }
  }
  if (!dir || !out) return cli_usage_error("pack: usage: wasmgate pack DIR -o FILE");
  char digest[WG_PKG_DIGEST_LEN];
  wg_pkg_diag d;
  switch (wg_pkg_pack(dir, out, NULL, digest, &d)) {
  case WG_PKG_PACK_OK:
    printf("%s\n", digest);
    return CLI_EXIT_OK;
  case WG_PKG_PACK_BAD_OUTPUT:
    return cli_usage_error("pack: %s", d.message);
  case WG_PKG_PACK_BAD_PACKAGE:
  case WG_PKG_PACK_WRITE_FAILED:
  default:
    fprintf(stderr, "%s: %s\n", wg_pkg_kind_name(d.kind), d.message);
    return CLI_EXIT_FAIL;
  }
}
