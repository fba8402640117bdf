/* test_manifest_abi.c: the yoi-plugin-wasm-1 entry-module check
 * (wg_abi_check, docs/design.md#the-abi) on small modules assembled at
 * test time with wat2wasm (wabt; its path comes from CMake as WAT2WASM).
 * Each rejection asserts the exact kind and message. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"
#include "wasmgate/manifest.h"

extern char **environ;

#define TOOL_IMPORTS                                                        \
  "(import \"yoi:tool\" \"tool_name_len\" (func (result i32)))\n"           \
  "(import \"yoi:tool\" \"tool_name_read\" (func (param i32 i32) (result i32)))\n" \
  "(import \"yoi:tool\" \"input_len\" (func (result i32)))\n"               \
  "(import \"yoi:tool\" \"input_read\" (func (param i32 i32) (result i32)))\n" \
  "(import \"yoi:tool\" \"output_write\" (func (param i32 i32) (result i32)))\n"
#define HTTPS_IMPORTS                                                       \
  "(import \"yoi:https\" \"request\" (func (param i32 i32) (result i32)))\n" \
  "(import \"yoi:https\" \"response_len\" (func (result i32)))\n"           \
  "(import \"yoi:https\" \"response_read\" (func (param i32 i32) (result i32)))\n"
#define EXPORTS                                                             \
  "(memory (export \"memory\") 1)\n(func (export \"yoi_tool_call\"))\n"

static const char module_msg[] =
    "; only `yoi:tool` and `yoi:https` are available";
static const char host_msg[] =
    "; no filesystem, ambient network, environment, or WASI imports are "
    "available";

/* Assembles `wat` with wat2wasm; returns malloc'd bytes. */
static uint8_t *assemble(const char *wat, size_t *len) {
  char dir[] = "/tmp/wg-abi-XXXXXX";
  REQUIRE(mkdtemp(dir) != NULL);
  char in[64], out[64];
  snprintf(in, sizeof in, "%s/m.wat", dir);
  snprintf(out, sizeof out, "%s/m.wasm", dir);
  FILE *f = fopen(in, "wb");
  REQUIRE(f != NULL);
  fputs(wat, f);
  fclose(f);
  char *argv[] = {(char *)WAT2WASM, in, "-o", out, NULL};
  pid_t pid;
  int status = -1;
  REQUIRE(posix_spawn(&pid, WAT2WASM, NULL, NULL, argv, environ) == 0);
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  f = fopen(out, "rb");
  REQUIRE(f != NULL);
  uint8_t *buf = malloc(1 << 16);
  REQUIRE(buf != NULL);
  *len = fread(buf, 1, 1 << 16, f);
  fclose(f);
  unlink(in);
  unlink(out);
  rmdir(dir);
  return buf;
}

static wg_pkg_code check_wat(const char *body, bool *https, wg_pkg_diag *d) {
  char wat[8192];
  snprintf(wat, sizeof wat, "(module\n%s)\n", body);
  size_t len = 0;
  uint8_t *wasm = assemble(wat, &len);
  memset(d, 0, sizeof *d);
  wg_pkg_code rc = wg_abi_check(wasm, len, https, d);
  free(wasm);
  return rc;
}

static void reject(const char *body, const char *message) {
  wg_pkg_diag d;
  bool https = true;
  CHECK_INT(check_wat(body, &https, &d), WG_PKG_API);
  CHECK_STR(wg_pkg_code_name(d.kind), "api");
  CHECK_STR(wg_pkg_phase_name(d.phase), "manifest");
  CHECK_STR(d.message, message);
}

static void test_full_abi_is_accepted(void) {
  wg_pkg_diag d;
  bool https = false;
  CHECK_INT(check_wat(TOOL_IMPORTS HTTPS_IMPORTS EXPORTS, &https, &d), WG_PKG_OK);
  CHECK(https);
  CHECK_INT(check_wat(TOOL_IMPORTS EXPORTS, &https, &d), WG_PKG_OK);
  CHECK(!https);
  /* No imports at all, extra exports, a start function: all fine. */
  CHECK_INT(check_wat(EXPORTS "(func $s) (start $s) (global (export \"g\") i32 (i32.const 0))",
                      NULL, &d), WG_PKG_OK);
  /* One import of https is enough to count as using it. */
  CHECK_INT(check_wat("(import \"yoi:https\" \"response_len\" (func (result i32)))\n" EXPORTS,
                      &https, &d), WG_PKG_OK);
  CHECK(https);
}

