/* package_load.c: a call's module from its package, verified against the
 * resolved digest: stat each call, re-hash on change
 * (docs/design.md#call-sequence).
 *
 * The cache remembers, per package path, the stat stamp of the last read
 * whose digest matched. A matching stamp skips the read; anything else
 * (first use, a changed file, a directory package) reads and hashes the
 * package again. Messages are fixed text: no path ever reaches them. */
#include "wasmgate/package.h"
#include "wasmgate/runtime.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rt_internal.h"

static bool same_stamp(const rt_stamp *a, const struct stat *st) {
  return a->dev == (uint64_t)st->st_dev && a->ino == (uint64_t)st->st_ino &&
         a->size == (uint64_t)st->st_size &&
         a->mtime_ns == (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec &&
         a->ctime_ns == (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec;
}

static rt_stamp stamp_of(const struct stat *st) {
  rt_stamp s = {
    .dev = (uint64_t)st->st_dev,
    .ino = (uint64_t)st->st_ino,
    .size = (uint64_t)st->st_size,
    .mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec,
    .ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec,
  };
  return s;
}

static const char *errno_word(int e) {
  switch (e) {
  case ENOENT: case ENOTDIR: return "not found";
  case EACCES: case EPERM: return "permission denied";
  default: return "I/O error";
  }
}

/* Reads, hashes and compiles; records the stamp when the digest matches. */
static wg_module *load_fresh(wg_module_cache *c, const char *path,
                             const char *digest, const char *entry,
                             const struct stat *st,
                             const wg_module_limits *limits, wg_error *err) {
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  if (wg_pkg_open_path(path, NULL, &pkg, &d) != 0) {
    wg_error_set(err, WG_ERR_PACKAGE_INVALID, "resolved plugin package could not be read: %s",
                 d.message);
    return NULL;
  }
  char actual[WG_PKG_DIGEST_LEN];
  wg_pkg_digest(pkg, actual);
  wg_module *m = NULL;
  const wg_pkg_file *f = NULL;
  if (!wg_pkg_digest_matches(digest, actual)) {
    wg_error_set(err, WG_ERR_PACKAGE_CHANGED,
                 "resolved plugin package digest does not match current package content");
  } else if (!entry || wg_pkg_resolve_ref(pkg, entry, strlen(entry), &f, &d) != 0) {
    wg_error_set(err, WG_ERR_PACKAGE_INVALID, "resolved plugin package does not declare a "
                 "usable WASM runtime entry%s%s", entry ? ": " : "", entry ? d.message : "");
  } else {
    m = wg_module_cache_get_limited(c, actual, f->data, f->size, limits, err);
    if (m && !S_ISDIR(st->st_mode)) rt_stamp_put(c, path, stamp_of(st), actual);
  }
  wg_pkg_free(pkg);
  return m;
}

wg_module *wg_module_cache_load(wg_module_cache *c, const char *path,
                                const char *digest, const char *entry,
                                wg_error *err) {
  return wg_module_cache_load_limited(c, path, digest, entry, NULL, err);
}

wg_module *wg_module_cache_load_limited(wg_module_cache *c, const char *path,
                                        const char *digest, const char *entry,
                                        const wg_module_limits *limits,
                                        wg_error *err) {
  struct stat st;
  if (!c || !path || !digest) {
    wg_error_set(err, WG_ERR_INTERNAL, "bad package load request");
    return NULL;
  }
  if (lstat(path, &st) != 0) {
    wg_error_set(err, WG_ERR_PACKAGE_INVALID,
                 "resolved plugin package metadata could not be read: %s", errno_word(errno));
    return NULL;
  }
  rt_stamp known;
  char known_digest[WG_PKG_DIGEST_LEN];
  if (S_ISREG(st.st_mode) && rt_stamp_get(c, path, &known, known_digest) &&
      same_stamp(&known, &st) && wg_pkg_digest_matches(digest, known_digest)) {
    wg_module *m = rt_cache_lookup(c, known_digest);
    if (m) return m;
  }
  return load_fresh(c, path, digest, entry, &st, limits, err);
}
