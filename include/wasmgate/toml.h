/* toml.h: strict TOML 1.0 parser for untrusted input (plugin manifests,
 * config, lock files).
 *
 * The parser builds a read-only tree in one arena (one free). Tables keep
 * their keys in document order; every key and every value keeps its source
 * position (line and column, both 1-based, the column counted in Unicode code
 * points; and the byte offset). Strings are decoded to UTF-8 (NUL-terminated,
 * but may contain NUL: use the length). Rejected: anything TOML 1.0 rejects,
 * including invalid UTF-8, control characters in strings and comments,
 * duplicate keys and conflicting table definitions, integers outside int64.
 * A leading UTF-8 BOM is skipped. The parser never recurses: nesting is
 * bounded by limits.max_depth and walked with an explicit stack.
 *
 * Error messages are fixed strings: they never quote the input, so they can
 * be shown to users even when the input is private. */
#ifndef WASMGATE_TOML_H
#define WASMGATE_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/limits.h"

typedef enum wg_toml_type {
  WG_TOML_STRING,
  WG_TOML_INTEGER,
  WG_TOML_FLOAT,
  WG_TOML_BOOL,
  WG_TOML_OFFSET_DATETIME, /* 1979-05-27T07:32:00Z, ...-07:00 */
  WG_TOML_LOCAL_DATETIME,  /* 1979-05-27T07:32:00 */
  WG_TOML_LOCAL_DATE,      /* 1979-05-27 */
  WG_TOML_LOCAL_TIME,      /* 07:32:00 */
  WG_TOML_ARRAY,
  WG_TOML_TABLE,
} wg_toml_type;

/* How a table came to exist; the redefinition rules depend on it. */
typedef enum wg_toml_table_kind {
  WG_TOML_TABLE_ROOT,     /* the document */
  WG_TOML_TABLE_HEADER,   /* defined by a [header] */
  WG_TOML_TABLE_IMPLICIT, /* created as a parent by [a.b] (here: a) */
  WG_TOML_TABLE_DOTTED,   /* created by a dotted key: a.b = 1 creates a */
  WG_TOML_TABLE_INLINE,   /* { ... }: complete, cannot be extended */
  WG_TOML_TABLE_ARRAY_ELEMENT, /* one [[header]] element */
} wg_toml_table_kind;

typedef struct wg_toml_pos {
  uint32_t line;   /* 1-based */
  uint32_t column; /* 1-based, in code points */
  size_t offset;   /* byte offset in the input (a skipped BOM counts) */
} wg_toml_pos;

/* Date-time fields; which are meaningful depends on the value's type. `text`
 * is the normalized RFC 3339 form: 'T' separator, upper-case 'Z', fraction
 * truncated to 9 digits (nanoseconds), e.g. "1979-05-27T07:32:00.999-07:00",
 * "1979-05-27", "07:32:00". */
typedef struct wg_toml_datetime {
  int32_t year, month, day;        /* dates and date-times */
  int32_t hour, minute, second;    /* times and date-times; second may be 60 */
  uint32_t nanosecond;
  int32_t offset_minutes;          /* offset date-time only: -1439..1439 */
  char text[40];
} wg_toml_datetime;

typedef struct wg_toml_value wg_toml_value;

typedef struct wg_toml_member {
  const char *key;     /* decoded UTF-8, NUL-terminated */
  size_t key_len;
  wg_toml_pos key_pos; /* where this key segment is written (the first time) */
  wg_toml_value *value;
} wg_toml_member;

struct wg_toml_value {
  wg_toml_type type;
  /* Where the value starts: the first byte of a scalar, the '[' or '{' of an
   * array or inline table, the '[' of the header that defined a table, or
   * the first key segment that created an implicit or dotted table. */
  wg_toml_pos pos;
  union {
    struct { const char *text; size_t len; } string; /* decoded UTF-8 */
    int64_t integer;
    /* The lexeme is exactly as written (sign, underscores and all). */
    struct { double value; const char *lexeme; size_t len; } floating;
    bool boolean;
    const wg_toml_datetime *datetime; /* the four date-time types */
    /* of_tables: the array was made by [[header]] elements. */
    struct { wg_toml_value **items; size_t count; bool of_tables; } array;
    struct {
      wg_toml_member *members; /* document order */
      size_t count;
      wg_toml_table_kind kind;
    } table;
  } u;
};

