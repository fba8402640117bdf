/* test_config.c: wasmgate.toml parsing: defaults, every table, and errors
 * with exact messages, lines and columns (unknown keys, wrong types, out of
 * range numbers, bad shapes), plus loading from a file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "wasmgate/config.h"
#include "wasmgate/inspect.h"
#include "wasmgate/plugins.h"

static wg_config *parse(const char *text, wg_config_error *err) {
  return wg_config_parse(text, strlen(text), err);
}

/* Expects a parse error at line:column with exactly `message`. */
#define CHECK_CONFIG_ERROR(text, l, c, msg)                 \
  do {                                                      \
    wg_config_error e_;                                     \
    wg_config *cfg_ = parse(text, &e_);                     \
    CHECK(cfg_ == NULL);                                    \
    wg_config_free(cfg_);                                   \
    CHECK_INT(e_.line, l);                                  \
    CHECK_INT(e_.column, c);                                \
    CHECK_STR(e_.message, msg);                             \
  } while (0)

static void test_empty_config_has_defaults(void) {
  wg_config_error e;
  wg_config *cfg = parse("", &e);
  REQUIRE(cfg);
  CHECK(!cfg->plugins_feature_enabled);
  CHECK_INT(cfg->enabled_count, 0);
  CHECK_U64(cfg->limits.input_bytes, 65536);
  CHECK_U64(cfg->limits.output_bytes, 65536);
  CHECK_U64(cfg->limits.summary_bytes, 1024);
  CHECK_U64(cfg->limits.fuel, 100000000);
  CHECK_U64(cfg->limits.timeout_ms, 10000);
  CHECK_U64(cfg->limits.memory_bytes, 16u << 20);
  CHECK_U64(cfg->limits.table_elements, 10000);
  CHECK_U64(cfg->limits.call_depth, 1000);
  CHECK_INT(cfg->max_requests_per_call, 16);
  CHECK_INT(cfg->allow_network_count, 0);
  CHECK(cfg->ca_file == NULL);
  CHECK_STR(cfg->history_path, ".wasmgate/history.jsonl");
  CHECK_INT(cfg->history_fsync, WG_FSYNC_ALWAYS);
  CHECK(cfg->project_store == NULL && cfg->user_store == NULL);
  wg_config_free(cfg);
}

static const char full_config[] =
    "[feature.plugins]\n"
    "enabled = true\n"
    "[limits]\n"
    "input_bytes = 1000\n"
    "output_bytes = 2000\n"
    "summary_bytes = 100\n"
    "fuel = 5\n"
    "timeout_ms = 250\n"
    "memory_bytes = 131072\n"
    "table_elements = 1\n"
    "call_depth = 10\n"
    "[https]\n"
    "allow_networks = [\"10.1.2.3/32\", \"fd00::/8\"]\n"
    "ca_file = \"certs/ca.pem\"\n"
    "max_requests_per_call = 3\n"
    "[secrets]\n"
    "github = { env = \"GITHUB_TOKEN\" }\n"
    "hook = { file = \"secrets/hook\" }\n"
    "[history]\n"
    "path = \"h.jsonl\"\n"
    "fsync = \"never\"\n"
    "[stores]\n"
    "project = \"p\"\n"
    "user = \"/u\"\n"
    "[[plugins.enabled]]\n"
    "id = \"project:echo\"\n"
    "version = \"1.0.0\"\n"
    "digest = \"sha256:00\"\n"
    "surfaces = [\"tool\", \"wasm\"]\n"
    "[plugins.enabled.config]\n"
    "anything = [1, { x = 2 }]\n"
    "[plugins.enabled.grants]\n"
    "id = \"project:echo\"\n"
    "version = \"1.0.0\"\n"
    "digest = \"sha256:00\"\n"
    "permissions = [ { kind = \"surface\", surface = \"tool\" },\n"
    "                { kind = \"tool_namespace\", namespace = \"gh_\" },\n"
    "                { kind = \"host_api\", api = \"https\" } ]\n"
    "[[plugins.enabled.grants.https]]\n"
    "host = \"api.github.com\"\n"
    "methods = [\"GET\", \"POST\"]\n"
    "path_prefixes = [\"/repos\"]\n"
    "port = 8443\n"
    "max_redirects = 2\n"
    "headers = [ { name = \"authorization\", value = \"Bearer ${secret:github}\" } ]\n"
    "path_secrets = [\"hook\"]\n"
    "[[plugins.enabled]]\n"
    "id = \"user:other\"\n";

