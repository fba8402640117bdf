/* abi.c: the `yoi:tool` host functions and import validation of the
 * `yoi-plugin-wasm-1` ABI (docs/design.md#the-abi).
 *
 * Read calls copy only when `len` is exactly the full length (else -1, not
 * sticky). output_write failures are sticky: the first one is kept in
 * host_call.sticky and fails the call after the guest returns, whatever
 * it writes later. Successful writes replace each other (last write wins).
 * `yoi:https` is linked only when granted (its functions are in
 * https_abi.c). Host functions never trap on a guest mistake: every one is
 * a return value or a sticky error (only the call's own cancellation or
 * deadline, seen during a request, ends the run as a trap). */
#include "host_https.h"
#include "pkg_abi.h"
#include "wasmgate/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ret(wg_val *results, int32_t v) {
  results[0].type = WG_I32;
  results[0].of.i32 = (uint32_t)v;
}

/* Copies src to guest memory at ptr only if len is exactly src_len. */
static int32_t exact_read(wg_caller *c, const wg_val *args, const char *src,
                          size_t src_len) {
  int32_t ptr = (int32_t)args[0].of.i32, len = (int32_t)args[1].of.i32;
  wg_memory *mem = wg_caller_memory(c);
  if (ptr < 0 || len < 0 || !mem || (size_t)len != src_len) return -1;
  if (!wg_memory_write(mem, (uint32_t)ptr, src, src_len)) return -1;
  return len;
}

void host_sticky(host_call *hc, wg_err code, const char *msg) {
  if (hc->sticky != WG_ERR_NONE) return; /* the first error is the one kept */
  hc->sticky = code;
  size_t n = strlen(msg);
  if (n >= sizeof hc->sticky_message) n = sizeof hc->sticky_message - 1;
  memcpy(hc->sticky_message, msg, n);
  hc->sticky_message[n] = '\0';
}

static wg_trap h_tool_name_len(wg_caller *c, void *user, const wg_val *args,
                               wg_val *results) {
  (void)c, (void)args;
  host_call *hc = user;
  hc->host_calls++;
  ret(results, (int32_t)hc->tool_name_len);
  return WG_TRAP_NONE;
}

static wg_trap h_tool_name_read(wg_caller *c, void *user, const wg_val *args,
                                wg_val *results) {
  host_call *hc = user;
  hc->host_calls++;
  ret(results, exact_read(c, args, hc->tool_name, hc->tool_name_len));
  return WG_TRAP_NONE;
}

static wg_trap h_input_len(wg_caller *c, void *user, const wg_val *args,
                           wg_val *results) {
  (void)c, (void)args;
  host_call *hc = user;
  hc->host_calls++;
  ret(results, (int32_t)hc->input_len);
  return WG_TRAP_NONE;
}

static wg_trap h_input_read(wg_caller *c, void *user, const wg_val *args,
                            wg_val *results) {
  host_call *hc = user;
  hc->host_calls++;
  ret(results, exact_read(c, args, hc->input, hc->input_len));
  return WG_TRAP_NONE;
}

static size_t output_bound(const host_call *hc) {
  return hc->max_output ? hc->max_output : WG_HOST_MAX_OUTPUT_WRITE;
}

static wg_trap h_output_write(wg_caller *c, void *user, const wg_val *args,
                              wg_val *results) {
  host_call *hc = user;
  hc->host_calls++;
  int32_t ptr = (int32_t)args[0].of.i32, len = (int32_t)args[1].of.i32;
  wg_memory *mem = wg_caller_memory(c);
  ret(results, -1);
  if (ptr < 0 || len < 0) {
    host_sticky(hc, WG_ERR_OUTPUT_INVALID, "output_write got a negative pointer or length");
    return WG_TRAP_NONE;
  }
  if ((size_t)len > output_bound(hc)) {
    char msg[96];
    snprintf(msg, sizeof msg, "guest output exceeds %zu bytes", output_bound(hc));
    host_sticky(hc, WG_ERR_OUTPUT_TOO_LARGE, msg);
    return WG_TRAP_NONE;
  }
  if (!mem) {
    host_sticky(hc, WG_ERR_OUTPUT_INVALID, "output_write without an exported memory");
    return WG_TRAP_NONE;
  }
  if ((size_t)len + 1 > hc->output_cap) {
    /* Grows to the largest write so far; len is already under the bound. */
    char *grown = realloc(hc->output, (size_t)len + 1);
    if (!grown) {
      host_sticky(hc, WG_ERR_INTERNAL, "out of memory for the output");
      return WG_TRAP_NONE;
    }
    hc->output = grown;
    hc->output_cap = (size_t)len + 1;
  }
  if (!wg_memory_read(mem, (uint32_t)ptr, hc->output, (size_t)len)) {
    host_sticky(hc, WG_ERR_OUTPUT_INVALID, "output_write range is outside guest memory");
    return WG_TRAP_NONE;
  }
  hc->output_len = (size_t)len;
  hc->output[len] = '\0';
  hc->output_written = true;
  ret(results, len);
  return WG_TRAP_NONE;
}

