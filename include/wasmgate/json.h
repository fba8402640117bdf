/* json.h: strict, lossless JSON (RFC 8259) for untrusted input.
 *
 * The parser builds a read-only tree in one arena (one free). Objects keep
 * member order, every value keeps its byte span in the input, numbers keep
 * their exact lexeme, strings are decoded to UTF-8 (NUL-terminated, but may
 * contain NUL, so use the length). Rejected: invalid UTF-8, lone surrogate
 * escapes, raw control characters, duplicate object keys, trailing garbage,
 * NaN/Infinity, comments, a leading BOM. Limits on depth, size, members and
 * string length are parameters; the parser never recurses.
 *
 * The tree is self-contained: keys, strings and number lexemes (also
 * NUL-terminated) are copied into the document's arena, so the input may be
 * freed right after parsing. A tree is valid until wg_json_free(doc). */
#ifndef WASMGATE_JSON_H
#define WASMGATE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/util.h"
#include "wasmgate/limits.h"

typedef enum wg_json_type {
  WG_JSON_NULL,
  WG_JSON_FALSE,
  WG_JSON_TRUE,
  WG_JSON_NUMBER,
  WG_JSON_STRING,
  WG_JSON_ARRAY,
  WG_JSON_OBJECT,
} wg_json_type;

typedef struct wg_json wg_json;

const char *wg_json_type_name(wg_json_type t); /* "null", "false", ... */

typedef struct wg_json_member {
  const char *key; /* decoded UTF-8, NUL-terminated */
  size_t key_len;
  wg_json *value;
} wg_json_member;

struct wg_json {
  wg_json_type type;
  size_t start, end; /* byte span [start, end) in the parsed input */
  union {
    struct { const char *text; size_t len; } number; /* exact lexeme */
    struct { const char *text; size_t len; } string; /* decoded UTF-8 */
    struct { wg_json **items; size_t count; } array;
    struct { wg_json_member *members; size_t count; } object;
  } u;
};

/* Limits. A field left 0 means its default (so `{.max_depth = 8}` is a
 * complete set of limits). Exceeding one is WG_JSON_TOO_DEEP or
 * WG_JSON_TOO_LARGE with the offset where it happened. Memory use is O(input
 * size): the tree takes at most ~30 bytes per input byte (e.g. "[[0],[0]]"),
 * and parsing needs up to ~16 more per byte of transient scratch. */
typedef struct wg_json_limits {
  size_t max_depth;      /* nesting of arrays/objects (WG_JSON_DEFAULT_MAX_DEPTH) */
  size_t max_size;       /* input bytes (WG_JSON_DEFAULT_MAX_SIZE) */
  size_t max_members;    /* per array or object (WG_JSON_DEFAULT_MAX_MEMBERS) */
  size_t max_string_len; /* decoded bytes of one string
                            (WG_JSON_DEFAULT_MAX_STRING_LEN) */
} wg_json_limits;

wg_json_limits wg_json_default_limits(void);

typedef enum wg_json_code {
  WG_JSON_OK = 0,
  WG_JSON_SYNTAX,        /* not JSON */
  WG_JSON_BAD_UTF8,      /* invalid UTF-8 or lone surrogate */
  WG_JSON_DUPLICATE_KEY, /* an object repeats a key */
  WG_JSON_TOO_DEEP,
  WG_JSON_TOO_LARGE,     /* input, string or member count over its limit */
  WG_JSON_NOMEM,
} wg_json_code;

const char *wg_json_code_name(wg_json_code s); /* "syntax", ... */

typedef struct wg_json_error {
  wg_json_code code;
  size_t offset;        /* byte offset where the problem was found */
  char message[128];    /* short reason, e.g. "expected ':' after key" or
                           "duplicate object key \"id\"" */
} wg_json_error;

typedef struct wg_json_doc wg_json_doc;

/* Parses text[0..len). limits may be NULL (defaults). On failure returns NULL
 * and fills err (if non-NULL). */