static void test_every_table_parses(void) {
  wg_config_error e;
  wg_config *cfg = parse(full_config, &e);
  if (!cfg) fprintf(stderr, "%u:%u: %s\n", e.line, e.column, e.message);
  REQUIRE(cfg);
  CHECK(cfg->plugins_feature_enabled);
  CHECK_U64(cfg->limits.input_bytes, 1000);
  CHECK_U64(cfg->limits.output_bytes, 2000);
  CHECK_U64(cfg->limits.summary_bytes, 100);
  CHECK_U64(cfg->limits.fuel, 5);
  CHECK_U64(cfg->limits.timeout_ms, 250);
  CHECK_U64(cfg->limits.memory_bytes, 131072);
  CHECK_U64(cfg->limits.table_elements, 1);
  CHECK_U64(cfg->limits.call_depth, 10);
  REQUIRE(cfg->allow_network_count == 2);
  CHECK_STR(cfg->allow_networks[1], "fd00::/8");
  CHECK_STR(cfg->ca_file, "certs/ca.pem");
  CHECK_INT(cfg->max_requests_per_call, 3);
  REQUIRE(cfg->secret_count == 2);
  CHECK_STR(cfg->secrets[0].name, "github");
  CHECK_STR(cfg->secrets[0].env, "GITHUB_TOKEN");
  CHECK(cfg->secrets[0].file == NULL);
  CHECK_STR(cfg->secrets[1].file, "secrets/hook");
  CHECK_STR(cfg->history_path, "h.jsonl");
  CHECK_INT(cfg->history_fsync, WG_FSYNC_NEVER);
  CHECK_STR(cfg->project_store, "p");
  CHECK_STR(cfg->user_store, "/u");
  REQUIRE(cfg->enabled_count == 2);
  const wg_config_enabled *en = &cfg->enabled[0];
  CHECK_STR(en->id, "project:echo");
  CHECK_STR(en->version, "1.0.0");
  CHECK_STR(en->digest, "sha256:00");
  CHECK_INT(en->surfaces, (1u << WG_SURFACE_TOOL) | (1u << WG_SURFACE_WASM));
  REQUIRE(en->config && en->config->type == WG_TOML_TABLE);
  CHECK_INT(wg_toml_count(wg_toml_get(en->config, "anything")), 2);
  CHECK_INT(en->line, 25);
  CHECK_STR(en->grants.id, "project:echo");
  REQUIRE(en->grants.permission_count == 3);
  CHECK_INT(en->grants.permissions[1].kind, WG_PERM_TOOL_NAMESPACE);
  CHECK_STR(en->grants.permissions[1].text, "gh_");
  CHECK_INT(en->grants.permissions[2].api, WG_HOST_API_HTTPS);
  REQUIRE(en->grants.https_count == 1);
  const wg_config_https_grant *h = &en->grants.https[0];
  CHECK_STR(h->host, "api.github.com");
  REQUIRE(h->method_count == 2);
  CHECK_STR(h->methods[1], "POST");
  REQUIRE(h->path_prefix_count == 1);
  CHECK_STR(h->path_prefixes[0], "/repos");
  CHECK(h->has_port);
  CHECK_INT(h->port, 8443);
  CHECK_INT(h->max_redirects, 2);
  REQUIRE(h->header_count == 1);
  CHECK_STR(h->headers[0].name, "authorization");
  CHECK_STR(h->headers[0].value, "Bearer ${secret:github}");
  REQUIRE(h->path_secret_count == 1);
  CHECK_STR(h->path_secrets[0], "hook");
  CHECK_STR(cfg->enabled[1].id, "user:other");
  CHECK_INT(cfg->enabled[1].surfaces, 0);
  CHECK_INT(cfg->enabled[1].grants.permission_count, 0);
  CHECK(cfg->enabled[1].config == NULL);
  wg_config_free(cfg);
}

/* A yoi profile's plugin section, copied verbatim, is accepted. */
static void test_yoi_plugin_section_parses(void) {
  wg_config_error e;
  wg_config *cfg = parse(
      "[[plugins.enabled]]\n"
      "id = \"project:example\"\n"
      "version = \"0.1.0\"\n"
      "digest = \"sha256:abc\"\n"
      "surfaces = [\"hook\"]\n"
      "[plugins.enabled.config]\n"
      "mode = \"strict\"\n",
      &e);
  REQUIRE(cfg);
  CHECK_INT(cfg->enabled_count, 1);
  CHECK_INT(cfg->enabled[0].surfaces, 1u << WG_SURFACE_HOOK);
  wg_config_free(cfg);
}

static void test_unknown_keys_are_located(void) {
  CHECK_CONFIG_ERROR("x = 1\n", 1, 1, "unknown key `x` at the top level");
  CHECK_CONFIG_ERROR("[limits]\nfuel = 1\n  fule = 2\n", 3, 3,
                     "unknown key `fule` in `limits`");
  CHECK_CONFIG_ERROR("[feature]\nplugin = true\n", 2, 1,
                     "unknown key `plugin` in `feature`");
  CHECK_CONFIG_ERROR("[feature.plugins]\nenable = true\n", 2, 1,
                     "unknown key `enable` in `feature.plugins`");
  CHECK_CONFIG_ERROR("[plugins]\nresolved = []\n", 2, 1,
                     "unknown key `resolved` in `plugins`");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\nid = \"project:a\"\nenabled = true\n", 3, 1,
                     "unknown key `enabled` in `plugins.enabled[0]`");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\n[[plugins.enabled]]\n"
                     "[plugins.enabled.grants]\nfs = []\n", 4, 1,
                     "unknown key `fs` in `plugins.enabled[1].grants`");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\n[[plugins.enabled.grants.https]]\n"
                     "host = \"h\"\nscheme = \"http\"\n", 4, 1,
                     "unknown key `scheme` in `plugins.enabled[0].grants.https[0]`");
  CHECK_CONFIG_ERROR("[https]\nallow_network = []\n", 2, 1,
                     "unknown key `allow_network` in `https`");
  CHECK_CONFIG_ERROR("[history]\npath = \"a\"\nrotate = 1\n", 3, 1,
                     "unknown key `rotate` in `history`");
  CHECK_CONFIG_ERROR("[stores]\nbuiltin = \"x\"\n", 2, 1,
                     "unknown key `builtin` in `stores`");
  CHECK_CONFIG_ERROR("[secrets]\ngh = { env = \"A\", value = \"B\" }\n", 2, 19,
                     "unknown key `value` in `secrets.gh`");
  /* Control bytes in a key are escaped, never echoed raw. */
  CHECK_CONFIG_ERROR("\"a\\u0007b\" = 1\n", 1, 1, "unknown key `a\\x07b` at the top level");
}

