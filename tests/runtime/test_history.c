/* test_history.c: the JSON Lines history (docs/runtime.md#history): record
 * format, one line per record, tail reading, a torn last line skipped,
 * oversized records truncated with a marker, and concurrent appends from
 * two processes keeping every line whole. */
#include "../harness.h"
#include "rt_test_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const wg_history_origin origin = {"project:echo", "1.0.0", RT_DIGEST};

static char tmpdir[256];

static void make_tmpdir(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/wg_history_XXXXXX");
  if (!mkdtemp(tmpdir)) tmpdir[0] = '\0';
}

static void path_in_tmp(char *out, size_t size, const char *name) {
  snprintf(out, size, "%s/%s", tmpdir, name);
}

/* A successful result with the given arguments and content. */
static wg_call_result fake_result(const char *args, const char *content) {
  wg_call_result r = {0};
  r.arguments = strdup(args);
  r.arguments_len = strlen(args);
  r.summary = strdup("done");
  r.summary_len = 4;
  if (content) {
    r.content = strdup(content);
    r.content_len = strlen(content);
  }
  r.stats.fuel_used = 10, r.stats.wall_ns = 20, r.stats.memory_peak_bytes = 65536;
  r.stats.started_unix_ns = 1700000000123456789ull;
  return r;
}

static wg_json_doc *parse(const char *text) {
  return wg_json_parse(text, strlen(text), NULL, NULL);
}

static const char *str_of(const wg_json *obj, const char *key) {
  return wg_json_str(wg_json_get(obj, key));
}

static void test_record_format(void) {
  wg_call_result r = fake_result("{\"a\":1e400}", "out");
  wg_buf b;
  wg_buf_init(&b, 0);
  REQUIRE(wg_history_format_call("c1", "Echo", &origin, &r, 0, &b));
  wg_json_doc *d = parse(b.data);
  REQUIRE(d);
  const wg_json *o = wg_json_root(d);
  CHECK_STR(str_of(o, "kind"), "tool_call");
  CHECK_STR(str_of(o, "call_id"), "c1");
  CHECK_STR(str_of(o, "name"), "Echo");
  CHECK_STR(wg_json_get(wg_json_get(o, "arguments"), "a")->u.number.text, "1e400");
  const char *ts = str_of(o, "timestamp");
  REQUIRE(ts);
  CHECK_STR(ts, "2023-11-14T22:13:20.123Z"); /* the call's start */
  CHECK_STR(str_of(wg_json_get(o, "origin"), "plugin"), "project:echo");
  CHECK_STR(str_of(wg_json_get(o, "origin"), "version"), "1.0.0");
  CHECK_STR(str_of(wg_json_get(o, "origin"), "digest"), RT_DIGEST);
  CHECK(strchr(b.data, '\n') == NULL);
  wg_json_free(d);

  REQUIRE(wg_history_format_result("c1", &origin, &r, 0, &b));
  d = parse(b.data);
  REQUIRE(d);
  o = wg_json_root(d);
  CHECK_STR(str_of(o, "kind"), "tool_result");
  CHECK_INT(strlen(str_of(o, "timestamp")), 24); /* when the result was written */
  CHECK(str_of(o, "timestamp")[10] == 'T' && str_of(o, "timestamp")[23] == 'Z');
  CHECK_STR(str_of(o, "summary"), "done");
  CHECK_STR(str_of(o, "content"), "out");
  CHECK_INT(wg_json_get(o, "is_error")->type, WG_JSON_FALSE);
  CHECK(wg_json_get(o, "error") == NULL);
  CHECK(wg_json_get(o, "truncated") == NULL);
  int64_t v = 0;
  CHECK(wg_json_to_int64(wg_json_get(wg_json_get(o, "stats"), "fuel_used"), &v) && v == 10);
  CHECK(wg_json_to_int64(wg_json_get(wg_json_get(o, "stats"), "memory_peak_bytes"), &v) &&
        v == 65536);
  wg_json_free(d);
  wg_buf_free(&b);
  wg_call_result_free(&r);
}

