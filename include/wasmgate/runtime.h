/* runtime.h: one tool call = one bounded run of a plugin module, a shared
 * cache of compiled modules, cancellation, and the history log.
 *
 * wg_call runs the part of the call sequence (docs/design.md#call-sequence)
 * that does not need the resolved config: input size and strict JSON ->
 * input_schema validation -> import and export check -> a fresh store and
 * instance under the limits -> `yoi_tool_call` -> output decode exactly as
 * yoi's. Every failure is a wg_error (host.h) with a stable code; nothing
 * aborts. The guest reads the input in canonical JSON form (keys sorted,
 * compact, number lexemes verbatim).
 *
 * Threads: a wg_module_cache and the modules and schemas it hands out may
 * be shared by any number of threads; each wg_call uses its own store. A
 * call is cancelled from any thread with wg_cancel_request on the wg_cancel
 * named in its request. */
#ifndef WASMGATE_RUNTIME_H
#define WASMGATE_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/config.h"
#include "wasmgate/inspect.h"
#include "wasmgate/host.h"
#include "wasmgate/schema.h"
#include "wasmgate/wasm.h"
#include "wasmgate/limits.h"

/* ---- Limits ----------------------------------------------------------- */

/* The defaults (WG_RT_DEFAULT_*, config `[limits]`) are in limits.h. */

/* Every field means what it says: 0 admits nothing (an input limit of 0
 * refuses every input, a fuel of 0 runs no instruction, a wall clock of 0
 * is already past). Start from wg_call_limits_default() and change what
 * you need. Values the engine cannot honour are refused by
 * wg_call_limits_check (and a call given them fails `internal`). */
typedef struct wg_call_limits {
  size_t max_input_bytes;
  size_t max_output_bytes;   /* at most WG_HOST_MAX_OUTPUT_WRITE (the ABI) */
  size_t max_summary_bytes;
  uint64_t fuel;
  uint64_t wall_clock_ns;    /* the whole call, from wg_call's entry */
  uint64_t max_memory_bytes; /* linear memory (whole 64 KiB pages) and
                                tables (8 bytes an element) together; at
                                least one page */
  uint32_t max_table_elements; /* all tables of the call together; at least 1 */
  uint32_t max_call_depth;     /* at least 1 */
} wg_call_limits;

/* The defaults (the WG_RT_DEFAULT_* above). */
wg_call_limits wg_call_limits_default(void);
/* True if every field can be enforced exactly; else false and a message
 * naming the field (memory under one page or not a whole number of pages,
 * a table or call-depth limit of 0, an output limit over the ABI's). */
bool wg_call_limits_check(const wg_call_limits *l, char *msg, size_t size);

/* ---- Cancellation ------------------------------------------------------- */

typedef struct wg_cancel {
  atomic_int flag;
} wg_cancel;

void wg_cancel_init(wg_cancel *c);
/* Safe from any thread (and from a signal handler: one atomic store). */
void wg_cancel_request(wg_cancel *c);
bool wg_cancel_requested(wg_cancel *c);

/* ---- Compiled-module cache ---------------------------------------------- */

typedef struct wg_module_cache wg_module_cache;

/* max_entries bounds the number of compiled modules kept (0 = 64); the
 * least recently used entry is dropped first (modules in use stay alive by
 * their reference count). */
wg_module_cache *wg_module_cache_new(size_t max_entries);
void wg_module_cache_free(wg_module_cache *c);
/* Returns a retained module for digest: the cached one, or bytes compiled
 * and cached. The caller releases it. On failure returns NULL and sets err
 * (module_invalid / unsupported / internal). Thread-safe. */
wg_module *wg_module_cache_get(wg_module_cache *c, const char *digest,
                               const uint8_t *bytes, size_t len,
                               wg_error *err);
/* The same, compiling (on a miss) under `limits` (NULL: the engine's
 * defaults): a call's deadline and cancellation flag. A compile they cut
 * short fails with timeout / cancelled and is not cached; a module over
 * an engine limit is module_invalid. */