static void test_wrong_types_are_located(void) {
  CHECK_CONFIG_ERROR("[limits]\nfuel = \"lots\"\n", 2, 8,
                     "`limits.fuel` must be an integer, not a string");
  CHECK_CONFIG_ERROR("[feature.plugins]\nenabled = 1\n", 2, 11,
                     "`feature.plugins.enabled` must be a boolean, not an integer");
  CHECK_CONFIG_ERROR("plugins = 3\n", 1, 11, "`plugins` must be a table, not an integer");
  CHECK_CONFIG_ERROR("[plugins]\nenabled = { id = \"x\" }\n", 2, 11,
                     "`plugins.enabled` must be an array, not a table");
  CHECK_CONFIG_ERROR("[plugins]\nenabled = [1]\n", 2, 12,
                     "`plugins.enabled[0]` must be a table");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\nid = 7\n", 2, 6,
                     "`plugins.enabled[0].id` must be a string, not an integer");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\nsurfaces = \"tool\"\n", 2, 12,
                     "`plugins.enabled[0].surfaces` must be an array, not a string");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\nsurfaces = [\"tool\", \"shell\"]\n", 2, 21,
                     "`plugins.enabled[0].surfaces[1]` must be one of hook, tool, "
                     "service, ingress, wasm");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\ngrants = []\n", 2, 10,
                     "`plugins.enabled[0].grants` must be a table, not an array");
  CHECK_CONFIG_ERROR("[https]\nallow_networks = [\"10.0.0.0/8\", 5]\n", 2, 33,
                     "`https.allow_networks[1]` must be a string, not an integer");
  CHECK_CONFIG_ERROR("[history]\nfsync = true\n", 2, 9,
                     "`history.fsync` must be a string, not a boolean");
  CHECK_CONFIG_ERROR("[stores]\nproject = 1.5\n", 2, 11,
                     "`stores.project` must be a string, not a float");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\nversion = 1979-05-27\n", 2, 11,
                     "`plugins.enabled[0].version` must be a string, not a date-time");
  CHECK_CONFIG_ERROR("[stores]\nuser = \"a\\u0000b\"\n", 2, 8,
                     "`stores.user` must not contain a NUL character");
}

static void test_numbers_are_range_checked(void) {
  CHECK_CONFIG_ERROR("[limits]\nfuel = 0\n", 2, 8,
                     "`limits.fuel` must be between 1 and 1125899906842624");
  CHECK_CONFIG_ERROR("[limits]\ninput_bytes = -1\n", 2, 15,
                     "`limits.input_bytes` must be between 2 and 16777216");
  CHECK_CONFIG_ERROR("[limits]\nmemory_bytes = 4294967297\n", 2, 16,
                     "`limits.memory_bytes` must be between 65536 and 4294967296");
  CHECK_CONFIG_ERROR("[limits]\ntimeout_ms = 3600001\n", 2, 14,
                     "`limits.timeout_ms` must be between 1 and 3600000");
  CHECK_CONFIG_ERROR("[limits]\ncall_depth = 0\n", 2, 14,
                     "`limits.call_depth` must be between 1 and 100000");
  /* No limit has a value meaning "default": 0 is refused where it could
   * not be enforced exactly, and so is what the ABI or engine cannot hold. */
  CHECK_CONFIG_ERROR("[limits]\ntable_elements = 0\n", 2, 18,
                     "`limits.table_elements` must be between 1 and 10000000");
  CHECK_CONFIG_ERROR("[limits]\noutput_bytes = 65537\n", 2, 16,
                     "`limits.output_bytes` must be between 16 and 65536");
  CHECK_CONFIG_ERROR("[limits]\noutput_bytes = 0\n", 2, 16,
                     "`limits.output_bytes` must be between 16 and 65536");
  CHECK_CONFIG_ERROR("[limits]\nsummary_bytes = 0\n", 2, 17,
                     "`limits.summary_bytes` must be between 1 and 16777216");
  CHECK_CONFIG_ERROR("[limits]\ntimeout_ms = 0\n", 2, 14,
                     "`limits.timeout_ms` must be between 1 and 3600000");
  CHECK_CONFIG_ERROR("[limits]\nmemory_bytes = 0\n", 2, 16,
                     "`limits.memory_bytes` must be between 65536 and 4294967296");
  CHECK_CONFIG_ERROR("[limits]\nmemory_bytes = 100000\n", 2, 16,
                     "`limits.memory_bytes` must be a multiple of 65536 (whole wasm pages)");
  CHECK_CONFIG_ERROR("[limits]\ninput_bytes = 0\n", 2, 15,
                     "`limits.input_bytes` must be between 2 and 16777216");
  CHECK_CONFIG_ERROR("[limits]\noutput_bytes = 100\nsummary_bytes = 200\n", 3, 17,
                     "`limits.summary_bytes` must not exceed `limits.output_bytes`");
  CHECK_CONFIG_ERROR("[https]\nmax_requests_per_call = 1025\n", 2, 25,
                     "`https.max_requests_per_call` must be between 0 and 1024");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\n[[plugins.enabled.grants.https]]\n"
                     "host = \"h\"\nport = 0\n", 4, 8,
                     "`plugins.enabled[0].grants.https[0].port` must be between 1 and 65535");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\n[[plugins.enabled.grants.https]]\n"
                     "host = \"h\"\nmax_redirects = 21\n", 4, 17,
                     "`plugins.enabled[0].grants.https[0].max_redirects` must be "
                     "between 0 and 20");
}

