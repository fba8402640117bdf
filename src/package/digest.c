/* digest.c: yoi's deterministic package digest (reference 1.6): SHA-256
 * over "yoi-plugin-package-digest-v1\0" and, per file in ascending byte-wise
 * path order, path, 0x00, size as big-endian u64, raw SHA-256 of content.
 * SHA-256 comes from OpenSSL's libcrypto (EVP). */
#include "pkg_internal.h"

#include <openssl/evp.h>
#include <string.h>

/* Hashed with its terminating NUL: sizeof includes it, as the format wants. */
static const char digest_domain[] = "yoi-plugin-package-digest-v1";

static bool file_record(EVP_MD_CTX *outer, const wg_pkg_file *f) {
  unsigned char inner[EVP_MAX_MD_SIZE];
  unsigned int inner_len = 0;
  if (!EVP_Digest(f->data, f->size, inner, &inner_len, EVP_sha256(), NULL))
    return false;
  uint8_t head[9];
  uint64_t size = (uint64_t)f->size;
  head[0] = 0;
  for (int i = 0; i < 8; i++) head[1 + i] = (uint8_t)(size >> (56 - 8 * i));
  return EVP_DigestUpdate(outer, f->path, f->path_len) &&
         EVP_DigestUpdate(outer, head, sizeof head) &&
         EVP_DigestUpdate(outer, inner, inner_len);
}

bool pkg_digest_compute(const wg_pkg_file *files, size_t count,
                        char out[WG_PKG_DIGEST_LEN]) {
  static const char hex[] = "0123456789abcdef";
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  bool ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
            EVP_DigestUpdate(ctx, digest_domain, sizeof digest_domain);
  for (size_t i = 0; ok && i < count; i++) ok = file_record(ctx, &files[i]);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (ok) ok = EVP_DigestFinal_ex(ctx, md, &md_len) && md_len == 32;
  EVP_MD_CTX_free(ctx);
  if (!ok) return false;
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