wg_module *wg_module_cache_get_limited(wg_module_cache *c, const char *digest,
                                       const uint8_t *bytes, size_t len,
                                       const wg_module_limits *limits,
                                       wg_error *err);
size_t wg_module_cache_size(wg_module_cache *c);
/* The entry module of a package for one call: the package
 * at `path` is stat'ed on every call; when its (device, inode, size, mtime,
 * ctime) match the last verified read, the cached module is used;
 * otherwise the package is re-read and re-hashed, and a digest other than
 * `digest` fails with package_changed. Directory packages are re-hashed on
 * every call (their stat does not cover their files). Other failures are
 * package_invalid with fixed text (never the path). Returns a retained
 * module, or NULL and err. Thread-safe. */
wg_module *wg_module_cache_load(wg_module_cache *c, const char *path,
                                const char *digest, const char *entry,
                                wg_error *err);
/* wg_module_cache_load compiling under limits (wg_module_cache_get_limited). */
wg_module *wg_module_cache_load_limited(wg_module_cache *c, const char *path,
                                        const char *digest, const char *entry,
                                        const wg_module_limits *limits,
                                        wg_error *err);

/* ---- One call ----------------------------------------------------------- */

struct wg_call_result;

typedef struct wg_call_request {
  const wg_module *module;    /* compiled module (e.g. from the cache) */
  /* Or, when module is NULL: called after the input checks to authorize
   * and load the module (returns it retained, or NULL and sets err). */
  wg_module *(*load)(void *ctx, wg_error *err);
  void *load_ctx;
  const char *tool;           /* the manifest tool name */
  const char *plugin;         /* "source:id", for errors */
  const char *digest;         /* package digest, for errors */
  const char *input;          /* raw JSON text of the arguments */
  size_t input_len;
  const wg_schema *schema;    /* compiled input_schema, or NULL */
  bool https_granted;         /* link `yoi:https` */
  const wg_https_ctx *https;  /* how its requests run (NULL: they fail closed) */
  wg_call_limits limits;
  wg_cancel *cancel;          /* may be NULL */
  /* The audit hook (how wg_workspace_call writes its tool_call record):
   * called exactly once, after the input checks and before the schema
   * check, the load or any guest code, with partial->arguments set (NULL
   * when the input was refused) and partial->stats.started_unix_ns. If it
   * returns false the call fails with the error it set in err and nothing
   * else runs. NULL: no hook. */
  bool (*before_run)(void *ctx, const struct wg_call_result *partial,
                     wg_error *err);
  void *before_run_ctx;
} wg_call_request;

typedef struct wg_call_stats {
  uint64_t fuel_used;
  uint64_t wall_ns;
  uint64_t memory_peak_bytes;
  uint64_t started_unix_ns; /* wall-clock start (the tool_call timestamp) */
} wg_call_stats;


typedef struct wg_call_result {
  bool is_error;
  char *summary;      /* success: the guest's summary; error: yoi's text */
  size_t summary_len;
  char *content;      /* NULL when absent or null */
  size_t content_len;
  char *arguments;    /* the canonical input given to the guest, or NULL */
  size_t arguments_len;
  wg_error error;     /* code WG_ERR_NONE on success */
  wg_call_stats stats;
  wg_https_record *https; /* one per https request and redirect hop */
  size_t https_count;
  /* Set by wg_workspace_call (empty from wg_call): the call_id of its two
   * history records; `recorded` is true when both were written, else
   * history_error says which failed and why (no path). */
  char call_id[WG_CALL_ID_MAX + 1];
  bool recorded;
  char history_error[256];
} wg_call_result;

/* Runs one call. Always fills out (free with wg_call_result_free) and
 * returns out->error.code. */
wg_err wg_call(const wg_call_request *req, wg_call_result *out);
void wg_call_result_free(wg_call_result *r);
/* {"is_error","summary","content","error"?,"stats"} as the CLI prints it. */
bool wg_call_result_write_json(const wg_call_result *r, wg_buf *out);