/* Limits, all named here. Element counts need no limit of their own: each
 * key or element takes at least one input byte, so max_size bounds them;
 * the tree's memory is linear in the input and capped by max_memory. */
typedef struct wg_toml_limits {
  size_t max_size;   /* input bytes (WG_TOML_DEFAULT_MAX_SIZE) */
  size_t max_depth;  /* nesting of the tree: every header or dotted-key
                        segment, array and inline table is one level
                        (WG_TOML_DEFAULT_MAX_DEPTH); deeper is an error */
  size_t max_memory; /* bytes of tree (arena) memory
                        (WG_TOML_DEFAULT_MAX_MEMORY), 0 = unlimited. Over
                        it: too_large. */
} wg_toml_limits;

wg_toml_limits wg_toml_default_limits(void);

typedef enum wg_toml_code {
  WG_TOML_OK = 0,
  WG_TOML_SYNTAX,       /* not TOML (also: bad escape, bad number form) */
  WG_TOML_BAD_UTF8,     /* invalid UTF-8 in the input */
  WG_TOML_CONTROL_CHAR, /* control character in a string or comment, or a
                           bare carriage return */
  WG_TOML_BAD_VALUE,    /* well-formed but out of range: date, time, offset,
                           escape naming a non-scalar code point */
  WG_TOML_OVERFLOW,     /* integer outside int64 */
  WG_TOML_DUPLICATE,    /* key or table defined twice, or conflicting
                           definitions (e.g. extending an inline table) */
  WG_TOML_TOO_DEEP,
  WG_TOML_TOO_LARGE,    /* input over max_size, tree over max_memory */
  WG_TOML_NOMEM,
} wg_toml_code;

/* Stable names: "ok", "syntax", "bad_utf8", "control_char", "bad_value",
 * "overflow", "duplicate", "too_deep", "too_large", "nomem". */
const char *wg_toml_code_name(wg_toml_code s);

typedef struct wg_toml_error {
  wg_toml_code code;
  uint32_t line, column; /* 1-based; column in code points */
  size_t offset;         /* byte offset */
  char message[96];      /* fixed text, never input bytes */
} wg_toml_error;

typedef struct wg_toml_doc wg_toml_doc;

/* Parses text[0..len) (text may be NULL only when len is 0). limits may be
 * NULL (defaults). On failure returns NULL and fills err (if non-NULL); on
 * success err->code is WG_TOML_OK. */
wg_toml_doc *wg_toml_parse(const char *text, size_t len,
                           const wg_toml_limits *limits, wg_toml_error *err);
void wg_toml_free(wg_toml_doc *doc);

/* The root table (never NULL for a parsed document). */
const wg_toml_value *wg_toml_root(const wg_toml_doc *doc);

/* Table lookup by key (exact bytes); NULL if absent or v is not a table.
 * Large tables are hashed, so lookups stay O(1). */
const wg_toml_member *wg_toml_find(const wg_toml_value *table,
                                   const char *key, size_t key_len);
const wg_toml_value *wg_toml_get(const wg_toml_value *table, const char *key);

/* Members of a table / items of an array (0 for scalars). */
size_t wg_toml_count(const wg_toml_value *v);
/* The i-th member of a table in document order, NULL if out of range. */
const wg_toml_member *wg_toml_member_at(const wg_toml_value *table, size_t i);
/* The i-th item of an array, NULL if out of range or not an array. */
const wg_toml_value *wg_toml_at(const wg_toml_value *array, size_t i);

/* "string", "integer", "float", "bool", "offset-datetime",
 * "local-datetime", "local-date", "local-time", "array", "table". */
const char *wg_toml_type_name(wg_toml_type t);

#endif
