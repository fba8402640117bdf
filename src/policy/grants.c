/* grants.c: https grant matching (docs/https.md#grants): host after
 * normalisation (or a "*." suffix), port (443 unless the grant names one),
 * method (ASCII case-insensitive), path prefixes on whole segments, and
 * the path secrets a URL's placeholders need. Grants are normalised once;
 * a grant that does not normalise is kept, unusable, with its reason. */
#include "pol_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pol_grant {
  const wg_config_https_grant *cfg;
  const char *problem; /* NULL if usable */
  wg_pol_host host;    /* wildcard: the suffix after "*." */
  bool wildcard;
  uint16_t port;
  unsigned methods;    /* bit set of wg_http_method indexes */
  char **prefixes;     /* normalised */
  size_t *prefix_lens;
  size_t prefix_count;
} pol_grant;

struct wg_pol_grants {
  pol_grant *items;
  size_t count;
};

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static const char *normalise_host(const char *s, pol_grant *g) {
  size_t n = strlen(s);
  while (n && is_space(s[n - 1])) n--;
  while (n && is_space(*s)) s++, n--;
  if (n >= 2 && s[0] == '*' && s[1] == '.') {
    g->wildcard = true;
    s += 2, n -= 2;
  }
  if (wg_pol_host_parse(s, n, &g->host, NULL) != WG_POL_OK)
    return "grant host is not a valid host name or IP address";
  if (g->wildcard && (g->host.kind != WG_POL_HOST_DOMAIN || !strchr(g->host.name, '.')))
    return "grant host \"*.\" form needs a name of two or more labels after it";
  return NULL;
}

static const char *normalise_prefixes(pol_grant *g) {
  const wg_config_https_grant *c = g->cfg;
  if (c->path_prefix_count == 0) return NULL;
  g->prefixes = calloc(c->path_prefix_count, sizeof *g->prefixes);
  g->prefix_lens = calloc(c->path_prefix_count, sizeof *g->prefix_lens);
  if (!g->prefixes || !g->prefix_lens) return "";
  for (size_t i = 0; i < c->path_prefix_count; i++) {
    const char *p = c->path_prefixes[i];
    size_t n = strlen(p), count;
    if (n == 0 || p[0] != '/' || n > WG_POL_URL_MAX) return "grant path prefix must start with '/'";
    if (memchr(p, '?', n) || memchr(p, '#', n)) return "grant path prefix must not hold '?' or '#'";
    wg_buf b;
    wg_buf_init(&b, WG_POL_SEND_URL_MAX);
    wg_pol_error e;
    wg_pol_code rc = pol_path_parse(p, n, false, NULL, 0, &b, &count, &e);
    if (rc) {
      wg_buf_free(&b);
      return rc == WG_POL_INTERNAL ? "" : "grant path prefix does not normalise";
    }
    g->prefixes[i] = wg_buf_take(&b, &g->prefix_lens[i]);
    if (!g->prefixes[i]) return "";
    g->prefix_count = i + 1;
  }
  return NULL;
}

static void grant_free(pol_grant *g) {
  for (size_t i = 0; g->prefixes && i < g->cfg->path_prefix_count; i++) free(g->prefixes[i]);
  free(g->prefixes);
  free(g->prefix_lens);
}

/* Returns false on out of memory only. */
static bool grant_init(pol_grant *g, const wg_config_https_grant *c) {
  g->cfg = c;
  g->port = c->has_port ? c->port : 443;
  for (size_t i = 0; i < c->method_count; i++) {
    int m = wg_http_method(c->methods[i], strlen(c->methods[i]), true);
    if (m >= 0) g->methods |= 1u << m;
  }
  g->problem = normalise_host(c->host ? c->host : "", g);
  if (!g->problem && !g->methods) g->problem = "grant lists no allowed method";
  if (!g->problem) {
    g->problem = normalise_prefixes(g);
    if (g->problem && !g->problem[0]) return false;
  }
  return true;
}

wg_pol_grants *wg_pol_grants_new(const wg_config_https_grant *grants, size_t n) {
  wg_pol_grants *gs = calloc(1, sizeof *gs);
  if (!gs) return NULL;
  gs->items = calloc(n ? n : 1, sizeof *gs->items);
  if (!gs->items) {
    free(gs);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    gs->count = i + 1;
    if (!grant_init(&gs->items[i], &grants[i])) {
      wg_pol_grants_free(gs);
      return NULL;
    }
  }
  gs->count = n;
  return gs;
}

void wg_pol_grants_free(wg_pol_grants *gs) {
  if (!gs) return;
  for (size_t i = 0; i < gs->count; i++) grant_free(&gs->items[i]);
  free(gs->items);
  free(gs);
}

const char *wg_pol_grant_problem(const wg_pol_grants *gs, size_t i) {
  return i < gs->count ? gs->items[i].problem : "no such grant";
}

const wg_config_https_grant *pol_grant_config(const wg_pol_grants *gs, size_t i) {
  return gs->items[i].cfg;
}

