/* cli_opts.c: the one option parser of `wasmgate` (cli.h explains how a
 * command plugs in). Global options may come before or after the command
 * and mean the same in both places; every usage error is one message and
 * exit 2. Whatever argv holds, nothing here allocates more than one string
 * per path option given (at most CLI_MAX_OPTS + 4) and, for a command with
 * more than CLI_MAX_ARGS arguments, one array of at most max_args pointers. */
#include "cli.h"
#include "wasmgate/util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The global options, in help order; cli_global_bits[i] is the CLI_G_*
 * bit of cli_global_opts[i]. */
const cli_opt cli_global_opts[] = {
  {"workspace", 0, CLI_OPT_PATH, "DIR", "workspace directory (default: the current directory)", false},
  {"config", 0, CLI_OPT_PATH, "FILE", "config file (default: WORKSPACE/wasmgate.toml)", false},
  {"project-store", 0, CLI_OPT_PATH, "DIR",
   "project plugin store (default: [stores] project, else WORKSPACE/.yoi/plugins)", false},
  {"user-store", 0, CLI_OPT_PATH, "DIR",
   "user plugin store (default: [stores] user, else "
   "${XDG_DATA_HOME:-$HOME/.local/share}/yoi/plugins)", false},
  {0},
};
const unsigned cli_global_bits[] = {CLI_G_WORKSPACE, CLI_G_CONFIG, CLI_G_STORES, CLI_G_STORES};

/* An argument shown in a message: at most 80 bytes, cut on a UTF-8
 * boundary, control characters as '?' (argv is the user's own text, but may
 * hold anything). */
static const char *shown(const char *s, char buf[84]) {
  char clean[81]; /* one byte past 80 tells a longer argument */
  size_t n = 0;
  for (; s[n] && n < sizeof clean; n++)
    clean[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n];
  wg_utf8_cut(buf, 84, clean, n, 80, "...");
  return buf;
}

