/* https_secrets.c: reading the secret values a plugin's https grants use
 * (`[secrets] NAME = { env = "VAR" }` or `{ file = "PATH" }`).
 *
 * When: on a call's first request, once per call, and only the secrets
 * named by that plugin's grants (`${secret:NAME}` in header values,
 * `path_secrets`). Why then: a process (or a call) that makes no request
 * never holds a secret value; `wasmgate tools`, `list` and calls without
 * https never read one; a file secret rotated on disk is picked up by the
 * next call without restarting `serve`; and a missing secret fails only
 * the grant that needs it, at the moment it is needed, with its name. The
 * cost is a getenv or one small file read per call that makes requests,
 * next to a TLS handshake.
 *
 * A value is unusable (and every grant that uses it fails closed with
 * https_grant_denied naming the secret, never its value) when the variable
 * is unset, the file cannot be read, or the value is shorter than 8 bytes,
 * longer than 4 KiB or holds a control character (one trailing newline of
 * a file is not part of the value). Copies are wiped before they are
 * freed. */
#include "host_https.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void wipe(void *p, size_t n) {
  volatile unsigned char *v = p;
  while (n--) *v++ = 0;
}

static bool name_listed(const char **names, size_t n, const char *name, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) return true;
  return false;
}

static const wg_config_secret *find_secret(const wg_config *cfg, const char *name, size_t len) {
  for (size_t i = 0; i < cfg->secret_count; i++)
    if (strlen(cfg->secrets[i].name) == len && memcmp(cfg->secrets[i].name, name, len) == 0)
      return &cfg->secrets[i];
  return NULL;
}

static void add_name(const wg_config *cfg, const char **names, size_t *n, const char *name,
                     size_t len) {
  const wg_config_secret *s = find_secret(cfg, name, len);
  if (!s || name_listed(names, *n, name, len) || *n == WG_POL_SECRETS_MAX) return;
  names[(*n)++] = s->name;
}

/* The [secrets] names the plugin's https grants refer to (config order of
 * first use; the config layer checked that each is defined). */
static size_t used_names(const wg_https_ctx *ctx, const char **names) {
  size_t n = 0;
  const wg_config_grants *g = &ctx->plugin->entry->grants;
  for (size_t i = 0; i < g->https_count; i++) {
    const wg_config_https_grant *h = &g->https[i];
    for (size_t k = 0; k < h->header_count; k++) {
      const char *v = h->headers[k].value;
      for (const char *p = strstr(v, "${secret:"); p; p = strstr(p + 1, "${secret:")) {
        const char *name = p + strlen("${secret:");
        const char *end = strchr(name, '}');
        if (end) add_name(ctx->cfg, names, &n, name, (size_t)(end - name));
      }
    }
    for (size_t k = 0; k < h->path_secret_count; k++)
      add_name(ctx->cfg, names, &n, h->path_secrets[k], strlen(h->path_secrets[k]));
  }
  return n;
}

/* Reads a secret file: a regular file of at most the value bound (plus a
 * newline); never blocks on a FIFO. Returns the length or -1. */
static long read_file(const char *base, const char *path, char *buf, size_t cap) {
  char full[4096 + 256];
  if (path[0] != '/' && base) snprintf(full, sizeof full, "%s/%s", base, path);
  else snprintf(full, sizeof full, "%s", path);
  int fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return -1;
  struct stat st;
  long n = -1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size < cap) {
    size_t got = 0;
    ssize_t r;
    while (got < cap && (r = read(fd, buf + got, cap - got)) != 0) {
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) break;
      got += (size_t)r;
    }
    if (got < cap) n = (long)got;
  }
  close(fd);
  if (n > 0 && buf[n - 1] == '\n') n--;
  if (n > 0 && buf[n - 1] == '\r') n--;
  return n;
}

/* One secret: its value into buf, or why it is unusable. */
static long load_one(const wg_https_ctx *ctx, const wg_config_secret *s, char *buf, size_t cap,
                     char *why, size_t why_size) {
  if (s->env) {
    const char *v = getenv(s->env);
    if (!v) {
      snprintf(why, why_size, "its environment variable is not set");
      return -1;
    }
    size_t n = strlen(v);
    if (n >= cap) {
      snprintf(why, why_size, "it is longer than %d bytes", WG_POL_SECRET_VALUE_MAX);
      return -1;
    }
    memcpy(buf, v, n);
    return (long)n;
  }
  long n = read_file(ctx->base_dir, s->file, buf, cap);
  if (n < 0) snprintf(why, why_size, "its file cannot be read (or is over %d bytes)",
                      WG_POL_SECRET_VALUE_MAX);
  return n;
}

bool host_secrets_load(const wg_https_ctx *ctx, host_secrets *out, host_fail *f) {
  memset(out, 0, sizeof *out);
  const char *names[WG_POL_SECRETS_MAX];
  size_t n = used_names(ctx, names);
  wg_pol_secret items[WG_POL_SECRETS_MAX];
  memset(items, 0, sizeof items);
  char *values[WG_POL_SECRETS_MAX] = {0};
  size_t good = 0;
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    const wg_config_secret *s = find_secret(ctx->cfg, names[i], strlen(names[i]));
    size_t cap = WG_POL_SECRET_VALUE_MAX + 3;
    char *buf = malloc(cap);
    if (!buf) {
      ok = false;
      break;
    }
    host_secret_bad *bad = &out->bad[out->bad_count];
    long len = load_one(ctx, s, buf, cap, bad->why, sizeof bad->why);
    wg_pol_secret item = {s->name, (const uint8_t *)buf, len < 0 ? 0 : (size_t)len};
    wg_pol_secrets *one = NULL;
    wg_pol_error pe;
    if (len >= 0 && wg_pol_secrets_new(&item, 1, &one, &pe) != WG_POL_OK) {
      if (pe.code == WG_POL_INTERNAL) ok = false;
      /* Name the rule, never the value: the policy's text names the
       * secret already, so keep only why. */
      snprintf(bad->why, sizeof bad->why, "%s",
               (size_t)len < WG_POL_SECRET_MIN ? "it is shorter than 8 bytes"
               : (size_t)len > WG_POL_SECRET_VALUE_MAX ? "it is longer than 4096 bytes"
                                                        : "it holds a control character");
      len = -1;
    }
    wg_pol_secrets_free(one);
    if (len < 0) {
      bad->name = s->name;
      out->bad_count++;
      wipe(buf, cap);
      free(buf);
      continue;
    }
    values[good] = buf;
    items[good++] = item;
  }
  wg_pol_error pe;
  if (ok && wg_pol_secrets_new(items, good, &out->set, &pe) != WG_POL_OK) ok = false;
  for (size_t i = 0; i < good; i++) {
    wipe(values[i], WG_POL_SECRET_VALUE_MAX + 3);
    free(values[i]);
  }
  if (!ok) {
    host_fail_set(f, WG_ERR_INTERNAL, "out of memory loading secrets");
    host_secrets_free(out);
  }
  return ok;
}

const char *host_secret_problem(const host_secrets *s, const char *name, size_t len) {
  for (size_t i = 0; i < s->bad_count; i++)
    if (strlen(s->bad[i].name) == len && memcmp(s->bad[i].name, name, len) == 0)
      return s->bad[i].why;
  return NULL;
}

void host_secrets_free(host_secrets *s) {
  wg_pol_secrets_free(s->set);
  memset(s, 0, sizeof *s);
}
