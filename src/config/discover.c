/* discover.c: plugin discovery as yoi does it, read-only, never executes
 * anything. For each store: canonicalize it (absent: skipped), keep the
 * entries named *.yoi-plugin (files, and wasmgate's directory packages),
 * the first 128 by name, and for each one check that its canonical path
 * stays under the canonical store (a symlink inside the store is fine),
 * open it with the package layer, load and validate plugin.toml. Every
 * failure is a diagnostic labelled with the file name, never a path; one
 * bad package never hides the others. With the digest cache
 * (digest_cache.c), an unchanged package no enabled entry names is taken
 * from the cache instead of being read and hashed.
 *
 * Memory is bounded: at most max_packages_per_store names are kept per
 * store while the directory is read (a sorted insertion into a fixed
 * array), whatever the directory holds. */
#include "cfg_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PKG_EXT ".yoi-plugin"
#define MSG_STORE_IO "plugin store could not be read"
#define MSG_PKG_IO "plugin package could not be read"
#define MSG_ESCAPE "plugin package path escapes its source store"
#define MSG_TOO_MANY "plugin store holds more packages than the limit; the rest are ignored"
#define MSG_DUPLICATE "duplicate plugin package identity in one source store"

static wg_plugin_diag *diag_io(cfg_diags *d, const char *prefix, int err,
                               wg_source source) {
  char msg[WG_PKG_MESSAGE_MAX];
  cfg_fmt(msg, sizeof msg, "%s: %s", prefix, wg_pkg_io_word(err));
  wg_plugin_diag *e = cfg_diag_add(d, WG_PKG_IO, WG_PKG_PHASE_DISCOVERY, msg);
  if (e) {
    e->has_source = true;
    e->source = source;
  }
  return e;
}

/* Rust's Path::extension() == "yoi-plugin": a stem must precede the dot. */
static bool is_candidate(const char *name) {
  size_t n = strlen(name), e = strlen(PKG_EXT);
  return n > e && strcmp(name + n - e, PKG_EXT) == 0;
}

/* The first `max` names in byte order, kept sorted. */
typedef struct name_list {
  char **names;
  size_t count, max;
  bool truncated;
} name_list;

/* a + sep + b into out (cap bytes); its length, or -1 if it does not fit.
 * Discovery builds hundreds of these per call: no printf. */
static int join(char *out, size_t cap, const char *a, char sep, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  if (na + 1 + nb >= cap) return -1;
  memcpy(out, a, na);
  out[na] = sep;
  memcpy(out + na + 1, b, nb + 1);
  return (int)(na + 1 + nb);
}

static bool names_offer(name_list *l, const char *name) {
  /* The first position whose name sorts after `name` (binary search: a
   * store may hold thousands of entries). */
  size_t lo = 0, hi = l->count;
  if (l->count == l->max && l->count > 0 && strcmp(l->names[l->count - 1], name) <= 0) {
    l->truncated = true;
    return true; /* sorts after all the kept names: not kept */
  }
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(l->names[mid], name) > 0) hi = mid;
    else lo = mid + 1;
  }
  size_t pos = lo;
  if (l->count == l->max) {
    l->truncated = true;
    if (pos == l->max) return true;
    free(l->names[--l->count]); /* drop the largest */
  }
  char *copy = strdup(name);
  if (!copy) return false;
  memmove(&l->names[pos + 1], &l->names[pos], (l->count - pos) * sizeof *l->names);
  l->names[pos] = copy;
  l->count++;
  return true;
}

static void names_free(name_list *l) {
  for (size_t i = 0; i < l->count; i++) free(l->names[i]);
  free(l->names);
}

typedef struct disc_state {
  wg_discovery *out;
  size_t cap;
  cfg_diags diags;
  const wg_pkg_limits *limits;
  cfg_cache *cache;            /* NULL: read every package */
  const char *const *wanted;   /* identities always read in full */
  size_t wanted_count;
} disc_state;

