/* cli_plugins.c: what `list`, `show` and `lock` share: their options, the
 * workspace, config, stores, discovery, lock file and resolution, and
 * printing untrusted text (manifest strings) safely on a terminal. */
#include "cli_plugins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "--name VALUE" or "--name=VALUE"; advances *i past what it used. */
static int opt_value(int argc, char **argv, int *i, const char *name,
                     const char **out, bool *matched) {
  size_t n = strlen(name);
  const char *a = argv[*i];
  *matched = false;
  if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '=')) return 0;
  *matched = true;
  if (a[n] == '=') {
    *out = a + n + 1;
  } else {
    if (*i + 1 >= argc) return cli_usage_error("%s needs a value", name);
    *out = argv[++*i];
  }
  if (!**out) return cli_usage_error("%s needs a non-empty value", name);
  return 0;
}

int cli_plugin_opts_parse(int argc, char **argv, int max_positional,
                          cli_plugin_opts *o) {
  memset(o, 0, sizeof *o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool m;
    if (cli_is_help(a)) {
      o->help = true;
      return 0;
    }
    if (strcmp(a, "--json") == 0) {
      o->json = true;
      continue;
    }
    if (opt_value(argc, argv, &i, "--workspace", &o->workspace, &m)) return CLI_EXIT_USAGE;
    if (m) continue;
    if (opt_value(argc, argv, &i, "--project-store", &o->project_store, &m)) return CLI_EXIT_USAGE;
    if (m) continue;
    if (opt_value(argc, argv, &i, "--user-store", &o->user_store, &m)) return CLI_EXIT_USAGE;
    if (m) continue;
    if (a[0] == '-' && a[1]) return cli_usage_error("unknown option '%s' (see --help)", a);
    if (o->positional_count >= max_positional)
      return cli_usage_error("unexpected argument (see --help)");
    o->positional[o->positional_count++] = a;
  }
  return 0;
}

static int located(const char *file, const wg_config_error *e) {
  if (e->line)
    return cli_fail("%s:%u:%u: %s", file, e->line, e->column, e->message);
  return cli_fail("%s: %s", file, e->message);
}

int cli_plugins_load(const cli_global *g, const cli_plugin_opts *o,
                     bool use_lock, cli_plugins *p) {
  memset(p, 0, sizeof *p);
  wg_plugin_set_options so = {
      .workspace = o->workspace ? o->workspace : g->workspace,
      .config_path = g->config,
      .project_store = o->project_store,
      .user_store = o->user_store,
      .ignore_lock = !use_lock,
  };
  wg_config_error err;
  wg_plugin_set set;
  wg_plugin_set_status st = wg_plugin_set_load(&so, &set, &err);
  /* Heap pointers move with the fields: resolution stays valid. */
  cli_str(p->workspace, sizeof p->workspace, set.workspace);
  cli_str(p->lock_path, sizeof p->lock_path, set.lock_path);
  p->cfg = set.cfg;
  p->stores = set.stores;
  p->disc = set.disc;
  p->lock = set.lock;
  p->has_lock = set.has_lock;
  p->res = set.res;
  switch (st) {
  case WG_SET_OK: return CLI_EXIT_OK;
  case WG_SET_WORKSPACE:
    return cli_fail("workspace `%s`: %s", so.workspace ? so.workspace : ".", err.message);
  case WG_SET_CONFIG: return located(g->config ? g->config : "wasmgate.toml", &err);
  case WG_SET_LOCK: return located("wasmgate.lock", &err);
  default: return cli_fail("%s", err.message);
  }
}

void cli_plugins_free(cli_plugins *p) {
  wg_inspection_free(&p->insp);
  wg_resolution_free(&p->res);
  wg_lock_free(&p->lock);
  wg_discovery_free(&p->disc);
  wg_config_free(p->cfg);
  memset(p, 0, sizeof *p);
}

void cli_str(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* Manifest text reaches the terminal here: control characters (C0, DEL,
 * C1) and invalid UTF-8 become '?', so a package cannot move the cursor or
 * rewrite earlier lines. */
void cli_print_safe(FILE *f, const char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    size_t n = wg_utf8_decode((const uint8_t *)s + i, len - i, &cp);
    if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
      fputc('?', f);
      i += n ? n : 1;
      continue;
    }
    fwrite(s + i, 1, n, f);
    i += n;
  }
}

void cli_print_safe_str(FILE *f, const char *s) {
  if (!s) fputs("<unknown>", f);
  else cli_print_safe(f, s, strlen(s));
}

/* Re-indents compact JSON (from wg_json_writer) two spaces per level, as
 * serde_json's pretty printer does: "key": value, empty [] and {} kept. */
void cli_print_json_pretty(FILE *f, const char *s, size_t len) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (in_string) {
      fputc(c, f);
      if (c == '\\' && i + 1 < len) fputc(s[++i], f);
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
    case '"':
      in_string = true;
      fputc(c, f);
      break;
    case '{':
    case '[':
      if (i + 1 < len && (s[i + 1] == '}' || s[i + 1] == ']')) {
        fputc(c, f);
        fputc(s[++i], f);
        break;
      }
      fputc(c, f);
      depth++;
      fprintf(f, "\n%*s", (int)(depth * 2), "");
      break;
    case '}':
    case ']':
      depth = depth ? depth - 1 : 0;
      fprintf(f, "\n%*s%c", (int)(depth * 2), "", c);
      break;
    case ',':
      fprintf(f, ",\n%*s", (int)(depth * 2), "");
      break;
    case ':':
      fputs(": ", f);
      break;
    default:
      fputc(c, f);
    }
  }
  fputc('\n', f);
}
