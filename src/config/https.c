/* https.c: the [https] table and the strict shape checks of https grants
 * (docs/https.md#grants). Values are validated here so a typo is a
 * located config error; their meaning (host normalisation, matching) is
 * the policy layer's, which sits above config and re-checks what it uses.
 *
 * What a grant may set (docs/https.md): host (a name, "*.name" or an IP
 * literal; no scheme, port, path or spaces), methods (GET POST PUT PATCH
 * DELETE, any case; none leaves the grant unusable, as yoi), path_prefixes ('/'-rooted, no '?',
 * '#', '\', controls, spaces or dot segments), port, max_redirects,
 * headers (a token name not managed by the client, a value with no control
 * character; a credential header name only with a ${secret:NAME} value),
 * path_secrets. */
#include "cfg_internal.h"

#include <string.h>

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static bool ieq(const char *a, const char *b) {
  while (*a && lower(*a) == lower(*b)) a++, b++;
  return *a == *b;
}

static const wg_toml_pos *pos_of(const wg_toml_value *table, const char *key, size_t i,
                                 bool indexed) {
  const wg_toml_value *v = wg_toml_get(table, key);
  if (v && indexed) v = wg_toml_at(v, i);
  return v ? &v->pos : &table->pos;
}

/* A grant or resolve host as written: a name (labels of anything but the
 * characters below), "*.name" when wildcard, or "[v6]" / a dotted quad. */
static bool host_shape(const char *s, bool wildcard) {
  size_t n = strlen(s);
  if (n == 0 || n > WG_CONFIG_MAX_GRANT_HOST) return false;
  if (s[0] == '[') {
    wg_ip ip;
    return n > 2 && s[n - 1] == ']' && wg_ip_parse6(s + 1, n - 2, &ip);
  }
  if (wildcard && n > 2 && s[0] == '*' && s[1] == '.') s += 2, n -= 2;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c == 0x7F || strchr("/\\?#@:[]*%<>^|\"", c)) return false;
  }
  return s[0] != '.';
}

static bool dot_segment(const char *s, size_t n) {
  static const char *const forms[] = {".", "..", "%2e", ".%2e", "%2e.", "%2e%2e", NULL};
  for (size_t k = 0; forms[k]; k++) {
    if (strlen(forms[k]) != n) continue;
    size_t i = 0;
    while (i < n && lower(s[i]) == forms[k][i]) i++;
    if (i == n) return true;
  }
  return false;
}

static bool prefix_shape(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > WG_CONFIG_MAX_GRANT_PREFIX || s[0] != '/') return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c == 0x7F || c == '?' || c == '#' || c == '\\') return false;
  }
  for (size_t start = 1, i = 1; i <= n; i++) {
    if (i < n && s[i] != '/') continue;
    if (dot_segment(s + start, i - start)) return false;
    start = i + 1;
  }
  return true;
}

static int check_methods(cfg_ctx *c, const wg_toml_value *v, const char *where,
                         const wg_config_https_grant *h) {
  /* No methods is allowed (yoi: the grant is kept but never usable). */
  for (size_t i = 0; i < h->method_count; i++) {
    if (wg_http_method(h->methods[i], strlen(h->methods[i]), true) >= 0) continue;
    const wg_toml_pos *p = pos_of(v, "methods", i, true);
    return cfg_fail_at(c, p->line, p->column,
                       "`%s.methods[%zu]` must be one of GET, POST, PUT, PATCH, DELETE",
                       where, i);
  }
  return 0;
}

int cfg_check_https_grant(cfg_ctx *c, const wg_toml_value *v, const char *where,
                          const wg_config_https_grant *h) {
  if (!host_shape(h->host, true)) {
    const wg_toml_pos *p = pos_of(v, "host", 0, false);
    return cfg_fail_at(c, p->line, p->column,
                       "`%s.host` must be a host name, \"*.\" and a name, or an IP "
                       "address (no scheme, port, path or spaces; use `port` for a port)",
                       where);
  }
  if (check_methods(c, v, where, h)) return -1;
  for (size_t i = 0; i < h->path_prefix_count; i++) {
    if (prefix_shape(h->path_prefixes[i])) continue;
    const wg_toml_pos *p = pos_of(v, "path_prefixes", i, true);
    return cfg_fail_at(c, p->line, p->column,
                       "`%s.path_prefixes[%zu]` must start with '/' and hold no '?', '#', "
                       "'\\', spaces, control characters or \".\"/\"..\" segments",
                       where, i);
  }
  for (size_t i = 0; i < h->path_secret_count; i++)
    for (size_t k = 0; k < i; k++)
      if (strcmp(h->path_secrets[i], h->path_secrets[k]) == 0) {
        const wg_toml_pos *p = pos_of(v, "path_secrets", i, true);
        return cfg_fail_at(c, p->line, p->column, "`%s.path_secrets[%zu]` is listed twice",
                           where, i);
      }
  return 0;
}

