/* history.c: the append-only JSON Lines history (docs/runtime.md#history)
 * and the JSON form of a call result.
 *
 * Records: {"kind":"tool_call","call_id","name","arguments",...} and
 * {"kind":"tool_result","call_id","summary","content"?,"is_error",...} as
 * yoi, plus "timestamp", "origin", "error", "stats" and, when the call made
 * https requests, "https": one {"method","url","status"|"error","bytes",
 * "ms"[,"hop"]} per request and redirect hop (safe URLs: no query, no
 * userinfo, path placeholders as written; never headers or bodies). One
 * write(2) per record on an O_APPEND descriptor under flock(LOCK_EX), so
 * `call` and `serve` may share the file; if the file does not end in a
 * newline (a torn record after a crash), a newline is written first so the
 * torn text stays one skipped line. A record over the bound is rebuilt
 * with its large strings cut and "truncated" set, never dropped. Reading
 * skips a torn last line and any line that is not a JSON object. */
#include "wasmgate/json.h"
#include "wasmgate/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct wg_history {
  int fd;
  bool fsync;
  size_t max_record;
};

static void set_err(char *err, size_t size, const char *what) {
  if (err && size) snprintf(err, size, "%s: %s", what, strerror(errno));
}

/* open(2) with O_NOFOLLOW and O_NONBLOCK, then fstat: only a regular file
 * is used (a FIFO or device would block or mislead); O_NONBLOCK is cleared
 * again so writes and reads behave as on any file. Returns the descriptor,
 * or -1 with err set. */
static int open_regular(const char *path, int flags, char *err, size_t err_size) {
  int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (fd < 0) {
    set_err(err, err_size, "cannot open the history file");
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (err && err_size) snprintf(err, err_size, "the history file is not a regular file");
    close(fd);
    return -1;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
    set_err(err, err_size, "cannot open the history file");
    close(fd);
    return -1;
  }
  return fd;
}

wg_history *wg_history_open(const char *path, const wg_history_options *opts,
                            char *err, size_t err_size) {
  wg_history *h = calloc(1, sizeof *h);
  if (!h) {
    set_err(err, err_size, "cannot allocate the history");
    return NULL;
  }
  h->fsync = opts ? opts->fsync : true;
  h->max_record = opts && opts->max_record_bytes ? opts->max_record_bytes
                                                 : WG_HISTORY_DEFAULT_MAX_RECORD;
  if (h->max_record < 4096) h->max_record = 4096;
  h->fd = open_regular(path, O_RDWR | O_APPEND | O_CREAT, err, err_size);
  if (h->fd < 0) {
    free(h);
    return NULL;
  }
  return h;
}

bool wg_history_path(const char *workspace, const wg_config *cfg, char *out,
                     size_t size) {
  const char *h = cfg && cfg->history_path ? cfg->history_path : ".wasmgate/history.jsonl";
  int n = h[0] == '/' ? snprintf(out, size, "%s", h) : snprintf(out, size, "%s/%s", workspace, h);
  return n > 0 && (size_t)n < size;
}

void wg_history_close(wg_history *h) {
  if (!h) return;
  close(h->fd);
  free(h);
}

/* RFC 3339 UTC with milliseconds, of unix_ns or (0) now. */
static void timestamp(char out[64], uint64_t unix_ns) {
  struct timespec ts;
  struct tm tm;
  if (unix_ns) {
    ts.tv_sec = (time_t)(unix_ns / 1000000000u);
    ts.tv_nsec = (long)(unix_ns % 1000000000u);
  } else {
    clock_gettime(CLOCK_REALTIME, &ts);
  }
  gmtime_r(&ts.tv_sec, &tm);
  snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           ts.tv_nsec / 1000000L);
}

/* Records are written by hand (not with wg_json_writer) because the
 * arguments are already canonical JSON text and go in verbatim. */
static void put_key(wg_buf *out, const char *key) {
  wg_buf_append_char(out, ',');
  wg_json_write_string(out, key, strlen(key));
  wg_buf_append_char(out, ':');
}

