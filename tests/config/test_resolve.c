/* test_resolve.c: discovery, resolution, grant binding, authorization, the
 * lock file and static inspection statuses (yoi's rules:
 * docs/design.md#stores-discovery-and-resolution, #permissions) on real
 * stores in a temp directory. Every diagnostic is checked by exact kind,
 * phase and message. */
#include <errno.h>

#include "cfgfix.h"
#include "harness.h"

typedef struct world {
  cfix fx;
  wg_config *cfg;
  wg_discovery disc;
  wg_resolution res;
  wg_lock lock;
} world;

static void world_init(world *w) {
  memset(w, 0, sizeof *w);
  cfix_init(&w->fx);
}

static void world_free(world *w) {
  wg_resolution_free(&w->res);
  wg_discovery_free(&w->disc);
  wg_lock_free(&w->lock);
  wg_config_free(w->cfg);
  cfix_free(&w->fx);
}

static void discover(world *w) {
  wg_discovery_free(&w->disc);
  if (wg_discover(&w->fx.stores, NULL, &w->disc) != 0) {
    fprintf(stderr, "discovery ran out of memory\n");
    exit(2);
  }
}

/* Parses config text (printf-style) and resolves it against w->disc. */
static void resolve(world *w, const wg_lock *lock, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void resolve(world *w, const wg_lock *lock, const char *fmt, ...) {
  char text[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  wg_config_free(w->cfg);
  wg_resolution_free(&w->res);
  wg_config_error e;
  w->cfg = wg_config_parse(text, strlen(text), &e);
  if (!w->cfg) {
    fprintf(stderr, "config: %u:%u: %s\n", e.line, e.column, e.message);
    exit(2);
  }
  if (wg_resolve(w->cfg, &w->disc, lock, &w->res) != 0) exit(2);
}

static const wg_discovered *pkg_of(const world *w, const char *identity) {
  for (size_t i = 0; i < w->disc.count; i++)
    if (strcmp(w->disc.packages[i].identity, identity) == 0) return &w->disc.packages[i];
  return NULL;
}

/* Exactly one resolution diagnostic, and nothing resolved. */
#define CHECK_ONE_DIAG(w, k, msg)                                         \
  do {                                                                    \
    CHECK_INT((w)->res.count, 0);                                         \
    REQUIRE((w)->res.diag_count == 1);                                    \
    CHECK_STR(wg_pkg_code_name((w)->res.diags[0].kind), k);               \
    CHECK_INT((w)->res.diags[0].phase, WG_PKG_PHASE_RESOLUTION);          \
    CHECK_STR((w)->res.diags[0].message, msg);                            \
  } while (0)

/* ---- discovery ----------------------------------------------------------- */

static void test_discovers_user_and_project_packages(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.user, "user_one", "user_one", "1.0.0", true) == 0);
  REQUIRE(cfix_echo(w.fx.project, "project_one", "project_one", "1.0.0", false) == 0);
  REQUIRE(cfix_echo(w.fx.project, "alpha", "alpha", "2.0.0", true) == 0);
  discover(&w);
  CHECK_INT(w.disc.diag_count, 0);
  REQUIRE(w.disc.count == 3);
  /* Sorted by source (user first), then local id. */
  CHECK_STR(w.disc.packages[0].identity, "user:user_one");
  CHECK_STR(w.disc.packages[1].identity, "project:alpha");
  CHECK_STR(w.disc.packages[2].identity, "project:project_one");
  CHECK_STR(w.disc.packages[0].label, "user_one.yoi-plugin");
  CHECK_INT(w.disc.packages[2].source, WG_SOURCE_PROJECT);
  for (size_t i = 0; i < 3; i++) {
    CHECK(strncmp(w.disc.packages[i].digest, "sha256:", 7) == 0);
    CHECK(strncmp(w.disc.packages[i].path, w.fx.root, strlen(w.fx.root)) == 0);
  }
  CHECK_STR(w.disc.packages[1].manifest->version, "2.0.0");
  /* Discovery alone enables nothing. */
  resolve(&w, NULL, "%s", "");
  CHECK_INT(w.res.count, 0);
  CHECK_INT(w.res.diag_count, 0);
  world_free(&w);
}

/* A directory package and its zipped form have the same digest. */
static void test_directory_and_zip_share_digest(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.user, "same", "same", "1.0.0", true) == 0);
  REQUIRE(cfix_echo(w.fx.project, "same", "same", "1.0.0", false) == 0);
  discover(&w);
  REQUIRE(w.disc.count == 2);
  CHECK_STR(w.disc.packages[0].digest, w.disc.packages[1].digest);
  world_free(&w);
}

static void test_absent_stores_are_skipped(void) {
  world w;
  world_init(&w);
  snprintf(w.fx.stores.user, sizeof w.fx.stores.user, "%s/nope", w.fx.root);
  snprintf(w.fx.stores.project, sizeof w.fx.stores.project, "%s/nope2", w.fx.root);
  discover(&w);
  CHECK_INT(w.disc.count, 0);
  CHECK_INT(w.disc.diag_count, 0);
  world_free(&w);
}

static void test_store_that_is_a_file_is_io(void) {
  world w;
  world_init(&w);
  char p[512];
  cfix_path(p, "%s/file", w.fx.root);
  REQUIRE(cfix_write(p, "x") == 0);
  snprintf(w.fx.stores.user, sizeof w.fx.stores.user, "%s", p);
  discover(&w);
  REQUIRE(w.disc.diag_count == 1);
  CHECK_INT(w.disc.diags[0].kind, WG_PKG_IO);
  CHECK_INT(w.disc.diags[0].phase, WG_PKG_PHASE_DISCOVERY);
  CHECK_STR(w.disc.diags[0].message, "plugin store could not be read: I/O error");
  CHECK(w.disc.diags[0].has_source && w.disc.diags[0].source == WG_SOURCE_USER);
  world_free(&w);
}

