/* cli_lock.c: `wasmgate lock [--check]`: resolves the enabled plugins
 * afresh (ignoring any existing lock) and writes WORKSPACE/wasmgate.lock
 * atomically: id, version, digest and tool names per resolved plugin. If any
 * enabled entry fails to resolve, nothing is written: a lock that silently
 * left a plugin out would not be a reviewable record. --check writes
 * nothing and exits 1 if the lock file is missing or differs. */
#include "cli_plugins.h"

#include <stdlib.h>
#include <string.h>

static void print_diag(const wg_plugin_diag *d) {
  fprintf(stderr, "wasmgate: [%s/%s] ", wg_pkg_code_name(d->kind),
          wg_pkg_phase_name(d->phase));
  if (d->identity[0]) {
    cli_print_safe_str(stderr, d->identity);
    fputs(": ", stderr);
  } else if (d->package[0]) {
    cli_print_safe_str(stderr, d->package);
    fputs(": ", stderr);
  }
  cli_print_safe_str(stderr, d->message);
  fputc('\n', stderr);
}

/* 0 if the file holds exactly `text`, 1 if it differs, is missing or is
 * not a regular file (opened non-blocking: a FIFO never hangs us). A file
 * longer than text differs, so text->len bounds the read. */
static int compare_file(const char *path, const wg_buf *text) {
  uint8_t *data = NULL;
  size_t len = 0;
  wg_read_code st = wg_read_file(path, text->len, WG_READ_NONBLOCK | WG_READ_REGULAR,
                                 &data, &len, NULL);
  int same = st == WG_READ_OK && len == text->len &&
             (len == 0 || memcmp(data, text->data, len) == 0);
  free(data);
  return same ? 0 : 1;
}

static int lock_run(cli_plugins *p, bool check) {
  for (size_t i = 0; i < p->disc.diag_count; i++) print_diag(&p->disc.diags[i]);
  if (p->res.diag_count > 0) {
    for (size_t i = 0; i < p->res.diag_count; i++) print_diag(&p->res.diags[i]);
    return cli_fail("%zu enabled plugin(s) did not resolve; wasmgate.lock not written",
                    p->res.diag_count);
  }
  wg_lock lock;
  if (wg_lock_from_resolution(&p->res, &lock) != 0) return cli_fail("out of memory");
  int rc = CLI_EXIT_OK;
  if (check) {
    wg_buf text;
    wg_buf_init(&text, 0);
    if (!wg_lock_format(&lock, &text)) rc = cli_fail("out of memory");
    else if (compare_file(p->lock_path, &text) != 0)
      rc = cli_fail("wasmgate.lock is missing or out of date; run `wasmgate lock`");
    else printf("wasmgate.lock is up to date (%zu plugin(s))\n", lock.count);
    wg_buf_free(&text);
  } else {
    wg_config_error err;
    if (wg_lock_write(&lock, p->lock_path, &err) != 0) rc = cli_fail("%s", err.message);
    else printf("wrote wasmgate.lock (%zu plugin(s))\n", lock.count);
  }
  wg_lock_free(&lock);
  return rc;
}

static int lock_cmd(const cli_args *a) {
  cli_plugins p;
  int rc = cli_plugins_open(a, false, &p);
  if (rc == CLI_EXIT_OK) rc = lock_run(&p, cli_flag(a, "check"));
  cli_plugins_free(&p);
  return rc;
}

static const cli_opt lock_opts[] = {
  {"check", 0, CLI_OPT_FLAG, NULL, "write nothing; exit 1 if wasmgate.lock is missing or stale",
   false},
  {0},
};

const cli_spec cli_lock_spec = {
  .name = "lock",
  .synopsis = "lock [--check]",
  .summary = "write wasmgate.lock (identity, version, digest, tools)",
  .description =
      "Writes WORKSPACE/wasmgate.lock: identity, version, digest and tool\n"
      "names of every resolved plugin. Later commands use it: a package whose\n"
      "digest differs is refused, nothing newer is picked up silently.",
  .options = lock_opts,
  .globals = CLI_G_ALL,
  .run = lock_cmd,
};
