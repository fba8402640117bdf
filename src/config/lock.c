/* lock.c: wasmgate.lock, yoi's "resolved plan" as a small, reviewable file
 * (docs/configuration.md#wasmgatelock):
 *
 *   version = 1
 *   [[plugin]]
 *   id = "project:echo"
 *   version = "1.0.0"
 *   digest = "sha256:<64 hex>"
 *   tools = ["Echo"]
 *
 * Parsing is as strict as the config: unknown keys, wrong types, a bad id
 * or digest, or an id listed twice are errors with line and column. The
 * file is written atomically (temp file in the same directory, fsync,
 * rename), entries in identity order, so `lock` twice gives the same bytes. */
#include "cfg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void wg_lock_free(wg_lock *lock) {
  for (size_t i = 0; i < lock->count; i++) {
    wg_lock_entry *e = &lock->entries[i];
    free(e->id);
    free(e->version);
    free(e->digest);
    for (size_t t = 0; t < e->tool_count; t++) free(e->tools[t]);
    free(e->tools);
  }
  free(lock->entries);
  memset(lock, 0, sizeof *lock);
}

const wg_lock_entry *wg_lock_find(const wg_lock *lock, const char *id) {
  for (size_t i = 0; lock && i < lock->count; i++)
    if (strcmp(lock->entries[i].id, id) == 0) return &lock->entries[i];
  return NULL;
}

static bool digest_well_formed(const char *d) {
  if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71) return false;
  for (const char *p = d + 7; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
  return true;
}

static int parse_entry(cfg_ctx *c, const wg_toml_value *v, const char *where,
                       const wg_lock *so_far, wg_lock_entry *e) {
  static const char *const keys[] = {"id", "version", "digest", "tools", NULL};
  const char *id = NULL, *version = NULL, *digest = NULL;
  const char **tools = NULL;
  size_t ntools = 0;
  if (v->type != WG_TOML_TABLE)
    return cfg_fail_code(c, WG_CONFIG_TYPE, v->pos.line, v->pos.column,
                         "`%s` must be a table", where);
  if (cfg_check_keys(c, v, keys, where) || cfg_require(c, v, "id", where) ||
      cfg_require(c, v, "version", where) || cfg_require(c, v, "digest", where) ||
      cfg_get_string(c, v, "id", where, &id) ||
      cfg_get_string(c, v, "version", where, &version) ||
      cfg_get_string(c, v, "digest", where, &digest) ||
      cfg_get_strings(c, v, "tools", where, &tools, &ntools))
    return -1;
  wg_source source;
  const char *local;
  const wg_toml_value *idv = wg_toml_get(v, "id");
  if (wg_parse_plugin_id(id, &source, &local) != WG_ID_OK)
    return cfg_fail_at(c, idv->pos.line, idv->pos.column,
                       "`%s.id` must be a source-qualified plugin id", where);
  if (wg_lock_find(so_far, id))
    return cfg_fail_at(c, idv->pos.line, idv->pos.column,
                       "`%s.id` is listed twice", where);
  if (!digest_well_formed(digest)) {
    const wg_toml_value *dv = wg_toml_get(v, "digest");
    return cfg_fail_at(c, dv->pos.line, dv->pos.column,
                       "`%s.digest` must be \"sha256:\" and 64 lowercase hex digits", where);
  }
  e->id = strdup(id);
  e->version = strdup(version);
  e->digest = strdup(digest);
  e->tools = calloc(ntools ? ntools : 1, sizeof *e->tools);
  bool ok = e->id && e->version && e->digest && e->tools;
  for (size_t i = 0; ok && i < ntools; i++) {
    e->tools[i] = strdup(tools[i]);
    ok = e->tools[i] != NULL;
    e->tool_count = i + 1;
  }
  return ok ? 0 : cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
}