/* One bad package never hides the others; no diagnostic holds a path. */
static void test_broken_packages_among_good_ones(void) {
  world w;
  world_init(&w);
  char m[4096], p[512];
  REQUIRE(cfix_echo(w.fx.project, "good", "good", "1.0.0", true) == 0);
  REQUIRE(cfix_package(w.fx.project, "badtoml", "not = [valid", true) == 0);
  cfix_manifest(m, sizeof m, "future", "1.0.0", "");
  m[strlen("schema_version = ")] = '9'; /* schema_version = 9 */
  REQUIRE(cfix_package(w.fx.project, "future", m, false) == 0);
  REQUIRE(cfix_package(w.fx.project, "nomanifest", NULL, true) == 0);
  cfix_path(p, "%s/outside.yoi-plugin", w.fx.root);
  REQUIRE(cfix_write(p, "x") == 0);
  char link[512];
  cfix_path(link, "%s/escape.yoi-plugin", w.fx.project);
  REQUIRE(symlink(p, link) == 0);
  cfix_path(p, "%s/junk.yoi-plugin", w.fx.project);
  REQUIRE(cfix_write(p, "PK not a zip") == 0);
  cfix_path(p, "%s/ignored.zip", w.fx.project);
  REQUIRE(cfix_write(p, "x") == 0);
  cfix_path(p, "%s/.yoi-plugin", w.fx.project); /* no stem: not a candidate */
  REQUIRE(cfix_write(p, "x") == 0);
  REQUIRE(cfix_echo(w.fx.project, "zgood", "zgood", "1.0.0", false) == 0);
  discover(&w);
  REQUIRE(w.disc.count == 2);
  CHECK_STR(w.disc.packages[0].identity, "project:good");
  CHECK_STR(w.disc.packages[1].identity, "project:zgood");
  REQUIRE(w.disc.diag_count == 5);
  /* In name order: badtoml, escape, future, junk, nomanifest. */
  const wg_plugin_diag *d = w.disc.diags;
  CHECK_STR(d[0].package, "badtoml.yoi-plugin");
  CHECK_INT(d[0].kind, WG_PKG_MALFORMED);
  CHECK_INT(d[0].phase, WG_PKG_PHASE_MANIFEST);
  CHECK(strncmp(d[0].message, "plugin.toml could not be parsed", 31) == 0);
  CHECK_STR(d[1].package, "escape.yoi-plugin");
  CHECK_INT(d[1].kind, WG_PKG_TRAVERSAL);
  CHECK_STR(d[1].message, "plugin package path escapes its source store");
  CHECK_STR(d[2].package, "future.yoi-plugin");
  CHECK_INT(d[2].kind, WG_PKG_API);
  CHECK_STR(d[2].message, "plugin schema/API version is unsupported");
  CHECK_STR(d[3].package, "junk.yoi-plugin");
  CHECK_INT(d[3].kind, WG_PKG_MALFORMED);
  CHECK_STR(d[4].package, "nomanifest.yoi-plugin");
  CHECK_INT(d[4].kind, WG_PKG_MISSING);
  CHECK_STR(d[4].message, "plugin package is missing root plugin.toml");
  for (size_t i = 0; i < w.disc.diag_count; i++) {
    CHECK(d[i].has_source && d[i].source == WG_SOURCE_PROJECT);
    CHECK(strstr(d[i].message, "/tmp") == NULL);
    CHECK_STR(d[i].identity, "");
  }
  world_free(&w);
}

/* A symlink that stays inside the store is a package like any other. */
static void test_symlink_inside_store_is_allowed(void) {
  world w;
  world_init(&w);
  char target[512], link[512];
  REQUIRE(cfix_echo(w.fx.project, "real", "linked", "1.0.0", true) == 0);
  cfix_path(target, "%s/real.yoi-plugin", w.fx.project);
  REQUIRE(rename(target, (cfix_path(link, "%s/real.data", w.fx.project), link)) == 0);
  cfix_path(target, "%s/link.yoi-plugin", w.fx.project);
  REQUIRE(symlink("real.data", target) == 0);
  discover(&w);
  CHECK_INT(w.disc.diag_count, 0);
  REQUIRE(w.disc.count == 1);
  CHECK_STR(w.disc.packages[0].identity, "project:linked");
  CHECK_STR(w.disc.packages[0].label, "link.yoi-plugin");
  world_free(&w);
}

static void test_store_package_limit_truncates_by_name(void) {
  world w;
  world_init(&w);
  static const char *const names[] = {"e", "b", "d", "a", "c"};
  for (size_t i = 0; i < 5; i++)
    REQUIRE(cfix_echo(w.fx.project, names[i], names[i], "1.0.0", false) == 0);
  wg_pkg_limits lim = wg_pkg_limits_default();
  lim.max_packages_per_store = 3;
  REQUIRE(wg_discover(&w.fx.stores, &lim, &w.disc) == 0);
  REQUIRE(w.disc.count == 3);
  CHECK_STR(w.disc.packages[0].identity, "project:a");
  CHECK_STR(w.disc.packages[2].identity, "project:c");
  REQUIRE(w.disc.diag_count == 1);
  CHECK_INT(w.disc.diags[0].kind, WG_PKG_BOUNDS);
  CHECK_STR(w.disc.diags[0].message,
            "plugin store holds more packages than the limit; the rest are ignored");
  world_free(&w);
}

static void test_duplicate_and_unqualified_ids_fail_closed(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.project, "dup1", "dup", "1.0.0", true) == 0);
  REQUIRE(cfix_echo(w.fx.project, "dup2", "dup", "1.0.1", false) == 0);
  REQUIRE(cfix_echo(w.fx.user, "dup", "dup", "1.0.0", false) == 0); /* other store: fine */
  discover(&w);
  CHECK_INT(w.disc.count, 3);
  REQUIRE(w.disc.diag_count == 1);
  CHECK_INT(w.disc.diags[0].kind, WG_PKG_DUPLICATE);
  CHECK_STR(w.disc.diags[0].identity, "project:dup");
  CHECK_STR(w.disc.diags[0].message, "duplicate plugin package identity in one source store");
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:dup\"\n");
  CHECK_ONE_DIAG(&w, "duplicate",
                 "enabled plugin identity matches more than one package in its source store");
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"dup\"\n");
  CHECK_ONE_DIAG(&w, "ambiguous",
                 "plugin enablement id must be source-qualified as user:<id>, "
                 "project:<id>, or builtin:<id>");
  CHECK_STR(w.res.diags[0].identity, "dup");
  /* Unqualified is ambiguous even when exactly one package matches. */
  resolve(&w, NULL, "[[plugins.enabled]]\nsurfaces = []\n");
  CHECK_ONE_DIAG(&w, "ambiguous",
                 "plugin enablement id must be source-qualified as user:<id>, "
                 "project:<id>, or builtin:<id>");
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"user:dup\"\n");
  CHECK_INT(w.res.count, 1);
  CHECK_INT(w.res.diag_count, 0);
  world_free(&w);
}

static void test_bad_and_missing_ids(void) {
  world w;
  world_init(&w);
  discover(&w);
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"global:x\"\n");
  CHECK_ONE_DIAG(&w, "malformed", "plugin enablement id is not a valid source-qualified plugin id");
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"user:../x\"\n");
  CHECK_ONE_DIAG(&w, "malformed", "plugin enablement id is not a valid source-qualified plugin id");
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:gone\"\n");
  CHECK_ONE_DIAG(&w, "missing", "enabled plugin package was not discovered");
  CHECK(w.res.diags[0].has_source && w.res.diags[0].source == WG_SOURCE_PROJECT);
  CHECK_STR(w.res.diags[0].package, "");
  /* No builtin store is scanned: builtin:anything is missing. */
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"builtin:echo\"\n");
  CHECK_ONE_DIAG(&w, "missing", "enabled plugin package was not discovered");
  world_free(&w);
}

