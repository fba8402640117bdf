/* fuzz_digest_cache.c: libFuzzer entry for the digest cache parser
 * (src/config/digest_cache.c; CI runs test_config_digest_cache instead).
 * Built by the libFuzzer build of fuzz/CMakeLists.txt (-DWG_FUZZ=ON,
 * target fuzz_digest_cache; fuzz/README.md).
 * Checked: the parser never reads past its length, an accepted text's
 * entries are each valid (safe id, digest form, label suffix), and
 * formatting them gives back exactly the text that was accepted. */
#include <stdlib.h>
#include <string.h>

#include "../src/config/cfg_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size ? size : 1);
  if (!text) return 0;
  memcpy(text, data, size); /* an exact-size copy: ASan sees any overread */
  cfg_cache c;
  if (cfg_cache_parse(text, size, &c) == 0) {
    for (size_t i = 0; i < c.count; i++) {
      const cfg_cache_entry *e = &c.entries[i];
      if (!cfg_safe_id(e->local_id, strlen(e->local_id)) ||
          strncmp(e->digest, "sha256:", 7) != 0 || strlen(e->digest) != 71 ||
          !strstr(e->label, ".yoi-plugin"))
        abort();
      c.entries[i].used = true;
    }
    for (int k = 0; k < 2; k++) {
      if (c.dirs[k].count > c.dirs[k].max) abort();
      c.dirs[k].used = true;
    }
    wg_buf b;
    wg_buf_init(&b, 0);
    if (!cfg_cache_format(&c, &b) || b.len != size || memcmp(b.data, text, size) != 0) abort();
    wg_buf_free(&b);
    cfg_cache_free(&c);
  }
  free(text);
  return 0;
}
