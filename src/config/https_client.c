/* https_client.c: the [https] keys of the https client itself (the policy's
 * keys are in https.c):
 *   dns_servers = ["127.0.0.1:53", "[::1]:5353"]  the resolver's servers
 *       instead of the system's resolv.conf (and /etc/hosts is then not
 *       read); at most WG_CONFIG_MAX_DNS_SERVERS, each "IPv4:PORT" or
 *       "[IPv6]:PORT", the port written out;
 *   timeout_ms = N  one request's bound (DNS, connect, TLS, transfer and
 *       its redirects), 1..WG_CONFIG_MAX_HTTPS_TIMEOUT_MS, by default
 *       WG_HTTPS_DEFAULT_TIMEOUT_MS; the call's own deadline still applies. */
#include "cfg_internal.h"

#include <string.h>

/* "a.b.c.d:PORT" or "[v6]:PORT", the port 1-65535 without leading zeros. */
static bool dns_server_valid(const char *s) {
  const char *colon = strrchr(s, ':');
  if (!colon || colon == s || colon[1] == '\0' || colon[1] == '0') return false;
  unsigned long port = 0;
  for (const char *p = colon + 1; *p; p++) {
    if (*p < '0' || *p > '9' || p - colon > 5) return false;
    port = port * 10 + (unsigned long)(*p - '0');
  }
  if (port < 1 || port > 65535) return false;
  wg_ip ip;
  size_t alen = (size_t)(colon - s);
  if (s[0] == '[') {
    if (alen < 3 || s[alen - 1] != ']') return false;
    return wg_ip_parse6(s + 1, alen - 2, &ip);
  }
  return wg_ip_parse4(s, alen, &ip);
}

int cfg_parse_https_client(cfg_ctx *c, const wg_toml_value *t, wg_config *cfg) {
  if (cfg_get_strings(c, t, "dns_servers", "https", &cfg->dns_servers, &cfg->dns_server_count))
    return -1;
  const wg_toml_value *list = wg_toml_get(t, "dns_servers");
  if (cfg->dns_server_count > WG_CONFIG_MAX_DNS_SERVERS)
    return cfg_fail_code(c, WG_CONFIG_RANGE, list->pos.line, list->pos.column,
                         "`https.dns_servers` holds at most %d servers", WG_CONFIG_MAX_DNS_SERVERS);
  for (size_t i = 0; i < cfg->dns_server_count; i++) {
    if (dns_server_valid(cfg->dns_servers[i])) continue;
    const wg_toml_value *v = wg_toml_at(list, i);
    return cfg_fail_at(c, v->pos.line, v->pos.column,
                       "`https.dns_servers[%zu]` must be \"IPv4:PORT\" or \"[IPv6]:PORT\", such as "
                       "\"127.0.0.1:53\"", i);
  }
  uint64_t ms = cfg->https_timeout_ms;
  if (cfg_get_u64(c, t, "timeout_ms", "https", 1, WG_CONFIG_MAX_HTTPS_TIMEOUT_MS, &ms)) return -1;
  cfg->https_timeout_ms = (uint32_t)ms;
  return 0;
}