static void test_shapes_are_checked(void) {
  CHECK_CONFIG_ERROR("[https]\nallow_networks = [\"10.1.2.3\"]\n", 2, 19,
                     "`https.allow_networks[0]` must be a CIDR block such as "
                     "\"10.1.2.3/32\" or \"fd00::/8\"");
  CHECK_CONFIG_ERROR("[https]\nallow_networks = [\"10.1.2.3/33\"]\n", 2, 19,
                     "`https.allow_networks[0]` must be a CIDR block such as "
                     "\"10.1.2.3/32\" or \"fd00::/8\"");
  CHECK_CONFIG_ERROR("[https]\nallow_networks = [\"::1/129\"]\n", 2, 19,
                     "`https.allow_networks[0]` must be a CIDR block such as "
                     "\"10.1.2.3/32\" or \"fd00::/8\"");
  CHECK_CONFIG_ERROR("[https]\nca_file = \"\"\n", 2, 11, "`https.ca_file` must not be empty");
  CHECK_CONFIG_ERROR("[secrets]\ngh = \"token\"\n", 2, 6,
                     "`secrets.gh` must be a table: { env = \"VAR\" } or { file = \"path\" }");
  CHECK_CONFIG_ERROR("[secrets]\ngh = { env = \"A\", file = \"b\" }\n", 2, 6,
                     "`secrets.gh` must have exactly one of `env` and `file`");
  CHECK_CONFIG_ERROR("[secrets]\ngh = {}\n", 2, 6,
                     "`secrets.gh` must have exactly one of `env` and `file`");
  CHECK_CONFIG_ERROR("[secrets]\ngh = { env = \"\" }\n", 2, 6,
                     "`secrets.gh` names an empty variable");
  CHECK_CONFIG_ERROR("[secrets]\n\"a b\" = { env = \"X\" }\n", 2, 1,
                     "secret name `a b` must be 1-64 letters, digits, '_', '-' or '.'");
  CHECK_CONFIG_ERROR("[history]\nfsync = \"sometimes\"\n", 2, 9,
                     "`history.fsync` must be \"always\" or \"never\"");
  CHECK_CONFIG_ERROR("[history]\npath = \"\"\n", 2, 8, "`history.path` must not be empty");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\n[[plugins.enabled.grants.https]]\n"
                     "methods = [\"GET\"]\n", 2, 1,
                     "`plugins.enabled[0].grants.https[0].host` is required");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\n[[plugins.enabled.grants.https]]\nhost = \"h\"\n"
                     "headers = [ { name = \"authorization\" } ]\n", 4, 13,
                     "`plugins.enabled[0].grants.https[0].headers[0].value` is required");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\n[[plugins.enabled.grants.https]]\nhost = \"h\"\n"
                     "headers = [ { name = \"a\", value = \"${secret:nope}\" } ]\n", 4, 35,
                     "`plugins.enabled[0].grants.https[0].headers[0].value` refers to a "
                     "secret that is not defined in [secrets]");
  CHECK_CONFIG_ERROR("[[plugins.enabled]]\n[[plugins.enabled.grants.https]]\nhost = \"h\"\n"
                     "path_secrets = [\"nope\"]\n", 4, 17,
                     "`plugins.enabled[0].grants.https[0].path_secrets[0]` is not "
                     "defined in [secrets]");
}

/* wasmgate's https grant fields and [https] resolve: strict shapes,
 * located errors (what each may hold: src/config/https.c, docs/https.md). */
