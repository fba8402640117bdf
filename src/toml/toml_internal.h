/* toml_internal.h: parser state and tree helpers shared by the files of the
 * TOML layer (parse.c: statements and nesting, scalar.c: strings, numbers
 * and dates, tree.c: nodes, tables, positions, errors, public accessors).
 *
 * Invariants:
 * - Every table and array is a toml_node (the public wg_toml_value first),
 *   so a wg_toml_value of those types can be cast back to its toml_node.
 * - All memory of a document lives in one arena; parser scratch (key
 *   segments, the nesting stack, the string buffer) is malloc'd, bounded by
 *   max_depth / max_size, and freed when wg_toml_parse returns.
 * - The input is checked to be valid UTF-8 before parsing, so the scanners
 *   only look at ASCII bytes and copy the others through.
 * - The first error wins: once p->failed is set, later errors are ignored. */
#ifndef WG_TOML_INTERNAL_H
#define WG_TOML_INTERNAL_H

#include "wasmgate/toml.h"
#include "wasmgate/util.h"

/* Tables with more members than this get a hash index, so building and
 * querying a big table stays linear instead of quadratic. */
enum { TOML_INDEX_THRESHOLD = 8 };

/* A table's hash index: open addressing, linear probing, at most half
 * full. Kept out of toml_node so small tables (most of them) stay small. */
typedef struct toml_index {
  uint64_t seed; /* the document's hash seed */
  size_t mask;   /* slot count - 1 (a power of two) */
  size_t slots[]; /* member number + 1; 0 = empty */
} toml_index;

typedef struct toml_node {
  wg_toml_value v;    /* first: a wg_toml_value* of a container is a node */
  toml_index *index;  /* tables over TOML_INDEX_THRESHOLD members, or NULL */
  uint32_t cap;       /* allocated members (table) or items (array) */
  uint32_t depth;     /* root = 0; each container nested inside adds 1 */
} toml_node;

/* One segment of a (possibly dotted) key. */
typedef struct toml_key {
  const char *text; /* decoded, in the arena */
  size_t len;
  size_t offset;    /* where the segment starts in the input */
} toml_key;

/* One open array or inline table while parsing a value. For an inline
 * table, `target` is the table that receives the pending value (the inline
 * table itself or a dotted sub-table of it) and `member` its slot. */
typedef struct toml_frame {
  toml_node *node;
  toml_node *target;
  size_t member;
} toml_frame;

struct wg_toml_doc {
  wg_arena arena;
  toml_node *root;
};

typedef struct toml_parser {
  const uint8_t *s;
  size_t len;
  size_t i;          /* cursor */
  size_t start;      /* 3 after a BOM, else 0 */
  uint32_t max_depth; /* limits.max_depth, clamped */
  wg_arena *arena;
  wg_toml_error *err;
  bool failed;
  /* Position cache: positions are asked for in increasing order (or going
   * back within one line, as a header does), so each costs only the
   * distance from the previous one or the length of the line. */
  size_t pc_off, pc_line_start;
  uint32_t pc_line, pc_col;
  wg_buf scratch;    /* a string being decoded, a number being cleaned */
  toml_key *keys;    /* the key being parsed */
  size_t nkeys, keys_cap;
  toml_frame *frames; /* open arrays / inline tables */
  size_t nframes, frames_cap;
  toml_node *root;
  toml_node *section; /* table that receives key/values ([header]) */
  uint64_t seed;
} toml_parser;

/* tree.c */
/* Arena allocation (zeroed); on failure records too_large (over
 * limits.max_memory) or nomem. */
void *toml_alloc(toml_parser *p, size_t size);
char *toml_strndup(toml_parser *p, const char *s, size_t n);
bool toml_fail(toml_parser *p, size_t offset, wg_toml_code code,
               const char *message);
wg_toml_pos toml_pos_at(toml_parser *p, size_t offset);
wg_toml_value *toml_new_scalar(toml_parser *p, wg_toml_type type,
                               size_t offset);
/* A new table or array nested in a container of depth parent_depth. */
toml_node *toml_new_container(toml_parser *p, wg_toml_type type,
                              size_t offset, uint32_t parent_depth);
/* Member number of key in t, or SIZE_MAX. */
size_t toml_table_lookup(const toml_node *t, const char *key, size_t len);
/* Appends a member (value may be NULL for now); returns its number or
 * SIZE_MAX after recording an error. */
size_t toml_table_add(toml_parser *p, toml_node *t, const toml_key *key,
                      wg_toml_value *value);
bool toml_array_push(toml_parser *p, toml_node *a, wg_toml_value *item);

/* scalar.c: each starts at p->i and leaves p->i after what it read. */
/* A basic ("), literal ('), or multi-line string; for keys, multiline is
 * false. Result in p->scratch. */
bool toml_scan_string(toml_parser *p, bool allow_multiline);
/* Any value that is not a string, array or inline table. */
wg_toml_value *toml_parse_scalar(toml_parser *p);

/* parse.c */
static inline bool toml_eof(const toml_parser *p) { return p->i >= p->len; }
static inline int toml_peek(const toml_parser *p, size_t ahead) {
  return p->i + ahead < p->len ? p->s[p->i + ahead] : -1;
}

#endif
