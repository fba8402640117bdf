/* cli_pack.c: `wasmgate pack DIR -o FILE`: writes a directory package as a
 * deterministic stored ZIP (same input, same bytes), atomically; prints the
 * package digest. Exit 0 written, 1 bad package or write failure (`kind:
 * message` on stderr, never a path), 2 usage, including an output inside
 * the input or one that is a symlink or not a regular file. */
#include "cli.h"

#include <string.h>

#include "wasmgate/package.h"

static const cli_opt pack_opts[] = {
  {"output", 'o', CLI_OPT_PATH, "FILE", "the package file to write (required)", true},
  {0},
};

static int pack_run(const cli_args *a) {
  const char *dir = a->pos[0], *out = cli_value(a, "output");
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
    fprintf(stderr, "%s: %s\n", wg_pkg_code_name(d.kind), d.message);
    return CLI_EXIT_FAIL;
  }
}

const cli_spec cli_pack_spec = {
  .name = "pack",
  .synopsis = "pack DIR -o FILE",
  .summary = "write a directory package as a deterministic .yoi-plugin",
  .description =
      "Writes the directory package DIR (for example NAME.yoi-plugin/) as a\n"
      "deterministic .yoi-plugin file: stored entries sorted by path, fixed\n"
      "timestamps, no directory entries. The same files always give the same\n"
      "bytes and the same digest as `wasmgate digest DIR`. FILE is written\n"
      "atomically (temp file + rename) and never inside DIR; symlinks are\n"
      "never followed. Prints the package digest.",
  .options = pack_opts,
  .min_args = 1,
  .max_args = 1,
  .run = pack_run,
};
