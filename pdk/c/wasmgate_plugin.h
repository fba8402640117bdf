/* wasmgate_plugin.h: the C plugin development kit for the
 * `yoi-plugin-wasm-1` ABI, in one header, for plugins built without libc:
 *
 *   clang --target=wasm32 -nostdlib -O2 -Wl,--no-entry -o plugin.wasm tool.c
 *
 * A plugin includes this header once, defines
 *
 *   WGP_EXPORT("yoi_tool_call") void yoi_tool_call(void) { ... }
 *
 * reads its input with wgp_input(), and ends by writing one output object
 * with wgp_output() (or builds one with the wgp_w_* writer). The host
 * hands the input as canonical JSON (compact, keys sorted, valid UTF-8), so
 * the tiny reader here trusts its syntax but never reads past its length.
 * Nothing here recurses or allocates: buffers are static and bounded. */
#ifndef WASMGATE_PLUGIN_H
#define WASMGATE_PLUGIN_H

typedef unsigned long wgp_size;    /* size_t on wasm32 */
typedef unsigned long long wgp_u64;
typedef long long wgp_i64;

/* ---- The ABI (yoi:tool; docs/plugin-authoring.md#the-abi) ----------------- */

#define WGP_IMPORT(name) \
  __attribute__((import_module("yoi:tool"), import_name(name)))
#define WGP_EXPORT(name) __attribute__((export_name(name)))

WGP_IMPORT("tool_name_len") int wgp_tool_name_len(void);
WGP_IMPORT("tool_name_read") int wgp_tool_name_read(void *ptr, int len);
WGP_IMPORT("input_len") int wgp_input_len(void);
WGP_IMPORT("input_read") int wgp_input_read(void *ptr, int len);
WGP_IMPORT("output_write") int wgp_output_write(const void *ptr, int len);

/* The compiler may emit calls to these; there is no libc to provide them. */
__attribute__((weak)) void *memcpy(void *d, const void *s, wgp_size n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}
__attribute__((weak)) void *memset(void *d, int c, wgp_size n) {
  unsigned char *dp = d;
  while (n--) *dp++ = (unsigned char)c;
  return d;
}

/* ---- Bounds --------------------------------------------------------------- */

#ifndef WGP_MAX_INPUT
#define WGP_MAX_INPUT 65536 /* the host's default input limit */
#endif
#ifndef WGP_MAX_OUTPUT
#define WGP_MAX_OUTPUT 65536 /* the ABI's output bound */
#endif

static char wgp_input_buf_[WGP_MAX_INPUT];
static char wgp_name_buf_[256];
static char wgp_output_buf_[WGP_MAX_OUTPUT];

/* The call's input JSON text (not NUL-terminated), or 0 if it is larger
 * than WGP_MAX_INPUT or cannot be read. */
static inline const char *wgp_input(wgp_size *len) {
  int n = wgp_input_len();
  if (n < 0 || n > WGP_MAX_INPUT) return 0;
  if (wgp_input_read(wgp_input_buf_, n) != n) return 0;
  *len = (wgp_size)n;
  return wgp_input_buf_;
}

/* The invoked tool's name (one module may serve several tools). */
static inline const char *wgp_tool_name(wgp_size *len) {
  int n = wgp_tool_name_len();
  if (n < 0 || n > (int)sizeof wgp_name_buf_) return 0;
  if (wgp_tool_name_read(wgp_name_buf_, n) != n) return 0;
  *len = (wgp_size)n;
  return wgp_name_buf_;
}

static inline wgp_size wgp_strlen(const char *s) {
  wgp_size n = 0;
  while (s[n]) n++;
  return n;
}

