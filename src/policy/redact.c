/* redact.c: replacing secrets in text before it leaves the host.
 *
 * wg_pol_redact marks every byte covered by an occurrence of any form of
 * any secret (KMP per form: O(len + form) each, so O(len x forms) in all,
 * overlapping occurrences included), then writes each maximal marked run
 * as one "<redacted>". wg_pol_redact_secret_like is yoi's needle rule
 * (docs/https.md#secrets), one pass per needle in yoi's order. */
#include "pol_internal.h"
#include "pol_secrets.h"

#include <stdlib.h>
#include <string.h>

static const char REDACTED[] = "<redacted>";

static void kmp_table(const char *p, size_t m, size_t *fail) {
  fail[0] = 0;
  for (size_t i = 1, k = 0; i < m; i++) {
    while (k > 0 && p[i] != p[k]) k = fail[k - 1];
    if (p[i] == p[k]) k++;
    fail[i] = k;
  }
}

static void mark_range(uint8_t *mark, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) mark[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* Marks every occurrence of form in text (overlaps included). */
static void mark_form(const pol_form *f, const char *text, size_t len, size_t *fail,
                      uint8_t *mark) {
  size_t m = f->len, k = 0, covered = 0;
  if (m == 0 || m > len) return;
  kmp_table(f->bytes, m, fail);
  for (size_t i = 0; i < len; i++) {
    while (k > 0 && text[i] != f->bytes[k]) k = fail[k - 1];
    if (text[i] == f->bytes[k]) k++;
    if (k < m) continue;
    size_t start = i + 1 - m;
    mark_range(mark, start > covered ? start : covered, i + 1);
    covered = i + 1;
    k = fail[k - 1];
  }
}

bool wg_pol_redact(const wg_pol_secrets *secrets, const char *text, size_t len,
                   wg_buf *out) {
  if (!secrets || secrets->form_count == 0 || len == 0) return wg_buf_append(out, text, len);
  uint8_t *mark = calloc(len / 8 + 1, 1);
  size_t *fail = malloc(secrets->max_form * sizeof *fail);
  if (!mark || !fail) {
    free(mark);
    free(fail);
    out->oom = true;
    return false;
  }
  for (size_t i = 0; i < secrets->form_count; i++)
    mark_form(&secrets->forms[i], text, len, fail, mark);
  size_t i = 0;
  while (i < len) {
    size_t j = i;
    if (mark[i / 8] & (1u << (i % 8))) {
      while (j < len && (mark[j / 8] & (1u << (j % 8)))) j++;
      wg_buf_append(out, REDACTED, sizeof REDACTED - 1);
    } else {
      while (j < len && !(mark[j / 8] & (1u << (j % 8)))) j++;
      wg_buf_append(out, text + i, j - i);
    }
    i = j;
  }
  free(mark);
  free(fail);
  return wg_buf_ok(out);
}

/* Case-insensitive search of a lowercase needle in s[from..len). */
static size_t find_ci(const char *s, size_t len, size_t from, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = from; i + n <= len; i++) {
    size_t k = 0;
    while (k < n && pol_lower(s[i + k]) == needle[k]) k++;
    if (k == n) return i;
  }
  return SIZE_MAX;
}

/* One needle's pass over in[0..len) into out. */
static void redact_needle(const char *in, size_t len, const char *needle, wg_buf *out) {
  size_t i = 0, n = strlen(needle);
  for (;;) {
    size_t at = find_ci(in, len, i, needle);
    if (at == SIZE_MAX) break;
    size_t p = at + n;
    while (p < len && (in[p] == ' ' || in[p] == '=' || in[p] == ':' || in[p] == '\t')) p++;
    size_t v = p;
    while (v < len && in[v] != ' ' && in[v] != ',' && in[v] != ';' && in[v] != '\r' &&
           in[v] != '\n')
      v++;
    wg_buf_append(out, in + i, p - i);
    if (v > p) wg_buf_append(out, REDACTED, sizeof REDACTED - 1);
    i = v;
  }
  wg_buf_append(out, in + i, len - i);
}

bool wg_pol_redact_secret_like(const char *text, size_t len, wg_buf *out) {
  static const char *const needles[] = {"authorization", "proxy-authorization", "cookie",
                                        "set-cookie", "x-api-key", "x-auth-token",
                                        "api-key", "token", "secret", "password"};
  /* Each pass reads the previous pass's text; two scratch buffers swap. */
  wg_buf a, b;
  wg_buf_init(&a, 0);
  wg_buf_init(&b, 0);
  wg_buf_append(&a, text, len);
  for (size_t k = 0; k < sizeof needles / sizeof needles[0] && wg_buf_ok(&a); k++) {
    wg_buf_reset(&b);
    redact_needle(a.data, a.len, needles[k], &b);
    wg_buf t = a;
    a = b;
    b = t;
  }
  bool ok = wg_buf_ok(&a) && wg_buf_ok(&b) && wg_buf_append(out, a.data, a.len);
  if (!wg_buf_ok(&a) || !wg_buf_ok(&b)) out->oom = true;
  wg_buf_free(&a);
  wg_buf_free(&b);
  return ok;
}
