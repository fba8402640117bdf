/* test_digest.c: the package digest (docs/design.md#digest). Known answers
 * were computed by the independent python3 hashlib script
 * digest_vectors.py (`python3 digest_vectors.py --print`) and are checked
 * in here; ctest also runs that script against pkg_digest_tool on
 * directory and zipfile-made packages. Also: a one-byte change anywhere
 * changes the digest, the digest ignores entry order, and yoi's
 * case-sensitive digest_matches. */
#include "../harness.h"
#include "wasmgate/package.h"
#include "zipbuild.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Opens entries as a ZIP and returns the digest in out (empty on error). */
static void digest_of(const zb_entry *e, size_t n, char out[WG_PKG_DIGEST_LEN]) {
  uint8_t *zip = NULL;
  size_t len = zb_build(e, n, NULL, &zip);
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  out[0] = '\0';
  if (wg_pkg_open_bytes(zip, len, NULL, &pkg, &d) == 0) wg_pkg_digest(pkg, out);
  else fprintf(stderr, "  rejected: %s\n", d.message);
  wg_pkg_free(pkg);
  free(zip);
}

static void test_known_answers(void) {
  static uint8_t bin[768];
  for (size_t i = 0; i < sizeof bin; i++) bin[i] = (uint8_t)i;
  char got[WG_PKG_DIGEST_LEN];

  zb_entry minimal[] = {zb_manifest_entry()};
  digest_of(minimal, N(minimal), got);
  CHECK_STR(got, "sha256:d14b063082c113a229261551d9b7eb95865273d19375d4ccae217ae113874953");

  zb_entry empty[] = {zb_manifest_entry(), zb_file("empty", "")};
  digest_of(empty, N(empty), got);
  CHECK_STR(got, "sha256:3443bedc872cbcc9f08b4322315371541c34df25d8a0d12498f1836d453a03fb");

  zb_entry ordering[] = {zb_manifest_entry(), zb_file("a-b", "1"), zb_file("a/b", "2"),
                         zb_file("A", "3"), zb_file("a/b0", "4")};
  digest_of(ordering, N(ordering), got);
  CHECK_STR(got, "sha256:dec64f90c3879638cb1bd10bb83a1bb8f6d4e2f629f6f26d5d96d9e1f0af70dd");

  zb_entry binary[] = {zb_manifest_entry(),
                       {.name = "plugin.wasm", .data = bin, .size = sizeof bin}};
  digest_of(binary, N(binary), got);
  CHECK_STR(got, "sha256:e90a081cd6f13d4cc1a12683074d6978d70c4b4ba80cea148e79fcdc6d679c6b");

  zb_entry utf8[] = {zb_manifest_entry(),
                     zb_file("docs/\xe6\xa9\x9f\xe5\xaf\x86.md", "\xe7\xa7\x98\xe5\xaf\x86\n")};
  digest_of(utf8, N(utf8), got);
  CHECK_STR(got, "sha256:f68a07249451f1865e23b77fb897856064b6f3f4ebb3058512d68d7dff4f7144");

  zb_entry nested[] = {zb_file("hooks/a/b/c.md", "deep"), zb_manifest_entry(),
                       zb_file("hooks/a.md", "shallow")};
  digest_of(nested, N(nested), got);
  CHECK_STR(got, "sha256:6525ec07c41370ce0be71a163a97a651e2ddada63ed75241b97bb2633b2215bf");
}

static void test_entry_order_irrelevant(void) {
  char a[WG_PKG_DIGEST_LEN], b[WG_PKG_DIGEST_LEN];
  zb_entry x[] = {zb_manifest_entry(), zb_file("a", "1"), zb_file("b", "2")};
  zb_entry y[] = {zb_file("b", "2"), zb_file("a", "1"), zb_manifest_entry()};
  y[0].external_attributes = 0100755u << 16;
  y[1].central_extra = 4;
  digest_of(x, 3, a);
  digest_of(y, 3, b);
  CHECK(a[0] != '\0');
  CHECK_STR(a, b);
}

/* Every single-byte flip of every file, and of every path, gives a digest
 * different from the original and from each other. */
static void test_one_byte_changes(void) {
  char text[3][16] = {"hello", "abc", "x"};
  const char *names[3] = {"hooks/a.md", "b", "plugin.wasm"};
  char base[WG_PKG_DIGEST_LEN];
  zb_entry e[4];
  e[0] = zb_manifest_entry();
  for (int i = 0; i < 3; i++) e[i + 1] = zb_file(names[i], text[i]);
  digest_of(e, 4, base);
  REQUIRE(base[0]);
  enum { MAX = 64 };
  static char seen[MAX][WG_PKG_DIGEST_LEN];
  int count = 0;
  for (int f = 0; f < 3; f++) {
    for (size_t i = 0; i < strlen(text[f]); i++) {
      text[f][i] ^= 1;
      digest_of(e, 4, seen[count]);
      text[f][i] ^= 1;
      CHECK(strcmp(seen[count], base) != 0);
      count++;
    }
  }
  char renamed[] = "hooks/a.md";
  e[1].name = renamed;
  for (size_t i = 0; i < strlen(renamed); i++) {
    if (renamed[i] == '/') continue;
    renamed[i] ^= 1;
    digest_of(e, 4, seen[count]);
    renamed[i] ^= 1;
    CHECK(strcmp(seen[count], base) != 0);
    count++;
  }
  for (int i = 0; i < count; i++)
    for (int j = i + 1; j < count; j++) CHECK(strcmp(seen[i], seen[j]) != 0);
  CHECK_INT(count, 9 + 9);
  /* An added empty file changes it too. */
  zb_entry more[5];
  memcpy(more, e, sizeof e);
  e[1].name = "hooks/a.md";
  more[1].name = "hooks/a.md";
  more[4] = zb_file("z", "");
  char added[WG_PKG_DIGEST_LEN];
  digest_of(more, 5, added);
  CHECK(strcmp(added, base) != 0);
}

static void test_digest_matches(void) {
  const char *d = "sha256:d14b063082c113a229261551d9b7eb95865273d19375d4ccae217ae113874953";
  CHECK(wg_pkg_digest_matches(d, d));
  CHECK(!wg_pkg_digest_matches(
      "sha256:D14B063082C113A229261551D9B7EB95865273D19375D4CCAE217AE113874953", d));
  CHECK(!wg_pkg_digest_matches(
      "SHA256:d14b063082c113a229261551d9b7eb95865273d19375d4ccae217ae113874953", d));
  CHECK(!wg_pkg_digest_matches(d + 7, d));
  CHECK(!wg_pkg_digest_matches("sha256:0000", d));
  CHECK(!wg_pkg_digest_matches("sha256:", d));
  CHECK(!wg_pkg_digest_matches(NULL, d));
}

WG_TEST_LIST {
  WG_TEST(test_known_answers),
  WG_TEST(test_entry_order_irrelevant),
  WG_TEST(test_one_byte_changes),
  WG_TEST(test_digest_matches),
};
WG_TEST_MAIN()