/* ---- resolution rules ---------------------------------------------------- */

static void test_explicit_enablement_resolves(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.project, "echo", "echo", "0.1.0", true) == 0);
  discover(&w);
  const wg_discovered *p = pkg_of(&w, "project:echo");
  REQUIRE(p);
  resolve(&w, NULL,
          "[[plugins.enabled]]\nid = \"project:echo\"\nversion = \"0.1.0\"\n"
          "digest = \"%s\"\n[plugins.enabled.config]\nk = 1\n",
          p->digest);
  CHECK_INT(w.res.diag_count, 0);
  REQUIRE(w.res.count == 1);
  CHECK(w.res.plugins[0].package == p);
  CHECK(w.res.plugins[0].entry == &w.cfg->enabled[0]);
  /* No surfaces listed: all declared ones, implicit ones included. */
  CHECK_INT(w.res.plugins[0].enabled_surfaces,
            (1u << WG_SURFACE_TOOL) | (1u << WG_SURFACE_WASM));
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\nsurfaces = [\"wasm\"]\n");
  REQUIRE(w.res.count == 1);
  CHECK_INT(w.res.plugins[0].enabled_surfaces, 1u << WG_SURFACE_WASM);
  /* Enabled twice: resolves twice (the registry reports the clash). */
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\n"
                    "[[plugins.enabled]]\nid = \"project:echo\"\n");
  CHECK_INT(w.res.count, 2);
  world_free(&w);
}

static void test_digest_pin(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.project, "echo", "echo", "0.1.0", true) == 0);
  discover(&w);
  const wg_discovered *p = pkg_of(&w, "project:echo");
  REQUIRE(p);
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\ndigest = \"sha256:0000\"\n");
  CHECK_ONE_DIAG(&w, "digest", "plugin package digest does not match the enabled digest pin");
  CHECK_STR(w.res.diags[0].package, "echo.yoi-plugin");
  CHECK_STR(w.res.diags[0].digest, p->digest);
  /* Upper-case hex never matches (case-sensitive, as yoi). */
  char upper[WG_PKG_DIGEST_LEN];
  snprintf(upper, sizeof upper, "%s", p->digest);
  for (char *c = upper + 7; *c; c++)
    if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\ndigest = \"%s\"\n", upper);
  CHECK_ONE_DIAG(&w, "digest", "plugin package digest does not match the enabled digest pin");
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\ndigest = \"sha512:%s\"\n",
          p->digest + 7);
  CHECK_ONE_DIAG(&w, "digest", "plugin package digest does not match the enabled digest pin");
  world_free(&w);
}

static void test_version_requirement(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.project, "echo", "echo", "0.1.0", true) == 0);
  discover(&w);
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\nversion = \"9.9.9\"\n");
  CHECK_ONE_DIAG(&w, "version",
                 "plugin package version does not match the enabled version requirement");
  /* Exact string equality: no semver. */
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\nversion = \"0.1\"\n");
  CHECK_ONE_DIAG(&w, "version",
                 "plugin package version does not match the enabled version requirement");
  world_free(&w);
}

static void test_grant_binding(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.project, "echo", "echo", "0.1.0", true) == 0);
  discover(&w);
  const char *dg = pkg_of(&w, "project:echo")->digest;
  static const char head[] =
      "[[plugins.enabled]]\nid = \"project:echo\"\n[plugins.enabled.grants]\n"
      "permissions = [ { kind = \"surface\", surface = \"tool\" } ]\n";
  resolve(&w, NULL, "%sid = \"project:echo\"\nversion = \"0.1.0\"\ndigest = \"%s\"\n", head, dg);
  CHECK_INT(w.res.diag_count, 0);
  CHECK_INT(w.res.count, 1);
  resolve(&w, NULL, "%sversion = \"0.1.0\"\ndigest = \"%s\"\n", head, dg);
  CHECK_ONE_DIAG(&w, "grant", "plugin grant is missing a source-qualified package id binding");
  resolve(&w, NULL, "%sid = \"echo\"\nversion = \"0.1.0\"\ndigest = \"%s\"\n", head, dg);
  CHECK_ONE_DIAG(&w, "grant",
                 "plugin grant package id binding is not a valid source-qualified plugin id");
  resolve(&w, NULL, "%sid = \"user:echo\"\nversion = \"0.1.0\"\ndigest = \"%s\"\n", head, dg);
  CHECK_ONE_DIAG(&w, "grant", "plugin grant package id binding does not match enabled package");
  resolve(&w, NULL, "%sid = \"project:echo\"\nversion = \"0.1.0\"\n", head);
  CHECK_ONE_DIAG(&w, "grant", "plugin grant is missing a deterministic digest binding");
  resolve(&w, NULL, "%sid = \"project:echo\"\nversion = \"0.1.0\"\ndigest = \"sha256:00\"\n", head);
  CHECK_ONE_DIAG(&w, "grant", "plugin grant digest binding does not match enabled package digest");
  resolve(&w, NULL, "%sid = \"project:echo\"\ndigest = \"%s\"\n", head, dg);
  CHECK_ONE_DIAG(&w, "grant", "plugin grant is missing an exact package version binding");
  resolve(&w, NULL, "%sid = \"project:echo\"\nversion = \"0.2.0\"\ndigest = \"%s\"\n", head, dg);
  CHECK_ONE_DIAG(&w, "grant", "plugin grant version binding does not match enabled package version");
  /* https entries alone make the grants non-empty: binding required. */
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\n"
                    "[[plugins.enabled.grants.https]]\nhost = \"a.example\"\nmethods = [\"GET\"]\n");
  CHECK_ONE_DIAG(&w, "grant", "plugin grant is missing a source-qualified package id binding");
  /* Empty grants: no binding error (later checks deny instead). */
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\n[plugins.enabled.grants]\n");
  CHECK_INT(w.res.count, 1);
  world_free(&w);
}

static void test_surface_subset(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.project, "echo", "echo", "0.1.0", true) == 0);
  discover(&w);
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:echo\"\nsurfaces = [\"tool\", \"hook\"]\n");
  CHECK_ONE_DIAG(&w, "surface", "enabled plugin requested undeclared surface `hook`");
  world_free(&w);
}

/* Entries are independent, processed in order, first failure only. */
static void test_entries_are_independent(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.project, "echo", "echo", "0.1.0", true) == 0);
  discover(&w);
  resolve(&w, NULL,
          "[[plugins.enabled]]\nid = \"project:gone\"\n"
          "[[plugins.enabled]]\nid = \"project:echo\"\nversion = \"9\"\ndigest = \"sha256:00\"\n"
          "[[plugins.enabled]]\nid = \"project:echo\"\n");
  CHECK_INT(w.res.count, 1);
  REQUIRE(w.res.diag_count == 2);
  CHECK_INT(w.res.diags[0].kind, WG_PKG_MISSING);
  CHECK_INT(w.res.diags[1].kind, WG_PKG_DIGEST); /* digest before version */
  world_free(&w);
}