static bool host_matches(const pol_grant *g, const wg_pol_host *h) {
  if (!g->wildcard) return strcmp(g->host.name, h->name) == 0;
  if (h->kind != WG_POL_HOST_DOMAIN) return false;
  size_t n = strlen(h->name), s = strlen(g->host.name);
  return n > s + 1 && h->name[n - s - 1] == '.' && strcmp(h->name + n - s, g->host.name) == 0;
}

static bool path_matches(const pol_grant *g, const wg_pol_url *u) {
  if (g->prefix_count == 0) return true;
  for (size_t i = 0; i < g->prefix_count; i++)
    if (pol_path_covers(g->prefixes[i], g->prefix_lens[i], u->path, u->path_len)) return true;
  return false;
}

static bool lists_secret(const wg_config_https_grant *c, const char *name, size_t n) {
  for (size_t i = 0; i < c->path_secret_count; i++)
    if (strlen(c->path_secrets[i]) == n && memcmp(c->path_secrets[i], name, n) == 0) return true;
  return false;
}

/* The first placeholder of u that c does not list, or NULL (name, *n). */
static const char *missing_secret(const wg_config_https_grant *c, const wg_pol_url *u,
                                  size_t *n) {
  for (const char *p = memchr(u->path, '{', u->path_len); p;
       p = memchr(p + 1, '{', u->path_len - (size_t)(p + 1 - u->path))) {
    const char *name;
    size_t k = pol_placeholder(p, u->path_len - (size_t)(p - u->path), &name, n);
    if (k == 0 || k == SIZE_MAX) continue;
    if (!lists_secret(c, name, *n)) return name;
    p += k - 1;
  }
  return NULL;
}

/* How far grant g gets for this request: 0 host, 1 port, 2 method, 3 path,
 * 4 path secrets, 5 all matched. */
static int stage(const pol_grant *g, int method, const wg_pol_url *u) {
  size_t n;
  if (!host_matches(g, &u->host)) return 0;
  if (g->port != u->port) return 1;
  if (method < 0 || !(g->methods & (1u << method))) return 2;
  if (!path_matches(g, u)) return 3;
  if (u->placeholder_count && missing_secret(g->cfg, u, &n)) return 4;
  return 5;
}

static wg_pol_code denied(const wg_pol_grants *gs, const char *method, size_t mlen,
                          const wg_pol_url *u, int best, size_t best_i, wg_pol_match *out,
                          wg_pol_error *err) {
  static const wg_pol_rule rules[] = {
      WG_POL_RULE_HOST_NOT_GRANTED, WG_POL_RULE_PORT_NOT_GRANTED,
      WG_POL_RULE_METHOD_NOT_GRANTED, WG_POL_RULE_PATH_NOT_GRANTED,
      WG_POL_RULE_PATH_SECRET_NOT_GRANTED};
  out->rule = rules[best];
  char m[POL_QUOTE_MAX + 4], why[160];
  pol_quote(m, sizeof m, method, mlen, 16);
  size_t n = 0;
  const char *secret = best == 4 ? missing_secret(gs->items[best_i].cfg, u, &n) : NULL;
  switch (best) {
  case 0: snprintf(why, sizeof why, "host not granted"); break;
  case 1: snprintf(why, sizeof why, "port %u not granted for this host", (unsigned)u->port); break;
  case 2: snprintf(why, sizeof why, "method %s not granted for this host", m); break;
  case 3: snprintf(why, sizeof why, "path not granted"); break;
  default: snprintf(why, sizeof why, "path secret `%.*s` not granted", (int)n, secret ? secret : ""); break;
  }
  wg_buf safe;
  wg_buf_init(&safe, 1024);
  wg_pol_url_safe(u, &safe);
  wg_pol_code code = best == 2 ? WG_POL_METHOD_DENIED : WG_POL_GRANT_DENIED;
  pol_fail(err, code, out->rule,
           "HTTPS request %s %s is not covered by host/method/path grants (%s)", m,
           safe.data ? safe.data : "", why);
  wg_buf_free(&safe);
  return code;
}

wg_pol_code wg_pol_match_grants(const wg_pol_grants *gs, const char *method,
                                size_t method_len, const wg_pol_url *url,
                                wg_pol_match *out, wg_pol_error *err) {
  *out = (wg_pol_match){.grant = SIZE_MAX};
  int m = wg_http_method(method, method_len, true);
  int best = -1;
  size_t best_i = SIZE_MAX;
  for (size_t i = 0; gs && i < gs->count; i++) {
    const pol_grant *g = &gs->items[i];
    if (g->problem) continue;
    int s = stage(g, m, url);
    if (s == 5) {
      out->matched = true;
      out->grant = i;
      pol_ok(err);
      return WG_POL_OK;
    }
    if (s > best) best = s, best_i = i;
  }
  if (best < 0) {
    out->rule = WG_POL_RULE_NO_GRANTS;
    return pol_fail(err, WG_POL_GRANT_DENIED, WG_POL_RULE_NO_GRANTS,
                    "granted host_api.https allowlist is missing");
  }
  out->grant = best > 0 ? best_i : SIZE_MAX;
  return denied(gs, method, method_len, url, best, best_i, out, err);
}
