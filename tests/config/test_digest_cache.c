/* test_digest_cache.c: the discovery digest cache (src/config/
 * digest_cache.c): its parser refuses every kind of damage (a damaged
 * cache is ignored and rewritten, never trusted in part), round trips,
 * and through wg_plugin_set_load: unchanged packages no enabled entry
 * names are not read again, changed ones are, enabled ones always are,
 * and a stale or forged entry can never be why a plugin is refused. */
#include "../harness.h"
#include "cfgfix.h"
#include "../../src/config/cfg_internal.h"

#include <time.h>

#define DIGEST_A "sha256:" \
  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
/* "echo.yoi-plugin" in hex */
#define LABEL_ECHO "6563686f2e796f692d706c7567696e"
#define HEADER "wasmgate-digest-cache 1\n"

static int parse(const char *text) {
  cfg_cache c;
  int rc = cfg_cache_parse(text, strlen(text), &c);
  cfg_cache_free(&c);
  return rc;
}

static void test_parse_accepts_and_round_trips(void) {
  const char *text = HEADER
      "user 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n"
      "project 18446744073709551615 0 0 0 0 " DIGEST_A " a.b-c_d " LABEL_ECHO "\n";
  cfg_cache c;
  REQUIRE(cfg_cache_parse(text, strlen(text), &c) == 0);
  REQUIRE(c.count == 2);
  CHECK_INT(c.entries[0].source, WG_SOURCE_USER);
  CHECK_STR(c.entries[0].label, "echo.yoi-plugin");
  CHECK_STR(c.entries[0].local_id, "echo");
  CHECK_U64(c.entries[0].ctime_ns, 5);
  CHECK_U64(c.entries[1].dev, UINT64_MAX);
  for (size_t i = 0; i < c.count; i++) c.entries[i].used = true;
  wg_buf b;
  wg_buf_init(&b, 0);
  CHECK(cfg_cache_format(&c, &b));
  CHECK_STR(b.data, text);
  wg_buf_free(&b);
  cfg_cache_free(&c);
  CHECK_INT(parse(HEADER), 0); /* empty */
  /* Store listings: before the entries, user before project. */
  const char *dirs = HEADER
      "dir user 1 2 3 4 128 0 2\n"
      "name 612e796f692d706c7567696e\n"
      "name " LABEL_ECHO "\n"
      "dir project 5 6 7 8 128 1 0\n"
      "user 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n";
  REQUIRE(cfg_cache_parse(dirs, strlen(dirs), &c) == 0);
  CHECK(c.dirs[WG_SOURCE_USER].valid && c.dirs[WG_SOURCE_USER].count == 2);
  CHECK_STR(c.dirs[WG_SOURCE_USER].names[0], "a.yoi-plugin");
  CHECK(c.dirs[WG_SOURCE_PROJECT].truncated);
  c.dirs[0].used = c.dirs[1].used = c.entries[0].used = true;
  wg_buf_init(&b, 0);
  CHECK(cfg_cache_format(&c, &b));
  CHECK_STR(b.data, dirs);
  wg_buf_free(&b);
  cfg_cache_free(&c);
}

