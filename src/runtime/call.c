/* call.c: one tool call = one bounded run (docs/design.md#call-sequence).
 *
 * Sequence, each step only if the previous one succeeded: limits check ->
 * input size and strict JSON -> object check -> canonical form -> the
 * audit hook (before_run: the workspace's tool_call record) -> pending
 * cancel -> input_schema -> load -> import and export check -> fresh
 * store + instance (start function included) -> `yoi_tool_call` -> sticky
 * output error -> output decode (output.c).
 * One deadline (entry + wall clock) and one cancellation flag cover it
 * all; the engine checks both at loop back-edges and calls. Nothing the
 * guest controls sizes an allocation: the output buffer is the limit. */
#include "rt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

wg_call_limits wg_call_limits_default(void) {
  return (wg_call_limits){
    .max_input_bytes = WG_RT_DEFAULT_MAX_INPUT,
    .max_output_bytes = WG_RT_DEFAULT_MAX_OUTPUT,
    .max_summary_bytes = WG_RT_DEFAULT_MAX_SUMMARY,
    .fuel = WG_RT_DEFAULT_FUEL,
    .wall_clock_ns = WG_RT_DEFAULT_WALL_CLOCK_NS,
    .max_memory_bytes = WG_RT_DEFAULT_MAX_MEMORY,
    .max_table_elements = WG_RT_DEFAULT_MAX_TABLE,
    .max_call_depth = WG_RT_DEFAULT_MAX_CALL_DEPTH,
  };
}

/* The engine reads 0 in its memory, table and depth fields as "its own
 * default", and the ABI caps one output_write at 64 KiB: limits that would
 * silently become something else are refused instead. */
bool wg_call_limits_check(const wg_call_limits *l, char *msg, size_t size) {
  const char *why = NULL;
  if (l->max_output_bytes > WG_HOST_MAX_OUTPUT_WRITE)
    why = "max_output_bytes is over the ABI's 65536-byte output bound";
  else if (l->max_memory_bytes < WG_WASM_PAGE_SIZE)
    why = "max_memory_bytes is less than one 64 KiB page";
  else if (l->max_memory_bytes % WG_WASM_PAGE_SIZE != 0)
    why = "max_memory_bytes is not a whole number of 64 KiB pages";
  else if (l->max_memory_bytes / WG_WASM_PAGE_SIZE > WG_WASM_MAX_PAGES)
    why = "max_memory_bytes is over the 4 GiB wasm32 address space";
  else if (l->max_table_elements == 0)
    why = "max_table_elements is 0";
  else if (l->max_call_depth == 0)
    why = "max_call_depth is 0";
  if (why && msg && size) snprintf(msg, size, "%s", why);
  return why == NULL;
}

void wg_cancel_init(wg_cancel *c) { atomic_init(&c->flag, 0); }
void wg_cancel_request(wg_cancel *c) { atomic_store(&c->flag, 1); }
bool wg_cancel_requested(wg_cancel *c) { return atomic_load(&c->flag) != 0; }

/* Input checks up to the canonical text handed to the guest. Returns the
 * parsed input (for the schema check; the caller frees it), or NULL with
 * the error set. */
