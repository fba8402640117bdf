/* addr.c: IP address classes (docs/https.md#addresses) and the static
 * target check: which addresses a request may reach, and why not.
 *
 * IPv4 is a blocklist (everything that is not publicly routable); IPv6 is
 * an allowlist (global unicast 2000::/3 minus its special blocks), with the
 * forms that carry an IPv4 address judged by that address. The operator's
 * allow_networks are the only exception. Tables are constant. */
#include "pol_internal.h"

#include <stdio.h>
#include <string.h>

typedef struct v4_range {
  uint32_t net;
  uint8_t prefix;
  const char *label;
} v4_range;

static const v4_range v4_blocked[] = {
    {0x00000000u, 8, "this network 0.0.0.0/8"},
    {0x0A000000u, 8, "private 10.0.0.0/8"},
    {0x64400000u, 10, "carrier-grade NAT 100.64.0.0/10"},
    {0x7F000000u, 8, "loopback 127.0.0.0/8"},
    {0xA9FE0000u, 16, "link-local 169.254.0.0/16"},
    {0xAC100000u, 12, "private 172.16.0.0/12"},
    {0xC0000000u, 24, "IETF protocol assignments 192.0.0.0/24"},
    {0xC0000200u, 24, "documentation 192.0.2.0/24"},
    {0xC0586300u, 24, "6to4 relay anycast 192.88.99.0/24"},
    {0xC0A80000u, 16, "private 192.168.0.0/16"},
    {0xC6120000u, 15, "benchmarking 198.18.0.0/15"},
    {0xC6336400u, 24, "documentation 198.51.100.0/24"},
    {0xCB007100u, 24, "documentation 203.0.113.0/24"},
    {0xE0000000u, 4, "multicast 224.0.0.0/4"},
    {0xFFFFFFFFu, 32, "broadcast 255.255.255.255/32"},
    {0xF0000000u, 4, "reserved 240.0.0.0/4"},
};

typedef struct v6_range {
  uint8_t bytes[16];
  uint8_t prefix;
  const char *label;
} v6_range;