/* ---- Tool registry (docs/design.md#tool-registration) --------------------- */

/* One model-visible tool. Strings point into the config/resolution the
 * registry was built from (which must outlive it); `schema` is owned. */
typedef struct wg_tool {
  const char *name;
  size_t name_len;
  const char *description;
  size_t description_len;
  const char *input_schema_json; /* canonical JSON text */
  size_t input_schema_len;
  wg_schema *schema;
  const wg_resolved *plugin;
  const wg_manifest_tool *manifest_tool;
  const char *ref;     /* "source:id" */
  const char *version;
  const char *digest;
  bool https_granted;
  const wg_https_ctx *https; /* set when https_granted (owned by the registry) */
} wg_tool;

typedef struct wg_registry_diag {
  bool warning;        /* a denied tool; otherwise a hard install error */
  char plugin[WG_ERROR_PLUGIN_MAX + 1];
  char tool[WG_ERROR_TOOL_MAX + 1]; /* the tool it is about, or "" */
  char message[WG_ERROR_MESSAGE_MAX + 1];
} wg_registry_diag;

typedef struct wg_registry {
  wg_tool *tools;      /* registration order: resolved order, manifest order */
  size_t count;
  wg_registry_diag *diags;
  size_t diag_count;
  /* https: one policy from [https], one context per plugin with the grant
   * (each allocated on its own, so tools can point at it). */
  wg_policy *https_policy;
  wg_https_ctx **https_ctxs;
  size_t https_ctx_count;
  char *base_dir;
  /* Allocated lengths of tools, diags and https_ctxs (the library's
   * bookkeeping for wg_vec_reserve; an embedder reads the counts). */
  size_t tools_cap, diags_cap, https_ctxs_cap;
} wg_registry;

/* Registers the tools of every resolved plugin as yoi does (an
 * enabled plugin that did not resolve is an error diagnostic first,
 * "plugin `p` was rejected: <resolution diagnostic>"):
 * gating, per-tool checks (a bad name/schema stops that plugin),
 * authorization (a denial is a warning and skips the tool), first
 * registration of a name wins (a collision stops that plugin). `reserved`
 * names (built-in tools of a host) are taken first. Everything a plugin
 * does wrong is a diagnostic in *out, so the one failure is out of memory:
 * false then, with *out freed (as wg_registry_set_base_dir). */
bool wg_registry_build(const wg_config *cfg, const wg_resolution *res,
                       const char *const *reserved, size_t reserved_count,
                       wg_registry *out);
/* The same from a whole plugin set: a rejected plugin's diagnostic also
 * carries the discovery diagnostics `wasmgate list` shows beside it (a
 * package that could not be read, a bad manifest). What the workspace
 * uses. */
bool wg_registry_build_set(const wg_plugin_set *set, const char *const *reserved,
                           size_t reserved_count, wg_registry *out);
void wg_registry_free(wg_registry *r);
const wg_tool *wg_registry_find(const wg_registry *r, const char *name);
/* The directory relative [https] ca_file and [secrets] file paths are
 * resolved against (the workspace); without it, the current directory.
 * False on out of memory. */
bool wg_registry_set_base_dir(wg_registry *r, const char *dir);
/* {"tools":[{"name","description","input_schema","plugin","version",
 * "digest"}...],"diagnostics":[{"plugin","severity","message"}...]} */
bool wg_registry_write_json(const wg_registry *r, wg_buf *out);

/* Config [limits] as call limits. */
wg_call_limits wg_call_limits_from_config(const wg_config_limits *l);

/* One call of a registered tool: finds it (unknown_tool), authorizes it
 * again (permission_denied), loads its module through the cache (stat,
 * re-hash: package_changed), then wg_call. limits NULL = the defaults.
 * Writes no history: wg_workspace_call is the audited form. Always fills
 * out. */
