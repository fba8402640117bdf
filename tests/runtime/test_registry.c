/* test_registry.c: the tool registry on a real resolved config (yoi's
 * registration rules, docs/design.md#tool-registration) and
 * wg_registry_call: order, reserved (built-in) names, the feature gate,
 * and a package changed on disk after resolution. */
#include "../harness.h"
#include "rt_test_util.h"
#include "wasmgate/package.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
  char root[64], ws[96], store[128], echo[192], sum[192];
  char echo_digest[WG_PKG_DIGEST_LEN], sum_digest[WG_PKG_DIGEST_LEN];
  wg_config *cfg;
  wg_discovery disc;
  wg_resolution res;
} fixture;

static const char *grant =
    "[[plugins.enabled]]\nid = \"project:%s\"\n[plugins.enabled.grants]\n"
    "id = \"project:%s\"\nversion = \"1.0.0\"\ndigest = \"%s\"\n"
    "permissions = [ { kind = \"surface\", surface = \"tool\" }, "
    "{ kind = \"tool\", name = \"%s\" } ]\n";

/* A workspace with echo and json-sum in its project store, both enabled
 * and granted; `feature` sets [feature.plugins] enabled. */
static bool setup(fixture *f, bool feature) {
  memset(f, 0, sizeof *f);
  snprintf(f->root, sizeof f->root, "/tmp/wg_registry_XXXXXX");
  if (!mkdtemp(f->root)) return false;
  snprintf(f->ws, sizeof f->ws, "%s/ws", f->root);
  snprintf(f->store, sizeof f->store, "%s/.yoi", f->ws);
  mkdir(f->ws, 0700);
  mkdir(f->store, 0700);
  snprintf(f->store, sizeof f->store, "%s/.yoi/plugins", f->ws);
  mkdir(f->store, 0700);
  snprintf(f->echo, sizeof f->echo, "%s/echo.yoi-plugin", f->store);
  snprintf(f->sum, sizeof f->sum, "%s/json-sum.yoi-plugin", f->store);
  char src[512];
  snprintf(src, sizeof src, "%s/echo.yoi-plugin", RT_EXAMPLES_DIR);
  if (!rt_copy_file(src, f->echo)) return false;
  snprintf(src, sizeof src, "%s/json-sum.yoi-plugin", RT_EXAMPLES_DIR);
  if (!rt_copy_file(src, f->sum)) return false;
  rt_digest_of(f->echo, f->echo_digest);
  rt_digest_of(f->sum, f->sum_digest);
  char text[2048];
  int n = snprintf(text, sizeof text, "[feature.plugins]\nenabled = %s\n", feature ? "true" : "false");
  n += snprintf(text + n, sizeof text - (size_t)n, grant, "echo", "echo", f->echo_digest, "Echo");
  n += snprintf(text + n, sizeof text - (size_t)n, grant, "json-sum", "json-sum", f->sum_digest,
                "JsonSum");
  wg_config_error err;
  f->cfg = wg_config_parse(text, (size_t)n, &err);
  if (!f->cfg) return false;
  wg_plugin_stores stores;
  char none[128];
  snprintf(none, sizeof none, "%s/no-user-store", f->root);
  if (wg_plugin_stores_get(f->cfg, f->ws, NULL, none, &stores, &err) != 0) return false;
  return wg_discover(&stores, NULL, &f->disc) == 0 &&
         wg_resolve(f->cfg, &f->disc, NULL, &f->res) == 0;
}

static void teardown(fixture *f) {
  wg_resolution_free(&f->res);
  wg_discovery_free(&f->disc);
  wg_config_free(f->cfg);
  unlink(f->echo);
  unlink(f->sum);
  char p[160];
  snprintf(p, sizeof p, "%s/.yoi/plugins", f->ws);
  rmdir(p);
  snprintf(p, sizeof p, "%s/.yoi", f->ws);
  rmdir(p);
  rmdir(f->ws);
  rmdir(f->root);
}