static void test_https_grant_shapes(void) {
#define G "[[plugins.enabled]]\n[[plugins.enabled.grants.https]]\n"
#define W "`plugins.enabled[0].grants.https[0]."
  static const char host_msg[] =
      W "host` must be a host name, \"*.\" and a name, or an IP address (no scheme, port, "
        "path or spaces; use `port` for a port)";
  static const char *const bad_hosts[] = {"https://a.example", "a.example:8443", "a.example/v1",
                                          " a.example", "", "*.*.example", "a.*.example",
                                          "[::1", "user@a.example", "a%zz"};
  for (size_t i = 0; i < sizeof bad_hosts / sizeof bad_hosts[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, G "host = \"%s\"\n", bad_hosts[i]);
    CHECK_CONFIG_ERROR(text, 3, 8, host_msg);
  }
  static const char prefix_msg[] =
      W "path_prefixes[0]` must start with '/' and hold no '?', '#', '\\', spaces, control "
        "characters or \".\"/\"..\" segments";
  static const char *const bad_prefixes[] = {"v1", "/v1/../admin", "/v1/%2E%2e", "/v1?x",
                                             "/v 1", "/v1\\\\x", "/./x", "/x/."};
  for (size_t i = 0; i < sizeof bad_prefixes / sizeof bad_prefixes[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, G "host = \"a.example\"\npath_prefixes = [\"%s\"]\n",
             bad_prefixes[i]);
    CHECK_CONFIG_ERROR(text, 4, 18, prefix_msg);
  }
  CHECK_CONFIG_ERROR(G "host = \"a.example\"\nmethods = [\"GET\", \"HEAD\"]\n", 4, 19,
                     W "methods[1]` must be one of GET, POST, PUT, PATCH, DELETE");
  CHECK_CONFIG_ERROR(G "host = \"a.example\"\nmethods = [\" get\"]\n", 4, 12,
                     W "methods[0]` must be one of GET, POST, PUT, PATCH, DELETE");
  CHECK_CONFIG_ERROR(G "host = \"a.example\"\nheaders = [ { name = \"bad name\", value = \"v\" } ]\n",
                     4, 22, W "headers[0].name` must be an HTTP header name (1-64 token characters)");
  CHECK_CONFIG_ERROR(G "host = \"a.example\"\nheaders = [ { name = \"Host\", value = \"v\" } ]\n",
                     4, 22, W "headers[0].name` names a header the client sets itself");
  CHECK_CONFIG_ERROR(G "host = \"a.example\"\nheaders = [ { name = \"authorization\", value = "
                       "\"Bearer literal\" } ]\n",
                     4, 47, W "headers[0].value` of a credential header must come from [secrets] "
                              "(\"${secret:NAME}\")");
  CHECK_CONFIG_ERROR(G "host = \"a.example\"\nheaders = [ { name = \"x\", value = \"a\\nb\" } ]\n",
                     4, 35, W "headers[0].value` must be at most 4096 bytes with no control "
                              "character but tab");
  CHECK_CONFIG_ERROR(G "host = \"a.example\"\nheaders = [ { name = \"x\", value = \"1\" }, "
                       "{ name = \"X\", value = \"2\" } ]\n",
                     4, 51, W "headers[1].name` is set twice");
  /* What is accepted: any case of the five methods, no methods (unusable,
   * as yoi), a "*." name, IP literals, a credential from [secrets]. */
  wg_config_error e;
  const char *ok = "[secrets]\ngh = { env = \"GH\" }\n" G
                   "host = \"*.API.example.\"\nmethods = [\"get\", \"Post\"]\n"
                   "path_prefixes = [\"/v1/\", \"/a/%7e/..b\"]\n"
                   "headers = [ { name = \"Authorization\", value = \"token ${secret:gh}\" } ]\n"
                   "[[plugins.enabled.grants.https]]\nhost = \"[2606:4700::1]\"\n"
                   "[[plugins.enabled.grants.https]]\nhost = \"8.8.8.8\"\nmethods = []\n";
  wg_config *cfg = parse(ok, &e);
  REQUIRE(cfg);
  CHECK_INT(cfg->enabled[0].grants.https_count, 3);
  wg_config_free(cfg);
#undef G
#undef W
}

