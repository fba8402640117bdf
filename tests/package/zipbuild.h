/* zipbuild.h: a small ZIP builder for the package tests. It writes valid
 * stored archives by default and can produce every deviation the reader
 * must reject: any method, flags, sizes, attributes, names (raw bytes),
 * local headers that disagree or are missing, entries aliasing one local
 * header, extra fields, comments, and end records with any field. Header
 * only; the tests own every buffer it returns (free()). */
#ifndef WG_TEST_ZIPBUILD_H
#define WG_TEST_ZIPBUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct zb_entry {
  const char *name;       /* raw bytes */
  size_t name_len;        /* 0: strlen(name) */
  const void *data;
  size_t size;
  uint16_t method, flags;
  uint32_t external_attributes;
  bool set_local_flags, set_local_method;
  uint16_t local_flags, local_method;
  bool set_csize, set_usize;
  uint32_t csize, usize;  /* central (and local) sizes when set */
  uint16_t central_extra; /* junk extra bytes in the central header */
  uint16_t central_comment;
  uint16_t local_extra;
  /* Use entry `alias_of`'s local header instead of writing one (1-based;
   * 0 = write one). */
  size_t alias_of;
  bool set_local_offset;
  uint32_t local_offset;
} zb_entry;

typedef struct zb_end {
  bool set_disk, set_cd_disk, set_count, set_cd_size, set_cd_offset;
  uint16_t disk, cd_disk, count;
  uint32_t cd_size, cd_offset;
  const char *comment;   /* raw bytes after the end record */
  size_t comment_len;
  bool no_end;           /* omit the end record */
} zb_end;

typedef struct zb_out {
  uint8_t *data;
  size_t len, alloc;
} zb_out;

static inline void zb_put(zb_out *o, const void *p, size_t n) {
  if (o->len + n > o->alloc) {
    size_t a = o->alloc ? o->alloc : 256;
    while (a < o->len + n) a *= 2;
    o->data = realloc(o->data, a);
    if (!o->data) abort(); /* test helper: out of memory is fatal */
    o->alloc = a;
  }
  if (n) memcpy(o->data + o->len, p, n);
  o->len += n;
}

static inline void zb_u16(zb_out *o, uint32_t v) {
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  zb_put(o, b, 2);
}

static inline void zb_u32(zb_out *o, uint32_t v) {
  zb_u16(o, v & 0xffff);
  zb_u16(o, v >> 16);
}

static inline void zb_zeros(zb_out *o, size_t n) {
  for (size_t i = 0; i < n; i++) zb_put(o, "", 1);
}

static inline size_t zb_name_len(const zb_entry *e) {
  return e->name_len ? e->name_len : strlen(e->name);
}

/* Builds the archive; returns its length and stores it in *out. */
static inline size_t zb_build(const zb_entry *entries, size_t n, const zb_end *end,
                       uint8_t **out) {
  zb_end no_opts = {0};
  if (!end) end = &no_opts;
  zb_out o = {0};
  uint32_t *offsets = calloc(n ? n : 1, sizeof *offsets);
  for (size_t i = 0; i < n; i++) {
    const zb_entry *e = &entries[i];
    if (e->alias_of) {
      offsets[i] = offsets[e->alias_of - 1];
      continue;
    }
    offsets[i] = (uint32_t)o.len;
    size_t nl = zb_name_len(e);
    zb_u32(&o, 0x04034b50);
    zb_u16(&o, 20);
    zb_u16(&o, e->set_local_flags ? e->local_flags : e->flags);
    zb_u16(&o, e->set_local_method ? e->local_method : e->method);
    zb_u32(&o, 0); /* time, date */
    zb_u32(&o, 0); /* CRC: never checked, as yoi's fixtures */
    zb_u32(&o, e->set_csize ? e->csize : (uint32_t)e->size);
    zb_u32(&o, e->set_usize ? e->usize : (uint32_t)e->size);
    zb_u16(&o, (uint32_t)nl);
    zb_u16(&o, e->local_extra);
    zb_put(&o, e->name, nl);
    zb_zeros(&o, e->local_extra);
    zb_put(&o, e->data, e->size);
  }
  uint32_t cd_offset = (uint32_t)o.len;
  for (size_t i = 0; i < n; i++) {
    const zb_entry *e = &entries[i];
    size_t nl = zb_name_len(e);
    zb_u32(&o, 0x02014b50);
    zb_u16(&o, 0x031e);
    zb_u16(&o, 20);
    zb_u16(&o, e->flags);
    zb_u16(&o, e->method);
    zb_u32(&o, 0);
    zb_u32(&o, 0);
    zb_u32(&o, e->set_csize ? e->csize : (uint32_t)e->size);
    zb_u32(&o, e->set_usize ? e->usize : (uint32_t)e->size);
    zb_u16(&o, (uint32_t)nl);
    zb_u16(&o, e->central_extra);
    zb_u16(&o, e->central_comment);
    zb_u16(&o, 0);
    zb_u16(&o, 0);
    zb_u32(&o, e->external_attributes);
    zb_u32(&o, e->set_local_offset ? e->local_offset : offsets[i]);
    zb_put(&o, e->name, nl);
    zb_zeros(&o, (size_t)e->central_extra + e->central_comment);
  }
  uint32_t cd_size = (uint32_t)o.len - cd_offset;
  if (!end->no_end) {
    zb_u32(&o, 0x06054b50);
    zb_u16(&o, end->set_disk ? end->disk : 0);
    zb_u16(&o, end->set_cd_disk ? end->cd_disk : 0);
    zb_u16(&o, end->set_count ? end->count : (uint32_t)n);
    zb_u16(&o, end->set_count ? end->count : (uint32_t)n);
    zb_u32(&o, end->set_cd_size ? end->cd_size : cd_size);
    zb_u32(&o, end->set_cd_offset ? end->cd_offset : cd_offset);
    zb_u16(&o, (uint32_t)end->comment_len);
  }
  if (end->comment_len) zb_put(&o, end->comment, end->comment_len);
  free(offsets);
  *out = o.data;
  return o.len;
}

/* The smallest valid package body: a manifest the archive layer accepts. */
static const char zb_manifest[] =
    "schema_version = 1\nid = \"example\"\nname = \"Example\"\n"
    "version = \"0.1.0\"\n";

static inline zb_entry zb_manifest_entry(void) {
  return (zb_entry){.name = "plugin.toml", .data = zb_manifest,
                    .size = sizeof zb_manifest - 1, .flags = 0x0800};
}

static inline zb_entry zb_file(const char *name, const char *text) {
  return (zb_entry){.name = name, .data = text, .size = strlen(text),
                    .flags = 0x0800};
}

#endif