/* Implementations of the ABI's imports; names and types live in the
 * package layer's table (pkg_abi_import_at), which `check` uses too. */
static const wg_host_fn host_impl[PKG_ABI_IMPORT_COUNT] = {
  [PKG_ABI_TOOL_NAME_LEN] = h_tool_name_len,
  [PKG_ABI_TOOL_NAME_READ] = h_tool_name_read,
  [PKG_ABI_INPUT_LEN] = h_input_len,
  [PKG_ABI_INPUT_READ] = h_input_read,
  [PKG_ABI_OUTPUT_WRITE] = h_output_write,
  [PKG_ABI_HTTPS_REQUEST] = host_h_https_request,
  [PKG_ABI_HTTPS_RESPONSE_LEN] = host_h_https_response_len,
  [PKG_ABI_HTTPS_RESPONSE_READ] = host_h_https_response_read,
};

static bool name_is(const wg_import_info *im, const char *module) {
  return im->module_len == strlen(module) &&
         memcmp(im->module, module, im->module_len) == 0;
}

/* Short, sanitized copy of a guest-chosen name for a message. */
static void short_name(char *dst, size_t size, const char *s, size_t len) {
  wg_error_sanitize(dst, size, s, len);
}

/* Resolves one import to its ABI import id, or explains why
 * not (yoi's order: module, then authorization, then name). */
static int resolve(const wg_import_info *im, bool https_granted,
                   wg_error *err) {
  char mod[72], name[72];
  short_name(mod, sizeof mod, im->module, im->module_len);
  short_name(name, sizeof name, im->name, im->name_len);
  int id = pkg_abi_find_import(im->module, im->module_len, im->name,
                              im->name_len);
  if (name_is(im, "yoi:tool")) {
    if (id < 0) {
      wg_error_set(err, WG_ERR_LINK_ERROR,
                   "unsupported host import `%s`; no filesystem, ambient network, "
                   "environment, or WASI imports are available", name);
      return -1;
    }
  } else if (name_is(im, "yoi:https")) {
    if (!https_granted) {
      wg_error_set(err, WG_ERR_PERMISSION_DENIED,
                   "plugin host API dispatch denied: host_api.https is not granted");
      return -1;
    }
    if (id < 0) {
      wg_error_set(err, WG_ERR_LINK_ERROR, "unsupported https host import `%s`", name);
      return -1;
    }
  } else if (name_is(im, "yoi:fs")) {
    wg_error_set(err, WG_ERR_UNSUPPORTED, "host_api.fs is not implemented");
    return -1;
  } else {
    wg_error_set(err, WG_ERR_LINK_ERROR,
                 "unsupported import module `%s`; only `yoi:tool` and `yoi:https` "
                 "are available", mod);
    return -1;
  }
  if (!pkg_abi_import_type_ok(im, (pkg_abi_import_id)id)) {
    wg_error_set(err, WG_ERR_LINK_ERROR, "host import `%s`.`%s` has the wrong type",
                 mod, name);
    return -1;
  }
  return id;
}

bool host_bind(wg_store *s, const wg_module *m, host_call *hc,
               wg_extern *imports, wg_error *err) {
  size_t n = wg_module_import_count(m);
  for (size_t i = 0; i < n; i++) {
    wg_import_info im;
    if (!wg_module_import(m, i, &im)) {
      wg_error_set(err, WG_ERR_INTERNAL, "cannot read import %zu", i);
      return false;
    }
    int id = resolve(&im, hc->https_granted, err);
    if (id < 0) return false;
    wg_func *f = wg_func_new_host(s, &pkg_abi_import_at((pkg_abi_import_id)id)->type,
                                  host_impl[id], hc);
    if (!f) {
      wg_error_set(err, WG_ERR_INTERNAL, "out of memory linking imports");
      return false;
    }
    imports[i].kind = WG_EXTERN_FUNC;
    imports[i].of.func = f;
  }
  return true;
}

/* The package layer's check, so a call refuses exactly what `check` does. */
bool host_check_exports(const wg_module *m, wg_error *err) {
  const char *problem = pkg_abi_export_problem(m);
  if (!problem) return true;
  wg_error_set(err, WG_ERR_MODULE_INVALID, "%s", problem);
  return false;
}

void host_call_free(host_call *hc) {
  free(hc->output);
  hc->output = NULL;
  hc->output_len = hc->output_cap = 0;
  host_https_state_free(hc);
}