static void put_str(wg_buf *out, const char *key, const char *s) {
  put_key(out, key);
  if (s) wg_json_write_string(out, s, strlen(s));
  else wg_buf_append_str(out, "null");
}

/* A string cut to at most `keep` bytes on a UTF-8 boundary. */
static void put_cut(wg_buf *out, const char *key, const char *s, size_t len,
                    size_t keep) {
  put_key(out, key);
  if (len > keep) len = wg_utf8_trim((const uint8_t *)s, keep);
  wg_json_write_string(out, s, len);
}

static void put_head(wg_buf *out, const char *kind, const char *call_id,
                     uint64_t unix_ns) {
  char ts[64];
  timestamp(ts, unix_ns);
  wg_buf_append_str(out, "{\"kind\":");
  wg_json_write_string(out, kind, strlen(kind));
  put_str(out, "call_id", call_id);
  put_str(out, "timestamp", ts);
}

static void put_origin(wg_buf *out, const wg_history_origin *o) {
  put_key(out, "origin");
  if (!o) {
    wg_buf_append_str(out, "null");
    return;
  }
  wg_buf_append_char(out, '{');
  wg_buf_append_str(out, "\"plugin\":");
  wg_json_write_string(out, o->plugin ? o->plugin : "", o->plugin ? strlen(o->plugin) : 0);
  put_str(out, "version", o->version);
  put_str(out, "digest", o->digest);
  wg_buf_append_char(out, '}');
}

/* The tool_call record; when `keep` is under the arguments' length, they
 * become a string holding a prefix of their canonical text, marked. */
static bool format_call(const char *call_id, const char *tool,
                        const wg_history_origin *o, const wg_call_result *r,
                        size_t keep, wg_buf *out) {
  put_head(out, "tool_call", call_id, r->stats.started_unix_ns); /* when it began */
  put_str(out, "name", tool);
  bool cut = r->arguments && r->arguments_len > keep;
  if (!r->arguments) {
    put_key(out, "arguments"); /* the input never became valid JSON */
    wg_buf_append_str(out, "null");
  } else if (cut) {
    put_cut(out, "arguments", r->arguments, r->arguments_len, keep);
    put_key(out, "truncated");
    wg_buf_printf(out, "{\"field\":\"arguments\",\"original_bytes\":%zu}",
                  r->arguments_len);
  } else {
    put_key(out, "arguments");
    wg_buf_append(out, r->arguments, r->arguments_len);
  }
  put_origin(out, o);
  wg_buf_append_char(out, '}');
  return wg_buf_ok(out);
}

/* ,"https":[...] when the call made requests (history and --json). A
 * record is at most ~600 bytes; when the whole record must shrink (`keep`
 * under SIZE_MAX) only the first keep / 600 are kept, and "https_dropped"
 * counts the rest. */
static void put_https(wg_buf *out, const wg_call_result *r, size_t keep) {
  if (!r->https_count) return;
  size_t n = r->https_count;
  if (keep != SIZE_MAX && n > keep / 600) n = keep / 600;
  put_key(out, "https");
  wg_buf_append_char(out, '[');
  for (size_t i = 0; i < n; i++) {
    const wg_https_record *h = &r->https[i];
    if (i) wg_buf_append_char(out, ',');
    wg_buf_append_str(out, "{\"method\":");
    if (h->method[0]) wg_json_write_string(out, h->method, strlen(h->method));
    else wg_buf_append_str(out, "null");
    put_key(out, "url");
    if (h->url[0]) wg_json_write_string(out, h->url, strlen(h->url));
    else wg_buf_append_str(out, "null");
    if (h->error == WG_ERR_NONE) {
      put_key(out, "status");
      wg_buf_printf(out, "%u", (unsigned)h->status);
    } else {
      put_str(out, "error", wg_err_name(h->error));
    }
    put_key(out, "bytes");
    wg_buf_printf(out, "%llu", (unsigned long long)h->bytes);
    put_key(out, "ms");
    wg_buf_printf(out, "%llu", (unsigned long long)h->ms);
    if (h->hop) {
      put_key(out, "hop");
      wg_buf_printf(out, "%u", (unsigned)h->hop);
    }
    wg_buf_append_char(out, '}');
  }
  wg_buf_append_char(out, ']');
  if (n < r->https_count) {
    put_key(out, "https_dropped");
    wg_buf_printf(out, "%zu", r->https_count - n);
  }
}