/* Every kind of damage makes the whole file invalid. */
static void test_parse_refuses_damage(void) {
  static const char *const bad[] = {
    "",
    "wasmgate-digest-cache 2\n",
    HEADER "user 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO, /* torn: no final newline */
    HEADER "builtin 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n",
    HEADER "user -1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n",
    HEADER "user 18446744073709551616 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n",
    HEADER "user 1x 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n",
    HEADER "user 01 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n", /* not as written (fuzz) */
    HEADER "user 1 2 3 4 5 sha256:0123 echo " LABEL_ECHO "\n",
    HEADER "user 1 2 3 4 5 " "sha256:"
    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef echo " LABEL_ECHO "\n",
    HEADER "user 1 2 3 4 5 " DIGEST_A " ../x " LABEL_ECHO "\n",
    HEADER "user 1 2 3 4 5 " DIGEST_A " echo 6563686f\n",          /* no .yoi-plugin */
    HEADER "user 1 2 3 4 5 " DIGEST_A " echo 2f" LABEL_ECHO "\n",  /* '/' in the label */
    HEADER "user 1 2 3 4 5 " DIGEST_A " echo 00" LABEL_ECHO "\n",  /* NUL in the label */
    HEADER "user 1 2 3 4 5 " DIGEST_A " echo 6" LABEL_ECHO "\n",   /* odd hex */
    HEADER "user 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO " x\n",  /* a field too many */
    HEADER "user 1 2 3 4 " DIGEST_A " echo " LABEL_ECHO "\n",      /* a field too few */
    HEADER "user  1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n",   /* an empty field */
    HEADER "\n",
    HEADER "project 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n"  /* out of order */
           "user 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n",
    HEADER "user 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n"     /* a key twice */
           "user 6 7 8 9 10 " DIGEST_A " other " LABEL_ECHO "\n",
    HEADER "dir user 1 2 3 4 128 0 2\nname " LABEL_ECHO "\n",      /* a listing cut short */
    HEADER "dir user 1 2 3 4 128 0 2\nname " LABEL_ECHO "\nname " LABEL_ECHO "\n", /* twice */
    HEADER "dir user 1 2 3 4 128 2 0\n",                           /* truncated 2 */
    HEADER "dir user 1 2 3 4 1 0 2\nname 612e796f692d706c7567696e\nname " LABEL_ECHO "\n",
    HEADER "dir project 1 2 3 4 128 0 0\ndir user 1 2 3 4 128 0 0\n", /* order */
    HEADER "dir user 1 2 3 4 128 0 0\ndir user 1 2 3 4 128 0 0\n",    /* twice */
    HEADER "user 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\ndir user 1 2 3 4 128 0 0\n",
    HEADER "dir user 1 2 3 4 128 0 1\nuser 1 2 3 4 5 " DIGEST_A " echo " LABEL_ECHO "\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (parse(bad[i]) != -1) fprintf(stderr, "accepted damaged cache #%zu\n", i);
    CHECK_INT(parse(bad[i]), -1);
  }
  /* Bounds: a line over 1024 bytes, more than 1024 entries. */
  wg_buf b;
  wg_buf_init(&b, 0);
  wg_buf_printf(&b, HEADER "user 1 2 3 4 5 " DIGEST_A " echo ");
  for (int i = 0; i < 600; i++) wg_buf_append_str(&b, "61");
  wg_buf_append_str(&b, "2e796f692d706c7567696e\n");
  CHECK_INT(parse(b.data), -1);
  wg_buf_free(&b);
  wg_buf_init(&b, 0);
  wg_buf_append_str(&b, HEADER);
  for (int i = 0; i < 1025; i++) {
    char name[32];
    snprintf(name, sizeof name, "p%04d.yoi-plugin", i);
    wg_buf_printf(&b, "user 1 2 3 4 5 " DIGEST_A " p ");
    for (const char *p = name; *p; p++) wg_buf_printf(&b, "%02x", (unsigned char)*p);
    wg_buf_append_char(&b, '\n');
  }
  CHECK_INT(parse(b.data), -1);
  wg_buf_free(&b);
}

/* ---- Through wg_plugin_set_load ------------------------------------------ */

typedef struct ws_fix {
  cfix f;
  char ws[512], cache[512];
} ws_fix;

