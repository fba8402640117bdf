/* policy.c: the operator's side of the address policy, built once from
 * [https]: allow_networks (exceptions) and resolve (name pins). */
#include "pol_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wg_pol_code nomem(wg_policy *pol, wg_pol_error *err) {
  wg_policy_free(pol);
  return pol_fail(err, WG_POL_INTERNAL, WG_POL_RULE_NOMEM, "out of memory");
}

static wg_pol_code add_nets(wg_policy *pol, const wg_config *cfg, wg_pol_error *err) {
  size_t n = cfg->allow_network_count;
  pol->nets = calloc(n ? n : 1, sizeof *pol->nets);
  pol->net_labels = calloc(n ? n : 1, sizeof *pol->net_labels);
  if (!pol->nets || !pol->net_labels) return WG_POL_INTERNAL;
  for (size_t i = 0; i < n; i++) {
    const char *s = cfg->allow_networks[i];
    if (wg_cidr_parse(s, strlen(s), &pol->nets[i]) != WG_CIDR_OK)
      return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                      "https.allow_networks[%zu] is not a CIDR block", i);
    size_t len = strlen("allow_networks ") + strlen(s) + 1;
    pol->net_labels[i] = malloc(len);
    if (!pol->net_labels[i]) return WG_POL_INTERNAL;
    snprintf(pol->net_labels[i], len, "allow_networks %s", s);
    pol->net_count = i + 1;
  }
  return WG_POL_OK;
}

static wg_pol_code add_pins(wg_policy *pol, const wg_config *cfg, wg_pol_error *err) {
  size_t n = cfg->resolve_count;
  pol->pins = calloc(n ? n : 1, sizeof *pol->pins);
  if (!pol->pins) return WG_POL_INTERNAL;
  for (size_t i = 0; i < n; i++) {
    const wg_config_resolve *r = &cfg->resolve[i];
    pol_pin *p = &pol->pins[i];
    if (wg_pol_host_parse(r->host, strlen(r->host), &p->host, NULL) != WG_POL_OK ||
        p->host.kind != WG_POL_HOST_DOMAIN)
      return pol_fail(err, WG_POL_URL_REJECTED, WG_POL_RULE_HOST_INVALID,
                      "https.resolve[%zu] does not name a valid host", i);
    p->port = r->port;
    p->addrs = calloc(r->address_count ? r->address_count : 1, sizeof *p->addrs);
    if (!p->addrs) return WG_POL_INTERNAL;
    memcpy(p->addrs, r->addresses, r->address_count * sizeof *p->addrs);
    p->count = r->address_count;
    pol->pin_count = i + 1;
  }
  return WG_POL_OK;
}

wg_pol_code wg_policy_new(const wg_config *cfg, wg_policy **out, wg_pol_error *err) {
  *out = NULL;
  wg_policy *pol = calloc(1, sizeof *pol);
  if (!pol) return nomem(NULL, err);
  if (cfg) {
    wg_pol_code rc = add_nets(pol, cfg, err);
    if (!rc) rc = add_pins(pol, cfg, err);
    if (rc == WG_POL_INTERNAL) return nomem(pol, err);
    if (rc) {
      wg_policy_free(pol);
      return rc;
    }
  }
  *out = pol;
  pol_ok(err);
  return WG_POL_OK;
}

void wg_policy_free(wg_policy *pol) {
  if (!pol) return;
  for (size_t i = 0; pol->net_labels && i < pol->net_count; i++) free(pol->net_labels[i]);
  for (size_t i = 0; pol->pins && i < pol->pin_count; i++) free(pol->pins[i].addrs);
  free(pol->nets);
  free(pol->net_labels);
  free(pol->pins);
  free(pol);
}

bool wg_policy_resolve(const wg_policy *pol, const wg_pol_host *host, uint16_t port,
                       const wg_ip **addrs, size_t *count) {
  for (size_t i = 0; pol && i < pol->pin_count; i++) {
    const pol_pin *p = &pol->pins[i];
    if (p->port == port && strcmp(p->host.name, host->name) == 0) {
      *addrs = p->addrs;
      *count = p->count;
      return true;
    }
  }
  *addrs = NULL;
  *count = 0;
  return false;
}