/* ---- lock ---------------------------------------------------------------- */

static void test_lock_round_trip_and_digest_change(void) {
  world w;
  world_init(&w);
  REQUIRE(cfix_echo(w.fx.project, "echo", "echo", "0.1.0", false) == 0);
  REQUIRE(cfix_echo(w.fx.user, "other", "other", "3", true) == 0);
  discover(&w);
  static const char cfg[] = "[[plugins.enabled]]\nid = \"project:echo\"\n"
                            "[[plugins.enabled]]\nid = \"user:other\"\n";
  resolve(&w, NULL, "%s", cfg);
  REQUIRE(w.res.count == 2);
  REQUIRE(wg_lock_from_resolution(&w.res, &w.lock) == 0);
  REQUIRE(w.lock.count == 2);
  CHECK_STR(w.lock.entries[0].id, "project:echo"); /* identity order */
  CHECK_STR(w.lock.entries[1].id, "user:other");
  CHECK_STR(w.lock.entries[0].version, "0.1.0");
  REQUIRE(w.lock.entries[0].tool_count == 1);
  CHECK_STR(w.lock.entries[0].tools[0], "Echo");
  char path[512];
  cfix_path(path, "%s/wasmgate.lock", w.fx.root);
  wg_config_error e;
  REQUIRE(wg_lock_write(&w.lock, path, &e) == 0);
  wg_lock back;
  REQUIRE(wg_lock_load(path, &back, &e) == 0);
  REQUIRE(back.count == 2);
  for (size_t i = 0; i < 2; i++) {
    CHECK_STR(back.entries[i].id, w.lock.entries[i].id);
    CHECK_STR(back.entries[i].version, w.lock.entries[i].version);
    CHECK_STR(back.entries[i].digest, w.lock.entries[i].digest);
    CHECK_INT(back.entries[i].tool_count, w.lock.entries[i].tool_count);
  }
  /* The text is stable: format(parse(text)) == text. */
  wg_buf a, b;
  wg_buf_init(&a, 0);
  wg_buf_init(&b, 0);
  REQUIRE(wg_lock_format(&w.lock, &a) && wg_lock_format(&back, &b));
  CHECK_STR(a.data, b.data);
  CHECK(strstr(a.data, "version = 1\n\n[[plugin]]\nid = \"project:echo\"\nversion = \"0.1.0\"\n") != NULL);
  wg_buf_free(&a);
  wg_buf_free(&b);
  /* With the lock: same packages resolve. */
  resolve(&w, &back, "%s", cfg);
  CHECK_INT(w.res.count, 2);
  CHECK_INT(w.res.diag_count, 0);
  /* The package changes (a newer version): refused, not picked up. */
  char p[512];
  cfix_path(p, "%s/echo.yoi-plugin/plugin.toml", w.fx.project);
  char m[4096];
  cfix_manifest(m, sizeof m, "echo", "0.2.0", CFIX_ECHO_EXTRA);
  REQUIRE(cfix_write(p, m) == 0);
  discover(&w);
  resolve(&w, &back, "%s", cfg);
  CHECK_INT(w.res.count, 1);
  REQUIRE(w.res.diag_count == 1);
  CHECK_INT(w.res.diags[0].kind, WG_PKG_DIGEST);
  CHECK_STR(w.res.diags[0].message, WG_LOCK_MSG_DIGEST);
  CHECK_STR(w.res.diags[0].message, "plugin package digest does not match wasmgate.lock");
  /* Without the lock the new package resolves: the lock is what pins. */
  resolve(&w, NULL, "%s", cfg);
  CHECK_INT(w.res.count, 2);
  /* An enabled entry the lock does not record is refused. */
  REQUIRE(cfix_echo(w.fx.project, "new", "new", "1", false) == 0);
  discover(&w);
  resolve(&w, &back, "[[plugins.enabled]]\nid = \"project:new\"\n");
  CHECK_ONE_DIAG(&w, "missing", "enabled plugin is not recorded in wasmgate.lock");
  wg_lock_free(&back);
  /* A missing lock file is not an error. */
  cfix_path(p, "%s/none.lock", w.fx.root);
  CHECK_INT(wg_lock_load(p, &back, &e), WG_CONFIG_MISSING);
  CHECK_INT(back.count, 0);
  world_free(&w);
}

#define CHECK_LOCK_ERROR(text, l, c, msg)                    \
  do {                                                       \
    wg_lock lk_;                                             \
    wg_config_error e_;                                      \
    wg_config_code rc_ = wg_lock_parse(text, strlen(text), &lk_, &e_); \
    CHECK(rc_ != WG_CONFIG_OK);                              \
    CHECK_INT(rc_, e_.code);                                 \
    CHECK_INT(lk_.count, 0);                                 \
    CHECK_INT(e_.line, l);                                   \
    CHECK_INT(e_.column, c);                                 \
    CHECK_STR(e_.message, msg);                              \
  } while (0)

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_lock_parse_errors(void) {
  CHECK_LOCK_ERROR("", 1, 1, "`version` is required");
  CHECK_LOCK_ERROR("version = 2\n", 1, 11, "`version` must be between 1 and 1");
  CHECK_LOCK_ERROR("version = 1\nplugins = []\n", 2, 1, "unknown key `plugins` at the top level");
  CHECK_LOCK_ERROR("version = 1\n[[plugin]]\nid = \"project:a\"\nversion = \"1\"\n"
                   "digest = \"sha256:" D64 "\"\nsize = 3\n", 6, 1,
                   "unknown key `size` in `plugin[0]`");
  CHECK_LOCK_ERROR("version = 1\n[[plugin]]\nid = \"a\"\nversion = \"1\"\n"
                   "digest = \"sha256:" D64 "\"\n", 3, 6,
                   "`plugin[0].id` must be a source-qualified plugin id");
  CHECK_LOCK_ERROR("version = 1\n[[plugin]]\nid = \"project:a\"\nversion = \"1\"\n"
                   "digest = \"sha256:ABC\"\n", 5, 10,
                   "`plugin[0].digest` must be \"sha256:\" and 64 lowercase hex digits");
  CHECK_LOCK_ERROR("version = 1\n[[plugin]]\nid = \"project:a\"\nversion = \"1\"\n", 2, 1,
                   "`plugin[0].digest` is required");
  CHECK_LOCK_ERROR("version = 1\n[[plugin]]\nid = \"project:a\"\nversion = \"1\"\n"
                   "digest = \"sha256:" D64 "\"\ntools = [1]\n", 6, 10,
                   "`plugin[0].tools[0]` must be a string, not an integer");
  CHECK_LOCK_ERROR("version = 1\n[[plugin]]\nid = \"project:a\"\nversion = \"1\"\n"
                   "digest = \"sha256:" D64 "\"\n[[plugin]]\nid = \"project:a\"\n"
                   "version = \"1\"\ndigest = \"sha256:" D64 "\"\n", 7, 6,
                   "`plugin[1].id` is listed twice");
}