static bool is_wanted(const disc_state *s, const char *identity) {
  if (!s->wanted) return true; /* read everything (and refresh the cache) */
  for (size_t i = 0; i < s->wanted_count; i++)
    if (strcmp(s->wanted[i], identity) == 0) return true;
  return false;
}

static int push_package(disc_state *s, wg_discovered *p) {
  wg_discovered *n = wg_vec_reserve(s->out->packages, &s->cap, s->out->count + 1, sizeof *n, 0);
  if (!n) return -1;
  s->out->packages = n;
  s->out->packages[s->out->count++] = *p;
  return 0;
}

/* A package known from the cache: identity and digest, no manifest. */
static int push_cached(disc_state *s, wg_source source, const char *name, const char *canon,
                       const cfg_cache_entry *e) {
  wg_discovered p = {.source = source};
  if (join(p.identity, sizeof p.identity, wg_source_name(source), ':', e->local_id) < 0)
    return 0; /* cannot happen: ids are bounded; such an entry is simply dropped */
  cfg_copy(p.label, sizeof p.label, name);
  cfg_copy(p.digest, sizeof p.digest, e->digest);
  p.owned_id = strdup(e->local_id);
  p.path = strdup(canon);
  p.local_id = p.owned_id;
  if (!p.owned_id || !p.path || push_package(s, &p) != 0) {
    free(p.owned_id);
    free(p.path);
    return -1;
  }
  return 0;
}

static void add_pkg_diag(disc_state *s, const wg_pkg_diag *pd, wg_source source,
                         const char *label) {
  wg_plugin_diag *e = cfg_diag_add(&s->diags, pd->kind, pd->phase, pd->message);
  if (!e) return;
  e->has_source = true;
  e->source = source;
  cfg_copy(e->package, sizeof e->package, label);
}

/* The canonical path of store/name, and its stat (of the target for a
 * symlink). A name that is not a symlink is canonical as it is (the store
 * is canonical and a name has no '/'), so only symlinks pay for realpath.
 * 0, or an errno. */
static int canonical(const char *store, int store_fd, const char *name, char *canon,
                     struct stat *st) {
  char path[WG_CONFIG_PATH_MAX];
  int n = join(path, sizeof path, store, '/', name);
  if (n < 0) return ENAMETOOLONG;
  /* Relative to the open store: one name lookup, not a walk of the path. */
  int rc = store_fd >= 0 ? fstatat(store_fd, name, st, AT_SYMLINK_NOFOLLOW) : lstat(path, st);
  if (rc != 0) return errno;
  if (!S_ISLNK(st->st_mode)) {
    if ((size_t)n >= PATH_MAX) return ENAMETOOLONG;
    memcpy(canon, path, (size_t)n + 1);
    return 0;
  }
  if (!realpath(path, canon)) return errno;
  return stat(canon, st) == 0 ? 0 : errno;
}