static void test_registry_order_and_call(void) {
  fixture f;
  REQUIRE(setup(&f, true));
  REQUIRE(f.res.count == 2);
  wg_registry reg;
  REQUIRE(wg_registry_build(f.cfg, &f.res, NULL, 0, &reg));
  REQUIRE(reg.count == 2);
  CHECK_STR(reg.tools[0].name, "Echo");
  CHECK_STR(reg.tools[1].name, "JsonSum");
  CHECK_STR(reg.tools[0].ref, "project:echo");
  CHECK_STR(reg.tools[1].digest, f.sum_digest);
  CHECK(!reg.tools[0].https_granted);
  CHECK_INT(reg.diag_count, 0);
  wg_module_cache *cache = wg_module_cache_new(0);
  wg_call_result r;
  const char *in = "{\"numbers\":[2,3]}";
  CHECK_INT(wg_registry_call(&reg, cache, "JsonSum", in, strlen(in), NULL, NULL, &r), WG_ERR_NONE);
  CHECK_STR(r.summary, "sum: 5 (2 numbers)");
  wg_call_result_free(&r);
  in = "{\"numbers\":[2,\"3\"]}"; /* the registered schema is applied */
  CHECK_INT(wg_registry_call(&reg, cache, "JsonSum", in, strlen(in), NULL, NULL, &r),
            WG_ERR_SCHEMA_MISMATCH);
  wg_call_result_free(&r);
  CHECK_INT(wg_registry_call(&reg, cache, "Missing", "{}", 2, NULL, NULL, &r), WG_ERR_UNKNOWN_TOOL);
  wg_call_result_free(&r);
  wg_buf j;
  wg_buf_init(&j, 0);
  CHECK(wg_registry_write_json(&reg, &j));
  CHECK_CONTAINS(j.data, "{\"tools\":[{\"name\":\"Echo\",\"description\":\"Echo the arguments back "
                         "as the content\",\"input_schema\":{\"additionalProperties\":true,"
                         "\"type\":\"object\"},\"plugin\":\"project:echo\",\"version\":\"1.0.0\"");
  wg_buf_free(&j);
  wg_module_cache_free(cache);
  wg_registry_free(&reg);
  teardown(&f);
}

static void test_reserved_names_and_feature_gate(void) {
  fixture f;
  REQUIRE(setup(&f, true));
  const char *builtin[] = {"Read", "Echo"};
  wg_registry reg;
  REQUIRE(wg_registry_build(f.cfg, &f.res, builtin, 2, &reg));
  REQUIRE(reg.count == 1);
  CHECK_STR(reg.tools[0].name, "JsonSum");
  REQUIRE(reg.diag_count == 1);
  CHECK(!reg.diags[0].warning);
  CHECK_STR(reg.diags[0].message, "duplicate tool contribution `Echo` from feature "
                                  "`plugin:project:echo:tool`; first registered by `builtin`");
  wg_registry_free(&reg);
  teardown(&f);

  REQUIRE(setup(&f, false));
  REQUIRE(wg_registry_build(f.cfg, &f.res, NULL, 0, &reg));
  CHECK_INT(reg.count, 0);
  CHECK_INT(reg.diag_count, 0);
  wg_registry_free(&reg);
  teardown(&f);
}

/* Resolution happened; then the package file changes: the call fails
 * closed, after the input checks, with a message naming no path. */
static void test_package_changed_after_resolution(void) {
  fixture f;
  REQUIRE(setup(&f, true));
  wg_registry reg;
  REQUIRE(wg_registry_build(f.cfg, &f.res, NULL, 0, &reg));
  wg_module_cache *cache = wg_module_cache_new(0);
  wg_call_result r;
  CHECK_INT(wg_registry_call(&reg, cache, "Echo", "{}", 2, NULL, NULL, &r), WG_ERR_NONE);
  wg_call_result_free(&r);
  REQUIRE(rt_copy_file(f.sum, f.echo));
  CHECK_INT(wg_registry_call(&reg, cache, "Echo", "{} x", 4, NULL, NULL, &r), WG_ERR_INVALID_INPUT);
  wg_call_result_free(&r);
  CHECK_INT(wg_registry_call(&reg, cache, "Echo", "{}", 2, NULL, NULL, &r), WG_ERR_PACKAGE_CHANGED);
  char want[512];
  snprintf(want, sizeof want, "Execution failed: plugin WASM tool `Echo` from `project:echo` "
           "(digest %s) failed closed: package/module load error: resolved plugin package "
           "digest does not match current package content", f.echo_digest);
  CHECK_STR(r.summary, want);
  CHECK(strstr(r.summary, f.root) == NULL);
  wg_call_result_free(&r);
  unlink(f.echo);
  CHECK_INT(wg_registry_call(&reg, cache, "Echo", "{}", 2, NULL, NULL, &r), WG_ERR_PACKAGE_INVALID);
  CHECK_STR(r.error.message, "resolved plugin package metadata could not be read: not found");
  wg_call_result_free(&r);
  wg_module_cache_free(cache);
  wg_registry_free(&reg);
  teardown(&f);
}

WG_TEST_LIST {
  WG_TEST(test_registry_order_and_call),
  WG_TEST(test_reserved_names_and_feature_gate),
  WG_TEST(test_package_changed_after_resolution),
};
WG_TEST_MAIN()