static bool ws_setup(ws_fix *w) {
  cfix_init(&w->f);
  cfix_path(w->ws, "%s/ws", w->f.root);
  cfix_path(w->cache, "%s/.wasmgate/digest-cache", w->ws);
  if (mkdir(w->ws, 0700) != 0) return false;
  char cfg[512];
  cfix_path(cfg, "%s/wasmgate.toml", w->ws);
  return cfix_echo(w->f.project, "enabled", "enabled", "1.0.0", true) == 0 &&
         cfix_echo(w->f.project, "other", "other", "1.0.0", true) == 0 &&
         cfix_echo(w->f.user, "third", "third", "1.0.0", true) == 0 &&
         cfix_echo(w->f.project, "dir", "dirpkg", "1.0.0", false) == 0 &&
         cfix_write(cfg, "[feature.plugins]\nenabled = true\n"
                         "[[plugins.enabled]]\nid = \"project:enabled\"\n") == 0;
}

/* Lets the stamps age past the cache's 1 s racy window: files changed in
 * the last second are never recorded (digest_cache.c, "Racy stamps"). */
static void settle(void) {
  struct timespec t = {1, 200000000};
  nanosleep(&t, NULL);
}

static wg_plugin_set_code load(const ws_fix *w, wg_plugin_set *set) {
  wg_plugin_set_options o = {.workspace = w->ws, .project_store = w->f.project,
                             .user_store = w->f.user, .digest_cache = true};
  wg_config_error err;
  return wg_plugin_set_load(&o, set, &err);
}

static const wg_discovered *find(const wg_plugin_set *set, const char *identity) {
  for (size_t i = 0; i < set->disc.count; i++)
    if (strcmp(set->disc.packages[i].identity, identity) == 0) return &set->disc.packages[i];
  return NULL;
}

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  static char buf[65536];
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  return buf;
}

static void test_unchanged_packages_not_read_again(void) {
  ws_fix w;
  REQUIRE(ws_setup(&w));
  wg_plugin_set set;
  /* Just written: racy, so read but not recorded. */
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  CHECK_INT(set.disc.count, 4);
  wg_plugin_set_free(&set);
  char *racy = slurp(w.cache);
  CHECK(racy == NULL); /* nothing to record yet: not even written */
  settle();
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  /* First time: everything read; the cache records the zip packages. */
  CHECK_INT(set.disc.count, 4);
  CHECK(find(&set, "project:other")->manifest != NULL);
  CHECK_INT(set.res.count, 1);
  wg_plugin_set_free(&set);
  char *text = slurp(w.cache);
  REQUIRE(text);
  CHECK(strncmp(text, HEADER, strlen(HEADER)) == 0);
  CHECK(strstr(text, " enabled ") && strstr(text, " other ") && strstr(text, " third "));
  CHECK(strstr(text, "dirpkg") == NULL); /* directory packages are never cached */
  /* Both store listings too (the names, by stamp of the directory). */
  CHECK(strstr(text, "\ndir user ") && strstr(text, "\ndir project "));
  CHECK(strstr(text, "\nname " LABEL_ECHO) == NULL);
  /* Second time: the packages nobody enabled come from the cache. */
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  CHECK_INT(set.disc.count, 4);
  const wg_discovered *other = find(&set, "project:other");
  REQUIRE(other);
  CHECK(other->manifest == NULL);
  CHECK_STR(other->local_id, "other");
  CHECK_INT(strncmp(other->digest, "sha256:", 7), 0);
  CHECK(find(&set, "user:third")->manifest == NULL);
  CHECK(find(&set, "project:enabled")->manifest != NULL); /* enabled: read in full */
  CHECK(find(&set, "project:dirpkg")->manifest != NULL);
  REQUIRE(set.res.count == 1);
  CHECK(set.res.plugins[0].package->manifest != NULL);
  wg_plugin_set_free(&set);
  /* A package that changes is read again. */
  char p[512];
  cfix_path(p, "%s/other.yoi-plugin", w.f.project);
  unlink(p);
  REQUIRE(cfix_echo(w.f.project, "other", "renamed", "2.0.0", true) == 0);
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  CHECK(find(&set, "project:other") == NULL);
  const wg_discovered *renamed = find(&set, "project:renamed");
  CHECK(renamed && renamed->manifest != NULL);
  wg_plugin_set_free(&set);
  text = slurp(w.cache);
  CHECK(text && !strstr(text, " other ") && !strstr(text, " renamed ")); /* racy */
  CHECK(text && !strstr(text, "\ndir project ")); /* the store changed just now */
  settle();
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  wg_plugin_set_free(&set);
  text = slurp(w.cache);
  CHECK(text && strstr(text, " renamed ") && strstr(text, "\ndir project "));
  /* A new package in a listed store: the directory's stamp changed. */
  REQUIRE(cfix_echo(w.f.user, "fourth", "fourth", "1.0.0", true) == 0);
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  CHECK(find(&set, "user:fourth") && find(&set, "user:fourth")->manifest != NULL);
  wg_plugin_set_free(&set);
  cfix_free(&w.f);
}

