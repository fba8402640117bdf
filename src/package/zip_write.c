/* zip_write.c: the deterministic stored-ZIP writer behind `wasmgate pack`.
 * Same files in, same bytes out: entries in the package's (byte-wise path)
 * order, method 0, DOS time 00:00 and date 1980-01-01, flags 0x0800 (UTF-8
 * names, as yoi's fixtures), version made by Unix 3.0, external attributes
 * regular file 0644, no extra fields, no comments, no directory entries,
 * correct CRC-32s. Every field is checked to fit its width; ZIP64 is never
 * written (yoi cannot read it). */
#include "pkg_internal.h"

#include <stdlib.h>

#define ZW_VERSION_NEEDED 10u     /* 1.0: stored entries only */
#define ZW_VERSION_MADE_BY 0x031Eu /* host 3 (Unix), spec 3.0 */
#define ZW_FLAGS 0x0800u
#define ZW_DOS_TIME 0u
#define ZW_DOS_DATE 0x0021u        /* (1980-1980) << 9 | 1 << 5 | 1 */
#define ZW_EXTERNAL_ATTRS (0100644u << 16)

uint64_t pkg_zip_size_for(uint64_t files, uint64_t path_bytes,
                          uint64_t data_bytes) {
  return files * (PKG_ZIP_LOCAL_SIZE + PKG_ZIP_CENTRAL_SIZE) + 2 * path_bytes +
         data_bytes + PKG_ZIP_EOCD_SIZE;
}

static void put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v) {
  put16(p, v & 0xffffu);
  put16(p + 2, v >> 16);
}

/* The fields local and central headers share, from "version needed" on. */
static void put_common(uint8_t *p, const wg_pkg_file *f, uint32_t crc) {
  put16(p, ZW_VERSION_NEEDED);
  put16(p + 2, ZW_FLAGS);
  put16(p + 4, 0); /* stored */
  put16(p + 6, ZW_DOS_TIME);
  put16(p + 8, ZW_DOS_DATE);
  put32(p + 10, crc);
  put32(p + 14, (uint32_t)f->size);
  put32(p + 18, (uint32_t)f->size);
  put16(p + 22, (uint32_t)f->path_len);
  put16(p + 24, 0); /* extra length */
}

static bool write_local(wg_buf *out, const wg_pkg_file *f, uint32_t crc) {
  uint8_t h[PKG_ZIP_LOCAL_SIZE];
  put32(h, PKG_ZIP_SIG_LOCAL);
  put_common(h + 4, f, crc);
  return wg_buf_append(out, h, sizeof h) &&
         wg_buf_append(out, f->path, f->path_len) &&
         wg_buf_append(out, f->data, f->size);
}

static bool write_central(wg_buf *out, const wg_pkg_file *f, uint32_t crc,
                          uint32_t local_offset) {
  uint8_t h[PKG_ZIP_CENTRAL_SIZE];
  put32(h, PKG_ZIP_SIG_CENTRAL);
  put16(h + 4, ZW_VERSION_MADE_BY);
  put_common(h + 6, f, crc);
  put16(h + 32, 0); /* comment length */
  put16(h + 34, 0); /* disk number start */
  put16(h + 36, 0); /* internal attributes */
  put32(h + 38, ZW_EXTERNAL_ATTRS);
  put32(h + 42, local_offset);
  return wg_buf_append(out, h, sizeof h) &&
         wg_buf_append(out, f->path, f->path_len);
}

static bool write_eocd(wg_buf *out, size_t count, uint32_t cd_offset,
                       uint32_t cd_size) {
  uint8_t r[PKG_ZIP_EOCD_SIZE];
  put32(r, PKG_ZIP_SIG_EOCD);
  put16(r + 4, 0);
  put16(r + 6, 0);
  put16(r + 8, (uint32_t)count);
  put16(r + 10, (uint32_t)count);
  put32(r + 12, cd_size);
  put32(r + 16, cd_offset);
  put16(r + 20, 0);
  return wg_buf_append(out, r, sizeof r);
}

/* True if every count, size, name length and offset fits its field. */
static bool fits(const wg_pkg *pkg) {
  if (pkg->count > 0xffffu) return false;
  uint64_t path_bytes = 0, data_bytes = 0;
  for (size_t i = 0; i < pkg->count; i++) {
    if (pkg->files[i].path_len > 0xffffu || pkg->files[i].size > 0xffffffffu)
      return false;
    path_bytes += pkg->files[i].path_len;
    data_bytes += pkg->files[i].size;
  }
  return pkg_zip_size_for(pkg->count, path_bytes, data_bytes) <= 0xffffffffu;
}

bool wg_pkg_write_zip(const wg_pkg *pkg, wg_buf *out) {
  if (!fits(pkg)) return false;
  /* CRCs are computed once, while writing local headers, for both. */
  uint32_t *crcs = malloc((pkg->count ? pkg->count : 1) * sizeof *crcs);
  if (!crcs) return false;
  size_t start = out->len;
  bool ok = true;
  for (size_t i = 0; ok && i < pkg->count; i++) {
    const wg_pkg_file *f = &pkg->files[i];
    crcs[i] = pkg_crc32(0, f->data, f->size);
    ok = write_local(out, f, crcs[i]);
  }
  uint32_t cd_offset = (uint32_t)(out->len - start);
  uint32_t local_offset = 0;
  for (size_t i = 0; ok && i < pkg->count; i++) {
    const wg_pkg_file *f = &pkg->files[i];
    ok = write_central(out, f, crcs[i], local_offset);
    local_offset += (uint32_t)(PKG_ZIP_LOCAL_SIZE + f->path_len + f->size);
  }
  free(crcs);
  if (!ok) return false;
  uint32_t cd_size = (uint32_t)(out->len - start) - cd_offset;
  return write_eocd(out, pkg->count, cd_offset, cd_size) && wg_buf_ok(out);
}
