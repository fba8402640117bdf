/* test_dir.c: directory packages, package files on disk and `pack`:
 * same files and digest as the zipped form; symlinks, FIFOs, non-UTF-8 and
 * bad names rejected with exact kinds; limits; FIFOs never block (an alarm
 * turns a hang into a failure); pack is deterministic, atomic and refuses to
 * overwrite its input or follow a symlink. No message may hold a path. */
#include "../harness.h"
#include "fsfix.h"
#include "wasmgate/package.h"
#include "zipbuild.h"

#include <signal.h>
#include <sys/time.h>

#define MIB (1024 * 1024)

static const char *MANIFEST = "schema_version = 1\nid = \"demo\"\nname = \"Demo\"\nversion = \"1.0.0\"\n";

/* A small valid directory package at <root>/demo.yoi-plugin. */
static void make_demo(const fs_fix *f) {
  fs_mkdir(f, "demo.yoi-plugin");
  fs_text(f, "demo.yoi-plugin/plugin.toml", MANIFEST);
  fs_mkdir(f, "demo.yoi-plugin/hooks");
  fs_text(f, "demo.yoi-plugin/hooks/a.md", "hello");
  fs_mkdir(f, "demo.yoi-plugin/empty");
  fs_write(f, "demo.yoi-plugin/plugin.wasm", "\0asm\1\0\0\0", 8);
}

/* Opens `rel` with `fn`; on rejection checks kind, phase and message. */
typedef wg_pkg_code (*open_fn)(const char *, const wg_pkg_limits *, wg_pkg **,
                               wg_pkg_diag *);

static bool rejects(const fs_fix *f, open_fn fn, const char *rel,
                    const wg_pkg_limits *l, wg_pkg_code kind,
                    wg_pkg_phase phase, const char *message) {
  char p[1024];
  wg_pkg *pkg = NULL;
  wg_pkg_diag d = {0};
  wg_pkg_code rc = fn(fs_path(f, p, rel), l, &pkg, &d);
  bool ok = rc == kind && !pkg && d.kind == kind && d.phase == phase &&
            strcmp(d.message, message) == 0 && !strchr(d.message, '/');
  if (!ok)
    fprintf(stderr, "  [%s] rc=%s %s/%s \"%s\", want %s \"%s\"\n", rel, wg_pkg_code_name(rc),
            wg_pkg_code_name(d.kind), wg_pkg_phase_name(d.phase),
            rc ? d.message : "(accepted)", wg_pkg_code_name(kind), message);
  wg_pkg_free(pkg);
  return ok;
}

static bool dir_rejects(const fs_fix *f, wg_pkg_code kind, const char *message) {
  return rejects(f, wg_pkg_open_dir, "demo.yoi-plugin", NULL, kind,
                 WG_PKG_PHASE_DISCOVERY, message);
}

static wg_pkg *open_ok(const fs_fix *f, open_fn fn, const char *rel,
                       const wg_pkg_limits *l) {
  char p[1024];
  wg_pkg *pkg = NULL;
  wg_pkg_diag d = {0};
  if (fn(fs_path(f, p, rel), l, &pkg, &d) != 0)
    fprintf(stderr, "  [%s] rejected: %s: %s\n", rel, wg_pkg_code_name(d.kind),
            d.message);
  return pkg;
}

/* A FIFO that blocked the reader would hang the test: fail it instead. */
static void guard_alarm(void) { alarm(20); }

static void test_dir_package_reads_files_only(void) {
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  wg_pkg *pkg = open_ok(&f, wg_pkg_open_dir, "demo.yoi-plugin", NULL);
  REQUIRE(pkg);
  CHECK(wg_pkg_is_dir(pkg));
  REQUIRE(wg_pkg_file_count(pkg) == 3); /* "empty/" adds nothing */
  CHECK_STR(wg_pkg_file_at(pkg, 0)->path, "hooks/a.md");
  CHECK_STR(wg_pkg_file_at(pkg, 1)->path, "plugin.toml");
  CHECK_STR(wg_pkg_file_at(pkg, 2)->path, "plugin.wasm");
  CHECK_INT(wg_pkg_find(pkg, "plugin.wasm")->size, 8);
  CHECK(memcmp(wg_pkg_find(pkg, "hooks/a.md")->data, "hello", 5) == 0);
  wg_pkg_free(pkg);
  fs_cleanup(&f);
}