static wg_json_doc *prepare_input(const wg_call_request *req,
                                  const wg_call_limits *lim,
                                  wg_call_result *out) {
  wg_error *e = &out->error;
  if (!req->input) {
    wg_error_set(e, WG_ERR_INVALID_INPUT, "plugin tool `%s` input is not valid JSON: no input",
                 e->tool);
    return NULL;
  }
  if (req->input_len > lim->max_input_bytes) {
    wg_error_set(e, WG_ERR_INVALID_INPUT, "plugin tool `%s` input exceeds %zu bytes",
                 e->tool, lim->max_input_bytes);
    return NULL;
  }
  /* Nesting is bounded only by the input size: the parser, the canonical
   * writer and the schema validator do not recurse. */
  wg_json_limits jl = {.max_depth = lim->max_input_bytes + 1,
                       .max_size = lim->max_input_bytes + 1};
  wg_json_error je;
  wg_json_doc *doc = wg_json_parse(req->input, req->input_len, &jl, &je);
  if (!doc) {
    wg_error_set(e, WG_ERR_INVALID_INPUT,
                 "plugin tool `%s` input is not valid JSON: %s at byte %zu", e->tool,
                 je.message, je.offset);
    return NULL;
  }
  const wg_json *root = wg_json_root(doc);
  if (root->type != WG_JSON_OBJECT) {
    wg_error_set(e, WG_ERR_INVALID_INPUT, "plugin tool `%s` input must be a JSON object",
                 e->tool);
    wg_json_free(doc);
    return NULL;
  }
  /* Canonical text first, so history records the arguments of a call the
   * schema rejects. 6x + 16 covers a "\u00XX" escape of every byte. */
  wg_buf canon;
  wg_buf_init(&canon, req->input_len * 6 + 16);
  if (!wg_json_write(root, true, &canon)) {
    wg_buf_free(&canon);
    wg_error_set(e, WG_ERR_INTERNAL, "cannot write the canonical input");
    wg_json_free(doc);
    return NULL;
  }
  out->arguments = wg_buf_take(&canon, &out->arguments_len);
  if (!out->arguments) {
    wg_error_set(e, WG_ERR_INTERNAL, "out of memory");
    wg_json_free(doc);
    return NULL;
  }
  return doc;
}

/* Maps a failed engine operation to the error model. */
static void engine_error(const wg_wasm_error *we, uint64_t fuel, wg_error *e) {
  switch (we->code) {
  case WG_WASM_LINK:
    wg_error_set(e, WG_ERR_LINK_ERROR, "%s", we->message);
    return;
  case WG_WASM_LIMIT:
    wg_error_set(e, WG_ERR_MEMORY_LIMIT, "the module needs more memory or table than the limit: %s",
                 we->message);
    return;
  case WG_WASM_NOMEM:
    wg_error_set(e, WG_ERR_INTERNAL, "host out of memory");
    return;
  case WG_WASM_TRAP:
    break;
  default:
    wg_error_set(e, WG_ERR_INTERNAL, "engine error: %s", wg_wasm_code_name(we->code));
    return;
  }
  switch (we->trap) {
  case WG_TRAP_FUEL_EXHAUSTED:
    wg_error_set(e, WG_ERR_FUEL_EXHAUSTED, "fuel exhausted after %llu instructions",
                 (unsigned long long)fuel);
    return;
  case WG_TRAP_DEADLINE:
    wg_error_set(e, WG_ERR_TIMEOUT, "wall-clock deadline reached");
    return;
  case WG_TRAP_CANCELLED:
    wg_error_set(e, WG_ERR_CANCELLED, "call cancelled");
    return;
  default:
    wg_error_set(e, WG_ERR_TRAP, "wasm trap: %s", wg_trap_name(we->trap));
    e->trap = we->trap;
    return;
  }
}

static void fill_stats(wg_store *s, wg_instance *inst, uint64_t t0,
                       wg_call_result *out) {
  out->stats.wall_ns = wg_now_ns() - t0;
  if (!s) return;
  out->stats.fuel_used = wg_store_fuel_used(s);
  wg_extern mem;
  /* Memory never shrinks, so its final size is its peak. */
  if (inst && wg_instance_export(inst, "memory", 6, &mem) &&
      mem.kind == WG_EXTERN_MEMORY)
    out->stats.memory_peak_bytes = (uint64_t)wg_memory_pages(mem.of.memory) * WG_WASM_PAGE_SIZE;
}

/* Before the engine runs anything: a pending cancel or a passed deadline
 * ends the call here. */
static bool still_running(const wg_call_request *req, uint64_t deadline,
                          wg_error *e) {
  if (req->cancel && wg_cancel_requested(req->cancel)) {
    wg_error_set(e, WG_ERR_CANCELLED, "call cancelled");
    return false;
  }
  if (wg_now_ns() >= deadline) {
    wg_error_set(e, WG_ERR_TIMEOUT, "wall-clock deadline reached");
    return false;
  }
  return true;
}

