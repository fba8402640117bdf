/* path.c: the WHATWG path state for special URLs (segments split on '/'
 * and '\', "." and ".." segments and their %2e forms removed, the path
 * percent-encode set applied), with wasmgate's {{secret:NAME}}
 * placeholders kept literally, and segment-aware prefix matching.
 *
 * Popping a ".." is O(1): the start of every segment in the output is on a
 * stack, so the whole pass is linear in the input. */
#include "pol_internal.h"

#include <stdlib.h>
#include <string.h>

/* WHATWG path percent-encode set as Node 20 (ada) applies it: C0 controls,
 * bytes above 0x7E, space " # < > ? ` { }. */
static bool path_encode(unsigned char c) {
  return c < 0x21 || c > 0x7E || strchr("\"#<>?`{}", c) != NULL;
}

static bool is_single_dot(const char *s, size_t n) {
  return (n == 1 && s[0] == '.') || (n == 3 && pol_ieq(s, 3, "%2e"));
}

static bool is_double_dot(const char *s, size_t n) {
  if (n == 2) return s[0] == '.' && s[1] == '.';
  if (n == 4) return pol_ieq(s, 4, ".%2e") || pol_ieq(s, 4, "%2e.");
  return n == 6 && pol_ieq(s, 6, "%2e%2e");
}

typedef struct path_state {
  wg_buf *out;
  size_t base;    /* out->len when we started: the output is out[base..] */
  size_t *starts; /* start (offset of its '/') of each segment */
  size_t depth, cap;
} path_state;

static void pop(path_state *ps) {
  if (ps->depth == 0) return;
  ps->depth--;
  ps->out->len = ps->starts[ps->depth];
  ps->out->data[ps->out->len] = '\0';
}

static bool push(path_state *ps, const char *seg, size_t n) {
  if (ps->depth == ps->cap) return false; /* cannot happen: cap counts separators */
  ps->starts[ps->depth++] = ps->out->len;
  return wg_buf_append_char(ps->out, '/') && wg_buf_append(ps->out, seg, n);
}

/* Encodes one raw segment into seg (a scratch buffer). */
static wg_pol_code encode_segment(const char *s, size_t n, bool placeholders,
                                  wg_buf *seg, size_t *count, wg_pol_error *err) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    const char *name;
    size_t name_len, k = 0;
    if (placeholders && s[i] == '{') k = pol_placeholder(s + i, n - i, &name, &name_len);
    if (k == SIZE_MAX)
      return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_PLACEHOLDER,
                      "HTTPS URL has a malformed {{secret:NAME}} placeholder");
    if (k) {
      if (++*count > WG_POL_PLACEHOLDERS_MAX)
        return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_PLACEHOLDER,
                        "HTTPS URL has more than %d secret placeholders",
                        WG_POL_PLACEHOLDERS_MAX);
      wg_buf_append(seg, s + i, k);
      i += k - 1;
      continue;
    }
    unsigned char c = (unsigned char)s[i];
    if (path_encode(c)) {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      wg_buf_append(seg, e, 3);
    } else {
      wg_buf_append_char(seg, (char)c);
    }
  }
  return WG_POL_OK;
}

/* Every segment of base but the last (WHATWG: a copy of base's path,
 * shortened). base is a normalised path: it starts with '/'. */
static bool seed_from_base(path_state *ps, const char *base, size_t blen) {
  if (blen == 0 || base[0] != '/') return true;
  size_t start = 1;
  for (size_t i = 1; i < blen; i++) {
    if (base[i] != '/') continue;
    if (!push(ps, base + start, i - start)) return false;
    start = i + 1;
  }
  return true;
}

wg_pol_code pol_path_parse(const char *path, size_t len, bool placeholders,
                           const char *base, size_t base_len, wg_buf *out,
                           size_t *placeholder_count, wg_pol_error *err) {
  size_t seps = 2;
  for (size_t i = 0; i < len; i++) seps += path[i] == '/' || path[i] == '\\';
  for (size_t i = 0; base && i < base_len; i++) seps += base[i] == '/';
  path_state ps = {.out = out, .base = out->len, .cap = seps};
  ps.starts = malloc(seps * sizeof *ps.starts);
  wg_buf seg;
  wg_buf_init(&seg, WG_POL_SEND_URL_MAX);
  wg_pol_code rc = WG_POL_OK;
  size_t count = 0;
  if (!ps.starts) goto nomem;
  if (base && !seed_from_base(&ps, base, base_len)) goto nomem;
  if (base) {
    for (size_t i = ps.base; i < ps.out->len; i++) count += ps.out->data[i] == '{';
    count /= 2; /* base's own placeholders count against the bound too */
  }
  size_t i = 0;
  if (len > 0 && (path[0] == '/' || path[0] == '\\')) i = 1;
  for (;;) {
    size_t start = i;
    while (i < len && path[i] != '/' && path[i] != '\\') i++;
    bool slash = i < len;
    const char *s = path + start;
    size_t n = i - start;
    if (is_double_dot(s, n)) {
      pop(&ps);
      if (!slash && !push(&ps, "", 0)) goto nomem;
    } else if (is_single_dot(s, n)) {
      if (!slash && !push(&ps, "", 0)) goto nomem;
    } else {
      wg_buf_reset(&seg);
      rc = encode_segment(s, n, placeholders, &seg, &count, err);
      if (rc) goto out;
      if (!wg_buf_ok(&seg) || !push(&ps, seg.data ? seg.data : "", seg.len)) goto nomem;
    }
    if (!slash) break;
    i++;
  }
  if (ps.depth == 0 && !push(&ps, "", 0)) goto nomem;
  if (!wg_buf_ok(out)) {
    rc = out->oom ? pol_fail(err, WG_POL_INTERNAL, WG_POL_RULE_NOMEM, "out of memory")
                  : pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_URL_TOO_LONG,
                             "HTTPS URL is longer than %d bytes once encoded",
                             WG_POL_SEND_URL_MAX);
    goto out;
  }
  /* Count what survived: a dot segment may have removed one. Only
   * placeholders put a '{' in the output. */
  count = 0;
  for (size_t k = ps.base; k < out->len; k++) count += out->data[k] == '{';
  *placeholder_count = count / 2;
  goto out;
nomem:
  if (out->overflow || seg.overflow)
    rc = pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_URL_TOO_LONG,
                  "HTTPS URL is longer than %d bytes once encoded", WG_POL_SEND_URL_MAX);
  else
    rc = pol_fail(err, WG_POL_INTERNAL, WG_POL_RULE_NOMEM, "out of memory");
out:
  wg_buf_free(&seg);
  free(ps.starts);
  return rc;
}

bool pol_path_covers(const char *prefix, size_t plen, const char *path,
                     size_t len) {
  if (plen == 0 || plen > len || memcmp(prefix, path, plen) != 0) return false;
  return plen == len || prefix[plen - 1] == '/' || path[plen] == '/';
}
