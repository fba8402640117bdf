/* cache.c: compiled modules keyed by package digest, shared by threads.
 *
 * Invariants: the cache holds one reference on each cached module and hands
 * out a further reference per wg_module_cache_get, so dropping an entry
 * never frees a module in use. Compilation runs outside the lock; if two
 * threads compile the same digest at once, the first insert wins and the
 * other's module is released. At most max_entries are kept, least recently
 * used dropped first. Only complete modules are inserted: a compile that a
 * call's deadline or cancellation cut short leaves nothing behind. */
#include "rt_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cache_entry {
  char digest[WG_ERROR_DIGEST_MAX + 1];
  wg_module *module;
  uint64_t last_used;
} cache_entry;

/* The last verified stat stamp of a package path (package_load.c). */
typedef struct stamp_entry {
  char *path;
  rt_stamp stamp;
  char digest[WG_ERROR_DIGEST_MAX + 1];
  uint64_t last_used;
} stamp_entry;

struct wg_module_cache {
  pthread_mutex_t lock;
  cache_entry *entries;
  stamp_entry *stamps;
  size_t count, max, stamp_count;
  uint64_t clock; /* bumped on every use, for LRU */
};

wg_module_cache *wg_module_cache_new(size_t max_entries) {
  wg_module_cache *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->max = max_entries ? max_entries : 64;
  c->entries = calloc(c->max, sizeof *c->entries);
  c->stamps = calloc(c->max, sizeof *c->stamps);
  if (!c->entries || !c->stamps || pthread_mutex_init(&c->lock, NULL) != 0) {
    free(c->entries);
    free(c->stamps);
    free(c);
    return NULL;
  }
  return c;
}

void wg_module_cache_free(wg_module_cache *c) {
  if (!c) return;
  for (size_t i = 0; i < c->count; i++) wg_module_release(c->entries[i].module);
  for (size_t i = 0; i < c->stamp_count; i++) free(c->stamps[i].path);
  pthread_mutex_destroy(&c->lock);
  free(c->entries);
  free(c->stamps);
  free(c);
}

/* Under the lock: the entry for digest, or NULL. */
static cache_entry *find(wg_module_cache *c, const char *digest) {
  for (size_t i = 0; i < c->count; i++)
    if (strcmp(c->entries[i].digest, digest) == 0) return &c->entries[i];
  return NULL;
}

static wg_module *lookup(wg_module_cache *c, const char *digest) {
  pthread_mutex_lock(&c->lock);
  cache_entry *ce = find(c, digest);
  wg_module *m = NULL;
  if (ce) {
    ce->last_used = ++c->clock;
    m = ce->module;
    wg_module_retain(m);
  }
  pthread_mutex_unlock(&c->lock);
  return m;
}

/* Under the lock: a free slot, evicting the least recently used entry. */
static cache_entry *slot(wg_module_cache *c) {
  if (c->count < c->max) return &c->entries[c->count++];
  size_t oldest = 0;
  for (size_t i = 1; i < c->count; i++)
    if (c->entries[i].last_used < c->entries[oldest].last_used) oldest = i;
  wg_module_release(c->entries[oldest].module);
  return &c->entries[oldest];
}

/* Inserts m (retained by the caller) unless another thread was first;
 * returns the module the caller should use (retained). */
static wg_module *insert(wg_module_cache *c, const char *digest, wg_module *m) {
  pthread_mutex_lock(&c->lock);
  cache_entry *ce = find(c, digest);
  if (ce) {
    wg_module_release(m);
    m = ce->module;
  } else {
    ce = slot(c);
    memset(ce, 0, sizeof *ce);
    strncpy(ce->digest, digest, sizeof ce->digest - 1);
    ce->module = m;
  }
  ce->last_used = ++c->clock;
  wg_module_retain(m); /* the caller's reference */
  pthread_mutex_unlock(&c->lock);
  return m;
}

/* A failed compile in the error model. A compile cut short by the call's
 * deadline or cancellation is that call's timeout / cancellation, with the
 * call's own messages; nothing of it is cached. */
