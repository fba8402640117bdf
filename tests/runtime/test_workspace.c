/* test_workspace.c: the audit-first call API (wg_workspace_*) on a real
 * workspace: echo and json-sum (zip packages) and loop (a directory
 * package) in the project store, granted in wasmgate.toml. Each test
 * states one rule: the tool_call record is on disk while the guest runs, a
 * record that cannot be written stops the call before any guest code, the
 * tool_result follows, unknown and rejected tools say why, and one
 * workspace serves many threads. */
#include "../harness.h"
#include "rt_test_util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
  char root[64], ws[96], store[160], hist[192], nouser[128];
  char echo_digest[WG_PKG_DIGEST_LEN], sum_digest[WG_PKG_DIGEST_LEN],
      loop_digest[WG_PKG_DIGEST_LEN];
} fixture;

static const char *grant_fmt =
    "[[plugins.enabled]]\nid = \"project:%s\"\n[plugins.enabled.grants]\n"
    "id = \"project:%s\"\nversion = \"1.0.0\"\ndigest = \"%s\"\n"
    "permissions = [ { kind = \"surface\", surface = \"tool\" }, "
    "{ kind = \"tool\", name = \"%s\" } ]\n";

/* Writes wasmgate.toml; sum_digest lets a test bind json-sum's grant to a
 * stale digest. */
static bool write_config(const fixture *f, const char *sum_digest, unsigned timeout_ms,
                         const char *extra) {
  char text[4096], path[160];
  int n = snprintf(text, sizeof text, "[feature.plugins]\nenabled = true\n");
  n += snprintf(text + n, sizeof text - (size_t)n, grant_fmt, "echo", "echo", f->echo_digest, "Echo");
  n += snprintf(text + n, sizeof text - (size_t)n, grant_fmt, "json-sum", "json-sum", sum_digest,
                "JsonSum");
  n += snprintf(text + n, sizeof text - (size_t)n, grant_fmt, "loop", "loop", f->loop_digest, "Loop");
  n += snprintf(text + n, sizeof text - (size_t)n,
                "[limits]\nfuel = 1000000000000\ntimeout_ms = %u\n[history]\nfsync = \"never\"\n%s",
                timeout_ms, extra ? extra : "");
  snprintf(path, sizeof path, "%s/wasmgate.toml", f->ws);
  return rt_write_file(path, text, (size_t)n);
}

static bool setup(fixture *f) {
  memset(f, 0, sizeof *f);
  snprintf(f->root, sizeof f->root, "/tmp/wg_workspace_XXXXXX");
  if (!mkdtemp(f->root)) return false;
  snprintf(f->ws, sizeof f->ws, "%s/ws", f->root);
  snprintf(f->nouser, sizeof f->nouser, "%s/no-user-store", f->root);
  snprintf(f->hist, sizeof f->hist, "%s/.wasmgate/history.jsonl", f->ws);
  char p[512];
  mkdir(f->ws, 0700);
  snprintf(p, sizeof p, "%s/.yoi", f->ws);
  mkdir(p, 0700);
  snprintf(f->store, sizeof f->store, "%s/.yoi/plugins", f->ws);
  mkdir(f->store, 0700);
  const char *zips[] = {"echo", "json-sum"};
  for (int i = 0; i < 2; i++) {
    char from[512];
    snprintf(from, sizeof from, "%s/%s.yoi-plugin", RT_EXAMPLES_DIR, zips[i]);
    snprintf(p, sizeof p, "%s/%s.yoi-plugin", f->store, zips[i]);
    if (!rt_copy_file(from, p)) return false;
    rt_digest_of(p, i == 0 ? f->echo_digest : f->sum_digest);
  }
  /* loop: a directory package */
  snprintf(p, sizeof p, "%s/loop.yoi-plugin", f->store);
  mkdir(p, 0700);
  char from[512], to[600];
  snprintf(from, sizeof from, "%s/loop.wasm", RT_FIXTURE_DIR);
  snprintf(to, sizeof to, "%s/plugin.wasm", p);
  if (!rt_copy_file(from, to)) return false;
  snprintf(from, sizeof from, "%s/loop/plugin.toml", RT_PACKAGES_DIR);
  snprintf(to, sizeof to, "%s/plugin.toml", p);
  if (!rt_copy_file(from, to)) return false;
  rt_digest_of(p, f->loop_digest);
  return f->echo_digest[0] && f->sum_digest[0] && f->loop_digest[0] &&
         write_config(f, f->sum_digest, 20000, NULL);
}

