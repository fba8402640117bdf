/* idn.c: libidn2 (UTS 46 "domain to ASCII"), loaded on first use.
 *
 * Why not linked: libidn2 and libunistring add about 0.6 ms to the start
 * of every wasmgate process (measured by the https engineer, medians of 300
 * runs), and most calls never see a non-ASCII host. So the library is
 * opened the first time a host needs IDNA, once per process
 * (pthread_once), and never closed. The two function pointers below are
 * the policy's only process-wide state: written once inside pthread_once,
 * read-only afterwards, so the policy stays safe to call from any thread
 * and a pure function of its input (given the same library). If libidn2
 * is missing, IDN hosts are refused (rule idn), never passed through. */
#include "pol_internal.h"

#include <dlfcn.h>
#include <idn2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef int (*to_ascii_fn)(const char *input, char **output, int flags);
typedef const char *(*name_fn)(int rc);

static pthread_once_t idn_once = PTHREAD_ONCE_INIT;
static to_ascii_fn idn_to_ascii;
static name_fn idn_error_name;

static void idn_load(void) {
  void *lib = dlopen("libidn2.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return;
  /* POSIX guarantees a dlsym result converts to a function pointer. */
  to_ascii_fn f = (to_ascii_fn)dlsym(lib, "idn2_to_ascii_8z");
  name_fn n = (name_fn)dlsym(lib, "idn2_strerror_name");
  if (!f || !n) return;
  idn_error_name = n;
  idn_to_ascii = f;
}

int pol_idn_to_ascii(const char *input, char **output, const char **error_name) {
  *output = NULL;
  *error_name = "IDN2_NOT_AVAILABLE";
  pthread_once(&idn_once, idn_load);
  if (!idn_to_ascii) return POL_IDN_UNAVAILABLE;
  int rc = idn_to_ascii(input, output, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  if (rc == IDN2_OK) return POL_IDN_OK;
  free(*output);
  *output = NULL;
  *error_name = idn_error_name(rc);
  return rc == IDN2_MALLOC ? POL_IDN_NOMEM : POL_IDN_INVALID;
}