/* The same files zipped by hand (other order, CRC 0, other metadata) give
 * the same digest as the directory and as the writer's output. */
static void test_dir_and_zip_digests_equal(void) {
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  wg_pkg *dir = open_ok(&f, wg_pkg_open_path, "demo.yoi-plugin", NULL);
  REQUIRE(dir);
  char d_dir[WG_PKG_DIGEST_LEN], d_zip[WG_PKG_DIGEST_LEN], d_hand[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(dir, d_dir);
  wg_buf out;
  wg_buf_init(&out, 0);
  REQUIRE(wg_pkg_write_zip(dir, &out));
  wg_pkg *zip = NULL;
  wg_pkg_diag d;
  REQUIRE(wg_pkg_open_bytes((const uint8_t *)out.data, out.len, NULL, &zip, &d) == 0);
  wg_pkg_digest(zip, d_zip);
  CHECK_STR(d_zip, d_dir);
  /* The writer respects the buffer's cap (and leaves it marked). */
  wg_buf small;
  wg_buf_init(&small, 100);
  CHECK(!wg_pkg_write_zip(dir, &small));
  CHECK(small.overflow);
  wg_buf_free(&small);
  zb_entry e[] = {zb_file("plugin.wasm", ""), zb_file("hooks/a.md", "hello"),
                  zb_file("plugin.toml", MANIFEST)};
  e[0].data = "\0asm\1\0\0\0";
  e[0].size = 8;
  e[1].external_attributes = 0100600u << 16;
  uint8_t *hand = NULL;
  size_t hand_len = zb_build(e, 3, NULL, &hand);
  wg_pkg *hp = NULL;
  REQUIRE(wg_pkg_open_bytes(hand, hand_len, NULL, &hp, &d) == 0);
  wg_pkg_digest(hp, d_hand);
  CHECK_STR(d_hand, d_dir);
  free(hand);
  wg_pkg_free(hp);
  wg_pkg_free(zip);
  wg_pkg_free(dir);
  wg_buf_free(&out);
  fs_cleanup(&f);
}

static void test_dir_symlinks_rejected(void) {
  const char *msg = "plugin package contains a symlink entry";
  const char *targets[][2] = {{"plugin.toml", "demo.yoi-plugin/link"},
                              {"hooks", "demo.yoi-plugin/dirlink"},
                              {"/nonexistent", "demo.yoi-plugin/hooks/dangling"},
                              {"/etc/passwd", "demo.yoi-plugin/hooks/escape"}};
  for (size_t i = 0; i < 4; i++) {
    fs_fix f;
    fs_init(&f);
    make_demo(&f);
    fs_symlink(&f, targets[i][0], targets[i][1]);
    CHECK(dir_rejects(&f, WG_PKG_TRAVERSAL, msg));
    fs_cleanup(&f);
  }
  /* A package that is itself a symlink is not opened through it. */
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  fs_symlink(&f, "demo.yoi-plugin", "alias.yoi-plugin");
  CHECK(rejects(&f, wg_pkg_open_path, "alias.yoi-plugin", NULL, WG_PKG_MALFORMED,
                WG_PKG_PHASE_DISCOVERY,
                "plugin package candidate is not a regular file"));
  CHECK(rejects(&f, wg_pkg_open_dir, "alias.yoi-plugin", NULL, WG_PKG_MALFORMED,
                WG_PKG_PHASE_DISCOVERY, "plugin package candidate is not a directory"));
  fs_cleanup(&f);
}

static void test_fifo_never_blocks(void) {
  guard_alarm();
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  REQUIRE(fs_fifo(&f, "demo.yoi-plugin/hooks/pipe") == 0);
  CHECK(dir_rejects(&f, WG_PKG_MALFORMED, "plugin package entry is not a regular file"));
  REQUIRE(fs_fifo(&f, "pipe.yoi-plugin") == 0);
  const char *msg = "plugin package candidate is not a regular file";
  CHECK(rejects(&f, wg_pkg_open_file, "pipe.yoi-plugin", NULL, WG_PKG_MALFORMED,
                WG_PKG_PHASE_DISCOVERY, msg));
  CHECK(rejects(&f, wg_pkg_open_path, "pipe.yoi-plugin", NULL, WG_PKG_MALFORMED,
                WG_PKG_PHASE_DISCOVERY, msg));
  alarm(0);
  fs_cleanup(&f);
}

static void test_dir_names(void) {
  struct {
    const char *rel;
    wg_pkg_code kind;
    const char *msg;
  } bad[] = {
      {"demo.yoi-plugin/\xff", WG_PKG_MALFORMED, "plugin package entry name is not UTF-8"},
      {"demo.yoi-plugin/hooks/a\xc0\xaf", WG_PKG_MALFORMED, "plugin package entry name is not UTF-8"},
      {"demo.yoi-plugin/a\\b", WG_PKG_TRAVERSAL, "plugin package entry path escapes the archive root"},
      {"demo.yoi-plugin/~backup", WG_PKG_TRAVERSAL, "plugin package entry path escapes the archive root"},
      {"demo.yoi-plugin/C:x", WG_PKG_TRAVERSAL, "plugin package entry path escapes the archive root"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fs_fix f;
    fs_init(&f);
    make_demo(&f);
    fs_text(&f, bad[i].rel, "x");
    CHECK(dir_rejects(&f, bad[i].kind, bad[i].msg));
    fs_cleanup(&f);
  }
  /* '~' and drive letters matter only at the start of the whole path. */
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  fs_text(&f, "demo.yoi-plugin/hooks/~x", "1");
  fs_text(&f, "demo.yoi-plugin/hooks/C:x", "2");
  fs_text(&f, "demo.yoi-plugin/.hidden", "3");
  wg_pkg *pkg = open_ok(&f, wg_pkg_open_dir, "demo.yoi-plugin", NULL);
  REQUIRE(pkg);
  CHECK(wg_pkg_find(pkg, "hooks/~x") && wg_pkg_find(pkg, "hooks/C:x") &&
        wg_pkg_find(pkg, ".hidden"));
  wg_pkg_free(pkg);
  fs_cleanup(&f);
}

static void test_dir_depth_bound(void) {
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  char rel[512] = "demo.yoi-plugin";
  for (int i = 0; i < 16; i++) {
    strcat(rel, "/d");
    fs_mkdir(&f, rel);
  }
  char file[600];
  snprintf(file, sizeof file, "%s/deep.txt", rel);
  fs_text(&f, file, "deep");
  wg_pkg *pkg = open_ok(&f, wg_pkg_open_dir, "demo.yoi-plugin", NULL);
  REQUIRE(pkg);
  CHECK(wg_pkg_find(pkg, "d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/deep.txt") != NULL);
  wg_pkg_free(pkg);
  strcat(rel, "/d");
  fs_mkdir(&f, rel);
  CHECK(dir_rejects(&f, WG_PKG_BOUNDS,
                    "plugin package directory nesting exceeds the configured bound"));
  fs_cleanup(&f);
}

static void test_dir_entry_bound(void) {
  fs_fix f;
  fs_init(&f);
  make_demo(&f); /* 3 files */
  char rel[64];
  for (int i = 0; i < 509; i++) {
    snprintf(rel, sizeof rel, "demo.yoi-plugin/f%03d", i);
    fs_text(&f, rel, "");
  }
  wg_pkg *pkg = open_ok(&f, wg_pkg_open_dir, "demo.yoi-plugin", NULL);
  REQUIRE(pkg);
  CHECK_INT(wg_pkg_file_count(pkg), 512);
  wg_pkg_free(pkg);
  fs_text(&f, "demo.yoi-plugin/hooks/one-more", "");
  CHECK(dir_rejects(&f, WG_PKG_BOUNDS,
                    "plugin package contains more entries than the configured bound"));
  fs_cleanup(&f);
  /* Directories are bounded too, even empty ones. */
  fs_init(&f);
  make_demo(&f);
  wg_pkg_limits l = wg_pkg_limits_default();
  l.max_entries = 4;
  for (int i = 0; i < 3; i++) {
    snprintf(rel, sizeof rel, "demo.yoi-plugin/e%d", i);
    fs_mkdir(&f, rel);
  }
  CHECK(rejects(&f, wg_pkg_open_dir, "demo.yoi-plugin", &l, WG_PKG_BOUNDS,
                WG_PKG_PHASE_DISCOVERY,
                "plugin package contains more entries than the configured bound"));
  fs_cleanup(&f);
}

static void test_dir_size_bounds(void) {
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  REQUIRE(fs_sparse(&f, "demo.yoi-plugin/big.bin", 8 * MIB + 1) == 0);
  CHECK(dir_rejects(&f, WG_PKG_BOUNDS,
                    "plugin package entry exceeds the configured per-file bound"));
  fs_cleanup(&f);
  fs_init(&f);
  make_demo(&f);
  wg_pkg_limits l = wg_pkg_limits_default();
  l.max_expanded_size = 100;
  fs_write(&f, "demo.yoi-plugin/zz", "0123456789012345678901234567890123456789", 40);
  CHECK(rejects(&f, wg_pkg_open_dir, "demo.yoi-plugin", &l, WG_PKG_BOUNDS,
                WG_PKG_PHASE_DISCOVERY,
                "plugin package expanded size exceeds the configured bound"));
  /* The zipped form's size: the directory is bounded like its ZIP. */
  l = wg_pkg_limits_default();
  l.max_package_size = 300;
  CHECK(rejects(&f, wg_pkg_open_dir, "demo.yoi-plugin", &l, WG_PKG_BOUNDS,
                WG_PKG_PHASE_DISCOVERY,
                "plugin package exceeds the configured package size bound"));
  fs_cleanup(&f);
}

static void test_dir_manifest_rules(void) {
  fs_fix f;
  fs_init(&f);
  fs_mkdir(&f, "demo.yoi-plugin");
  fs_mkdir(&f, "demo.yoi-plugin/plugin.toml"); /* a directory is not it */
  fs_text(&f, "demo.yoi-plugin/plugin.toml/x", MANIFEST);
  CHECK(rejects(&f, wg_pkg_open_dir, "demo.yoi-plugin", NULL, WG_PKG_MISSING,
                WG_PKG_PHASE_MANIFEST, "plugin package is missing root plugin.toml"));
  fs_cleanup(&f);
  fs_init(&f);
  make_demo(&f);
  fs_sparse(&f, "demo.yoi-plugin/plugin.toml", 64 * 1024 + 1);
  CHECK(rejects(&f, wg_pkg_open_dir, "demo.yoi-plugin", NULL, WG_PKG_BOUNDS,
                WG_PKG_PHASE_MANIFEST,
                "plugin.toml exceeds the configured manifest size bound"));
  fs_cleanup(&f);
}

static void test_open_file_rules(void) {
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  const char *nr = "plugin package candidate is not a regular file";
  CHECK(rejects(&f, wg_pkg_open_file, "demo.yoi-plugin", NULL, WG_PKG_MALFORMED,
                WG_PKG_PHASE_DISCOVERY, nr));
  CHECK(rejects(&f, wg_pkg_open_file, "absent.yoi-plugin", NULL, WG_PKG_IO,
                WG_PKG_PHASE_DISCOVERY,
                "plugin package metadata could not be read: not found"));
  CHECK(rejects(&f, wg_pkg_open_dir, "demo.yoi-plugin/plugin.toml", NULL,
                WG_PKG_MALFORMED, WG_PKG_PHASE_DISCOVERY,
                "plugin package candidate is not a directory"));
  /* Size is checked from fstat before any read: a sparse 16 MiB + 1. */
  REQUIRE(fs_sparse(&f, "huge.yoi-plugin", 16 * MIB + 1) == 0);
  CHECK(rejects(&f, wg_pkg_open_file, "huge.yoi-plugin", NULL, WG_PKG_BOUNDS,
                WG_PKG_PHASE_DISCOVERY,
                "plugin package exceeds the configured package size bound"));
  /* Exactly 16 MiB is read (and then has no end record). */
  REQUIRE(fs_sparse(&f, "huge.yoi-plugin", 16 * MIB) == 0);
  CHECK(rejects(&f, wg_pkg_open_file, "huge.yoi-plugin", NULL, WG_PKG_MALFORMED,
                WG_PKG_PHASE_DISCOVERY, "zip end-of-central-directory was not found"));
  fs_symlink(&f, "huge.yoi-plugin", "link.yoi-plugin");
  CHECK(rejects(&f, wg_pkg_open_file, "link.yoi-plugin", NULL, WG_PKG_MALFORMED,
                WG_PKG_PHASE_DISCOVERY, nr));
  if (geteuid() != 0) {
    fs_text(&f, "locked.yoi-plugin", "x");
    char p[1024];
    chmod(fs_path(&f, p, "locked.yoi-plugin"), 0);
    CHECK(rejects(&f, wg_pkg_open_file, "locked.yoi-plugin", NULL, WG_PKG_IO,
                  WG_PKG_PHASE_DISCOVERY,
                  "plugin package metadata could not be read: permission denied"));
  }
  fs_cleanup(&f);
}

static wg_pkg_pack_code pack(const fs_fix *f, const char *in, const char *out,
                             wg_pkg_diag *d) {
  char pi[1024], po[1024];
  return wg_pkg_pack(fs_path(f, pi, in), fs_path(f, po, out), NULL, NULL, d);
}

static void test_pack_deterministic_and_readable(void) {
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  fs_mkdir(&f, "out");
  wg_pkg_diag d;
  char digest[WG_PKG_DIGEST_LEN], pi[1024], po[1024];
  CHECK_INT(wg_pkg_pack(fs_path(&f, pi, "demo.yoi-plugin"),
                        fs_path(&f, po, "out/a.yoi-plugin"), NULL, digest, &d),
            WG_PKG_PACK_OK);
  /* Touch every file: timestamps must not reach the output. */
  struct timespec ts[2] = {{12345, 0}, {67890, 0}};
  utimensat(AT_FDCWD, fs_path(&f, pi, "demo.yoi-plugin/hooks/a.md"), ts, 0);
  chmod(fs_path(&f, pi, "demo.yoi-plugin/plugin.wasm"), 0600);
  CHECK_INT(pack(&f, "demo.yoi-plugin", "out/b.yoi-plugin", &d), WG_PKG_PACK_OK);
  size_t la = 0, lb = 0;
  unsigned char *a = fs_read(fs_path(&f, pi, "out/a.yoi-plugin"), &la);
  unsigned char *b = fs_read(fs_path(&f, pi, "out/b.yoi-plugin"), &lb);
  REQUIRE(a && b);
  CHECK(la == lb && memcmp(a, b, la) == 0);
  /* First local header: hooks/a.md, stored, 1980-01-01, flags 0x0800, CRC
   * of "hello" (0x3610a686). */
  CHECK_INT(a[6] | a[7] << 8, 0x0800);
  CHECK_INT(a[8] | a[9] << 8, 0);
  CHECK_INT(a[10] | a[11] << 8, 0);
  CHECK_INT(a[12] | a[13] << 8, 0x21);
  CHECK_U64((uint32_t)a[14] | (uint32_t)a[15] << 8 | (uint32_t)a[16] << 16 |
                (uint32_t)a[17] << 24,
            0x3610a686u);
  CHECK(memcmp(a + 30, "hooks/a.md", 10) == 0);
  CHECK_INT(la, 3 * (30 + 46) + 2 * (10 + 11 + 11) + 5 + strlen(MANIFEST) + 8 + 22);
  wg_pkg *z = open_ok(&f, wg_pkg_open_file, "out/a.yoi-plugin", NULL);
  REQUIRE(z);
  char zd[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(z, zd);
  CHECK_STR(zd, digest);
  CHECK_INT(wg_pkg_file_count(z), 3);
  wg_pkg_free(z);
  free(a);
  free(b);
  fs_cleanup(&f);
}

static void test_pack_refuses_bad_outputs(void) {
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  fs_mkdir(&f, "out");
  fs_text(&f, "victim", "keep me");
  fs_symlink(&f, "victim", "out/link.yoi-plugin");
  wg_pkg_diag d;
  char pi_buf[1024];
  CHECK_INT(pack(&f, "demo.yoi-plugin", "demo.yoi-plugin/self.yoi-plugin", &d),
            WG_PKG_PACK_BAD_OUTPUT);
  CHECK_STR(d.message, "output path is inside the input package");
  CHECK_INT(pack(&f, "demo.yoi-plugin", "demo.yoi-plugin/hooks/x.yoi-plugin", &d),
            WG_PKG_PACK_BAD_OUTPUT);
  /* A symlinked parent is resolved: the check is by inode, not by path. */
  fs_symlink(&f, "demo.yoi-plugin/hooks", "via");
  CHECK_INT(pack(&f, "demo.yoi-plugin", "via/x.yoi-plugin", &d), WG_PKG_PACK_BAD_OUTPUT);
  CHECK_STR(d.message, "output path is inside the input package");
  guard_alarm();
  fs_fifo(&f, "out/fifo.yoi-plugin");
  CHECK_INT(pack(&f, "demo.yoi-plugin", "out/fifo.yoi-plugin", &d), WG_PKG_PACK_BAD_OUTPUT);
  alarm(0);
  unlink(fs_path(&f, pi_buf, "out/fifo.yoi-plugin"));
  CHECK_INT(pack(&f, "demo.yoi-plugin", "demo.yoi-plugin", &d), WG_PKG_PACK_BAD_OUTPUT);
  CHECK_STR(d.message, "output path exists and is not a regular file");
  CHECK_INT(pack(&f, "demo.yoi-plugin", "out/link.yoi-plugin", &d), WG_PKG_PACK_BAD_OUTPUT);
  CHECK_INT(pack(&f, "demo.yoi-plugin", "out", &d), WG_PKG_PACK_BAD_OUTPUT);
  CHECK_INT(pack(&f, "demo.yoi-plugin", "out/", &d), WG_PKG_PACK_BAD_OUTPUT);
  CHECK_STR(d.message, "output path does not name a file");
  char p[1024];
  size_t n = 0;
  unsigned char *v = fs_read(fs_path(&f, p, "victim"), &n);
  CHECK(v && n == 7 && memcmp(v, "keep me", 7) == 0);
  free(v);
  CHECK_INT(fs_count(&f, "out"), 1); /* only the symlink */
  CHECK_INT(fs_count(&f, "demo.yoi-plugin"), 4);
  CHECK_INT(pack(&f, "demo.yoi-plugin", "missing-dir/x.yoi-plugin", &d),
            WG_PKG_PACK_WRITE_FAILED);
  CHECK_STR(d.message, "plugin package could not be written: not found");
  /* An existing regular file is replaced. */
  fs_text(&f, "out/old.yoi-plugin", "old");
  CHECK_INT(pack(&f, "demo.yoi-plugin", "out/old.yoi-plugin", &d), WG_PKG_PACK_OK);
  wg_pkg *z = open_ok(&f, wg_pkg_open_file, "out/old.yoi-plugin", NULL);
  CHECK(z != NULL);
  wg_pkg_free(z);
  fs_cleanup(&f);
}

static void test_pack_bad_input_writes_nothing(void) {
  fs_fix f;
  fs_init(&f);
  make_demo(&f);
  fs_mkdir(&f, "out");
  fs_symlink(&f, "../plugin.toml", "demo.yoi-plugin/hooks/up");
  wg_pkg_diag d;
  CHECK_INT(pack(&f, "demo.yoi-plugin", "out/x.yoi-plugin", &d),
            WG_PKG_PACK_BAD_PACKAGE);
  CHECK_INT(d.kind, WG_PKG_TRAVERSAL);
  CHECK_INT(fs_count(&f, "out"), 0); /* no output, no temp file */
  fs_symlink(&f, "demo.yoi-plugin", "alias");
  CHECK_INT(pack(&f, "alias", "out/x.yoi-plugin", &d), WG_PKG_PACK_BAD_PACKAGE);
  CHECK_STR(d.message, "plugin package candidate is not a directory");
  CHECK_INT(pack(&f, "nothing", "out/x.yoi-plugin", &d), WG_PKG_PACK_BAD_PACKAGE);
  CHECK_STR(d.message, "plugin package metadata could not be read: not found");
  CHECK_INT(fs_count(&f, "out"), 0);
  fs_cleanup(&f);
}

WG_TEST_LIST {
  WG_TEST(test_dir_package_reads_files_only),
  WG_TEST(test_dir_and_zip_digests_equal),
  WG_TEST(test_dir_symlinks_rejected),
  WG_TEST(test_fifo_never_blocks),
  WG_TEST(test_dir_names),
  WG_TEST(test_dir_depth_bound),
  WG_TEST(test_dir_entry_bound),
  WG_TEST(test_dir_size_bounds),
  WG_TEST(test_dir_manifest_rules),
  WG_TEST(test_open_file_rules),
  WG_TEST(test_pack_deterministic_and_readable),
  WG_TEST(test_pack_refuses_bad_outputs),
  WG_TEST(test_pack_bad_input_writes_nothing),
};
WG_TEST_MAIN()
