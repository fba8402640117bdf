/* keywords.c: one compile handler per supported keyword, and the table
 * that maps keyword names to them. A handler checks the keyword's value
 * (type, range) and fills its field of the node; subschemas go through
 * schema_sub so their path and depth are tracked. Nothing here decides what
 * is valid at validation time; that is validate.c. */
#include <stdio.h>
#include <string.h>

#include "compile_internal.h"
#include "schema_uri.h"

/* ---- keyword value helpers ---- */

static bool want(cctx *c, const char *kw, const wg_json *v, wg_json_type t,
                 const char *what) {
  if (v->type == t) return true;
  return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, kw, "\"%s\" must be %s", kw, what);
}

static bool count_value(cctx *c, const char *kw, const wg_json *v, uint64_t *out) {
  json_dec d;
  int64_t e;
  if (v->type != WG_JSON_NUMBER ||
      !json_dec_parse(v->u.number.text, v->u.number.len, &d) ||
      !json_dec_is_integer(&d) || (d.neg && !d.zero) || !json_dec_lsd_exp(&d, &e))
    return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, kw,
                       "\"%s\" must be a non-negative integer", kw);
  if (!json_dec_to_u64(&d, out)) *out = UINT64_MAX; /* a count past any input */
  return true;
}

static bool number_value(cctx *c, const char *kw, const wg_json *v,
                         const schema_num **out) {
  if (!want(c, kw, v, WG_JSON_NUMBER, "a number")) return false;
  schema_num *n = schema_arena_arr(c, 1, sizeof *n);
  char *text = n ? schema_arena_str(c, v->u.number.text, v->u.number.len) : NULL;
  if (!text) return false;
  n->text = text;
  if (!json_dec_parse(text, v->u.number.len, &n->dec))
    return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, kw, "\"%s\" is not a number", kw);
  *out = n;
  return true;
}

static bool schema_array(cctx *c, const char *kw, const wg_json *v, const char *base,
                         uint32_t **out, size_t *count) {
  if (!want(c, kw, v, WG_JSON_ARRAY, "a non-empty array of schemas")) return false;
  size_t n = v->u.array.count;
  if (n == 0)
    return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, kw, "\"%s\" must not be empty", kw);
  uint32_t *arr = schema_arena_arr(c, n, sizeof *arr);
  if (!arr) return false;
  for (size_t i = 0; i < n; i++) {
    arr[i] = schema_sub(c, v->u.array.items[i], base, kw, strlen(kw), (long)i);
    if (arr[i] == SCHEMA_NONE) return false;
  }
  *out = arr;
  *count = n;
  return true;
}

static bool string_array(cctx *c, const char *kw, const wg_json *v, schema_str **out,
                         size_t *count) {
  if (!want(c, kw, v, WG_JSON_ARRAY, "an array of strings")) return false;
  size_t n = v->u.array.count;
  schema_str *arr = schema_arena_arr(c, n, sizeof *arr);
  if (!arr) return false;
  for (size_t i = 0; i < n; i++) {
    const wg_json *e = v->u.array.items[i];
    if (e->type != WG_JSON_STRING)
      return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, kw, "\"%s\" must hold only strings",
                         kw);
    arr[i].s = schema_arena_str(c, e->u.string.text, e->u.string.len);
    if (!arr[i].s) return false;
    arr[i].len = e->u.string.len;
  }
  *out = arr;
  *count = n;
  return true;
}