int cfg_check_grant_header(cfg_ctx *c, const wg_toml_value *v, const char *where,
                           const wg_config_https_grant *h, size_t index) {
  const wg_config_header *hd = &h->headers[index];
  size_t n = strlen(hd->name);
  const wg_toml_pos *np = pos_of(v, "name", 0, false), *vp = pos_of(v, "value", 0, false);
  if (n > 64 || !wg_http_token(hd->name, n))
    return cfg_fail_at(c, np->line, np->column,
                       "`%s.name` must be an HTTP header name (1-64 token characters)", where);
  if (wg_http_header_managed(hd->name, n))
    return cfg_fail_at(c, np->line, np->column,
                       "`%s.name` names a header the client sets itself", where);
  for (size_t k = 0; k < index; k++)
    if (ieq(h->headers[k].name, hd->name))
      return cfg_fail_at(c, np->line, np->column, "`%s.name` is set twice", where);
  size_t vl = strlen(hd->value);
  if (vl > WG_CONFIG_MAX_HEADER_TEMPLATE || !wg_http_field_value(hd->value, vl))
    return cfg_fail_at(c, vp->line, vp->column,
                       "`%s.value` must be at most %u bytes with no control character but "
                       "tab", where, WG_CONFIG_MAX_HEADER_TEMPLATE);
  /* A credential in the config file itself is the mistake secrets exist to
   * prevent: a sensitive header must take its value from [secrets]. */
  if (wg_http_header_sensitive(hd->name, n) && !strstr(hd->value, "${secret:"))
    return cfg_fail_at(c, vp->line, vp->column,
                       "`%s.value` of a credential header must come from [secrets] "
                       "(\"${secret:NAME}\")", where);
  return 0;
}

/* ---- [https] ------------------------------------------------------------ */

static int resolve_error(cfg_ctx *c, const wg_toml_value *v, size_t i, const char *why) {
  return cfg_fail_at(c, v->pos.line, v->pos.column,
                     "`https.resolve[%zu]` %s (\"HOST:PORT:ADDRESS[,ADDRESS...]\")", i, why);
}

static int parse_addresses(cfg_ctx *c, const wg_toml_value *v, size_t idx, const char *s,
                           wg_config_resolve *r) {
  size_t count = 1;
  for (const char *p = s; *p; p++) count += *p == ',';
  if (count > WG_CONFIG_MAX_RESOLVE_ADDRESSES)
    return resolve_error(c, v, idx, "lists more than 16 addresses");
  r->addresses = wg_arena_array(c->arena, count, sizeof *r->addresses);
  if (!r->addresses) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
  for (size_t k = 0; k < count; k++) {
    const char *end = strchr(s, ',');
    size_t n = end ? (size_t)(end - s) : strlen(s);
    bool ok = n > 2 && s[0] == '[' && s[n - 1] == ']'
                  ? wg_ip_parse6(s + 1, n - 2, &r->addresses[k])
                  : wg_ip_parse(s, n, &r->addresses[k]);
    if (!ok) return resolve_error(c, v, idx, "has an address that is not an IPv4 or [IPv6] address");
    s += n + (end ? 1 : 0);
  }
  r->address_count = count;
  return 0;
}

