/* test_runtime.c: one bounded tool call through wg_call on real wasm: the
 * example plugins (C PDK), the wat/ fixtures and output modules built in
 * memory. Each test states one rule of the call sequence, the limits, the
 * error model or the ABI (docs/design.md, docs/runtime.md) and asserts the
 * exact code, message and result. */
#include "../harness.h"
#include "rt_test_util.h"
#include "wasmgate/package.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Runs one call and returns its code; the result stays in *r. */
static wg_err run(const wg_module *m, const char *tool, const char *input,
                  wg_call_result *r) {
  wg_call_request req = rt_request(m, tool, input);
  return wg_call(&req, r);
}

/* ---- Success and input ------------------------------------------------- */

static void test_echo_success_canonical_input(void) {
  wg_module *m = rt_load("echo", true);
  REQUIRE(m);
  wg_call_result r;
  CHECK_INT(run(m, "Echo", "{ \"b\" : 1, \"a\" : [true, null, \"\\u00e9\"] }", &r), WG_ERR_NONE);
  CHECK(!r.is_error);
  CHECK_STR(r.summary, "echo");
  CHECK_STR(r.content, "{\"a\":[true,null,\"\xc3\xa9\"],\"b\":1}");
  CHECK_STR(r.arguments, "{\"a\":[true,null,\"\xc3\xa9\"],\"b\":1}");
  CHECK(r.stats.fuel_used > 0);
  CHECK(r.stats.memory_peak_bytes > 0 && r.stats.memory_peak_bytes % 65536 == 0);
  wg_call_result_free(&r);
  wg_module_release(m);
}

/* Valid JSON is never rejected for its numbers or bounded nesting. */
static void test_numbers_and_nesting_pass_verbatim(void) {
  wg_module *m = rt_load("echo", true);
  REQUIRE(m);
  wg_call_result r;
  const char *in = "{\"z\":-0.0,\"y\":123456789012345678901234567890,\"x\":1e400,\"w\":1E-400}";
  CHECK_INT(run(m, "Echo", in, &r), WG_ERR_NONE);
  CHECK_STR(r.content, "{\"w\":1E-400,\"x\":1e400,\"y\":123456789012345678901234567890,\"z\":-0.0}");
  wg_call_result_free(&r);
  /* 5,000 nested arrays inside the object. */
  size_t depth = 5000;
  char *deep = malloc(depth * 2 + 16);
  REQUIRE(deep);
  size_t n = 0;
  n += (size_t)sprintf(deep, "{\"d\":");
  for (size_t i = 0; i < depth; i++) deep[n++] = '[';
  for (size_t i = 0; i < depth; i++) deep[n++] = ']';
  deep[n++] = '}';
  deep[n] = '\0';
  CHECK_INT(run(m, "Echo", deep, &r), WG_ERR_NONE);
  CHECK_STR(r.content, deep);
  wg_call_result_free(&r);
  free(deep);
  wg_module_release(m);
}

static void test_invalid_input_codes(void) {
  wg_module *m = rt_load("echo", true);
  REQUIRE(m);
  const char *bad[] = {"{\"a\":1} x", "{\"a\":\"\\ud800\"}", "{\"a\":1,\"a\":2}",
                       "{\"a\":NaN}", "", "{\"a\":\"\x01\"}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    wg_call_result r;
    CHECK_INT(run(m, "Echo", bad[i], &r), WG_ERR_INVALID_INPUT);
    CHECK(r.is_error);
    CHECK(strncmp(r.error.message, "plugin tool `Echo` input is not valid JSON: ", 44) == 0);
    CHECK(strncmp(r.summary, "Invalid argument: plugin tool `Echo` input is not valid JSON", 60) == 0);
    CHECK(r.content == NULL);
    wg_call_result_free(&r);
  }
  const char *not_object[] = {"[1]", "\"s\"", "1", "null"};
  for (size_t i = 0; i < 4; i++) {
    wg_call_result r;
    CHECK_INT(run(m, "Echo", not_object[i], &r), WG_ERR_INVALID_INPUT);
    CHECK_STR(r.error.message, "plugin tool `Echo` input must be a JSON object");
    wg_call_result_free(&r);
  }
  wg_module_release(m);
}

/* {"text":"aaa..."} of exactly `size` bytes. */
static char *input_of_size(size_t size) {
  char *s = malloc(size + 1);
  memcpy(s, "{\"text\":\"", 9);
  memset(s + 9, 'a', size - 11);
  memcpy(s + size - 2, "\"}", 3);
  return s;
}

