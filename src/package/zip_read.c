/* zip_read.c: the bounded stored-only ZIP reader, with yoi's exact rules
 * (docs/design.md#zip-rules), so that we accept and reject the same files
 * with the same kinds and messages:
 *   1. the end record is the last signature found searching backwards over
 *      the final 22 + 65535 bytes; both disk numbers must be 0; the total
 *      entry count (+10) is bounded before anything else is read; the
 *      central directory range must lie inside the file;
 *   2. pass one walks `count` central headers from the central offset (the
 *      cursor is not held to the central size, as in yoi), checks each name
 *      is UTF-8 and normalizes it;
 *   3. pass two checks each entry in order: encryption, symlink, method,
 *      per-entry size, running expanded size, local header, data range, size
 *      agreement, duplicate path.
 * CRC-32 is never checked (yoi does not). Entry data is not copied: each
 * file points into `bytes`. Every offset is checked before it is read, in
 * 64-bit arithmetic so nothing wraps. */
#include "pkg_internal.h"

#include <stdlib.h>
#include <string.h>

#define ZIP_FLAG_ENCRYPTED 0x0001u
#define ZIP_METHOD_STORED 0u
#define ZIP_UNIX_TYPE_MASK 0170000u
#define ZIP_UNIX_SYMLINK 0120000u

typedef struct zip_entry {
  const char *name; /* normalized, NUL-terminated, in the arena */
  size_t name_len;
  uint32_t compressed_size;
  uint32_t uncompressed_size;
  uint32_t local_offset;
  uint16_t method;
  uint16_t flags;
  uint32_t external_attributes;
  bool duplicate; /* an earlier entry has the same path */
} zip_entry;

typedef struct zip_reader {
  const uint8_t *bytes;
  size_t len;
  const wg_pkg_limits *limits;
  wg_pkg_diag *diag;
} zip_reader;

/* True if [off, off + n) lies inside the file. */
static bool zip_has(const zip_reader *z, uint64_t off, uint64_t n) {
  return off <= z->len && n <= z->len - off;
}

static int zip_fail(zip_reader *z, wg_pkg_code kind, const char *message) {
  pkg_diag_set(z->diag, kind, WG_PKG_PHASE_DISCOVERY, message);
  return -1;
}

static int zip_malformed(zip_reader *z, const char *message) {
  return zip_fail(z, WG_PKG_MALFORMED, message);
}

/* yoi's find_eocd: the highest offset in the search window holding the
 * signature, or -1. */
static int64_t zip_find_eocd(const zip_reader *z) {
  if (z->len < PKG_ZIP_EOCD_SIZE) return -1;
  size_t last = z->len - PKG_ZIP_EOCD_SIZE;
  size_t first = z->len > PKG_ZIP_EOCD_SEARCH ? z->len - PKG_ZIP_EOCD_SEARCH : 0;
  for (size_t off = last + 1; off-- > first;)
    if (pkg_rd32(z->bytes + off) == PKG_ZIP_SIG_EOCD) return (int64_t)off;
  return -1;
}

/* Pass one: one central header at *cursor. */
static int zip_read_central(zip_reader *z, uint64_t *cursor, wg_arena *arena,
                            zip_entry *e) {
  uint64_t at = *cursor;
  if (!zip_has(z, at, 4) || pkg_rd32(z->bytes + at) != PKG_ZIP_SIG_CENTRAL)
    return zip_malformed(z, "zip central directory entry is malformed");
  if (!zip_has(z, at, PKG_ZIP_CENTRAL_SIZE))
    return zip_malformed(z, "zip central directory entry is truncated");
  const uint8_t *h = z->bytes + at;
  e->flags = pkg_rd16(h + 8);
  e->method = pkg_rd16(h + 10);
  e->compressed_size = pkg_rd32(h + 20);
  e->uncompressed_size = pkg_rd32(h + 24);
  uint16_t name_len = pkg_rd16(h + 28);
  uint16_t extra_len = pkg_rd16(h + 30);
  uint16_t comment_len = pkg_rd16(h + 32);
  e->external_attributes = pkg_rd32(h + 38);
  e->local_offset = pkg_rd32(h + 42);
  uint64_t name_start = at + PKG_ZIP_CENTRAL_SIZE;
  if (!zip_has(z, name_start, name_len))
    return zip_malformed(z, "zip entry name points outside the package");
  const uint8_t *name = z->bytes + name_start;
  if (!wg_utf8_valid(name, name_len))
    return zip_malformed(z, "zip entry name is not UTF-8");
  if (!pkg_path_valid((const char *)name, name_len))
    return zip_fail(z, WG_PKG_TRAVERSAL, PKG_MSG_ESCAPES);
  e->name = wg_arena_strndup(arena, (const char *)name, name_len);
  if (!e->name) {
    pkg_diag_oom(z->diag);
    return -1;
  }
  e->name_len = name_len;
  *cursor = name_start + name_len + extra_len + comment_len;
  return 0;
}

/* Marks every entry whose path an earlier entry already has, so pass two can
 * report the duplicate exactly where yoi's ordered map insert fails. Sorting
 * indices keeps this O(n log n) whatever the entry limit. */
typedef struct zip_sort_item {
  const zip_entry *entry;
  size_t index;
} zip_sort_item;

static int zip_cmp_item(const void *a, const void *b) {
  const zip_sort_item *x = a, *y = b;
  int c = strcmp(x->entry->name, y->entry->name);
  if (c) return c;
  return x->index < y->index ? -1 : x->index > y->index;
}