static inline int wgp_mem_eq(const char *a, const char *b, wgp_size n) {
  for (wgp_size i = 0; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* ---- JSON reader (trusts the host's canonical input) ---------------------- */

typedef enum wgp_type {
  WGP_NONE = 0, WGP_NULL, WGP_BOOL, WGP_NUMBER, WGP_STRING, WGP_ARRAY, WGP_OBJECT
} wgp_type;

/* A value's text: json[start .. start+len). */
typedef struct wgp_value {
  const char *text;
  wgp_size len;
  wgp_type type;
} wgp_value;

static inline wgp_type wgp_type_of_(char c) {
  switch (c) {
  case 'n': return WGP_NULL;
  case 't': case 'f': return WGP_BOOL;
  case '"': return WGP_STRING;
  case '[': return WGP_ARRAY;
  case '{': return WGP_OBJECT;
  default: return WGP_NUMBER;
  }
}

/* End of the string starting at s[i] == '"'; returns the index after it. */
static inline wgp_size wgp_skip_string_(const char *s, wgp_size n, wgp_size i) {
  for (i++; i < n; i++) {
    if (s[i] == '\\') i++;
    else if (s[i] == '"') return i + 1;
  }
  return n;
}

/* Index after the value starting at s[i]; iterative, depth counted. */
static inline wgp_size wgp_skip_value_(const char *s, wgp_size n, wgp_size i) {
  wgp_size depth = 0;
  while (i < n) {
    char c = s[i];
    if (c == '"') {
      i = wgp_skip_string_(s, n, i);
    } else if (c == '[' || c == '{') {
      depth++, i++;
    } else if (c == ']' || c == '}') {
      if (depth == 0) return i; /* end of the enclosing container */
      depth--, i++;
    } else if (c == ',' || c == ':') {
      if (depth == 0) return i;
      i++;
    } else {
      i++;
    }
    if (depth == 0 && (c == '"' || c == ']' || c == '}')) return i;
  }
  return n;
}

static inline wgp_value wgp_value_at_(const char *s, wgp_size n, wgp_size i) {
  wgp_value v = {0, 0, WGP_NONE};
  if (i >= n) return v;
  wgp_size end = wgp_skip_value_(s, n, i);
  v.text = s + i;
  v.len = end - i;
  v.type = wgp_type_of_(s[i]);
  return v;
}

/* Member `key` of an object value; type WGP_NONE if absent. Keys are
 * compared as raw text (fine for plain ASCII keys). */
static inline wgp_value wgp_get(wgp_value obj, const char *key) {
  wgp_value none = {0, 0, WGP_NONE};
  if (obj.type != WGP_OBJECT) return none;
  const char *s = obj.text;
  wgp_size n = obj.len, klen = wgp_strlen(key), i = 1;
  while (i < n && s[i] == '"') {
    wgp_size kend = wgp_skip_string_(s, n, i);
    int match = kend - i == klen + 2 && wgp_mem_eq(s + i + 1, key, klen);
    i = kend + 1; /* past ':' */
    if (match) return wgp_value_at_(s, n, i);
    i = wgp_skip_value_(s, n, i);
    if (i < n && s[i] == ',') i++;
  }
  return none;
}

/* The whole input as a value. */
static inline wgp_value wgp_root(const char *json, wgp_size len) {
  return wgp_value_at_(json, len, 0);
}

/* Iterates an array: start with *pos = 0; returns 0 at the end. */
static inline int wgp_array_next(wgp_value arr, wgp_size *pos, wgp_value *item) {
  if (arr.type != WGP_ARRAY) return 0;
  wgp_size i = *pos ? *pos : 1;
  if (i >= arr.len || arr.text[i] == ']') return 0;
  *item = wgp_value_at_(arr.text, arr.len, i);
  i += item->len;
  if (i < arr.len && arr.text[i] == ',') i++;
  *pos = i;
  return 1;
}

static inline int wgp_hex_(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

static inline wgp_size wgp_utf8_put_(char *d, unsigned cp) {
  if (cp < 0x80) { d[0] = (char)cp; return 1; }
  if (cp < 0x800) { d[0] = (char)(0xc0 | cp >> 6); d[1] = (char)(0x80 | (cp & 63)); return 2; }
  if (cp < 0x10000) {
    d[0] = (char)(0xe0 | cp >> 12); d[1] = (char)(0x80 | ((cp >> 6) & 63));
    d[2] = (char)(0x80 | (cp & 63)); return 3;
  }
  d[0] = (char)(0xf0 | cp >> 18); d[1] = (char)(0x80 | ((cp >> 12) & 63));
  d[2] = (char)(0x80 | ((cp >> 6) & 63)); d[3] = (char)(0x80 | (cp & 63));
  return 4;
}

/* wgp_string's failures: v is not a string / dst is too small for it. */
#define WGP_NOT_STRING (-1L)
#define WGP_TOO_SMALL (-2L)

/* Decodes a string value into dst (cap bytes, not NUL-terminated).
 * Returns the decoded length, WGP_NOT_STRING if v is not a string, or
 * WGP_TOO_SMALL if the decoded text needs more than cap bytes (dst then
 * holds a prefix). A string that fills dst exactly fits. */
static inline long wgp_string(wgp_value v, char *dst, wgp_size cap) {
  if (v.type != WGP_STRING || v.len < 2) return WGP_NOT_STRING;
  wgp_size o = 0;
  for (wgp_size i = 1; i + 1 < v.len; i++) {
    char c = v.text[i];
    if (c != '\\') {
      if (o + 1 > cap) return WGP_TOO_SMALL;
      dst[o++] = c;
      continue;
    }
    c = v.text[++i];
    unsigned cp;
    switch (c) {
    case 'n': cp = '\n'; break;
    case 't': cp = '\t'; break;
    case 'r': cp = '\r'; break;
    case 'b': cp = '\b'; break;
    case 'f': cp = '\f'; break;
    case 'u': {
      if (i + 4 >= v.len) return WGP_NOT_STRING;
      cp = 0;
      for (int k = 1; k <= 4; k++) cp = cp * 16 + (unsigned)wgp_hex_(v.text[i + k]);
      i += 4;
      if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < v.len && v.text[i + 1] == '\\') {
        unsigned lo = 0;
        for (int k = 3; k <= 6; k++) lo = lo * 16 + (unsigned)wgp_hex_(v.text[i + k]);
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i += 6;
      }
      break;
    }
    default: cp = (unsigned char)c; break; /* '"', '\\', '/' */
    }
    wgp_size need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (o + need > cap) return WGP_TOO_SMALL;
    o += wgp_utf8_put_(dst + o, cp);
  }
  return (long)o;
}

/* A number value as a double (decimal digits, fraction, exponent; huge
 * exponents saturate). Returns 0 if v is not a number. */
static inline int wgp_number(wgp_value v, double *out) {
  if (v.type != WGP_NUMBER) return 0;
  const char *s = v.text;
  wgp_size i = 0, n = v.len;
  int neg = 0, eneg = 0;
  long exp = 0;
  double x = 0;
  if (i < n && s[i] == '-') neg = 1, i++;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) x = x * 10 + (s[i] - '0');
  if (i < n && s[i] == '.')
    for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) x = x * 10 + (s[i] - '0'), exp--;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    long e = 0;
    i++;
    if (i < n && (s[i] == '-' || s[i] == '+')) eneg = s[i] == '-', i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      if (e < 100000) e = e * 10 + (s[i] - '0');
    exp += eneg ? -e : e;
  }
  for (; exp > 0 && x < 1e308; exp--) x *= 10;
  if (exp > 0) x = 1e308 * 10; /* inf */
  for (; exp < 0 && x != 0; exp++) x /= 10;
  *out = neg ? -x : x;
  return 1;
}

