/* test_zip.c: the ZIP reader against yoi's rules
 * (docs/design.md#zip-rules), one test per rule, on a corpus of hostile
 * archives built here by zipbuild.h. Every rejection asserts the exact
 * kind, phase and yoi's fixed message, and that the message holds no path
 * (no '/'). */
#include "../harness.h"
#include "wasmgate/package.h"
#include "zipbuild.h"

#define MIB (1024u * 1024u)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *MSG_ESCAPES = "plugin package entry path escapes the archive root";
static const char *MSG_NO_EOCD = "zip end-of-central-directory was not found";

static wg_pkg_limits small_limits(void) { return wg_pkg_limits_default(); }

/* Opens the archive; on rejection checks kind, phase and message. Returns
 * true if the outcome is as expected; prints what it got otherwise. */
static bool reject_bytes(const uint8_t *bytes, size_t len,
                         const wg_pkg_limits *limits, wg_pkg_code kind,
                         wg_pkg_phase phase, const char *message,
                         const char *label) {
  wg_pkg *pkg = NULL;
  wg_pkg_diag d = {0};
  wg_pkg_code rc = wg_pkg_open_bytes(bytes, len, limits, &pkg, &d);
  bool ok = rc == kind && pkg == NULL && d.kind == kind && d.phase == phase &&
            strcmp(d.message, message) == 0 && strchr(d.message, '/') == NULL;
  if (!ok)
    fprintf(stderr, "  [%s] rc=%s got %s/%s \"%s\", want %s/%s \"%s\"\n",
            label, wg_pkg_code_name(rc), wg_pkg_code_name(d.kind), wg_pkg_phase_name(d.phase),
            rc ? d.message : "(accepted)", wg_pkg_code_name(kind),
            wg_pkg_phase_name(phase), message);
  wg_pkg_free(pkg);
  return ok;
}

static bool reject(const zb_entry *e, size_t n, const zb_end *end,
                   const wg_pkg_limits *limits, wg_pkg_code kind,
                   const char *message, const char *label) {
  uint8_t *zip = NULL;
  size_t len = zb_build(e, n, end, &zip);
  bool ok = reject_bytes(zip, len, limits, kind, WG_PKG_PHASE_DISCOVERY,
                         message, label);
  free(zip);
  return ok;
}

/* Opens an archive that must be accepted; returns the package or NULL. */
static wg_pkg *accept(const zb_entry *e, size_t n, const zb_end *end,
                      const wg_pkg_limits *limits) {
  uint8_t *zip = NULL;
  size_t len = zb_build(e, n, end, &zip);
  wg_pkg *pkg = NULL;
  wg_pkg_diag d = {0};
  if (wg_pkg_open_bytes(zip, len, limits, &pkg, &d) != 0)
    fprintf(stderr, "  unexpected rejection: %s: %s\n", wg_pkg_code_name(d.kind),
            d.message);
  free(zip);
  return pkg;
}

static void test_minimal_package_accepted(void) {
  zb_entry e[] = {zb_manifest_entry()};
  wg_pkg *pkg = accept(e, 1, NULL, NULL);
  REQUIRE(pkg);
  CHECK_INT(wg_pkg_file_count(pkg), 1);
  const wg_pkg_file *m = wg_pkg_find(pkg, "plugin.toml");
  REQUIRE(m);
  CHECK_INT(m->size, sizeof zb_manifest - 1);
  CHECK(memcmp(m->data, zb_manifest, m->size) == 0);
  CHECK(!wg_pkg_is_dir(pkg));
  char digest[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(pkg, digest);
  CHECK_INT(strlen(digest), 71);
  CHECK(strncmp(digest, "sha256:", 7) == 0);
  wg_pkg_free(pkg);
}

static void test_files_sorted_bytewise(void) {
  zb_entry e[] = {zb_file("z.txt", "z"), zb_file("a/b", "ab"),
                  zb_manifest_entry(), zb_file("a-b", "dash"),
                  zb_file("A", "upper")};
  wg_pkg *pkg = accept(e, N(e), NULL, NULL);
  REQUIRE(pkg);
  REQUIRE(wg_pkg_file_count(pkg) == 5);
  /* '-' (0x2d) sorts before '/' (0x2f): whole-path byte order. */
  const char *want[] = {"A", "a-b", "a/b", "plugin.toml", "z.txt"};
  for (size_t i = 0; i < 5; i++) CHECK_STR(wg_pkg_file_at(pkg, i)->path, want[i]);
  CHECK(wg_pkg_file_at(pkg, 5) == NULL);
  CHECK(wg_pkg_find(pkg, "a") == NULL);
  CHECK_INT(wg_pkg_find(pkg, "a-b")->size, 4);
  wg_pkg_free(pkg);
}

/* yoi needs neither the UTF-8 flag nor a CRC; times, attributes, extra
 * fields and comments are ignored. */
static void test_ignored_fields_accepted(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("docs/\xe6\xa9\x9f.md", "x")};
  e[0].flags = 0;
  e[1].flags = 0;
  e[1].external_attributes = 0100755u << 16;
  e[1].central_extra = 9;
  e[1].central_comment = 5;
  e[1].local_extra = 7;
  zb_end end = {.comment = "archive comment", .comment_len = 15};
  wg_pkg *pkg = accept(e, N(e), &end, NULL);
  REQUIRE(pkg);
  CHECK_INT(wg_pkg_find(pkg, "docs/\xe6\xa9\x9f.md")->size, 1);
  wg_pkg_free(pkg);
}

