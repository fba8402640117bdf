/* buf.c: growable byte buffer with a hard cap and sticky failure flags. */
#include "wasmgate/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wg_buf_init(wg_buf *b, size_t cap) {
  memset(b, 0, sizeof *b);
  b->cap = cap ? cap : SIZE_MAX / 2;
}

void wg_buf_free(wg_buf *b) {
  free(b->data);
  size_t cap = b->cap;
  memset(b, 0, sizeof *b);
  b->cap = cap;
}

void wg_buf_reset(wg_buf *b) {
  b->len = 0;
  b->overflow = false;
  b->oom = false;
  if (b->data) b->data[0] = '\0';
}

bool wg_buf_ok(const wg_buf *b) { return !b->overflow && !b->oom; }

/* Makes room for n more bytes plus the terminator. */
static bool buf_reserve(wg_buf *b, size_t n) {
  if (b->overflow || b->oom) return false;
  size_t need;
  if (!wg_add_size(b->len, n, &need) || need > b->cap) {
    b->overflow = true;
    return false;
  }
  if (need + 1 <= b->alloc) return true;
  size_t alloc = b->alloc ? b->alloc : 64;
  while (alloc < need + 1) {
    if (alloc > SIZE_MAX / 2) { b->oom = true; return false; }
    alloc *= 2;
  }
  char *p = realloc(b->data, alloc);
  if (!p) { b->oom = true; return false; }
  b->data = p;
  b->alloc = alloc;
  return true;
}

bool wg_buf_append(wg_buf *b, const void *p, size_t n) {
  if (!buf_reserve(b, n)) return false;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

bool wg_buf_append_str(wg_buf *b, const char *s) {
  return wg_buf_append(b, s, strlen(s));
}

bool wg_buf_append_char(wg_buf *b, char c) { return wg_buf_append(b, &c, 1); }

bool wg_buf_printf(wg_buf *b, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) { b->oom = true; return false; }
  if ((size_t)n < sizeof small) return wg_buf_append(b, small, (size_t)n);
  if (!buf_reserve(b, (size_t)n)) return false;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return true;
}

char *wg_buf_take(wg_buf *b, size_t *len) {
  char *p = b->data;
  if (!p) {
    p = malloc(1);
    if (p) p[0] = '\0';
  }
  if (len) *len = b->len;
  size_t cap = b->cap;
  memset(b, 0, sizeof *b);
  b->cap = cap;
  return p;
}