/* ---- authorization ------------------------------------------------------- */

/* Resolves one package with manifest `extra` and config grants `grants`
 * (the binding is added) and returns the resolved plugin. */
static const wg_resolved *authorized(world *w, const char *extra, const char *grants) {
  char m[4096];
  cfix_manifest(m, sizeof m, "p", "1", extra);
  if (cfix_package(w->fx.project, "p", m, false) != 0) exit(2);
  discover(w);
  if (!pkg_of(w, "project:p")) exit(2);
  resolve(w, NULL,
          "[[plugins.enabled]]\nid = \"project:p\"\n[plugins.enabled.grants]\n"
          "id = \"project:p\"\nversion = \"1\"\ndigest = \"%s\"\n%s",
          pkg_of(w, "project:p")->digest, grants);
  return w->res.count == 1 ? &w->res.plugins[0] : NULL;
}

#define TOOLS_AB                                                          \
  "[[tools]]\nname = \"gh_issue\"\ndescription = \"d\"\n"                 \
  "input_schema = { type = \"object\" }\n"                                \
  "[[tools]]\nname = \"Writer\"\ndescription = \"d\"\nexternal_write = true\n" \
  "input_schema = { type = \"object\" }\n"

static void test_authorize_tool(void) {
  static const struct {
    const char *manifest_perms, *grant_perms;
    size_t tool;
    const char *expect; /* NULL: allowed */
  } cases[] = {
      {"", "", 0, "requested surfaces.tool permission is missing"},
      {"{ kind = \"surface\", surface = \"tool\" }", "", 0,
       "granted surfaces.tool permission is missing"},
      {"{ kind = \"surface\", surface = \"tool\" }", "{ kind = \"surface\", surface = \"tool\" }",
       0, "requested tool permission for `gh_issue` is missing"},
      {"{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool_namespace\", namespace = \"gh_\" }",
       "{ kind = \"surface\", surface = \"tool\" }", 0,
       "granted tool permission for `gh_issue` is missing"},
      {"{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool_namespace\", namespace = \"gh_\" }",
       "{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"gh_issue\" }", 0,
       NULL},
      /* An empty namespace matches nothing. */
      {"{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool_namespace\", namespace = \"\" }",
       "{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"gh_issue\" }", 0,
       "requested tool permission for `gh_issue` is missing"},
      {"{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"Writer\" }",
       "{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"Writer\" }", 1,
       "requested external_write permission is missing"},
      {"{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"Writer\" }, "
       "{ kind = \"external_write\" }",
       "{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"Writer\" }", 1,
       "granted external_write permission is missing"},
      {"{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"Writer\" }, "
       "{ kind = \"external_write\" }",
       "{ kind = \"surface\", surface = \"tool\" }, { kind = \"tool_namespace\", namespace = \"Wr\" }, "
       "{ kind = \"external_write\" }", 1, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    world w;
    world_init(&w);
    char extra[4096], grants[2048];
    snprintf(extra, sizeof extra, "permissions = [ %s ]\n" TOOLS_AB, cases[i].manifest_perms);
    snprintf(grants, sizeof grants, "permissions = [ %s ]\n", cases[i].grant_perms);
    const wg_resolved *r = authorized(&w, extra, grants);
    REQUIRE(r);
    char msg[WG_AUTH_MESSAGE_MAX] = "";
    bool ok = wg_authorize_tool(r, &r->package->manifest->tools[cases[i].tool], msg);
    if (cases[i].expect) {
      CHECK(!ok);
      CHECK_STR(msg, cases[i].expect);
    } else {
      CHECK(ok);
    }
    world_free(&w);
  }
}

static void test_authorize_tool_checks_binding(void) {
  world w;
  world_init(&w);
  const wg_resolved *r = authorized(
      &w, "permissions = [ { kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"gh_issue\" } ]\n" TOOLS_AB,
      "permissions = [ { kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"gh_issue\" } ]\n");
  REQUIRE(r);
  char msg[WG_AUTH_MESSAGE_MAX];
  CHECK(wg_authorize_tool(r, &r->package->manifest->tools[0], msg));
  /* The binding is re-checked on every authorization. */
  wg_resolved forged = *r;
  wg_config_enabled entry = *r->entry;
  entry.grants.version = "2";
  forged.entry = &entry;
  CHECK(!wg_authorize_tool(&forged, &r->package->manifest->tools[0], msg));
  CHECK_STR(msg, "plugin grant version binding does not match enabled package version");
  world_free(&w);
}

static void test_authorize_host_api(void) {
  static const char https_perm[] = "{ kind = \"host_api\", api = \"https\" }";
  static const struct {
    const char *manifest_perms, *grants;
    wg_host_api api;
    const char *expect;
  } cases[] = {
      {"", "permissions = []\n", WG_HOST_API_HTTPS, "requested host_api.https permission is missing"},
      {"{ kind = \"host_api\", api = \"https\" }", "permissions = []\n", WG_HOST_API_HTTPS,
       "granted host_api.https permission is missing"},
      {"{ kind = \"host_api\", api = \"https\" }",
       "permissions = [ { kind = \"host_api\", api = \"https\" } ]\n", WG_HOST_API_HTTPS,
       "granted host_api.https allowlist is missing"},
      /* (A blank host or no allowed method is a config error now: see
       * test_config.c test_https_grant_shapes.) Methods in any case. */
      {"{ kind = \"host_api\", api = \"https\" }",
       "permissions = [ { kind = \"host_api\", api = \"https\" } ]\n"
       "https = [ { host = \"a.example\", methods = [\"get\"] } ]\n",
       WG_HOST_API_HTTPS, NULL},
      {"{ kind = \"host_api\", api = \"fs\" }", "permissions = []\n", WG_HOST_API_FS,
       "granted host_api.fs permission is missing"},
      {"{ kind = \"host_api\", api = \"fs\" }",
       "permissions = [ { kind = \"host_api\", api = \"fs\" } ]\n", WG_HOST_API_FS,
       "host_api.fs is not implemented"},
  };
  (void)https_perm;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    world w;
    world_init(&w);
    char extra[2048];
    snprintf(extra, sizeof extra, "permissions = [ %s ]\n", cases[i].manifest_perms);
    const wg_resolved *r = authorized(&w, extra, cases[i].grants);
    REQUIRE(r);
    char msg[WG_AUTH_MESSAGE_MAX] = "";
    bool ok = wg_authorize_host_api(r, cases[i].api, msg);
    if (cases[i].expect) {
      CHECK(!ok);
      CHECK_STR(msg, cases[i].expect);
    } else {
      CHECK(ok);
    }
    world_free(&w);
  }
}

