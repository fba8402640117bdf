/* sha_start.c: what a SHA-256 library costs a process that hashes one
 * small buffer: built three ways (-DWITH_NETTLE, -DWITH_SHA256: OpenSSL's
 * one-shot SHA256(), -DWITH_EVP: OpenSSL EVP) and none, and timed by
 * spawn_time next to /bin/true (bench/runtime/run.sh). */
#include <stdio.h>
#if defined(WITH_NETTLE)
#include <nettle/sha2.h>
#elif defined(WITH_SHA256) || defined(WITH_EVP)
#include <openssl/evp.h>
#include <openssl/sha.h>
#endif

int main(void) {
  static const unsigned char data[64] = "yoi-plugin-package-digest-v1";
  unsigned char md[32] = {0};
#if defined(WITH_NETTLE)
  struct sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, sizeof data, data);
  sha256_digest(&c, sizeof md, md);
#elif defined(WITH_SHA256)
  SHA256(data, sizeof data, md);
#elif defined(WITH_EVP)
  unsigned int n = 0;
  EVP_Digest(data, sizeof data, md, &n, EVP_sha256(), NULL);
#endif
  printf("%02x\n", md[0]); /* use the result (stdout is /dev/null) */
  return 0;
}