static int named_cmp(const void *a, const void *b) {
  const schema_named *x = a, *y = b;
  size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
  int r = memcmp(x->key.s, y->key.s, n);
  if (r) return r;
  return (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

/* An object of schemas (properties, dependentSchemas, $defs), sorted by key. */
static bool schema_map(cctx *c, const char *kw, const wg_json *v, const char *base,
                       schema_named **out, size_t *count) {
  if (!want(c, kw, v, WG_JSON_OBJECT, "an object of schemas")) return false;
  size_t n = v->u.object.count;
  schema_named *arr = schema_arena_arr(c, n, sizeof *arr);
  if (!arr) return false;
  size_t saved = schema_path_key(c, kw, strlen(kw));
  for (size_t i = 0; i < n; i++) {
    const wg_json_member *m = &v->u.object.members[i];
    arr[i].key.s = schema_arena_str(c, m->key, m->key_len);
    arr[i].key.len = m->key_len;
    if (!arr[i].key.s) return false;
    arr[i].node = schema_sub(c, m->value, base, m->key, m->key_len, -1);
    if (arr[i].node == SCHEMA_NONE) return false;
  }
  schema_path_pop(c, saved);
  qsort(arr, n, sizeof *arr, named_cmp);
  *out = arr;
  *count = n;
  return true;
}

static const pcre2_code *regex(cctx *c, const char *kw, const char *p, size_t n) {
  char msg[160];
  bool oom;
  pcre2_code *re =
      schema_regex_compile(p, n, c->s->opt.max_pattern_len, msg, sizeof msg, &oom);
  if (!re) {
    schema_cerr(c, oom ? WG_SCHEMA_NOMEM : WG_SCHEMA_BAD_PATTERN, kw, "%s", msg);
    return NULL;
  }
  wg_schema *s = c->s;
  pcre2_code **regexes = wg_vec_reserve(s->regexes, &s->regexes_cap, s->nregexes + 1,
                                        sizeof *regexes, 0);
  if (regexes) s->regexes = regexes;
  if (!regexes) {
    pcre2_code_free(re);
    schema_cerr(c, WG_SCHEMA_NOMEM, kw, "out of memory");
    return NULL;
  }
  s->regexes[s->nregexes++] = re;
  return re;
}

/* ---- keywords ---- */

typedef bool (*kw_fn)(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                      const char *base);

static const char *const type_names[] = {"null",   "boolean", "object", "array",
                                         "number", "string",  "integer"};

static bool type_bit(cctx *c, const wg_json *v, unsigned *bits) {
  if (v->type == WG_JSON_STRING)
    for (unsigned i = 0; i < 7; i++)
      if (strcmp(v->u.string.text, type_names[i]) == 0 &&
          strlen(type_names[i]) == v->u.string.len) {
        if (*bits & (1u << i))
          return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, "type", "\"type\" repeats a type");
        *bits |= 1u << i;
        return true;
      }
  return schema_cerr(
      c, WG_SCHEMA_BAD_KEYWORD, "type",
      "\"type\" must name null, boolean, object, array, number, string or integer");
}

static bool kw_type(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                    const char *base) {
  (void)kw, (void)base;
  unsigned bits = 0;
  if (v->type == WG_JSON_ARRAY) {
    for (size_t i = 0; i < v->u.array.count; i++)
      if (!type_bit(c, v->u.array.items[i], &bits)) return false;
    if (bits == 0) /* "type": [] allows nothing; keep that meaning */
      bits = 1u << 7;
  } else if (!type_bit(c, v, &bits)) {
    return false;
  }
  schema_node_at(c, n)->types = bits;
  return true;
}

static bool kw_enum(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                    const char *base) {
  (void)base;
  if (!want(c, kw, v, WG_JSON_ARRAY, "an array")) return false;
  const wg_json *copy = schema_json_copy(&c->s->arena, v);
  if (!copy) return schema_cerr(c, WG_SCHEMA_NOMEM, kw, "out of memory");
  schema_node_at(c, n)->enum_vals = copy;
  return true;
}

static bool kw_const(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                     const char *base) {
  (void)base;
  const wg_json *copy = schema_json_copy(&c->s->arena, v);
  if (!copy) return schema_cerr(c, WG_SCHEMA_NOMEM, kw, "out of memory");
  schema_node_at(c, n)->const_val = copy;
  return true;
}

static bool kw_properties(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                          const char *base) {
  schema_named *arr = NULL;
  size_t count = 0;
  if (!schema_map(c, kw, v, base, &arr, &count)) return false;
  bool deps = kw[0] == 'd';
  if (deps) {
    schema_node_at(c, n)->dep_schemas = arr;
    schema_node_at(c, n)->ndep_schemas = count;
  } else {
    schema_node_at(c, n)->props = arr;
    schema_node_at(c, n)->nprops = count;
  }
  return true;
}

static bool kw_defs(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                    const char *base) {
  (void)n;
  schema_named *arr = NULL;
  size_t count = 0;
  return schema_map(c, kw, v, base, &arr, &count);
}

static bool kw_pattern_properties(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                                  const char *base) {
  if (!want(c, kw, v, WG_JSON_OBJECT, "an object of schemas")) return false;
  size_t count = v->u.object.count;
  schema_pat *arr = schema_arena_arr(c, count, sizeof *arr);
  if (!arr) return false;
  for (size_t i = 0; i < count; i++) {
    const wg_json_member *m = &v->u.object.members[i];
    arr[i].re = regex(c, kw, m->key, m->key_len);
    if (!arr[i].re) return false;
    size_t saved = schema_path_key(c, kw, strlen(kw));
    arr[i].node = schema_sub(c, m->value, base, m->key, m->key_len, -1);
    schema_path_pop(c, saved);
    if (arr[i].node == SCHEMA_NONE) return false;
  }
  schema_node_at(c, n)->pprops = arr;
  schema_node_at(c, n)->npprops = count;
  return true;
}

/* Keywords whose value is one subschema, by the node field they fill. */
static bool kw_single(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                      const char *base) {
  if (v->type == WG_JSON_ARRAY && !strcmp(kw, "items"))
    return schema_cerr(
        c, WG_SCHEMA_BAD_KEYWORD, kw,
        "\"items\" must be one schema (2020-12: use \"prefixItems\" for tuples)");
  uint32_t r = schema_sub(c, v, base, kw, strlen(kw), -1);
  if (r == SCHEMA_NONE) return false;
  schema_node *x = schema_node_at(c, n);
  if (!strcmp(kw, "additionalProperties"))
    x->additional = r;
  else if (!strcmp(kw, "propertyNames"))
    x->property_names = r;
  else if (!strcmp(kw, "items"))
    x->items = r;
  else if (!strcmp(kw, "contains"))
    x->contains = r;
  else if (!strcmp(kw, "not"))
    x->not_ = r;
  else if (!strcmp(kw, "if"))
    x->if_ = r;
  else if (!strcmp(kw, "then"))
    x->then_ = r;
  else
    x->else_ = r;
  return true;
}

static bool kw_applicator_list(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                               const char *base) {
  uint32_t *arr = NULL;
  size_t count = 0;
  if (!schema_array(c, kw, v, base, &arr, &count)) return false;
  schema_node *x = schema_node_at(c, n);
  if (!strcmp(kw, "allOf")) {
    x->all_of = arr;
    x->nall_of = count;
  } else if (!strcmp(kw, "anyOf")) {
    x->any_of = arr;
    x->nany_of = count;
  } else if (!strcmp(kw, "oneOf")) {
    x->one_of = arr;
    x->none_of = count;
  } else {
    x->prefix = arr;
    x->nprefix = count;
  }
  return true;
}

static bool kw_required(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                        const char *base) {
  (void)base;
  schema_str *arr = NULL;
  size_t count = 0;
  if (!string_array(c, kw, v, &arr, &count)) return false;
  schema_node_at(c, n)->required = arr;
  schema_node_at(c, n)->nrequired = count;
  return true;
}

static bool kw_dependent_required(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                                  const char *base) {
  (void)base;
  if (!want(c, kw, v, WG_JSON_OBJECT, "an object of string arrays")) return false;
  size_t count = v->u.object.count;
  schema_dep_req *arr = schema_arena_arr(c, count, sizeof *arr);
  if (!arr) return false;
  for (size_t i = 0; i < count; i++) {
    const wg_json_member *m = &v->u.object.members[i];
    arr[i].key.s = schema_arena_str(c, m->key, m->key_len);
    arr[i].key.len = m->key_len;
    if (!arr[i].key.s || !string_array(c, kw, m->value, &arr[i].names, &arr[i].count))
      return false;
  }
  schema_node_at(c, n)->dep_req = arr;
  schema_node_at(c, n)->ndep_req = count;
  return true;
}

static bool kw_count(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                     const char *base) {
  (void)base;
  uint64_t val = 0;
  if (!count_value(c, kw, v, &val)) return false;
  schema_node *x = schema_node_at(c, n);
  static const struct {
    const char *kw;
    size_t off;
  } fields[] = {
      {"minLength", offsetof(schema_node, min_len)},
      {"maxLength", offsetof(schema_node, max_len)},
      {"minItems", offsetof(schema_node, min_items)},
      {"maxItems", offsetof(schema_node, max_items)},
      {"minProperties", offsetof(schema_node, min_props)},
      {"maxProperties", offsetof(schema_node, max_props)},
      {"minContains", offsetof(schema_node, min_contains)},
      {"maxContains", offsetof(schema_node, max_contains)},
  };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (!strcmp(kw, fields[i].kw)) {
      memcpy((char *)x + fields[i].off, &val, sizeof val);
      return true;
    }
  return false;
}

static bool kw_number(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                      const char *base) {
  (void)base;
  const schema_num *num = NULL;
  if (!number_value(c, kw, v, &num)) return false;
  schema_node *x = schema_node_at(c, n);
  if (!strcmp(kw, "minimum"))
    x->minimum = num;
  else if (!strcmp(kw, "maximum"))
    x->maximum = num;
  else if (!strcmp(kw, "exclusiveMinimum"))
    x->xminimum = num;
  else if (!strcmp(kw, "exclusiveMaximum"))
    x->xmaximum = num;
  else {
    if (num->dec.zero || num->dec.neg)
      return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, kw,
                         "\"multipleOf\" must be greater than 0");
    x->multiple_of = num;
  }
  return true;
}