wg_config_code wg_lock_parse(const char *text, size_t len, wg_lock *out,
                             wg_config_error *err) {
  static const char *const keys[] = {"version", "plugin", NULL};
  wg_config_error scratch;
  if (!err) err = &scratch;
  memset(err, 0, sizeof *err);
  memset(out, 0, sizeof *out);
  wg_toml_limits limits = wg_toml_default_limits();
  limits.max_size = WG_LOCK_MAX_FILE_SIZE;
  wg_toml_error terr;
  wg_toml_doc *doc = wg_toml_parse(text, len, &limits, &terr);
  if (!doc) {
    cfg_error_set(err, terr.code == WG_TOML_NOMEM ? WG_CONFIG_NOMEM : WG_CONFIG_TOML,
                  "invalid TOML: %s", terr.message);
    err->line = terr.line;
    err->column = terr.column;
    return err->code;
  }
  wg_arena arena;
  wg_arena_init(&arena, 0);
  cfg_ctx c = {.arena = &arena, .err = err, .text = text, .len = len};
  const wg_toml_value *root = wg_toml_root(doc), *arr = NULL;
  uint64_t version = 0;
  int rc = -1;
  if (cfg_check_keys(&c, root, keys, "") || cfg_require(&c, root, "version", "") ||
      cfg_get_u64(&c, root, "version", "", 1, 1, &version) ||
      cfg_get_array(&c, root, "plugin", "", &arr))
    goto out;
  size_t n = wg_toml_count(arr);
  out->entries = calloc(n ? n : 1, sizeof *out->entries);
  if (!out->entries) {
    cfg_fail_code(&c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
    goto out;
  }
  char w[CFG_WHERE_MAX];
  for (size_t i = 0; i < n; i++) {
    cfg_index(w, "plugin", i);
    int erc = parse_entry(&c, wg_toml_at(arr, i), w, out, &out->entries[i]);
    out->count = i + 1; /* a partly filled entry is freed too */
    if (erc) goto out;
  }
  rc = 0;
out:
  if (rc) wg_lock_free(out);
  wg_arena_free(&arena);
  wg_toml_free(doc);
  return rc ? cfg_failed_code(err) : WG_CONFIG_OK;
}

wg_config_code wg_lock_load(const char *path, wg_lock *out, wg_config_error *err) {
  wg_config_error scratch;
  if (!err) err = &scratch;
  memset(err, 0, sizeof *err);
  memset(out, 0, sizeof *out);
  char *text = NULL;
  size_t len = 0;
  int errnum = 0;
  if (cfg_read_file(path, WG_LOCK_MAX_FILE_SIZE, &text, &len, &errnum) != 0) {
    if (errnum == ENOENT) return WG_CONFIG_MISSING;
    char why[64];
    cfg_error_set(err, WG_CONFIG_IO, "cannot read lock file: %s",
             cfg_read_error_text(errnum, WG_LOCK_MAX_FILE_SIZE, why, sizeof why));
    return WG_CONFIG_IO;
  }
  wg_config_code rc = wg_lock_parse(text, len, out, err);
  free(text);
  return rc;
}

/* ---- building and writing ------------------------------------------------ */

static int cmp_entries(const void *a, const void *b) {
  return strcmp(((const wg_lock_entry *)a)->id, ((const wg_lock_entry *)b)->id);
}

wg_config_code wg_lock_from_resolution(const wg_resolution *r, wg_lock *out) {
  memset(out, 0, sizeof *out);
  out->entries = calloc(r->count ? r->count : 1, sizeof *out->entries);
  if (!out->entries) return WG_CONFIG_NOMEM;
  for (size_t i = 0; i < r->count; i++) {
    const wg_discovered *p = r->plugins[i].package;
    if (wg_lock_find(out, p->identity)) continue; /* enabled twice */
    wg_lock_entry *e = &out->entries[out->count++];
    const wg_manifest *m = p->manifest;
    e->id = strdup(p->identity);
    e->version = strdup(m->version);
    e->digest = strdup(p->digest);
    e->tools = calloc(m->tool_count ? m->tool_count : 1, sizeof *e->tools);
    if (!e->id || !e->version || !e->digest || !e->tools) goto oom;
    for (size_t t = 0; t < m->tool_count; t++) {
      e->tools[t] = strndup(m->tools[t].name, m->tools[t].name_len);
      if (!e->tools[t]) goto oom;
      e->tool_count = t + 1;
    }
  }
  qsort(out->entries, out->count, sizeof *out->entries, cmp_entries);
  return WG_CONFIG_OK;
oom:
  wg_lock_free(out);
  return WG_CONFIG_NOMEM;
}

/* A TOML basic string: quotes, backslashes and control characters escaped;
 * other UTF-8 is written as is. */
static bool put_string(wg_buf *b, const char *s) {
  wg_buf_append_char(b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') {
      wg_buf_append_char(b, '\\');
      wg_buf_append_char(b, (char)*p);
    } else if (*p < 0x20 || *p == 0x7f) {
      wg_buf_printf(b, "\\u%04X", *p);
    } else {
      wg_buf_append_char(b, (char)*p);
    }
  }
  return wg_buf_append_char(b, '"');
}

