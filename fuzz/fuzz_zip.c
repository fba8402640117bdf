/* fuzz_zip.c: libFuzzer entry point for the package layer's ZIP reader
 * (src/package/zip_read.c and package.c: yoi's archive rules). The checks are
 * the seeded mutation run's (tests/package/zip_check.h), and a violation
 * aborts; CI runs that mutation run (ctest package_mutate). Built by the
 * libFuzzer build of fuzz/CMakeLists.txt (-DWG_FUZZ=ON, target fuzz_zip). */
#include <stdlib.h>

#include "../tests/package/zip_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  wg_pkg_code code = wg_pkg_open_bytes(data, size, NULL, &pkg, &d);
  if (code == WG_PKG_OK ? !zip_accepted_ok(pkg) : !zip_rejected_ok(code, &d))
    abort();
  wg_pkg_free(pkg);
  return 0;
}
