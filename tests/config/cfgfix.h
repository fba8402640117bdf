/* cfgfix.h: fixtures for the config tests: a temp root with a user and a
 * project store, packages written as directories or stored ZIPs (via the
 * package layer's own writer), manifests from a template, and recursive
 * removal that never follows symlinks. */
#ifndef WG_TEST_CFGFIX_H
#define WG_TEST_CFGFIX_H

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasmgate/config.h"
#include "wasmgate/inspect.h"
#include "wasmgate/plugins.h"

typedef struct cfix {
  char root[128];
  char user[192], project[192];
  wg_plugin_stores stores;
} cfix;

static inline void cfix_path(char out[512], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void cfix_path(char out[512], const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out, 512, fmt, ap);
  va_end(ap);
}

static inline int cfix_rm_one(const char *p, const struct stat *st, int flag,
                              struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (flag == FTW_DP) rmdir(p);
  else unlink(p);
  return 0;
}

static inline void cfix_init(cfix *f) {
  snprintf(f->root, sizeof f->root, "/tmp/wg-cfgtest-XXXXXX");
  if (!mkdtemp(f->root)) {
    perror("mkdtemp");
    exit(2);
  }
  snprintf(f->user, sizeof f->user, "%s/user", f->root);
  snprintf(f->project, sizeof f->project, "%s/project", f->root);
  mkdir(f->user, 0755);
  mkdir(f->project, 0755);
  memset(&f->stores, 0, sizeof f->stores);
  snprintf(f->stores.user, sizeof f->stores.user, "%s", f->user);
  snprintf(f->stores.project, sizeof f->stores.project, "%s", f->project);
  f->stores.has_user = true;
}

static inline void cfix_free(cfix *f) {
  nftw(f->root, cfix_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline int cfix_write(const char *path, const char *text) {
  FILE *fp = fopen(path, "wb");
  if (!fp) return -1;
  fputs(text, fp);
  return fclose(fp);
}

/* A manifest: id, version, then `extra` TOML (top-level keys first, then
 * tables). Declares tools Echo (and whatever extra adds). */
static inline void cfix_manifest(char *out, size_t cap, const char *id,
                                 const char *version, const char *extra) {
  snprintf(out, cap,
           "schema_version = 1\n"
           "id = \"%s\"\n"
           "name = \"Plugin %s\"\n"
           "version = \"%s\"\n"
           "%s",
           id, id, version, extra);
}

/* The usual tool plugin: surfaces.tool + tool.Echo requested, runtime wasm. */
#define CFIX_ECHO_EXTRA                                                     \
  "permissions = [ { kind = \"surface\", surface = \"tool\" }, "           \
  "{ kind = \"tool\", name = \"Echo\" } ]\n"                                 \
  "[runtime]\nkind = \"wasm\"\nentry = \"plugin.wasm\"\n"                    \
  "abi = \"yoi-plugin-wasm-1\"\n"                                           \
  "[[tools]]\nname = \"Echo\"\ndescription = \"Echo\"\n"                    \
  "input_schema = { type = \"object\" }\n"

/* Writes a package NAME.yoi-plugin into `store` holding plugin.toml =
 * manifest and plugin.wasm; as a stored ZIP when zip is true, else as a
 * directory package. Returns 0 on success. */
static inline int cfix_package(const char *store, const char *name,
                               const char *manifest, bool zip) {
  char dir[512], p[512];
  if (zip) cfix_path(dir, "%s/.stage-%s", store, name);
  else cfix_path(dir, "%s/%s.yoi-plugin", store, name);
  if (mkdir(dir, 0755) != 0) return -1;
  cfix_path(p, "%s/plugin.toml", dir);
  /* A ZIP without plugin.toml: written with one, then renamed in place. */
  if ((manifest || zip) && cfix_write(p, manifest ? manifest : "x") != 0) return -1;
  cfix_path(p, "%s/plugin.wasm", dir);
  if (cfix_write(p, "not wasm") != 0) return -1;
  if (!zip) return 0;
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  if (wg_pkg_open_dir(dir, NULL, &pkg, &d) != 0) return -1;
  wg_buf b;
  wg_buf_init(&b, 0);
  bool ok = wg_pkg_write_zip(pkg, &b);
  wg_pkg_free(pkg);
  for (size_t i = 0; ok && !manifest && i + 11 <= b.len; i++)
    if (memcmp(b.data + i, "plugin.toml", 11) == 0) b.data[i + 10] = 'x';
  cfix_path(p, "%s/%s.yoi-plugin", store, name);
  FILE *fp = ok ? fopen(p, "wb") : NULL;
  if (fp) {
    fwrite(b.data, 1, b.len, fp);
    fclose(fp);
  }
  wg_buf_free(&b);
  nftw(dir, cfix_rm_one, 16, FTW_DEPTH | FTW_PHYS);
  return fp ? 0 : -1;
}

/* The common case: a valid echo plugin. */
static inline int cfix_echo(const char *store, const char *name, const char *id,
                            const char *version, bool zip) {
  char m[4096];
  cfix_manifest(m, sizeof m, id, version, CFIX_ECHO_EXTRA);
  return cfix_package(store, name, m, zip);
}

#endif