/* ---- inspection statuses (active, disabled, missing, rejected, partial) --- */

static const wg_inspect_item *item(const wg_inspection *in, const char *ref) {
  const wg_inspect_item *it = NULL;
  return wg_inspect_find(in, ref, &it) == WG_LOOKUP_FOUND ? it : NULL;
}

static void test_inspection_statuses(void) {
  world w;
  world_init(&w);
  char m[4096];
  REQUIRE(cfix_echo(w.fx.project, "echo", "echo", "1.0.0", true) == 0);
  REQUIRE(cfix_echo(w.fx.project, "spare", "spare", "1.0.0", false) == 0);
  REQUIRE(cfix_echo(w.fx.project, "pinned", "pinned", "1.0.0", true) == 0);
  REQUIRE(cfix_echo(w.fx.user, "echo", "echo", "1.0.0", true) == 0);
  cfix_manifest(m, sizeof m, "mixed", "1",
                "permissions = [ { kind = \"surface\", surface = \"tool\" }, "
                "{ kind = \"tool\", name = \"Echo\" }, { kind = \"tool\", name = \"Other\" } ]\n"
                "[[tools]]\nname = \"Echo\"\ndescription = \"d\"\ninput_schema = { type = \"object\" }\n"
                "[[tools]]\nname = \"Other\"\ndescription = \"d\"\ninput_schema = { type = \"object\" }\n");
  REQUIRE(cfix_package(w.fx.project, "mixed", m, false) == 0);
  REQUIRE(cfix_package(w.fx.project, "broken", "id = [", true) == 0);
  discover(&w);
  const char *echo_dg = pkg_of(&w, "project:echo")->digest;
  const char *mixed_dg = pkg_of(&w, "project:mixed")->digest;
  static const char grant_tool[] =
      "permissions = [ { kind = \"surface\", surface = \"tool\" }, { kind = \"tool\", name = \"Echo\" } ]\n";
  resolve(&w, NULL,
          "[[plugins.enabled]]\nid = \"project:echo\"\n[plugins.enabled.grants]\n"
          "id = \"project:echo\"\nversion = \"1.0.0\"\ndigest = \"%s\"\n%s"
          "[[plugins.enabled]]\nid = \"project:mixed\"\n[plugins.enabled.grants]\n"
          "id = \"project:mixed\"\nversion = \"1\"\ndigest = \"%s\"\n%s"
          "[[plugins.enabled]]\nid = \"project:pinned\"\ndigest = \"sha256:0000\"\n"
          "[[plugins.enabled]]\nid = \"project:gone\"\n"
          "[[plugins.enabled]]\nid = \"project:broken\"\n"
          "[[plugins.enabled]]\nid = \"user:echo\"\n",
          echo_dg, grant_tool, mixed_dg, grant_tool);
  wg_inspection in;
  REQUIRE(wg_inspect(w.cfg, &w.disc, &w.res, &in) == 0);
  const wg_inspect_item *it;
  REQUIRE((it = item(&in, "project:echo")));
  CHECK_STR(wg_plugin_status_name(it->status), "active");
  CHECK(it->configured && it->discovered && it->resolved && it->static_eligible);
  CHECK_STR(it->runtime.status, "wasm/yoi-plugin-wasm-1");
  REQUIRE(it->tool_count == 1);
  CHECK(it->tools[0].eligible && it->tools[0].granted && it->tools[0].requested);
  REQUIRE(it->configured_grants.count == 2);
  CHECK_STR(it->configured_grants.items[0], "surfaces.tool");
  CHECK_STR(it->configured_grants.items[1], "tool.Echo");
  REQUIRE((it = item(&in, "project:spare")));
  CHECK_STR(wg_plugin_status_name(it->status), "disabled");
  REQUIRE(it->tool_count == 1);
  CHECK_STR(it->tools[0].diagnostic, "plugin is discovered but not enabled");
  REQUIRE((it = item(&in, "project:pinned")));
  CHECK_STR(wg_plugin_status_name(it->status), "rejected");
  REQUIRE(it->diag_count == 1);
  CHECK_STR(it->diags[0].kind, "digest");
  REQUIRE((it = item(&in, "project:gone")));
  CHECK_STR(wg_plugin_status_name(it->status), "missing");
  CHECK(it->configured && !it->discovered);
  /* A present but invalid package is rejected, never missing. */
  REQUIRE((it = item(&in, "project:broken")));
  CHECK_STR(wg_plugin_status_name(it->status), "rejected");
  CHECK_STR(it->package, "broken.yoi-plugin");
  REQUIRE(it->diag_count == 2);
  CHECK_STR(it->diags[0].kind, "malformed");
  CHECK_STR(it->diags[1].kind, "missing");
  REQUIRE((it = item(&in, "project:mixed")));
  CHECK_STR(wg_plugin_status_name(it->status), "partial");
  REQUIRE(it->tool_count == 2);
  CHECK(it->tools[0].eligible);
  CHECK(!it->tools[1].eligible && it->tools[1].requested && !it->tools[1].granted);
  CHECK_STR(it->tools[1].diagnostic, "granted tool permission for `Other` is missing");
  /* It has no [runtime] either: a static problem, tools still register. */
  CHECK(!it->static_eligible);
  CHECK_STR(it->runtime.status, "none");
  REQUIRE(it->diag_count == 2);
  CHECK_STR(it->diags[0].kind, "static_eligibility");
  CHECK_STR(it->diags[0].message,
            "runtime: resolved plugin package does not declare a WASM runtime");
  CHECK_STR(it->diags[1].message, "tools[1]: granted tool permission for `Other` is missing");
  /* Resolved with no grants: every tool denied, nothing eligible. */
  REQUIRE((it = item(&in, "user:echo")));
  CHECK_STR(wg_plugin_status_name(it->status), "rejected");
  CHECK(it->resolved);
  /* show's lookup: "echo" matches project:echo and user:echo. */
  CHECK_INT(wg_inspect_find(&in, "echo", &it), WG_LOOKUP_AMBIGUOUS);
  CHECK_INT(wg_inspect_find(&in, "mixed", &it), WG_LOOKUP_FOUND);
  CHECK_INT(wg_inspect_find(&in, "nothing", &it), WG_LOOKUP_NOT_FOUND);
  CHECK_INT(in.count, 7);
  wg_inspection_free(&in);
  world_free(&w);
}

/* An id too long for a diagnostic's identity still meets its entry: the
 * item is rejected (malformed), not missing. */
