/* util.h: small shared helpers every layer uses (growable buffers and
 * arrays, bounded file reads, arenas, UTF-8, SHA-256). No policy lives here. */
#ifndef WASMGATE_UTIL_H
#define WASMGATE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What every wg_*_name function returns for a value outside its enum (only
 * a bug or a cast makes one): the one fallback spelling. Every enum's names
 * are complete by construction: a switch with no default (-Wswitch names a
 * missing case) or a designated table whose size is asserted against the
 * enum; tests/runtime/test_enum_names.c lists every name of every public
 * enum against a golden file. */
#define WG_NAME_UNKNOWN "unknown"
/* The name of value v in a designated name table, WG_NAME_UNKNOWN outside it
 * or in a hole. */
#define WG_NAME_IN(table, v)                                              \
  ((size_t)(v) < sizeof(table) / sizeof((table)[0]) && (table)[(size_t)(v)] \
       ? (table)[(size_t)(v)]                                             \
       : WG_NAME_UNKNOWN)
/* The table has an entry for every value from 0 to `last`. */
#define WG_NAMES_COVER(table, last)                                  \
  _Static_assert(sizeof(table) / sizeof((table)[0]) == (size_t)(last) + 1, \
                 #table " names every value up to " #last)

/* A growable byte buffer with a hard cap. Every append either fits under
 * `cap` or fails and sets `overflow` (sticky), so a writer can append freely
 * and check once at the end. `data` is always NUL-terminated when non-NULL. */
typedef struct wg_buf {
  char *data;
  size_t len;
  size_t alloc;
  size_t cap;      /* maximum len; 0 means SIZE_MAX / 2 */
  bool overflow;   /* an append did not fit under cap */
  bool oom;        /* an allocation failed */
} wg_buf;

void wg_buf_init(wg_buf *b, size_t cap);
void wg_buf_free(wg_buf *b);
void wg_buf_reset(wg_buf *b);
bool wg_buf_ok(const wg_buf *b);
bool wg_buf_append(wg_buf *b, const void *p, size_t n);
bool wg_buf_append_str(wg_buf *b, const char *s);
bool wg_buf_append_char(wg_buf *b, char c);
bool wg_buf_printf(wg_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (who frees it) and resets the buffer. */
char *wg_buf_take(wg_buf *b, size_t *len);

/* Growable arrays: makes the array p (elements of elem bytes, *cap of them
 * allocated) hold at least need elements, doubling from 8 and never past
 * max elements (0: only the size_t bound). Returns the array, moved or not,
 * like realloc; NULL when need is past max, the size overflows, elem is 0 or
 * memory runs out, and then p is untouched and still the caller's. A NULL p
 * (with *cap 0) is always allocated, so a non-NULL result means success. */
void *wg_vec_reserve(void *p, size_t *cap, size_t need, size_t elem,
                     size_t max);

/* Bounded whole-file reads. At most max bytes are kept: a file with more is
 * WG_READ_TOO_BIG, found by reading one byte past max, never by reading it
 * all. The data is NUL-terminated (not counted in *len) and the caller's to
 * free; on any failure *data is NULL and *errnum (when not NULL) says why:
 * errno, EFBIG for TOO_BIG, ENOMEM, EISDIR for IS_DIR, 0 for NOT_REGULAR. */
typedef enum wg_read_code {
  WG_READ_OK = 0,
  WG_READ_OPEN,        /* open failed (ELOOP: a symlink under NOFOLLOW) */
  WG_READ_IS_DIR,      /* WG_READ_REGULAR, and it is a directory */
  WG_READ_NOT_REGULAR, /* WG_READ_REGULAR, and a FIFO, device or socket */
  WG_READ_TOO_BIG,     /* more than max bytes */
  WG_READ_IO,          /* fstat or read failed */
  WG_READ_NOMEM,
} wg_read_code;

/* "ok", "open", "is_dir", "not_regular", "too_big", "io", "nomem". */
const char *wg_read_code_name(wg_read_code code);

enum {
  WG_READ_NOFOLLOW = 1u << 0, /* a symlink is refused (O_NOFOLLOW) */
  WG_READ_NONBLOCK = 1u << 1, /* opening a FIFO does not wait for a writer */
  WG_READ_REGULAR = 1u << 2,  /* only a regular file is read */
  WG_READ_STDIN = 1u << 3,    /* the path "-" is standard input */
};

wg_read_code wg_read_file(const char *path, size_t max, unsigned flags,
                          uint8_t **data, size_t *len, int *errnum);
/* The same from an open descriptor (read to its end; not closed). */
wg_read_code wg_read_fd(int fd, size_t max, uint8_t **data, size_t *len,
                        int *errnum);

/* A bump allocator: many small allocations, one free. `limit` bounds the
 * total bytes it will hand out (0 = unlimited); past it, allocation fails. */
typedef struct wg_arena_chunk wg_arena_chunk;
typedef struct wg_arena {
  wg_arena_chunk *head;
  size_t used_total;
  size_t limit;
} wg_arena;

void wg_arena_init(wg_arena *a, size_t limit);
void wg_arena_free(wg_arena *a);
/* Returns 16-byte aligned zeroed memory, or NULL (size 0 gives a valid
 * non-NULL pointer). */
void *wg_arena_alloc(wg_arena *a, size_t size);
void *wg_arena_array(wg_arena *a, size_t count, size_t elem_size);
char *wg_arena_strndup(wg_arena *a, const char *s, size_t n);

/* UTF-8. Decoding is strict: no overlongs, no surrogates, nothing above
 * U+10FFFF. */
/* Decodes one code point at s[0..n). Returns its byte length (1..4) and
 * stores it in *cp, or returns 0 if the bytes are not valid UTF-8. */
size_t wg_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);
bool wg_utf8_valid(const uint8_t *s, size_t n);
/* Encodes cp (must be a valid scalar value) into out (4 bytes); returns
 * length. */
size_t wg_utf8_encode(uint32_t cp, uint8_t out[4]);
/* Largest length <= n that does not cut a UTF-8 sequence of valid text. */
size_t wg_utf8_trim(const uint8_t *s, size_t n);
/* The one text cutter for messages: copies src[0..len) into dst (dst_size
 * bytes with the NUL). Text of at most max bytes that fits is copied whole;
 * anything longer is cut on a UTF-8 boundary to at most max bytes, and to
 * what leaves room for mark, and mark ("..." or "\xE2\x80\xA6") follows, so
 * a cut text always ends in it. If dst has no room for text besides the
 * mark, it gets "".
 * max SIZE_MAX means "what dst holds". Returns the length written. */
size_t wg_utf8_cut(char *dst, size_t dst_size, const char *src, size_t len,
                   size_t max, const char *mark);
/* Bytes for a message: printable ASCII (0x20..0x7E) as is, except the
 * characters in escape_also (may be NULL), every other byte as \xNN. At
 * most max_in bytes of src are shown; if src is longer, or its escaped form
 * does not fit dst, it is cut between two bytes' forms and "..." follows,
 * all inside dst_size. Returns the length written. */
size_t wg_escape_ascii(char *dst, size_t dst_size, const char *src, size_t len,
                       size_t max_in, const char *escape_also);
/* A byte count for a message: "N GiB", "N MiB" or "N KiB" when it is a
 * whole number of one, else "N bytes" ("1 byte"). Writes at most dst_size
 * bytes with the NUL (WG_SIZE_TEXT_MAX always suffices); returns the
 * length written. */
#define WG_SIZE_TEXT_MAX 32
size_t wg_size_text(char *dst, size_t dst_size, uint64_t bytes);

/* Checked size arithmetic: false on overflow. */
static inline bool wg_add_size(size_t a, size_t b, size_t *out) {
  return !__builtin_add_overflow(a, b, out);
}
static inline bool wg_mul_size(size_t a, size_t b, size_t *out) {
  return !__builtin_mul_overflow(a, b, out);
}

/* SHA-256 (src/util/sha256.c: Nettle, SHA-NI when the CPU has it). */
enum { WG_SHA256_LEN = 32 };
typedef struct wg_sha256_ctx {
  _Alignas(16) unsigned char opaque[128];
} wg_sha256_ctx;
void wg_sha256_init(wg_sha256_ctx *c);
void wg_sha256_update(wg_sha256_ctx *c, const void *data, size_t len);
void wg_sha256_final(wg_sha256_ctx *c, uint8_t out[WG_SHA256_LEN]);
/* One shot. */
void wg_sha256(const void *data, size_t len, uint8_t out[WG_SHA256_LEN]);
/* IP addresses as bytes (network order), and their strict text forms. Used
 * by the config (allow_networks, resolve) and by the policy (URL hosts,
 * addresses at connect time), so both read addresses the same way. */
enum { WG_IP_TEXT_MAX = 40 }; /* longest IPv6 text (39) + NUL */

typedef struct wg_ip {
  uint8_t family;    /* 4 or 6 */
  uint8_t bytes[16]; /* IPv4 in bytes[0..4), the rest zero */
} wg_ip;

/* IPv4: exactly four decimal parts 0-255, no leading zeros ("1.2.3.4"). */
bool wg_ip_parse4(const char *s, size_t len, wg_ip *out);
/* IPv6 (RFC 4291 text, the WHATWG IPv6 parser exactly): 1-4 hex digits per
 * piece, at most one "::", an optional strict dotted IPv4 tail. No
 * brackets, no zone id ("%eth0"). */
bool wg_ip_parse6(const char *s, size_t len, wg_ip *out);
/* Either form. */
bool wg_ip_parse(const char *s, size_t len, wg_ip *out);
/* Dotted quad, or IPv6 as WHATWG serializes it (lowercase, the first longest
 * run of two or more zero pieces as "::", never a dotted tail). Returns the
 * length written (NUL-terminated). */
size_t wg_ip_format(const wg_ip *ip, char out[WG_IP_TEXT_MAX]);
bool wg_ip_equal(const wg_ip *a, const wg_ip *b);

/* A CIDR block "ADDR/N": the prefix is required, 0..32 or 0..128 without
 * leading zeros, and the address has no bits set past the prefix (so
 * "10.1.2.3/8" is refused: the writer meant 10.0.0.0/8 or 10.1.2.3/32). */
typedef struct wg_cidr {
  wg_ip ip;
  uint8_t prefix;
} wg_cidr;

typedef enum wg_cidr_code {
  WG_CIDR_OK = 0,
  WG_CIDR_SYNTAX,    /* no '/', or the address is not an IPv4/IPv6 address */
  WG_CIDR_PREFIX,    /* prefix missing, not a number, or out of range */
  WG_CIDR_HOST_BITS, /* bits set after the prefix */
} wg_cidr_code;

/* "ok", "syntax", "prefix", "host_bits". */
const char *wg_cidr_code_name(wg_cidr_code code);

wg_cidr_code wg_cidr_parse(const char *s, size_t len, wg_cidr *out);
/* Same family and the first `prefix` bits equal. */
bool wg_cidr_contains(const wg_cidr *c, const wg_ip *ip);

/* HTTP vocabulary shared by config (grants) and policy (guest requests). */
/* An RFC 9110 token (1 or more tchar). */
bool wg_http_token(const char *s, size_t len);
/* A field value: no control character but tab (bytes >= 0x80 allowed). */
bool wg_http_field_value(const char *s, size_t len);
/* yoi's credential header names (authorization, cookie, x-api-key, ...),
 * ASCII case-insensitive. */
bool wg_http_header_sensitive(const char *name, size_t len);
/* Names the client sets itself (host, content-length, transfer-encoding,
 * connection, keep-alive, upgrade, te, trailer, expect, proxy-connection). */
bool wg_http_header_managed(const char *name, size_t len);
/* Index of GET POST PUT PATCH DELETE (0..4), or -1; exact case unless
 * any_case. */
int wg_http_method(const char *s, size_t len, bool any_case);

/* Monotonic clock in nanoseconds. */
uint64_t wg_now_ns(void);

#endif
