/* workspace.c: the audit-first call API (runtime.h, "Workspace"): one
 * object owning a workspace's plugin set, registry, module cache, limits
 * and history path, and the call that records itself before it runs.
 *
 * Invariants: after wg_workspace_open nothing in the workspace is written
 * (the module cache locks itself), so calls from many threads share it.
 * Each call opens the history file itself (O_APPEND, flock per record):
 * no descriptor is shared between threads, and a log rotated by an
 * operator is simply re-created. A call whose tool_call record was not
 * written never reaches the schema, the package or the guest. */
#include "rt_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct wg_workspace {
  wg_plugin_set set;
  wg_registry reg;
  wg_module_cache *cache;
  wg_call_limits limits;
  char history_path[WG_CONFIG_PATH_MAX];
  bool history_fsync;
};

/* Compiled modules kept per workspace: a server calls a handful of
 * plugins; 64 bounds the memory a long tail of them can pin. */
enum { WS_MODULE_CACHE_ENTRIES = 64 };

wg_plugin_set_code wg_workspace_open(const wg_workspace_options *opts,
                                     wg_workspace **out,
                                     wg_config_error *err) {
  wg_config_error scratch;
  if (!err) err = &scratch;
  *out = NULL;
  wg_workspace *ws = calloc(1, sizeof *ws);
  if (!ws) {
    memset(err, 0, sizeof *err);
    err->code = WG_CONFIG_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    return WG_PLUGIN_SET_NOMEM;
  }
  wg_workspace_options none = {0};
  if (!opts) opts = &none;
  wg_plugin_set_options so = {
    .workspace = opts->workspace,
    .config_path = opts->config_path,
    .project_store = opts->project_store,
    .user_store = opts->user_store,
    .digest_cache = true,
  };
  wg_plugin_set_code st = wg_plugin_set_load(&so, &ws->set, err);
  if (st == WG_PLUGIN_SET_OK && !wg_history_path(ws->set.workspace, ws->set.cfg, ws->history_path,
                                          sizeof ws->history_path)) {
    memset(err, 0, sizeof *err);
    err->code = WG_CONFIG_INVALID;
    snprintf(err->message, sizeof err->message, "`history.path` is too long");
    st = WG_PLUGIN_SET_CONFIG;
  }
  if (st == WG_PLUGIN_SET_OK &&
      (!wg_registry_build_set(&ws->set, opts->reserved, opts->reserved_count, &ws->reg) ||
       /* [https] ca_file and [secrets] file paths are relative to the workspace */
       !wg_registry_set_base_dir(&ws->reg, ws->set.workspace) ||
       !(ws->cache = wg_module_cache_new(WS_MODULE_CACHE_ENTRIES)))) {
    memset(err, 0, sizeof *err);
    err->code = WG_CONFIG_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    st = WG_PLUGIN_SET_NOMEM;
  }
  if (st != WG_PLUGIN_SET_OK) {
    wg_workspace_close(ws);
    return st;
  }
  ws->limits = wg_call_limits_from_config(&ws->set.cfg->limits);
  ws->history_fsync = ws->set.cfg->history_fsync == WG_FSYNC_ALWAYS;
  *out = ws;
  return WG_PLUGIN_SET_OK;
}

void wg_workspace_close(wg_workspace *ws) {
  if (!ws) return;
  wg_module_cache_free(ws->cache);
  wg_registry_free(&ws->reg);
  wg_plugin_set_free(&ws->set);
  free(ws);
}

const wg_registry *wg_workspace_registry(const wg_workspace *ws) { return &ws->reg; }
const wg_plugin_set *wg_workspace_plugins(const wg_workspace *ws) { return &ws->set; }
const wg_config *wg_workspace_config(const wg_workspace *ws) { return ws->set.cfg; }
const wg_call_limits *wg_workspace_limits(const wg_workspace *ws) { return &ws->limits; }
const char *wg_workspace_dir(const wg_workspace *ws) { return ws->set.workspace; }
const char *wg_workspace_history_path(const wg_workspace *ws) { return ws->history_path; }