/* ---- JSON writer ---------------------------------------------------------- */

typedef struct wgp_writer {
  char *buf;
  wgp_size cap, len;
  int overflow;
} wgp_writer;

static inline wgp_writer wgp_writer_new(void) {
  wgp_writer w = {wgp_output_buf_, WGP_MAX_OUTPUT, 0, 0};
  return w;
}

static inline void wgp_w_raw(wgp_writer *w, const char *s, wgp_size n) {
  if (w->len + n > w->cap) { w->overflow = 1; return; }
  for (wgp_size i = 0; i < n; i++) w->buf[w->len++] = s[i];
}

static inline void wgp_w_cstr(wgp_writer *w, const char *s) { wgp_w_raw(w, s, wgp_strlen(s)); }

/* A JSON string literal of s[0..n) (UTF-8 passed through). */
static inline void wgp_w_str(wgp_writer *w, const char *s, wgp_size n) {
  static const char hex[] = "0123456789abcdef";
  wgp_w_raw(w, "\"", 1);
  for (wgp_size i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      wgp_w_raw(w, e, 2);
    } else if (c == '\n') {
      wgp_w_raw(w, "\\n", 2);
    } else if (c < 0x20) {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      wgp_w_raw(w, e, 6);
    } else {
      wgp_w_raw(w, (const char *)&c, 1);
    }
  }
  wgp_w_raw(w, "\"", 1);
}

static inline void wgp_w_u64(wgp_writer *w, wgp_u64 v) {
  char t[20];
  int n = 0;
  do t[n++] = (char)('0' + v % 10), v /= 10; while (v);
  while (n) wgp_w_raw(w, &t[--n], 1);
}