static void test_short_and_empty_inputs(void) {
  CHECK(reject_bytes((const uint8_t *)"", 0, NULL, WG_PKG_MALFORMED,
                     WG_PKG_PHASE_DISCOVERY, MSG_NO_EOCD, "empty"));
  uint8_t eocd[22] = {0x50, 0x4b, 0x05, 0x06};
  CHECK(reject_bytes(eocd, 21, NULL, WG_PKG_MALFORMED, WG_PKG_PHASE_DISCOVERY,
                     MSG_NO_EOCD, "21 bytes"));
  /* A bare end record of an empty archive: no plugin.toml. */
  CHECK(reject_bytes(eocd, 22, NULL, WG_PKG_MISSING, WG_PKG_PHASE_MANIFEST,
                     "plugin package is missing root plugin.toml", "empty zip"));
}

/* The end record is searched in the last 22 + 65535 bytes only. */
static void test_eocd_search_window(void) {
  static char tail[65536];
  memset(tail, 'x', sizeof tail);
  zb_entry e[] = {zb_manifest_entry()};
  zb_end end = {.comment = tail, .comment_len = 65535};
  wg_pkg *pkg = accept(e, 1, &end, NULL);
  CHECK(pkg != NULL);
  wg_pkg_free(pkg);
  end.comment_len = 65536;
  CHECK(reject(e, 1, &end, NULL, WG_PKG_MALFORMED, MSG_NO_EOCD, "window+1"));
}

/* The last signature found wins, even inside a comment. */
static void test_eocd_last_signature_wins(void) {
  uint8_t fake[22] = {0x50, 0x4b, 0x05, 0x06, 1, 0};
  zb_entry e[] = {zb_manifest_entry()};
  zb_end end = {.comment = (const char *)fake, .comment_len = sizeof fake};
  CHECK(reject(e, 1, &end, NULL, WG_PKG_MALFORMED,
               "multi-disk zip packages are unsupported", "fake eocd"));
}

static void test_multi_disk_rejected(void) {
  zb_entry e[] = {zb_manifest_entry()};
  zb_end disk = {.set_disk = true, .disk = 1};
  zb_end cd_disk = {.set_cd_disk = true, .cd_disk = 3};
  const char *msg = "multi-disk zip packages are unsupported";
  CHECK(reject(e, 1, &disk, NULL, WG_PKG_MALFORMED, msg, "disk"));
  CHECK(reject(e, 1, &cd_disk, NULL, WG_PKG_MALFORMED, msg, "cd disk"));
  /* Multi-disk is checked before the entry count. */
  zb_end both = {.set_disk = true, .disk = 1, .set_count = true, .count = 9999};
  CHECK(reject(e, 1, &both, NULL, WG_PKG_MALFORMED, msg, "disk+count"));
}

static void test_entry_count_bound(void) {
  zb_entry e[] = {zb_manifest_entry()};
  zb_end over = {.set_count = true, .count = 513,
                 .set_cd_offset = true, .cd_offset = 0xffffffffu};
  const char *msg = "plugin package contains more entries than the configured bound";
  /* Checked before the central directory range. */
  CHECK(reject(e, 1, &over, NULL, WG_PKG_BOUNDS, msg, "513"));
  wg_pkg_limits l = small_limits();
  l.max_entries = 2;
  zb_entry three[] = {zb_manifest_entry(), zb_file("a", "1"), zb_file("b", "2")};
  CHECK(reject(three, 3, NULL, &l, WG_PKG_BOUNDS, msg, "3 > 2"));
  wg_pkg *pkg = accept(three, 2, NULL, &l);
  CHECK(pkg != NULL);
  wg_pkg_free(pkg);
}