static bool format_result(const char *call_id, const wg_history_origin *o,
                          const wg_call_result *r, size_t keep, wg_buf *out) {
  put_head(out, "tool_result", call_id, 0);
  size_t slen = r->summary ? r->summary_len : 0;
  put_cut(out, "summary", r->summary ? r->summary : "", slen, keep);
  bool cut = slen > keep;
  if (r->content) {
    put_cut(out, "content", r->content, r->content_len, keep);
    cut = cut || r->content_len > keep;
  }
  put_key(out, "is_error");
  wg_buf_append_str(out, r->is_error ? "true" : "false");
  if (cut) {
    put_key(out, "truncated");
    wg_buf_printf(out, "{\"summary_bytes\":%zu,\"content_bytes\":%zu}", slen,
                  r->content ? r->content_len : 0);
  }
  if (r->error.code != WG_ERR_NONE) {
    put_key(out, "error");
    wg_error_write_json(&r->error, out);
  }
  put_origin(out, o);
  put_key(out, "stats");
  wg_buf_printf(out, "{\"fuel_used\":%llu,\"wall_ns\":%llu,\"memory_peak_bytes\":%llu}",
                (unsigned long long)r->stats.fuel_used,
                (unsigned long long)r->stats.wall_ns,
                (unsigned long long)r->stats.memory_peak_bytes);
  put_https(out, r, keep);
  wg_buf_append_char(out, '}');
  return wg_buf_ok(out);
}

typedef bool (*format_fn)(const void *ctx, size_t keep, wg_buf *out);

/* Formats under max_record: first whole, then with the large strings cut
 * to smaller and smaller budgets (each escaped byte is at most 6 bytes, so
 * max_record / 8 always fits beside the fixed fields). */
/* Each attempt is then made safe for a terminal (C1 and bidi controls as
 * \uXXXX: at most 3x a string's bytes, inside the same budget). */
static bool format_bounded(format_fn fn, const void *ctx, size_t max_record,
                           wg_buf *out) {
  size_t keep = SIZE_MAX;
  wg_buf raw;
  for (int attempt = 0; attempt < 8; attempt++) {
    wg_buf_free(out);
    wg_buf_init(out, max_record);
    wg_buf_init(&raw, max_record);
    bool ok = fn(ctx, keep, &raw) && wg_json_escape_terminal(raw.data, raw.len, out);
    bool oom = raw.oom || out->oom;
    wg_buf_free(&raw);
    if (ok) return true;
    if (oom) return false;
    keep = keep == SIZE_MAX ? max_record / 2 : keep / 2;
  }
  return false;
}

typedef struct fmt_ctx {
  const char *call_id, *tool;
  const wg_history_origin *origin;
  const wg_call_result *r;
} fmt_ctx;

static bool fmt_call(const void *ctx, size_t keep, wg_buf *out) {
  const fmt_ctx *c = ctx;
  return format_call(c->call_id, c->tool, c->origin, c->r, keep, out);
}

static bool fmt_result(const void *ctx, size_t keep, wg_buf *out) {
  const fmt_ctx *c = ctx;
  return format_result(c->call_id, c->origin, c->r, keep, out);
}

bool wg_history_format_call(const char *call_id, const char *tool,
                            const wg_history_origin *origin,
                            const wg_call_result *r, size_t max_record,
                            wg_buf *out) {
  fmt_ctx c = {call_id, tool, origin, r};
  return format_bounded(fmt_call, &c, max_record ? max_record : WG_HISTORY_DEFAULT_MAX_RECORD, out);
}