static void teardown(fixture *f) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", f->root);
}

static wg_workspace *open_ws(const fixture *f) {
  wg_workspace_options o = {.workspace = f->ws, .user_store = f->nouser};
  wg_workspace *ws = NULL;
  wg_config_error err;
  wg_plugin_set_code st = wg_workspace_open(&o, &ws, &err);
  if (st != WG_PLUGIN_SET_OK) fprintf(stderr, "open: %s: %s\n", wg_plugin_set_code_name(st), err.message);
  return ws;
}

/* The history's records, parsed (NULL entries for lines that do not
 * parse); returns the count. */
static size_t read_history(const char *path, wg_json_doc **docs, size_t max) {
  size_t len = 0;
  uint8_t *text = rt_read_file(path, &len);
  size_t n = 0;
  for (size_t i = 0, start = 0; text && i < len; i++) {
    if (text[i] != '\n') continue;
    if (n < max) docs[n] = wg_history_parse_line((const char *)text + start, i - start, 0);
    n++;
    start = i + 1;
  }
  free(text);
  return n;
}

static void free_docs(wg_json_doc **docs, size_t n) {
  for (size_t i = 0; i < n; i++) wg_json_free(docs[i]);
}

static const char *field(wg_json_doc *d, const char *key) {
  return d ? wg_json_str(wg_json_get(wg_json_root(d), key)) : NULL;
}

