/* uri.c: RFC 3986 reference resolution (section 5.2), enough to resolve
 * `$id` and `$ref` values against each other inside one schema document.
 * No normalisation beyond dot-segment removal; nothing is ever fetched. */
#include <string.h>

#include "schema_uri.h"

typedef struct uri_parts {
  const char *scheme, *auth, *path, *query, *frag;
  size_t scheme_len, auth_len, path_len, query_len, frag_len;
  bool has_scheme, has_auth, has_query, has_frag;
} uri_parts;

static bool scheme_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return !first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.');
}

static void uri_split(const char *s, uri_parts *u) {
  memset(u, 0, sizeof *u);
  size_t n = strlen(s), i = 0;
  while (i < n && scheme_char(s[i], i == 0)) i++;
  if (i > 0 && i < n && s[i] == ':') {
    u->has_scheme = true;
    u->scheme = s;
    u->scheme_len = i;
    s += i + 1;
    n -= i + 1;
  }
  if (n >= 2 && s[0] == '/' && s[1] == '/') {
    size_t j = 2;
    while (j < n && s[j] != '/' && s[j] != '?' && s[j] != '#') j++;
    u->has_auth = true;
    u->auth = s + 2;
    u->auth_len = j - 2;
    s += j;
    n -= j;
  }
  size_t j = 0;
  while (j < n && s[j] != '?' && s[j] != '#') j++;
  u->path = s;
  u->path_len = j;
  s += j;
  n -= j;
  if (n > 0 && s[0] == '?') {
    j = 1;
    while (j < n && s[j] != '#') j++;
    u->has_query = true;
    u->query = s + 1;
    u->query_len = j - 1;
    s += j;
    n -= j;
  }
  if (n > 0 && s[0] == '#') {
    u->has_frag = true;
    u->frag = s + 1;
    u->frag_len = n - 1;
  }
}

/* RFC 3986 5.2.4, writing into out (which has room for len + 1 bytes). */
static size_t remove_dots(const char *in, size_t len, char *out) {
  size_t o = 0, i = 0;
  while (i < len) {
    if (len - i >= 3 && memcmp(in + i, "../", 3) == 0) {
      i += 3;
      continue;
    }
    if (len - i >= 2 && memcmp(in + i, "./", 2) == 0) {
      i += 2;
      continue;
    }
    if (len - i >= 3 && memcmp(in + i, "/./", 3) == 0) {
      i += 2;
      continue;
    }
    if (len - i == 2 && memcmp(in + i, "/.", 2) == 0) {
      out[o++] = '/';
      break;
    }
    bool up4 = len - i >= 4 && memcmp(in + i, "/../", 4) == 0;
    bool up3 = len - i == 3 && memcmp(in + i, "/..", 3) == 0;
    if (up4 || up3) {
      while (o > 0 && out[o - 1] != '/') o--;
      if (o > 0) o--;
      if (up4) {
        i += 3;
        continue;
      }
      out[o++] = '/';
      break;
    }
    if ((len - i == 1 && in[i] == '.') || (len - i == 2 && memcmp(in + i, "..", 2) == 0))
      break;
    size_t j = i + (in[i] == '/' ? 1 : 0);
    while (j < len && in[j] != '/') j++;
    memcpy(out + o, in + i, j - i);
    o += j - i;
    i = j;
  }
  return o;
}

static bool add(wg_buf *b, const char *pre, const char *s, size_t n) {
  return wg_buf_append_str(b, pre) && wg_buf_append(b, s, n);
}

/* Merged path of base and a relative ref path, dots removed, into out. */
static bool merged_path(const uri_parts *b, const uri_parts *r, wg_buf *out) {
  wg_buf m;
  wg_buf_init(&m, 0);
  if (r->path_len > 0 && r->path[0] == '/') {
    wg_buf_append(&m, r->path, r->path_len);
  } else if (b->has_auth && b->path_len == 0) {
    wg_buf_append_char(&m, '/');
    wg_buf_append(&m, r->path, r->path_len);
  } else {
    size_t keep = b->path_len;
    while (keep > 0 && b->path[keep - 1] != '/') keep--;
    wg_buf_append(&m, b->path, keep);
    wg_buf_append(&m, r->path, r->path_len);
  }
  bool ok = wg_buf_ok(&m);
  if (ok && m.len > 0) {
    char *tmp = malloc(m.len + 1);
    ok = tmp != NULL;
    if (ok) {
      size_t n = remove_dots(m.data, m.len, tmp);
      ok = wg_buf_append(out, tmp, n);
      free(tmp);
    }
  }
  wg_buf_free(&m);
  return ok;
}

char *schema_uri_resolve(wg_arena *arena, const char *base, const char *ref) {
  uri_parts b, r;
  uri_split(base, &b);
  uri_split(ref, &r);
  wg_buf t;
  wg_buf_init(&t, 0);
  const uri_parts *sch = r.has_scheme ? &r : &b;
  if (sch->has_scheme)
    add(&t, "", sch->scheme, sch->scheme_len), wg_buf_append_char(&t, ':');
  if (r.has_scheme || r.has_auth) {
    if (r.has_auth) add(&t, "//", r.auth, r.auth_len);
    uri_parts none = {0};
    merged_path(&none, &r, &t);
    if (r.has_query) add(&t, "?", r.query, r.query_len);
  } else {
    if (b.has_auth) add(&t, "//", b.auth, b.auth_len);
    if (r.path_len == 0) {
      wg_buf_append(&t, b.path, b.path_len);
      if (r.has_query)
        add(&t, "?", r.query, r.query_len);
      else if (b.has_query)
        add(&t, "?", b.query, b.query_len);
    } else {
      merged_path(&b, &r, &t);
      if (r.has_query) add(&t, "?", r.query, r.query_len);
    }
  }
  if (r.has_frag) add(&t, "#", r.frag, r.frag_len);
  char *res = NULL;
  if (wg_buf_ok(&t)) res = wg_arena_strndup(arena, t.data ? t.data : "", t.len);
  wg_buf_free(&t);
  return res;
}