/* Opens one candidate; a problem becomes a diagnostic. -1 only on OOM. */
static int inspect_candidate(disc_state *s, wg_source source,
                             const char *store, int store_fd, const char *name) {
  char canon[PATH_MAX];
  struct stat st;
  int err = canonical(store, store_fd, name, canon, &st);
  if (err) {
    wg_plugin_diag *e = diag_io(&s->diags, MSG_PKG_IO, err, source);
    if (e) cfg_copy(e->package, sizeof e->package, name);
    return s->diags.oom ? -1 : 0;
  }
  /* Strictly under the store: "/s/x" is under "/s", "/sx" is not; a store
   * at "/" holds every other path. */
  size_t sl = strlen(store);
  bool under = sl == 1 ? canon[1] != '\0'
                       : strncmp(canon, store, sl) == 0 && canon[sl] == '/';
  if (!under) {
    wg_pkg_diag d = {.kind = WG_PKG_TRAVERSAL, .phase = WG_PKG_PHASE_DISCOVERY};
    cfg_copy(d.message, sizeof d.message, MSG_ESCAPE);
    add_pkg_diag(s, &d, source, name);
    return s->diags.oom ? -1 : 0;
  }
  /* A directory package's stat does not cover its files: never cached. */
  bool cacheable = s->cache && S_ISREG(st.st_mode);
  cfg_cache_entry *hit = cacheable ? cfg_cache_find(s->cache, source, name) : NULL;
  if (hit && cfg_cache_stamp_matches(hit, &st)) {
    hit->used = true;
    char identity[WG_PLUGIN_REF_MAX];
    if (join(identity, sizeof identity, wg_source_name(source), ':', hit->local_id) >= 0 &&
        !is_wanted(s, identity))
      return push_cached(s, source, name, canon, hit);
  }
  wg_pkg *pkg = NULL;
  wg_pkg_diag d;
  wg_manifest *m = NULL;
  if (wg_pkg_open_path(canon, s->limits, &pkg, &d) != 0 ||
      wg_manifest_load(pkg, &m, &d) != 0) {
    wg_pkg_free(pkg);
    add_pkg_diag(s, &d, source, name);
    return s->diags.oom ? -1 : 0;
  }
  wg_discovered p = {.source = source, .manifest = m};
  wg_pkg_digest(pkg, p.digest);
  wg_pkg_free(pkg);
  p.local_id = m->id;
  cfg_fmt(p.identity, sizeof p.identity, "%s:%s", wg_source_name(source), m->id);
  cfg_copy(p.label, sizeof p.label, name);
  p.path = strdup(canon);
  if (!p.path || push_package(s, &p) != 0) {
    free(p.path);
    wg_manifest_free(m);
    return -1;
  }
  if (cacheable) cfg_cache_record(s->cache, source, name, &st, m->id, p.digest);
  return 0;
}

/* The first `max` candidate names of a store, by reading the directory.
 * 0, 1 if a read error was reported as a diagnostic, -1 on OOM. */
static int read_names(disc_state *s, wg_source source, const char *store, name_list *l) {
  DIR *d = opendir(store);
  if (!d) return diag_io(&s->diags, MSG_STORE_IO, errno, source) ? 1 : -1;
  int rc = 0;
  struct dirent *ent;
  errno = 0;
  while (rc == 0 && (ent = readdir(d)) != NULL) {
    if (is_candidate(ent->d_name) && !names_offer(l, ent->d_name)) rc = -1;
    errno = 0;
  }
  if (rc == 0 && errno != 0) rc = diag_io(&s->diags, MSG_STORE_IO, errno, source) ? 1 : -1;
  closedir(d);
  return rc;
}

static int scan_store(disc_state *s, wg_source source, const char *dir) {
  char store[PATH_MAX];
  if (!realpath(dir, store)) {
    if (errno == ENOENT) return 0; /* an absent store is simply empty */
    return diag_io(&s->diags, MSG_STORE_IO, errno, source) ? 0 : -1;
  }
  size_t max = s->limits->max_packages_per_store;
  name_list l = {.max = max, .names = calloc(max ? max : 1, sizeof(char *))};
  int rc = l.names ? 0 : -1;
  struct stat dst;
  const cfg_cache_dir *cached = NULL;
  if (rc == 0 && s->cache && stat(store, &dst) == 0)
    cached = cfg_cache_dir_find(s->cache, source, &dst, max);
  if (cached) { /* the directory is as it was: its kept names are known */
    for (size_t i = 0; rc == 0 && i < cached->count && i < max; i++) {
      l.names[l.count] = strdup(cached->names[i]);
      if (!l.names[l.count]) rc = -1;
      else l.count++;
    }
    l.truncated = cached->truncated;
  } else if (rc == 0) {
    rc = read_names(s, source, store, &l);
    if (rc == 1) { /* a read error: reported, not cached */
      rc = 0;
    } else if (rc == 0 && s->cache) {
      struct stat after;
      /* Recorded only if the directory did not change while it was read. */
      if (stat(store, &after) == 0 && after.st_mtim.tv_sec == dst.st_mtim.tv_sec &&
          after.st_mtim.tv_nsec == dst.st_mtim.tv_nsec &&
          after.st_ctim.tv_sec == dst.st_ctim.tv_sec &&
          after.st_ctim.tv_nsec == dst.st_ctim.tv_nsec && after.st_ino == dst.st_ino)
        cfg_cache_dir_record(s->cache, source, &dst, max, l.truncated, l.names, l.count);
    }
  }
  if (rc == 0 && l.truncated) {
    wg_plugin_diag *e = cfg_diag_add(&s->diags, WG_PKG_BOUNDS,
                                     WG_PKG_PHASE_DISCOVERY, MSG_TOO_MANY);
    if (e) {
      e->has_source = true;
      e->source = source;
    } else {
      rc = -1;
    }
  }
  int store_fd = open(store, O_PATH | O_DIRECTORY | O_CLOEXEC); /* -1: by path */
  for (size_t i = 0; rc == 0 && i < l.count; i++)
    rc = inspect_candidate(s, source, store, store_fd, l.names[i]);
  if (store_fd >= 0) close(store_fd);
  names_free(&l);
  return rc;
}