static inline void wgp_w_i64(wgp_writer *w, wgp_i64 v) {
  if (v < 0) {
    wgp_w_raw(w, "-", 1);
    wgp_w_u64(w, (wgp_u64)0 - (wgp_u64)v);
  } else {
    wgp_w_u64(w, (wgp_u64)v);
  }
}

/* A double with up to 6 fraction digits (trailing zeros dropped); integers
 * below 2^53 print exactly; NaN and infinities print null. */
static inline void wgp_w_double(wgp_writer *w, double v) {
  if (v != v || v > 1.7e308 || v < -1.7e308) { wgp_w_cstr(w, "null"); return; }
  if (v < 0) { wgp_w_raw(w, "-", 1); v = -v; }
  if (v >= 9007199254740992.0) { /* exponent form for large values */
    int e = 0;
    while (v >= 10) v /= 10, e++;
    wgp_w_double(w, v);
    wgp_w_raw(w, "e", 1);
    wgp_w_u64(w, (wgp_u64)e);
    return;
  }
  wgp_u64 ip = (wgp_u64)v;
  wgp_u64 frac = (wgp_u64)((v - (double)ip) * 1000000.0 + 0.5);
  if (frac >= 1000000) ip++, frac -= 1000000;
  wgp_w_u64(w, ip);
  if (!frac) return;
  char d[7];
  int n = 6;
  for (int k = 5; k >= 0; k--) d[k] = (char)('0' + frac % 10), frac /= 10;
  while (n > 0 && d[n - 1] == '0') n--;
  wgp_w_raw(w, ".", 1);
  wgp_w_raw(w, d, (wgp_size)n);
}

/* Writes the writer's text as the call's output; 0 on success. */
static inline int wgp_w_finish(wgp_writer *w) {
  if (w->overflow) return -1;
  return wgp_output_write(w->buf, (int)w->len) == (int)w->len ? 0 : -1;
}

/* Writes {"summary": summary, "content": content} (content may be 0 for
 * null). Returns 0 on success. */
static inline int wgp_output(const char *summary, const char *content, wgp_size content_len) {
  wgp_writer w = wgp_writer_new();
  wgp_w_cstr(&w, "{\"summary\":");
  wgp_w_str(&w, summary, wgp_strlen(summary));
  wgp_w_cstr(&w, ",\"content\":");
  if (content) wgp_w_str(&w, content, content_len);
  else wgp_w_cstr(&w, "null");
  wgp_w_cstr(&w, "}");
  return wgp_w_finish(&w);
}

/* ---- yoi:https (docs/https.md#the-abi) ------------------------------------- */
/* Only for plugins whose manifest requests { kind = "host_api", api = "https" }
 * and whose operator grants it: a module that imports `yoi:https` without
 * that grant is refused before it runs. Nothing below is linked into a
 * plugin that does not call it (the imports, the buffers, the code). */

#define WGP_HTTPS_IMPORT(name) \
  __attribute__((import_module("yoi:https"), import_name(name)))

WGP_HTTPS_IMPORT("request") int wgp_https_request_raw(const void *ptr, int len);
WGP_HTTPS_IMPORT("response_len") int wgp_https_response_len(void);
WGP_HTTPS_IMPORT("response_read") int wgp_https_response_read(void *ptr, int len);

#ifndef WGP_HTTPS_MAX_REQUEST
#define WGP_HTTPS_MAX_REQUEST 49152 /* the host's descriptor bound */
#endif
#ifndef WGP_HTTPS_MAX_RESPONSE
/* A 64 KiB body escaped as JSON plus 16 headers: 512 KiB always holds it. */
#define WGP_HTTPS_MAX_RESPONSE (512 * 1024)
#endif

static char wgp_https_req_buf_[WGP_HTTPS_MAX_REQUEST];
static char wgp_https_resp_buf_[WGP_HTTPS_MAX_RESPONSE];

typedef struct wgp_https_header {
  const char *name;  /* NUL-terminated */
  const char *value;
} wgp_https_header;

/* One response, pointing into a static buffer (valid until the next
 * request). `json` is the whole response object the host wrote:
 * {"status":N,"headers":[{"name","value"}...],"body":"...","truncated":B}
 * with lowercase header names, sensitive headers dropped, at most 16. */
typedef struct wgp_https_response {
  int status;
  int truncated;      /* the body was cut at 64 KiB */
  wgp_value headers;  /* array of {"name","value"} objects */
  wgp_value body;     /* a string value: decode it with wgp_string */
  const char *json;
  wgp_size json_len;
} wgp_https_response;

