/* config.c: wasmgate.toml. yoi's [[plugins.enabled]] and [feature.plugins]
 * exactly (yoi's schema, unknown keys refused), plus wasmgate's [limits],
 * [https], [secrets], [history] and [stores] (docs/configuration.md).
 *
 * Strict: an unknown key anywhere, a wrong type or a number out of range is
 * an error with the line and column where it is written. Values are not
 * interpreted beyond their shape: secrets are named, never read; paths are
 * kept as written (relative ones are relative to the workspace). */
#include "cfg_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bounds of [limits] (WG_CONFIG_MAX_*) and its defaults
 * (WG_RT_DEFAULT_*) are in limits.h; the minima are below, in
 * parse_limits. Every value means what it says: none is "unset" or
 * "default", and a value the runtime could not enforce exactly (0 table
 * elements, memory that is not whole pages) is refused here with its
 * position. */

static const char *const root_keys[] = {"plugins", "feature", "limits", "https",
                                        "secrets", "history", "stores", NULL};

static wg_config *config_new(void) {
  wg_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg) return NULL;
  cfg->priv = calloc(1, sizeof *cfg->priv);
  if (!cfg->priv) {
    free(cfg);
    return NULL;
  }
  wg_arena_init(&cfg->priv->arena, 0);
  cfg->limits = (wg_config_limits){.input_bytes = WG_RT_DEFAULT_MAX_INPUT,
                                    .output_bytes = WG_RT_DEFAULT_MAX_OUTPUT,
                                    .summary_bytes = WG_RT_DEFAULT_MAX_SUMMARY,
                                    .fuel = WG_RT_DEFAULT_FUEL,
                                    .timeout_ms = WG_RT_DEFAULT_TIMEOUT_MS,
                                    .memory_bytes = WG_RT_DEFAULT_MAX_MEMORY,
                                    .table_elements = WG_RT_DEFAULT_MAX_TABLE,
                                    .call_depth = WG_RT_DEFAULT_MAX_CALL_DEPTH};
  cfg->max_requests_per_call = WG_CONFIG_DEFAULT_REQUESTS_PER_CALL;
  cfg->https_timeout_ms = WG_HTTPS_DEFAULT_TIMEOUT_MS; /* [https] timeout_ms (https_client.c) */
  cfg->history_path = ".wasmgate/history.jsonl";
  cfg->history_fsync = WG_FSYNC_ALWAYS;
  return cfg;
}

void wg_config_free(wg_config *cfg) {
  if (!cfg) return;
  if (cfg->priv) {
    wg_toml_free(cfg->priv->doc);
    wg_arena_free(&cfg->priv->arena);
    free(cfg->priv);
  }
  free(cfg);
}

/* ---- [feature] ---------------------------------------------------------- */

static int parse_feature(cfg_ctx *c, const wg_toml_value *root, wg_config *cfg) {
  static const char *const keys[] = {"plugins", NULL};
  static const char *const plugin_keys[] = {"enabled", NULL};
  const wg_toml_value *feature = NULL, *plugins = NULL;
  if (cfg_get_table(c, root, "feature", "", &feature) || !feature)
    return c->failed ? -1 : 0;
  if (cfg_check_keys(c, feature, keys, "feature")) return -1;
  if (cfg_get_table(c, feature, "plugins", "feature", &plugins) || !plugins)
    return c->failed ? -1 : 0;
  if (cfg_check_keys(c, plugins, plugin_keys, "feature.plugins")) return -1;
  return cfg_get_bool(c, plugins, "enabled", "feature.plugins",
                      &cfg->plugins_feature_enabled);
}

/* ---- [limits] ----------------------------------------------------------- */