static void test_long_enabled_id_is_rejected_not_missing(void) {
  world w;
  world_init(&w);
  discover(&w);
  char id[400];
  memset(id, 'a', sizeof id - 1);
  id[sizeof id - 1] = '\0';
  memcpy(id, "project:", 8);
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"%s\"\n", id);
  CHECK_ONE_DIAG(&w, "malformed", "plugin enablement id is not a valid source-qualified plugin id");
  wg_inspection in;
  REQUIRE(wg_inspect(w.cfg, &w.disc, &w.res, &in) == 0);
  REQUIRE(in.count == 1);
  CHECK_STR(wg_plugin_status_name(in.items[0].status), "rejected");
  CHECK(in.items[0].configured);
  CHECK_INT(strlen(in.items[0].reference), WG_PLUGIN_REF_MAX - 1);
  wg_inspection_free(&in);
  world_free(&w);
}

/* A FIFO or a socket-like candidate never blocks discovery. */
static void test_fifo_candidate_is_not_a_package(void) {
  world w;
  world_init(&w);
  char p[512];
  cfix_path(p, "%s/pipe.yoi-plugin", w.fx.project);
  REQUIRE(mkfifo(p, 0600) == 0);
  REQUIRE(cfix_echo(w.fx.project, "ok", "ok", "1", true) == 0);
  discover(&w);
  CHECK_INT(w.disc.count, 1);
  REQUIRE(w.disc.diag_count == 1);
  CHECK_INT(w.disc.diags[0].kind, WG_PKG_MALFORMED);
  CHECK_STR(w.disc.diags[0].message, "plugin package candidate is not a regular file");
  CHECK_STR(w.disc.diags[0].package, "pipe.yoi-plugin");
  world_free(&w);
}

/* Tool names are manifest text: the lock escapes them and reads them back. */
static void test_lock_escapes_tool_names(void) {
  world w;
  world_init(&w);
  char m[4096];
  cfix_manifest(m, sizeof m, "odd", "1 \\\"quoted\\\"",
                "[[tools]]\nname = \"a\\\"b\\\\c\\u0007d\\u00e9\"\ndescription = \"d\"\n"
                "input_schema = { type = \"object\" }\n");
  REQUIRE(cfix_package(w.fx.project, "odd", m, false) == 0);
  discover(&w);
  REQUIRE(w.disc.count == 1);
  resolve(&w, NULL, "[[plugins.enabled]]\nid = \"project:odd\"\n");
  REQUIRE(w.res.count == 1);
  REQUIRE(wg_lock_from_resolution(&w.res, &w.lock) == 0);
  wg_buf text;
  wg_buf_init(&text, 0);
  REQUIRE(wg_lock_format(&w.lock, &text));
  CHECK(strstr(text.data, "tools = [\"a\\\"b\\\\c\\u0007d\xc3\xa9\"]\n") != NULL);
  CHECK(strstr(text.data, "version = \"1 \\\"quoted\\\"\"\n") != NULL);
  wg_lock back;
  wg_config_error e;
  REQUIRE(wg_lock_parse(text.data, text.len, &back, &e) == 0);
  REQUIRE(back.count == 1 && back.entries[0].tool_count == 1);
  CHECK_STR(back.entries[0].tools[0], "a\"b\\c\x07" "d\xc3\xa9");
  CHECK_STR(back.entries[0].version, "1 \"quoted\"");
  wg_lock_free(&back);
  wg_buf_free(&text);
  world_free(&w);
}

/* https grants: yoi's label, host API rows, and the status they give. */
static void test_inspection_https_rows(void) {
  world w;
  world_init(&w);
  char m[4096];
  cfix_manifest(m, sizeof m, "net", "1",
                "permissions = [ { kind = \"surface\", surface = \"tool\" }, "
                "{ kind = \"tool\", name = \"Fetch\" }, { kind = \"host_api\", api = \"https\" } ]\n"
                "[runtime]\nkind = \"wasm\"\nentry = \"plugin.wasm\"\nabi = \"yoi-plugin-wasm-1\"\n"
                "[[tools]]\nname = \"Fetch\"\ndescription = \"d\"\ninput_schema = { type = \"object\" }\n");
  REQUIRE(cfix_package(w.fx.project, "net", m, true) == 0);
  discover(&w);
  REQUIRE(w.disc.count == 1);
  resolve(&w, NULL,
          "[[plugins.enabled]]\nid = \"project:net\"\n[plugins.enabled.grants]\n"
          "id = \"project:net\"\nversion = \"1\"\ndigest = \"%s\"\n"
          "permissions = [ { kind = \"surface\", surface = \"tool\" }, "
          "{ kind = \"tool\", name = \"Fetch\" }, { kind = \"host_api\", api = \"https\" } ]\n"
          "https = [ { host = \"api.example.test\", methods = [\"GET\", \"POST\"], "
          "path_prefixes = [\"/v1\", \"/v2\"] }, { host = \"b.example\" } ]\n",
          w.disc.packages[0].digest);
  REQUIRE(w.res.count == 1);
  wg_inspection in;
  REQUIRE(wg_inspect(w.cfg, &w.disc, &w.res, &in) == 0);
  REQUIRE(in.count == 1);
  const wg_inspect_item *it = &in.items[0];
  CHECK_STR(wg_plugin_status_name(it->status), "active");
  REQUIRE(it->configured_https_grants.count == 2);
  CHECK_STR(it->configured_https_grants.items[0], "api.example.test GET,POST /v1,/v2");
  CHECK_STR(it->configured_https_grants.items[1], "b.example <no-methods> *");
  REQUIRE(it->host_api_count == 1);
  CHECK(it->host_apis[0].api == WG_HOST_API_HTTPS && it->host_apis[0].requested &&
        it->host_apis[0].granted && it->host_apis[0].eligible);
  REQUIRE(it->requested_permissions.count == 3);
  CHECK_STR(it->requested_permissions.items[0], "host_api.https");
  wg_buf out;
  wg_buf_init(&out, 0);
  wg_json_writer jw;
  wg_json_writer_init(&jw, &out);
  CHECK(wg_inspect_item_json(it, &jw));
  CHECK(wg_json_writer_finish(&jw));
  CHECK(strstr(out.data, "\"host_apis\":[{\"permission\":\"host_api.https\",\"requested\":true,"
                         "\"granted\":true,\"eligible\":true,\"diagnostic\":null}]") != NULL);
  wg_buf_free(&out);
  wg_inspection_free(&in);
  world_free(&w);
}