static void test_https_resolve(void) {
#define R(x) "[https]\nresolve = [" x "]\n"
#define FORMAT " (\"HOST:PORT:ADDRESS[,ADDRESS...]\")"
  wg_config_error e;
  wg_config *cfg = parse(R("\"Test.Example:8443:127.0.0.1,[::1],fd00::2\", \"b.test:443:8.8.8.8\""), &e);
  REQUIRE(cfg);
  REQUIRE(cfg->resolve_count == 2);
  CHECK_STR(cfg->resolve[0].host, "Test.Example");
  CHECK_INT(cfg->resolve[0].port, 8443);
  REQUIRE(cfg->resolve[0].address_count == 3);
  CHECK_INT(cfg->resolve[0].addresses[0].family, 4);
  CHECK_INT(cfg->resolve[0].addresses[0].bytes[0], 127);
  CHECK_INT(cfg->resolve[0].addresses[1].family, 6);
  CHECK_INT(cfg->resolve[0].addresses[1].bytes[15], 1);
  CHECK_INT(cfg->resolve[0].addresses[2].bytes[15], 2);
  CHECK_INT(cfg->resolve[1].port, 443);
  wg_config_free(cfg);
  CHECK_CONFIG_ERROR(R("\"a.test:443\""), 2, 12, "`https.resolve[0]` must have three parts" FORMAT);
  CHECK_CONFIG_ERROR(R("\"a.test:0:127.0.0.1\""), 2, 12,
                     "`https.resolve[0]` has a port that is not 1-65535" FORMAT);
  CHECK_CONFIG_ERROR(R("\"a.test:65536:127.0.0.1\""), 2, 12,
                     "`https.resolve[0]` has a port that is not 1-65535" FORMAT);
  CHECK_CONFIG_ERROR(R("\"a.test:443:127.1\""), 2, 12,
                     "`https.resolve[0]` has an address that is not an IPv4 or [IPv6] address" FORMAT);
  CHECK_CONFIG_ERROR(R("\"a.test:443:1.2.3.4,\""), 2, 12,
                     "`https.resolve[0]` has an address that is not an IPv4 or [IPv6] address" FORMAT);
  CHECK_CONFIG_ERROR(R("\"[::1]:443:1.2.3.4\""), 2, 12,
                     "`https.resolve[0]` must start with a host name" FORMAT);
  CHECK_CONFIG_ERROR(R("\":443:1.2.3.4\""), 2, 12,
                     "`https.resolve[0]` must start with a host name" FORMAT);
  CHECK_CONFIG_ERROR(R("\"a.test:443:1.2.3.4\", \"A.TEST:443:5.6.7.8\""), 2, 34,
                     "`https.resolve[1]` repeats the host and port of an earlier entry" FORMAT);
  CHECK_CONFIG_ERROR(R("5"), 2, 12, "`https.resolve[0]` must be a string, not an integer");
  /* allow_networks: host bits and prefixes. */
  CHECK_CONFIG_ERROR("[https]\nallow_networks = [\"10.1.2.3/8\"]\n", 2, 19,
                     "`https.allow_networks[0]` has address bits set after its prefix length "
                     "(write the network address, or /32 or /128 for one address)");
  CHECK_CONFIG_ERROR("[https]\nallow_networks = [\"fd00::1/8\"]\n", 2, 19,
                     "`https.allow_networks[0]` has address bits set after its prefix length "
                     "(write the network address, or /32 or /128 for one address)");
  CHECK_CONFIG_ERROR("[https]\nallow_networks = [\"10.0.0.0/08\"]\n", 2, 19,
                     "`https.allow_networks[0]` must be a CIDR block such as \"10.1.2.3/32\" or "
                     "\"fd00::/8\"");
  CHECK_CONFIG_ERROR("[https]\nallow_networks = [\"010.0.0.0/8\"]\n", 2, 19,
                     "`https.allow_networks[0]` must be a CIDR block such as \"10.1.2.3/32\" or "
                     "\"fd00::/8\"");
#undef R
#undef FORMAT
}

/* Unknown permission kinds fail closed at the parse boundary (reference
 * 6.1, test unknown_permission_kind_fails_closed_at_manifest_parse_boundary). */
static void test_bad_permissions_are_parse_errors(void) {
  static const char perm_msg[] =
      "`plugins.enabled[0].grants.permissions[0]` is not a valid permission "
      "(kind = surface, tool, tool_namespace, external_write or host_api, "
      "with exactly that kind's keys)";
  wg_config_error e;
  wg_config *cfg = parse("[[plugins.enabled]]\n[plugins.enabled.grants]\n"
                         "permissions = [ { kind = \"ambient_shell\" } ]\n", &e);
  CHECK(cfg == NULL);
  CHECK_INT(e.line, 3);
  CHECK_STR(e.message, perm_msg);
  cfg = parse("[[plugins.enabled]]\n[plugins.enabled.grants]\n"
              "permissions = [ { kind = \"host_api\", api = \"shell\" } ]\n", &e);
  CHECK(cfg == NULL);
  CHECK_INT(e.line, 3);
  CHECK_STR(e.message, perm_msg);
  cfg = parse("[[plugins.enabled]]\n[plugins.enabled.grants]\n"
              "permissions = [ { kind = \"tool\", name = \"X\", extra = 1 } ]\n", &e);
  CHECK(cfg == NULL);
  CHECK_INT(e.line, 3);
  CHECK_STR(e.message, perm_msg);
}

static void test_toml_errors_have_locations(void) {
  wg_config_error e;
  wg_config *cfg = parse("[limits]\nfuel = = 3\n", &e);
  CHECK(cfg == NULL);
  CHECK_INT(e.line, 2);
  CHECK_INT(e.column, 8);
  CHECK(strncmp(e.message, "invalid TOML: ", 14) == 0);
  cfg = parse("[limits]\nfuel = 1\nfuel = 2\n", &e);
  CHECK(cfg == NULL);
  CHECK_INT(e.line, 3);
}

