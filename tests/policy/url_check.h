/* url_check.h: the invariants the URL fuzz entry (fuzz/fuzz_url.c) and the
 * mutation run (test_url_mutate.c) both check on any input: only the
 * documented codes come out; every message is bounded printable UTF-8; an
 * accepted URL has a canonical host, a normalised path and an encoded
 * query, its href parses back to itself, and its safe form holds no '?';
 * resolving the input against a base obeys the same rules; safe_url_text
 * and the redactors stay bounded. A broken invariant aborts (the fuzzer
 * and ASan report it). */
#ifndef WG_TEST_URL_CHECK_H
#define WG_TEST_URL_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "wasmgate/policy.h"

#include <stdio.h>

/* Names the broken invariant, then aborts (the fuzzer keeps the input). */
#define UC_FAIL() (fprintf(stderr, "url_check.h:%d: invariant broken\n", __LINE__), abort())

static void uc_message(const wg_pol_error *e) {
  size_t n = strlen(e->message);
  if (n == 0 || n >= WG_POL_MESSAGE_MAX || !wg_utf8_valid((const uint8_t *)e->message, n))
    UC_FAIL();
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)e->message[i] < 0x20 || e->message[i] == 0x7f) UC_FAIL();
}

static void uc_host(const wg_pol_host *h) {
  size_t n = strlen(h->name);
  if (n == 0 || n > WG_POL_HOST_MAX) UC_FAIL();
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)h->name[i];
    if (c <= 0x20 || c >= 0x7f || (c >= 'A' && c <= 'Z') || strchr("#%/<>?@[\\]^|", c)) UC_FAIL();
  }
  if (h->name[n - 1] == '.') UC_FAIL();
}

static void uc_path(const wg_pol_url *u) {
  if (u->path_len == 0 || u->path[0] != '/' || strlen(u->path) != u->path_len) UC_FAIL();
  for (size_t i = 0; i < u->path_len; i++) {
    unsigned char c = (unsigned char)u->path[i];
    if (c < 0x21 || c > 0x7e || c == '?' || c == '#' || c == '\\') UC_FAIL();
  }
  /* No dot segment survives normalisation. */
  for (size_t i = 0; i < u->path_len; i++) {
    if (u->path[i] != '/') continue;
    size_t j = i + 1;
    while (j < u->path_len && u->path[j] != '/') j++;
    size_t n = j - i - 1;
    const char *s = u->path + i + 1;
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) UC_FAIL();
  }
  if (u->query) {
    if (strlen(u->query) != u->query_len) UC_FAIL();
    for (size_t i = 0; i < u->query_len; i++) {
      unsigned char c = (unsigned char)u->query[i];
      if (c < 0x21 || c > 0x7e || c == '#') UC_FAIL();
    }
  }
}

/* max_placeholders: a reference resolved against a base can only keep the
 * base's own placeholders, never add one. */
static void uc_accepted(const wg_pol_url *base, const wg_pol_url *u) {
  size_t max_placeholders = base ? base->placeholder_count : WG_POL_PLACEHOLDERS_MAX;
  uc_host(&u->host);
  uc_path(u);
  if (u->placeholder_count > max_placeholders) UC_FAIL();
  wg_buf h, again, safe;
  wg_buf_init(&h, 0);
  wg_buf_init(&again, 0);
  wg_buf_init(&safe, 0);
  if (!wg_pol_url_href(u, &h) || !wg_pol_url_safe(u, &safe)) UC_FAIL();
  if (strchr(safe.data, '?') || safe.len > 8 + WG_POL_HOST_MAX + 8 + WG_POL_SAFE_PATH_MAX + 3)
    UC_FAIL();
  /* Canonical: the href parses back (the same way) to the same href. (A
   * resolved URL that kept base placeholders has no such reading: as a
   * reference they would be encoded, as a guest URL its query may hold
   * "{{secret:" text.) */
  wg_pol_url v;
  wg_pol_error e;
  if (!base || !u->placeholder_count) {
    wg_pol_code rc = base ? wg_pol_url_resolve(base, h.data, h.len, &v, &e)
                          : wg_pol_url_parse(h.data, h.len, &v, &e);
    if (rc == WG_POL_OK) {
      if (!wg_pol_url_href(&v, &again) || again.len != h.len || memcmp(again.data, h.data, h.len))
        (fprintf(stderr, "href [%s] -> [%s]\n", h.data, again.data), UC_FAIL());
      wg_pol_url_free(&v);
    } else if (h.len <= WG_POL_URL_MAX) {
      fprintf(stderr, "href [%s]: %s\n", h.data, e.message);
      UC_FAIL();
    }
  }
  wg_pol_error ce;
  wg_pol_code c = wg_pol_check_host(NULL, &u->host, &ce);
  if (c != WG_POL_OK && c != WG_POL_PRIVATE_ADDRESS) UC_FAIL();
  if (c) uc_message(&ce);
  wg_buf_free(&h);
  wg_buf_free(&again);
  wg_buf_free(&safe);
}

static void uc_one(const wg_pol_url *base, const char *s, size_t n) {
  wg_pol_url u;
  wg_pol_error e;
  wg_pol_code rc = base ? wg_pol_url_resolve(base, s, n, &u, &e) : wg_pol_url_parse(s, n, &u, &e);
  if (rc == WG_POL_OK) {
    uc_accepted(base, &u);
    wg_pol_url_free(&u);
  } else {
    if (rc != WG_POL_URL_REJECTED) UC_FAIL();
    uc_message(&e);
    if (u.path || u.query) UC_FAIL(); /* nothing left to free on failure */
  }
}

static void uc_check(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  uc_one(NULL, s, size);
  wg_pol_url base;
  wg_pol_error e;
  static const char base_url[] = "https://base.example:8443/a/{{secret:k}}/b?q=1";
  if (wg_pol_url_parse(base_url, sizeof base_url - 1, &base, &e) != WG_POL_OK) UC_FAIL();
  uc_one(&base, s, size);
  wg_pol_url_free(&base);
  wg_buf t;
  wg_buf_init(&t, 0);
  /* Bounded printable UTF-8, and nothing from the first '?' or '#' on. */
  if (!wg_pol_safe_url_text(s, size, &t) || t.len > 203 ||
      !wg_utf8_valid((const uint8_t *)t.data, t.len) || (t.data && strchr(t.data, '#')))
    UC_FAIL();
  for (size_t i = 0; i < t.len; i++)
    if ((unsigned char)t.data[i] < 0x20 || t.data[i] == 0x7f) UC_FAIL();
  const char *q = memchr(s, '?', size), *f = memchr(s, '#', size);
  size_t cut = q ? (size_t)(q - s) : size;
  if (f && (size_t)(f - s) < cut) cut = (size_t)(f - s);
  if (cut < size && t.len > cut + 3) UC_FAIL();
  wg_buf_free(&t);
  wg_pol_host h;
  if (wg_pol_host_parse(s, size, &h, &e) == WG_POL_OK) uc_host(&h);
  else uc_message(&e);
}

#endif