static void test_input_at_and_past_64k(void) {
  wg_module *m = rt_load("text-stats", true);
  REQUIRE(m);
  char *at = input_of_size(65536), *past = input_of_size(65537);
  wg_call_result r;
  CHECK_INT(run(m, "TextStats", at, &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "words: 1, lines: 1, chars: 65525, bytes: 65525");
  CHECK_INT(r.arguments_len, 65536);
  wg_call_result_free(&r);
  CHECK_INT(run(m, "TextStats", past, &r), WG_ERR_INVALID_INPUT);
  CHECK_STR(r.error.message, "plugin tool `TextStats` input exceeds 65536 bytes");
  CHECK_STR(r.summary, "Invalid argument: plugin tool `TextStats` input exceeds 65536 bytes");
  wg_call_result_free(&r);
  free(at);
  free(past);
  wg_module_release(m);
}

static const char *sum_schema =
    "{\"type\":\"object\",\"properties\":{\"numbers\":{\"type\":\"array\","
    "\"items\":{\"type\":\"number\"}}},\"required\":[\"numbers\"],"
    "\"additionalProperties\":false}";

static void test_json_sum_and_schema_mismatch(void) {
  wg_module *m = rt_load("json-sum", true);
  wg_schema *s = rt_schema(sum_schema);
  REQUIRE(m && s);
  wg_call_request req = rt_request(m, "JsonSum", "{\"numbers\":[1,2.5,-3,10]}");
  req.schema = s;
  wg_call_result r;
  CHECK_INT(wg_call(&req, &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "sum: 10.5 (4 numbers)");
  CHECK_STR(r.content, "{\"count\":4,\"sum\":10.5}");
  wg_call_result_free(&r);

  req = rt_request(m, "JsonSum", "{\"numbers\":[1,\"x\"]}");
  req.schema = s;
  CHECK_INT(wg_call(&req, &r), WG_ERR_SCHEMA_MISMATCH);
  CHECK_CONTAINS(r.error.message, "plugin tool `JsonSum` input does not match input_schema at /numbers/1: type");
  CHECK(strncmp(r.summary, "Invalid argument: plugin tool `JsonSum` input does not match", 60) == 0);
  CHECK_INT(r.stats.fuel_used, 0); /* nothing ran */
  CHECK_STR(r.arguments, "{\"numbers\":[1,\"x\"]}"); /* for the history */
  wg_call_result_free(&r);

  req = rt_request(m, "JsonSum", "{\"numbers\":[],\"extra\":true}");
  req.schema = s;
  CHECK_INT(wg_call(&req, &r), WG_ERR_SCHEMA_MISMATCH);
  /* "extra" is the input's key, not the schema's: named by position. */
  CHECK_STR(r.error.message, "plugin tool `JsonSum` input does not match input_schema at /{1}: "
                             "false: schema false allows nothing");
  wg_call_result_free(&r);

  req = rt_request(m, "JsonSum", "{}");
  req.schema = s;
  CHECK_INT(wg_call(&req, &r), WG_ERR_SCHEMA_MISMATCH);
  CHECK_CONTAINS(r.error.message, "required");
  wg_call_result_free(&r);
  wg_schema_free(s);
  wg_module_release(m);
}

static void test_text_stats(void) {
  wg_module *m = rt_load("text-stats", true);
  REQUIRE(m);
  wg_call_result r;
  CHECK_INT(run(m, "TextStats", "{\"text\":\"hello world\\nsecond  line \\u00e9\"}", &r),
            WG_ERR_NONE);
  CHECK_STR(r.summary, "words: 5, lines: 2, chars: 26, bytes: 27");
  CHECK_STR(r.content, "{\"bytes\":27,\"chars\":26,\"lines\":2,\"words\":5}");
  wg_call_result_free(&r);
  CHECK_INT(run(m, "TextStats", "{\"text\":\"\"}", &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "words: 0, lines: 0, chars: 0, bytes: 0");
  wg_call_result_free(&r);
  wg_module_release(m);
}

/* The PDK reader finds members past nested values (brackets and quotes
 * inside strings too), decodes escapes, iterates arrays; the writer escapes. */
static void test_pdk_reader_and_writer(void) {
  wg_module *m = rt_load("pdk_probe", false);
  REQUIRE(m);
  struct { const char *in, *summary; } cases[] = {
    {"{\"k\":\"plain\"}", "s:plain"},
    {"{\"a\":{\"k\":\"inner\"},\"b\":[\"]\",{\"c\":\"}\"}],\"k\":\"outer\"}", "s:outer"},
    {"{\"k\":\"tab\\tnl\\nq\\\"bs\\\\ctl\\u0001\"}", "s:tab\tnl\nq\"bs\\ctl\x01"},
    {"{\"k\":\"\\u00e9\\ud83d\\ude00\"}", "s:\xc3\xa9\xf0\x9f\x98\x80"},
    {"{\"k\":-12.5e1}", "n:-125"},
    {"{\"k\":0.125}", "n:0.125"},
    {"{\"k\":[1,[2,3],\"x\",{\"y\":[4]},2.5]}", "a:5:3.5"},
    {"{\"k\":[]}", "a:0:0"},
    {"{\"k\":{\"w\":[\"x\"],\"x\":\"found\"}}", "o:found"},
    /* wgp_string: a string that fills the buffer exactly fits; one byte
     * more (or a character that would cross the end) is "too small", not
     * "not a string". */
    {"{\"k\":{\"x8\":\"12345678\"}}", "8:12345678"},
    {"{\"k\":{\"x8\":\"123456789\"}}", "8:small"},
    {"{\"k\":{\"x8\":\"abcdef\\u00e9\"}}", "8:abcdef\xc3\xa9"},
    {"{\"k\":{\"x8\":\"abcdefg\\u00e9\"}}", "8:small"},
    {"{\"k\":{\"x8\":\"\\ud83d\\ude00\\ud83d\\ude00\"}}", "8:\xf0\x9f\x98\x80\xf0\x9f\x98\x80"},
    {"{\"k\":{\"x8\":7}}", "8:notstring"},
    {"{\"kk\":1,\"k2\":2}", "none"},
    {"{\"k\":true}", "t:2"},
    {"{\"k\":null}", "t:1"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_call_result r;
    CHECK_INT(run(m, "Probe", cases[i].in, &r), WG_ERR_NONE);
    if (r.summary) CHECK_STR(r.summary, cases[i].summary);
    wg_call_result_free(&r);
  }
  wg_module_release(m);
}

/* ---- Output contract (docs/design.md#output-contract) ----------------- */

/* Calls a module that writes `out` and returns the code; message in msg. */
static wg_err output_case(const char *out, size_t len, uint32_t write_len,
                          char *msg, size_t msg_size, wg_call_result *keep) {
  wg_module *m = rt_output_module((const uint8_t *)out, len, 2, write_len);
  if (!m) return WG_ERR_INTERNAL;
  wg_call_result r;
  wg_err code = run(m, "Out", "{}", &r);
  snprintf(msg, msg_size, "%s", r.error.message);
  if (keep) *keep = r;
  else wg_call_result_free(&r);
  wg_module_release(m);
  return code;
}

static wg_err out_str(const char *out, char *msg) {
  return output_case(out, strlen(out), (uint32_t)strlen(out), msg, 600, NULL);
}

static void test_output_rules_in_order(void) {
  char msg[600];
  CHECK_INT(output_case("", 0, 0, msg, sizeof msg, NULL), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(msg, "guest did not call output_write");
  CHECK_INT(out_str("{\"summary\":\"\xff\"}", msg), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(msg, "guest output is not UTF-8: invalid byte at offset 12");
  CHECK_INT(out_str("not json", msg), WG_ERR_OUTPUT_INVALID);
  CHECK(strncmp(msg, "guest output is not valid JSON: ", 32) == 0);
  CHECK_INT(out_str("{\"summary\":\"a\",\"summary\":\"b\"}", msg), WG_ERR_OUTPUT_INVALID);
  CHECK(strncmp(msg, "guest output is not valid JSON: ", 32) == 0);
  CHECK_INT(out_str("[\"summary\"]", msg), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(msg, "guest output JSON must be an object");
  CHECK_INT(out_str("{\"summary\":\"x\",\"extra\":1}", msg), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(msg, "guest output contains unsupported key `extra`");
  CHECK_INT(out_str("{\"content\":\"x\"}", msg), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(msg, "guest output must include a summary string");
  CHECK_INT(out_str("{\"summary\":1}", msg), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(msg, "guest output summary must be a string");
  CHECK_INT(out_str("{\"summary\":\"\"}", msg), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(msg, "guest output summary must not be empty");
  CHECK_INT(out_str("{\"summary\":\"s\",\"content\":5}", msg), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(msg, "guest output content must be a string or null");
  CHECK_INT(out_str("{\"summary\":\"s\",\"content\":{}}", msg), WG_ERR_OUTPUT_INVALID);
  /* A key with control bytes is named sanitized. */
  CHECK_INT(out_str("{\"summary\":\"s\",\"a\\nb\":1}", msg), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(msg, "guest output contains unsupported key `a b`");
}

static void test_output_accepted_forms(void) {
  char msg[600];
  wg_call_result r;
  const char *null_content = "{\"content\":null,\"summary\":\"s\"}";
  CHECK_INT(output_case(null_content, strlen(null_content), (uint32_t)strlen(null_content),
                        msg, sizeof msg, &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "s");
  CHECK(r.content == NULL);
  wg_call_result_free(&r);
  const char *escaped = "{\"summary\":\"a\\u0000b\",\"content\":\"\\ud83d\\ude00\"}";
  CHECK_INT(output_case(escaped, strlen(escaped), (uint32_t)strlen(escaped), msg,
                        sizeof msg, &r), WG_ERR_NONE);
  CHECK_INT(r.summary_len, 3);
  CHECK(memcmp(r.summary, "a\0b", 3) == 0);
  CHECK_STR(r.content, "\xf0\x9f\x98\x80");
  wg_call_result_free(&r);
}

/* {"summary":"s","content":"ccc..."} of exactly `size` bytes. */
static char *output_of_size(size_t size) {
  char *s = malloc(size + 1);
  const char *head = "{\"summary\":\"s\",\"content\":\"";
  size_t h = strlen(head);
  memcpy(s, head, h);
  memset(s + h, 'c', size - h - 2);
  memcpy(s + size - 2, "\"}", 3);
  return s;
}

static void test_output_size_bound(void) {
  char msg[600];
  wg_call_result r;
  char *at = output_of_size(65536);
  CHECK_INT(output_case(at, 65536, 65536, msg, sizeof msg, &r), WG_ERR_NONE);
  CHECK_INT(r.content_len, 65536 - 28);
  wg_call_result_free(&r);
  char *past = output_of_size(65537);
  CHECK_INT(output_case(past, 65537, 65537, msg, sizeof msg, NULL), WG_ERR_OUTPUT_TOO_LARGE);
  CHECK_STR(msg, "guest output exceeds 65536 bytes");
  free(at);
  free(past);
}

/* {"summary":"sss..."} with a summary of `n` bytes. */
static void test_summary_bound(void) {
  char msg[600];
  char out[1200];
  for (size_t n = 1023; n <= 1025; n++) {
    int k = snprintf(out, sizeof out, "{\"summary\":\"%*s\"}", (int)n, "");
    for (int i = 12; i < 12 + (int)n; i++) out[i] = 's';
    wg_err code = output_case(out, (size_t)k, (uint32_t)k, msg, sizeof msg, NULL);
    if (n <= 1024) {
      CHECK_INT(code, WG_ERR_NONE);
    } else {
      CHECK_INT(code, WG_ERR_OUTPUT_TOO_LARGE);
      CHECK_STR(msg, "guest output summary exceeds 1024 bytes");
    }
  }
}

/* Random output bytes (some JSON-like) never crash the decoder: the code
 * is one of the output codes (or success) and the message stays bounded. */
static void test_random_outputs_fail_closed(void) {
  uint64_t x = 0x9e3779b97f4a7c15ull;
  static const char *pieces[] = {"{", "}", "\"summary\"", "\"content\"", ":", ",", "\"",
                                 "x", "\\u0000", "[", "]", "null", "1e400", "\xff", "\xc3\xa9",
                                 "\x01", " ", "\"s\""};
  int ok = 0, invalid = 0, other = 0;
  for (int i = 0; i < 3000; i++) {
    char out[256];
    size_t n = 0;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    int parts = (int)(x % 12);
    for (int k = 0; k < parts; k++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      const char *p = pieces[x % (sizeof pieces / sizeof pieces[0])];
      size_t len = strlen(p);
      if (n + len >= sizeof out) break;
      memcpy(out + n, p, len);
      n += len;
    }
    char msg[600];
    wg_err code = output_case(out, n, (uint32_t)n, msg, sizeof msg, NULL);
    if (code == WG_ERR_NONE) ok++;
    else if (code == WG_ERR_OUTPUT_INVALID || code == WG_ERR_OUTPUT_TOO_LARGE) invalid++;
    else other++;
    if (strlen(msg) > 512) other++;
  }
  CHECK_INT(other, 0);
  CHECK_INT(ok + invalid, 3000);
  CHECK(invalid > 2000); /* almost all random texts are rejected */
}

/* ---- The ABI (yoi:tool; docs/design.md#the-abi) -------------------------- */

static void test_reads_need_exact_length(void) {
  wg_module *m = rt_load("abi", false);
  REQUIRE(m);
  wg_call_result r;
  CHECK_INT(run(m, "reads", "{\"k\":\"v\"}", &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "reads ok");
  wg_call_result_free(&r);
  wg_module_release(m);
}

static void test_output_errors_are_sticky(void) {
  wg_module *m = rt_load("abi", false);
  REQUIRE(m);
  wg_call_result r;
  CHECK_INT(run(m, "sticky_neg", "{}", &r), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(r.error.message, "output_write got a negative pointer or length");
  wg_call_result_free(&r);
  CHECK_INT(run(m, "sticky_oob", "{}", &r), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(r.error.message, "output_write range is outside guest memory");
  wg_call_result_free(&r);
  CHECK_INT(run(m, "sticky_big", "{}", &r), WG_ERR_OUTPUT_TOO_LARGE);
  CHECK_STR(r.error.message, "guest output exceeds 65536 bytes");
  CHECK_STR(r.summary, "Execution failed: plugin WASM tool `sticky_big` from `project:test` "
                       "(digest " RT_DIGEST ") failed closed: WASM output error: "
                       "guest output exceeds 65536 bytes");
  wg_call_result_free(&r);
  CHECK_INT(run(m, "last_wins", "{}", &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "second");
  wg_call_result_free(&r);
  CHECK_INT(run(m, "silent", "{}", &r), WG_ERR_OUTPUT_INVALID);
  CHECK_STR(r.error.message, "guest did not call output_write");
  wg_call_result_free(&r);
  wg_module_release(m);
}

static void test_imports_checked_before_instantiation(void) {
  struct { const char *fixture; wg_err code; const char *message; } cases[] = {
    {"wasi", WG_ERR_LINK_ERROR, "unsupported import module `wasi_snapshot_preview1`; only "
                                "`yoi:tool` and `yoi:https` are available"},
    {"env", WG_ERR_LINK_ERROR, "unsupported import module `env`; only `yoi:tool` and "
                               "`yoi:https` are available"},
    {"bad_tool_import", WG_ERR_LINK_ERROR,
     "unsupported host import `read_file`; no filesystem, ambient network, environment, "
     "or WASI imports are available"},
    {"wrong_sig", WG_ERR_LINK_ERROR, "host import `yoi:tool`.`input_len` has the wrong type"},
    {"no_export", WG_ERR_MODULE_INVALID,
     "plugin WASM module does not export yoi_tool_call: [] -> []"},
    {"https", WG_ERR_PERMISSION_DENIED,
     "plugin host API dispatch denied: host_api.https is not granted"},
    {"fs", WG_ERR_UNSUPPORTED, "host_api.fs is not implemented"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_module *m = rt_load(cases[i].fixture, false);
    REQUIRE(m);
    wg_call_result r;
    CHECK_INT(run(m, "T", "{}", &r), cases[i].code);
    CHECK_STR(r.error.message, cases[i].message);
    CHECK_INT(r.stats.fuel_used, 0);
    wg_call_result_free(&r);
    wg_module_release(m);
  }
}

/* Granted at link time but run without a client context (a host that
 * embeds the engine without https): the request fails closed, sticky, and
 * the client libraries are never loaded. */
static void test_granted_https_fails_closed(void) {
  wg_module *m = rt_load("https", false);
  REQUIRE(m);
  wg_call_request req = rt_request(m, "T", "{}");
  req.https_granted = true;
  wg_call_result r;
  CHECK_INT(wg_call(&req, &r), WG_ERR_UNSUPPORTED);
  CHECK_STR(r.error.message, "host_api.https has no client configuration in this host");
  CHECK(!wg_https_client_loaded());
  CHECK_INT(r.https_count, 0);
  wg_call_result_free(&r);
  wg_module_release(m);
}

/* ---- Limits ----------------------------------------------------------------- */

static double ms_since(uint64_t t0) { return (double)(wg_now_ns() - t0) / 1e6; }

static void test_timeout_infinite_loop(void) {
  const char *fixtures[] = {"loop", "start_loop"};
  for (int i = 0; i < 2; i++) {
    wg_module *m = rt_load(fixtures[i], false);
    REQUIRE(m);
    wg_call_request req = rt_request(m, "Loop", "{}");
    req.limits.fuel = UINT64_MAX / 2;
    req.limits.wall_clock_ns = 100000000; /* 100 ms */
    wg_call_result r;
    uint64_t t0 = wg_now_ns();
    CHECK_INT(wg_call(&req, &r), WG_ERR_TIMEOUT);
    double ms = ms_since(t0);
    CHECK(ms >= 99 && ms < 600);
    CHECK_STR(r.summary, "Execution failed: plugin WASM tool `Loop` from `project:test` "
                         "(digest " RT_DIGEST ") timed out after 100ms");
    wg_call_result_free(&r);
    wg_module_release(m);
  }
}

static void test_fuel_exhausted(void) {
  wg_module *m = rt_load("loop", false);
  REQUIRE(m);
  wg_call_request req = rt_request(m, "Loop", "{}");
  req.limits.fuel = 1000000;
  wg_call_result r;
  CHECK_INT(wg_call(&req, &r), WG_ERR_FUEL_EXHAUSTED);
  CHECK_STR(r.error.message, "fuel exhausted after 1000000 instructions");
  CHECK(r.stats.fuel_used >= 1000000 - 16);
  wg_call_result_free(&r);
  wg_module_release(m);
}

typedef struct cancel_job {
  wg_cancel *cancel;
  uint64_t cancelled_at;
} cancel_job;

static void *cancel_later(void *p) {
  cancel_job *job = p;
  struct timespec ts = {0, 50 * 1000000L};
  nanosleep(&ts, NULL);
  job->cancelled_at = wg_now_ns();
  wg_cancel_request(job->cancel);
  return NULL;
}

static void test_cancel_from_another_thread(void) {
  const char *fixtures[] = {"loop", "start_loop"};
  for (int i = 0; i < 2; i++) {
    wg_module *m = rt_load(fixtures[i], false);
    REQUIRE(m);
    wg_cancel cancel;
    wg_cancel_init(&cancel);
    wg_call_request req = rt_request(m, "Loop", "{}");
    req.limits.fuel = UINT64_MAX / 2;
    req.cancel = &cancel;
    cancel_job job = {&cancel, 0};
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, cancel_later, &job) == 0);
    wg_call_result r;
    CHECK_INT(wg_call(&req, &r), WG_ERR_CANCELLED);
    uint64_t returned = wg_now_ns();
    pthread_join(t, NULL);
    CHECK(job.cancelled_at > 0 && returned - job.cancelled_at < 500000000ull);
    CHECK_STR(r.error.message, "call cancelled");
    CHECK_CONTAINS(r.summary, "cancelled/failed to join: call cancelled");
    wg_call_result_free(&r);
    wg_module_release(m);
  }
}

static void test_cancel_before_call(void) {
  wg_module *m = rt_load("echo", true);
  REQUIRE(m);
  wg_cancel cancel;
  wg_cancel_init(&cancel);
  wg_cancel_request(&cancel);
  wg_call_request req = rt_request(m, "Echo", "{}");
  req.cancel = &cancel;
  wg_call_result r;
  CHECK_INT(wg_call(&req, &r), WG_ERR_CANCELLED);
  CHECK_INT(r.stats.fuel_used, 0);
  wg_call_result_free(&r);
  wg_module_release(m);
}

static void test_memory_growth_and_initial_limits(void) {
  wg_module *m = rt_load("grow", false);
  REQUIRE(m);
  wg_call_result r;
  CHECK_INT(run(m, "Grow", "{}", &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "grow refused");
  CHECK_U64(r.stats.memory_peak_bytes, 16u * 1024 * 1024);
  wg_call_result_free(&r);
  wg_call_request req = rt_request(m, "Grow", "{}");
  req.limits.max_memory_bytes = 1024 * 1024;
  CHECK_INT(wg_call(&req, &r), WG_ERR_NONE);
  CHECK_U64(r.stats.memory_peak_bytes, 1024 * 1024);
  wg_call_result_free(&r);
  wg_module_release(m);

  const char *big[] = {"big_memory", "big_table"};
  for (int i = 0; i < 2; i++) {
    m = rt_load(big[i], false);
    REQUIRE(m);
    CHECK_INT(run(m, "Big", "{}", &r), WG_ERR_MEMORY_LIMIT);
    CHECK(strncmp(r.error.message, "the module needs more memory or table than the limit", 52) == 0);
    wg_call_result_free(&r);
    wg_module_release(m);
  }
}

static void test_deep_recursion_traps(void) {
  wg_module *m = rt_load("recurse", false);
  REQUIRE(m);
  wg_call_result r;
  CHECK_INT(run(m, "Deep", "{}", &r), WG_ERR_TRAP);
  CHECK_INT(r.error.trap, WG_TRAP_CALL_STACK_EXHAUSTED);
  CHECK_STR(r.error.message, "wasm trap: call_stack_exhausted");
  wg_buf j;
  wg_buf_init(&j, 0);
  CHECK(wg_error_write_json(&r.error, &j));
  CHECK_STR(j.data, "{\"code\":\"trap\",\"message\":\"wasm trap: call_stack_exhausted\","
                    "\"tool\":\"Deep\",\"plugin\":\"project:test\",\"digest\":\"" RT_DIGEST
                    "\",\"trap\":\"call_stack_exhausted\"}");
  wg_buf_free(&j);
  wg_call_result_free(&r);
  wg_module_release(m);
}

static void test_trap_kinds(void) {
  wg_module *m = rt_load("traps", false);
  REQUIRE(m);
  const wg_trap kinds[] = {
    WG_TRAP_UNREACHABLE, WG_TRAP_MEMORY_OUT_OF_BOUNDS, WG_TRAP_INTEGER_DIVIDE_BY_ZERO,
    WG_TRAP_INTEGER_OVERFLOW, WG_TRAP_INVALID_CONVERSION,
    WG_TRAP_INDIRECT_CALL_TYPE_MISMATCH, WG_TRAP_UNINITIALIZED_ELEMENT,
    WG_TRAP_TABLE_OUT_OF_BOUNDS,
  };
  for (int i = 0; i < 8; i++) {
    char tool[8];
    snprintf(tool, sizeof tool, "trap%d", i);
    wg_call_result r;
    CHECK_INT(run(m, tool, "{}", &r), WG_ERR_TRAP);
    CHECK_INT(r.error.trap, kinds[i]);
    char want[96];
    snprintf(want, sizeof want, "wasm trap: %s", wg_trap_name(kinds[i]));
    CHECK_STR(r.error.message, want);
    CHECK_CONTAINS(r.summary, "failed closed: WASM execution error: wasm trap: ");
    wg_call_result_free(&r);
  }
  wg_module_release(m);
}

/* ---- Errors ------------------------------------------------------------------ */

static void test_limits_defaults_and_config(void) {
  wg_call_limits l = wg_call_limits_default();
  CHECK_U64(l.max_input_bytes, 65536);
  CHECK_U64(l.max_output_bytes, 65536);
  CHECK_U64(l.max_summary_bytes, 1024);
  CHECK_U64(l.fuel, 100000000);
  CHECK_U64(l.wall_clock_ns, 10000000000ull);
  CHECK_U64(l.max_memory_bytes, 16u << 20);
  CHECK_U64(l.max_table_elements, 10000);
  CHECK_U64(l.max_call_depth, 1000);
  char msg[128];
  CHECK(wg_call_limits_check(&l, msg, sizeof msg));
  wg_config_limits cl = {.input_bytes = 100, .output_bytes = 200, .summary_bytes = 10,
                         .fuel = 5, .timeout_ms = 250, .memory_bytes = 1 << 20,
                         .table_elements = 7, .call_depth = 9};
  l = wg_call_limits_from_config(&cl);
  CHECK_U64(l.max_input_bytes, 100);
  CHECK_U64(l.max_output_bytes, 200);
  CHECK_U64(l.max_summary_bytes, 10);
  CHECK_U64(l.fuel, 5);
  CHECK_U64(l.wall_clock_ns, 250000000);
  CHECK_U64(l.max_memory_bytes, 1 << 20);
  CHECK_U64(l.max_table_elements, 7);
  CHECK_U64(l.max_call_depth, 9);
}

/* No field means "default": a limit the engine or the ABI would turn into
 * something else is refused, by name. */
static void test_limits_check_refuses_what_cannot_hold(void) {
  static const char *const why[] = {
    "max_output_bytes is over the ABI's 65536-byte output bound",
    "max_memory_bytes is less than one 64 KiB page",
    "max_memory_bytes is not a whole number of 64 KiB pages",
    "max_memory_bytes is over the 4 GiB wasm32 address space",
    "max_table_elements is 0",
    "max_call_depth is 0",
  };
  for (size_t i = 0; i < sizeof why / sizeof why[0]; i++) {
    wg_call_limits l = wg_call_limits_default();
    switch (i) {
    case 0: l.max_output_bytes = 65537; break;
    case 1: l.max_memory_bytes = 65535; break;
    case 2: l.max_memory_bytes = 65536 + 1; break;
    case 3: l.max_memory_bytes = (4ull << 30) + 65536; break;
    case 4: l.max_table_elements = 0; break;
    case 5: l.max_call_depth = 0; break;
    }
    char msg[128] = "";
    CHECK(!wg_call_limits_check(&l, msg, sizeof msg));
    CHECK_STR(msg, why[i]);
  }
  /* A call given such limits fails closed before any input handling. */
  wg_module *m = rt_load("echo", true);
  REQUIRE(m);
  wg_call_request req = rt_request(m, "Echo", "{}");
  req.limits.max_table_elements = 0;
  wg_call_result r;
  CHECK_INT(wg_call(&req, &r), WG_ERR_INTERNAL);
  CHECK_STR(r.error.message, "invalid call limits: max_table_elements is 0");
  CHECK_U64(r.stats.fuel_used, 0);
  wg_call_result_free(&r);
  wg_module_release(m);
}

/* 0 admits nothing: no input, no output, no instruction, no time. */
static void test_zero_limits_admit_nothing(void) {
  wg_module *m = rt_load("echo", true);
  REQUIRE(m);
  wg_call_result r;
  wg_call_request req = rt_request(m, "Echo", "{}");
  req.limits.max_input_bytes = 0;
  CHECK_INT(wg_call(&req, &r), WG_ERR_INVALID_INPUT);
  CHECK_STR(r.error.message, "plugin tool `Echo` input exceeds 0 bytes");
  wg_call_result_free(&r);
  req = rt_request(m, "Echo", "{}");
  req.limits.fuel = 0;
  CHECK_INT(wg_call(&req, &r), WG_ERR_FUEL_EXHAUSTED);
  CHECK_STR(r.error.message, "fuel exhausted after 0 instructions");
  CHECK_U64(r.stats.fuel_used, 0);
  wg_call_result_free(&r);
  req = rt_request(m, "Echo", "{}");
  req.limits.wall_clock_ns = 0;
  CHECK_INT(wg_call(&req, &r), WG_ERR_TIMEOUT);
  wg_call_result_free(&r);
  req = rt_request(m, "Echo", "{}");
  req.limits.max_output_bytes = 0;
  CHECK_INT(wg_call(&req, &r), WG_ERR_OUTPUT_TOO_LARGE);
  CHECK_STR(r.error.message, "guest output exceeds 0 bytes");
  wg_call_result_free(&r);
  req = rt_request(m, "Echo", "{}");
  req.limits.max_summary_bytes = 0;
  CHECK_INT(wg_call(&req, &r), WG_ERR_OUTPUT_TOO_LARGE);
  CHECK_STR(r.error.message, "guest output summary exceeds 0 bytes");
  wg_call_result_free(&r);
  wg_module_release(m);
}

static void test_error_names_round_trip(void) {
  CHECK_STR(wg_err_name(WG_ERR_INVALID_INPUT), "invalid_input");
  CHECK_STR(wg_err_name(WG_ERR_HTTPS_TOO_MANY_REQUESTS), "https_too_many_requests");
  CHECK_STR(wg_err_name(WG_ERR_INTERNAL), "internal");
  CHECK_STR(wg_err_name((wg_err)999), WG_NAME_UNKNOWN);
  for (int i = 0; i < WG_ERR_COUNT_; i++) {
    wg_err back;
    CHECK(wg_err_from_name(wg_err_name((wg_err)i), &back));
    CHECK_INT(back, i);
  }
  wg_err x;
  CHECK(!wg_err_from_name("nope", &x));
}

static void test_error_message_bounded_and_sanitized(void) {
  wg_error e = {0};
  char big[1400];
  size_t n = 0;
  for (int i = 0; i < 600; i++) big[n++] = '\xc3', big[n++] = '\xa9'; /* e-acute */
  big[n] = '\0';
  wg_error_set(&e, WG_ERR_INTERNAL, "%s", big);
  size_t len = strlen(e.message);
  CHECK(len <= 512);
  CHECK_INT(len, 511); /* 254 x 2 bytes + the 3-byte marker */
  CHECK(wg_utf8_valid((const uint8_t *)e.message, len));
  CHECK(memcmp(e.message + len - 3, "\xe2\x80\xa6", 3) == 0);
  wg_error_set(&e, WG_ERR_INTERNAL, "a\x01" "b\nc\td\x7f" "e\xc2\x85" "f\xff" "g");
  CHECK_STR(e.message, "a b c d e f?g");
  char small[8];
  CHECK_INT(wg_error_sanitize(small, sizeof small, "abcdefghij", 10), 7);
  CHECK_STR(small, "abcd\xe2\x80\xa6");
  CHECK_INT(wg_error_sanitize(small, sizeof small, "abcdefg", 7), 7);
  CHECK_STR(small, "abcdefg");
}

static size_t format_into(char *dst, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = wg_error_vformat(dst, size, fmt, ap);
  va_end(ap);
  return n;
}

/* The registry's and the https client's messages go through it too. */
static void test_error_vformat(void) {
  char small[8];
  CHECK_INT(format_into(small, sizeof small, "%s-%d", "ab\x01", 12), 6);
  CHECK_STR(small, "ab -12");
  CHECK_INT(format_into(small, sizeof small, "%d", 123456789), 7);
  CHECK_STR(small, "1234\xe2\x80\xa6");
  char big[WG_ERROR_MESSAGE_MAX + 1];
  CHECK_INT(format_into(big, sizeof big, "%3000d", 7), WG_ERROR_MESSAGE_MAX);
  CHECK(memcmp(big + WG_ERROR_MESSAGE_MAX - 4, " \xe2\x80\xa6", 4) == 0);
}

static void test_error_text_forms(void) {
  wg_error e = {0};
  wg_error_set_origin(&e, "Echo", "project:echo", RT_DIGEST);
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_error_set(&e, WG_ERR_PACKAGE_CHANGED, "resolved plugin package digest does not match current package content");
  CHECK(wg_error_write_text(&e, 10000000000ull, &b));
  CHECK_STR(b.data, "Execution failed: plugin WASM tool `Echo` from `project:echo` (digest " RT_DIGEST
                    ") failed closed: package/module load error: resolved plugin package digest "
                    "does not match current package content");
  wg_buf_reset(&b);
  wg_error_set(&e, WG_ERR_TIMEOUT, "x");
  CHECK(wg_error_write_text(&e, 10000000000ull, &b));
  CHECK_STR(b.data, "Execution failed: plugin WASM tool `Echo` from `project:echo` (digest " RT_DIGEST
                    ") timed out after 10s");
  wg_buf_reset(&b);
  wg_error_set(&e, WG_ERR_LINK_ERROR, "l");
  CHECK(wg_error_write_text(&e, 1, &b));
  CHECK_CONTAINS(b.data, "failed closed: WASM module error: l");
  wg_buf_reset(&b);
  CHECK(wg_error_write_json(&e, &b));
  CHECK_STR(b.data, "{\"code\":\"link_error\",\"message\":\"l\",\"tool\":\"Echo\",\"plugin\":"
                    "\"project:echo\",\"digest\":\"" RT_DIGEST "\"}");
  wg_buf_free(&b);
}

/* Messages never carry input values, the working directory or env values. */
static void test_messages_never_leak(void) {
  const char *secret = "S3CR3T-VALUE-9f8e7d";
  setenv("WG_RT_TEST_SECRET", secret, 1);
  char cwd[512];
  REQUIRE(getcwd(cwd, sizeof cwd));
  wg_module *echo = rt_load("echo", true), *sum = rt_load("json-sum", true);
  wg_module *loop = rt_load("loop", false), *wasi = rt_load("wasi", false);
  wg_schema *s = rt_schema(sum_schema);
  REQUIRE(echo && sum && loop && wasi && s);
  char in_bad[128], in_schema[128], in_ok[128];
  snprintf(in_bad, sizeof in_bad, "{\"a\":\"%s\" garbage", secret);
  snprintf(in_schema, sizeof in_schema, "{\"numbers\":[\"%s\"]}", secret);
  snprintf(in_ok, sizeof in_ok, "{\"a\":\"%s\"}", secret);
  struct { wg_module *m; const char *in; bool schema; uint64_t fuel; } cases[] = {
    {echo, in_bad, false, 0}, {sum, in_schema, true, 0}, {loop, in_ok, false, 10000},
    {wasi, in_ok, false, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_call_request req = rt_request(cases[i].m, "T", cases[i].in);
    if (cases[i].schema) req.schema = s;
    if (cases[i].fuel) req.limits.fuel = cases[i].fuel;
    wg_call_result r;
    CHECK(wg_call(&req, &r) != WG_ERR_NONE);
    wg_buf j;
    wg_buf_init(&j, 0);
    wg_call_result_write_json(&r, &j);
    CHECK(strstr(j.data, secret) == NULL);
    CHECK(strstr(j.data, cwd) == NULL);
    CHECK(strstr(r.summary, secret) == NULL);
    wg_buf_free(&j);
    wg_call_result_free(&r);
  }
  wg_schema_free(s);
  wg_module_release(echo);
  wg_module_release(sum);
  wg_module_release(loop);
  wg_module_release(wasi);
  unsetenv("WG_RT_TEST_SECRET");
}

static void test_result_json(void) {
  wg_module *m = rt_load("echo", true);
  REQUIRE(m);
  wg_call_result r;
  CHECK_INT(run(m, "Echo", "{\"q\":\"x\\ny\"}", &r), WG_ERR_NONE);
  r.stats.fuel_used = 1, r.stats.wall_ns = 2, r.stats.memory_peak_bytes = 3;
  wg_buf j;
  wg_buf_init(&j, 0);
  CHECK(wg_call_result_write_json(&r, &j));
  CHECK_STR(j.data, "{\"is_error\":false,\"summary\":\"echo\",\"content\":\"{\\\"q\\\":\\\"x\\\\ny\\\"}\","
                    "\"stats\":{\"fuel_used\":1,\"wall_ns\":2,\"memory_peak_bytes\":3}}");
  wg_buf_free(&j);
  wg_call_result_free(&r);
  wg_module_release(m);
}

/* ---- Module cache --------------------------------------------------------------- */

static void test_module_cache(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/echo/plugin.wasm", RT_EXAMPLES_DIR);
  size_t len = 0;
  uint8_t *bytes = rt_read_file(path, &len);
  REQUIRE(bytes);
  wg_module_cache *c = wg_module_cache_new(2);
  REQUIRE(c);
  wg_error e = {0};
  wg_module *a = wg_module_cache_get(c, "sha256:a", bytes, len, &e);
  wg_module *b = wg_module_cache_get(c, "sha256:a", NULL, 0, &e); /* cached: bytes unused */
  CHECK(a && a == b);
  CHECK_INT(wg_module_cache_size(c), 1);
  wg_module *x = wg_module_cache_get(c, "sha256:b", bytes, len, &e);
  wg_module *y = wg_module_cache_get(c, "sha256:c", bytes, len, &e); /* evicts a */
  CHECK(x && y && x != y);
  CHECK_INT(wg_module_cache_size(c), 2);
  /* An evicted module stays usable by its holder. */
  wg_call_result r;
  CHECK_INT(run(a, "Echo", "{}", &r), WG_ERR_NONE);
  wg_call_result_free(&r);
  CHECK(wg_module_cache_get(c, "sha256:bad", (const uint8_t *)"nope", 4, &e) == NULL);
  CHECK_INT(e.code, WG_ERR_MODULE_INVALID);
  CHECK(strncmp(e.message, "module is malformed at byte ", 28) == 0);
  wg_module_release(a);
  wg_module_release(b);
  wg_module_release(x);
  wg_module_release(y);
  wg_module_cache_free(c);
  free(bytes);
}

/* Tables count against the call's memory limit with its memory. */
static void test_tables_count_against_memory_limit(void) {
  wg_module *m = rt_load("full_memory_table", false);
  REQUIRE(m);
  wg_call_result r;
  CHECK_INT(run(m, "Full", "{}", &r), WG_ERR_MEMORY_LIMIT);
  CHECK_STR(r.error.message, "the module needs more memory or table than the limit: "
                             "memory larger than the store allows (pages or memory "
                             "budget)");
  wg_call_result_free(&r);
  /* with 8 bytes more of limit it instantiates (and writes no output) */
  wg_call_request req = rt_request(m, "Full", "{}");
  req.limits.max_memory_bytes = WG_RT_DEFAULT_MAX_MEMORY + 65536;
  CHECK_INT(wg_call(&req, &r), WG_ERR_OUTPUT_INVALID);
  wg_call_result_free(&r);
  wg_module_release(m);
}

/* A compile that one call's deadline or cancellation cut short is that
 * call's timeout or cancellation, and nothing of it is cached: the next
 * call compiles again. */
static void test_cache_never_keeps_a_cut_compile(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/echo/plugin.wasm", RT_EXAMPLES_DIR);
  size_t len = 0;
  uint8_t *bytes = rt_read_file(path, &len);
  REQUIRE(bytes);
  wg_module_cache *c = wg_module_cache_new(4);
  REQUIRE(c);
  wg_error e = {0};
  wg_module_limits passed = {.deadline_ns = wg_now_ns() - 1};
  CHECK(wg_module_cache_get_limited(c, "sha256:e", bytes, len, &passed, &e) == NULL);
  CHECK_INT(e.code, WG_ERR_TIMEOUT);
  CHECK_STR(e.message, "wall-clock deadline reached");
  CHECK_INT(wg_module_cache_size(c), 0);
  atomic_int flag;
  atomic_init(&flag, 1);
  wg_module_limits cancelled = {.cancel = &flag};
  memset(&e, 0, sizeof e);
  CHECK(wg_module_cache_get_limited(c, "sha256:e", bytes, len, &cancelled, &e) == NULL);
  CHECK_INT(e.code, WG_ERR_CANCELLED);
  CHECK_INT(wg_module_cache_size(c), 0);
  /* an engine limit is the module's own failure */
  wg_module_limits tiny = {.max_memory_bytes = 1024};
  memset(&e, 0, sizeof e);
  CHECK(wg_module_cache_get_limited(c, "sha256:e", bytes, len, &tiny, &e) == NULL);
  CHECK_INT(e.code, WG_ERR_MODULE_INVALID);
  CHECK(strncmp(e.message, "module exceeds an engine limit at byte ", 39) == 0);
  /* the next call, in time, compiles and caches it */
  wg_module_limits later = {.deadline_ns = wg_now_ns() + 10000000000ull};
  wg_module *m = wg_module_cache_get_limited(c, "sha256:e", bytes, len, &later, &e);
  REQUIRE(m);
  CHECK_INT(wg_module_cache_size(c), 1);
  wg_call_result r;
  CHECK_INT(run(m, "Echo", "{}", &r), WG_ERR_NONE);
  wg_call_result_free(&r);
  /* once cached, a deadline does not matter (nothing is compiled) */
  wg_module *again = wg_module_cache_get_limited(c, "sha256:e", NULL, 0, &passed, &e);
  CHECK(again == m);
  wg_module_release(again);
  wg_module_release(m);
  wg_module_cache_free(c);
  free(bytes);
}

/* ---- Packages: stat each call, re-hash on change ------------------------- */

static bool write_file(const char *path, const uint8_t *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return false;
  bool ok = fwrite(data, 1, len, f) == len;
  return fclose(f) == 0 && ok;
}

static void test_package_load_and_change(void) {
  char src[1024], other[1024], dir[] = "/tmp/wg_rt_pkg_XXXXXX", path[1100];
  snprintf(src, sizeof src, "%s/echo.yoi-plugin", RT_EXAMPLES_DIR);
  snprintf(other, sizeof other, "%s/json-sum.yoi-plugin", RT_EXAMPLES_DIR);
  REQUIRE(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/echo.yoi-plugin", dir);
  size_t len = 0, other_len = 0;
  uint8_t *bytes = rt_read_file(src, &len), *other_bytes = rt_read_file(other, &other_len);
  REQUIRE(bytes && other_bytes && write_file(path, bytes, len));
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  REQUIRE(wg_pkg_open_path(path, NULL, &pkg, &d) == 0);
  char digest[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(pkg, digest);
  wg_pkg_free(pkg);

  wg_module_cache *c = wg_module_cache_new(0);
  wg_error e = {0};
  wg_module *a = wg_module_cache_load(c, path, digest, "plugin.wasm", &e);
  wg_module *b = wg_module_cache_load(c, path, digest, "plugin.wasm", &e);
  REQUIRE(a && b);
  CHECK(a == b);
  wg_call_result r;
  CHECK_INT(run(a, "Echo", "{\"k\":1}", &r), WG_ERR_NONE);
  wg_call_result_free(&r);
  wg_module_release(a);
  wg_module_release(b);

  /* Changed on disk after resolution: fails closed. */
  REQUIRE(write_file(path, other_bytes, other_len));
  CHECK(wg_module_cache_load(c, path, digest, "plugin.wasm", &e) == NULL);
  CHECK_INT(e.code, WG_ERR_PACKAGE_CHANGED);
  CHECK_STR(e.message, "resolved plugin package digest does not match current package content");
  /* Put back: accepted again. */
  REQUIRE(write_file(path, bytes, len));
  a = wg_module_cache_load(c, path, digest, "plugin.wasm", &e);
  CHECK(a != NULL);
  wg_module_release(a);
  /* A missing entry (on a fresh read) and a missing package. */
  wg_module_cache *fresh = wg_module_cache_new(0);
  CHECK(wg_module_cache_load(fresh, path, digest, "missing.wasm", &e) == NULL);
  CHECK_INT(e.code, WG_ERR_PACKAGE_INVALID);
  CHECK(strncmp(e.message, "resolved plugin package does not declare a usable WASM runtime entry: ",
                70) == 0);
  wg_module_cache_free(fresh);
  unlink(path);
  CHECK(wg_module_cache_load(c, path, digest, "plugin.wasm", &e) == NULL);
  CHECK_INT(e.code, WG_ERR_PACKAGE_INVALID);
  CHECK_STR(e.message, "resolved plugin package metadata could not be read: not found");
  CHECK(strstr(e.message, dir) == NULL);
  rmdir(dir);
  wg_module_cache_free(c);
  free(bytes);
  free(other_bytes);
}

/* A directory package is re-hashed on every call: a file rewritten in
 * place (the directory's own stat unchanged) is still caught. */
static void test_directory_package_rehashed(void) {
  char dir[] = "/tmp/wg_rt_dirpkg_XXXXXX", path[1100], src[1024];
  REQUIRE(mkdtemp(dir));
  size_t len = 0;
  const char *files[] = {"plugin.toml", "plugin.wasm"};
  for (int i = 0; i < 2; i++) {
    snprintf(src, sizeof src, "%s/echo/%s", RT_EXAMPLES_DIR, files[i]);
    uint8_t *b = rt_read_file(src, &len);
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    REQUIRE(b && write_file(path, b, len));
    free(b);
  }
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  REQUIRE(wg_pkg_open_path(dir, NULL, &pkg, &d) == 0);
  char digest[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(pkg, digest);
  wg_pkg_free(pkg);
  wg_module_cache *c = wg_module_cache_new(0);
  wg_error e = {0};
  wg_module *m = wg_module_cache_load(c, dir, digest, "plugin.wasm", &e);
  CHECK(m != NULL);
  wg_module_release(m);
  snprintf(src, sizeof src, "%s/json-sum/plugin.wasm", RT_EXAMPLES_DIR);
  uint8_t *other = rt_read_file(src, &len);
  REQUIRE(other && write_file(path, other, len)); /* path: dir/plugin.wasm */
  free(other);
  CHECK(wg_module_cache_load(c, dir, digest, "plugin.wasm", &e) == NULL);
  CHECK_INT(e.code, WG_ERR_PACKAGE_CHANGED);
  wg_module_cache_free(c);
  unlink(path);
  snprintf(path, sizeof path, "%s/plugin.toml", dir);
  unlink(path);
  rmdir(dir);
}

WG_TEST_LIST {
  WG_TEST(test_package_load_and_change),
  WG_TEST(test_directory_package_rehashed),
  WG_TEST(test_echo_success_canonical_input),
  WG_TEST(test_numbers_and_nesting_pass_verbatim),
  WG_TEST(test_invalid_input_codes),
  WG_TEST(test_input_at_and_past_64k),
  WG_TEST(test_json_sum_and_schema_mismatch),
  WG_TEST(test_text_stats),
  WG_TEST(test_pdk_reader_and_writer),
  WG_TEST(test_output_rules_in_order),
  WG_TEST(test_output_accepted_forms),
  WG_TEST(test_output_size_bound),
  WG_TEST(test_summary_bound),
  WG_TEST(test_random_outputs_fail_closed),
  WG_TEST(test_reads_need_exact_length),
  WG_TEST(test_output_errors_are_sticky),
  WG_TEST(test_imports_checked_before_instantiation),
  WG_TEST(test_granted_https_fails_closed),
  WG_TEST(test_timeout_infinite_loop),
  WG_TEST(test_fuel_exhausted),
  WG_TEST(test_cancel_from_another_thread),
  WG_TEST(test_cancel_before_call),
  WG_TEST(test_memory_growth_and_initial_limits),
  WG_TEST(test_deep_recursion_traps),
  WG_TEST(test_trap_kinds),
  WG_TEST(test_limits_defaults_and_config),
  WG_TEST(test_limits_check_refuses_what_cannot_hold),
  WG_TEST(test_zero_limits_admit_nothing),
  WG_TEST(test_error_names_round_trip),
  WG_TEST(test_error_message_bounded_and_sanitized),
  WG_TEST(test_error_vformat),
  WG_TEST(test_error_text_forms),
  WG_TEST(test_messages_never_leak),
  WG_TEST(test_result_json),
  WG_TEST(test_module_cache),
  WG_TEST(test_tables_count_against_memory_limit),
  WG_TEST(test_cache_never_keeps_a_cut_compile),
};
WG_TEST_MAIN()