static void test_512_entries_accepted_513_rejected(void) {
  static zb_entry e[513];
  static char names[513][8];
  e[0] = zb_manifest_entry();
  for (int i = 1; i < 513; i++) {
    snprintf(names[i], sizeof names[i], "f%03d", i);
    e[i] = zb_file(names[i], "");
  }
  wg_pkg *pkg = accept(e, 512, NULL, NULL);
  REQUIRE(pkg);
  CHECK_INT(wg_pkg_file_count(pkg), 512);
  wg_pkg_free(pkg);
  CHECK(reject(e, 513, NULL, NULL, WG_PKG_BOUNDS,
               "plugin package contains more entries than the configured bound",
               "513 real"));
}

static void test_central_directory_range(void) {
  zb_entry e[] = {zb_manifest_entry()};
  const char *msg = "zip central directory points outside the package";
  zb_end size = {.set_cd_size = true, .cd_size = 100000};
  zb_end off = {.set_cd_offset = true, .cd_offset = 0xfffffff0u};
  zb_end both = {.set_cd_size = true, .cd_size = 0xffffffffu,
                 .set_cd_offset = true, .cd_offset = 0xffffffffu};
  CHECK(reject(e, 1, &size, NULL, WG_PKG_MALFORMED, msg, "size"));
  CHECK(reject(e, 1, &off, NULL, WG_PKG_MALFORMED, msg, "offset"));
  CHECK(reject(e, 1, &both, NULL, WG_PKG_MALFORMED, msg, "wrap"));
}

/* The cursor is not held to the central size: yoi reads `count` headers
 * from the offset wherever they lead. */
static void test_central_size_not_enforced(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("a", "1")};
  zb_end end = {.set_cd_size = true, .cd_size = 0};
  wg_pkg *pkg = accept(e, 2, &end, NULL);
  CHECK(pkg != NULL);
  wg_pkg_free(pkg);
}

static void test_central_header_signature(void) {
  zb_entry e[] = {zb_manifest_entry()};
  const char *msg = "zip central directory entry is malformed";
  zb_end at_local = {.set_cd_offset = true, .cd_offset = 0};
  CHECK(reject(e, 1, &at_local, NULL, WG_PKG_MALFORMED, msg, "local sig"));
  /* One entry too many: the second read lands on the end record. */
  zb_end more = {.set_count = true, .count = 2};
  CHECK(reject(e, 1, &more, NULL, WG_PKG_MALFORMED, msg, "count+1"));
}

/* A central header placed in the archive comment, cut short by EOF. */
static void test_central_header_truncated(void) {
  zb_entry e[] = {zb_manifest_entry()};
  uint8_t *zip = NULL;
  size_t len = zb_build(e, 1, NULL, &zip);
  /* Append a comment holding a central signature + 20 bytes; point the end
   * record at it. */
  uint8_t tail[24] = {0x50, 0x4b, 0x01, 0x02};
  zip = realloc(zip, len + sizeof tail);
  REQUIRE(zip);
  memcpy(zip + len, tail, sizeof tail);
  uint8_t *eocd = zip + len - 22;
  uint32_t at = (uint32_t)len;
  eocd[16] = (uint8_t)at; eocd[17] = (uint8_t)(at >> 8);
  eocd[18] = (uint8_t)(at >> 16); eocd[19] = (uint8_t)(at >> 24);
  eocd[12] = eocd[13] = eocd[14] = eocd[15] = 0;
  eocd[20] = sizeof tail;
  CHECK(reject_bytes(zip, len + sizeof tail, NULL, WG_PKG_MALFORMED,
                     WG_PKG_PHASE_DISCOVERY,
                     "zip central directory entry is truncated", "cut"));
  free(zip);
}

static void test_entry_name_out_of_bounds(void) {
  zb_entry e[] = {zb_manifest_entry()};
  uint8_t *zip = NULL;
  size_t len = zb_build(e, 1, NULL, &zip);
  /* Central header of plugin.toml starts after the local entry: bump its
   * name length past EOF. */
  size_t cd = 30 + 11 + e[0].size;
  zip[cd + 28] = 0xff;
  zip[cd + 29] = 0xff;
  CHECK(reject_bytes(zip, len, NULL, WG_PKG_MALFORMED, WG_PKG_PHASE_DISCOVERY,
                     "zip entry name points outside the package", "name"));
  free(zip);
}