wg_json_doc *wg_json_parse(const char *text, size_t len,
                           const wg_json_limits *limits, wg_json_error *err);
const wg_json *wg_json_root(const wg_json_doc *doc);
void wg_json_free(wg_json_doc *doc); /* NULL is fine */

/* Accessors. Lookups return NULL if v is not of the right type or the key
 * or index is absent. Object lookup is a linear scan of the members. */
/* key is NUL-terminated (so NUL-free); wg_json_getn takes any bytes. */
const wg_json *wg_json_get(const wg_json *obj, const char *key);
const wg_json *wg_json_getn(const wg_json *obj, const char *key, size_t len);
const wg_json *wg_json_at(const wg_json *arr, size_t i);
/* Resolves a JSON Pointer (RFC 6901, e.g. "/a/0/b~1c"; "" is the root):
 * NULL if it is malformed or does not resolve. Array indices are decimal
 * without leading zeros; "-" never resolves. */
const wg_json *wg_json_pointer(const wg_json *root, const char *ptr,
                               size_t len);
/* 1-based line and column (in bytes) of a byte offset, for messages. */
void wg_json_line_col(const char *text, size_t len, size_t offset,
                      size_t *line, size_t *col);
/* The string of a string value, or NULL. */
const char *wg_json_str(const wg_json *v);
/* Exact conversions: true only if the number is an integer (any lexeme
 * whose value is integral, e.g. "1.0", "1e2") that fits. */
bool wg_json_to_int64(const wg_json *v, int64_t *out);
bool wg_json_to_uint64(const wg_json *v, uint64_t *out);
/* True if the lexeme's exact decimal value is a double ("1.5", "1e2",
 * "-0.0"; not "0.1", "1e400", "1e-400"). *out gets strtod's nearest double
 * either way (+-HUGE_VAL or 0 when out of range). Locale-independent. */
bool wg_json_to_double(const wg_json *v, double *out);
/* True if v is a number whose value is integral, at any size ("1.0",
 * "1e400" and "-0" are; "1.5" and "1e-400" are not). */
bool wg_json_is_integer(const wg_json *v);
/* Compares two numbers by exact decimal value, for lexemes of any length:
 * returns -1, 0 or 1 ("1e400" > "1", "1.0" == "1", "-0" == "0"). Returns 0
 * if either is not a number. */
int wg_json_number_cmp(const wg_json *a, const wg_json *b);
/* JSON value equality: numbers by exact decimal value, strings by bytes,
 * arrays by position, objects by key set ignoring member order (keys are
 * assumed unique, as the parser guarantees). NULL equals only NULL.
 * Non-recursive. Returns false if it runs out of memory. */
bool wg_json_equal(const wg_json *a, const wg_json *b);

/* Writers. Output is always valid UTF-8 JSON. compact: members in document
 * order, no whitespace. canonical: like compact, but object members sorted
 * bytewise by key (recursively), numbers copied as their exact lexeme, and
 * minimal string escapes (exact rules in src/json/write.c). Any tree is
 * accepted, hand-built too: bad UTF-8 becomes U+FFFD, an invalid number
 * lexeme, a NULL child or an unknown type becomes null. Non-recursive.
 * Returns false if out overflowed its cap or memory ran out. */
bool wg_json_write(const wg_json *v, bool canonical, wg_buf *out);
/* Like wg_json_write with newlines and indent (1..8) spaces per level, for
 * people: {"a": [1, 2]} becomes "{\n  \"a\": [\n    1,\n    2\n  ]\n}". Output
 * grows with depth squared on deep trees: give out a cap. */
bool wg_json_write_pretty(const wg_json *v, bool canonical, size_t indent,
                          wg_buf *out);
/* Parses text and appends its canonical form to out: what the runtime hands
 * a tool as its input. Returns WG_JSON_OK, or the failure with err (if
 * non-NULL) filled: a parse error as from wg_json_parse, WG_JSON_TOO_LARGE
 * ("output too large") if out hit its cap, or WG_JSON_NOMEM. out may then
 * hold partial output. */