static void compile_error(wg_wasm_code r, const wg_wasm_error *we,
                          wg_error *err) {
  if (r == WG_WASM_TRAP && we->trap == WG_TRAP_DEADLINE) {
    wg_error_set(err, WG_ERR_TIMEOUT, "wall-clock deadline reached");
    return;
  }
  if (r == WG_WASM_TRAP && we->trap == WG_TRAP_CANCELLED) {
    wg_error_set(err, WG_ERR_CANCELLED, "call cancelled");
    return;
  }
  if (r == WG_WASM_LIMIT) {
    wg_error_set(err, WG_ERR_MODULE_INVALID,
                 "module exceeds an engine limit at byte %zu: %s", we->offset,
                 we->message);
    return;
  }
  wg_err code = r == WG_WASM_UNSUPPORTED ? WG_ERR_UNSUPPORTED
                : r == WG_WASM_NOMEM     ? WG_ERR_INTERNAL
                                         : WG_ERR_MODULE_INVALID;
  wg_error_set(err, code, "module is %s at byte %zu: %s", wg_wasm_code_name(r),
               we->offset, we->message);
}

wg_module *wg_module_cache_get_limited(wg_module_cache *c, const char *digest,
                                       const uint8_t *bytes, size_t len,
                                       const wg_module_limits *limits,
                                       wg_error *err) {
  if (!c || !digest || strlen(digest) > WG_ERROR_DIGEST_MAX) {
    wg_error_set(err, WG_ERR_INTERNAL, "bad module cache request");
    return NULL;
  }
  wg_module *m = lookup(c, digest);
  if (m) return m;
  wg_wasm_error we = {0};
  wg_wasm_code r = wg_module_new_limited(bytes, len, limits, &m, &we);
  if (r != WG_WASM_OK) {
    compile_error(r, &we, err);
    return NULL;
  }
  return insert(c, digest, m);
}

wg_module *wg_module_cache_get(wg_module_cache *c, const char *digest,
                               const uint8_t *bytes, size_t len,
                               wg_error *err) {
  return wg_module_cache_get_limited(c, digest, bytes, len, NULL, err);
}

size_t wg_module_cache_size(wg_module_cache *c) {
  pthread_mutex_lock(&c->lock);
  size_t n = c->count;
  pthread_mutex_unlock(&c->lock);
  return n;
}

wg_module *rt_cache_lookup(wg_module_cache *c, const char *digest) {
  return lookup(c, digest);
}

/* Under the lock: the stamp entry of path, or NULL. */
static stamp_entry *find_stamp(wg_module_cache *c, const char *path) {
  for (size_t i = 0; i < c->stamp_count; i++)
    if (strcmp(c->stamps[i].path, path) == 0) return &c->stamps[i];
  return NULL;
}

bool rt_stamp_get(wg_module_cache *c, const char *path, rt_stamp *out,
                  char digest[72]) {
  pthread_mutex_lock(&c->lock);
  stamp_entry *se = find_stamp(c, path);
  if (se) {
    *out = se->stamp;
    memcpy(digest, se->digest, sizeof se->digest);
    se->last_used = ++c->clock;
  }
  pthread_mutex_unlock(&c->lock);
  return se != NULL;
}

void rt_stamp_put(wg_module_cache *c, const char *path, rt_stamp st,
                  const char *digest) {
  pthread_mutex_lock(&c->lock);
  stamp_entry *se = find_stamp(c, path);
  if (!se) {
    char *copy = strdup(path);
    if (!copy) goto out; /* no stamp: the next call simply re-reads */
    if (c->stamp_count < c->max) {
      se = &c->stamps[c->stamp_count++];
    } else {
      se = &c->stamps[0];
      for (size_t i = 1; i < c->stamp_count; i++)
        if (c->stamps[i].last_used < se->last_used) se = &c->stamps[i];
      free(se->path);
    }
    memset(se, 0, sizeof *se);
    se->path = copy;
  }
  se->stamp = st;
  snprintf(se->digest, sizeof se->digest, "%s", digest);
  se->last_used = ++c->clock;
out:
  pthread_mutex_unlock(&c->lock);
}
