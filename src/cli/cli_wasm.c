/* cli_wasm.c: `wasmgate wasm run`: the engine's own entry point for tests and
 * benchmarks. Loads one module, instantiates it with no imports, calls one
 * export with arguments parsed from the command line and prints the results.
 *
 * Output contract (tests/cli/ checks it byte for byte):
 *   stdout  one line per result, `TYPE:VALUE`:
 *             i32/i64   signed decimal                    i32:-1
 *             f32/f64   shortest-safe decimal (%.9g/%.17g) f64:0.1, f32:-0
 *                       inf/-inf; canonical NaN nan/-nan; other NaNs with
 *                       their payload: nan:0x200000, -nan:0x1
 *             refs      funcref:null, externref:null, funcref:non-null
 *   stderr  traps: `trap: CODE: MESSAGE` (CODE = wg_trap_name), exit 1,
 *           also when the deadline stops compilation;
 *           bad modules: `wasmgate: FILE: malformed module at byte N: MSG`
 *           (or invalid module / unsupported feature / module exceeds an
 *           engine limit), exit 1; other failures
 *           `wasmgate: ...`, exit 1; usage errors exit 2. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wasmgate/util.h"
#include "wasmgate/wasm.h"

/* WG_CLI_WASM_* (file size, --max-memory-mb, argument count) are in
 * limits.h. */

/* ---- Argument parsing ---------------------------------------------------- */

static bool all_hex(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!strchr("0123456789abcdefABCDEF", *s)) return false;
  return true;
}

/* 0xHEX (at most `bits` wide) into *out. */
static bool parse_hex_bits(const char *s, unsigned bits, uint64_t *out) {
  if (strncmp(s, "0x", 2) != 0 && strncmp(s, "0X", 2) != 0) return false;
  s += 2;
  if (!all_hex(s) || strlen(s) > 16) return false;
  errno = 0;
  unsigned long long v = strtoull(s, NULL, 16);
  if (errno || (bits < 64 && v >> bits)) return false;
  *out = v;
  return true;
}

/* Decimal in [-2^(bits-1), 2^bits - 1], or 0xHEX; result is the bit pattern. */
static bool parse_int(const char *s, unsigned bits, uint64_t *out) {
  if (parse_hex_bits(s, bits, out)) return true;
  const char *digits = s[0] == '-' || s[0] == '+' ? s + 1 : s;
  if (!*digits || strspn(digits, "0123456789") != strlen(digits)) return false;
  errno = 0;
  if (s[0] == '-') {
    long long v = strtoll(s, NULL, 10);
    if (errno || (bits < 64 && v < -(1ll << (bits - 1)))) return false;
    *out = (uint64_t)v & (bits < 64 ? (1ull << bits) - 1 : UINT64_MAX);
    return true;
  }
  unsigned long long v = strtoull(digits, NULL, 10);
  if (errno || (bits < 64 && v >> bits)) return false;
  *out = v;
  return true;
}

/* inf, nan, nan:0xPAYLOAD with an optional sign; bits = 32 or 64. */
static bool parse_float_special(const char *s, unsigned bits, uint64_t *out) {
  bool neg = s[0] == '-';
  if (s[0] == '-' || s[0] == '+') s++;
  uint64_t sign = neg ? 1ull << (bits - 1) : 0;
  uint64_t exp = bits == 32 ? 0x7f800000ull : 0x7ff0000000000000ull;
  uint64_t quiet = bits == 32 ? 0x00400000ull : 0x0008000000000000ull;
  unsigned payload_bits = bits == 32 ? 23 : 52;
  if (strcmp(s, "inf") == 0 || strcmp(s, "infinity") == 0) {
    *out = sign | exp;
    return true;
  }
  if (strcmp(s, "nan") == 0) {
    *out = sign | exp | quiet;
    return true;
  }
  uint64_t payload;
  if (strncmp(s, "nan:", 4) == 0 &&
      parse_hex_bits(s + 4, payload_bits, &payload) && payload != 0) {
    *out = sign | exp | payload;
    return true;
  }
  return false;
}

static bool parse_float(const char *s, unsigned bits, uint64_t *out) {
  if (parse_float_special(s, bits, out)) return true;
  if ((strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0) && all_hex(s + 2))
    return parse_hex_bits(s, bits, out);
  /* Plain decimal only: no hex floats, no leading spaces, no inf/nan here. */
  if (!*s || strspn(s, "0123456789+-.eE") != strlen(s)) return false;
  char *end;
  errno = 0;
  if (bits == 32) {
    float f = strtof(s, &end);
    if (*end || end == s) return false;
    uint32_t b;
    memcpy(&b, &f, 4);
    *out = b;
  } else {
    double d = strtod(s, &end);
    if (*end || end == s) return false;
    memcpy(out, &d, 8);
  }
  return true; /* overflow to inf / underflow to 0 are accepted (as C does) */
}