static void test_load_missing_and_present_files(void) {
  char dir[] = "/tmp/wg-cfg-XXXXXX";
  REQUIRE(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/wasmgate.toml", dir);
  wg_config_error e;
  wg_config *cfg = wg_config_load(path, false, &e);
  REQUIRE(cfg);
  CHECK_INT(cfg->enabled_count, 0);
  wg_config_free(cfg);
  cfg = wg_config_load(path, true, &e);
  CHECK(cfg == NULL);
  CHECK_INT(e.line, 0);
  CHECK_STR(e.message, "cannot read config: No such file or directory");
  FILE *f = fopen(path, "w");
  REQUIRE(f);
  fputs("[feature.plugins]\nenabled = true\n", f);
  fclose(f);
  cfg = wg_config_load(path, true, &e);
  REQUIRE(cfg);
  CHECK(cfg->plugins_feature_enabled);
  wg_config_free(cfg);
  /* A directory is not a config file. */
  cfg = wg_config_load(dir, true, &e);
  CHECK(cfg == NULL);
  CHECK_STR(e.message, "cannot read config: Is a directory");
  /* One byte over the bound: the message states the bound. */
  f = fopen(path, "w");
  REQUIRE(f);
  for (size_t i = 0; i <= WG_CONFIG_MAX_FILE_SIZE; i++) fputc('\n', f);
  fclose(f);
  cfg = wg_config_load(path, true, &e);
  CHECK(cfg == NULL);
  CHECK_INT(e.code, WG_CONFIG_IO);
  CHECK_STR(e.message, "cannot read config: larger than 1 MiB");
  unlink(path);
  rmdir(dir);
}

static void test_store_paths(void) {
  wg_plugin_stores sp;
  wg_config_error e;
  setenv("XDG_DATA_HOME", "/xdg", 1);
  setenv("HOME", "/home/u", 1);
  REQUIRE(wg_plugin_stores_get(NULL, "/ws", NULL, NULL, &sp, &e) == 0);
  CHECK_STR(sp.project, "/ws/.yoi/plugins");
  CHECK_STR(sp.user, "/xdg/yoi/plugins");
  CHECK(sp.has_user);
  unsetenv("XDG_DATA_HOME");
  REQUIRE(wg_plugin_stores_get(NULL, "/ws", NULL, NULL, &sp, &e) == 0);
  CHECK_STR(sp.user, "/home/u/.local/share/yoi/plugins");
  setenv("XDG_DATA_HOME", "relative", 1); /* invalid per the XDG spec: ignored */
  REQUIRE(wg_plugin_stores_get(NULL, "/ws", NULL, NULL, &sp, &e) == 0);
  CHECK_STR(sp.user, "/home/u/.local/share/yoi/plugins");
  unsetenv("HOME");
  unsetenv("XDG_DATA_HOME");
  REQUIRE(wg_plugin_stores_get(NULL, "/ws", NULL, NULL, &sp, &e) == 0);
  CHECK(!sp.has_user);
  wg_config *cfg = parse("[stores]\nproject = \"pp\"\nuser = \"/abs/u\"\n", &e);
  REQUIRE(cfg);
  REQUIRE(wg_plugin_stores_get(cfg, "/ws", NULL, NULL, &sp, &e) == 0);
  CHECK_STR(sp.project, "/ws/pp");
  CHECK_STR(sp.user, "/abs/u");
  REQUIRE(wg_plugin_stores_get(cfg, "/ws", "/o/p", "rel/u", &sp, &e) == 0);
  CHECK_STR(sp.project, "/o/p");
  CHECK_STR(sp.user, "/ws/rel/u");
  wg_config_free(cfg);
}

static void test_plugin_ids(void) {
  wg_source s;
  const char *local = NULL;
  CHECK_INT(wg_parse_plugin_id("project:echo", &s, &local), WG_ID_OK);
  CHECK_INT(s, WG_SOURCE_PROJECT);
  CHECK_STR(local, "echo");
  CHECK_INT(wg_parse_plugin_id("builtin:a..b", &s, &local), WG_ID_OK);
  CHECK_INT(s, WG_SOURCE_BUILTIN);
  CHECK_INT(wg_parse_plugin_id("echo", &s, &local), WG_ID_UNQUALIFIED);
  CHECK_INT(wg_parse_plugin_id("", &s, &local), WG_ID_UNQUALIFIED);
  CHECK_INT(wg_parse_plugin_id("global:echo", &s, &local), WG_ID_BAD_SOURCE);
  CHECK_INT(wg_parse_plugin_id("User:echo", &s, &local), WG_ID_BAD_SOURCE);
  CHECK_INT(wg_parse_plugin_id("user:", &s, &local), WG_ID_BAD_LOCAL_ID);
  CHECK_INT(wg_parse_plugin_id("user:a:b", &s, &local), WG_ID_BAD_LOCAL_ID);
  CHECK_INT(wg_parse_plugin_id("user:.a", &s, &local), WG_ID_BAD_LOCAL_ID);
  CHECK_INT(wg_parse_plugin_id("user:a b", &s, &local), WG_ID_BAD_LOCAL_ID);
}

/* Seeded mutations of a full config: every outcome is either a config or a
 * bounded error with a message; nothing crashes or leaks (ASan build). */
static void test_mutated_configs_fail_cleanly(void) {
  size_t len = strlen(full_config);
  char *buf = malloc(len + 1);
  REQUIRE(buf);
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  size_t accepted = 0, rejected = 0;
  for (int round = 0; round < 20000; round++) {
    memcpy(buf, full_config, len + 1);
    int edits = 1 + (int)(seed % 4);
    for (int k = 0; k < edits; k++) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      static const char alphabet[] = "[]{}=\"'.,#\n 0aZ-_:\\";
      buf[seed % len] = alphabet[(seed >> 32) % (sizeof alphabet - 1)];
    }
    wg_config_error e;
    wg_config *cfg = wg_config_parse(buf, len, &e);
    if (cfg) {
      accepted++;
      wg_config_free(cfg);
      continue;
    }
    rejected++;
    size_t mlen = strnlen(e.message, sizeof e.message);
    if (mlen == 0 || mlen >= sizeof e.message || e.line == 0 || e.line > 60) {
      CHECK(mlen > 0 && mlen < sizeof e.message);
      CHECK(e.line >= 1 && e.line <= 60);
      break;
    }
  }
  free(buf);
  CHECK(accepted > 0);
  CHECK(rejected > 1000);
}

