/* digest.c: yoi's deterministic package digest (docs/design.md#digest):
 * SHA-256 over "yoi-plugin-package-digest-v1\0" and, per file in ascending
 * byte-wise path order, path, 0x00, size as big-endian u64, raw SHA-256 of
 * content. SHA-256 is wg_sha256 (src/util/sha256.c). */
#include "pkg_internal.h"

#include <string.h>

/* Hashed with its terminating NUL: sizeof includes it, as the format wants. */
static const char digest_domain[] = "yoi-plugin-package-digest-v1";

static void file_record(wg_sha256_ctx *outer, const wg_pkg_file *f) {
  uint8_t inner[WG_SHA256_LEN];
  wg_sha256(f->data, f->size, inner);
  uint8_t head[9];
  uint64_t size = (uint64_t)f->size;
  head[0] = 0;
  for (int i = 0; i < 8; i++) head[1 + i] = (uint8_t)(size >> (56 - 8 * i));
  wg_sha256_update(outer, f->path, f->path_len);
  wg_sha256_update(outer, head, sizeof head);
  wg_sha256_update(outer, inner, sizeof inner);
}

bool pkg_digest_compute(const wg_pkg_file *files, size_t count,
                        char out[WG_PKG_DIGEST_LEN]) {
  static const char hex[] = "0123456789abcdef";
  wg_sha256_ctx ctx;
  wg_sha256_init(&ctx);
  wg_sha256_update(&ctx, digest_domain, sizeof digest_domain);
  for (size_t i = 0; i < count; i++) file_record(&ctx, &files[i]);
  uint8_t md[WG_SHA256_LEN];
  wg_sha256_final(&ctx, md);
  memcpy(out, "sha256:", 7);
  for (unsigned i = 0; i < 32; i++) {
    out[7 + 2 * i] = hex[md[i] >> 4];
    out[8 + 2 * i] = hex[md[i] & 15];
  }
  out[71] = '\0';
  return true;
}

bool wg_pkg_digest_matches(const char *expected, const char *actual) {
  if (!expected || !actual) return false;
  if (strncmp(expected, "sha256:", 7) != 0) return false;
  if (strncmp(actual, "sha256:", 7) != 0) return false;
  return strcmp(expected + 7, actual + 7) == 0;
}