static bool parse_arg(const char *s, wg_valtype t, wg_val *out) {
  uint64_t bits = 0;
  out->type = t;
  switch (t) {
  case WG_I32:
    if (!parse_int(s, 32, &bits)) return false;
    out->of.i32 = (uint32_t)bits;
    return true;
  case WG_I64:
    if (!parse_int(s, 64, &bits)) return false;
    out->of.i64 = bits;
    return true;
  case WG_F32:
    if (!parse_float(s, 32, &bits)) return false;
    out->of.f32_bits = (uint32_t)bits;
    return true;
  case WG_F64:
    if (!parse_float(s, 64, &bits)) return false;
    out->of.f64_bits = bits;
    return true;
  case WG_FUNCREF:
    out->of.funcref = NULL;
    return strcmp(s, "null") == 0;
  case WG_EXTERNREF:
    out->of.externref = NULL;
    return strcmp(s, "null") == 0;
  }
  return false;
}

/* ---- Result printing ----------------------------------------------------- */

static void print_nan(uint64_t bits, unsigned width) {
  uint64_t sign = bits >> (width - 1);
  uint64_t payload = bits & ((1ull << (width == 32 ? 23 : 52)) - 1);
  uint64_t canonical = width == 32 ? 0x400000ull : 0x8000000000000ull;
  printf("%snan", sign ? "-" : "");
  if (payload != canonical) printf(":0x%" PRIx64, payload);
}

static void print_result(const wg_val *v) {
  printf("%s:", wg_valtype_name(v->type)); /* never NULL: WG_NAME_UNKNOWN */
  switch (v->type) {
  case WG_I32: printf("%" PRId32, (int32_t)v->of.i32); break;
  case WG_I64: printf("%" PRId64, (int64_t)v->of.i64); break;
  case WG_F32: {
    float f;
    memcpy(&f, &v->of.f32_bits, 4);
    if (isnan(f)) print_nan(v->of.f32_bits, 32);
    else if (isinf(f)) printf("%sinf", f < 0 ? "-" : "");
    else printf("%.9g", (double)f);
    break;
  }
  case WG_F64: {
    double d;
    memcpy(&d, &v->of.f64_bits, 8);
    if (isnan(d)) print_nan(v->of.f64_bits, 64);
    else if (isinf(d)) printf("%sinf", d < 0 ? "-" : "");
    else printf("%.17g", d);
    break;
  }
  case WG_FUNCREF: printf("%s", v->of.funcref ? "non-null" : "null"); break;
  case WG_EXTERNREF: printf("%s", v->of.externref ? "non-null" : "null"); break;
  }
  putchar('\n');
}

/* Writes name[0..len) with non-printable bytes as \xNN (names are
 * untrusted bytes and may contain control characters). */
static void quote_name(char *dst, size_t size, const char *name, size_t len) {
  size_t o = 0;
  for (size_t i = 0; i < len && o + 5 < size; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') dst[o++] = (char)c;
    else o += (size_t)snprintf(dst + o, size - o, "\\x%02x", c);
  }
  dst[o] = '\0';
}

/* ---- The run ------------------------------------------------------------- */

typedef struct wasm_run_opts {
  const char *file;
  const char *invoke;
  const char *const *args;
  size_t arg_count;
  uint64_t fuel;       /* 0: none */
  uint64_t timeout_ms; /* 0: none */
  uint64_t memory_mb;  /* 0: WG_CLI_WASM_DEFAULT_MEMORY_MB */
} wasm_run_opts;

static int report_module_error(const char *file, wg_wasm_code r,
                               const wg_wasm_error *err) {
  const char *what = r == WG_WASM_MALFORMED   ? "malformed module"
                     : r == WG_WASM_INVALID   ? "invalid module"
                     : r == WG_WASM_UNSUPPORTED ? "unsupported feature"
                     : r == WG_WASM_LIMIT     ? "module exceeds an engine limit"
                                                : NULL;
  if (what)
    return cli_fail("%s: %s at byte %zu: %s", file, what, err->offset,
                    err->message);
  return cli_fail("%s: cannot load module: %s: %s", file,
                  wg_wasm_code_name(r), err->message);
}

static int report_call_error(const char *file, wg_wasm_code r,
                             const wg_wasm_error *err) {
  if (r == WG_WASM_TRAP) {
    fprintf(stderr, "trap: %s: %s\n", wg_trap_name(err->trap), err->message);
    return CLI_EXIT_FAIL;
  }
  return cli_fail("%s: %s: %s", file, wg_wasm_code_name(r), err->message);
}