wg_json_code wg_json_canonicalize(const char *text, size_t len,
                                  const wg_json_limits *limits, wg_buf *out,
                                  wg_json_error *err);
/* Appends s[0..len) as a JSON string literal; invalid UTF-8 becomes U+FFFD. */
bool wg_json_write_string(wg_buf *out, const char *s, size_t len);

/* Output meant for a terminal (`call --json`, `history --json`, the history
 * file): also escape DEL, the C1 controls U+0080-U+009F and the bidi
 * controls U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069 as
 * \uXXXX, so no byte of the text can move a cursor or reorder a line.
 * Never used for the canonical form. */
enum { WG_JSON_ESCAPE_TERMINAL = 1 };
bool wg_json_terminal_unsafe(uint32_t cp);
bool wg_json_write_string_flags(wg_buf *out, const char *s, size_t len, unsigned flags);
/* wg_json_write with flags (compact or canonical member order). */
bool wg_json_write_flags(const wg_json *v, bool canonical, unsigned flags, wg_buf *out);
/* Copies a valid JSON text, escaping the code points above as \uXXXX (in
 * valid JSON they can only stand inside strings, so the result is the
 * same JSON value). */
bool wg_json_escape_terminal(const char *text, size_t len, wg_buf *out);

/* A streaming writer for building JSON output without a tree: it inserts
 * ',' and ':' itself and escapes strings like the canonical form. Calls out
 * of order (a value where an object expects a key, an unbalanced end, more
 * than WG_JSON_WRITER_MAX_DEPTH levels, a second top-level value, an
 * invalid number lexeme) are ignored and make the writer `misused`, so the
 * text never becomes invalid JSON; check wg_json_writer_finish at the end.
 * Each call returns false if it was ignored or the buffer failed. */

typedef struct wg_json_writer {
  wg_buf *out;
  unsigned flags; /* WG_JSON_ESCAPE_TERMINAL; 0 after init */
  size_t depth;
  bool misused;
  bool after_key;  /* a key was written; its value comes next */
  bool done;       /* the top-level value is complete */
  uint8_t in_object[WG_JSON_WRITER_MAX_DEPTH / 8]; /* per level: 1 = object */
  uint8_t has_items[WG_JSON_WRITER_MAX_DEPTH / 8]; /* per level: needs ',' */
} wg_json_writer;

void wg_json_writer_init(wg_json_writer *w, wg_buf *out);
bool wg_json_writer_begin_object(wg_json_writer *w);
bool wg_json_writer_end_object(wg_json_writer *w);
bool wg_json_writer_begin_array(wg_json_writer *w);
bool wg_json_writer_end_array(wg_json_writer *w);
bool wg_json_writer_key(wg_json_writer *w, const char *key, size_t len);
bool wg_json_writer_string(wg_json_writer *w, const char *s, size_t len);
bool wg_json_writer_cstr(wg_json_writer *w, const char *s); /* NULL: null */
bool wg_json_writer_int(wg_json_writer *w, int64_t v);
bool wg_json_writer_uint(wg_json_writer *w, uint64_t v);
/* Shortest text that reads back as the same double; NaN/inf write null. */
bool wg_json_writer_double(wg_json_writer *w, double v);
bool wg_json_writer_bool(wg_json_writer *w, bool v);
bool wg_json_writer_null(wg_json_writer *w);
/* A number given as a lexeme, copied verbatim if it is valid JSON. */
bool wg_json_writer_number(wg_json_writer *w, const char *lexeme, size_t len);
/* A whole tree, as wg_json_write would write it. */
bool wg_json_writer_value(wg_json_writer *w, const wg_json *v, bool canonical);
/* True if exactly one complete top-level value was written, nothing was
 * misused and the buffer never failed. */
bool wg_json_writer_finish(const wg_json_writer *w);

#endif