/* Sends one request and reads its response. method: GET POST PUT PATCH
 * DELETE; url: https only; headers may be 0 when header_count is 0; body:
 * text, or 0 for none. Returns 0 with *resp filled; -1 if the host refused
 * or failed the request (that failure is sticky: the call ends as the
 * host's https error whatever the plugin writes, so just return); -2 if
 * the descriptor does not fit WGP_HTTPS_MAX_REQUEST, -3 if the response
 * does not fit WGP_HTTPS_MAX_RESPONSE (nothing sent in the first case). */
static inline int wgp_https_request(const char *method, const char *url,
                                    const wgp_https_header *headers,
                                    wgp_size header_count, const char *body,
                                    wgp_size body_len, wgp_https_response *resp) {
  wgp_writer w = {wgp_https_req_buf_, WGP_HTTPS_MAX_REQUEST, 0, 0};
  wgp_w_cstr(&w, "{\"method\":");
  wgp_w_str(&w, method, wgp_strlen(method));
  wgp_w_cstr(&w, ",\"url\":");
  wgp_w_str(&w, url, wgp_strlen(url));
  wgp_w_cstr(&w, ",\"headers\":[");
  for (wgp_size i = 0; i < header_count; i++) {
    wgp_w_cstr(&w, i ? ",{\"name\":" : "{\"name\":");
    wgp_w_str(&w, headers[i].name, wgp_strlen(headers[i].name));
    wgp_w_cstr(&w, ",\"value\":");
    wgp_w_str(&w, headers[i].value, wgp_strlen(headers[i].value));
    wgp_w_cstr(&w, "}");
  }
  wgp_w_cstr(&w, "]");
  if (body) {
    wgp_w_cstr(&w, ",\"body\":");
    wgp_w_str(&w, body, body_len);
  }
  wgp_w_cstr(&w, "}");
  if (w.overflow) return -2;
  int n = wgp_https_request_raw(w.buf, (int)w.len);
  if (n < 0) return -1;
  if (n > WGP_HTTPS_MAX_RESPONSE) return -3;
  if (wgp_https_response_read(wgp_https_resp_buf_, n) != n) return -1;
  wgp_value root = wgp_root(wgp_https_resp_buf_, (wgp_size)n);
  double status = 0;
  wgp_number(wgp_get(root, "status"), &status);
  wgp_value t = wgp_get(root, "truncated");
  resp->status = (int)status;
  resp->truncated = t.type == WGP_BOOL && t.text[0] == 't';
  resp->headers = wgp_get(root, "headers");
  resp->body = wgp_get(root, "body");
  resp->json = wgp_https_resp_buf_;
  resp->json_len = (wgp_size)n;
  return 0;
}

/* The value of response header `name` (lowercase) decoded into dst (cap
 * bytes): its length, or -1 if absent or too long for dst. */
static inline long wgp_https_header_value(const wgp_https_response *r, const char *name,
                                          char *dst, wgp_size cap) {
  wgp_size pos = 0, nlen = wgp_strlen(name);
  wgp_value h;
  while (wgp_array_next(r->headers, &pos, &h)) {
    wgp_value n = wgp_get(h, "name");
    if (n.type == WGP_STRING && n.len == nlen + 2 && wgp_mem_eq(n.text + 1, name, nlen))
      return wgp_string(wgp_get(h, "value"), dst, cap);
  }
  return -1;
}

/* Copies JSON text from a server (which may be pretty-printed) into dst
 * without the whitespace between tokens, so the reader above can walk it
 * (it expects the compact form the host writes). Returns the length, or
 * -1 if dst is too small. The text is not validated: on malformed JSON
 * the reader's answers are meaningless but it stays inside the buffer. */
static inline long wgp_json_compact(const char *src, wgp_size len, char *dst, wgp_size cap) {
  wgp_size o = 0;
  int in_string = 0;
  for (wgp_size i = 0; i < len; i++) {
    char c = src[i];
    if (!in_string && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) continue;
    if (o == cap) return -1;
    dst[o++] = c;
    if (in_string && c == '\\' && i + 1 < len) {
      if (o == cap) return -1;
      dst[o++] = src[++i];
    } else if (c == '"') {
      in_string = !in_string;
    }
  }
  return (long)o;
}

#endif