static int parse_limits(cfg_ctx *c, const wg_toml_value *root, wg_config *cfg) {
  static const char *const keys[] = {
      "input_bytes", "output_bytes", "summary_bytes", "fuel", "timeout_ms",
      "memory_bytes", "table_elements", "call_depth", NULL};
  const wg_toml_value *t = NULL;
  if (cfg_get_table(c, root, "limits", "", &t) || !t) return c->failed ? -1 : 0;
  if (cfg_check_keys(c, t, keys, "limits")) return -1;
  wg_config_limits *l = &cfg->limits;
  if (cfg_get_u64(c, t, "input_bytes", "limits", 2, WG_CONFIG_MAX_IO_BYTES, &l->input_bytes) ||
      cfg_get_u64(c, t, "output_bytes", "limits", 16, WG_CONFIG_MAX_OUTPUT_BYTES, &l->output_bytes) ||
      cfg_get_u64(c, t, "summary_bytes", "limits", 1, WG_CONFIG_MAX_IO_BYTES, &l->summary_bytes) ||
      cfg_get_u64(c, t, "fuel", "limits", 1, WG_CONFIG_MAX_FUEL, &l->fuel) ||
      cfg_get_u64(c, t, "timeout_ms", "limits", 1, WG_CONFIG_MAX_TIMEOUT_MS, &l->timeout_ms) ||
      cfg_get_u64(c, t, "memory_bytes", "limits", WG_WASM_PAGE_SIZE, WG_CONFIG_MAX_MEMORY_BYTES, &l->memory_bytes) ||
      cfg_get_u64(c, t, "table_elements", "limits", 1, WG_CONFIG_MAX_TABLE_ELEMENTS, &l->table_elements) ||
      cfg_get_u64(c, t, "call_depth", "limits", 1, WG_CONFIG_MAX_CALL_DEPTH, &l->call_depth))
    return -1;
  if (l->memory_bytes % WG_WASM_PAGE_SIZE != 0) {
    const wg_toml_value *v = wg_toml_get(t, "memory_bytes");
    return cfg_fail_code(c, WG_CONFIG_RANGE, v->pos.line, v->pos.column,
                         "`limits.memory_bytes` must be a multiple of 65536 (whole wasm pages)");
  }
  /* A summary longer than the whole output could never be produced. */
  if (l->summary_bytes > l->output_bytes) {
    const wg_toml_value *v = wg_toml_get(t, "summary_bytes");
    const wg_toml_pos p = v ? v->pos : t->pos;
    return cfg_fail_at(c, p.line, p.column,
                       "`limits.summary_bytes` must not exceed `limits.output_bytes`");
  }
  return 0;
}

/* ---- [secrets] ---------------------------------------------------------- */

/* Secret names appear in ${secret:NAME} and {{secret:NAME}}: keep them to
 * a plain identifier so the placeholders are unambiguous. */
static bool secret_name_valid(const char *s, size_t len) {
  if (len == 0 || len > 64) return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)s[i];
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
    if (!ok) return false;
  }
  return true;
}

static int parse_secret(cfg_ctx *c, const wg_toml_member *m,
                        wg_config_secret *out) {
  static const char *const keys[] = {"env", "file", NULL};
  char w[CFG_WHERE_MAX];
  cfg_join(w, "secrets", m->key);
  if (!secret_name_valid(m->key, m->key_len))
    return cfg_fail_at(c, m->key_pos.line, m->key_pos.column,
                       "secret name `%s` must be 1-64 letters, digits, '_', '-' or '.'",
                       w + strlen("secrets."));
  const wg_toml_value *v = m->value;
  if (v->type != WG_TOML_TABLE)
    return cfg_fail_code(c, WG_CONFIG_TYPE, v->pos.line, v->pos.column,
                         "`%s` must be a table: { env = \"VAR\" } or { file = \"path\" }", w);
  if (cfg_check_keys(c, v, keys, w)) return -1;
  out->name = m->key;
  if (cfg_get_string(c, v, "env", w, &out->env) ||
      cfg_get_string(c, v, "file", w, &out->file))
    return -1;
  if ((out->env == NULL) == (out->file == NULL))
    return cfg_fail_at(c, v->pos.line, v->pos.column,
                       "`%s` must have exactly one of `env` and `file`", w);
  const char *s = out->env ? out->env : out->file;
  if (!s[0])
    return cfg_fail_at(c, v->pos.line, v->pos.column,
                       "`%s` names an empty %s", w, out->env ? "variable" : "path");
  return 0;
}