/* Finds the export, checks and parses the arguments, calls, prints. */
static int call_export(wg_store *s, wg_instance *inst, const wasm_run_opts *o) {
  wg_extern ext;
  if (!wg_instance_export(inst, o->invoke, strlen(o->invoke), &ext) ||
      ext.kind != WG_EXTERN_FUNC)
    return cli_fail("%s: no exported function \"%s\"", o->file, o->invoke);
  const wg_functype *ft = wg_func_type(ext.of.func);
  if (ft->param_count != o->arg_count)
    return cli_usage_error("wasm run: %s takes %" PRIu32 " argument%s, got %zu",
                           o->invoke, ft->param_count,
                           ft->param_count == 1 ? "" : "s", o->arg_count);
  if (ft->result_count > WG_CLI_WASM_MAX_VALUES)
    return cli_fail("%s: %s has too many results", o->file, o->invoke);
  wg_val *args = calloc(o->arg_count + 1, sizeof *args);
  wg_val *results = calloc((size_t)ft->result_count + 1, sizeof *results);
  int rc = CLI_EXIT_OK;
  if (!args || !results) {
    rc = cli_fail("out of memory");
    goto out;
  }
  for (size_t i = 0; i < o->arg_count; i++) {
    if (!parse_arg(o->args[i], ft->params[i], &args[i])) {
      rc = cli_usage_error("wasm run: argument %zu: '%s' is not a valid %s",
                           i + 1, o->args[i], wg_valtype_name(ft->params[i]));
      goto out;
    }
  }
  wg_wasm_error err = {0};
  wg_wasm_code r = wg_func_call(s, ext.of.func, args, o->arg_count, results,
                                  ft->result_count, &err);
  if (r != WG_WASM_OK) {
    rc = report_call_error(o->file, r, &err);
    goto out;
  }
  for (uint32_t i = 0; i < ft->result_count; i++) print_result(&results[i]);
out:
  free(args);
  free(results);
  return rc;
}

/* Imports cannot be satisfied here: name the first one. */
static int report_imports(const char *file, const wg_module *m) {
  wg_import_info imp;
  if (!wg_module_import(m, 0, &imp))
    return cli_fail("%s: link error: the module has imports", file);
  char mod[200], name[200];
  quote_name(mod, sizeof mod, imp.module, imp.module_len);
  quote_name(name, sizeof name, imp.name, imp.name_len);
  return cli_fail("%s: link error: unknown import \"%s\".\"%s\" "
                  "(wasm run provides no imports)", file, mod, name);
}

/* The run's limits: the deadline starts now, before the module is read and
 * compiled, so that compilation is under it too. */
static wg_limits run_limits(const wasm_run_opts *o) {
  wg_limits limits = {0};
  limits.fuel = o->fuel;
  if (o->timeout_ms) {
    uint64_t ns = o->timeout_ms > UINT64_MAX / 2000000 ? UINT64_MAX / 2
                                                       : o->timeout_ms * 1000000;
    limits.deadline_ns = wg_now_ns() + ns;
  }
  uint64_t mb = o->memory_mb ? o->memory_mb : WG_CLI_WASM_DEFAULT_MEMORY_MB;
  limits.max_store_bytes = mb << 20;
  limits.max_memory_pages = (uint32_t)(mb * 16);
  return limits;
}

static int wasm_run(const wasm_run_opts *o) {
  unsigned char *bytes = NULL;
  size_t len = 0;
  char msg[512];
  wg_limits limits = run_limits(o);
  /* Refuse an oversized regular file before reading any of it. */
  struct stat st;
  if (strcmp(o->file, "-") != 0 && stat(o->file, &st) == 0 &&
      S_ISREG(st.st_mode) && (uint64_t)st.st_size > WG_CLI_WASM_MAX_FILE)
    return cli_fail("%s is larger than the limit of %zu bytes", o->file,
                    (size_t)WG_CLI_WASM_MAX_FILE);
  if (cli_read_file(o->file, WG_CLI_WASM_MAX_FILE, &bytes, &len, msg, sizeof msg))
    return cli_fail("%s", msg);
  wg_module *m = NULL;
  wg_wasm_error err = {0};
  wg_module_limits ml = {.deadline_ns = limits.deadline_ns};
  wg_wasm_code r = wg_module_new_limited(bytes, len, &ml, &m, &err);
  free(bytes);
  if (r == WG_WASM_TRAP) return report_call_error(o->file, r, &err);
  if (r != WG_WASM_OK) return report_module_error(o->file, r, &err);
  if (wg_module_import_count(m) > 0) {
    int rc = report_imports(o->file, m);
    wg_module_release(m);
    return rc;
  }
  wg_store *s = wg_store_new(&limits);
  int rc;
  if (!s) {
    rc = cli_fail("out of memory");
    goto out;
  }
  wg_instance *inst = NULL;
  r = wg_instance_new(s, m, NULL, 0, &inst, &err);
  if (r == WG_WASM_TRAP) rc = report_call_error(o->file, r, &err);
  else if (r != WG_WASM_OK)
    rc = cli_fail("%s: cannot instantiate: %s: %s", o->file,
                  wg_wasm_code_name(r), err.message);
  else rc = call_export(s, inst, o);
out:
  wg_store_free(s);
  wg_module_release(m);
  return rc;
}