static void test_missing_memory_export(void) {
  reject("(memory 1)\n(func (export \"yoi_tool_call\"))",
         "plugin WASM module does not export memory");
  reject("(memory (export \"mem\") 1)\n(func (export \"yoi_tool_call\"))",
         "plugin WASM module does not export memory");
  reject("(memory 1)\n(func (export \"yoi_tool_call\"))\n(func (export \"memory\"))",
         "plugin WASM module does not export memory");
  /* An imported memory re-exported would do, but any import besides the
   * host table is refused first. */
  reject("(import \"env\" \"memory\" (memory 1))\n(export \"memory\" (memory 0))\n"
         "(func (export \"yoi_tool_call\"))",
         "unsupported import module `env`; only `yoi:tool` and `yoi:https` are available");
}

static void test_wrong_yoi_tool_call_type(void) {
  const char *msg = "plugin WASM module does not export yoi_tool_call: [] -> []";
  reject("(memory (export \"memory\") 1)\n"
         "(func (export \"yoi_tool_call\") (result i32) (i32.const 0))", msg);
  reject("(memory (export \"memory\") 1)\n"
         "(func (export \"yoi_tool_call\") (param i32))", msg);
  reject("(memory (export \"memory\") 1)\n(func (export \"yoi_call\"))", msg);
  reject("(memory (export \"memory\") 1)\n"
         "(global (export \"yoi_tool_call\") i32 (i32.const 0))", msg);
  /* memory is checked before yoi_tool_call. */
  reject("(func (export \"yoi_tool_call\") (result i32) (i32.const 0))",
         "plugin WASM module does not export memory");
}

static void test_wasi_and_env_imports(void) {
  char msg[256];
  snprintf(msg, sizeof msg, "unsupported import module `wasi_snapshot_preview1`%s",
           module_msg);
  reject("(import \"wasi_snapshot_preview1\" \"fd_write\" "
         "(func (param i32 i32 i32 i32) (result i32)))\n" EXPORTS, msg);
  snprintf(msg, sizeof msg, "unsupported import module `env`%s", module_msg);
  reject("(import \"env\" \"abort\" (func))\n" EXPORTS, msg);
  /* Module names are exact: no case folding, no prefix match. */
  snprintf(msg, sizeof msg, "unsupported import module `YOI:tool`%s", module_msg);
  reject("(import \"YOI:tool\" \"input_len\" (func (result i32)))\n" EXPORTS, msg);
  snprintf(msg, sizeof msg, "unsupported import module `yoi:tool2`%s", module_msg);
  reject("(import \"yoi:tool2\" \"input_len\" (func (result i32)))\n" EXPORTS, msg);
  /* The first bad import is the one reported, before any export check. */
  snprintf(msg, sizeof msg, "unsupported import module `env`%s", module_msg);
  reject(TOOL_IMPORTS "(import \"env\" \"x\" (func))\n"
         "(import \"wasi_unstable\" \"y\" (func))\n", msg);
}

static void test_unknown_host_import_names(void) {
  char msg[256];
  snprintf(msg, sizeof msg, "unsupported host import `read_file`%s", host_msg);
  reject("(import \"yoi:tool\" \"read_file\" (func (param i32 i32) (result i32)))\n"
         EXPORTS, msg);
  snprintf(msg, sizeof msg, "unsupported host import `memory`%s", host_msg);
  reject("(import \"yoi:tool\" \"memory\" (memory 1))\n(func (export \"yoi_tool_call\"))",
         msg);
  reject("(import \"yoi:https\" \"get\" (func (param i32 i32) (result i32)))\n" EXPORTS,
         "unsupported https host import `get`");
  /* https names are not tool names and the other way round. */
  snprintf(msg, sizeof msg, "unsupported host import `request`%s", host_msg);
  reject("(import \"yoi:tool\" \"request\" (func (param i32 i32) (result i32)))\n"
         EXPORTS, msg);
  reject("(import \"yoi:https\" \"input_len\" (func (result i32)))\n" EXPORTS,
         "unsupported https host import `input_len`");
  reject("(import \"yoi:fs\" \"read\" (func (param i32 i32) (result i32)))\n" EXPORTS,
         "host_api.fs is not implemented");
}