static void test_non_utf8_names_malformed(void) {
  const char *bad[] = {"\xff", "a\xc0\xaf", "\xed\xa0\x80x", "\xe3\x81",
                       "\xf4\x90\x80\x80", "a/\x80"};
  for (size_t i = 0; i < N(bad); i++) {
    zb_entry e[] = {zb_manifest_entry(), zb_file(bad[i], "x")};
    CHECK(reject(e, 2, NULL, NULL, WG_PKG_MALFORMED,
                 "zip entry name is not UTF-8", bad[i]));
  }
}

static void test_path_normalization_rejects(void) {
  const char *bad[] = {"../evil", "a/../b", "..", ".", "./a", "a/.",
                       "/abs", "/", "~", "~user/x", "C:evil", "c:/x", "z:",
                       "a\\b", "\\a", "a//b", "a/", "hooks/", "//x"};
  for (size_t i = 0; i < N(bad); i++) {
    zb_entry e[] = {zb_manifest_entry(), zb_file(bad[i], "x")};
    CHECK(reject(e, 2, NULL, NULL, WG_PKG_TRAVERSAL, MSG_ESCAPES, bad[i]));
  }
  /* NUL inside a name (explicit length) and the empty name. */
  zb_entry nul[] = {zb_manifest_entry(), zb_file("a", "x")};
  nul[1].name = "a\0b";
  nul[1].name_len = 3;
  CHECK(reject(nul, 2, NULL, NULL, WG_PKG_TRAVERSAL, MSG_ESCAPES, "NUL"));
  zb_entry empty[] = {zb_manifest_entry(), zb_file("", "x")};
  CHECK(reject(empty, 2, NULL, NULL, WG_PKG_TRAVERSAL, MSG_ESCAPES, "empty"));
}

static void test_path_normalization_accepts(void) {
  const char *good[] = {"1:x", "a~", "a/~b", "..a", "a..", ".hidden",
                        "a/.b/c", "ab:c", "sp ace", "\xc3\xa9",
                        "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "a\x01\x7f"};
  for (size_t i = 0; i < N(good); i++) {
    zb_entry e[] = {zb_manifest_entry(), zb_file(good[i], "x")};
    wg_pkg *pkg = accept(e, 2, NULL, NULL);
    CHECK(pkg && wg_pkg_find(pkg, good[i]));
    if (!pkg) fprintf(stderr, "  [%s]\n", good[i]);
    wg_pkg_free(pkg);
  }
  CHECK(wg_pkg_path_valid("hooks/a.md", 10));
  CHECK(!wg_pkg_path_valid("hooks/a.md", 0));
  CHECK(!wg_pkg_path_valid(NULL, 0));
}

/* Names are all checked (pass one) before any per-entry rule (pass two). */
static void test_names_checked_before_entries(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("deflated", "x"),
                  zb_file("../late", "x")};
  e[1].method = 8;
  CHECK(reject(e, 3, NULL, NULL, WG_PKG_TRAVERSAL, MSG_ESCAPES, "order"));
}

static void test_encrypted_rejected(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("secret", "x")};
  e[1].flags = 0x0801;
  e[1].method = 99; /* encryption is checked first */
  CHECK(reject(e, 2, NULL, NULL, WG_PKG_MALFORMED,
               "encrypted zip packages are unsupported", "encrypted"));
}

static void test_symlink_rejected(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("link", "/etc/passwd")};
  e[1].external_attributes = 0120777u << 16;
  e[1].method = 8; /* the symlink is checked before the method */
  CHECK(reject(e, 2, NULL, NULL, WG_PKG_TRAVERSAL,
               "plugin package contains a symlink entry", "symlink"));
  /* Other types (directory bit, sockets) are not checked by yoi. */
  zb_entry dirbit[] = {zb_manifest_entry(), zb_file("d", "x")};
  dirbit[1].external_attributes = (040755u << 16) | 0x10;
  wg_pkg *pkg = accept(dirbit, 2, NULL, NULL);
  CHECK(pkg != NULL);
  wg_pkg_free(pkg);
}

