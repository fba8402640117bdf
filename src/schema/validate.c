/* validate.c: runs a compiled schema against an instance.
 *
 * Every check returns 1 (valid), 0 (invalid) or -1 (a hard error: step
 * budget, depth, regex or number limit, out of memory). Hard errors stop the
 * whole validation and are never turned into a pass or a fail by anyOf/not.
 * Validation stops at the first failure. Failures inside anyOf, oneOf, not,
 * if and contains branches are expected and not reported (`suppress`); the
 * error names the keyword that decided the outcome.
 *
 * Recursion: one C frame per schema application, bounded by
 * max_validate_depth (a `$ref` cycle that consumes no instance hits it).
 * Work: every application, member, item, equality node and regex/number
 * operation is charged to the step budget. Nothing in the wg_schema is
 * written; per-call state (PCRE2 match data, path stack) is allocated here. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json_budget.h"
#include "schema_internal.h"

/* One step of the instance path: a key the schema names (`properties`),
 * or an index: an array item, or (member) an object member reached by a
 * rule that does not name it, shown as {idx} so no input byte is quoted. */
typedef struct vseg {
  const char *key; /* NULL for an index */
  size_t len, idx;
  bool member;
} vseg;

typedef struct vctx {
  const wg_schema *s;
  wg_schema_error *err;
  uint64_t steps, max_steps;
  size_t depth;
  int suppress;
  bool recorded;
  pcre2_match_data *md;
  pcre2_match_context *mc;
  schema_regex_meter meter;
  vseg *segs;
  size_t nsegs, segs_cap;
} vctx;

static void instance_path(vctx *c, char *dst, size_t size) {
  wg_buf b;
  wg_buf_init(&b, 4096);
  for (size_t i = 0; i < c->nsegs && wg_buf_ok(&b); i++) {
    const vseg *g = &c->segs[i];
    wg_buf_append_char(&b, '/');
    if (!g->key) {
      wg_buf_printf(&b, g->member ? "{%zu}" : "%zu", g->idx);
      continue;
    }
    for (size_t k = 0; k < g->len && wg_buf_ok(&b); k++) {
      char ch = g->key[k];
      if (ch == '~')
        wg_buf_append_str(&b, "~0");
      else if (ch == '/')
        wg_buf_append_str(&b, "~1");
      else
        wg_buf_append_char(&b, (unsigned char)ch < 0x20 ? '?' : ch);
    }
  }
  /* b holds 4096 bytes, far more than dst: a path too long for b is longer
   * than dst too, so it is cut here and ends in the mark. */
  wg_utf8_cut(dst, size, b.data ? b.data : "", b.len, SIZE_MAX, "...");
  wg_buf_free(&b);
}

static void record(vctx *c, const schema_node *n, wg_schema_code st, const char *kw,
                   const char *fmt, va_list ap) {
  wg_schema_error *e = c->err;
  e->code = st;
  instance_path(c, e->instance_path, sizeof e->instance_path);
  wg_utf8_cut(e->schema_path, sizeof e->schema_path, n->path, strlen(n->path), SIZE_MAX,
              "...");
  wg_utf8_cut(e->keyword, sizeof e->keyword, kw, strlen(kw), SIZE_MAX, "...");
  vsnprintf(e->message, sizeof e->message, fmt, ap);
  schema_clean_message(e->message); /* names from the schema may hold any byte */
  c->recorded = true;
}