static void test_wrong_import_types(void) {
  reject("(import \"yoi:tool\" \"input_len\" (func (param i32) (result i32)))\n" EXPORTS,
         "host import `yoi:tool.input_len` has the wrong type");
  reject("(import \"yoi:tool\" \"input_len\" (func))\n" EXPORTS,
         "host import `yoi:tool.input_len` has the wrong type");
  reject("(import \"yoi:tool\" \"output_write\" (func (param i32 i32) (result i64)))\n"
         EXPORTS, "host import `yoi:tool.output_write` has the wrong type");
  reject("(import \"yoi:tool\" \"tool_name_read\" (func (param i64 i32) (result i32)))\n"
         EXPORTS, "host import `yoi:tool.tool_name_read` has the wrong type");
  reject("(import \"yoi:tool\" \"input_read\" (func (param i32 i32) (result i32 i32)))\n"
         EXPORTS, "host import `yoi:tool.input_read` has the wrong type");
  reject("(import \"yoi:tool\" \"tool_name_len\" (global i32))\n" EXPORTS,
         "host import `yoi:tool.tool_name_len` has the wrong type");
  reject("(import \"yoi:https\" \"request\" (func (param i32 i32)))\n" EXPORTS,
         "host import `yoi:https.request` has the wrong type");
  reject("(import \"yoi:https\" \"response_read\" (func (param f32 i32) (result i32)))\n"
         EXPORTS, "host import `yoi:https.response_read` has the wrong type");
}

static void test_names_in_messages_are_escaped_and_bounded(void) {
  char msg[512];
  snprintf(msg, sizeof msg, "unsupported import module `a\\x01\\x60\\x0A`%s",
           module_msg);
  reject("(import \"a\\01`\\n\" \"x\" (func))\n" EXPORTS, msg);
  char body[1024], name[201];
  memset(name, 'm', 200);
  name[200] = '\0';
  snprintf(body, sizeof body, "(import \"%s\" \"x\" (func))\n" EXPORTS, name);
  name[64] = '\0';
  snprintf(msg, sizeof msg, "unsupported import module `%s...`%s", name, module_msg);
  reject(body, msg);
}

static void test_undecodable_and_invalid_modules(void) {
  wg_pkg_diag d;
  static const uint8_t junk[] = {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00};
  CHECK_INT(wg_abi_check(junk, sizeof junk, NULL, &d), WG_PKG_API);
  CHECK_STR(wg_pkg_code_name(d.kind), "api");
  CHECK_STR(d.message, "plugin WASM module could not be decoded or validated (malformed)");
  CHECK_INT(wg_abi_check(NULL, 0, NULL, &d), WG_PKG_API);
  CHECK_STR(d.message, "plugin WASM module could not be decoded or validated (malformed)");
  /* Decodes, but a body returns the wrong type: invalid. */
  bool https = true;
  CHECK_INT(check_wat("(memory (export \"memory\") 1)\n"
                      "(func (export \"yoi_tool_call\") (drop (i32.const 1)))\n",
                      &https, &d), WG_PKG_OK);
  size_t len = 0;
  uint8_t *wasm = assemble("(module (func (result i32) (i32.const 1)))", &len);
  REQUIRE(len > 8);
  /* Patch the i32.const result type to i64 in the type section: the
   * body's i32 no longer matches. Type section: 01 05 01 60 00 01 7f. */
  for (size_t i = 0; i + 6 < len; i++) {
    if (wasm[i] == 0x60 && wasm[i + 1] == 0x00 && wasm[i + 2] == 0x01 &&
        wasm[i + 3] == 0x7f) {
      wasm[i + 3] = 0x7e;
      break;
    }
  }
  CHECK_INT(wg_abi_check(wasm, len, &https, &d), WG_PKG_API);
  CHECK_STR(d.message, "plugin WASM module could not be decoded or validated (invalid)");
  CHECK(!https);
  free(wasm);
}

WG_TEST_LIST {
  WG_TEST(test_full_abi_is_accepted),
  WG_TEST(test_missing_memory_export),
  WG_TEST(test_wrong_yoi_tool_call_type),
  WG_TEST(test_wasi_and_env_imports),
  WG_TEST(test_unknown_host_import_names),
  WG_TEST(test_wrong_import_types),
  WG_TEST(test_names_in_messages_are_escaped_and_bounded),
  WG_TEST(test_undecodable_and_invalid_modules),
};
WG_TEST_MAIN()