static void test_call_records_both_records(void) {
  fixture f;
  REQUIRE(setup(&f));
  wg_workspace *ws = open_ws(&f);
  REQUIRE(ws);
  const wg_registry *reg = wg_workspace_registry(ws);
  REQUIRE(reg->count == 3);
  CHECK_STR(reg->tools[0].name, "Echo");
  CHECK_STR(wg_workspace_history_path(ws), f.hist);
  CHECK_U64(wg_workspace_limits(ws)->fuel, 1000000000000ull);
  wg_call_result r;
  const char *in = "{\"numbers\":[2,3], \"a\":1}";
  CHECK_INT(wg_workspace_call(ws, "JsonSum", in, strlen(in), NULL, NULL, &r), WG_ERR_SCHEMA_MISMATCH);
  CHECK(r.recorded);
  CHECK_STR(r.history_error, "");
  CHECK(strncmp(r.call_id, "call_", 5) == 0 && strlen(r.call_id) == 29);
  char first_id[WG_CALL_ID_MAX + 1];
  snprintf(first_id, sizeof first_id, "%s", r.call_id);
  wg_call_result_free(&r);
  in = "{\"numbers\":[2,3]}";
  CHECK_INT(wg_workspace_call(ws, "JsonSum", in, strlen(in), NULL, "mcp-7:req.1", &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "sum: 5 (2 numbers)");
  CHECK_STR(r.call_id, "mcp-7:req.1");
  CHECK(r.recorded);
  wg_call_result_free(&r);
  wg_json_doc *d[8] = {0};
  REQUIRE(read_history(f.hist, d, 8) == 4);
  /* The schema rejected the first call after its arguments were recorded. */
  CHECK_STR(field(d[0], "kind"), "tool_call");
  CHECK_STR(field(d[0], "call_id"), first_id);
  CHECK_STR(field(d[0], "name"), "JsonSum");
  const wg_json *args = d[0] ? wg_json_get(wg_json_root(d[0]), "arguments") : NULL;
  CHECK(args && args->type == WG_JSON_OBJECT && args->u.object.count == 2);
  CHECK_STR(field(d[1], "kind"), "tool_result");
  CHECK_STR(field(d[1], "call_id"), first_id);
  CHECK_STR(field(d[3], "call_id"), "mcp-7:req.1");
  CHECK_STR(field(d[3], "summary"), "sum: 5 (2 numbers)");
  const wg_json *origin = d[2] ? wg_json_get(wg_json_root(d[2]), "origin") : NULL;
  CHECK_STR(wg_json_str(wg_json_get(origin, "plugin")), "project:json-sum");
  CHECK_STR(wg_json_str(wg_json_get(origin, "digest")), f.sum_digest);
  free_docs(d, 4);
  /* A call id that could not be written as it is: refused, nothing written. */
  CHECK_INT(wg_workspace_call(ws, "Echo", "{}", 2, NULL, "bad id\n", &r), WG_ERR_INVALID_INPUT);
  CHECK_STR(r.error.message, "call id must be 1 to 64 characters of [A-Za-z0-9._:-]");
  CHECK(!r.recorded);
  wg_call_result_free(&r);
  wg_json_doc *again[8] = {0};
  CHECK_INT(read_history(f.hist, again, 8), 4);
  free_docs(again, 8);
  wg_workspace_close(ws);
  teardown(&f);
}

/* The tool_call record is on disk while the guest is still running: a
 * watcher sees it before the call (a guest loop ended by a 1 s deadline)
 * returns. */
typedef struct watcher {
  const char *hist;
  atomic_int returned; /* set by the caller when the call is over */
  int seen_while_running;
} watcher;

static void *watch(void *p) {
  watcher *w = p;
  while (!atomic_load(&w->returned) && !w->seen_while_running) {
    wg_json_doc *d[4] = {0};
    size_t n = read_history(w->hist, d, 4);
    bool call = n == 1 && field(d[0], "kind") && strcmp(field(d[0], "kind"), "tool_call") == 0;
    free_docs(d, n < 4 ? n : 4);
    if (call && !atomic_load(&w->returned)) w->seen_while_running = 1;
    else usleep(2000);
  }
  return NULL;
}

static void test_tool_call_written_before_the_guest_runs(void) {
  fixture f;
  REQUIRE(setup(&f));
  REQUIRE(write_config(&f, f.sum_digest, 1000, NULL));
  wg_workspace *ws = open_ws(&f);
  REQUIRE(ws);
  watcher w = {.hist = f.hist};
  atomic_init(&w.returned, 0);
  pthread_t th;
  REQUIRE(pthread_create(&th, NULL, watch, &w) == 0);
  wg_call_result r;
  wg_err code = wg_workspace_call(ws, "Loop", "{\"x\":1}", 7, NULL, NULL, &r);
  atomic_store(&w.returned, 1);
  pthread_join(th, NULL);
  CHECK_INT(code, WG_ERR_TIMEOUT);
  CHECK_INT(w.seen_while_running, 1);
  CHECK(r.stats.fuel_used > 0); /* the guest ran until its deadline */
  CHECK(r.recorded);
  wg_call_result_free(&r);
  wg_json_doc *d[4] = {0};
  REQUIRE(read_history(f.hist, d, 4) == 2);
  CHECK_STR(field(d[1], "kind"), "tool_result");
  const wg_json *err = d[1] ? wg_json_get(wg_json_root(d[1]), "error") : NULL;
  CHECK_STR(wg_json_str(wg_json_get(err, "code")), "timeout");
  free_docs(d, 2);
  /* A cancel that comes before the call: recorded, cancelled, no guest. */
  wg_cancel cancel;
  wg_cancel_init(&cancel);
  wg_cancel_request(&cancel);
  CHECK_INT(wg_workspace_call(ws, "Echo", "{}", 2, &cancel, NULL, &r), WG_ERR_CANCELLED);
  CHECK_U64(r.stats.fuel_used, 0);
  CHECK(r.recorded);
  wg_call_result_free(&r);
  wg_workspace_close(ws);
  teardown(&f);
}

/* Every way the tool_call record can fail to be written stops the call
 * before the schema, the package or the guest. */
static void test_unwritable_history_fails_closed(void) {
  fixture f;
  REQUIRE(setup(&f));
  char dir[256], target[256];
  snprintf(dir, sizeof dir, "%s/.wasmgate", f.ws);
  snprintf(target, sizeof target, "%s/elsewhere.jsonl", f.root);
  REQUIRE(mkdir(dir, 0700) == 0);
  const char *why[] = {
    "the tool_call record could not be written: cannot open the history file: "
    "Too many levels of symbolic links",
    "the tool_call record could not be written: cannot open the history file: Is a directory",
    "the tool_call record could not be written: the history file is not a regular file",
  };
  for (int i = 0; i < 3; i++) {
    if (i == 0) REQUIRE(symlink(target, f.hist) == 0);
    if (i == 1) REQUIRE(mkdir(f.hist, 0700) == 0);
    if (i == 2) REQUIRE(mkfifo(f.hist, 0600) == 0);
    wg_workspace *ws = open_ws(&f);
    REQUIRE(ws);
    wg_call_result r;
    CHECK_INT(wg_workspace_call(ws, "Loop", "{}", 2, NULL, NULL, &r), WG_ERR_INTERNAL);
    CHECK(r.is_error);
    CHECK_U64(r.stats.fuel_used, 0);
    CHECK_U64(r.stats.memory_peak_bytes, 0);
    CHECK(!r.recorded);
    CHECK_STR(r.history_error, why[i]);
    char want[512];
    snprintf(want, sizeof want, "the call was not run: its tool_call record could not be written "
             "to the history: %s", why[i] + strlen("the tool_call record could not be written: "));
    CHECK_STR(r.error.message, want);
    CHECK(strstr(r.summary, f.root) == NULL);
    wg_call_result_free(&r);
    /* An unknown tool is refused the same way. */
    CHECK_INT(wg_workspace_call(ws, "Nope", "{}", 2, NULL, NULL, &r), WG_ERR_INTERNAL);
    CHECK(!r.recorded);
    wg_call_result_free(&r);
    wg_workspace_close(ws);
    if (i == 1) rmdir(f.hist);
    else unlink(f.hist);
  }
  struct stat st;
  CHECK(lstat(target, &st) != 0 && errno == ENOENT); /* nothing written through the link */
  teardown(&f);
}

/* The tool_call record fits, the tool_result does not (RLIMIT_FSIZE): the
 * result is still returned, and says its record is missing. */
static void test_tool_result_write_failure_reported(void) {
  fixture f;
  REQUIRE(setup(&f));
  wg_workspace *ws = open_ws(&f);
  REQUIRE(ws);
  char in[2048], in2[2048];
  int n = snprintf(in, sizeof in, "{\"pad\":\"%01500d\"}", 0);
  int n2 = snprintf(in2, sizeof in2, "{\"pad\":\"%01300d\"}", 0);
  wg_call_result r;
  CHECK_INT(wg_workspace_call(ws, "Echo", in, (size_t)n, NULL, NULL, &r), WG_ERR_NONE);
  wg_call_result_free(&r);
  struct stat st;
  REQUIRE(stat(f.hist, &st) == 0);
  /* Each record of that call was about 1.6 KB: allow one more tool_call. */
  off_t one_call = st.st_size / 2;
  struct rlimit old, lim;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
  lim = old;
  lim.rlim_cur = (rlim_t)(st.st_size + one_call - 64);
  void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
  REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
  /* Same size of arguments, but the content is the canonical input plus
   * the result's own fields: the second record is the longer one. */
  wg_err code = wg_workspace_call(ws, "Echo", in2, (size_t)n2, NULL, NULL, &r);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, prev);
  CHECK_INT(code, WG_ERR_NONE);
  CHECK_STR(r.summary, "echo");
  CHECK(!r.recorded);
  CHECK_STR(r.history_error, "the tool_result record could not be written: cannot write the "
                             "history file: File too large");
  wg_call_result_free(&r);
  /* The failed record was cut off again: three whole records remain. */
  wg_json_doc *d[4] = {0};
  CHECK_INT(read_history(f.hist, d, 4), 3);
  CHECK(d[0] && d[1] && d[2]);
  CHECK_STR(field(d[2], "kind"), "tool_call");
  free_docs(d, 3);
  size_t len = 0;
  uint8_t *text = rt_read_file(f.hist, &len);
  CHECK(text && len > 0 && text[len - 1] == '\n');
  free(text);
  wg_workspace_close(ws);
  teardown(&f);
}

