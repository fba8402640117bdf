/* backend.c: the one seam between the MCP server and the runtime: the
 * registered tools, and one tool call with its history records.
 *
 * Interim form (until the runtime's audit-first workspace API is merged):
 * the registry call through a shared module cache, then the tool_call and
 * tool_result records appended as `wasmgate call` does today. The history
 * file is opened once (creating its directory, mode 0700) and appends are
 * serialized here: flock does not order threads that share one descriptor. */
#include "mcp_internal.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Enough compiled modules for every plugin of a typical workspace. */
enum { BACKEND_CACHE_ENTRIES = 64 };

struct mcp_backend {
  const wg_registry *registry;
  wg_call_limits limits;
  wg_module_cache *cache;
  wg_history *history;       /* NULL: calls are not recorded */
  pthread_mutex_t history_lock;
};

static wg_history *open_history(const char *path, bool fsync, char *err,
                                size_t err_size) {
  char dir[PATH_MAX];
  if (strlen(path) >= sizeof dir) {
    snprintf(err, err_size, "history path is too long");
    return NULL;
  }
  memcpy(dir, path, strlen(path) + 1);
  const char *parent = dirname(dir);
  if (mkdir(parent, 0700) != 0 && errno != EEXIST) {
    snprintf(err, err_size, "history: cannot create its directory");
    return NULL;
  }
  wg_history_options o = {.fsync = fsync};
  char msg[160];
  wg_history *h = wg_history_open(path, &o, msg, sizeof msg);
  if (!h) snprintf(err, err_size, "history: %s", msg);
  return h;
}

mcp_backend *mcp_backend_open(const wg_mcp_backend *b, char *err,
                              size_t err_size) {
  mcp_backend *be = calloc(1, sizeof *be);
  if (!be) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  be->registry = b->registry;
  be->limits = b->limits;
  pthread_mutex_init(&be->history_lock, NULL);
  be->cache = wg_module_cache_new(BACKEND_CACHE_ENTRIES);
  if (!be->cache) {
    snprintf(err, err_size, "out of memory");
    mcp_backend_close(be);
    return NULL;
  }
  if (b->history_path) {
    be->history = open_history(b->history_path, b->history_fsync, err, err_size);
    if (!be->history) {
      mcp_backend_close(be);
      return NULL;
    }
  }
  return be;
}

void mcp_backend_close(mcp_backend *b) {
  if (!b) return;
  wg_history_close(b->history);
  wg_module_cache_free(b->cache);
  pthread_mutex_destroy(&b->history_lock);
  free(b);
}

const wg_registry *mcp_backend_registry(const mcp_backend *b) {
  return b->registry;
}

void mcp_backend_call(mcp_backend *b, const wg_tool *tool, const char *input,
                      size_t input_len, wg_cancel *cancel,
                      wg_call_result *out) {
  /* wg_registry_call finds the tool by its NUL-terminated name; registry
   * names never contain NUL (reference 3.2 restricts their characters). */
  char name[WG_MANIFEST_MAX_TOOL_NAME + 1];
  size_t n = tool->name_len < sizeof name - 1 ? tool->name_len : sizeof name - 1;
  memcpy(name, tool->name, n);
  name[n] = '\0';
  wg_registry_call(b->registry, b->cache, name, input, input_len, &b->limits,
                   cancel, out);
  if (!b->history) return;
  wg_history_origin origin = {tool->ref, tool->version, tool->digest};
  char err[160];
  pthread_mutex_lock(&b->history_lock);
  bool ok = wg_history_append_call(b->history, NULL, name, &origin, out, err, sizeof err);
  pthread_mutex_unlock(&b->history_lock);
  if (!ok) mcp_log("history: %s", err);
}