/* (source, local id), then digest, then label. */
static int cmp_packages(const void *a, const void *b) {
  const wg_discovered *x = a, *y = b;
  if (x->source != y->source) return x->source < y->source ? -1 : 1;
  int c = strcmp(x->local_id, y->local_id);
  if (c == 0) c = strcmp(x->digest, y->digest);
  if (c == 0) c = strcmp(x->label, y->label);
  return c;
}

static int flag_duplicates(disc_state *s) {
  wg_discovery *o = s->out;
  for (size_t i = 1; i < o->count; i++) {
    if (strcmp(o->packages[i].identity, o->packages[i - 1].identity) != 0) continue;
    /* One diagnostic per duplicated identity: at its first repeat. */
    if (i >= 2 && strcmp(o->packages[i].identity, o->packages[i - 2].identity) == 0)
      continue;
    wg_plugin_diag *e = cfg_diag_add(&s->diags, WG_PKG_DUPLICATE,
                                     WG_PKG_PHASE_DISCOVERY, MSG_DUPLICATE);
    if (!e) return -1;
    e->has_source = true;
    e->source = o->packages[i].source;
    cfg_copy(e->identity, sizeof e->identity, o->packages[i].identity);
    cfg_copy(e->package, sizeof e->package, o->packages[i].label);
    cfg_copy(e->digest, sizeof e->digest, o->packages[i].digest);
  }
  return 0;
}

wg_config_code wg_discover(const wg_plugin_stores *stores, const wg_pkg_limits *limits,
                           wg_discovery *out) {
  return cfg_discover(stores, limits, NULL, NULL, 0, out) == 0 ? WG_CONFIG_OK : WG_CONFIG_NOMEM;
}

int cfg_discover(const wg_plugin_stores *stores, const wg_pkg_limits *limits,
                 cfg_cache *cache, const char *const *wanted, size_t wanted_count,
                 wg_discovery *out) {
  memset(out, 0, sizeof *out);
  wg_pkg_limits defaults = wg_pkg_limits_default();
  disc_state s = {.out = out, .limits = limits ? limits : &defaults, .cache = cache,
                  .wanted = wanted, .wanted_count = wanted_count};
  int rc = 0;
  if (stores->has_user) rc = scan_store(&s, WG_SOURCE_USER, stores->user);
  if (rc == 0 && stores->project[0])
    rc = scan_store(&s, WG_SOURCE_PROJECT, stores->project);
  if (rc == 0 && out->count > 1)
    qsort(out->packages, out->count, sizeof *out->packages, cmp_packages);
  if (rc == 0) rc = flag_duplicates(&s);
  out->diags = s.diags.items;
  out->diag_count = s.diags.count;
  if (rc != 0 || s.diags.oom) {
    wg_discovery_free(out);
    return -1;
  }
  return 0;
}

void wg_discovery_free(wg_discovery *d) {
  for (size_t i = 0; i < d->count; i++) {
    free(d->packages[i].path);
    free(d->packages[i].owned_id);
    wg_manifest_free(d->packages[i].manifest);
  }
  free(d->packages);
  free(d->diags);
  memset(d, 0, sizeof *d);
}