/* The engine's limits for one call: everything the runtime's limits name,
 * and the stack the engine would otherwise default, so no engine field is
 * left to mean "default". */
static wg_limits engine_limits(const wg_call_request *req, const wg_call_limits *lim,
                               uint64_t deadline) {
  return (wg_limits){
      .fuel = lim->fuel,
      .deadline_ns = deadline,
      .cancel = req->cancel ? &req->cancel->flag : NULL,
      .max_memory_pages = (uint32_t)(lim->max_memory_bytes / WG_WASM_PAGE_SIZE),
      .max_table_elements = lim->max_table_elements,
      .max_call_depth = lim->max_call_depth,
      .max_stack_bytes = WG_RT_MAX_STACK_BYTES,
      /* memories and tables together count against the memory limit */
      .max_store_bytes = lim->max_memory_bytes,
  };
}

static host_call host_call_for(const wg_call_request *req, const wg_call_limits *lim,
                                  const wg_call_result *out, uint64_t deadline) {
  return (host_call){
      .tool_name = req->tool,
      .tool_name_len = strlen(req->tool),
      .input = out->arguments,
      .input_len = out->arguments_len,
      .max_output = lim->max_output_bytes,
      .https_granted = req->https_granted,
      .https = req->https,
      .deadline_ns = deadline,
      .cancel = req->cancel ? &req->cancel->flag : NULL,
  };
}

/* Binds the imports, instantiates, calls yoi_tool_call and decodes the
 * output; the first failing step leaves its error in out->error. */
static void bind_and_run(wg_store *s, const wg_module *m, host_call *hc,
                         const wg_call_limits *lim, wg_extern *imports,
                         size_t nimports, wg_instance **inst, wg_call_result *out) {
  wg_error *e = &out->error;
  wg_wasm_error we = {0};
  wg_extern fn;
  if (!host_bind(s, m, hc, imports, e)) return; /* e says why */
  if (wg_instance_new(s, m, imports, nimports, inst, &we) != WG_WASM_OK) {
    engine_error(&we, lim->fuel, e);
    return;
  }
  if (!wg_instance_export(*inst, "yoi_tool_call", 13, &fn) || fn.kind != WG_EXTERN_FUNC) {
    wg_error_set(e, WG_ERR_MODULE_INVALID, "module must export `yoi_tool_call`");
    return;
  }
  if (wg_func_call(s, fn.of.func, NULL, 0, NULL, 0, &we) != WG_WASM_OK) {
    engine_error(&we, lim->fuel, e);
    return;
  }
  if (hc->sticky != WG_ERR_NONE) {
    wg_error_set(e, hc->sticky, "%s", hc->sticky_message);
    return;
  }
  rt_decode_output(hc, lim, out);
}

/* Runs `m` in `s` with its imports bound; *inst is left for the
 * statistics. */
static void instantiate_and_call(wg_store *s, const wg_module *m, host_call *hc,
                                 const wg_call_limits *lim, wg_instance **inst,
                                 wg_call_result *out) {
  size_t nimports = wg_module_import_count(m);
  wg_extern *imports = calloc(nimports ? nimports : 1, sizeof *imports);
  if (!imports) {
    wg_error_set(&out->error, WG_ERR_INTERNAL, "host out of memory");
    return;
  }
  bind_and_run(s, m, hc, lim, imports, nimports, inst, out);
  free(imports);
}