static bool zip_mark_duplicates(zip_entry *entries, size_t count) {
  if (count < 2) return true;
  zip_sort_item *items = malloc(count * sizeof *items);
  if (!items) return false;
  for (size_t i = 0; i < count; i++) items[i] = (zip_sort_item){&entries[i], i};
  qsort(items, count, sizeof *items, zip_cmp_item);
  for (size_t i = 1; i < count; i++)
    if (strcmp(items[i].entry->name, items[i - 1].entry->name) == 0)
      entries[items[i].index].duplicate = true;
  free(items);
  return true;
}

/* Pass two, local header part: finds the entry's data. */
static int zip_read_local(zip_reader *z, const zip_entry *e,
                          const uint8_t **data) {
  uint64_t at = e->local_offset;
  if (!zip_has(z, at, 4) || pkg_rd32(z->bytes + at) != PKG_ZIP_SIG_LOCAL)
    return zip_malformed(z, "zip local file header is malformed");
  if (!zip_has(z, at, PKG_ZIP_LOCAL_SIZE))
    return zip_malformed(z, "zip local file header is truncated");
  const uint8_t *h = z->bytes + at;
  if (pkg_rd16(h + 6) != e->flags || pkg_rd16(h + 8) != e->method)
    return zip_malformed(z, "zip local header disagrees with central directory");
  uint64_t start = at + PKG_ZIP_LOCAL_SIZE + pkg_rd16(h + 26) + pkg_rd16(h + 28);
  if (!zip_has(z, start, e->compressed_size))
    return zip_malformed(z, "zip entry data points outside the package");
  *data = z->bytes + start;
  return 0;
}

/* Pass two: the per-entry checks, in yoi's order. */
static int zip_check_entry(zip_reader *z, const zip_entry *e,
                           uint64_t *expanded, pkg_list *files) {
  if (e->flags & ZIP_FLAG_ENCRYPTED)
    return zip_malformed(z, "encrypted zip packages are unsupported");
  if (((e->external_attributes >> 16) & ZIP_UNIX_TYPE_MASK) == ZIP_UNIX_SYMLINK)
    return zip_fail(z, WG_PKG_TRAVERSAL, PKG_MSG_SYMLINK);
  /* yoi skips names ending in '/' here, but normalization has already
   * rejected them, so directory entries never reach this point. */
  if (e->method != ZIP_METHOD_STORED)
    return zip_fail(z, WG_PKG_API,
                    "plugin package uses an unsupported zip compression method");
  if (e->uncompressed_size > z->limits->max_file_size)
    return zip_fail(z, WG_PKG_BOUNDS, PKG_MSG_FILE_BOUND);
  *expanded += e->uncompressed_size; /* <= 65535 * 4 GiB: cannot wrap */
  if (*expanded > z->limits->max_expanded_size)
    return zip_fail(z, WG_PKG_BOUNDS, PKG_MSG_EXPANDED);
  const uint8_t *data = NULL;
  if (zip_read_local(z, e, &data) < 0) return -1;
  if (e->uncompressed_size != e->compressed_size)
    return zip_malformed(z, "zip stored entry size does not match central directory");
  if (e->duplicate)
    return zip_fail(z, WG_PKG_DUPLICATE,
                    "plugin package contains duplicate normalized entry paths");
  wg_pkg_file f = {e->name, e->name_len, data, e->compressed_size};
  if (!pkg_list_push(files, &f)) {
    pkg_diag_oom(z->diag);
    return -1;
  }
  return 0;
}

/* Reads the end record; on success *count, *cursor are the entry count and
 * the central directory offset. */
static int zip_read_eocd(zip_reader *z, size_t *count, uint64_t *cursor) {
  int64_t eocd = zip_find_eocd(z);
  if (eocd < 0)
    return zip_malformed(z, "zip end-of-central-directory was not found");
  const uint8_t *r = z->bytes + eocd;
  uint16_t disk = pkg_rd16(r + 4), central_disk = pkg_rd16(r + 6);
  uint16_t entries = pkg_rd16(r + 10);
  uint32_t central_size = pkg_rd32(r + 12), central_offset = pkg_rd32(r + 16);
  if (disk != 0 || central_disk != 0)
    return zip_malformed(z, "multi-disk zip packages are unsupported");
  if (entries > z->limits->max_entries)
    return zip_fail(z, WG_PKG_BOUNDS, PKG_MSG_TOO_MANY);
  if (!zip_has(z, central_offset, central_size))
    return zip_malformed(z, "zip central directory points outside the package");
  *count = entries;
  *cursor = central_offset;
  return 0;
}

int pkg_zip_parse(const uint8_t *bytes, size_t len,
                  const wg_pkg_limits *limits, wg_arena *arena,
                  pkg_list *files, wg_pkg_diag *diag) {
  zip_reader z = {bytes, len, limits, diag};
  size_t count = 0;
  uint64_t cursor = 0;
  if (zip_read_eocd(&z, &count, &cursor) < 0) return -1;
  /* count <= 65535, so this allocation is bounded whatever the limits. */
  zip_entry *entries = calloc(count ? count : 1, sizeof *entries);
  if (!entries) {
    pkg_diag_oom(diag);
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < count; i++)
    rc = zip_read_central(&z, &cursor, arena, &entries[i]);
  if (rc == 0 && !zip_mark_duplicates(entries, count)) {
    pkg_diag_oom(diag);
    rc = -1;
  }
  uint64_t expanded = 0;
  for (size_t i = 0; rc == 0 && i < count; i++)
    rc = zip_check_entry(&z, &entries[i], &expanded, files);
  free(entries);
  return rc;
}