static int parse_secrets(cfg_ctx *c, const wg_toml_value *root, wg_config *cfg) {
  const wg_toml_value *t = NULL;
  if (cfg_get_table(c, root, "secrets", "", &t) || !t) return c->failed ? -1 : 0;
  size_t n = wg_toml_count(t);
  cfg->secrets = wg_arena_array(c->arena, n ? n : 1, sizeof *cfg->secrets);
  if (!cfg->secrets) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
  for (size_t i = 0; i < n; i++)
    if (parse_secret(c, wg_toml_member_at(t, i), &cfg->secrets[i])) return -1;
  cfg->secret_count = n;
  return 0;
}

static bool secret_defined(const wg_config *cfg, const char *name, size_t len) {
  for (size_t i = 0; i < cfg->secret_count; i++)
    if (strlen(cfg->secrets[i].name) == len &&
        memcmp(cfg->secrets[i].name, name, len) == 0)
      return true;
  return false;
}

/* ---- [history], [stores] ------------------------------------------------ */

static int nonempty(cfg_ctx *c, const wg_toml_value *t, const char *key,
                    const char *where, const char *s) {
  if (!s || s[0]) return 0;
  const wg_toml_value *v = wg_toml_get(t, key);
  return cfg_fail_at(c, v->pos.line, v->pos.column,
                     "`%s.%s` must not be empty", where, key);
}

static int parse_history(cfg_ctx *c, const wg_toml_value *root, wg_config *cfg) {
  static const char *const keys[] = {"path", "fsync", NULL};
  const wg_toml_value *t = NULL;
  const char *fsync_mode = NULL;
  if (cfg_get_table(c, root, "history", "", &t) || !t) return c->failed ? -1 : 0;
  if (cfg_check_keys(c, t, keys, "history") ||
      cfg_get_string(c, t, "path", "history", &cfg->history_path) ||
      nonempty(c, t, "path", "history", cfg->history_path) ||
      cfg_get_string(c, t, "fsync", "history", &fsync_mode))
    return -1;
  if (!fsync_mode) return 0;
  if (strcmp(fsync_mode, "always") == 0) cfg->history_fsync = WG_FSYNC_ALWAYS;
  else if (strcmp(fsync_mode, "never") == 0) cfg->history_fsync = WG_FSYNC_NEVER;
  else {
    const wg_toml_value *v = wg_toml_get(t, "fsync");
    return cfg_fail_at(c, v->pos.line, v->pos.column,
                       "`history.fsync` must be \"always\" or \"never\"");
  }
  return 0;
}

static int parse_stores(cfg_ctx *c, const wg_toml_value *root, wg_config *cfg) {
  static const char *const keys[] = {"project", "user", NULL};
  const wg_toml_value *t = NULL;
  if (cfg_get_table(c, root, "stores", "", &t) || !t) return c->failed ? -1 : 0;
  if (cfg_check_keys(c, t, keys, "stores") ||
      cfg_get_string(c, t, "project", "stores", &cfg->project_store) ||
      nonempty(c, t, "project", "stores", cfg->project_store) ||
      cfg_get_string(c, t, "user", "stores", &cfg->user_store) ||
      nonempty(c, t, "user", "stores", cfg->user_store))
    return -1;
  return 0;
}

/* ---- [[plugins.enabled]] ------------------------------------------------ */

static int parse_surfaces(cfg_ctx *c, const wg_toml_value *t, const char *where,
                          unsigned *out) {
  const wg_toml_value *arr = NULL;
  char w[CFG_WHERE_MAX], wi[CFG_WHERE_MAX];
  if (cfg_get_array(c, t, "surfaces", where, &arr) || !arr)
    return c->failed ? -1 : 0;
  cfg_join(w, where, "surfaces");
  for (size_t i = 0; i < wg_toml_count(arr); i++) {
    const wg_toml_value *v = wg_toml_at(arr, i);
    const char *s;
    wg_surface surface;
    cfg_index(wi, w, i);
    if (cfg_string_value(c, v, wi, &s)) return -1;
    if (!wg_surface_parse(s, v->u.string.len, &surface))
      return cfg_fail_at(c, v->pos.line, v->pos.column,
                         "`%s` must be one of hook, tool, service, ingress, wasm", wi);
    *out |= 1u << surface;
  }
  return 0;
}