static void run_module(const wg_call_request *req, const wg_call_limits *lim,
                       uint64_t t0, wg_call_result *out) {
  wg_error *e = &out->error;
  const wg_module *m = req->module;
  wg_module *loaded = NULL;
  if (!m && req->load) m = loaded = req->load(req->load_ctx, e);
  if (!m) {
    if (e->code == WG_ERR_NONE) wg_error_set(e, WG_ERR_PACKAGE_INVALID, "no runtime module");
    return;
  }
  uint64_t deadline;
  if (__builtin_add_overflow(t0, lim->wall_clock_ns, &deadline)) deadline = UINT64_MAX;
  if (!host_check_exports(m, e) || !still_running(req, deadline, e)) {
    wg_module_release(loaded);
    return;
  }
  if (lim->fuel == 0) { /* the engine reads fuel 0 as "unmetered" */
    wg_error_set(e, WG_ERR_FUEL_EXHAUSTED, "fuel exhausted after 0 instructions");
    wg_module_release(loaded);
    return;
  }
  wg_limits wl = engine_limits(req, lim, deadline);
  host_call hc = host_call_for(req, lim, out, deadline);
  wg_store *s = wg_store_new(&wl);
  wg_instance *inst = NULL;
  if (s) instantiate_and_call(s, m, &hc, lim, &inst, out);
  else wg_error_set(e, WG_ERR_INTERNAL, "host out of memory");
  fill_stats(s, inst, t0, out);
  host_call_take_https(&hc, &out->https, &out->https_count);
  host_call_free(&hc);
  wg_store_free(s);
  wg_module_release(loaded);
}

/* Turns an error into yoi's ordinary error result: summary = human text. */
static void error_result(const wg_call_limits *lim, wg_call_result *out) {
  out->is_error = true;
  free(out->summary);
  free(out->content);
  out->content = NULL;
  out->content_len = 0;
  wg_buf text;
  wg_buf_init(&text, 4096);
  wg_error_write_text(&out->error, lim->wall_clock_ns, &text);
  out->summary = wg_buf_take(&text, &out->summary_len);
}

/* Limits, tool name and input, in that order; NULL (error set) if any
 * fails. */
static wg_json_doc *check_request(const wg_call_request *req, wg_call_result *out) {
  char why[96];
  if (!wg_call_limits_check(&req->limits, why, sizeof why)) {
    wg_error_set(&out->error, WG_ERR_INTERNAL, "invalid call limits: %s", why);
    return NULL;
  }
  if (!req->tool) {
    wg_error_set(&out->error, WG_ERR_UNKNOWN_TOOL, "no tool name");
    return NULL;
  }
  return prepare_input(req, &req->limits, out);
}

wg_err wg_call(const wg_call_request *req, wg_call_result *out) {
  uint64_t t0 = wg_now_ns();
  memset(out, 0, sizeof *out);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  out->stats.started_unix_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
  /* The tool name is in input messages; plugin and digest are added only
   * on failure (sanitizing costs more than the rest of a small call's
   * bookkeeping). */
  wg_error_set_origin(&out->error, req->tool, NULL, NULL);
  const wg_call_limits *lim = &req->limits;
  wg_json_doc *input = check_request(req, out);
  bool ok = input != NULL;
  /* The audit hook runs before anything the package controls (schema,
   * module, guest code); if it fails, nothing more runs. A cancel that came
   * before the call started wins over an input error: the caller asked to
   * stop. */
  if (req->before_run && !req->before_run(req->before_run_ctx, out, &out->error)) {
    ok = false;
  } else if (req->cancel && wg_cancel_requested(req->cancel)) {
    wg_error_set(&out->error, WG_ERR_CANCELLED, "call cancelled");
    ok = false;
  }
  if (ok && req->schema) ok = rt_check_schema(req->schema, wg_json_root(input), &out->error);
  wg_json_free(input);
  if (ok) run_module(req, lim, t0, out);
  out->stats.wall_ns = wg_now_ns() - t0;
  if (out->error.code != WG_ERR_NONE) {
    wg_error_set_origin(&out->error, req->tool, req->plugin, req->digest);
    error_result(lim, out);
  }
  return out->error.code;
}

void wg_call_result_free(wg_call_result *r) {
  free(r->summary);
  free(r->content);
  free(r->arguments);
  free(r->https);
  r->summary = r->content = r->arguments = NULL;
  r->https = NULL;
  r->https_count = 0;
}