static bool kw_boolean(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                       const char *base) {
  (void)base;
  if (v->type != WG_JSON_TRUE && v->type != WG_JSON_FALSE)
    return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, kw, "\"%s\" must be a boolean", kw);
  if (!strcmp(kw, "uniqueItems")) schema_node_at(c, n)->unique = v->type == WG_JSON_TRUE;
  return true;
}

static bool kw_pattern(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                       const char *base) {
  (void)base;
  if (!want(c, kw, v, WG_JSON_STRING, "a string")) return false;
  const pcre2_code *re = regex(c, kw, v->u.string.text, v->u.string.len);
  if (!re) return false;
  schema_node_at(c, n)->pattern = re;
  return true;
}

static bool kw_ref(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                   const char *base) {
  if (!want(c, kw, v, WG_JSON_STRING, "a string")) return false;
  if (strlen(v->u.string.text) != v->u.string.len)
    return schema_cerr(c, WG_SCHEMA_BAD_REF, kw, "\"$ref\" contains NUL");
  const char *target = schema_uri_resolve(&c->s->arena, base, v->u.string.text);
  const char *path = target ? schema_arena_str(c, schema_node_at(c, n)->path,
                                               strlen(schema_node_at(c, n)->path))
                            : NULL;
  pending_ref *refs = NULL;
  if (target && path)
    refs = wg_vec_reserve(c->refs, &c->refs_cap, c->nrefs + 1, sizeof *refs, 0);
  if (!refs) return schema_cerr(c, WG_SCHEMA_NOMEM, kw, "out of memory");
  c->refs = refs;
  c->refs[c->nrefs++] = (pending_ref){n, target, path};
  return true;
}

