/* cli_explain.c: `wasmgate explain-url [REF] METHOD URL [--json]`: what the
 * https policy decides for one request, and why, without any network
 * access. Without REF: the method, the URL and host rules, the address
 * policy (IP literals, [https] resolve pins, allow_networks). With REF:
 * also authorization of host_api.https for that plugin and which of its
 * grants matches, or why none does. Exit 0 allow, 1 deny, 2 usage. */
#include "cli_plugins.h"
#include "wasmgate/policy.h"

#include <stdlib.h>
#include <string.h>

/* What explain found, printed at the end either way. */
typedef struct explain {
  const char *method;
  bool has_url;
  wg_pol_url url;
  char safe[1024];
  const char *plugin;       /* the reference, or NULL */
  bool has_grant;
  size_t grant;
  char grant_label[512];
  char address_note[256];   /* static note on how the host is judged */
  struct {
    char text[WG_IP_TEXT_MAX];
    bool allowed;
    const char *range;
  } addrs[16];
  size_t addr_count;
  bool allowed;
  wg_pol_error err;
  const char *reason_ok;
} explain;

static void grant_label(const wg_config_https_grant *h, char *out, size_t cap) {
  wg_buf b;
  wg_buf_init(&b, cap - 1);
  wg_buf_append_str(&b, h->host);
  if (h->has_port) wg_buf_printf(&b, ":%u", (unsigned)h->port);
  wg_buf_append_char(&b, ' ');
  for (size_t i = 0; i < h->method_count; i++)
    wg_buf_printf(&b, "%s%s", i ? "," : "", h->methods[i]);
  if (!h->method_count) wg_buf_append_str(&b, "<no-methods>");
  wg_buf_append_char(&b, ' ');
  for (size_t i = 0; i < h->path_prefix_count; i++)
    wg_buf_printf(&b, "%s%s", i ? "," : "", h->path_prefixes[i]);
  if (!h->path_prefix_count) wg_buf_append_char(&b, '*');
  cli_str(out, cap, b.data ? b.data : "");
  wg_buf_free(&b);
}

static bool deny(explain *x) {
  x->allowed = false;
  return false;
}

/* The static part: method, URL, host, addresses. False on deny. */
static bool explain_static(explain *x, const wg_policy *pol, const char *url) {
  if (wg_pol_check_method(x->method, strlen(x->method), &x->err)) return deny(x);
  if (wg_pol_url_parse(url, strlen(url), &x->url, &x->err)) return deny(x);
  x->has_url = true;
  wg_buf b;
  wg_buf_init(&b, sizeof x->safe - 1);
  wg_pol_url_safe(&x->url, &b);
  cli_str(x->safe, sizeof x->safe, b.data ? b.data : "");
  wg_buf_free(&b);
  const wg_pol_host *h = &x->url.host;
  const wg_ip *pins = NULL;
  size_t n = 0;
  if (h->kind != WG_POL_HOST_DOMAIN) {
    pins = &h->ip;
    n = 1;
    snprintf(x->address_note, sizeof x->address_note, "IP literal: no lookup");
  } else if (wg_pol_check_host(pol, h, &x->err)) {
    return deny(x); /* localhost and *.localhost, by name */
  } else if (wg_policy_resolve(pol, h, x->url.port, &pins, &n)) {
    snprintf(x->address_note, sizeof x->address_note,
             "pinned by [https] resolve: not looked up; every address is judged");
  } else {
    snprintf(x->address_note, sizeof x->address_note,
             "resolved at request time; every address must be public or in allow_networks");
  }
  bool ok = true;
  for (size_t i = 0; i < n && i < 16; i++) {
    wg_pol_addr_verdict v;
    wg_pol_classify(pol, &pins[i], &v);
    wg_ip_format(&pins[i], x->addrs[i].text);
    x->addrs[i].allowed = v.allowed;
    x->addrs[i].range = v.range;
    x->addr_count = i + 1;
    if (ok && wg_pol_check_address(pol, h, &pins[i], &x->err)) ok = false;
  }
  return ok ? true : deny(x);
}

static const wg_resolved *find_resolved(const cli_plugins *p, const char *ref) {
  for (size_t i = 0; i < p->res.count; i++)
    if (strcmp(p->res.plugins[i].package->identity, ref) == 0) return &p->res.plugins[i];
  return NULL;
}