static int parse_permissions(cfg_ctx *c, const wg_toml_value *t,
                             const char *where, wg_config_grants *g) {
  const wg_toml_value *arr = NULL;
  char w[CFG_WHERE_MAX], wi[CFG_WHERE_MAX];
  if (cfg_get_array(c, t, "permissions", where, &arr) || !arr)
    return c->failed ? -1 : 0;
  cfg_join(w, where, "permissions");
  size_t n = wg_toml_count(arr);
  g->permissions = wg_arena_array(c->arena, n ? n : 1, sizeof *g->permissions);
  if (!g->permissions) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
  for (size_t i = 0; i < n; i++) {
    size_t off = 0;
    cfg_index(wi, w, i);
    wg_pkg_code code = wg_permission_from_toml(wg_toml_at(arr, i), c->arena,
                                               &g->permissions[i], &off);
    if (code == WG_PKG_IO) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
    if (code != WG_PKG_OK)
      return cfg_fail_offset(
          c, off,
          "`%s` is not a valid permission (kind = surface, tool, "
          "tool_namespace, external_write or host_api, with exactly that "
          "kind's keys)", wi);
  }
  g->permission_count = n;
  return 0;
}

static int parse_header(cfg_ctx *c, const wg_config *cfg, const wg_toml_value *v,
                        const char *where, wg_config_https_grant *g, size_t index) {
  wg_config_header *h = &g->headers[index];
  static const char *const keys[] = {"name", "value", NULL};
  if (v->type != WG_TOML_TABLE)
    return cfg_fail_code(c, WG_CONFIG_TYPE, v->pos.line, v->pos.column,
                         "`%s` must be a table { name, value }", where);
  if (cfg_check_keys(c, v, keys, where) || cfg_require(c, v, "name", where) ||
      cfg_require(c, v, "value", where) ||
      cfg_get_string(c, v, "name", where, &h->name) ||
      cfg_get_string(c, v, "value", where, &h->value))
    return -1;
  if (!h->name[0])
    return cfg_fail_at(c, v->pos.line, v->pos.column,
                       "`%s.name` must not be empty", where);
  /* Every ${secret:NAME} must name a [secrets] entry: a typo would
   * otherwise send the placeholder text itself. */
  for (const char *p = strstr(h->value, "${secret:"); p;
       p = strstr(p + 1, "${secret:")) {
    const char *name = p + strlen("${secret:");
    const char *end = strchr(name, '}');
    if (!end || !secret_defined(cfg, name, (size_t)(end - name))) {
      const wg_toml_value *val = wg_toml_get(v, "value");
      return cfg_fail_at(c, val->pos.line, val->pos.column,
                         "`%s.value` refers to a secret that is not defined in "
                         "[secrets]", where);
    }
  }
  return cfg_check_grant_header(c, v, where, g, index);
}

static int parse_https_grant(cfg_ctx *c, const wg_config *cfg,
                             const wg_toml_value *v, const char *where,
                             wg_config_https_grant *h) {
  static const char *const keys[] = {"host", "methods", "path_prefixes", "port",
                                     "max_redirects", "headers", "path_secrets",
                                     NULL};
  if (v->type != WG_TOML_TABLE)
    return cfg_fail_code(c, WG_CONFIG_TYPE, v->pos.line, v->pos.column,
                         "`%s` must be a table { host, methods, path_prefixes }", where);
  uint64_t port = 0, redirects = 0;
  if (cfg_check_keys(c, v, keys, where) || cfg_require(c, v, "host", where) ||
      cfg_get_string(c, v, "host", where, &h->host) ||
      cfg_get_strings(c, v, "methods", where, &h->methods, &h->method_count) ||
      cfg_get_strings(c, v, "path_prefixes", where, &h->path_prefixes,
                      &h->path_prefix_count) ||
      cfg_get_u64(c, v, "port", where, 1, 65535, &port) ||
      cfg_get_u64(c, v, "max_redirects", where, 0, WG_CONFIG_MAX_REDIRECTS, &redirects) ||
      cfg_get_strings(c, v, "path_secrets", where, &h->path_secrets,
                      &h->path_secret_count))
    return -1;
  h->has_port = wg_toml_get(v, "port") != NULL;
  h->port = (uint16_t)port;
  h->max_redirects = (uint32_t)redirects;
  for (size_t i = 0; i < h->path_secret_count; i++) {
    const char *s = h->path_secrets[i];
    if (secret_defined(cfg, s, strlen(s))) continue;
    const wg_toml_value *sv = wg_toml_at(wg_toml_get(v, "path_secrets"), i);
    return cfg_fail_at(c, sv->pos.line, sv->pos.column,
                       "`%s.path_secrets[%zu]` is not defined in [secrets]", where, i);
  }
  const wg_toml_value *arr = NULL;
  if (cfg_get_array(c, v, "headers", where, &arr)) return -1;
  size_t n = wg_toml_count(arr);
  h->headers = wg_arena_array(c->arena, n ? n : 1, sizeof *h->headers);
  if (!h->headers) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
  char w[CFG_WHERE_MAX], wi[CFG_WHERE_MAX];
  cfg_join(w, where, "headers");
  for (size_t i = 0; i < n; i++) {
    cfg_index(wi, w, i);
    if (parse_header(c, cfg, wg_toml_at(arr, i), wi, h, i)) return -1;
  }
  h->header_count = n;
  return cfg_check_https_grant(c, v, where, h);
}