static wg_config_code code_of(const char *text) {
  wg_config_error e;
  wg_config *cfg = parse(text, &e);
  wg_config_free(cfg);
  return cfg ? WG_CONFIG_OK : e.code;
}

static void test_error_codes(void) {
  CHECK_INT(code_of(""), WG_CONFIG_OK);
  CHECK_INT(code_of("a = "), WG_CONFIG_TOML);
  CHECK_INT(code_of("x = 1\n"), WG_CONFIG_UNKNOWN_KEY);
  CHECK_INT(code_of("[limits]\nfuel = \"x\"\n"), WG_CONFIG_TYPE);
  CHECK_INT(code_of("[plugins]\nenabled = [1]\n"), WG_CONFIG_TYPE);
  CHECK_INT(code_of("[limits]\nfuel = 0\n"), WG_CONFIG_RANGE);
  CHECK_INT(code_of("[[plugins.enabled]]\n[[plugins.enabled.grants.https]]\n"), WG_CONFIG_MISSING);
  CHECK_INT(code_of("[https]\nallow_networks = [\"x\"]\n"), WG_CONFIG_INVALID);
  CHECK_STR(wg_config_code_name(WG_CONFIG_UNKNOWN_KEY), "unknown_key");
  CHECK_STR(wg_config_code_name(WG_CONFIG_NOMEM), "nomem");
  wg_config_error e;
  CHECK(wg_config_load("/nonexistent/wasmgate.toml", true, &e) == NULL);
  CHECK_INT(e.code, WG_CONFIG_IO);
}

/* The same for lock files: accepted locks are well-formed, rejected ones
 * get a located, bounded message, nothing leaks. */
static void test_mutated_locks_fail_cleanly(void) {
  static const char lock[] =
      "version = 1\n\n[[plugin]]\nid = \"project:echo\"\nversion = \"1.0.0\"\n"
      "digest = \"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n"
      "tools = [\"Echo\", \"b\\\"c\"]\n\n[[plugin]]\nid = \"user:x\"\nversion = \"2\"\n"
      "digest = \"sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"\n"
      "tools = []\n";
  size_t len = strlen(lock);
  char *buf = malloc(len + 1);
  REQUIRE(buf);
  uint64_t seed = 0x2545f4914f6cdd1dull;
  size_t accepted = 0, rejected = 0;
  for (int round = 0; round < 20000; round++) {
    memcpy(buf, lock, len + 1);
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    static const char alphabet[] = "[]{}=\"'.,#\n 0aZ:\\";
    buf[seed % len] = alphabet[(seed >> 32) % (sizeof alphabet - 1)];
    wg_lock lk;
    wg_config_error e;
    if (wg_lock_parse(buf, len, &lk, &e) == 0) {
      accepted++;
      CHECK(lk.count <= 2);
      for (size_t i = 0; i < lk.count; i++)
        CHECK(strncmp(lk.entries[i].digest, "sha256:", 7) == 0 &&
              strlen(lk.entries[i].digest) == 71);
      wg_lock_free(&lk);
      continue;
    }
    rejected++;
    CHECK_INT(lk.count, 0);
    size_t mlen = strnlen(e.message, sizeof e.message);
    if (mlen == 0 || e.line == 0 || e.line > 20) {
      CHECK(mlen > 0);
      CHECK(e.line >= 1 && e.line <= 20);
      break;
    }
  }
  free(buf);
  CHECK(accepted > 0);
  CHECK(rejected > 1000);
}

WG_TEST_LIST {
  WG_TEST(test_empty_config_has_defaults),
  WG_TEST(test_every_table_parses),
  WG_TEST(test_yoi_plugin_section_parses),
  WG_TEST(test_unknown_keys_are_located),
  WG_TEST(test_wrong_types_are_located),
  WG_TEST(test_numbers_are_range_checked),
  WG_TEST(test_shapes_are_checked),
  WG_TEST(test_https_grant_shapes),
  WG_TEST(test_https_resolve),
  WG_TEST(test_bad_permissions_are_parse_errors),
  WG_TEST(test_toml_errors_have_locations),
  WG_TEST(test_load_missing_and_present_files),
  WG_TEST(test_store_paths),
  WG_TEST(test_plugin_ids),
  WG_TEST(test_mutated_configs_fail_cleanly),
  WG_TEST(test_error_codes),
  WG_TEST(test_mutated_locks_fail_cleanly),
};
WG_TEST_MAIN()
