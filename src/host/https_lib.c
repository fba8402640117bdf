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
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static host_lib_table table;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_bool loaded;
static char load_error[160];

/* One library's symbols: where each goes in the table, and its name. */
typedef struct lib_sym {
  size_t offset; /* of the function pointer in host_lib_table */
  const char *name;
} lib_sym;

#define SYM(field, name) {offsetof(host_lib_table, field), name}

static const lib_sym curl_syms[] = {
  SYM(global_init, "curl_global_init"),
  SYM(version_info, "curl_version_info"),
  SYM(easy_init, "curl_easy_init"),
  SYM(easy_setopt, "curl_easy_setopt"),
  SYM(easy_getinfo, "curl_easy_getinfo"),
  SYM(easy_cleanup, "curl_easy_cleanup"),
  SYM(easy_strerror, "curl_easy_strerror"),
  SYM(multi_init, "curl_multi_init"),
  SYM(multi_add_handle, "curl_multi_add_handle"),
  SYM(multi_remove_handle, "curl_multi_remove_handle"),
  SYM(multi_perform, "curl_multi_perform"),
  SYM(multi_poll, "curl_multi_poll"),
  SYM(multi_info_read, "curl_multi_info_read"),
  SYM(multi_cleanup, "curl_multi_cleanup"),
  SYM(slist_append, "curl_slist_append"),
  SYM(slist_free_all, "curl_slist_free_all"),
};

static const lib_sym cares_syms[] = {
  SYM(ares_library_init, "ares_library_init"),
  SYM(ares_init_options, "ares_init_options"),
  SYM(ares_set_servers_ports_csv, "ares_set_servers_ports_csv"),
  SYM(ares_getaddrinfo, "ares_getaddrinfo"),
  SYM(ares_freeaddrinfo, "ares_freeaddrinfo"),
  SYM(ares_getsock, "ares_getsock"),
  SYM(ares_timeout, "ares_timeout"),
  SYM(ares_process_fd, "ares_process_fd"),
  SYM(ares_destroy, "ares_destroy"),
  SYM(ares_strerror, "ares_strerror"),
};
#undef SYM

/* Opens `soname` and fills the table's entries for syms. The handle stays
 * open for the life of the process (never dlclose'd: libcurl's and
 * c-ares' global state cannot be torn down while others may use it). */
static bool open_lib(const char *soname, const lib_sym *syms, size_t n) {
  void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(load_error, sizeof load_error, "%s cannot be loaded", soname);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    void *fn = dlsym(h, syms[i].name);
    if (!fn) {
      snprintf(load_error, sizeof load_error, "symbol %s is missing", syms[i].name);
      return false;
    }
    /* POSIX's dlsym idiom: a function pointer is stored as the object
     * pointer dlsym returns (same size on every POSIX system). */
    memcpy((char *)&table + syms[i].offset, &fn, sizeof fn);
  }
  return true;
}

static bool load_curl(void) {
  if (!open_lib("libcurl.so.4", curl_syms, sizeof curl_syms / sizeof *curl_syms))
    return false;
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
  if (!open_lib("libcares.so.2", cares_syms, sizeof cares_syms / sizeof *cares_syms))
    return false;
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