bool wg_history_format_result(const char *call_id,
                              const wg_history_origin *origin,
                              const wg_call_result *r, size_t max_record,
                              wg_buf *out) {
  fmt_ctx c = {call_id, NULL, origin, r};
  return format_bounded(fmt_result, &c, max_record ? max_record : WG_HISTORY_DEFAULT_MAX_RECORD, out);
}

/* Under the lock: true if the file (of `size` bytes) is empty or ends in
 * '\n'. */
static bool ends_in_newline(int fd, off_t size) {
  char last = '\n';
  if (size == 0 || pread(fd, &last, 1, size - 1) != 1) return true;
  return last == '\n';
}

/* Writes all of p[0..n), or fails with errno set (a short write is retried
 * once more to learn why it stopped: EFBIG, ENOSPC, EIO). */
static bool write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      if (w == 0) errno = EIO;
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return true;
}

/* One record: '\n'-terminated, one write(2), under an exclusive flock. A
 * write that fails part-way is cut off again (ftruncate to the old size,
 * still under the lock), so a failed record never leaves torn text. */
static bool append_record(wg_history *h, wg_buf *rec, char *err, size_t err_size) {
  if (!wg_buf_append_char(rec, '\n')) {
    rec->overflow = false; /* the cap is the record bound; the newline may pass it */
    rec->cap++;
    if (!wg_buf_append_char(rec, '\n')) return false;
  }
  while (flock(h->fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      set_err(err, err_size, "cannot lock the history file");
      return false;
    }
  }
  bool ok = true;
  const char *p = rec->data;
  size_t n = rec->len;
  char *joined = NULL;
  struct stat st;
  off_t before = fstat(h->fd, &st) == 0 ? st.st_size : -1;
  if (before > 0 && !ends_in_newline(h->fd, before)) {
    joined = malloc(n + 1);
    if (joined) {
      joined[0] = '\n';
      memcpy(joined + 1, p, n);
      p = joined, n++;
    }
  }
  if (!write_all(h->fd, p, n)) {
    set_err(err, err_size, "cannot write the history file");
    if (before >= 0 && ftruncate(h->fd, before) != 0) {
      /* Best effort: a torn line left behind is skipped by the reader. */
    }
    ok = false;
  }
  if (ok && h->fsync && fdatasync(h->fd) != 0) {
    set_err(err, err_size, "cannot sync the history file");
    ok = false;
  }
  flock(h->fd, LOCK_UN);
  free(joined);
  return ok;
}

void wg_history_new_call_id(char out[WG_CALL_ID_MAX + 1]) {
  unsigned char b[12] = {0};
  if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
    uint64_t t = wg_now_ns();
    memcpy(b, &t, sizeof t);
  }
  strcpy(out, "call_");
  for (size_t i = 0; i < sizeof b; i++) snprintf(out + 5 + 2 * i, 3, "%02x", b[i]);
}

/* Appends a record the caller formatted into rec (formatted: whether that
 * worked) and frees rec. */
static bool append_formatted(wg_history *h, wg_buf *rec, bool formatted, char *err,
                             size_t err_size) {
  if (err && err_size) err[0] = '\0';
  if (!formatted && err && err_size) snprintf(err, err_size, "cannot format a history record");
  bool ok = formatted && append_record(h, rec, err, err_size);
  wg_buf_free(rec);
  return ok;
}

bool wg_history_append_tool_call(wg_history *h, const char *call_id,
                                 const char *tool,
                                 const wg_history_origin *origin,
                                 const wg_call_result *r, char *err,
                                 size_t err_size) {
  wg_buf rec;
  wg_buf_init(&rec, h->max_record);
  bool ok = wg_history_format_call(call_id, tool, origin, r, h->max_record, &rec);
  return append_formatted(h, &rec, ok, err, err_size);
}