static void test_compression_method_api(void) {
  uint16_t methods[] = {1, 8, 9, 12, 14, 93, 99, 0xffff};
  for (size_t i = 0; i < N(methods); i++) {
    zb_entry e[] = {zb_manifest_entry(), zb_file("m", "x")};
    e[1].method = methods[i];
    e[1].set_usize = true;
    e[1].usize = 0xffffffffu; /* the method is checked before the sizes */
    CHECK(reject(e, 2, NULL, NULL, WG_PKG_API,
                 "plugin package uses an unsupported zip compression method",
                 "method"));
  }
}

static void test_entry_size_bound(void) {
  const char *msg = "plugin package entry exceeds the configured per-file bound";
  zb_entry e[] = {zb_manifest_entry(), zb_file("big.wasm", "x")};
  e[1].set_usize = true;
  e[1].usize = 8 * MIB + 1; /* claimed, not stored: checked before reading */
  CHECK(reject(e, 2, NULL, NULL, WG_PKG_BOUNDS, msg, "8MiB+1"));
  /* Exactly 8 MiB passes the bound and fails later on the data. */
  e[1].usize = 8 * MIB;
  CHECK(reject(e, 2, NULL, NULL, WG_PKG_MALFORMED,
               "zip stored entry size does not match central directory", "8MiB"));
  /* The bound is inclusive. */
  wg_pkg_limits l = small_limits();
  l.max_file_size = 100;
  static char hundred[101];
  memset(hundred, 'h', sizeof hundred);
  zb_entry f[] = {zb_manifest_entry(), {.name = "h", .data = hundred, .size = 100}};
  wg_pkg *pkg = accept(f, 2, NULL, &l);
  CHECK(pkg != NULL);
  wg_pkg_free(pkg);
  f[1].size = 101;
  CHECK(reject(f, 2, NULL, &l, WG_PKG_BOUNDS, msg, "101"));
}

/* Several central entries can share one local header (yoi never ties the
 * local name to the central one), so a 64 MiB expanded size needs only
 * 8 MiB of bytes. */
static void test_expanded_size_bound(void) {
  uint8_t *big = calloc(1, 8 * MIB);
  REQUIRE(big);
  zb_entry e[10];
  char names[10][4];
  e[0] = zb_manifest_entry();
  for (int i = 1; i < 10; i++) {
    snprintf(names[i], sizeof names[i], "b%d", i);
    e[i] = (zb_entry){.name = names[i], .data = big, .size = 8 * MIB};
    if (i > 1) e[i].alias_of = 2;
  }
  /* plugin.toml + 7 x 8 MiB fits; the 8th pushes past 64 MiB. */
  wg_pkg *pkg = accept(e, 8, NULL, NULL);
  REQUIRE(pkg);
  CHECK_INT(wg_pkg_file_count(pkg), 8);
  char d1[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(pkg, d1);
  wg_pkg_free(pkg);
  CHECK(reject(e, 9, NULL, NULL, WG_PKG_BOUNDS,
               "plugin package expanded size exceeds the configured bound",
               "72MiB"));
  free(big);
  /* The bound is inclusive. */
  wg_pkg_limits l = small_limits();
  l.max_expanded_size = (sizeof zb_manifest - 1) + 10;
  zb_entry s[] = {zb_manifest_entry(), zb_file("a", "123456"), zb_file("b", "7890")};
  pkg = accept(s, 3, NULL, &l);
  CHECK(pkg != NULL);
  wg_pkg_free(pkg);
  s[2] = zb_file("b", "78901");
  CHECK(reject(s, 3, NULL, &l, WG_PKG_BOUNDS,
               "plugin package expanded size exceeds the configured bound",
               "inclusive"));
}

static void test_local_header_rules(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("a", "hello")};
  e[1].set_local_offset = true;
  e[1].local_offset = 5; /* inside the manifest's header: no signature */
  CHECK(reject(e, 2, NULL, NULL, WG_PKG_MALFORMED,
               "zip local file header is malformed", "bad sig"));
  e[1].local_offset = 0xfffffffeu;
  CHECK(reject(e, 2, NULL, NULL, WG_PKG_MALFORMED,
               "zip local file header is malformed", "past eof"));
  zb_entry f[] = {zb_manifest_entry(), zb_file("a", "hello")};
  f[1].set_local_flags = true;
  f[1].local_flags = 0;
  CHECK(reject(f, 2, NULL, NULL, WG_PKG_MALFORMED,
               "zip local header disagrees with central directory", "flags"));
  zb_entry m[] = {zb_manifest_entry(), zb_file("a", "hello")};
  m[1].set_local_method = true;
  m[1].local_method = 8;
  CHECK(reject(m, 2, NULL, NULL, WG_PKG_MALFORMED,
               "zip local header disagrees with central directory", "method"));
}