static void test_unknown_and_rejected_tools_say_why(void) {
  fixture f;
  REQUIRE(setup(&f));
  /* json-sum's grant is bound to echo's digest: a stale grant. */
  REQUIRE(write_config(&f, f.echo_digest, 20000, NULL));
  wg_workspace *ws = open_ws(&f);
  REQUIRE(ws);
  const wg_registry *reg = wg_workspace_registry(ws);
  CHECK_INT(reg->count, 2);
  REQUIRE(reg->diag_count == 1);
  CHECK_STR(reg->diags[0].plugin, "project:json-sum");
  CHECK_STR(reg->diags[0].message, "plugin `project:json-sum` was rejected: plugin grant digest "
                                   "binding does not match enabled package digest");
  wg_call_result r;
  const char *in = "{\"numbers\": [1]}";
  CHECK_INT(wg_workspace_call(ws, "JsonSum", in, strlen(in), NULL, NULL, &r), WG_ERR_UNKNOWN_TOOL);
  CHECK_STR(r.error.message, "no registered tool has this name; tool `JsonSum` is declared by "
                             "plugin `project:json-sum`, which was rejected: plugin grant digest "
                             "binding does not match enabled package digest");
  CHECK(strstr(r.summary, f.root) == NULL);
  CHECK(r.recorded);
  wg_call_result_free(&r);
  CHECK_INT(wg_workspace_call(ws, "Nope", "{\"b\":1,\"a\":2}", 13, NULL, NULL, &r),
            WG_ERR_UNKNOWN_TOOL);
  CHECK_STR(r.error.message, "no registered tool has this name; 1 enabled plugin(s) were "
                             "rejected; first: `project:json-sum`: plugin grant digest binding "
                             "does not match enabled package digest");
  wg_call_result_free(&r);
  wg_json_doc *d[8] = {0};
  REQUIRE(read_history(f.hist, d, 8) == 4);
  /* The unknown call's arguments are recorded (canonical), with no origin. */
  const wg_json *root = d[2] ? wg_json_root(d[2]) : NULL;
  const wg_json *args = wg_json_get(root, "arguments");
  CHECK(args && args->u.object.count == 2 && strcmp(args->u.object.members[0].key, "a") == 0);
  const wg_json *origin = wg_json_get(root, "origin");
  CHECK(origin && origin->type == WG_JSON_NULL);
  free_docs(d, 4);
  wg_workspace_close(ws);
  /* Plugins switched off: said so. */
  char path[160];
  snprintf(path, sizeof path, "%s/wasmgate.toml", f.ws);
  REQUIRE(rt_write_file(path, "", 0));
  ws = open_ws(&f);
  REQUIRE(ws);
  CHECK_INT(wg_workspace_call(ws, "Echo", "{}", 2, NULL, NULL, &r), WG_ERR_UNKNOWN_TOOL);
  CHECK_STR(r.error.message, "no registered tool has this name; plugins are not enabled "
                             "([feature.plugins] enabled = true)");
  wg_call_result_free(&r);
  wg_workspace_close(ws);
  teardown(&f);
}