bool wg_lock_format(const wg_lock *lock, wg_buf *out) {
  wg_buf_append_str(out, "# wasmgate.lock: written by `wasmgate lock`. Review changes like code.\n"
                         "version = 1\n");
  for (size_t i = 0; i < lock->count; i++) {
    const wg_lock_entry *e = &lock->entries[i];
    wg_buf_append_str(out, "\n[[plugin]]\nid = ");
    put_string(out, e->id);
    wg_buf_append_str(out, "\nversion = ");
    put_string(out, e->version);
    wg_buf_append_str(out, "\ndigest = ");
    put_string(out, e->digest);
    wg_buf_append_str(out, "\ntools = [");
    for (size_t t = 0; t < e->tool_count; t++) {
      if (t) wg_buf_append_str(out, ", ");
      put_string(out, e->tools[t]);
    }
    wg_buf_append_str(out, "]\n");
  }
  return wg_buf_ok(out);
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

wg_config_code wg_lock_write(const wg_lock *lock, const char *path, wg_config_error *err) {
  wg_config_error scratch;
  if (!err) err = &scratch;
  memset(err, 0, sizeof *err);
  wg_buf text;
  wg_buf_init(&text, WG_LOCK_MAX_FILE_SIZE);
  char tmp[WG_CONFIG_PATH_MAX];
  int n = cfg_fmt(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
  int fd = -1, rc = -1;
  bool created = false;
  if (!wg_lock_format(lock, &text)) {
    char limit[WG_SIZE_TEXT_MAX];
    wg_size_text(limit, sizeof limit, WG_LOCK_MAX_FILE_SIZE);
    cfg_error_set(err, WG_CONFIG_IO, "lock file would exceed %s", limit);
    goto out;
  }
  if (n <= 0 || n >= (int)sizeof tmp) {
    cfg_error_set(err, WG_CONFIG_IO, "lock file path is too long");
    goto out;
  }
  fd = mkstemp(tmp);
  if (fd < 0) {
    cfg_error_set(err, WG_CONFIG_IO, "cannot create lock file: %s",
             strerror(errno));
    goto out;
  }
  created = true;
  if (fchmod(fd, 0644) != 0 || write_all(fd, text.data, text.len) != 0 ||
      fsync(fd) != 0) {
    cfg_error_set(err, WG_CONFIG_IO, "cannot write lock file: %s",
             strerror(errno));
    goto out;
  }
  if (close(fd) != 0 || (fd = -1, rename(tmp, path) != 0)) {
    fd = -1;
    cfg_error_set(err, WG_CONFIG_IO, "cannot write lock file: %s",
             strerror(errno));
    goto out;
  }
  rc = 0;
  created = false;
  /* Make the rename durable: fsync the directory (best effort). */
  char dir[WG_CONFIG_PATH_MAX];
  cfg_fmt(dir, sizeof dir, "%s", path);
  int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)fsync(dfd);
    close(dfd);
  }
out:
  if (fd >= 0) close(fd);
  if (created) unlink(tmp);
  wg_buf_free(&text);
  return rc ? cfg_failed_code(err) : WG_CONFIG_OK;
}