bool wg_history_append_tool_result(wg_history *h, const char *call_id,
                                   const wg_history_origin *origin,
                                   const wg_call_result *r, char *err,
                                   size_t err_size) {
  wg_buf rec;
  wg_buf_init(&rec, h->max_record);
  bool ok = wg_history_format_result(call_id, origin, r, h->max_record, &rec);
  return append_formatted(h, &rec, ok, err, err_size);
}

bool wg_history_append_call(wg_history *h, const char *call_id,
                            const char *tool, const wg_history_origin *origin,
                            const wg_call_result *r, char *err,
                            size_t err_size) {
  char id[WG_CALL_ID_MAX + 1];
  if (!call_id) {
    wg_history_new_call_id(id);
    call_id = id;
  }
  return wg_history_append_tool_call(h, call_id, tool, origin, r, err, err_size) &&
         wg_history_append_tool_result(h, call_id, origin, r, err, err_size);
}

/* ---- Reading ------------------------------------------------------------- */

wg_json_doc *wg_history_parse_line(const char *line, size_t len,
                                   size_t max_record) {
  if (!max_record) max_record = WG_HISTORY_DEFAULT_MAX_RECORD;
  /* Arguments may nest as deep as the input allowed: depth is bounded by
   * the line's size only (the parser does not recurse). */
  wg_json_limits jl = {.max_size = max_record, .max_depth = max_record};
  wg_json_doc *doc = wg_json_parse(line, len, &jl, NULL);
  if (doc && wg_json_root(doc)->type != WG_JSON_OBJECT) {
    wg_json_free(doc);
    doc = NULL;
  }
  return doc;
}

typedef struct scanner {
  size_t max_record;
  wg_history_line_fn fn;
  void *ctx;
  size_t *skipped;
} scanner;

/* One complete line: handed on if it is a JSON object, else counted. */
static bool scan_line(scanner *sc, const char *line, size_t len) {
  wg_json_doc *doc = wg_history_parse_line(line, len, sc->max_record);
  if (!doc) {
    (*sc->skipped)++;
    return true;
  }
  bool go_on = sc->fn(sc->ctx, line, len, wg_json_root(doc));
  wg_json_free(doc);
  return go_on;
}

bool wg_history_scan(const char *path, size_t max_record, wg_history_line_fn fn,
                     void *ctx, size_t *skipped, char *err, size_t err_size) {
  size_t scratch = 0;
  if (!skipped) skipped = &scratch;
  *skipped = 0;
  if (err && err_size) err[0] = '\0';
  scanner sc = {max_record ? max_record : WG_HISTORY_DEFAULT_MAX_RECORD, fn, ctx, skipped};
  int fd = open_regular(path, O_RDONLY, err, err_size);
  if (fd < 0) return false;
  wg_buf line;
  wg_buf_init(&line, sc.max_record);
  bool ok = true, go_on = true, too_long = false;
  static const size_t chunk_size = 65536;
  char *chunk = malloc(chunk_size);
  if (!chunk) {
    close(fd);
    if (err && err_size) snprintf(err, err_size, "out of memory reading history");
    return false;
  }
  ssize_t n;
  while (go_on && (n = read(fd, chunk, chunk_size)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      set_err(err, err_size, "cannot read the history file");
      ok = false;
      break;
    }
    for (ssize_t i = 0; go_on && i < n;) {
      char *nl = memchr(chunk + i, '\n', (size_t)(n - i));
      size_t part = nl ? (size_t)(nl - (chunk + i)) : (size_t)(n - i);
      /* An over-long line is skipped whole, never split into records. */
      if (!too_long && !wg_buf_append(&line, chunk + i, part)) too_long = true;
      i += (ssize_t)part;
      if (!nl) break;
      i++;
      if (too_long) (*skipped)++;
      else if (line.len) go_on = scan_line(&sc, line.data, line.len);
      too_long = false;
      wg_buf_reset(&line);
    }
  }
  if (go_on && (line.len || too_long)) (*skipped)++; /* torn last line */
  wg_buf_free(&line);
  free(chunk);
  close(fd);
  return ok;
}