/* ---- The audit trail of one call ------------------------------------------ */

typedef struct audit {
  const wg_workspace *ws;
  const char *call_id;
  const char *tool;
  const wg_history_origin *origin; /* NULL for an unknown tool */
  wg_history *h;
  bool call_written;
  char err[160];
} audit;

/* Creates the missing directories above the history file (0700), as
 * `mkdir -p` would; an existing one is left as it is. */
static void make_parents(const char *path) {
  char dir[WG_CONFIG_PATH_MAX];
  snprintf(dir, sizeof dir, "%s", path);
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return; /* open reports it */
    *p = '/';
  }
}

static bool audit_open(audit *a) {
  make_parents(a->ws->history_path);
  wg_history_options ho = {.fsync = a->ws->history_fsync};
  a->h = wg_history_open(a->ws->history_path, &ho, a->err, sizeof a->err);
  return a->h != NULL;
}

/* wg_call's before_run hook: the tool_call record, or the call fails. */
static bool audit_call(void *ctx, const wg_call_result *partial, wg_error *e) {
  audit *a = ctx;
  if (!audit_open(a) ||
      !wg_history_append_tool_call(a->h, a->call_id, a->tool, a->origin, partial, a->err,
                                   sizeof a->err)) {
    wg_error_set(e, WG_ERR_INTERNAL,
                 "the call was not run: its tool_call record could not be written to the "
                 "history: %s", a->err);
    return false;
  }
  a->call_written = true;
  return true;
}

/* After the call: the tool_result record and the audit outcome. */
static void audit_finish(audit *a, wg_call_result *out) {
  snprintf(out->call_id, sizeof out->call_id, "%s", a->call_id);
  if (!a->call_written) {
    snprintf(out->history_error, sizeof out->history_error,
             "the tool_call record could not be written: %s", a->err);
  } else if (!wg_history_append_tool_result(a->h, a->call_id, a->origin, out, a->err,
                                            sizeof a->err)) {
    snprintf(out->history_error, sizeof out->history_error,
             "the tool_result record could not be written: %s", a->err);
  } else {
    out->recorded = true;
  }
  wg_history_close(a->h);
  a->h = NULL;
}

/* ---- Calls ------------------------------------------------------------------ */