static void test_damaged_or_forged_cache_never_refuses(void) {
  ws_fix w;
  REQUIRE(ws_setup(&w));
  settle();
  wg_plugin_set set;
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  wg_plugin_set_free(&set);
  /* Damage: ignored, and rewritten whole. */
  REQUIRE(cfix_write(w.cache, "wasmgate-digest-cache 1\ngarbage\n") == 0);
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  CHECK_INT(set.res.count, 1);
  CHECK(find(&set, "project:other")->manifest != NULL);
  wg_plugin_set_free(&set);
  char *text = slurp(w.cache);
  CHECK(text && strstr(text, " other ") && !strstr(text, "garbage"));
  /* Forged: the enabled package's entry claims another id. Resolution
   * would say "not discovered"; discovery is redone without trusting the
   * cache and the plugin resolves. */
  char forged[65536];
  snprintf(forged, sizeof forged, "%s", text);
  char *at = strstr(forged, " enabled ");
  REQUIRE(at);
  memcpy(at, " zzzzzzz ", 9);
  REQUIRE(cfix_write(w.cache, forged) == 0);
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  CHECK_INT(set.res.count, 1);
  CHECK_INT(set.res.diag_count, 0);
  CHECK(find(&set, "project:enabled") != NULL);
  CHECK(find(&set, "project:zzzzzzz") == NULL);
  wg_plugin_set_free(&set);
  text = slurp(w.cache);
  CHECK(text && strstr(text, " enabled ") && !strstr(text, "zzzzzzz"));
  /* Forged the other way: a package nobody enabled claims the enabled id:
   * it is then read in full, so the truth wins and nothing is duplicated. */
  snprintf(forged, sizeof forged, "%s", text);
  at = strstr(forged, " other ");
  REQUIRE(at);
  char *line_end = strchr(at, '\n');
  REQUIRE(line_end);
  /* " other " -> " enabled " changes the line length: rebuild that line. */
  char rebuilt[65536];
  snprintf(rebuilt, sizeof rebuilt, "%.*s enabled %s", (int)(at - forged), forged, at + 7);
  REQUIRE(cfix_write(w.cache, rebuilt) == 0);
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  CHECK_INT(set.res.count, 1);
  CHECK_INT(set.res.diag_count, 0);
  CHECK(find(&set, "project:other") && find(&set, "project:other")->manifest != NULL);
  wg_plugin_set_free(&set);
  /* An unwritable workspace: no cache, same result. */
  cfix_path(forged, "%s/.wasmgate", w.ws);
  unlink(w.cache);
  rmdir(forged);
  REQUIRE(cfix_write(forged, "a file where the directory goes") == 0);
  REQUIRE(load(&w, &set) == WG_PLUGIN_SET_OK);
  CHECK_INT(set.res.count, 1);
  wg_plugin_set_free(&set);
  cfix_free(&w.f);
}

WG_TEST_LIST {
  WG_TEST(test_parse_accepts_and_round_trips),
  WG_TEST(test_parse_refuses_damage),
  WG_TEST(test_unchanged_packages_not_read_again),
  WG_TEST(test_damaged_or_forged_cache_never_refuses),
};
WG_TEST_MAIN()