static int parse_grants(cfg_ctx *c, const wg_config *cfg,
                        const wg_toml_value *entry, const char *where,
                        wg_config_grants *g) {
  static const char *const keys[] = {"id", "version", "digest", "permissions",
                                     "https", NULL};
  const wg_toml_value *t = NULL, *arr = NULL;
  char w[CFG_WHERE_MAX], wh[CFG_WHERE_MAX], wi[CFG_WHERE_MAX];
  if (cfg_get_table(c, entry, "grants", where, &t) || !t) return c->failed ? -1 : 0;
  cfg_join(w, where, "grants");
  if (cfg_check_keys(c, t, keys, w) || cfg_get_string(c, t, "id", w, &g->id) ||
      cfg_get_string(c, t, "version", w, &g->version) ||
      cfg_get_string(c, t, "digest", w, &g->digest) ||
      parse_permissions(c, t, w, g) || cfg_get_array(c, t, "https", w, &arr))
    return -1;
  size_t n = wg_toml_count(arr);
  g->https = wg_arena_array(c->arena, n ? n : 1, sizeof *g->https);
  if (!g->https) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
  cfg_join(wh, w, "https");
  for (size_t i = 0; i < n; i++) {
    cfg_index(wi, wh, i);
    if (parse_https_grant(c, cfg, wg_toml_at(arr, i), wi, &g->https[i])) return -1;
  }
  g->https_count = n;
  return 0;
}

static int parse_enabled_entry(cfg_ctx *c, const wg_config *cfg,
                               const wg_toml_value *v, const char *where,
                               wg_config_enabled *e) {
  static const char *const keys[] = {"id", "version", "digest", "surfaces",
                                     "grants", "config", NULL};
  if (v->type != WG_TOML_TABLE)
    return cfg_fail_code(c, WG_CONFIG_TYPE, v->pos.line, v->pos.column,
                         "`%s` must be a table", where);
  e->line = v->pos.line;
  e->column = v->pos.column;
  if (cfg_check_keys(c, v, keys, where) || cfg_get_string(c, v, "id", where, &e->id) ||
      cfg_get_string(c, v, "version", where, &e->version) ||
      cfg_get_string(c, v, "digest", where, &e->digest) ||
      parse_surfaces(c, v, where, &e->surfaces) ||
      parse_grants(c, cfg, v, where, &e->grants))
    return -1;
  e->config = wg_toml_get(v, "config");
  return 0;
}

static int parse_plugins(cfg_ctx *c, const wg_toml_value *root, wg_config *cfg) {
  static const char *const keys[] = {"enabled", NULL};
  const wg_toml_value *t = NULL, *arr = NULL;
  if (cfg_get_table(c, root, "plugins", "", &t) || !t) return c->failed ? -1 : 0;
  if (cfg_check_keys(c, t, keys, "plugins") ||
      cfg_get_array(c, t, "enabled", "plugins", &arr))
    return -1;
  size_t n = wg_toml_count(arr);
  cfg->enabled = wg_arena_array(c->arena, n ? n : 1, sizeof *cfg->enabled);
  if (!cfg->enabled) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
  char wi[CFG_WHERE_MAX];
  for (size_t i = 0; i < n; i++) {
    cfg_index(wi, "plugins.enabled", i);
    if (parse_enabled_entry(c, cfg, wg_toml_at(arr, i), wi, &cfg->enabled[i]))
      return -1;
  }
  cfg->enabled_count = n;
  return 0;
}

