/* digest_cache.c: the discovery digest cache, WORKSPACE/.wasmgate/digest-cache.
 *
 * Discovery reads and hashes every package in both stores; with many
 * packages that is most of a cold call. Like git's index, the cache maps a
 * package file's identity (store, file name, device, inode, size, mtime and
 * ctime in nanoseconds) to what discovery learnt from it (its manifest id
 * and its digest), so an unchanged package that no enabled entry names is
 * neither read nor hashed again. Packages an enabled entry names are always
 * read and hashed in full (and the one a call runs is verified again by
 * the runtime), so the cache can only ever decide what discovery skips.
 *
 * It also keeps each store directory's listing (the names discovery kept)
 * under the directory's own stamp, so an unchanged store is not read
 * again either (a name created, removed or renamed changes the stamp).
 *
 * Racy stamps (git's problem): a file changed twice within one tick of
 * the filesystem clock keeps its mtime. So nothing whose mtime or ctime is
 * less than CFG_CACHE_RACY_NS older than the moment the cache is built is
 * recorded; it is simply read again next time.
 *
 * Format (text, one item per line, at most WG_DIGEST_CACHE_MAX_ENTRIES entries
 * and WG_DIGEST_CACHE_MAX_BYTES in all):
 *
 *   wasmgate-digest-cache 1
 *   dir <user|project> <dev> <ino> <mtime_ns> <ctime_ns> <max> <truncated 0|1> <count>
 *   name <label hex>                (count of these, sorted, after each dir)
 *   <user|project> <dev> <ino> <size> <mtime_ns> <ctime_ns> <sha256:64hex> <id> <label hex>
 *
 * At most one dir per store, user before project, all before the entries;
 * entries sorted by (store, label). Anything else anywhere (a bad
 * header, field, number, id, digest, a line too long, too many entries,
 * lines out of order or a key twice, a missing final newline)
 * makes the whole file invalid: it is ignored and rewritten. Written
 * atomically (temp file in the same directory, then rename); failures to
 * write are ignored (the cache is only an optimisation). */
#include "cfg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CACHE_HEADER "wasmgate-digest-cache 1\n"

/* The bounds (WG_DIGEST_CACHE_MAX_*) are in limits.h. */
/* Why 1 s: filesystem timestamps come from a coarse clock (a few ms per
 * tick on Linux); a second is a wide margin and costs a re-read of
 * packages changed in the last second only. */
#define CFG_CACHE_RACY_NS 1000000000ull

static void dir_free(cfg_cache_dir *d) {
  for (size_t i = 0; i < d->count; i++) free(d->names[i]);
  free(d->names);
  memset(d, 0, sizeof *d);
}

void cfg_cache_free(cfg_cache *c) {
  free(c->entries);
  dir_free(&c->dirs[0]);
  dir_free(&c->dirs[1]);
  memset(c, 0, sizeof *c);
}

static uint64_t realtime_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* True if a stamp is too recent to trust (see "Racy stamps"). */
static bool racy(const cfg_cache *c, uint64_t mtime_ns, uint64_t ctime_ns) {
  uint64_t newest = mtime_ns > ctime_ns ? mtime_ns : ctime_ns;
  return newest + CFG_CACHE_RACY_NS > c->now_ns;
}

static int entry_cmp(const void *a, const void *b) {
  const cfg_cache_entry *x = a, *y = b;
  if (x->source != y->source) return x->source < y->source ? -1 : 1;
  return strcmp(x->label, y->label);
}

/* A decimal u64 token in its one written form (no sign, no leading zero,
 * no overflow); false on anything else. */
static bool parse_u64(const char *s, size_t n, uint64_t *out) {
  if (n == 0 || n > 20 || (n > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v))
      return false;
  }
  *out = v;
  return true;
}