/* A local signature in the archive comment, too short for a header. */
static void test_local_header_truncated(void) {
  static const char sig[] = "PK\x03\x04zzzz";
  zb_entry f[] = {zb_manifest_entry(), zb_file("a", "")};
  /* The archive comment starts right after the archive built without it. */
  uint8_t *zip = NULL;
  size_t len = zb_build(f, 2, NULL, &zip);
  free(zip);
  f[1].set_local_offset = true;
  f[1].local_offset = (uint32_t)len;
  zb_end end = {.comment = sig, .comment_len = 8};
  CHECK(reject(f, 2, &end, NULL, WG_PKG_MALFORMED,
               "zip local file header is truncated", "truncated local"));
}

static void test_entry_data_range(void) {
  const char *msg = "zip entry data points outside the package";
  zb_entry e[] = {zb_manifest_entry(), zb_file("a", "hello")};
  e[1].set_csize = e[1].set_usize = true;
  e[1].csize = e[1].usize = MIB; /* claims 1 MiB, holds 5 bytes */
  CHECK(reject(e, 2, NULL, NULL, WG_PKG_MALFORMED, msg, "csize"));
  zb_entry x[] = {zb_manifest_entry(), zb_file("a", "hello")};
  zb_end end = {0};
  uint8_t *zip = NULL;
  size_t len = zb_build(x, 2, &end, &zip);
  /* Local extra length of the second entry pushed past EOF. */
  size_t local2 = 30 + 11 + x[0].size;
  zip[local2 + 28] = 0xff;
  zip[local2 + 29] = 0xff;
  CHECK(reject_bytes(zip, len, NULL, WG_PKG_MALFORMED, WG_PKG_PHASE_DISCOVERY,
                     msg, "extra"));
  free(zip);
}

static void test_stored_size_mismatch(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("a", "hello")};
  e[1].set_usize = true;
  e[1].usize = 4;
  CHECK(reject(e, 2, NULL, NULL, WG_PKG_MALFORMED,
               "zip stored entry size does not match central directory", "usize"));
}

static void test_duplicates(void) {
  const char *msg = "plugin package contains duplicate normalized entry paths";
  zb_entry e[] = {zb_manifest_entry(), zb_file("a", "1"), zb_file("a", "2")};
  CHECK(reject(e, 3, NULL, NULL, WG_PKG_DUPLICATE, msg, "dup"));
  zb_entry m[] = {zb_manifest_entry(), zb_manifest_entry()};
  CHECK(reject(m, 2, NULL, NULL, WG_PKG_DUPLICATE, msg, "dup manifest"));
  /* The second copy's own checks come first... */
  zb_entry d[] = {zb_manifest_entry(), zb_file("a", "1"), zb_file("a", "2")};
  d[2].method = 8;
  CHECK(reject(d, 3, NULL, NULL, WG_PKG_API,
               "plugin package uses an unsupported zip compression method",
               "dup then method"));
  /* ...and a later bad entry is never reached. */
  zb_entry l[] = {zb_manifest_entry(), zb_file("a", "1"), zb_file("a", "2"),
                  zb_file("b", "3")};
  l[3].method = 8;
  CHECK(reject(l, 4, NULL, NULL, WG_PKG_DUPLICATE, msg, "dup first"));
}

static void test_manifest_rules(void) {
  zb_entry none[] = {zb_file("README", "x"), zb_file("sub/plugin.toml", "x"),
                     zb_file("Plugin.toml", "x")};
  uint8_t *zip = NULL;
  size_t len = zb_build(none, 3, NULL, &zip);
  CHECK(reject_bytes(zip, len, NULL, WG_PKG_MISSING, WG_PKG_PHASE_MANIFEST,
                     "plugin package is missing root plugin.toml", "missing"));
  free(zip);
  static char text[64 * 1024 + 1];
  memset(text, '#', sizeof text);
  zb_entry m[] = {{.name = "plugin.toml", .data = text, .size = 64 * 1024}};
  wg_pkg *pkg = accept(m, 1, NULL, NULL);
  CHECK(pkg != NULL);
  wg_pkg_free(pkg);
  m[0].size = sizeof text;
  len = zb_build(m, 1, NULL, &zip);
  CHECK(reject_bytes(zip, len, NULL, WG_PKG_BOUNDS, WG_PKG_PHASE_MANIFEST,
                     "plugin.toml exceeds the configured manifest size bound",
                     "64KiB+1"));
  free(zip);
  m[0] = (zb_entry){.name = "plugin.toml", .data = "id = \"\xff\"", .size = 8};
  len = zb_build(m, 1, NULL, &zip);
  CHECK(reject_bytes(zip, len, NULL, WG_PKG_MALFORMED, WG_PKG_PHASE_MANIFEST,
                     "plugin.toml is not valid UTF-8", "utf8"));
  free(zip);
}

