/* fuzz_manifest.c: libFuzzer entry point for plugin.toml (src/package/
 * manifest*.c): parsing, validation, the per-tool checks and warnings. The
 * checks are the mutation run's (tests/package/manifest_check.h), and a
 * violation aborts; CI runs that mutation run (ctest
 * package_manifest_mutate). Seeds should carry "QZ" in their values (the
 * marker that finds manifest text copied into a message), like the
 * mutation run's seeds. Built by the libFuzzer build of fuzz/CMakeLists.txt
 * (-DWG_FUZZ=ON, target fuzz_manifest). */
#include <stdlib.h>

#include "../tests/package/manifest_check.h"

static void check(const char *why) {
  if (!why) return;
  fprintf(stderr, "fuzz_manifest: %s\n", why);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wg_manifest *m = NULL;
  wg_pkg_diag d;
  wg_pkg_code rc = wg_manifest_parse((const char *)data, size, &m, &d);
  check(rc == WG_PKG_OK ? manifest_accepted_check(m)
                        : manifest_rejected_check(rc, m, &d, size));
  wg_manifest_free(m);
  return 0;
}