/* Authorization and grants for one plugin. False on deny. */
static bool explain_grants(explain *x, const cli_plugins *p, const wg_inspect_item *it) {
  x->plugin = it->reference;
  const wg_resolved *r = find_resolved(p, it->reference);
  if (!r) {
    snprintf(x->err.message, sizeof x->err.message,
             "plugin host API dispatch denied: plugin is not enabled and resolved");
    x->err.code = WG_POL_GRANT_DENIED;
    x->err.rule = WG_POL_RULE_NO_GRANTS;
    return deny(x);
  }
  char msg[WG_AUTH_MESSAGE_MAX];
  if (!wg_authorize_host_api(r, WG_HOST_API_HTTPS, msg)) {
    snprintf(x->err.message, sizeof x->err.message, "plugin host API dispatch denied: %s", msg);
    x->err.code = WG_POL_GRANT_DENIED;
    x->err.rule = WG_POL_RULE_NO_GRANTS;
    return deny(x);
  }
  const wg_config_grants *g = &r->entry->grants;
  wg_pol_grants *gs = wg_pol_grants_new(g->https, g->https_count);
  if (!gs) {
    snprintf(x->err.message, sizeof x->err.message, "out of memory");
    x->err.code = WG_POL_INTERNAL;
    x->err.rule = WG_POL_RULE_NOMEM;
    return deny(x);
  }
  wg_pol_match m;
  wg_pol_code rc = wg_pol_match_grants(gs, x->method, strlen(x->method), &x->url, &m, &x->err);
  wg_pol_grants_free(gs);
  if (m.grant != SIZE_MAX) {
    x->has_grant = true;
    x->grant = m.grant;
    grant_label(&g->https[m.grant], x->grant_label, sizeof x->grant_label);
  }
  return rc ? deny(x) : true;
}

static void print_human(const explain *x) {
  fputs("method: ", stdout);
  cli_print_safe_str(stdout, x->method);
  fputc('\n', stdout);
  if (x->has_url) {
    printf("url: %s\n", x->safe);
    const char *kind = x->url.host.kind == WG_POL_HOST_DOMAIN ? "name"
                       : x->url.host.kind == WG_POL_HOST_IPV4 ? "IPv4 address" : "IPv6 address";
    printf("host: %s (%s)\n", x->url.host.name, kind);
    printf("port: %u\n", (unsigned)x->url.port);
    if (x->address_note[0]) printf("addresses: %s\n", x->address_note);
    for (size_t i = 0; i < x->addr_count; i++)
      printf("  %s: %s%s%s\n", x->addrs[i].text, x->addrs[i].allowed ? "allowed" : "refused",
             x->addrs[i].range ? " by " : " (public)", x->addrs[i].range ? x->addrs[i].range : "");
  }
  if (x->plugin) {
    fputs("plugin: ", stdout);
    cli_print_safe_str(stdout, x->plugin);
    fputc('\n', stdout);
  }
  if (x->has_grant) {
    printf("grant: %zu (", x->grant);
    cli_print_safe_str(stdout, x->grant_label);
    printf(")%s\n", x->allowed ? "" : " came closest");
  }
  printf("decision: %s\n", x->allowed ? "allow" : "deny");
  if (!x->allowed) {
    printf("code: %s\nrule: %s\nreason: ", wg_pol_code_name(x->err.code),
           wg_pol_rule_name(x->err.rule));
    cli_print_safe_str(stdout, x->err.message);
    fputc('\n', stdout);
  } else {
    printf("reason: %s\n", x->reason_ok);
  }
}