static void test_package_size_bound(void) {
  wg_pkg_limits l = small_limits();
  zb_entry e[] = {zb_manifest_entry()};
  uint8_t *zip = NULL;
  size_t len = zb_build(e, 1, NULL, &zip);
  l.max_package_size = len;
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  CHECK_INT(wg_pkg_open_bytes(zip, len, &l, &pkg, &d), WG_PKG_OK);
  wg_pkg_free(pkg);
  l.max_package_size = len - 1;
  CHECK(reject_bytes(zip, len, &l, WG_PKG_BOUNDS, WG_PKG_PHASE_DISCOVERY,
                     "plugin package exceeds the configured package size bound",
                     "len-1"));
  free(zip);
}

/* Every prefix of a valid package loses its end record. */
static void test_every_truncation(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("hooks/a.md", "hello"),
                  zb_file("plugin.wasm", "\0asm\1\0\0\0")};
  e[2].size = 8;
  uint8_t *zip = NULL;
  size_t len = zb_build(e, 3, NULL, &zip);
  wg_pkg *pkg = accept(e, 3, NULL, NULL);
  REQUIRE(pkg);
  wg_pkg_free(pkg);
  int bad = 0;
  for (size_t cut = 0; cut < len; cut++)
    if (!reject_bytes(zip, cut, NULL, WG_PKG_MALFORMED, WG_PKG_PHASE_DISCOVERY,
                      MSG_NO_EOCD, "prefix"))
      bad++;
  CHECK_INT(bad, 0);
  /* Dropping leading bytes keeps the end record but breaks every offset. */
  int not_malformed = 0;
  for (size_t drop = 1; drop + 22 <= len; drop++) {
    wg_pkg_diag d;
    if (wg_pkg_open_bytes(zip + drop, len - drop, NULL, &pkg, &d) == 0) {
      wg_pkg_free(pkg);
      not_malformed++;
    } else if (d.kind != WG_PKG_MALFORMED) {
      not_malformed++;
    }
  }
  CHECK_INT(not_malformed, 0);
  free(zip);
}

/* yoi's test fixture shape: flags 0x0800, CRC 0, a hook file. */
static void test_yoi_fixture_shape(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("hooks/user.md", "hello")};
  wg_pkg *pkg = accept(e, 2, NULL, NULL);
  REQUIRE(pkg);
  CHECK_INT(wg_pkg_file_count(pkg), 2);
  CHECK(memcmp(wg_pkg_find(pkg, "hooks/user.md")->data, "hello", 5) == 0);
  wg_pkg_free(pkg);
}

/* Paths the manifest references: yoi's validate_manifest_path. */
static void test_manifest_references(void) {
  zb_entry e[] = {zb_manifest_entry(), zb_file("plugin.wasm", "w"),
                  zb_file("hooks/a.md", "a")};
  wg_pkg *pkg = accept(e, 3, NULL, NULL);
  REQUIRE(pkg);
  CHECK(wg_pkg_manifest_file(pkg) == wg_pkg_find(pkg, "plugin.toml"));
  const wg_pkg_file *f = NULL;
  wg_pkg_diag d;
  CHECK_INT(wg_pkg_resolve_ref(pkg, "hooks/a.md", 10, &f, &d), WG_PKG_OK);
  CHECK(f && f->size == 1);
  /* The length is honoured: "plugin.wasmXYZ" cut to 11 bytes. */
  CHECK_INT(wg_pkg_resolve_ref(pkg, "plugin.wasmXYZ", 11, &f, &d), WG_PKG_OK);
  const char *outside[] = {"../plugin.wasm", "/plugin.wasm", "./plugin.wasm",
                           "hooks//a.md", "C:plugin.wasm", "~/x", "a\\b", ""};
  for (size_t i = 0; i < N(outside); i++) {
    CHECK_INT(wg_pkg_resolve_ref(pkg, outside[i], strlen(outside[i]), &f, &d),
              WG_PKG_TRAVERSAL);
    CHECK(f == NULL && d.kind == WG_PKG_TRAVERSAL && d.phase == WG_PKG_PHASE_MANIFEST);
    CHECK_STR(d.message, "plugin manifest references a path outside the package root");
  }
  CHECK_INT(wg_pkg_resolve_ref(pkg, "hooks/b.md", 10, &f, &d), WG_PKG_MISSING);
  CHECK(d.kind == WG_PKG_MISSING && d.phase == WG_PKG_PHASE_MANIFEST);
  CHECK_STR(d.message, "plugin manifest references a path not present in the package");
  /* Without a diagnostic the code alone says why. */
  CHECK_INT(wg_pkg_resolve_ref(pkg, "hooks/b.md", 10, &f, NULL), WG_PKG_MISSING);
  /* Directories are not files. */
  CHECK_INT(wg_pkg_resolve_ref(pkg, "hooks", 5, &f, &d), WG_PKG_MISSING);
  CHECK_INT(d.kind, WG_PKG_MISSING);
  CHECK_INT(wg_pkg_resolve_ref(pkg, "a\0b", 3, &f, &d), WG_PKG_TRAVERSAL);
  CHECK_INT(d.kind, WG_PKG_TRAVERSAL);
  wg_pkg_free(pkg);
}

