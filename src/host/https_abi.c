/* https_abi.c: the `yoi:https` imports (docs/https.md#the-abi):
 *
 *   request(ptr, len) -> i32      the response JSON's length, or -1
 *   response_len() -> i32         the last response's length (0: none)
 *   response_read(ptr, len) -> i32  copies it; len must be exact, else -1
 *
 * A failed request records a sticky error with its https_* code (the
 * call then fails with it, whatever the guest writes later), clears the
 * last response, and refuses every later request without any network
 * access. The call's cancellation or deadline seen during a request ends
 * the run at once as the engine's `cancelled` / deadline trap, so the call
 * reports `cancelled` or `timeout` as for any other stop. */
#include "host_https.h"

#include <stdlib.h>
#include <string.h>

static void ret(wg_val *results, int32_t v) {
  results[0].type = WG_I32;
  results[0].of.i32 = (uint32_t)v;
}

static host_https_state *state_of(host_call *hc) {
  if (!hc->https_state) hc->https_state = calloc(1, sizeof *hc->https_state);
  return hc->https_state;
}

static void clear_response(host_https_state *st) {
  free(st->response);
  st->response = NULL;
  st->response_len = 0;
}

/* Reads the descriptor from guest memory; NULL (and a sticky error) if it
 * cannot be: negative or over-long, no memory, out of bounds. */
static char *read_descriptor(wg_caller *c, host_call *hc, const wg_val *args, size_t *len) {
  int32_t ptr = (int32_t)args[0].of.i32, n = (int32_t)args[1].of.i32;
  wg_memory *mem = wg_caller_memory(c);
  if (ptr < 0 || n < 0) {
    host_sticky(hc, WG_ERR_HTTPS_URL_REJECTED, "HTTPS request got a negative pointer or length");
    return NULL;
  }
  if (n > WG_HOST_MAX_HTTPS_REQUEST) {
    host_sticky(hc, WG_ERR_HTTPS_BODY_TOO_LARGE, "guest input exceeds 49152 bytes");
    return NULL;
  }
  char *buf = malloc((size_t)n + 1);
  if (!buf) {
    host_sticky(hc, WG_ERR_INTERNAL, "out of memory for the request");
    return NULL;
  }
  if (!mem || !wg_memory_read(mem, (uint32_t)ptr, buf, (size_t)n)) {
    free(buf);
    host_sticky(hc, WG_ERR_HTTPS_URL_REJECTED, "HTTPS request descriptor is outside guest memory");
    return NULL;
  }
  *len = (size_t)n;
  return buf;
}

wg_trap host_h_https_request(wg_caller *c, void *user, const wg_val *args, wg_val *results) {
  host_call *hc = user;
  hc->host_calls++;
  ret(results, -1);
  host_https_state *st = state_of(hc);
  if (!st) {
    host_sticky(hc, WG_ERR_INTERNAL, "out of memory for the request");
    return WG_TRAP_NONE;
  }
  clear_response(st);
  if (st->failed) return WG_TRAP_NONE; /* sticky: no network after a failure */
  if (!hc->https) {
    st->failed = true;
    host_sticky(hc, WG_ERR_UNSUPPORTED, "host_api.https has no client configuration in this host");
    return WG_TRAP_NONE;
  }
  size_t len = 0;
  char *desc = read_descriptor(c, hc, args, &len);
  if (!desc) {
    st->failed = true;
    return WG_TRAP_NONE;
  }
  wg_buf json;
  wg_buf_init(&json, 0);
  host_fail f = {0};
  bool ok = host_https_run(hc, st, desc, len, &json, &f);
  free(desc);
  if (ok && json.len > INT32_MAX) {
    ok = false;
    host_fail_set(&f, WG_ERR_INTERNAL, "the response does not fit an i32 length");
  }
  if (!ok) {
    wg_buf_free(&json);
    st->failed = true;
    if (f.code == WG_ERR_CANCELLED || f.code == WG_ERR_TIMEOUT) {
      wg_caller_set_message(c, f.message);
      return f.code == WG_ERR_CANCELLED ? WG_TRAP_CANCELLED : WG_TRAP_DEADLINE;
    }
    host_sticky(hc, f.code, f.message);
    return WG_TRAP_NONE;
  }
  st->response = wg_buf_take(&json, &st->response_len);
  if (!st->response) {
    st->failed = true;
    host_sticky(hc, WG_ERR_INTERNAL, "out of memory for the response");
    return WG_TRAP_NONE;
  }
  ret(results, (int32_t)st->response_len);
  return WG_TRAP_NONE;
}

wg_trap host_h_https_response_len(wg_caller *c, void *user, const wg_val *args,
                                  wg_val *results) {
  (void)c, (void)args;
  host_call *hc = user;
  hc->host_calls++;
  ret(results, hc->https_state ? (int32_t)hc->https_state->response_len : 0);
  return WG_TRAP_NONE;
}

wg_trap host_h_https_response_read(wg_caller *c, void *user, const wg_val *args,
                                   wg_val *results) {
  host_call *hc = user;
  hc->host_calls++;
  int32_t ptr = (int32_t)args[0].of.i32, len = (int32_t)args[1].of.i32;
  const host_https_state *st = hc->https_state;
  size_t have = st ? st->response_len : 0;
  wg_memory *mem = wg_caller_memory(c);
  ret(results, -1);
  if (ptr < 0 || len < 0 || !mem || (size_t)len != have) return WG_TRAP_NONE;
  if (have && !wg_memory_write(mem, (uint32_t)ptr, st->response, have)) return WG_TRAP_NONE;
  ret(results, len);
  return WG_TRAP_NONE;
}

void host_call_take_https(host_call *hc, wg_https_record **out, size_t *count) {
  host_https_state *st = hc->https_state;
  *out = NULL;
  *count = 0;
  if (!st || !st->record_count) return;
  *out = st->records;
  *count = st->record_count;
  st->records = NULL;
  st->record_count = st->record_cap = 0;
}

void host_https_state_free(host_call *hc) {
  host_https_state *st = hc->https_state;
  if (!st) return;
  clear_response(st);
  free(st->records);
  host_secrets_free(&st->secrets);
  free(st);
  hc->https_state = NULL;
}

bool wg_https_client_loaded(void) { return host_libs_loaded(); }