static bool print_json(const explain *x) {
  wg_buf out;
  wg_json_writer w;
  wg_buf_init(&out, 0);
  wg_json_writer_init(&w, &out);
  wg_json_writer_begin_object(&w);
  wg_json_writer_key(&w, "decision", 8);
  wg_json_writer_cstr(&w, x->allowed ? "allow" : "deny");
  wg_json_writer_key(&w, "code", 4);
  wg_json_writer_cstr(&w, x->allowed ? NULL : wg_pol_code_name(x->err.code));
  wg_json_writer_key(&w, "rule", 4);
  wg_json_writer_cstr(&w, x->allowed ? NULL : wg_pol_rule_name(x->err.rule));
  wg_json_writer_key(&w, "reason", 6);
  wg_json_writer_cstr(&w, x->allowed ? x->reason_ok : x->err.message);
  wg_json_writer_key(&w, "method", 6);
  wg_json_writer_cstr(&w, x->method);
  wg_json_writer_key(&w, "url", 3);
  wg_json_writer_cstr(&w, x->has_url ? x->safe : NULL);
  wg_json_writer_key(&w, "host", 4);
  wg_json_writer_cstr(&w, x->has_url ? x->url.host.name : NULL);
  wg_json_writer_key(&w, "port", 4);
  if (x->has_url) wg_json_writer_uint(&w, x->url.port);
  else wg_json_writer_null(&w);
  wg_json_writer_key(&w, "addresses", 9);
  wg_json_writer_begin_array(&w);
  for (size_t i = 0; i < x->addr_count; i++) {
    wg_json_writer_begin_object(&w);
    wg_json_writer_key(&w, "address", 7);
    wg_json_writer_cstr(&w, x->addrs[i].text);
    wg_json_writer_key(&w, "allowed", 7);
    wg_json_writer_bool(&w, x->addrs[i].allowed);
    wg_json_writer_key(&w, "range", 5);
    wg_json_writer_cstr(&w, x->addrs[i].range);
    wg_json_writer_end_object(&w);
  }
  wg_json_writer_end_array(&w);
  wg_json_writer_key(&w, "plugin", 6);
  wg_json_writer_cstr(&w, x->plugin);
  wg_json_writer_key(&w, "grant", 5);
  if (x->has_grant) wg_json_writer_uint(&w, x->grant);
  else wg_json_writer_null(&w);
  wg_json_writer_end_object(&w);
  bool ok = wg_json_writer_finish(&w);
  if (ok) printf("%.*s\n", (int)out.len, out.data);
  wg_buf_free(&out);
  return ok;
}

static int explain_run(const cli_args *a) {
  if (a->npos < 2) return cli_usage_error("explain-url needs METHOD and URL (see --help)");
  const char *ref = a->npos == 3 ? a->pos[0] : NULL;
  explain x;
  memset(&x, 0, sizeof x);
  x.method = a->pos[a->npos - 2];
  const char *url = a->pos[a->npos - 1];
  cli_plugins p;
  int rc = cli_plugins_open(a, true, &p);
  wg_policy *pol = NULL;
  if (rc == CLI_EXIT_OK && wg_policy_new(p.cfg, &pol, &x.err))
    rc = cli_fail("%s", x.err.message);
  const wg_inspect_item *it = NULL;
  if (rc == CLI_EXIT_OK && ref) {
    if (wg_inspect(p.cfg, &p.disc, &p.res, &p.insp) != 0) {
      rc = cli_fail("out of memory");
    } else {
      wg_inspect_lookup l = wg_inspect_find(&p.insp, ref, &it);
      if (l != WG_LOOKUP_FOUND) rc = cli_ref_error(ref, l == WG_LOOKUP_AMBIGUOUS, CLI_EXIT_USAGE);
    }
  }
  if (rc == CLI_EXIT_OK) {
    x.allowed = true;
    x.reason_ok = "no plugin given: the URL, host and addresses pass the static policy "
                  "(grants not checked)";
    if (explain_static(&x, pol, url) && it) {
      x.reason_ok = "covered by a grant of this plugin";
      explain_grants(&x, &p, it);
    }
    if (cli_flag(a, "json") ? !print_json(&x) : (print_human(&x), false))
      rc = cli_fail("out of memory");
    else rc = x.allowed ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  }
  wg_pol_url_free(&x.url);
  wg_policy_free(pol);
  cli_plugins_free(&p);
  return rc;
}

static const cli_opt explain_opts[] = {
  {"json", 0, CLI_OPT_FLAG, NULL,
   "print {\"decision\", \"code\", \"rule\", \"reason\", \"method\", \"url\", \"host\", "
   "\"port\", \"addresses\", \"plugin\", \"grant\"}", false},
  {0},
};

const cli_spec cli_explain_url_spec = {
  .name = "explain-url",
  .synopsis = "explain-url [REF] METHOD URL [--json]",
  .summary = "explain the https policy's decision for a METHOD and URL",
  .description =
      "Explains what the https policy decides for a plugin request of METHOD to\n"
      "URL, and why. Without REF: the URL, host and address rules (names are\n"
      "resolved at request time: every address must be public or in\n"
      "[https] allow_networks; [https] resolve pins are applied). With REF (a\n"
      "plugin reference, as `show` takes it): also host_api.https authorization\n"
      "and which grant matches. Never touches the network or runs plugin code.\n"
      "\n"
      "Exit status: 0 allow, 1 deny, 2 usage error.",
  .options = explain_opts,
  .globals = CLI_G_ALL,
  .min_args = 0, /* fewer than 2: explain_run's own message */
  .max_args = 3,
  .run = explain_run,
};