static bool kw_string_annotation(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                                 const char *base) {
  (void)n, (void)base;
  return want(c, kw, v, WG_JSON_STRING, "a string");
}

/* $schema: only the standard meta-schemas. A custom meta-schema can switch
 * vocabularies on (format assertion) or off; we interpret none of that, so
 * rather than ignore it we refuse it. Older drafts are accepted because
 * every keyword whose meaning changed since (items arrays, dependencies,
 * boolean exclusiveMinimum, ...) is rejected here anyway, and draft-07's
 * "$ref ignores its siblings" only makes us stricter, never looser. */
static bool kw_dialect(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                       const char *base) {
  (void)n, (void)base;
  static const char *const known[] = {
      "json-schema.org/draft/2020-12/schema", "json-schema.org/draft/2019-09/schema",
      "json-schema.org/draft-07/schema",      "json-schema.org/draft-06/schema",
      "json-schema.org/draft-04/schema",
  };
  if (!want(c, kw, v, WG_JSON_STRING, "a string")) return false;
  const char *u = v->u.string.text;
  size_t len = v->u.string.len;
  if (len > 8 && memcmp(u, "https://", 8) == 0) u += 8, len -= 8;
  else if (len > 7 && memcmp(u, "http://", 7) == 0) u += 7, len -= 7;
  if (len > 0 && u[len - 1] == '#') len--;
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strlen(known[i]) == len && memcmp(known[i], u, len) == 0) return true;
  return schema_cerr(c, WG_SCHEMA_BAD_KEYWORD, kw,
                     "unsupported \"$schema\": custom meta-schemas and vocabularies "
                     "are not supported");
}