static int parse_resolve_entry(cfg_ctx *c, const wg_toml_value *v, size_t i,
                               const char *s, wg_config_resolve *r) {
  const char *c1 = strchr(s, ':');
  const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (!c2) return resolve_error(c, v, i, "must have three parts");
  char *host = wg_arena_strndup(c->arena, s, (size_t)(c1 - s));
  if (!host) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
  if (!host_shape(host, false) || host[0] == '[')
    return resolve_error(c, v, i, "must start with a host name");
  size_t pn = (size_t)(c2 - c1 - 1);
  unsigned port = 0;
  for (size_t k = 0; k < pn; k++) {
    char d = c1[1 + k];
    if (d < '0' || d > '9' || port > 65535) return resolve_error(c, v, i, "has a port that is not 1-65535");
    port = port * 10 + (unsigned)(d - '0');
  }
  if (pn == 0 || pn > 5 || port == 0 || port > 65535)
    return resolve_error(c, v, i, "has a port that is not 1-65535");
  r->host = host;
  r->port = (uint16_t)port;
  return parse_addresses(c, v, i, c2 + 1, r);
}

static bool same_pin(const wg_config_resolve *a, const wg_config_resolve *b) {
  return a->port == b->port && ieq(a->host, b->host);
}

static int parse_resolve(cfg_ctx *c, const wg_toml_value *t, wg_config *cfg) {
  const char **items = NULL;
  size_t n = 0;
  if (cfg_get_strings(c, t, "resolve", "https", &items, &n)) return -1;
  cfg->resolve = wg_arena_array(c->arena, n ? n : 1, sizeof *cfg->resolve);
  if (!cfg->resolve) return cfg_fail_code(c, WG_CONFIG_NOMEM, 0, 0, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const wg_toml_value *v = wg_toml_at(wg_toml_get(t, "resolve"), i);
    if (parse_resolve_entry(c, v, i, items[i], &cfg->resolve[i])) return -1;
    for (size_t k = 0; k < i; k++)
      if (same_pin(&cfg->resolve[k], &cfg->resolve[i]))
        return resolve_error(c, v, i, "repeats the host and port of an earlier entry");
  }
  cfg->resolve_count = n;
  return 0;
}

int cfg_parse_https(cfg_ctx *c, const wg_toml_value *root, wg_config *cfg) {
  static const char *const keys[] = {"allow_networks", "ca_file", "max_requests_per_call",
                                     "resolve", "dns_servers", "timeout_ms", NULL};
  const wg_toml_value *t = NULL;
  if (cfg_get_table(c, root, "https", "", &t) || !t) return c->failed ? -1 : 0;
  if (cfg_check_keys(c, t, keys, "https")) return -1;
  if (cfg_get_strings(c, t, "allow_networks", "https", &cfg->allow_networks,
                      &cfg->allow_network_count))
    return -1;
  for (size_t i = 0; i < cfg->allow_network_count; i++) {
    wg_cidr cidr;
    const char *s = cfg->allow_networks[i];
    wg_cidr_code st = wg_cidr_parse(s, strlen(s), &cidr);
    if (st == WG_CIDR_OK) continue;
    const wg_toml_value *v = wg_toml_at(wg_toml_get(t, "allow_networks"), i);
    if (st == WG_CIDR_HOST_BITS)
      return cfg_fail_at(c, v->pos.line, v->pos.column,
                         "`https.allow_networks[%zu]` has address bits set after its "
                         "prefix length (write the network address, or /32 or /128 for "
                         "one address)", i);
    return cfg_fail_at(c, v->pos.line, v->pos.column,
                       "`https.allow_networks[%zu]` must be a CIDR block such as "
                       "\"10.1.2.3/32\" or \"fd00::/8\"", i);
  }
  if (cfg_get_string(c, t, "ca_file", "https", &cfg->ca_file)) return -1;
  if (cfg->ca_file && !cfg->ca_file[0]) {
    const wg_toml_value *v = wg_toml_get(t, "ca_file");
    return cfg_fail_at(c, v->pos.line, v->pos.column, "`https.ca_file` must not be empty");
  }
  uint64_t n = cfg->max_requests_per_call;
  if (cfg_get_u64(c, t, "max_requests_per_call", "https", 0, WG_CONFIG_MAX_REQUESTS_PER_CALL, &n))
    return -1;
  cfg->max_requests_per_call = (uint32_t)n;
  return parse_resolve(c, t, cfg) || cfg_parse_https_client(c, t, cfg) ? -1 : 0;
}