wg_err wg_registry_call(const wg_registry *r, wg_module_cache *cache,
                        const char *tool, const char *input, size_t input_len,
                        const wg_call_limits *limits, wg_cancel *cancel,
                        wg_call_result *out);

/* ---- History (docs/runtime.md#history) ----------------------------------- */

typedef struct wg_history_options {
  bool fsync;               /* fdatasync after each record (default true) */
  size_t max_record_bytes;  /* 0 = WG_HISTORY_DEFAULT_MAX_RECORD; min 4096 */
} wg_history_options;

typedef struct wg_history wg_history;

/* Opens (creating, mode 0600) an append-only log. NULL opts = defaults.
 * The file must be a regular file reached without following a symlink in
 * its last component (O_NOFOLLOW; opened non-blocking and checked with
 * fstat, so a FIFO never hangs the caller). Returns NULL and a short
 * message (no path) on failure. */
wg_history *wg_history_open(const char *path, const wg_history_options *opts,
                            char *err, size_t err_size);
void wg_history_close(wg_history *h);

/* The history file of a workspace: cfg's `[history] path` (default
 * `.wasmgate/history.jsonl`) made absolute against the canonical
 * workspace directory. False if it does not fit in size. */
bool wg_history_path(const char *workspace, const wg_config *cfg, char *out,
                     size_t size);

/* Where a call's tool came from. */
typedef struct wg_history_origin {
  const char *plugin;  /* "source:id" */
  const char *version;
  const char *digest;
} wg_history_origin;

/* A fresh random call id: "call_" + 24 hex digits. */
void wg_history_new_call_id(char out[WG_CALL_ID_MAX + 1]);

/* The two records of a call, each one write(2) under flock: tool_call
 * (timestamp r->stats.started_unix_ns, name, r->arguments, origin) and
 * tool_result (summary, content, is_error, error, origin, stats). Return
 * false (and a short message) if the write failed. A record over the bound
 * is written with its large fields cut and a "truncated" marker. */
bool wg_history_append_tool_call(wg_history *h, const char *call_id,
                                 const char *tool,
                                 const wg_history_origin *origin,
                                 const wg_call_result *r, char *err,
                                 size_t err_size);
bool wg_history_append_tool_result(wg_history *h, const char *call_id,
                                   const wg_history_origin *origin,
                                   const wg_call_result *r, char *err,
                                   size_t err_size);
/* Both records after the fact (call_id NULL => generated). Prefer
 * wg_workspace_call, which writes tool_call before the guest runs. */
bool wg_history_append_call(wg_history *h, const char *call_id,
                            const char *tool, const wg_history_origin *origin,
                            const wg_call_result *r, char *err,
                            size_t err_size);

/* Builds one record (without the newline); exposed for tests and bench. */
bool wg_history_format_call(const char *call_id, const char *tool,
                            const wg_history_origin *origin,
                            const wg_call_result *r, size_t max_record,
                            wg_buf *out);
bool wg_history_format_result(const char *call_id,
                              const wg_history_origin *origin,
                              const wg_call_result *r, size_t max_record,
                              wg_buf *out);

/* Reading: every complete line that parses as a JSON object, in order; a
 * torn last line (no newline), a line over max_record and any other line
 * are skipped and counted. Opened as writing opens it (O_NOFOLLOW,
 * non-blocking, a regular file only). tail > 0 keeps only the last `tail`
 * records. Lines are NUL-terminated JSON texts (a JSON text never holds a
 * raw NUL, so strlen is the line's length). */
typedef struct wg_history_lines {
  char **lines;
  size_t count;
  size_t skipped;
} wg_history_lines;

bool wg_history_read(const char *path, size_t tail, size_t max_record,
                     wg_history_lines *out, char *err, size_t err_size);
void wg_history_lines_free(wg_history_lines *l);