/* The options, read into o; false after printing a usage error. */
static bool read_options(const cli_args *a, wasm_run_opts *o) {
  unsigned long long v;
  o->invoke = cli_value(a, "invoke");
  if (cli_value(a, "fuel")) {
    if (!cli_uint_value(a, "fuel", 1, UINT64_MAX, &v)) return false;
    o->fuel = v;
  }
  if (cli_value(a, "timeout-ms")) {
    if (!cli_uint_value(a, "timeout-ms", 1, UINT64_MAX, &v)) return false;
    o->timeout_ms = v;
  }
  if (cli_value(a, "max-memory-mb")) {
    if (!cli_uint_value(a, "max-memory-mb", 1, WG_CLI_WASM_MAX_MEMORY_MB, &v)) return false;
    o->memory_mb = v;
  }
  return true;
}

static int wasm_main(const cli_args *a) {
  if (a->npos == 0) { /* `wasmgate wasm`: what there is to run */
    cli_print_help(stderr, &cli_wasm_spec);
    return CLI_EXIT_USAGE;
  }
  if (strcmp(a->pos[0], "run") != 0)
    return cli_usage_error("wasm: unknown subcommand '%s' (see wasmgate wasm --help)", a->pos[0]);
  if (a->npos < 2) return cli_usage_error("wasm run: missing FILE (see --help)");
  wasm_run_opts o = {.file = a->pos[1], .args = a->pos + 2, .arg_count = (size_t)a->npos - 2};
  if (!read_options(a, &o)) return CLI_EXIT_USAGE;
  if (!o.invoke) return cli_usage_error("wasm run: missing --invoke NAME");
  return wasm_run(&o);
}

static const cli_opt wasm_opts[] = {
  {"invoke", 0, CLI_OPT_VALUE, "NAME", "exported function to call (required)", false},
  {"fuel", 0, CLI_OPT_VALUE, "N", "stop after N wasm instructions (trap fuel_exhausted)", false},
  {"timeout-ms", 0, CLI_OPT_VALUE, "N",
   "stop after N ms of wall-clock time, counted from before the module is compiled "
   "(trap deadline)", false},
  {"max-memory-mb", 0, CLI_OPT_VALUE, "N",
   "linear memory and tables together may hold at most N MiB (default 64, at most 4096); "
   "memory.grow and table.grow past it return -1", false},
  {0},
};

const cli_spec cli_wasm_spec = {
  .name = "wasm",
  .synopsis = "wasm run FILE --invoke NAME [ARG...] [--fuel N] [--timeout-ms N] "
              "[--max-memory-mb N]",
  .summary = "run a function of a WebAssembly module (engine entry)",
  .description =
      "Loads FILE (a binary WebAssembly module, at most 256 MiB), validates\n"
      "and instantiates it with no imports, calls the exported function NAME\n"
      "and prints each result on its own line as TYPE:VALUE. Without --fuel\n"
      "or --timeout-ms there is no fuel or time limit. `--` ends the options:\n"
      "what follows are arguments.\n"
      "\n"
      "Arguments, parsed by the function's parameter types:\n"
      "  i32, i64   decimal, signed or unsigned (-1, 4294967295), or 0xHEX bits\n"
      "  f32, f64   decimal (1.5, -0, 1e-3), inf, -inf, nan, -nan,\n"
      "             nan:0xPAYLOAD, or 0xHEX (hex digits only) = raw bit pattern\n"
      "  funcref, externref   null\n"
      "\n"
      "Results: i32/i64 signed decimal; f32/f64 as %.9g/%.17g (round-trips),\n"
      "inf/-inf, nan/-nan for canonical NaNs, nan:0xPAYLOAD otherwise;\n"
      "references as funcref:null / externref:null / TYPE:non-null.\n"
      "\n"
      "Exit status: 0 ok; 1 trap (stderr: trap: CODE: MESSAGE), bad module,\n"
      "link error or missing export; 2 usage error.",
  .options = wasm_opts,
  .min_args = 0,
  .max_args = 2 + WG_CLI_WASM_MAX_VALUES,
  .dash_args = true,
  .run = wasm_main,
};