static int usage(const cli_spec *spec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage(const cli_spec *spec, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wasmgate: ", stderr);
  if (spec) fprintf(stderr, "%s: ", spec->name);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return CLI_EXIT_USAGE;
}

static size_t opt_count(const cli_opt *t) {
  size_t n = 0;
  while (t && t[n].name) n++;
  return n;
}

/* The option named name[0..len) (or the short one), or NULL. */
static const cli_opt *find_opt(const cli_opt *t, const char *name, size_t len, char short_name) {
  for (size_t i = 0; t && t[i].name; i++) {
    if (short_name ? t[i].short_name == short_name
                   : strlen(t[i].name) == len && memcmp(t[i].name, name, len) == 0)
      return &t[i];
  }
  return NULL;
}

/* A path option made absolute against the current directory. */
static const char *absolute(cli_args *a, const char *v) {
  if (v[0] == '/' || a->nowned >= (int)(sizeof a->owned / sizeof a->owned[0])) return v;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return v; /* relative to an unknown cwd: as given */
  size_t n = strlen(cwd) + strlen(v) + 2;
  char *p = malloc(n);
  if (!p) return v;
  snprintf(p, n, "%s/%s", cwd, v);
  a->owned[a->nowned++] = p;
  return p;
}

static const char **global_slot(cli_args *a, size_t i) {
  switch (i) {
  case 0: return &a->workspace;
  case 1: return &a->config;
  case 2: return &a->project_store;
  default: return &a->user_store;
  }
}

typedef struct parse_state {
  const cli_spec *spec;
  int argc;
  char **argv;
  int i;
  cli_args *a;
} parse_state;

/* The value of the option at argv[i] (inline after '=' or the next
 * argument); NULL after printing the error. A path may not be empty; other
 * values are judged by the command (cli_uint_value names the value). */
static const char *take_value(parse_state *ps, const char *opt_text, const char *inline_val,
                              bool path) {
  char b[84];
  const char *v = inline_val;
  if (!v) {
    if (ps->i + 1 >= ps->argc) {
      usage(ps->spec, "%s needs a value", shown(opt_text, b));
      return NULL;
    }
    v = ps->argv[++ps->i];
  }
  if (!v[0] && path) {
    usage(ps->spec, "%s needs a non-empty value", shown(opt_text, b));
    return NULL;
  }
  return v;
}

/* One argument that starts with '-'. Returns 0 or CLI_EXIT_USAGE. */
static int parse_option(parse_state *ps) {
  const char *arg = ps->argv[ps->i];
  char b[84], name_text[84];
  const char *name = NULL, *inline_val = NULL;
  size_t len = 0;
  char short_name = 0;
  if (arg[1] == '-') {
    name = arg + 2;
    const char *eq = strchr(name, '=');
    len = eq ? (size_t)(eq - name) : strlen(name);
    inline_val = eq ? eq + 1 : NULL;
  } else if (arg[2] == '\0') {
    short_name = arg[1];
  }
  /* The text naming the option in messages, without any "=VALUE". */
  snprintf(name_text, sizeof name_text, "%.*s", short_name ? 2 : (int)(len + 2 < 80 ? len + 2 : 80),
           arg);
  const cli_opt *g = name || short_name ? find_opt(cli_global_opts, name, len, short_name) : NULL;
  const cli_opt *o = !g && (name || short_name) && ps->spec
                         ? find_opt(ps->spec->options, name, len, short_name)
                         : NULL;
  if (!g && !o) {
    if (!ps->spec && name && len == 7 && memcmp(name, "version", 7) == 0 && !inline_val) {
      ps->a->version = true;
      return 0;
    }
    return usage(ps->spec, "unknown option '%s' (see --help)", shown(arg, b));
  }
  if (g) {
    size_t gi = (size_t)(g - cli_global_opts);
    if (ps->spec && !(ps->spec->globals & cli_global_bits[gi]))
      return usage(ps->spec, "--%s does not apply to this command (see --help)", g->name);
    const char **slot = global_slot(ps->a, gi);
    if (*slot) return usage(ps->spec, "--%s given twice", g->name);
    const char *v = take_value(ps, name_text, inline_val, true);
    if (!v) return CLI_EXIT_USAGE;
    *slot = absolute(ps->a, v);
    if (gi == 1) ps->a->config_arg = v;
    return 0;
  }
  size_t oi = (size_t)(o - ps->spec->options);
  if (o->kind == CLI_OPT_FLAG) {
    if (inline_val) return usage(ps->spec, "--%s takes no value", o->name);
    ps->a->value[oi] = "";
    return 0;
  }
  cli_args *a = ps->a;
  bool list = o->kind == CLI_OPT_LIST;
  if (a->value[oi] && !list) return usage(ps->spec, "%s given twice", shown(name_text, b));
  if (a->value[oi] && a->nmore >= CLI_MAX_REPEATS)
    return usage(ps->spec, "--%s given too many times", o->name);
  const char *v = take_value(ps, name_text, inline_val, o->kind == CLI_OPT_PATH);
  if (!v) return CLI_EXIT_USAGE;
  if (o->kind == CLI_OPT_PATH) v = absolute(a, v);
  if (!a->value[oi]) {
    a->value[oi] = v;
  } else {
    a->more[a->nmore] = v;
    a->more_opt[a->nmore++] = (unsigned char)oi;
  }
  return 0;
}

/* Where the positional arguments go: the fixed array, or (a command that
 * takes more than CLI_MAX_ARGS, like `wasm run`'s function arguments) one
 * allocation of at most max_args pointers, never more than argv holds.
 * Returns how many fit, or -1 (out of memory, message printed). */
static int positional_room(const cli_spec *spec, int argc, int from, cli_args *a) {
  a->pos = a->pos_inline;
  int rest = argc - from > 0 ? argc - from : 0;
  int want = rest < spec->max_args ? rest : spec->max_args;
  if (want <= CLI_MAX_ARGS) return spec->max_args < CLI_MAX_ARGS ? spec->max_args : CLI_MAX_ARGS;
  a->pos_heap = malloc((size_t)want * sizeof *a->pos_heap);
  if (!a->pos_heap) {
    fprintf(stderr, "wasmgate: %s: out of memory\n", spec->name);
    return -1;
  }
  a->pos = a->pos_heap;
  return want;
}

int cli_parse(const cli_spec *spec, int argc, char **argv, int from, cli_args *a,
              int *next) {
  a->spec = spec;
  if (spec && opt_count(spec->options) > CLI_MAX_OPTS) return usage(spec, "too many options");
  int room = spec ? positional_room(spec, argc, from, a) : 0;
  if (room < 0) return CLI_EXIT_FAIL;
  parse_state ps = {spec, argc, argv, from, a};
  bool options_done = false;
  for (; ps.i < argc; ps.i++) {
    const char *arg = argv[ps.i];
    bool option = !options_done && arg[0] == '-' && arg[1] != '\0';
    /* `wasm run`: -1, -inf are arguments; only --name and -h are options. */
    if (option && spec && spec->dash_args && arg[1] != '-' && !cli_is_help(arg)) option = false;
    if (option && spec && strcmp(arg, "--") == 0) {
      options_done = true;
      continue;
    }
    if (option && cli_is_help(arg)) {
      a->help = true;
      continue;
    }
    if (option) {
      if (parse_option(&ps) != 0) return CLI_EXIT_USAGE;
      continue;
    }
    if (!spec) break; /* main: this is the command */
    char b[84];
    if (a->npos >= room)
      return usage(spec, "unexpected argument '%s' (see --help)", shown(arg, b));
    a->pos[a->npos++] = arg;
  }
  if (next) *next = ps.i;
  if (!spec || a->help) return 0;
  bool missing = a->npos < spec->min_args;
  for (size_t i = 0; spec->options && spec->options[i].name; i++)
    if (spec->options[i].required && !a->value[i]) missing = true;
  if (missing) return usage(spec, "usage: wasmgate %s", spec->synopsis);
  return 0;
}

void cli_args_free(cli_args *a) {
  for (int i = 0; i < a->nowned; i++) free(a->owned[i]);
  a->nowned = 0;
  free((void *)a->pos_heap);
  a->pos_heap = NULL;
  a->pos = a->pos_inline;
}

/* The index of the spec option `name`; names are the spec's own, so a
 * miss is a programming error caught by the tests. */
static int opt_index(const cli_args *a, const char *name) {
  for (size_t i = 0; a->spec && a->spec->options && a->spec->options[i].name; i++)
    if (strcmp(a->spec->options[i].name, name) == 0) return (int)i;
  return -1;
}

bool cli_flag(const cli_args *a, const char *name) {
  int i = opt_index(a, name);
  return i >= 0 && a->value[i] != NULL;
}

const char *cli_value(const cli_args *a, const char *name) {
  int i = opt_index(a, name);
  return i >= 0 ? a->value[i] : NULL;
}

size_t cli_values(const cli_args *a, const char *name, const char **out, size_t cap) {
  int i = opt_index(a, name);
  if (i < 0 || !a->value[i]) return 0;
  size_t n = 0;
  if (n < cap) out[n] = a->value[i];
  n++;
  for (int k = 0; k < a->nmore; k++) {
    if (a->more_opt[k] != i) continue;
    if (n < cap) out[n] = a->more[k];
    n++;
  }
  return n;
}

bool cli_uint_value(const cli_args *a, const char *name, unsigned long long min,
                    unsigned long long max, unsigned long long *out) {
  const char *v = cli_value(a, name);
  if (!v) return false;
  char *end = NULL;
  /* Decimal digits only (strtoull alone would take "-5", " 5", "0x5"), at
   * most 20 of them so overflow cannot wrap. */
  size_t digits = strspn(v, "0123456789");
  errno = 0;
  unsigned long long n = digits && digits <= 20 && !v[digits] ? strtoull(v, &end, 10) : 0;
  if (errno == ERANGE) end = NULL;
  if (!end || *end || n < min || n > max) {
    char b[84];
    usage(a->spec, "--%s needs an integer from %llu to %llu, got '%s'", name, min, max,
          shown(v, b));
    return false;
  }
  *out = n;
  return true;
}