/* Streaming: fn gets each kept line (not NUL-terminated) and its parsed
 * object, in file order, and returns false to stop. max_record 0 means
 * WG_HISTORY_DEFAULT_MAX_RECORD; *skipped counts what was not handed on.
 * False (err set) if the file could not be opened or read. */
typedef bool (*wg_history_line_fn)(void *ctx, const char *line, size_t len,
                                   const wg_json *record);
bool wg_history_scan(const char *path, size_t max_record, wg_history_line_fn fn,
                     void *ctx, size_t *skipped, char *err, size_t err_size);
/* One line parsed as the reader parses it (depth bounded by its size
 * only): the document, or NULL if it is not a JSON object. */
wg_json_doc *wg_history_parse_line(const char *line, size_t len,
                                   size_t max_record);

/* ---- Workspace: the audit-first call API ---------------------------------- */

/* A workspace is what `wasmgate call`, `wasmgate serve` and an embedding
 * host open once: its config, plugin set (stores, discovery with the
 * digest cache, lock, resolution), tool registry, compiled-module cache,
 * limits and history path. It is read-only after wg_workspace_open, so any
 * number of threads may call wg_workspace_call on one workspace at once.
 *
 * Every call is recorded, audit first: the tool_call record (with the
 * canonical arguments) is written before the guest can run; if it cannot
 * be written the call fails closed (`internal`, "the call was not run: its
 * tool_call record could not be written to the history: ...") and nothing
 * of the package runs. The tool_result record follows the result. */
typedef struct wg_workspace wg_workspace;

typedef struct wg_workspace_options {
  const char *workspace;     /* NULL: the current directory */
  const char *config_path;   /* NULL: WORKSPACE/wasmgate.toml (may be absent);
                                given: must exist */
  const char *project_store; /* overrides of config and environment, or NULL;
                                relative paths are relative to the workspace */
  const char *user_store;
  const char *const *reserved; /* tool names the host has built in */
  size_t reserved_count;
} wg_workspace_options;

/* Opens the workspace. On failure returns the step that failed (and *out
 * is NULL) with err's located message; WG_PLUGIN_SET_OK on success. */
wg_plugin_set_code wg_workspace_open(const wg_workspace_options *opts,
                                     wg_workspace **out,
                                     wg_config_error *err);
void wg_workspace_close(wg_workspace *ws);

const wg_registry *wg_workspace_registry(const wg_workspace *ws);
const wg_plugin_set *wg_workspace_plugins(const wg_workspace *ws);
const wg_config *wg_workspace_config(const wg_workspace *ws);
/* The limits every call of this workspace runs under ([limits]). */
const wg_call_limits *wg_workspace_limits(const wg_workspace *ws);
const char *wg_workspace_dir(const wg_workspace *ws);          /* canonical */
const char *wg_workspace_history_path(const wg_workspace *ws); /* absolute */

/* One call of `tool` with the JSON text input[0..len): unknown_tool (the
 * message says which plugin declares the tool but was rejected, and why),
 * the input checks, the tool_call record, then wg_call's sequence, then
 * the tool_result record. call_id NULL => generated; given, it must be 1
 * to WG_CALL_ID_MAX bytes of [A-Za-z0-9._:-] (else `invalid_input` and
 * nothing is recorded). cancel may be NULL. Always fills out (free with
 * wg_call_result_free); out->call_id, recorded and history_error tell the
 * audit outcome. Returns out->error.code. Thread-safe. */
wg_err wg_workspace_call(wg_workspace *ws, const char *tool, const char *input,
                         size_t len, wg_cancel *cancel, const char *call_id,
                         wg_call_result *out);

/* Why `tool` is not callable, for people: empty when nothing explains it;
 * else "tool `T` is declared by plugin `p`, which was rejected: <the
 * diagnostic `wasmgate list` shows>" or a count of the rejected plugins.
 * Bounded to size; no paths. */
void wg_workspace_explain_unknown(const wg_workspace *ws, const char *tool,
                                  char *out, size_t size);

#endif
