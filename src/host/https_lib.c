/* https_lib.c: libcurl and c-ares, opened on the first https request.
 *
 * Why dlopen and not plain linking: libcurl brings ~30 shared libraries
 * (OpenSSL, nghttp2, libidn2, LDAP, SSH, ...); linking it makes every
 * process start about 4 ms slower, which is more than a whole small tool
 * call. Loaded here, a call that makes no request pays nothing: the
 * libraries are neither mapped nor initialised. The function table is the
 * one piece of process-wide state: written once under pthread_once, read
 * only afterwards (curl_global_init and ares_library_init are process-wide
 * by their own design). */
#include "host_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static host_lib_table table;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_bool loaded;
static char load_error[160];

#define SYM(handle, field, name)                                         \
  do {                                                                   \
    *(void **)(&table.field) = dlsym(handle, name);                      \
    if (!table.field) {                                                  \
      snprintf(load_error, sizeof load_error, "symbol %s is missing", name); \
      return false;                                                      \
    }                                                                    \
  } while (0)

static bool load_curl(void) {
  void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(load_error, sizeof load_error, "libcurl.so.4 cannot be loaded");
    return false;
  }
  SYM(h, global_init, "curl_global_init");
  SYM(h, version_info, "curl_version_info");
  SYM(h, easy_init, "curl_easy_init");
  SYM(h, easy_setopt, "curl_easy_setopt");
  SYM(h, easy_getinfo, "curl_easy_getinfo");
  SYM(h, easy_cleanup, "curl_easy_cleanup");
  SYM(h, easy_strerror, "curl_easy_strerror");
  SYM(h, multi_init, "curl_multi_init");
  SYM(h, multi_add_handle, "curl_multi_add_handle");
  SYM(h, multi_remove_handle, "curl_multi_remove_handle");
  SYM(h, multi_perform, "curl_multi_perform");
  SYM(h, multi_poll, "curl_multi_poll");
  SYM(h, multi_info_read, "curl_multi_info_read");
  SYM(h, multi_cleanup, "curl_multi_cleanup");
  SYM(h, slist_append, "curl_slist_append");
  SYM(h, slist_free_all, "curl_slist_free_all");
  /* The handle stays open for the life of the process (never dlclose'd:
   * libcurl's global state cannot be torn down while others may use it). */
  if (table.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    snprintf(load_error, sizeof load_error, "curl_global_init failed");
    return false;
  }
  const curl_version_info_data *v = table.version_info(CURLVERSION_NOW);
  /* CURLOPT_PROTOCOLS_STR needs 7.85; OpenSSL is what CAINFO + CAPATH
   * (an extra CA bundle next to the system store) was checked against. */
  if (!v || v->version_num < 0x075500 || !v->ssl_version ||
      strncmp(v->ssl_version, "OpenSSL/", 8) != 0) {
    snprintf(load_error, sizeof load_error,
             "libcurl 7.85 or newer built with OpenSSL is required");
    return false;
  }
  table.system_capath = v->capath;
  return true;
}

static bool load_cares(void) {
  void *h = dlopen("libcares.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(load_error, sizeof load_error, "libcares.so.2 cannot be loaded");
    return false;
  }
  SYM(h, ares_library_init, "ares_library_init");
  SYM(h, ares_init_options, "ares_init_options");
  SYM(h, ares_set_servers_ports_csv, "ares_set_servers_ports_csv");
  SYM(h, ares_getaddrinfo, "ares_getaddrinfo");
  SYM(h, ares_freeaddrinfo, "ares_freeaddrinfo");
  SYM(h, ares_getsock, "ares_getsock");
  SYM(h, ares_timeout, "ares_timeout");
  SYM(h, ares_process_fd, "ares_process_fd");
  SYM(h, ares_destroy, "ares_destroy");
  SYM(h, ares_strerror, "ares_strerror");
  if (table.ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
    snprintf(load_error, sizeof load_error, "ares_library_init failed");
    return false;
  }
  return true;
}

static void load_once(void) {
  if (load_curl() && load_cares()) atomic_store(&loaded, true);
}

bool host_libs_load(host_fail *f) {
  pthread_once(&once, load_once);
  if (atomic_load(&loaded)) return true;
  host_fail_set(f, WG_ERR_UNSUPPORTED, "the https client is unavailable: %s", load_error);
  return false;
}

bool host_libs_loaded(void) { return atomic_load(&loaded); }

const host_lib_table *host_lib(void) { return &table; }