static void test_plugin_set_load(void) {
  cfix fx;
  cfix_init(&fx);
  char p[512];
  wg_plugin_set set;
  wg_config_error e;
  wg_plugin_set_options o = {.workspace = fx.root, .user_store = fx.user};
  REQUIRE(cfix_echo(fx.user, "u", "u", "1", true) == 0);
  cfix_path(p, "%s/wasmgate.toml", fx.root);
  REQUIRE(cfix_write(p, "[[plugins.enabled]]\nid = \"user:u\"\n") == 0);
  CHECK_INT(wg_plugin_set_load(&o, &set, &e), WG_PLUGIN_SET_OK);
  CHECK_INT(set.res.count, 1);
  CHECK(!set.has_lock);
  cfix_path(p, "%s/wasmgate.toml", fx.root);
  CHECK_STR(set.lock_path + strlen(set.lock_path) - 14, "/wasmgate.lock");
  wg_plugin_set_free(&set);
  cfix_path(p, "%s/wasmgate.lock", fx.root);
  REQUIRE(cfix_write(p, "version = 1\n") == 0);
  CHECK_INT(wg_plugin_set_load(&o, &set, &e), WG_PLUGIN_SET_OK);
  CHECK(set.has_lock);
  CHECK_INT(set.res.count, 0);
  REQUIRE(set.res.diag_count == 1);
  CHECK_STR(set.res.diags[0].message, WG_LOCK_MSG_NOT_LOCKED);
  wg_plugin_set_free(&set);
  o.ignore_lock = true;
  CHECK_INT(wg_plugin_set_load(&o, &set, &e), WG_PLUGIN_SET_OK);
  CHECK_INT(set.res.count, 1);
  wg_plugin_set_free(&set);
  o.ignore_lock = false;
  REQUIRE(cfix_write(p, "version = 1\nx = 2\n") == 0);
  CHECK_INT(wg_plugin_set_load(&o, &set, &e), WG_PLUGIN_SET_LOCK);
  CHECK_INT(e.line, 2);
  CHECK_STR(e.message, "unknown key `x` at the top level");
  wg_plugin_set_free(&set);
  cfix_path(p, "%s/wasmgate.toml", fx.root);
  REQUIRE(cfix_write(p, "[limits]\nfuel = true\n") == 0);
  CHECK_INT(wg_plugin_set_load(&o, &set, &e), WG_PLUGIN_SET_CONFIG);
  CHECK_INT(e.line, 2);
  CHECK_INT(e.column, 8);
  wg_plugin_set_free(&set);
  cfix_path(p, "%s/other.toml", fx.root);
  o.config_path = p;
  CHECK_INT(wg_plugin_set_load(&o, &set, &e), WG_PLUGIN_SET_CONFIG);
  wg_plugin_set_free(&set);
  cfix_path(p, "%s/no-such-dir", fx.root);
  o.workspace = p;
  CHECK_INT(wg_plugin_set_load(&o, &set, &e), WG_PLUGIN_SET_WORKSPACE);
  CHECK_STR(wg_plugin_set_code_name(WG_PLUGIN_SET_WORKSPACE), "workspace");
  wg_plugin_set_free(&set);
  cfix_free(&fx);
}

/* Thousands of enabled entries: items are capped at 129, in order, fast. */
static void test_inspection_caps_items(void) {
  world w;
  world_init(&w);
  discover(&w);
  wg_buf cfg;
  wg_buf_init(&cfg, 0);
  for (int i = 0; i < 5000; i++)
    wg_buf_printf(&cfg, "[[plugins.enabled]]\nid = \"project:p%04d\"\n", i);
  REQUIRE(wg_buf_ok(&cfg));
  wg_config_error e;
  w.cfg = wg_config_parse(cfg.data, cfg.len, &e);
  wg_buf_free(&cfg);
  REQUIRE(w.cfg);
  REQUIRE(wg_resolve(w.cfg, &w.disc, NULL, &w.res) == 0);
  CHECK_INT(w.res.diag_count, 5000);
  wg_inspection in;
  uint64_t t0 = wg_now_ns();
  REQUIRE(wg_inspect(w.cfg, &w.disc, &w.res, &in) == 0);
  CHECK(wg_now_ns() - t0 < 2000000000ull);
  CHECK_INT(in.total, 5000);
  CHECK_INT(in.count, WG_INSPECT_MAX_ITEMS);
  CHECK_STR(in.items[0].reference, "project:p0000");
  CHECK_STR(in.items[128].reference, "project:p0128");
  CHECK_STR(wg_plugin_status_name(in.items[128].status), "missing");
  wg_inspection_free(&in);
  world_free(&w);
}

/* A symlink to a sibling whose name merely starts with the store's name is
 * outside the store. */
static void test_symlink_to_prefix_sibling_escapes(void) {
  world w;
  world_init(&w);
  char sib[512], target[512], link[512];
  cfix_path(sib, "%s2", w.fx.project);
  REQUIRE(mkdir(sib, 0755) == 0);
  REQUIRE(cfix_echo(sib, "x", "x", "1", true) == 0);
  cfix_path(target, "%s/x.yoi-plugin", sib);
  cfix_path(link, "%s/x.yoi-plugin", w.fx.project);
  REQUIRE(symlink(target, link) == 0);
  discover(&w);
  CHECK_INT(w.disc.count, 0);
  REQUIRE(w.disc.diag_count == 1);
  CHECK_INT(w.disc.diags[0].kind, WG_PKG_TRAVERSAL);
  CHECK_STR(w.disc.diags[0].message, "plugin package path escapes its source store");
  world_free(&w);
}

WG_TEST_LIST {
  WG_TEST(test_discovers_user_and_project_packages),
  WG_TEST(test_directory_and_zip_share_digest),
  WG_TEST(test_absent_stores_are_skipped),
  WG_TEST(test_store_that_is_a_file_is_io),
  WG_TEST(test_broken_packages_among_good_ones),
  WG_TEST(test_symlink_inside_store_is_allowed),
  WG_TEST(test_symlink_to_prefix_sibling_escapes),
  WG_TEST(test_store_package_limit_truncates_by_name),
  WG_TEST(test_duplicate_and_unqualified_ids_fail_closed),
  WG_TEST(test_bad_and_missing_ids),
  WG_TEST(test_explicit_enablement_resolves),
  WG_TEST(test_digest_pin),
  WG_TEST(test_version_requirement),
  WG_TEST(test_grant_binding),
  WG_TEST(test_surface_subset),
  WG_TEST(test_entries_are_independent),
  WG_TEST(test_lock_round_trip_and_digest_change),
  WG_TEST(test_lock_parse_errors),
  WG_TEST(test_authorize_tool),
  WG_TEST(test_authorize_tool_checks_binding),
  WG_TEST(test_authorize_host_api),
  WG_TEST(test_inspection_statuses),
  WG_TEST(test_long_enabled_id_is_rejected_not_missing),
  WG_TEST(test_fifo_candidate_is_not_a_package),
  WG_TEST(test_lock_escapes_tool_names),
  WG_TEST(test_inspection_https_rows),
  WG_TEST(test_plugin_set_load),
  WG_TEST(test_inspection_caps_items),
};
WG_TEST_MAIN()