static int fail(vctx *c, const schema_node *n, const char *kw, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(vctx *c, const schema_node *n, const char *kw, const char *fmt, ...) {
  if (c->suppress == 0 && !c->recorded) {
    va_list ap;
    va_start(ap, fmt);
    record(c, n, WG_SCHEMA_INVALID, kw, fmt, ap);
    va_end(ap);
  }
  return 0;
}

static int hard(vctx *c, const schema_node *n, wg_schema_code st, const char *kw,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int hard(vctx *c, const schema_node *n, wg_schema_code st, const char *kw,
                const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  record(c, n, st, kw, fmt, ap);
  va_end(ap);
  return -1;
}

static int budget(vctx *c, const schema_node *n, const char *kw) {
  return hard(c, n, WG_SCHEMA_BUDGET, kw, "validation step budget (%llu) exhausted",
              (unsigned long long)c->max_steps);
}

static bool charge(vctx *c, uint64_t n) {
  c->steps += n;
  return c->steps <= c->max_steps;
}

static int validate(vctx *c, uint32_t idx, const wg_json *inst);

/* Validates a child instance (array item or member value) under a segment. */
static int validate_at(vctx *c, const schema_node *n, uint32_t idx, const wg_json *inst,
                       const char *key, size_t len, size_t i) {
  if (c->nsegs >= c->segs_cap)
    return hard(c, n, WG_SCHEMA_DEPTH, "", "instance nested too deep");
  c->segs[c->nsegs++] = (vseg){key, len, i, false};
  int r = validate(c, idx, inst);
  c->nsegs--;
  return r;
}

/* Runs a subschema whose failure is an expected outcome, not the error. */
static int probe(vctx *c, uint32_t idx, const wg_json *inst) {
  c->suppress++;
  int r = validate(c, idx, inst);
  c->suppress--;
  return r;
}

/* ---- type, enum, const ---- */

static const char *type_name(const wg_json *v) {
  static const char *const names[] = {"null",   "boolean", "boolean", "number",
                                      "string", "array",   "object"};
  return names[v->type];
}

static bool number_dec(const wg_json *v, json_dec *d) {
  return json_dec_parse(v->u.number.text, v->u.number.len, d);
}

static int check_type(vctx *c, const schema_node *n, const wg_json *inst) {
  if (!n->types) return 1;
  unsigned bits = 0;
  switch (inst->type) {
    case WG_JSON_NULL: bits = SCHEMA_T_NULL; break;
    case WG_JSON_TRUE:
    case WG_JSON_FALSE: bits = SCHEMA_T_BOOLEAN; break;
    case WG_JSON_STRING: bits = SCHEMA_T_STRING; break;
    case WG_JSON_ARRAY: bits = SCHEMA_T_ARRAY; break;
    case WG_JSON_OBJECT: bits = SCHEMA_T_OBJECT; break;
    case WG_JSON_NUMBER:
      bits = SCHEMA_T_NUMBER;
      if (wg_json_is_integer(inst)) bits |= SCHEMA_T_INTEGER;
      break;
  }
  if (n->types & bits) return 1;
  static const char *const names[] = {"null",   "boolean", "object", "array",
                                      "number", "string",  "integer"};
  char want[80] = "";
  size_t len = 0;
  for (unsigned i = 0; i < 7; i++)
    if (n->types & (1u << i))
      len += (size_t)snprintf(want + len, sizeof want - len, "%s%s", len ? "/" : "",
                              names[i]);
  return fail(c, n, "type", "expected %s, got %s", len ? want : "nothing",
              bits & SCHEMA_T_NUMBER ? "number" : type_name(inst));
}

static int equal(vctx *c, const schema_node *n, const char *kw, const wg_json *a,
                 const wg_json *b) {
  int r = json_equal_budget(a, b, &c->steps, c->max_steps);
  if (r == -2) return hard(c, n, WG_SCHEMA_NOMEM, kw, "out of memory");
  if (r < 0) return budget(c, n, kw);
  return r;
}

static int check_enum_const(vctx *c, const schema_node *n, const wg_json *inst) {
  if (n->const_val) {
    int r = equal(c, n, "const", n->const_val, inst);
    if (r <= 0) return r < 0 ? r : fail(c, n, "const", "value is not the constant");
  }
  if (!n->enum_vals) return 1;
  for (size_t i = 0; i < n->enum_vals->u.array.count; i++) {
    int r = equal(c, n, "enum", n->enum_vals->u.array.items[i], inst);
    if (r != 0) return r;
  }
  return fail(c, n, "enum", "value is not one of the %zu allowed values",
              n->enum_vals->u.array.count);
}

/* ---- numbers ---- */

static int check_bound(vctx *c, const schema_node *n, const json_dec *v,
                       const schema_num *lim, const char *kw, int bad_sign,
                       bool exclusive, const char *what) {
  if (!lim) return 1;
  int cmp = json_dec_cmp(v, &lim->dec);
  if (cmp == bad_sign || (exclusive && cmp == 0))
    return fail(c, n, kw, "value must be %s %.40s", what, lim->text);
  return 1;
}

static int check_multiple(vctx *c, const schema_node *n, const json_dec *v) {
  const schema_num *m = n->multiple_of;
  uint64_t left = c->max_steps > c->steps ? c->max_steps - c->steps : 0, work;
  int r = schema_multiple_of(v, &m->dec, left, &work);
  charge(c, work);
  if (r == -2) return hard(c, n, WG_SCHEMA_NOMEM, "multipleOf", "out of memory");
  if (r < 0 && work >= left) return budget(c, n, "multipleOf");
  if (r < 0)
    return hard(c, n, WG_SCHEMA_NUMBER_LIMIT, "multipleOf",
                "number too large to check multipleOf exactly");
  if (r == 0)
    return fail(c, n, "multipleOf", "value is not a multiple of %.40s", m->text);
  return 1;
}

static int check_number(vctx *c, const schema_node *n, const wg_json *inst) {
  json_dec v;
  if (!number_dec(inst, &v))
    return hard(c, n, WG_SCHEMA_NUMBER_LIMIT, "type", "malformed number");
  int r;
  if ((r = check_bound(c, n, &v, n->minimum, "minimum", -1, false, ">=")) != 1) return r;
  if ((r = check_bound(c, n, &v, n->maximum, "maximum", 1, false, "<=")) != 1) return r;
  if ((r = check_bound(c, n, &v, n->xminimum, "exclusiveMinimum", -1, true, ">")) != 1)
    return r;
  if ((r = check_bound(c, n, &v, n->xmaximum, "exclusiveMaximum", 1, true, "<")) != 1)
    return r;
  return n->multiple_of ? check_multiple(c, n, &v) : 1;
}

/* ---- strings ---- */

static int search(vctx *c, const schema_node *n, const char *kw, const pcre2_code *re,
                  const char *s, size_t len) {
  if (!charge(c, 1 + len / 16)) return budget(c, n, kw);
  c->meter.used = 0;
  c->meter.limit = c->max_steps - c->steps;
  int r = schema_regex_search(re, s, len, c->md, c->mc, &c->meter);
  charge(c, c->meter.used);
  if (r == -2) return budget(c, n, kw);
  if (r < 0) return hard(c, n, WG_SCHEMA_REGEX_LIMIT, kw, "regex match limit reached");
  return r;
}

static int check_string(vctx *c, const schema_node *n, const wg_json *inst) {
  const char *s = inst->u.string.text;
  size_t len = inst->u.string.len;
  if (n->min_len > 0 || n->max_len != UINT64_MAX) {
    if (!charge(c, len / 64)) return budget(c, n, "minLength");
    uint64_t cps = 0;
    for (size_t i = 0; i < len; i++) cps += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (cps < n->min_len)
      return fail(c, n, "minLength", "string shorter than %llu characters",
                  (unsigned long long)n->min_len);
    if (cps > n->max_len)
      return fail(c, n, "maxLength", "string longer than %llu characters",
                  (unsigned long long)n->max_len);
  }
  if (!n->pattern) return 1;
  int r = search(c, n, "pattern", n->pattern, s, len);
  if (r == 0) return fail(c, n, "pattern", "string does not match the pattern");
  return r;
}

/* ---- arrays ---- */

static int check_unique(vctx *c, const schema_node *n, const wg_json *inst) {
  size_t count = inst->u.array.count;
  for (size_t i = 0; i < count; i++)
    for (size_t j = i + 1; j < count; j++) {
      int r = equal(c, n, "uniqueItems", inst->u.array.items[i], inst->u.array.items[j]);
      if (r < 0) return r;
      if (r) return fail(c, n, "uniqueItems", "items %zu and %zu are equal", i, j);
    }
  return 1;
}

static int check_contains(vctx *c, const schema_node *n, const wg_json *inst) {
  uint64_t found = 0;
  for (size_t i = 0; i < inst->u.array.count; i++) {
    int r = probe(c, n->contains, inst->u.array.items[i]);
    if (r < 0) return r;
    found += (uint64_t)r;
    if (found > n->max_contains)
      return fail(c, n, "maxContains", "more than %llu items match \"contains\"",
                  (unsigned long long)n->max_contains);
  }
  if (found < n->min_contains)
    return fail(c, n, n->min_contains == 1 ? "contains" : "minContains",
                "fewer than %llu items match \"contains\"",
                (unsigned long long)n->min_contains);
  return 1;
}

/* minItems/maxItems and minProperties/maxProperties: one count test. */
static int check_count(vctx *c, const schema_node *n, size_t count, const char *min_kw,
                       uint64_t min, const char *max_kw, uint64_t max, const char *noun) {
  if (count < min) return fail(c, n, min_kw, "fewer than %llu %s", (unsigned long long)min, noun);
  if (count > max) return fail(c, n, max_kw, "more than %llu %s", (unsigned long long)max, noun);
  return 1;
}

static int check_array(vctx *c, const schema_node *n, const wg_json *inst) {
  size_t count = inst->u.array.count;
  int r = check_count(c, n, count, "minItems", n->min_items, "maxItems", n->max_items, "items");
  if (r != 1) return r;
  if (n->unique && (r = check_unique(c, n, inst)) != 1) return r;
  for (size_t i = 0; i < count; i++) {
    uint32_t sub = i < n->nprefix ? n->prefix[i] : n->items;
    if (sub == SCHEMA_NONE) break; /* past prefixItems without items: free */
    if ((r = validate_at(c, n, sub, inst->u.array.items[i], NULL, 0, i)) != 1) return r;
  }
  if (n->contains != SCHEMA_NONE) return check_contains(c, n, inst);
  return 1;
}

/* ---- objects ---- */

static const wg_json *member(vctx *c, const wg_json *obj, const char *k, size_t len) {
  charge(c, 1 + obj->u.object.count / 8); /* callers check the budget */
  for (size_t i = 0; i < obj->u.object.count; i++) {
    const wg_json_member *m = &obj->u.object.members[i];
    if (m->key_len == len && memcmp(m->key, k, len) == 0) return m->value;
  }
  return NULL;
}

static const schema_named *find_named(const schema_named *arr, size_t n, const char *k,
                                      size_t len) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const schema_str *m = &arr[mid].key;
    size_t l = m->len < len ? m->len : len;
    int r = memcmp(m->s, k, l);
    if (r == 0) r = (m->len > len) - (m->len < len);
    if (r == 0) return &arr[mid];
    if (r < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static int check_required(vctx *c, const schema_node *n, const wg_json *inst) {
  for (size_t i = 0; i < n->nrequired; i++) {
    if (!member(c, inst, n->required[i].s, n->required[i].len))
      return fail(c, n, "required", "missing required property \"%.60s\"",
                  n->required[i].s);
    if (c->steps > c->max_steps) return budget(c, n, "required");
  }
  for (size_t i = 0; i < n->ndep_req; i++) {
    const schema_dep_req *d = &n->dep_req[i];
    if (!member(c, inst, d->key.s, d->key.len)) continue;
    for (size_t j = 0; j < d->count; j++) {
      if (!member(c, inst, d->names[j].s, d->names[j].len))
        return fail(c, n, "dependentRequired",
                    "property \"%.60s\" requires property \"%.60s\"", d->key.s,
                    d->names[j].s);
      if (c->steps > c->max_steps) return budget(c, n, "dependentRequired");
    }
  }
  return 1;
}

/* Under the member at index i (by position: its key is input text). */
static int validate_member(vctx *c, const schema_node *n, uint32_t idx, const wg_json *inst,
                           size_t i) {
  if (c->nsegs >= c->segs_cap)
    return hard(c, n, WG_SCHEMA_DEPTH, "", "instance nested too deep");
  c->segs[c->nsegs++] = (vseg){NULL, 0, i, true};
  int r = validate(c, idx, inst);
  c->nsegs--;
  return r;
}

/* properties, patternProperties, additionalProperties, propertyNames for
 * member i. Only a key matched by `properties` (the schema's own text)
 * appears in the instance path; the others by position. */
static int check_member(vctx *c, const schema_node *n, const wg_json_member *m, size_t i) {
  if (!charge(c, 1 + n->npprops)) return budget(c, n, "properties");
  int r;
  if (n->property_names != SCHEMA_NONE) {
    wg_json key = {.type = WG_JSON_STRING};
    key.u.string.text = m->key;
    key.u.string.len = m->key_len;
    if ((r = validate_member(c, n, n->property_names, &key, i)) != 1) return r;
  }
  bool matched = false;
  const schema_named *p = find_named(n->props, n->nprops, m->key, m->key_len);
  if (p) {
    matched = true;
    if ((r = validate_at(c, n, p->node, m->value, m->key, m->key_len, 0)) != 1) return r;
  }
  for (size_t k = 0; k < n->npprops; k++) {
    if ((r = search(c, n, "patternProperties", n->pprops[k].re, m->key, m->key_len)) < 0)
      return r;
    if (!r) continue;
    matched = true;
    if ((r = validate_member(c, n, n->pprops[k].node, m->value, i)) != 1) return r;
  }
  if (matched || n->additional == SCHEMA_NONE) return 1;
  return validate_member(c, n, n->additional, m->value, i);
}

static int check_object(vctx *c, const schema_node *n, const wg_json *inst) {
  size_t count = inst->u.object.count;
  int r = check_count(c, n, count, "minProperties", n->min_props, "maxProperties",
                      n->max_props, "properties");
  if (r != 1) return r;
  if ((r = check_required(c, n, inst)) != 1) return r;
  bool per_member = n->nprops || n->npprops || n->additional != SCHEMA_NONE ||
                    n->property_names != SCHEMA_NONE;
  for (size_t i = 0; per_member && i < count; i++)
    if ((r = check_member(c, n, &inst->u.object.members[i], i)) != 1) return r;
  for (size_t i = 0; i < n->ndep_schemas; i++) {
    const schema_named *d = &n->dep_schemas[i];
    if (member(c, inst, d->key.s, d->key.len) && (r = validate(c, d->node, inst)) != 1)
      return r;
    if (c->steps > c->max_steps) return budget(c, n, "dependentSchemas");
  }
  return 1;
}

/* ---- applicators ---- */

static int check_any_one(vctx *c, const schema_node *n, const wg_json *inst) {
  if (n->nany_of) {
    int r = 0;
    for (size_t i = 0; i < n->nany_of && r == 0; i++) r = probe(c, n->any_of[i], inst);
    if (r < 0) return r;
    if (r == 0) return fail(c, n, "anyOf", "no subschema of anyOf matches");
  }
  if (n->none_of) {
    size_t matches = 0, first = 0;
    for (size_t i = 0; i < n->none_of; i++) {
      int r = probe(c, n->one_of[i], inst);
      if (r < 0) return r;
      if (r && matches++ == 0) first = i;
      if (matches > 1)
        return fail(c, n, "oneOf", "subschemas %zu and %zu of oneOf both match", first,
                    i);
    }
    if (matches == 0) return fail(c, n, "oneOf", "no subschema of oneOf matches");
  }
  return 1;
}

static int check_applicators(vctx *c, const schema_node *n, const wg_json *inst) {
  int r;
  for (size_t i = 0; i < n->nall_of; i++)
    if ((r = validate(c, n->all_of[i], inst)) != 1) return r;
  if ((r = check_any_one(c, n, inst)) != 1) return r;
  if (n->not_ != SCHEMA_NONE) {
    r = probe(c, n->not_, inst);
    if (r < 0) return r;
    if (r) return fail(c, n, "not", "value matches the \"not\" schema");
  }
  if (n->if_ != SCHEMA_NONE) {
    r = probe(c, n->if_, inst);
    if (r < 0) return r;
    uint32_t next = r ? n->then_ : n->else_;
    if (next != SCHEMA_NONE) return validate(c, next, inst);
  }
  return 1;
}

static int validate_node(vctx *c, const schema_node *n, const wg_json *inst) {
  int r;
  if (n->ref != SCHEMA_NONE && (r = validate(c, n->ref, inst)) != 1) return r;
  if ((r = check_type(c, n, inst)) != 1) return r;
  if ((r = check_enum_const(c, n, inst)) != 1) return r;
  switch (inst->type) {
    case WG_JSON_NUMBER: r = check_number(c, n, inst); break;
    case WG_JSON_STRING: r = check_string(c, n, inst); break;
    case WG_JSON_ARRAY: r = check_array(c, n, inst); break;
    case WG_JSON_OBJECT: r = check_object(c, n, inst); break;
    default: r = 1; break;
  }
  if (r != 1) return r;
  return check_applicators(c, n, inst);
}

static int validate(vctx *c, uint32_t idx, const wg_json *inst) {
  const schema_node *n = &c->s->nodes[idx];
  if (c->depth >= c->s->opt.max_validate_depth)
    return hard(c, n, WG_SCHEMA_DEPTH, "", "schema applications nested deeper than %zu",
                c->s->opt.max_validate_depth);
  if (!charge(c, 1)) return budget(c, n, "");
  if (n->kind == SCHEMA_KIND_TRUE) return 1;
  if (n->kind == SCHEMA_KIND_FALSE)
    return fail(c, n, "false", "schema false allows nothing");
  c->depth++;
  int r = validate_node(c, n, inst);
  c->depth--;
  return r;
}

wg_schema_result wg_schema_validate(const wg_schema *s, const wg_json *instance,
                                    wg_schema_error *err) {
  wg_schema_error local;
  if (!err) err = &local;
  memset(err, 0, sizeof *err);
  if (!s || !instance) {
    err->code = WG_SCHEMA_BAD_KEYWORD;
    snprintf(err->message, sizeof err->message, "no schema or no instance");
    return WG_SCHEMA_ERROR;
  }
  vctx c = {.s = s, .err = err, .max_steps = s->opt.max_steps};
  c.segs_cap = s->opt.max_validate_depth + 2;
  c.segs = calloc(c.segs_cap, sizeof *c.segs);
  c.md = pcre2_match_data_create(1, NULL);
  c.mc = pcre2_match_context_create(NULL);
  int r = -1;
  if (c.segs && c.md && c.mc) {
    pcre2_set_match_limit(c.mc, s->opt.regex_match_limit);
    pcre2_set_depth_limit(c.mc, s->opt.regex_depth_limit);
    pcre2_set_heap_limit(c.mc, s->opt.regex_heap_limit_kib);
    pcre2_set_callout(c.mc, schema_regex_meter_callout, &c.meter);
    r = validate(&c, s->root, instance);
  } else {
    err->code = WG_SCHEMA_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
  }
  free(c.segs);
  pcre2_match_data_free(c.md);
  pcre2_match_context_free(c.mc);
  if (r == 1) {
    memset(err, 0, sizeof *err);
    return WG_SCHEMA_VALID;
  }
  if (r == 0) {
    if (err->code == WG_SCHEMA_OK) {
      err->code = WG_SCHEMA_INVALID;
      snprintf(err->message, sizeof err->message, "instance is not valid");
    }
    return WG_SCHEMA_NOT_VALID;
  }
  return WG_SCHEMA_ERROR;
}
