/* cli_plugins.c: what the workspace commands (`list`, `show`, `lock`,
 * `explain-url`, `serve`) share: the workspace, config, stores, discovery,
 * lock file and resolution, their error messages, and printing untrusted
 * text (manifest strings) safely on a terminal. */
#include "cli_plugins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int located(const char *file, const wg_config_error *e) {
  if (e->line)
    return cli_fail("%s:%u:%u: %s", file, e->line, e->column, e->message);
  return cli_fail("%s: %s", file, e->message);
}

int cli_plugin_set_error(wg_plugin_set_code st, const char *workspace,
                         const char *config, const wg_config_error *err) {
  switch (st) {
  case WG_PLUGIN_SET_WORKSPACE:
    return cli_fail("workspace `%s`: %s", workspace ? workspace : ".", err->message);
  case WG_PLUGIN_SET_CONFIG: return located(config ? config : "wasmgate.toml", err);
  case WG_PLUGIN_SET_LOCK: return located("wasmgate.lock", err);
  default: return cli_fail("%s", err->message);
  }
}

/* shown_config: the --config text as the user wrote it, for messages. */
static int load(const wg_plugin_set_options *so, const char *shown_config, cli_plugins *p) {
  memset(p, 0, sizeof *p);
  wg_config_error err;
  wg_plugin_set set;
  wg_plugin_set_code st = wg_plugin_set_load(so, &set, &err);
  /* Heap pointers move with the fields: resolution stays valid. */
  cli_str(p->workspace, sizeof p->workspace, set.workspace);
  cli_str(p->lock_path, sizeof p->lock_path, set.lock_path);
  p->cfg = set.cfg;
  p->stores = set.stores;
  p->disc = set.disc;
  p->lock = set.lock;
  p->has_lock = set.has_lock;
  p->res = set.res;
  if (st == WG_PLUGIN_SET_OK) return CLI_EXIT_OK;
  return cli_plugin_set_error(st, so->workspace, shown_config, &err);
}

int cli_plugins_open(const cli_args *a, bool use_lock, cli_plugins *p) {
  wg_plugin_set_options so = {
      .workspace = a->workspace,
      .config_path = a->config,
      .project_store = a->project_store,
      .user_store = a->user_store,
      .ignore_lock = !use_lock,
  };
  return load(&so, a->config_arg, p);
}

int cli_workspace_open(const cli_args *a, wg_workspace **ws) {
  wg_workspace_options wo = {
    .workspace = a->workspace,
    .config_path = a->config,
    .project_store = a->project_store,
    .user_store = a->user_store,
  };
  wg_config_error err;
  *ws = NULL;
  wg_plugin_set_code st = wg_workspace_open(&wo, ws, &err);
  if (st == WG_PLUGIN_SET_OK) return CLI_EXIT_OK;
  return cli_plugin_set_error(st, a->workspace, a->config_arg, &err);
}

int cli_ref_error(const char *ref, bool ambiguous, int exit_code) {
  char shown[81];
  size_t n = 0;
  for (const char *s = ref; *s && n < 80; s++)
    shown[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
  shown[n] = '\0';
  if (ambiguous)
    fprintf(stderr, "wasmgate: plugin package reference `%s` is ambiguous; use a "
                    "source-qualified ref\n", shown);
  else
    fprintf(stderr, "wasmgate: plugin package `%s` was not found\n", shown);
  return exit_code;
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
 * serde_json's pretty printer does: "key": value, empty [] and {} kept.
 * Inside strings, C1 and bidi controls are written as \uXXXX (the same
 * JSON value, safe on a terminal). */
void cli_print_json_pretty(FILE *f, const char *s, size_t len) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (in_string) {
      uint32_t cp;
      size_t k = (unsigned char)c >= 0x80 ? wg_utf8_decode((const uint8_t *)s + i, len - i, &cp) : 0;
      if (k && wg_json_terminal_unsafe(cp)) {
        fprintf(f, "\\u%04x", (unsigned)cp);
        i += k - 1;
        continue;
      }
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