static bool kw_any_annotation(cctx *c, uint32_t n, const char *kw, const wg_json *v,
                              const char *base) {
  (void)c, (void)n, (void)kw, (void)v, (void)base;
  return true;
}

static const struct keyword {
  const char *name;
  kw_fn fn;
} keywords[] = {
    {"$anchor", kw_any_annotation}, /* checked in compile_object */
    {"$comment", kw_string_annotation},
    {"$defs", kw_defs},
    {"$id", kw_any_annotation}, /* checked in compile_object */
    {"$ref", kw_ref},
    {"$schema", kw_dialect},
    {"additionalProperties", kw_single},
    {"allOf", kw_applicator_list},
    {"anyOf", kw_applicator_list},
    {"const", kw_const},
    {"contains", kw_single},
    {"default", kw_any_annotation},
    {"dependentRequired", kw_dependent_required},
    {"dependentSchemas", kw_properties},
    {"deprecated", kw_boolean},
    {"description", kw_string_annotation},
    {"else", kw_single},
    {"enum", kw_enum},
    {"examples", kw_any_annotation},
    {"exclusiveMaximum", kw_number},
    {"exclusiveMinimum", kw_number},
    {"format", kw_string_annotation},
    {"if", kw_single},
    {"items", kw_single},
    {"maxContains", kw_count},
    {"maxItems", kw_count},
    {"maxLength", kw_count},
    {"maxProperties", kw_count},
    {"maximum", kw_number},
    {"minContains", kw_count},
    {"minItems", kw_count},
    {"minLength", kw_count},
    {"minProperties", kw_count},
    {"minimum", kw_number},
    {"multipleOf", kw_number},
    {"not", kw_single},
    {"oneOf", kw_applicator_list},
    {"pattern", kw_pattern},
    {"patternProperties", kw_pattern_properties},
    {"prefixItems", kw_applicator_list},
    {"properties", kw_properties},
    {"propertyNames", kw_single},
    {"readOnly", kw_boolean},
    {"required", kw_required},
    {"then", kw_single},
    {"title", kw_string_annotation},
    {"type", kw_type},
    {"uniqueItems", kw_boolean},
    {"writeOnly", kw_boolean},
};

static const struct keyword *find_keyword(const char *k, size_t n) {
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (strlen(keywords[i].name) == n && memcmp(keywords[i].name, k, n) == 0)
      return &keywords[i];
  return NULL;
}

bool schema_compile_keyword(cctx *c, uint32_t n, const wg_json_member *m,
                            const char *base) {
  const struct keyword *k = find_keyword(m->key, m->key_len);
  if (k) return k->fn(c, n, k->name, m->value, base);
  char name[64];
  wg_utf8_cut(name, sizeof name, m->key, m->key_len, SIZE_MAX, "...");
  for (char *p = name; *p; p++)
    if ((unsigned char)*p < 0x20) *p = '?';
  return schema_cerr(c, WG_SCHEMA_UNKNOWN_KEYWORD, name, "unknown keyword \"%s\"", name);
}
