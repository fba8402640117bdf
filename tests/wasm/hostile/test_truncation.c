/* test_truncation.c: every proper prefix of several valid modules through
 * wg_module_new.
 *
 * usage: test_truncation FILE.wasm...
 *
 * Each FILE must itself decode (WG_WASM_OK). A prefix that ends inside a
 * section (or inside the 8-byte header) must be rejected as exactly
 * WG_WASM_MALFORMED, with an error offset inside the prefix and no module.
 * A prefix that ends exactly at a section boundary is a shorter module that
 * may be well-formed: it must be OK or MALFORMED (for example "function and
 * code section have inconsistent lengths"), never anything else. Run under
 * ASan/UBSan this also checks that no prefix reads out of bounds or leaks.
 * Prints per-file counts and ends with `N passed, M failed`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile_util.h"
#include "wasmgate/wasm.h"

#define TRUNC_MAX_FILE (1u << 20)

typedef struct trunc_counts {
  uint64_t passed, failed;
  uint64_t boundary_ok; /* prefixes at a section boundary that decoded */
} trunc_counts;

/* Reads an unsigned LEB128 u32 from b[*pos..len); false if malformed. The
 * inputs are known-valid modules, so this only has to be correct for them. */
static bool read_u32(const unsigned char *b, size_t len, size_t *pos,
                     uint32_t *out) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 35 && *pos < len; shift += 7) {
    unsigned char c = b[(*pos)++];
    v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      if (v > UINT32_MAX) return false;
      *out = (uint32_t)v;
      return true;
    }
  }
  return false;
}

/* Marks every offset where a section ends (including 8, the end of the
 * header). Returns false if the module's section framing is broken. */
static bool section_boundaries(const unsigned char *b, size_t len, bool *ends) {
  if (len < 8) return false;
  ends[8] = true;
  size_t pos = 8;
  while (pos < len) {
    uint32_t size;
    pos++; /* section id */
    if (!read_u32(b, len, &pos, &size) || size > len - pos) return false;
    pos += size;
    ends[pos] = true;
  }
  return true;
}

static void fail(trunc_counts *c, const char *file, size_t n, const char *what,
                 wg_wasm_code r, const wg_wasm_error *err) {
  c->failed++;
  if (c->failed > 50) return; /* the count says the rest */
  const char *rn = wg_wasm_code_name(r);
  printf("FAIL %s: prefix of %zu bytes: %s (got %s, offset %zu: %s)\n", file,
         n, what, rn ? rn : "?", err->offset, err->message);
}

static void check_prefix(trunc_counts *c, const char *file,
                         const unsigned char *bytes, size_t n, bool boundary) {
  wg_module *m = (wg_module *)&m; /* must be overwritten */
  wg_wasm_error err;
  memset(&err, 0xab, sizeof err);
  wg_wasm_code r = wg_module_new(bytes, n, &m, &err);
  if (r == WG_WASM_OK) {
    if (!m) fail(c, file, n, "OK without a module", r, &err);
    else if (!boundary)
      fail(c, file, n, "accepted a cut inside a section", r, &err);
    else {
      c->passed++;
      c->boundary_ok++;
    }
    wg_module_release(m == (wg_module *)&m ? NULL : m);
    return;
  }
  if (r != WG_WASM_MALFORMED) fail(c, file, n, "not malformed", r, &err);
  else if (m != NULL) fail(c, file, n, "module pointer not cleared", r, &err);
  else if (err.code != WG_WASM_MALFORMED)
    fail(c, file, n, "err.code differs from the return value", r, &err);
  else if (err.offset > n) fail(c, file, n, "offset past the input", r, &err);
  else if (!memchr(err.message, '\0', sizeof err.message))
    fail(c, file, n, "message not terminated", r, &err);
  else c->passed++;
}

static void run_file(trunc_counts *total, const char *path) {
  size_t len = 0;
  unsigned char *full = hostile_read_file(path, TRUNC_MAX_FILE, &len);
  bool *ends = full ? calloc(len + 1, sizeof *ends) : NULL;
  trunc_counts c = {0, 0, 0};
  wg_wasm_error err = {0};
  wg_module *m = NULL;
  if (!full || !ends) {
    printf("FAIL %s: cannot read\n", path);
    c.failed++;
  } else if (!section_boundaries(full, len, ends)) {
    printf("FAIL %s: not a module (bad section framing)\n", path);
    c.failed++;
  } else if (wg_module_new(full, len, &m, &err) != WG_WASM_OK) {
    printf("FAIL %s: the full module does not decode: %s\n", path, err.message);
    c.failed++;
  } else {
    wg_module_release(m);
    /* Copy each prefix into its own allocation so ASan sees any read past
     * its end. */
    for (size_t n = 0; n < len; n++) {
      unsigned char *prefix = malloc(n ? n : 1);
      if (!prefix) break;
      memcpy(prefix, full, n);
      check_prefix(&c, path, prefix, n, ends[n]);
      free(prefix);
    }
  }
  const char *base = strrchr(path, '/');
  printf("%s: %zu bytes, %" PRIu64 " prefixes rejected or boundary-valid "
         "(%" PRIu64 " boundary prefixes decoded), %" PRIu64 " failed\n",
         base ? base + 1 : path, len, c.passed, c.boundary_ok, c.failed);
  total->passed += c.passed;
  total->failed += c.failed;
  free(ends);
  free(full);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_truncation FILE.wasm...\n");
    return 2;
  }
  trunc_counts total = {0, 0, 0};
  for (int i = 1; i < argc; i++) run_file(&total, argv[i]);
  printf("%" PRIu64 " passed, %" PRIu64 " failed\n", total.passed, total.failed);
  return total.failed ? 1 : 0;
}