/* Checked in order; the first match decides. */
static const v6_range v6_blocked[] = {
    {{0x20, 0x01, 0x00, 0x00}, 32, "Teredo 2001::/32"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation 2001:db8::/32"},
    {{0x20, 0x01, 0x00, 0x00}, 23, "IETF protocol assignments 2001::/23"},
    {{0x20, 0x02}, 16, "6to4 2002::/16"},
    {{0x3f, 0xff}, 20, "documentation 3fff::/20"},
    {{0x5f, 0x00}, 16, "SRv6 SIDs 5f00::/16"},
    {{0xfc}, 7, "unique local fc00::/7"},
    {{0xfe, 0x80}, 10, "link-local fe80::/10"},
    {{0xfe, 0xc0}, 10, "site-local fec0::/10"},
    {{0xff}, 8, "multicast ff00::/8"},
    {{0x01, 0x00}, 64, "discard-only 100::/64"},
};

static const uint8_t global_unicast[16] = {0x20};

static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned prefix) {
  unsigned full = prefix / 8, rest = prefix % 8;
  if (memcmp(a, b, full) != 0) return false;
  if (!rest) return true;
  uint8_t mask = (uint8_t)(0xFFu << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

static const char *classify4(const uint8_t b[4]) {
  uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
  for (size_t i = 0; i < sizeof v4_blocked / sizeof v4_blocked[0]; i++) {
    const v4_range *r = &v4_blocked[i];
    uint32_t mask = r->prefix ? 0xFFFFFFFFu << (32 - r->prefix) : 0;
    if ((v & mask) == r->net) return r->label;
  }
  return NULL;
}

/* The IPv6 blocks that embed an IPv4 address in their last 32 bits. */
static const char *embedding(const uint8_t b[16]) {
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const uint8_t zero[12] = {0};
  static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
  static const uint8_t nat64_local[6] = {0, 0x64, 0xff, 0x9b, 0, 1};
  if (memcmp(b, mapped, 12) == 0) return "IPv4-mapped ::ffff:0:0/96";
  if (memcmp(b, zero, 12) == 0) return "IPv4-compatible ::/96";
  if (memcmp(b, nat64, 12) == 0) return "NAT64 64:ff9b::/96";
  if (memcmp(b, nat64_local, 6) == 0) return "local-use NAT64 64:ff9b:1::/48";
  return NULL;
}

static const char *classify6(const uint8_t b[16]) {
  for (size_t i = 0; i < sizeof v6_blocked / sizeof v6_blocked[0]; i++)
    if (prefix_eq(b, v6_blocked[i].bytes, v6_blocked[i].prefix)) return v6_blocked[i].label;
  if (!prefix_eq(b, global_unicast, 3)) return "not global unicast (outside 2000::/3)";
  return NULL;
}

static bool excepted(const wg_policy *pol, const wg_ip *ip, const char **label) {
  if (!pol) return false;
  for (size_t i = 0; i < pol->net_count; i++) {
    if (wg_cidr_contains(&pol->nets[i], ip)) {
      *label = pol->net_labels[i];
      return true;
    }
  }
  return false;
}

void wg_pol_classify(const wg_policy *pol, const wg_ip *ip,
                     wg_pol_addr_verdict *out) {
  static const uint8_t unspecified[16] = {0};
  static const uint8_t loopback[16] = {[15] = 1};
  memset(out, 0, sizeof *out);
  const char *blocked = NULL;
  if (ip->family == 4) {
    blocked = classify4(ip->bytes);
  } else if (memcmp(ip->bytes, unspecified, 16) == 0) {
    blocked = "unspecified ::/128";
  } else if (memcmp(ip->bytes, loopback, 16) == 0) {
    blocked = "loopback ::1/128";
  } else if ((out->via = embedding(ip->bytes)) != NULL) {
    out->embedded = true;
    out->ipv4 = (wg_ip){.family = 4};
    memcpy(out->ipv4.bytes, ip->bytes + 12, 4);
    blocked = classify4(out->ipv4.bytes);
  } else {
    blocked = classify6(ip->bytes);
  }
  out->range = blocked;
  out->allowed = blocked == NULL;
  if (out->allowed) return;
  const char *label;
  if (excepted(pol, ip, &label) || (out->embedded && excepted(pol, &out->ipv4, &label))) {
    out->allowed = true;
    out->exception = true;
    out->range = label;
  }
}

static bool local_name(const char *name) {
  size_t n = strlen(name);
  static const char suffix[] = ".localhost";
  const size_t sn = sizeof suffix - 1;
  return strcmp(name, "localhost") == 0 || (n > sn && strcmp(name + n - sn, suffix) == 0);
}

static wg_pol_code blocked_address(const wg_pol_addr_verdict *v, const wg_pol_host *host,
                                   const wg_ip *ip, wg_pol_error *err) {
  char text[WG_IP_TEXT_MAX];
  wg_ip_format(ip, text);
  if (v->embedded)
    return pol_fail(err, WG_POL_PRIVATE_ADDRESS, WG_POL_RULE_BLOCKED_ADDRESS,
                    "HTTPS blocked local/private address %s for host \"%s\" (%s, "
                    "embedded in %s)", text, host->name, v->range, v->via);
  return pol_fail(err, WG_POL_PRIVATE_ADDRESS, WG_POL_RULE_BLOCKED_ADDRESS,
                  "HTTPS blocked local/private address %s for host \"%s\" (%s)", text,
                  host->name, v->range);
}

wg_pol_code wg_pol_check_address(const wg_policy *pol, const wg_pol_host *host,
                                 const wg_ip *ip, wg_pol_error *err) {
  wg_pol_addr_verdict v;
  wg_pol_classify(pol, ip, &v);
  if (!v.allowed) return blocked_address(&v, host, ip, err);
  pol_ok(err);
  return WG_POL_OK;
}

wg_pol_code wg_pol_check_host(const wg_policy *pol, const wg_pol_host *host,
                              wg_pol_error *err) {
  if (host->kind != WG_POL_HOST_DOMAIN) return wg_pol_check_address(pol, host, &host->ip, err);
  if (local_name(host->name))
    return pol_fail(err, WG_POL_PRIVATE_ADDRESS, WG_POL_RULE_LOCAL_NAME,
                    "HTTPS blocked local/private host \"%s\"", host->name);
  pol_ok(err);
  return WG_POL_OK;
}