static void test_kind_and_phase_names(void) {
  const char *kinds[] = {"ok", "missing", "duplicate", "ambiguous", "version",
                         "digest", "api", "surface", "grant", "malformed",
                         "traversal", "bounds", "io"};
  CHECK_INT(WG_PKG_OK, 0);
  for (int k = WG_PKG_OK; k <= WG_PKG_IO; k++)
    CHECK_STR(wg_pkg_code_name((wg_pkg_code)k), kinds[k]);
  CHECK_STR(wg_pkg_code_name((wg_pkg_code)99), WG_NAME_UNKNOWN);
  CHECK_STR(wg_pkg_phase_name(WG_PKG_PHASE_DISCOVERY), "discovery");
  CHECK_STR(wg_pkg_phase_name(WG_PKG_PHASE_MANIFEST), "manifest");
  CHECK_STR(wg_pkg_phase_name(WG_PKG_PHASE_RESOLUTION), "resolution");
  wg_pkg_limits l = wg_pkg_limits_default();
  CHECK_U64(l.max_package_size, 16777216);
  CHECK_U64(l.max_manifest_size, 65536);
  CHECK_U64(l.max_entries, 512);
  CHECK_U64(l.max_file_size, 8388608);
  CHECK_U64(l.max_expanded_size, 67108864);
  CHECK_U64(l.max_packages_per_store, 128);
}

WG_TEST_LIST {
  WG_TEST(test_minimal_package_accepted),
  WG_TEST(test_files_sorted_bytewise),
  WG_TEST(test_ignored_fields_accepted),
  WG_TEST(test_short_and_empty_inputs),
  WG_TEST(test_eocd_search_window),
  WG_TEST(test_eocd_last_signature_wins),
  WG_TEST(test_multi_disk_rejected),
  WG_TEST(test_entry_count_bound),
  WG_TEST(test_512_entries_accepted_513_rejected),
  WG_TEST(test_central_directory_range),
  WG_TEST(test_central_size_not_enforced),
  WG_TEST(test_central_header_signature),
  WG_TEST(test_central_header_truncated),
  WG_TEST(test_entry_name_out_of_bounds),
  WG_TEST(test_non_utf8_names_malformed),
  WG_TEST(test_path_normalization_rejects),
  WG_TEST(test_path_normalization_accepts),
  WG_TEST(test_names_checked_before_entries),
  WG_TEST(test_encrypted_rejected),
  WG_TEST(test_symlink_rejected),
  WG_TEST(test_compression_method_api),
  WG_TEST(test_entry_size_bound),
  WG_TEST(test_expanded_size_bound),
  WG_TEST(test_local_header_rules),
  WG_TEST(test_local_header_truncated),
  WG_TEST(test_entry_data_range),
  WG_TEST(test_stored_size_mismatch),
  WG_TEST(test_duplicates),
  WG_TEST(test_manifest_rules),
  WG_TEST(test_package_size_bound),
  WG_TEST(test_every_truncation),
  WG_TEST(test_yoi_fixture_shape),
  WG_TEST(test_manifest_references),
  WG_TEST(test_kind_and_phase_names),
};
WG_TEST_MAIN()