static bool parse_digest(const char *s, size_t n, char out[WG_PKG_DIGEST_LEN]) {
  if (n != WG_PKG_DIGEST_LEN - 1 || memcmp(s, "sha256:", 7) != 0) return false;
  for (size_t i = 7; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  memcpy(out, s, n);
  out[n] = '\0';
  return true;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* A label in lowercase hex: a file name ending in .yoi-plugin, no '/',
 * no NUL. */
static bool parse_label(const char *s, size_t n, char out[WG_PLUGIN_LABEL_MAX]) {
  if (n == 0 || n % 2 || n / 2 >= WG_PLUGIN_LABEL_MAX) return false;
  for (size_t i = 0; i < n; i += 2) {
    int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    char c = (char)(hi * 16 + lo);
    if (c == '\0' || c == '/') return false;
    out[i / 2] = c;
  }
  out[n / 2] = '\0';
  size_t len = n / 2, e = strlen(".yoi-plugin");
  return len > e && strcmp(out + len - e, ".yoi-plugin") == 0;
}

/* Splits line[0..len) at single spaces into exactly `want` fields. */
static bool split(const char *line, size_t len, const char **f, size_t *fl, size_t want) {
  const char *p = line, *end = line + len;
  for (size_t k = 0; k < want; k++) {
    const char *sp = k + 1 < want ? memchr(p, ' ', (size_t)(end - p)) : end;
    if (!sp || sp == p) return false; /* too few fields, or an empty one */
    f[k] = p;
    fl[k] = (size_t)(sp - p);
    p = sp + (sp < end);
  }
  /* The last field runs to the end: it must hold no space. */
  return memchr(f[want - 1], ' ', fl[want - 1]) == NULL && p == end;
}

static bool parse_line(const char *line, size_t len, cfg_cache_entry *e) {
  const char *f[9];
  size_t fl[9];
  if (!split(line, len, f, fl, 9)) return false;
  memset(e, 0, sizeof *e);
  if (fl[0] == 4 && memcmp(f[0], "user", 4) == 0) e->source = WG_SOURCE_USER;
  else if (fl[0] == 7 && memcmp(f[0], "project", 7) == 0) e->source = WG_SOURCE_PROJECT;
  else return false;
  if (!parse_u64(f[1], fl[1], &e->dev) || !parse_u64(f[2], fl[2], &e->ino) ||
      !parse_u64(f[3], fl[3], &e->size) || !parse_u64(f[4], fl[4], &e->mtime_ns) ||
      !parse_u64(f[5], fl[5], &e->ctime_ns) || !parse_digest(f[6], fl[6], e->digest))
    return false;
  if (fl[7] >= sizeof e->local_id || !cfg_safe_id(f[7], fl[7])) return false;
  memcpy(e->local_id, f[7], fl[7]);
  e->local_id[fl[7]] = '\0';
  return parse_label(f[8], fl[8], e->label);
}

static bool parse_source(const char *s, size_t n, wg_source *out) {
  if (n == 4 && memcmp(s, "user", 4) == 0) *out = WG_SOURCE_USER;
  else if (n == 7 && memcmp(s, "project", 7) == 0) *out = WG_SOURCE_PROJECT;
  else return false;
  return true;
}

/* "dir <source> <dev> <ino> <mtime> <ctime> <max> <0|1> <count>" */
static bool parse_dir_line(const char *line, size_t len, wg_source *src, cfg_cache_dir *d,
                           uint64_t *count) {
  const char *f[9];
  size_t fl[9];
  uint64_t trunc;
  if (!split(line, len, f, fl, 9) || fl[0] != 3 || memcmp(f[0], "dir", 3) != 0 ||
      !parse_source(f[1], fl[1], src) || !parse_u64(f[2], fl[2], &d->dev) ||
      !parse_u64(f[3], fl[3], &d->ino) || !parse_u64(f[4], fl[4], &d->mtime_ns) ||
      !parse_u64(f[5], fl[5], &d->ctime_ns) || !parse_u64(f[6], fl[6], &d->max) ||
      !parse_u64(f[7], fl[7], &trunc) || trunc > 1 || !parse_u64(f[8], fl[8], count) ||
      *count > WG_DIGEST_CACHE_MAX_DIR_NAMES || *count > d->max)
    return false;
  d->truncated = trunc == 1;
  return true;
}

/* "name <label hex>", strictly after the previous name. */
static bool parse_name_line(const char *line, size_t len, cfg_cache_dir *d) {
  const char *f[2];
  size_t fl[2];
  char label[WG_PLUGIN_LABEL_MAX];
  if (!split(line, len, f, fl, 2) || fl[0] != 4 || memcmp(f[0], "name", 4) != 0 ||
      !parse_label(f[1], fl[1], label))
    return false;
  if (d->count && strcmp(d->names[d->count - 1], label) >= 0) return false;
  char *copy = strdup(label);
  if (!copy) return false;
  d->names[d->count++] = copy;
  return true;
}

int cfg_cache_parse(const char *text, size_t len, cfg_cache *out) {
  memset(out, 0, sizeof *out);
  out->now_ns = realtime_ns();
  size_t hl = strlen(CACHE_HEADER);
  if (len > WG_DIGEST_CACHE_MAX_BYTES || len < hl || memcmp(text, CACHE_HEADER, hl) != 0) return -1;
  if (text[len - 1] != '\n') return -1; /* torn */
  uint64_t names_left = 0;
  cfg_cache_dir *dir = NULL;
  int last_dir = -1;
  for (size_t pos = hl; pos < len;) {
    const char *line = text + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t n = (size_t)(nl - line); /* nl exists: the text ends in '\n' */
    pos += n + 1;
    if (n > WG_DIGEST_CACHE_MAX_LINE) goto bad;
    if (names_left) {
      if (!parse_name_line(line, n, dir)) goto bad;
      names_left--;
      continue;
    }
    if (n > 4 && memcmp(line, "dir ", 4) == 0) {
      wg_source src;
      cfg_cache_dir d = {0};
      if (out->count || !parse_dir_line(line, n, &src, &d, &names_left)) goto bad;
      if ((int)src <= last_dir) goto bad; /* user before project, each once */
      last_dir = (int)src;
      dir = &out->dirs[src];
      *dir = d;
      dir->valid = true;
      dir->names = calloc(names_left ? names_left : 1, sizeof *dir->names);
      if (!dir->names) goto bad;
      continue;
    }
    if (out->count == WG_DIGEST_CACHE_MAX_ENTRIES) goto bad;
    cfg_cache_entry *p = wg_vec_reserve(out->entries, &out->cap, out->count + 1,
                                        sizeof *p, WG_DIGEST_CACHE_MAX_ENTRIES);
    if (!p) goto bad;
    out->entries = p;
    if (!parse_line(line, n, &out->entries[out->count])) goto bad;
    out->count++;
  }
  if (names_left) goto bad; /* a listing cut short */
  /* Written sorted: checked, not sorted again; a file out of order or
   * with a key twice is invalid like any other damage. */
  for (size_t i = 1; i < out->count; i++)
    if (entry_cmp(&out->entries[i - 1], &out->entries[i]) >= 0) goto bad;
  return 0;
bad:
  cfg_cache_free(out);
  out->now_ns = realtime_ns();
  return -1;
}

static void put_hex(wg_buf *out, const char *s) {
  for (const char *p = s; *p; p++) wg_buf_printf(out, "%02x", (unsigned char)*p);
}

bool cfg_cache_format(const cfg_cache *c, wg_buf *out) {
  wg_buf_append_str(out, CACHE_HEADER);
  for (int k = 0; k < 2; k++) {
    const cfg_cache_dir *d = &c->dirs[k];
    if (!d->valid || !d->used) continue;
    wg_buf_printf(out, "dir %s %llu %llu %llu %llu %llu %d %zu\n",
                  wg_source_name((wg_source)k), (unsigned long long)d->dev,
                  (unsigned long long)d->ino, (unsigned long long)d->mtime_ns,
                  (unsigned long long)d->ctime_ns, (unsigned long long)d->max,
                  d->truncated ? 1 : 0, d->count);
    for (size_t i = 0; i < d->count; i++) {
      wg_buf_append_str(out, "name ");
      put_hex(out, d->names[i]);
      wg_buf_append_char(out, '\n');
    }
  }
  for (size_t i = 0; i < c->count; i++) {
    const cfg_cache_entry *e = &c->entries[i];
    if (!e->used) continue;
    wg_buf_printf(out, "%s %llu %llu %llu %llu %llu %s %s ", wg_source_name(e->source),
                  (unsigned long long)e->dev, (unsigned long long)e->ino,
                  (unsigned long long)e->size, (unsigned long long)e->mtime_ns,
                  (unsigned long long)e->ctime_ns, e->digest, e->local_id);
    put_hex(out, e->label);
    wg_buf_append_char(out, '\n');
  }
  return wg_buf_ok(out);
}

void cfg_stamp_of(const struct stat *st, cfg_cache_entry *e) {
  e->dev = (uint64_t)st->st_dev;
  e->ino = (uint64_t)st->st_ino;
  e->size = (uint64_t)st->st_size;
  e->mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
  e->ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec;
}

cfg_cache_entry *cfg_cache_find(cfg_cache *c, wg_source source, const char *label) {
  cfg_cache_entry key;
  key.source = source;
  cfg_copy(key.label, sizeof key.label, label);
  if (!c->count) return NULL;
  return bsearch(&key, c->entries, c->count, sizeof *c->entries, entry_cmp);
}

bool cfg_cache_stamp_matches(const cfg_cache_entry *e, const struct stat *st) {
  cfg_cache_entry now;
  cfg_stamp_of(st, &now);
  return e->dev == now.dev && e->ino == now.ino && e->size == now.size &&
         e->mtime_ns == now.mtime_ns && e->ctime_ns == now.ctime_ns;
}

void cfg_cache_record(cfg_cache *c, wg_source source, const char *label,
                      const struct stat *st, const char *local_id, const char *digest) {
  cfg_cache_entry *e = cfg_cache_find(c, source, label);
  cfg_cache_entry fresh;
  memset(&fresh, 0, sizeof fresh);
  fresh.source = source;
  cfg_copy(fresh.label, sizeof fresh.label, label);
  cfg_stamp_of(st, &fresh);
  cfg_copy(fresh.local_id, sizeof fresh.local_id, local_id);
  cfg_copy(fresh.digest, sizeof fresh.digest, digest);
  fresh.used = true;
  if (strlen(label) != strlen(fresh.label) || strlen(local_id) >= sizeof fresh.local_id) return;
  if (racy(c, fresh.mtime_ns, fresh.ctime_ns)) {
    if (e) e->used = false; /* changed just now: dropped, read again next time */
    c->dirty = c->dirty || e != NULL;
    return;
  }
  if (e) {
    bool same = e->dev == fresh.dev && e->ino == fresh.ino && e->size == fresh.size &&
                e->mtime_ns == fresh.mtime_ns && e->ctime_ns == fresh.ctime_ns &&
                strcmp(e->local_id, fresh.local_id) == 0 && strcmp(e->digest, fresh.digest) == 0;
    if (!same) c->dirty = true;
    *e = fresh;
    return;
  }
  /* New: appended, re-sorted (at most a few hundred entries, once). */
  if (c->count == WG_DIGEST_CACHE_MAX_ENTRIES) return;
  cfg_cache_entry *p = wg_vec_reserve(c->entries, &c->cap, c->count + 1, sizeof *p,
                                      WG_DIGEST_CACHE_MAX_ENTRIES);
  if (!p) return;
  c->entries = p;
  c->entries[c->count++] = fresh;
  qsort(c->entries, c->count, sizeof *c->entries, entry_cmp);
  c->dirty = true;
}

const cfg_cache_dir *cfg_cache_dir_find(cfg_cache *c, wg_source source,
                                        const struct stat *st, size_t max) {
  if ((unsigned)source > 1) return NULL;
  cfg_cache_dir *d = &c->dirs[source];
  cfg_cache_entry now;
  cfg_stamp_of(st, &now);
  if (!d->valid || d->dev != now.dev || d->ino != now.ino || d->mtime_ns != now.mtime_ns ||
      d->ctime_ns != now.ctime_ns || d->max != max)
    return NULL;
  d->used = true;
  return d;
}

void cfg_cache_dir_record(cfg_cache *c, wg_source source, const struct stat *st,
                          size_t max, bool truncated, char *const *names, size_t count) {
  if ((unsigned)source > 1 || count > WG_DIGEST_CACHE_MAX_DIR_NAMES) return;
  cfg_cache_dir *d = &c->dirs[source];
  if (d->valid) c->dirty = true;
  dir_free(d);
  cfg_cache_entry now;
  cfg_stamp_of(st, &now);
  if (racy(c, now.mtime_ns, now.ctime_ns)) return; /* listed again next time */
  c->dirty = true;
  d->names = calloc(count ? count : 1, sizeof *d->names);
  if (!d->names) return;
  for (size_t i = 0; i < count; i++) {
    if (!(d->names[i] = strdup(names[i]))) {
      dir_free(d);
      return;
    }
    d->count = i + 1;
  }
  d->valid = d->used = true;
  d->dev = now.dev;
  d->ino = now.ino;
  d->mtime_ns = now.mtime_ns;
  d->ctime_ns = now.ctime_ns;
  d->max = max;
  d->truncated = truncated;
}

void cfg_cache_load(const char *path, cfg_cache *out) {
  char *data = NULL;
  size_t len = 0;
  int errnum = 0;
  memset(out, 0, sizeof *out);
  out->now_ns = realtime_ns();
  if (cfg_read_file(path, WG_DIGEST_CACHE_MAX_BYTES, &data, &len, &errnum) != 0) return;
  if (cfg_cache_parse(data, len, out) != 0) out->dirty = true; /* corrupt: rewritten */
  free(data);
}

void cfg_cache_save(const char *path, cfg_cache *c) {
  bool stale = false;
  for (size_t i = 0; i < c->count; i++) stale = stale || !c->entries[i].used;
  for (int k = 0; k < 2; k++) stale = stale || (c->dirs[k].valid && !c->dirs[k].used);
  if (!c->dirty && !stale) return;
  wg_buf text;
  wg_buf_init(&text, WG_DIGEST_CACHE_MAX_BYTES);
  char dir[WG_CONFIG_PATH_MAX], tmp[WG_CONFIG_PATH_MAX + 16];
  cfg_copy(dir, sizeof dir, path);
  char *slash = strrchr(dir, '/');
  if (!cfg_cache_format(c, &text) || !slash) goto out;
  *slash = '\0';
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) goto out;
  int n = snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
  if (n <= 0 || (size_t)n >= sizeof tmp) goto out;
  int fd = mkstemp(tmp);
  if (fd < 0) goto out;
  bool ok = write(fd, text.data, text.len) == (ssize_t)text.len;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) unlink(tmp);
out:
  wg_buf_free(&text);
}
