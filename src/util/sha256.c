/* sha256.c: SHA-256 for the package digest and the digest cache, from
 * Nettle (Debian's libnettle, a fat build that picks SHA-NI at run time).
 *
 * Why Nettle and not OpenSSL's libcrypto: both hash with SHA-NI, but
 * libcrypto costs a `wasmgate call` about 2 ms before the first byte is
 * hashed (loading the library and initialising its provider, even for
 * the one-shot SHA256()), Nettle nothing measurable; bench/RESULTS.md has
 * the numbers. The public header keeps Nettle's types out: the context is
 * opaque storage checked to fit at compile time. */
#include "wasmgate/util.h"

#include <nettle/sha2.h>
#include <string.h>

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((wg_sha256_ctx *)0)->opaque),
               "wg_sha256_ctx is too small for Nettle's sha256_ctx");
_Static_assert(_Alignof(struct sha256_ctx) <= _Alignof(wg_sha256_ctx),
               "wg_sha256_ctx is not aligned for Nettle's sha256_ctx");

static struct sha256_ctx *ctx_of(wg_sha256_ctx *c) { return (struct sha256_ctx *)c->opaque; }

void wg_sha256_init(wg_sha256_ctx *c) { sha256_init(ctx_of(c)); }

void wg_sha256_update(wg_sha256_ctx *c, const void *data, size_t len) {
  if (len) sha256_update(ctx_of(c), len, data);
}

void wg_sha256_final(wg_sha256_ctx *c, uint8_t out[WG_SHA256_LEN]) {
  sha256_digest(ctx_of(c), WG_SHA256_LEN, out);
  memset(c, 0, sizeof *c);
}

void wg_sha256(const void *data, size_t len, uint8_t out[WG_SHA256_LEN]) {
  wg_sha256_ctx c;
  wg_sha256_init(&c);
  wg_sha256_update(&c, data, len);
  wg_sha256_final(&c, out);
}