typedef struct reader {
  wg_history_lines *out;
  size_t tail;
  size_t next; /* ring position when tail > 0 */
  size_t cap;  /* slots allocated in out->lines */
  bool oom;
} reader;

static bool keep_line(void *ctx, const char *line, size_t len, const wg_json *root) {
  (void)root;
  reader *rd = ctx;
  char *copy = malloc(len + 1);
  if (!copy) return !(rd->oom = true);
  memcpy(copy, line, len);
  copy[len] = '\0';
  wg_history_lines *o = rd->out;
  if (rd->tail && o->count == rd->tail) { /* full ring: replace the oldest */
    free(o->lines[rd->next]);
    o->lines[rd->next] = copy;
    rd->next = (rd->next + 1) % rd->tail;
    return true;
  }
  char **grown = wg_vec_reserve(o->lines, &rd->cap, o->count + 1, sizeof *grown, 0);
  if (!grown) {
    free(copy);
    return !(rd->oom = true);
  }
  o->lines = grown;
  o->lines[o->count++] = copy;
  return true;
}

/* Puts a full ring back in file order. */
static bool unrotate(reader *rd) {
  wg_history_lines *o = rd->out;
  if (!rd->tail || rd->next == 0) return true;
  char **ordered = malloc(o->count * sizeof *ordered);
  if (!ordered) return false;
  for (size_t i = 0; i < o->count; i++) ordered[i] = o->lines[(rd->next + i) % o->count];
  free(o->lines);
  o->lines = ordered;
  return true;
}

bool wg_history_read(const char *path, size_t tail, size_t max_record,
                     wg_history_lines *out, char *err, size_t err_size) {
  memset(out, 0, sizeof *out);
  reader rd = {.out = out, .tail = tail};
  bool ok = wg_history_scan(path, max_record, keep_line, &rd, &out->skipped, err, err_size) &&
            !rd.oom && unrotate(&rd);
  if (!ok) {
    if (err && err_size && !err[0]) snprintf(err, err_size, "out of memory reading history");
    size_t skipped = out->skipped;
    wg_history_lines_free(out);
    out->skipped = skipped;
  }
  return ok;
}

void wg_history_lines_free(wg_history_lines *l) {
  for (size_t i = 0; i < l->count; i++) free(l->lines[i]);
  free(l->lines);
  memset(l, 0, sizeof *l);
}

/* ---- Result JSON ----------------------------------------------------------- */

/* {"is_error","summary","content","error"?,"stats"}, C1 and bidi controls
 * escaped (it goes to a terminal or a pipe). */
bool wg_call_result_write_json(const wg_call_result *r, wg_buf *out) {
  wg_buf raw;
  wg_buf_init(&raw, 0);
  wg_buf_append_str(&raw, "{\"is_error\":");
  wg_buf_append_str(&raw, r->is_error ? "true" : "false");
  put_key(&raw, "summary");
  wg_json_write_string(&raw, r->summary ? r->summary : "", r->summary ? r->summary_len : 0);
  put_key(&raw, "content");
  if (r->content) wg_json_write_string(&raw, r->content, r->content_len);
  else wg_buf_append_str(&raw, "null");
  if (r->error.code != WG_ERR_NONE) {
    put_key(&raw, "error");
    wg_error_write_json(&r->error, &raw);
  }
  put_key(&raw, "stats");
  wg_buf_printf(&raw, "{\"fuel_used\":%llu,\"wall_ns\":%llu,\"memory_peak_bytes\":%llu}",
                (unsigned long long)r->stats.fuel_used,
                (unsigned long long)r->stats.wall_ns,
                (unsigned long long)r->stats.memory_peak_bytes);
  put_https(&raw, r, SIZE_MAX);
  wg_buf_append_char(&raw, '}');
  bool ok = wg_buf_ok(&raw) && wg_json_escape_terminal(raw.data, raw.len, out) && wg_buf_ok(out);
  wg_buf_free(&raw);
  return ok;
}