/* ---- entry points -------------------------------------------------------- */

wg_config *wg_config_parse(const char *text, size_t len, wg_config_error *err) {
  wg_config_error scratch;
  if (!err) err = &scratch;
  memset(err, 0, sizeof *err);
  wg_config *cfg = config_new();
  if (!cfg) {
    cfg_error_set(err, WG_CONFIG_NOMEM, "out of memory");
    return NULL;
  }
  wg_toml_limits limits = wg_toml_default_limits();
  limits.max_size = WG_CONFIG_MAX_FILE_SIZE;
  wg_toml_error terr;
  cfg->priv->doc = wg_toml_parse(text, len, &limits, &terr);
  if (!cfg->priv->doc) {
    cfg_error_set(err, terr.code == WG_TOML_NOMEM ? WG_CONFIG_NOMEM : WG_CONFIG_TOML,
                  "invalid TOML: %s", terr.message);
    err->line = terr.line;
    err->column = terr.column;
    wg_config_free(cfg);
    return NULL;
  }
  cfg_ctx c = {.arena = &cfg->priv->arena, .err = err, .text = text, .len = len};
  const wg_toml_value *root = wg_toml_root(cfg->priv->doc);
  /* [secrets] before [[plugins.enabled]]: grants refer to secret names. */
  if (cfg_check_keys(&c, root, root_keys, "") || parse_feature(&c, root, cfg) ||
      parse_limits(&c, root, cfg) || cfg_parse_https(&c, root, cfg) ||
      parse_secrets(&c, root, cfg) || parse_history(&c, root, cfg) ||
      parse_stores(&c, root, cfg) || parse_plugins(&c, root, cfg)) {
    wg_config_free(cfg);
    return NULL;
  }
  return cfg;
}

/* Follows a symlink (a config may be one) but never waits on a FIFO; a
 * directory is EISDIR, any other non-regular file CFG_ENOTREG. */
static int read_small_file(const char *path, size_t max, char **data,
                           size_t *len, int *errnum) {
  uint8_t *buf = NULL;
  wg_read_code st = wg_read_file(path, max, WG_READ_NONBLOCK | WG_READ_REGULAR,
                                 &buf, len, errnum);
  if (st == WG_READ_NOT_REGULAR) *errnum = CFG_ENOTREG;
  if (st != WG_READ_OK) return -1;
  *data = (char *)buf;
  return 0;
}

const char *cfg_read_error_text(int errnum, size_t max, char *buf,
                                size_t size) {
  if (errnum == EFBIG) {
    char n[WG_SIZE_TEXT_MAX];
    wg_size_text(n, sizeof n, max);
    snprintf(buf, size, "larger than %s", n);
    return buf;
  }
  if (errnum == CFG_ENOTREG) return "not a regular file";
  return strerror(errnum);
}

int cfg_read_file(const char *path, size_t max, char **data, size_t *len,
                  int *errnum) {
  return read_small_file(path, max, data, len, errnum);
}

wg_config *wg_config_load(const char *path, bool must_exist,
                          wg_config_error *err) {
  wg_config_error scratch;
  if (!err) err = &scratch;
  memset(err, 0, sizeof *err);
  char *text = NULL;
  size_t len = 0;
  int errnum = 0;
  if (read_small_file(path, WG_CONFIG_MAX_FILE_SIZE, &text, &len, &errnum) != 0) {
    if (errnum == ENOENT && !must_exist) return config_new();
    char why[64];
    cfg_error_set(err, errnum == ENOMEM ? WG_CONFIG_NOMEM : WG_CONFIG_IO, "cannot read config: %s",
             cfg_read_error_text(errnum, WG_CONFIG_MAX_FILE_SIZE, why, sizeof why));
    return NULL;
  }
  wg_config *cfg = wg_config_parse(text, len, err);
  free(text);
  return cfg;
}