/* An error lands as an ordinary record: is_error, yoi's text, the object. */
static void test_error_record(void) {
  wg_module *m = rt_load("wasi", false);
  REQUIRE(m);
  wg_call_request req = rt_request(m, "T", "{}");
  wg_call_result r;
  CHECK_INT(wg_call(&req, &r), WG_ERR_LINK_ERROR);
  wg_buf b;
  wg_buf_init(&b, 0);
  REQUIRE(wg_history_format_result("c2", &origin, &r, 0, &b));
  wg_json_doc *d = parse(b.data);
  REQUIRE(d);
  const wg_json *o = wg_json_root(d);
  CHECK_INT(wg_json_get(o, "is_error")->type, WG_JSON_TRUE);
  CHECK(wg_json_get(o, "content") == NULL);
  CHECK(strncmp(str_of(o, "summary"), "Execution failed: plugin WASM tool `T`", 38) == 0);
  CHECK_STR(str_of(wg_json_get(o, "error"), "code"), "link_error");
  CHECK_STR(str_of(wg_json_get(o, "error"), "digest"), RT_DIGEST);
  wg_json_free(d);
  wg_buf_free(&b);
  wg_call_result_free(&r);
  wg_module_release(m);
}

static void test_oversized_record_is_truncated_with_marker(void) {
  char *big = malloc(70000);
  REQUIRE(big);
  memset(big, 'x', 65536);
  big[65536] = '\0';
  char *args = malloc(70000);
  REQUIRE(args);
  snprintf(args, 70000, "{\"s\":\"%s\"}", big + 10);
  wg_call_result r = fake_result(args, big);
  wg_buf b;
  wg_buf_init(&b, 0);
  REQUIRE(wg_history_format_result("c3", &origin, &r, 4096, &b));
  CHECK(b.len <= 4096);
  wg_json_doc *d = parse(b.data);
  REQUIRE(d);
  const wg_json *t = wg_json_get(wg_json_root(d), "truncated");
  REQUIRE(t);
  int64_t v = 0;
  CHECK(wg_json_to_int64(wg_json_get(t, "content_bytes"), &v) && v == 65536);
  CHECK(strlen(str_of(wg_json_root(d), "content")) < 4096);
  CHECK_STR(str_of(wg_json_root(d), "summary"), "done");
  wg_json_free(d);

  REQUIRE(wg_history_format_call("c3", "Echo", &origin, &r, 4096, &b));
  CHECK(b.len <= 4096);
  d = parse(b.data);
  REQUIRE(d);
  t = wg_json_get(wg_json_root(d), "truncated");
  REQUIRE(t);
  CHECK_STR(str_of(t, "field"), "arguments");
  CHECK(wg_json_to_int64(wg_json_get(t, "original_bytes"), &v) && v == (int64_t)strlen(args));
  CHECK_INT(wg_json_get(wg_json_root(d), "arguments")->type, WG_JSON_STRING);
  wg_json_free(d);
  wg_buf_free(&b);
  wg_call_result_free(&r);
  free(big);
  free(args);
}

/* Deeply nested arguments (as deep as a 64 KiB input allows) read back. */
static void test_deep_arguments_read_back(void) {
  char path[512];
  path_in_tmp(path, sizeof path, "deep.jsonl");
  size_t depth = 20000;
  char *args = malloc(depth * 2 + 16);
  REQUIRE(args);
  size_t n = (size_t)sprintf(args, "{\"d\":");
  for (size_t i = 0; i < depth; i++) args[n++] = '[';
  for (size_t i = 0; i < depth; i++) args[n++] = ']';
  args[n++] = '}';
  args[n] = '\0';
  wg_call_result r = fake_result(args, NULL);
  char err[128];
  wg_history *h = wg_history_open(path, &(wg_history_options){.fsync = false}, err, sizeof err);
  REQUIRE(h);
  CHECK(wg_history_append_call(h, "deep", "Echo", &origin, &r, err, sizeof err));
  wg_history_close(h);
  wg_history_lines l;
  REQUIRE(wg_history_read(path, 0, 0, &l, err, sizeof err));
  CHECK_INT(l.count, 2);
  CHECK_INT(l.skipped, 0);
  wg_history_lines_free(&l);
  wg_call_result_free(&r);
  free(args);
  unlink(path);
}

static void append_calls(wg_history *h, const char *prefix, int count) {
  for (int i = 0; i < count; i++) {
    char id[64], args[64];
    snprintf(id, sizeof id, "%s-%d", prefix, i);
    snprintf(args, sizeof args, "{\"i\":%d}", i);
    wg_call_result r = fake_result(args, "content");
    char err[128];
    CHECK(wg_history_append_call(h, id, "Echo", &origin, &r, err, sizeof err));
    wg_call_result_free(&r);
  }
}

