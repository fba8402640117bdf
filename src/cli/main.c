/* main.c: `wasmgate` entry point: global options and subcommand dispatch. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const cli_command commands[] = {
  {"wasm", cli_cmd_wasm, "run a function of a WebAssembly module (engine entry)"},
  {"pack", cli_cmd_pack, "write a directory package as a deterministic .yoi-plugin"},
  {"digest", cli_cmd_digest, "print the digest of a package file or directory"},
  {"check", cli_cmd_check, "validate a package: archive, manifest, tools, ABI"},
  {"list", cli_cmd_list, "list plugin packages and their status"},
  {"show", cli_cmd_show, "show one plugin package: permissions, grants, tools"},
  {"lock", cli_cmd_lock, "write wasmgate.lock (identity, version, digest, tools)"},
  {"tools", cli_cmd_tools, "list the tools a model sees (name, description, schema)"},
  {"call", cli_cmd_call, "run one tool call under the limits; record it in history"},
  {"history", cli_cmd_history, "print the tool call history"},
  {"serve", cli_cmd_serve, "serve the tools over MCP (stdio, or Streamable HTTP with --http)"},
};

static void print_help(FILE *out) {
  fprintf(out,
          "usage: wasmgate [--workspace DIR] [--config FILE] COMMAND [ARGS]\n"
          "\n"
          "Runs untrusted WebAssembly tool plugins under hard bounds.\n"
          "\n"
          "Commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out,
          "\n"
          "Global options:\n"
          "  --workspace DIR  workspace directory (default: current directory)\n"
          "  --config FILE    config file (default: WORKSPACE/wasmgate.toml)\n"
          "  -h, --help       show this help\n"
          "  --version        show the version\n"
          "\n"
          "Run `wasmgate COMMAND --help` for a command's options.\n");
}

bool cli_is_help(const char *s) {
  return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

int cli_usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wasmgate: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return CLI_EXIT_USAGE;
}

int cli_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wasmgate: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return CLI_EXIT_FAIL;
}

int cli_read_file(const char *path, size_t max_size, unsigned char **data,
                  size_t *len, char *err, size_t err_size) {
  *data = NULL;
  *len = 0;
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  if (!is_stdin) {
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
      snprintf(err, err_size, "%s is not a regular file", path);
      fclose(f);
      return -1;
    }
  }
  size_t alloc = 4096, n = 0;
  unsigned char *buf = malloc(alloc);
  int rc = -1;
  if (!buf) {
    snprintf(err, err_size, "out of memory");
    goto out;
  }
  for (;;) {
    if (n == alloc) {
      if (alloc > max_size) break;
      size_t next = alloc * 2;
      unsigned char *p = realloc(buf, next);
      if (!p) {
        snprintf(err, err_size, "out of memory");
        goto out;
      }
      buf = p;
      alloc = next;
    }
    size_t got = fread(buf + n, 1, alloc - n, f);
    n += got;
    if (got == 0) break;
    if (n > max_size) break;
  }
  if (ferror(f)) {
    snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
    goto out;
  }
  if (n > max_size) {
    snprintf(err, err_size, "%s is larger than the limit of %zu bytes", path,
             max_size);
    goto out;
  }
  *data = buf;
  *len = n;
  buf = NULL;
  rc = 0;
out:
  free(buf);
  if (!is_stdin) fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  cli_global g = {0};
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (cli_is_help(a)) {
      print_help(stdout);
      return CLI_EXIT_OK;
    }
    if (strcmp(a, "--version") == 0) {
      printf("wasmgate %s\n", WG_VERSION);
      return CLI_EXIT_OK;
    }
    if (strcmp(a, "--workspace") == 0 || strcmp(a, "--config") == 0) {
      if (i + 1 >= argc) return cli_usage_error("%s needs a value", a);
      if (a[2] == 'w') g.workspace = argv[++i];
      else g.config = argv[++i];
      continue;
    }
    if (a[0] == '-') return cli_usage_error("unknown option '%s' (see --help)", a);
    break;
  }
  if (i >= argc) {
    print_help(stderr);
    return CLI_EXIT_USAGE;
  }
  for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
    if (strcmp(argv[i], commands[c].name) == 0)
      return commands[c].fn(argc - i, argv + i, &g);
  }
  return cli_usage_error("unknown command '%s' (see --help)", argv[i]);
}