/* One workspace, 8 threads, 100 calls each: every call has its two whole
 * records, with matching ids. */
typedef struct worker {
  wg_workspace *ws;
  int index, failures;
} worker;

static void *work(void *p) {
  worker *w = p;
  for (int i = 0; i < 100; i++) {
    char in[64];
    int n = snprintf(in, sizeof in, "{\"numbers\":[%d,%d]}", w->index, i);
    wg_call_result r;
    bool echo = (i + w->index) % 2 == 0;
    wg_err code = wg_workspace_call(w->ws, echo ? "Echo" : "JsonSum", in, (size_t)n, NULL, NULL, &r);
    if (code != WG_ERR_NONE || !r.recorded) w->failures++;
    wg_call_result_free(&r);
  }
  return NULL;
}

static void test_threads_share_one_workspace(void) {
  fixture f;
  REQUIRE(setup(&f));
  wg_workspace *ws = open_ws(&f);
  REQUIRE(ws);
  enum { THREADS = 8 };
  worker w[THREADS];
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (worker){ws, i, 0};
    REQUIRE(pthread_create(&th[i], NULL, work, &w[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) {
    pthread_join(th[i], NULL);
    CHECK_INT(w[i].failures, 0);
  }
  enum { RECORDS = THREADS * 100 * 2 };
  wg_json_doc **d = calloc(RECORDS + 1, sizeof *d);
  REQUIRE(d);
  size_t n = read_history(f.hist, d, RECORDS + 1);
  CHECK_INT(n, RECORDS);
  size_t calls = 0, results = 0, paired = 0;
  for (size_t i = 0; i < n && i < RECORDS; i++) {
    const char *kind = field(d[i], "kind");
    CHECK(kind != NULL);
    if (!kind) continue;
    if (strcmp(kind, "tool_call") == 0) {
      calls++;
      continue;
    }
    results++;
    /* Its tool_call came earlier in the file. */
    for (size_t k = 0; k < i; k++) {
      if (field(d[k], "call_id") && strcmp(field(d[k], "call_id"), field(d[i], "call_id")) == 0 &&
          strcmp(field(d[k], "kind"), "tool_call") == 0) {
        paired++;
        break;
      }
    }
  }
  CHECK_INT(calls, RECORDS / 2);
  CHECK_INT(results, RECORDS / 2);
  CHECK_INT(paired, RECORDS / 2);
  free_docs(d, n < RECORDS ? n : RECORDS);
  free(d);
  wg_workspace_close(ws);
  teardown(&f);
}

static void test_open_errors_name_the_step(void) {
  fixture f;
  REQUIRE(setup(&f));
  wg_workspace *ws = (wg_workspace *)1;
  wg_config_error err;
  char missing[160];
  snprintf(missing, sizeof missing, "%s/nope", f.root);
  wg_workspace_options o = {.workspace = missing};
  CHECK_INT(wg_workspace_open(&o, &ws, &err), WG_PLUGIN_SET_WORKSPACE);
  CHECK(ws == NULL);
  REQUIRE(write_config(&f, f.sum_digest, 20000, "[limits]\n"));
  o.workspace = f.ws;
  CHECK_INT(wg_workspace_open(&o, &ws, &err), WG_PLUGIN_SET_CONFIG);
  CHECK(err.line > 0);
  teardown(&f);
}

WG_TEST_LIST {
  WG_TEST(test_call_records_both_records),
  WG_TEST(test_tool_call_written_before_the_guest_runs),
  WG_TEST(test_unwritable_history_fails_closed),
  WG_TEST(test_tool_result_write_failure_reported),
  WG_TEST(test_unknown_and_rejected_tools_say_why),
  WG_TEST(test_threads_share_one_workspace),
  WG_TEST(test_open_errors_name_the_step),
};
WG_TEST_MAIN()