static void test_append_read_tail_and_torn_line(void) {
  char path[512];
  path_in_tmp(path, sizeof path, "h1.jsonl");
  char err[128];
  wg_history *h = wg_history_open(path, NULL, err, sizeof err); /* fsync on */
  REQUIRE(h);
  append_calls(h, "a", 3);
  wg_history_lines l;
  REQUIRE(wg_history_read(path, 0, 0, &l, err, sizeof err));
  CHECK_INT(l.count, 6);
  CHECK_INT(l.skipped, 0);
  wg_history_lines_free(&l);
  REQUIRE(wg_history_read(path, 2, 0, &l, err, sizeof err));
  REQUIRE(l.count == 2);
  CHECK_CONTAINS(l.lines[0], "\"kind\":\"tool_call\",\"call_id\":\"a-2\"");
  CHECK_CONTAINS(l.lines[1], "\"kind\":\"tool_result\",\"call_id\":\"a-2\"");
  wg_history_lines_free(&l);

  /* A crash mid-record leaves a torn last line. */
  int fd = open(path, O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  CHECK(write(fd, "{\"kind\":\"tool_ca", 16) == 16);
  close(fd);
  REQUIRE(wg_history_read(path, 0, 0, &l, err, sizeof err));
  CHECK_INT(l.count, 6);
  CHECK_INT(l.skipped, 1);
  wg_history_lines_free(&l);
  /* The next append starts a new line: the torn text stays one bad line. */
  append_calls(h, "b", 1);
  REQUIRE(wg_history_read(path, 0, 0, &l, err, sizeof err));
  CHECK_INT(l.count, 8);
  CHECK_INT(l.skipped, 1);
  CHECK_CONTAINS(l.lines[7], "\"call_id\":\"b-0\"");
  wg_history_lines_free(&l);
  wg_history_close(h);
  unlink(path);
  CHECK(!wg_history_read(path, 0, 0, &l, err, sizeof err));
  CHECK(strstr(err, tmpdir) == NULL); /* messages name no path */
}

static void test_two_processes_append_whole_lines(void) {
  char path[512];
  path_in_tmp(path, sizeof path, "h2.jsonl");
  wg_history_options opts = {.fsync = false};
  pid_t kids[2];
  for (int p = 0; p < 2; p++) {
    kids[p] = fork();
    REQUIRE(kids[p] >= 0);
    if (kids[p] == 0) {
      char err[128];
      wg_history *h = wg_history_open(path, &opts, err, sizeof err);
      if (!h) _exit(2);
      char prefix[8];
      snprintf(prefix, sizeof prefix, "p%d", p);
      append_calls(h, prefix, 300);
      wg_history_close(h);
      _exit(wg_test_state_.failures_in_test ? 1 : 0);
    }
  }
  for (int p = 0; p < 2; p++) {
    int status = 0;
    waitpid(kids[p], &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  wg_history_lines l;
  char err[128];
  REQUIRE(wg_history_read(path, 0, 0, &l, err, sizeof err));
  CHECK_INT(l.count, 1200);
  CHECK_INT(l.skipped, 0);
  /* Each process's records stay in its own order, call before result. */
  int next[2] = {0, 0};
  bool in_order = true;
  for (size_t i = 0; i < l.count; i++) {
    const char *id = strstr(l.lines[i], "\"call_id\":\"p");
    if (!id) { in_order = false; break; }
    int p = id[12] - '0', k = atoi(id + 14);
    bool is_call = strstr(l.lines[i], "\"kind\":\"tool_call\"") != NULL;
    if (k != next[p] / 2 || is_call != (next[p] % 2 == 0)) in_order = false;
    next[p]++;
  }
  CHECK(in_order);
  CHECK_INT(next[0], 600);
  CHECK_INT(next[1], 600);
  wg_history_lines_free(&l);
  unlink(path);
}

WG_TEST_LIST {
  WG_TEST(test_record_format),
  WG_TEST(test_error_record),
  WG_TEST(test_oversized_record_is_truncated_with_marker),
  WG_TEST(test_append_read_tail_and_torn_line),
  WG_TEST(test_deep_arguments_read_back),
  WG_TEST(test_two_processes_append_whole_lines),
};

static int run_all(int argc, char **argv);
int main(int argc, char **argv) {
  make_tmpdir();
  int rc = run_all(argc, argv);
  if (tmpdir[0]) rmdir(tmpdir);
  return rc;
}
#define main run_all
WG_TEST_MAIN()