/* A caller's call id goes into history as it is: keep it short and plain. */
static bool valid_call_id(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n > WG_CALL_ID_MAX) return false;
  for (size_t i = 0; i < n; i++) {
    char c = id[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

static uint64_t unix_now_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* The canonical arguments of a call that never reaches wg_call, so its
 * tool_call record still says what was asked (NULL if not valid JSON). */
static void best_effort_arguments(const char *input, size_t len, size_t max_input,
                                  wg_call_result *out) {
  if (!input || len > max_input) return;
  wg_json_limits jl = {.max_depth = max_input + 1, .max_size = max_input + 1};
  wg_buf canon;
  wg_buf_init(&canon, len * 6 + 16);
  wg_json_error je;
  if (wg_json_canonicalize(input, len, &jl, &canon, &je) == WG_JSON_OK && canon.len &&
      canon.data[0] == '{')
    out->arguments = wg_buf_take(&canon, &out->arguments_len);
  wg_buf_free(&canon);
}

static wg_err call_unknown(wg_workspace *ws, audit *a, const char *tool, const char *input,
                           size_t len, wg_call_result *out) {
  out->stats.started_unix_ns = unix_now_ns();
  uint64_t t0 = wg_now_ns();
  wg_error_set_origin(&out->error, tool, "", "");
  best_effort_arguments(input, len, ws->limits.max_input_bytes, out);
  if (audit_call(a, out, &out->error)) {
    char why[WG_ERROR_MESSAGE_MAX];
    wg_workspace_explain_unknown(ws, tool, why, sizeof why);
    wg_error_set(&out->error, WG_ERR_UNKNOWN_TOOL, "no registered tool has this name%s%s",
                 why[0] ? "; " : "", why);
  }
  out->stats.wall_ns = wg_now_ns() - t0;
  return rt_fail_early(&ws->limits, out);
}

wg_err wg_workspace_call(wg_workspace *ws, const char *tool, const char *input,
                         size_t len, wg_cancel *cancel, const char *call_id,
                         wg_call_result *out) {
  memset(out, 0, sizeof *out);
  char id[WG_CALL_ID_MAX + 1];
  if (!call_id) {
    wg_history_new_call_id(id);
    call_id = id;
  } else if (!valid_call_id(call_id)) {
    wg_error_set_origin(&out->error, tool ? tool : "", "", "");
    wg_error_set(&out->error, WG_ERR_INVALID_INPUT,
                 "call id must be 1 to %d characters of [A-Za-z0-9._:-]", WG_CALL_ID_MAX);
    snprintf(out->history_error, sizeof out->history_error,
             "nothing was recorded: the call id is not valid");
    return rt_fail_early(&ws->limits, out);
  }
  if (!tool) tool = "";
  const wg_tool *t = wg_registry_find(&ws->reg, tool);
  wg_history_origin origin = {t ? t->ref : NULL, t ? t->version : NULL, t ? t->digest : NULL};
  audit a = {.ws = ws, .call_id = call_id, .tool = tool, .origin = t ? &origin : NULL};
  if (!t) {
    call_unknown(ws, &a, tool, input, len, out);
  } else {
    rt_load_ctx lc;
    wg_call_request req;
    rt_tool_request(t, ws->cache, input, len, &ws->limits, cancel, &lc, &req);
    req.before_run = audit_call;
    req.before_run_ctx = &a;
    wg_call(&req, out);
  }
  audit_finish(&a, out);
  return out->error.code;
}

/* ---- Why a tool is missing ------------------------------------------------ */

static bool declares_tool(const wg_manifest *m, const char *tool) {
  size_t n = strlen(tool);
  for (size_t i = 0; m && i < m->tool_count; i++)
    if (m->tools[i].name_len == n && memcmp(m->tools[i].name, tool, n) == 0) return true;
  return false;
}

/* A rejected enabled plugin whose package declares `tool`, or NULL. */
static const wg_plugin_diag *rejected_declaring(const wg_plugin_set *set, const char *tool) {
  for (size_t i = 0; i < set->res.diag_count; i++) {
    const wg_plugin_diag *d = &set->res.diags[i];
    for (size_t k = 0; k < set->disc.count; k++) {
      const wg_discovered *p = &set->disc.packages[k];
      if (strcmp(p->identity, d->identity) == 0 && declares_tool(p->manifest, tool)) return d;
    }
  }
  return NULL;
}

void wg_workspace_explain_unknown(const wg_workspace *ws, const char *tool,
                                  char *out, size_t size) {
  out[0] = '\0';
  const wg_plugin_set *set = &ws->set;
  char name[WG_ERROR_TOOL_MAX + 8];
  wg_error_sanitize(name, sizeof name, tool, strlen(tool));
  if (!set->cfg->plugins_feature_enabled) {
    snprintf(out, size, "plugins are not enabled ([feature.plugins] enabled = true)");
    return;
  }
  for (size_t i = 0; i < ws->reg.diag_count; i++) {
    if (strcmp(ws->reg.diags[i].tool, name) == 0) {
      snprintf(out, size, "%s", ws->reg.diags[i].message);
      return;
    }
  }
  char why[WG_ERROR_MESSAGE_MAX + 1];
  const wg_plugin_diag *d = rejected_declaring(set, tool);
  if (d) {
    rt_rejection_reason(&set->disc, d, why, sizeof why);
    snprintf(out, size, "tool `%s` is declared by plugin `%s`, which was rejected: %s", name,
             d->identity, why);
    return;
  }
  if (set->res.diag_count > 0) {
    d = &set->res.diags[0];
    rt_rejection_reason(&set->disc, d, why, sizeof why);
    snprintf(out, size, "%zu enabled plugin(s) were rejected; first: `%s`: %s",
             set->res.diag_count, d->identity[0] ? d->identity : d->package, why);
  }
}
