/* host_lib.h: the table of libcurl and c-ares functions that https_lib.c
 * fills with dlsym on the first request (see why there). Only the https
 * client files include this: it brings in <curl/curl.h> and <ares.h> for
 * their types and constants, never their link-time symbols. */
#ifndef WASMGATE_HOST_LIB_H
#define WASMGATE_HOST_LIB_H

#include <ares.h>
#include <curl/curl.h>

#include "host_https.h"

typedef struct host_lib_table {
  CURLcode (*global_init)(long flags);
  curl_version_info_data *(*version_info)(CURLversion);
  CURL *(*easy_init)(void);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  void (*easy_cleanup)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  CURLM *(*multi_init)(void);
  CURLMcode (*multi_add_handle)(CURLM *, CURL *);
  CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
  CURLMcode (*multi_perform)(CURLM *, int *);
  CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
  CURLMsg *(*multi_info_read)(CURLM *, int *);
  CURLMcode (*multi_cleanup)(CURLM *);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
  const char *system_capath; /* libcurl's built-in CA directory, or NULL */

  int (*ares_library_init)(int flags);
  int (*ares_init_options)(ares_channel *, struct ares_options *, int);
  int (*ares_set_servers_ports_csv)(ares_channel, const char *);
  void (*ares_getaddrinfo)(ares_channel, const char *, const char *,
                           const struct ares_addrinfo_hints *,
                           ares_addrinfo_callback, void *);
  void (*ares_freeaddrinfo)(struct ares_addrinfo *);
  int (*ares_getsock)(ares_channel, ares_socket_t *, int);
  struct timeval *(*ares_timeout)(ares_channel, struct timeval *, struct timeval *);
  void (*ares_process_fd)(ares_channel, ares_socket_t, ares_socket_t);
  void (*ares_destroy)(ares_channel);
  const char *(*ares_strerror)(int);
} host_lib_table;

/* The loaded table; call only after host_libs_load returned true. */
const host_lib_table *host_lib(void);

#endif
