/* decode.c: the binary module decoder and module-level validator.
 *
 * Every read is bounds-checked against the current section's end; every
 * vector count is checked against the bytes that remain before anything is
 * allocated (each entry takes at least one byte), so a tiny file cannot make
 * us allocate much. Function bodies are handed to compile.c, which validates
 * and translates them. Errors carry the byte offset where decoding stopped. */
#include <stdlib.h>
#include <string.h>

#include "vm_module.h"
#include "wasm_ops.h"

/* The error macros (reader_internal.h) on a reader rd, into `err`: */
#define FAIL(r, rd, ...) VM_FAIL(err, (r), (rd), __VA_ARGS__)
#define MALFORMED(rd, ...) FAIL(WG_WASM_MALFORMED, rd, __VA_ARGS__)
#define OVER(rd, ...) FAIL(WG_WASM_LIMIT, rd, __VA_ARGS__)
/* A failed allocation: over the build's memory budget, or out of memory. */
#define OOM(rd) return vm_build_oom(m, VM_OFFSET(rd), err)
/* One unit of work (an entry of a vector) for the build's deadline checks. */
#define TICK(rd, n) TRY(vm_build_tick(m, (n), VM_OFFSET(rd), err))
#define INVALID(rd, ...) FAIL(WG_WASM_INVALID, rd, __VA_ARGS__)
#define READ(call) VM_READ(err, r, call)
/* READ needs `rmsg_` passed to the reader: */
#define U32(out) READ(vm_read_u32(r, (out), &rmsg_))
#define BYTE(out) READ(vm_read_byte(r, (out), &rmsg_))

/* ---- Helpers ------------------------------------------------------------ */

static size_t remaining(const vm_reader *r) { return (size_t)(r->end - r->p); }

/* Reads a vector count and checks it against the remaining bytes, given
 * that each entry takes at least `min_entry` bytes. */
static wg_wasm_code read_count(vm_reader *r, size_t min_entry,
                                 uint32_t *out, wg_wasm_error *err) {
  U32(out);
  if ((uint64_t)*out * min_entry > remaining(r))
    MALFORMED(r, "unexpected end: vector of %u entries", *out);
  return WG_WASM_OK;
}

/* Arrays and copies come from the module's arena, within the build's
 * memory budget (vm_alloc). */
static void *arr(vm_module *m, size_t n, size_t size) {
  size_t bytes;
  if (!wg_mul_size(n ? n : 1, size, &bytes)) return NULL;
  return vm_alloc(m, bytes);
}

static wg_wasm_code read_name(vm_module *m, vm_reader *r, const char **out,
                                uint32_t *len, wg_wasm_error *err) {
  U32(len);
  if (*len > remaining(r)) MALFORMED(r, "unexpected end: name");
  if (!wg_utf8_valid(r->p, *len)) MALFORMED(r, "malformed UTF-8 encoding");
  char *s = vm_alloc(m, (size_t)*len + 1);
  if (!s) OOM(r);
  if (*len) memcpy(s, r->p, *len);
  *out = s;
  r->p += *len;
  return WG_WASM_OK;
}

static wg_wasm_code read_limits(vm_reader *r, vm_limits_t *lim, bool memory,
                                  wg_wasm_error *err) {
  uint8_t flags;
  BYTE(&flags);
  /* 3 = shared (threads), 4..7 = memory64: well-formed elsewhere */
  if (flags >= 3 && flags <= 7 && memory)
    FAIL(WG_WASM_UNSUPPORTED, r, "shared or 64-bit limits are not supported");
  if (flags > 1) MALFORMED(r, "integer too large");
  U32(&lim->min);
  lim->has_max = flags == 1;
  lim->max = 0;
  if (lim->has_max) U32(&lim->max);
  return WG_WASM_OK;
}

static wg_wasm_code read_tabletype(vm_reader *r, vm_tabletype *t,
                                     wg_wasm_error *err) {
  TRY(vm_read_reftype(r, &t->elem, err));
  TRY(read_limits(r, &t->lim, false, err));
  if (t->lim.has_max && t->lim.min > t->lim.max)
    INVALID(r, "size minimum must not be greater than maximum");
  return WG_WASM_OK;
}

static wg_wasm_code read_memtype(vm_reader *r, vm_limits_t *lim,
                                   wg_wasm_error *err) {
  TRY(read_limits(r, lim, true, err));
  if (lim->min > WG_WASM_MAX_PAGES || (lim->has_max && lim->max > WG_WASM_MAX_PAGES))
    INVALID(r, "memory size must be at most 65536 pages (4GiB)");
  if (lim->has_max && lim->min > lim->max)
    INVALID(r, "size minimum must not be greater than maximum");
  return WG_WASM_OK;
}

static wg_wasm_code read_globaltype(vm_reader *r, vm_globaltype *g,
                                      wg_wasm_error *err) {
  uint8_t mut;
  TRY(vm_read_valtype(r, &g->type, err));
  BYTE(&mut);
  if (mut > 1) MALFORMED(r, "malformed mutability");
  g->is_mutable = mut == 1;
  return WG_WASM_OK;
}

/* One operator of a constant expression: its value (or the global or
 * function it names) into out, its type into t. */
static wg_wasm_code const_operator(vm_module *m, vm_reader *r, uint8_t op,
                                   uint32_t visible_globals, vm_const *out,
                                   wg_valtype *t, wg_wasm_error *err) {
  out->kind = VM_CONST_VALUE;
  out->value = 0;
  switch (op) {
    case WASM_OP_I32_CONST:
    case WASM_OP_I64_CONST:
    case WASM_OP_F32_CONST:
    case WASM_OP_F64_CONST:
      return vm_read_number_const(r, op, &out->value, t, err);
    case WASM_OP_REF_NULL:
      return vm_read_reftype(r, t, err);
    case WASM_OP_REF_FUNC:
      U32(&out->index);
      if (out->index >= m->func_count)
        INVALID(r, "unknown function %u", out->index);
      out->kind = VM_CONST_FUNC;
      m->func_declared[out->index] = true;
      *t = WG_FUNCREF;
      return WG_WASM_OK;
    case WASM_OP_GLOBAL_GET:
      U32(&out->index);
      if (out->index >= visible_globals)
        INVALID(r, "unknown global %u", out->index);
      if (m->globals[out->index].is_mutable)
        INVALID(r, "constant expression required");
      out->kind = VM_CONST_GLOBAL;
      *t = m->globals[out->index].type;
      return WG_WASM_OK;
  }
  if (vm_opcode_exists(op)) INVALID(r, "constant expression required");
  MALFORMED(r, "illegal opcode 0x%02x", op);
}

/* A constant expression of type `want`: one operator, then end. Only
 * imported globals are visible (`visible_globals`), and they must be
 * immutable. */
static wg_wasm_code read_const(vm_module *m, vm_reader *r, wg_valtype want,
                                 uint32_t visible_globals, vm_const *out,
                                 wg_wasm_error *err) {
  int depth = 0;
  wg_valtype have = WG_I32;
  for (;;) {
    uint8_t op;
    BYTE(&op);
    if (op == WASM_OP_END) break;
    TRY(const_operator(m, r, op, visible_globals, out, &have, err));
    depth++;
  }
  if (depth != 1 || have != want) INVALID(r, "type mismatch");
  return WG_WASM_OK;
}

/* ---- Sections ------------------------------------------------------------ */

static wg_wasm_code sec_type(vm_module *m, vm_reader *r, wg_wasm_error *err) {
  TRY(read_count(r, 3, &m->type_count, err));
  if (m->type_count > WG_WASM_MAX_TYPES)
    OVER(r, "%u types (limit %u)", m->type_count, WG_WASM_MAX_TYPES);
  m->types = arr(m, m->type_count, sizeof *m->types);
  if (!m->types) OOM(r);
  for (uint32_t i = 0; i < m->type_count; i++) {
    uint8_t form;
    TICK(r, 1);
    BYTE(&form);
    if (form != WASM_TYPE_FUNC) MALFORMED(r, "integer representation too long");
    wg_functype *ft = &m->types[i];
    for (int pass = 0; pass < 2; pass++) {
      uint32_t n;
      TRY(read_count(r, 1, &n, err));
      if (n > WG_WASM_MAX_FUNC_PARAMS)
        FAIL(WG_WASM_LIMIT, r, "function type with %u values", n);
      wg_valtype *v = arr(m, n, sizeof *v);
      if (!v) OOM(r);
      for (uint32_t k = 0; k < n; k++) TRY(vm_read_valtype(r, &v[k], err));
      if (pass == 0) {
        ft->param_count = n;
        ft->params = v;
      } else {
        ft->result_count = n;
        ft->results = v;
      }
    }
  }
  return WG_WASM_OK;
}

static wg_wasm_code sec_import(vm_module *m, vm_reader *r,
                                 wg_wasm_error *err) {
  TRY(read_count(r, 4, &m->import_count, err));
  if (m->import_count > WG_WASM_MAX_IMPORTS)
    OVER(r, "%u imports (limit %u)", m->import_count, WG_WASM_MAX_IMPORTS);
  m->imports = arr(m, m->import_count, sizeof *m->imports);
  if (!m->imports) OOM(r);
  for (uint32_t i = 0; i < m->import_count; i++) {
    vm_import *im = &m->imports[i];
    uint8_t kind;
    TICK(r, 1);
    TRY(read_name(m, r, &im->module, &im->module_len, err));
    TRY(read_name(m, r, &im->name, &im->name_len, err));
    BYTE(&kind);
    switch (kind) {
      case 0:
        U32(&im->type_index);
        if (im->type_index >= m->type_count)
          INVALID(r, "unknown type %u", im->type_index);
        m->import_func_count++;
        break;
      case 1:
        TRY(read_tabletype(r, &im->table, err));
        m->import_table_count++;
        break;
      case 2:
        TRY(read_memtype(r, &im->mem, err));
        m->import_mem_count++;
        break;
      case 3:
        TRY(read_globaltype(r, &im->global, err));
        m->import_global_count++;
        break;
      default:
        MALFORMED(r, "malformed import kind");
    }
    im->kind = (wg_externkind)kind;
  }
  if (m->import_mem_count > 1) INVALID(r, "multiple memories");
  /* imports alone are within the function and global caps (fewer than
   * WG_WASM_MAX_IMPORTS), not within the table cap */
  _Static_assert(WG_WASM_MAX_IMPORTS <= WG_WASM_MAX_FUNCS &&
                     WG_WASM_MAX_IMPORTS <= WG_WASM_MAX_GLOBALS,
                 "the caps of sec_func and sec_global assume this");
  if (m->import_table_count > WG_WASM_MAX_TABLES)
    OVER(r, "%u tables (limit %u)", m->import_table_count, WG_WASM_MAX_TABLES);
  return WG_WASM_OK;
}

/* Fills the per-index arrays with the imported entries first. */
static wg_wasm_code index_imports(vm_module *m, vm_reader *r,
                                    uint32_t defined_funcs,
                                    wg_wasm_error *err) {
  m->func_count = m->import_func_count + defined_funcs;
  m->func_types = arr(m, m->func_count, sizeof *m->func_types);
  m->func_declared = arr(m, m->func_count, sizeof *m->func_declared);
  if (!m->func_types || !m->func_declared) OOM(r);
  uint32_t f = 0;
  for (uint32_t i = 0; i < m->import_count; i++)
    if (m->imports[i].kind == WG_EXTERN_FUNC)
      m->func_types[f++] = m->imports[i].type_index;
  return WG_WASM_OK;
}

static wg_wasm_code sec_func(vm_module *m, vm_reader *r, uint32_t *defined,
                               wg_wasm_error *err) {
  TRY(read_count(r, 1, defined, err));
  if (*defined > WG_WASM_MAX_FUNCS - m->import_func_count)
    OVER(r, "%llu functions (limit %u)",
         (unsigned long long)*defined + m->import_func_count, WG_WASM_MAX_FUNCS);
  TRY(index_imports(m, r, *defined, err));
  for (uint32_t i = 0; i < *defined; i++) {
    uint32_t t;
    TICK(r, 1);
    U32(&t);
    if (t >= m->type_count) INVALID(r, "unknown type %u", t);
    m->func_types[m->import_func_count + i] = t;
  }
  return WG_WASM_OK;
}

static wg_wasm_code sec_table(vm_module *m, vm_reader *r,
                                wg_wasm_error *err) {
  uint32_t n;
  TRY(read_count(r, 3, &n, err));
  if (n > WG_WASM_MAX_TABLES - m->import_table_count)
    OVER(r, "%llu tables (limit %u)",
         (unsigned long long)n + m->import_table_count, WG_WASM_MAX_TABLES);
  const vm_tabletype *old = m->tables;
  m->table_count = m->import_table_count + n;
  m->tables = arr(m, m->table_count, sizeof *m->tables);
  if (!m->tables) OOM(r);
  memcpy(m->tables, old, m->import_table_count * sizeof *old);
  for (uint32_t i = 0; i < n; i++)
    TRY(read_tabletype(r, &m->tables[m->import_table_count + i], err));
  return WG_WASM_OK;
}

static wg_wasm_code sec_memory(vm_module *m, vm_reader *r,
                                 wg_wasm_error *err) {
  uint32_t n;
  TRY(read_count(r, 2, &n, err));
  const vm_limits_t *old = m->mems;
  m->mem_count = m->import_mem_count + n;
  m->mems = arr(m, m->mem_count, sizeof *m->mems);
  if (!m->mems) OOM(r);
  memcpy(m->mems, old, m->import_mem_count * sizeof *old);
  for (uint32_t i = 0; i < n; i++)
    TRY(read_memtype(r, &m->mems[m->import_mem_count + i], err));
  if (m->mem_count > 1) INVALID(r, "multiple memories");
  return WG_WASM_OK;
}

static wg_wasm_code sec_global(vm_module *m, vm_reader *r,
                                 wg_wasm_error *err) {
  uint32_t n;
  TRY(read_count(r, 3, &n, err));
  if (n > WG_WASM_MAX_GLOBALS - m->import_global_count)
    OVER(r, "%llu globals (limit %u)",
         (unsigned long long)n + m->import_global_count, WG_WASM_MAX_GLOBALS);
  m->global_count = m->import_global_count + n;
  vm_globaltype *g = arr(m, m->global_count, sizeof *g);
  m->global_inits = arr(m, n, sizeof *m->global_inits);
  if (!g || !m->global_inits) OOM(r);
  memcpy(g, m->globals, m->import_global_count * sizeof *g);
  m->globals = g;
  for (uint32_t i = 0; i < n; i++) {
    vm_globaltype *gt = &g[m->import_global_count + i];
    TICK(r, 1);
    TRY(read_globaltype(r, gt, err));
    TRY(read_const(m, r, gt->type, m->import_global_count,
                   &m->global_inits[i], err));
  }
  return WG_WASM_OK;
}

static int cmp_export(const void *a, const void *b) {
  const vm_export *x = *(const vm_export *const *)a;
  const vm_export *y = *(const vm_export *const *)b;
  uint32_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
  int c = memcmp(x->name, y->name, n);
  if (c) return c;
  return (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static wg_wasm_code sec_export(vm_module *m, vm_reader *r,
                                 wg_wasm_error *err) {
  TRY(read_count(r, 3, &m->export_count, err));
  if (m->export_count > WG_WASM_MAX_EXPORTS)
    OVER(r, "%u exports (limit %u)", m->export_count, WG_WASM_MAX_EXPORTS);
  m->exports = arr(m, m->export_count, sizeof *m->exports);
  if (!m->exports) OOM(r);
  for (uint32_t i = 0; i < m->export_count; i++) {
    vm_export *e = &m->exports[i];
    uint8_t kind;
    TICK(r, 1);
    TRY(read_name(m, r, &e->name, &e->name_len, err));
    BYTE(&kind);
    U32(&e->index);
    uint32_t limit;
    switch (kind) {
      case 0: limit = m->func_count; break;
      case 1: limit = m->table_count; break;
      case 2: limit = m->mem_count; break;
      case 3: limit = m->global_count; break;
      default: MALFORMED(r, "malformed export kind");
    }
    if (e->index >= limit) INVALID(r, "unknown export index %u", e->index);
    e->kind = (wg_externkind)kind;
    if (kind == 0) m->func_declared[e->index] = true;
  }
  /* Duplicate names: sort pointers, compare neighbours (n log n). */
  if (m->export_count > 1) {
    const vm_export **s = arr(m, m->export_count, sizeof *s);
    if (!s) OOM(r);
    for (uint32_t i = 0; i < m->export_count; i++) s[i] = &m->exports[i];
    qsort(s, m->export_count, sizeof *s, cmp_export);
    for (uint32_t i = 1; i < m->export_count; i++)
      if (cmp_export(&s[i - 1], &s[i]) == 0)
        INVALID(r, "duplicate export name");
  }
  return WG_WASM_OK;
}

static wg_wasm_code sec_start(vm_module *m, vm_reader *r,
                                wg_wasm_error *err) {
  U32(&m->start);
  if (m->start >= m->func_count) INVALID(r, "unknown function %u", m->start);
  const wg_functype *t = &m->types[m->func_types[m->start]];
  if (t->param_count || t->result_count) INVALID(r, "start function");
  m->has_start = true;
  return WG_WASM_OK;
}

static wg_wasm_code read_elem_items(vm_module *m, vm_reader *r, vm_elem *e,
                                      bool exprs, uint64_t *total,
                                      wg_wasm_error *err) {
  TRY(read_count(r, 1, &e->count, err));
  *total += e->count;
  if (*total > WG_WASM_MAX_ELEM_ITEMS)
    OVER(r, "%llu element segment items (limit %u)",
         (unsigned long long)*total, WG_WASM_MAX_ELEM_ITEMS);
  e->items = arr(m, e->count, sizeof *e->items);
  if (!e->items) OOM(r);
  for (uint32_t i = 0; i < e->count; i++) {
    TICK(r, 1);
    if (exprs) {
      TRY(read_const(m, r, e->type, m->import_global_count, &e->items[i], err));
      continue;
    }
    uint32_t f;
    U32(&f);
    if (f >= m->func_count) INVALID(r, "unknown function %u", f);
    m->func_declared[f] = true;
    e->items[i].kind = VM_CONST_FUNC;
    e->items[i].index = f;
  }
  return WG_WASM_OK;
}

static wg_wasm_code sec_elem(vm_module *m, vm_reader *r, wg_wasm_error *err) {
  TRY(read_count(r, 2, &m->elem_count, err));
  if (m->elem_count > WG_WASM_MAX_ELEM_SEGMENTS)
    OVER(r, "%u element segments (limit %u)", m->elem_count,
         WG_WASM_MAX_ELEM_SEGMENTS);
  m->elems = arr(m, m->elem_count, sizeof *m->elems);
  if (!m->elems) OOM(r);
  uint64_t items = 0;
  for (uint32_t i = 0; i < m->elem_count; i++) {
    vm_elem *e = &m->elems[i];
    uint32_t flags;
    U32(&flags);
    if (flags > 7) MALFORMED(r, "malformed elements segment kind");
    bool exprs = flags & 4;
    e->type = WG_FUNCREF;
    e->mode = (flags & 1) ? ((flags & 2) ? VM_SEG_DECLARATIVE : VM_SEG_PASSIVE)
                          : VM_SEG_ACTIVE;
    if (e->mode == VM_SEG_ACTIVE) {
      if (flags & 2) U32(&e->table);
      if (e->table >= m->table_count) INVALID(r, "unknown table %u", e->table);
      TRY(read_const(m, r, WG_I32, m->import_global_count, &e->offset, err));
    }
    if (flags & 3) {
      if (exprs) {
        TRY(vm_read_reftype(r, &e->type, err));
      } else {
        uint8_t kind;
        BYTE(&kind);
        if (kind != 0) MALFORMED(r, "malformed element kind");
      }
    }
    TRY(read_elem_items(m, r, e, exprs, &items, err));
    if (e->mode == VM_SEG_ACTIVE && m->tables[e->table].elem != e->type)
      INVALID(r, "type mismatch");
  }
  return WG_WASM_OK;
}

static wg_wasm_code sec_code(vm_module *m, vm_reader *r, uint32_t defined,
                               wg_wasm_error *err) {
  uint32_t n;
  TRY(read_count(r, 2, &n, err));
  if (n != defined)
    MALFORMED(r, "function and code section have inconsistent lengths");
  m->codes = arr(m, n, sizeof *m->codes);
  if (!m->codes) OOM(r);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t size;
    U32(&size);
    if (size > remaining(r)) MALFORMED(r, "unexpected end: function body");
    vm_reader body = {r->base, r->p, r->p + size};
    TRY(vm_compile_body(m, m->import_func_count + i, &body, err));
    if (body.p != body.end) MALFORMED(&body, "section size mismatch");
    r->p = body.end;
  }
  return WG_WASM_OK;
}

static wg_wasm_code sec_data(vm_module *m, vm_reader *r, uint32_t *count,
                               wg_wasm_error *err) {
  TRY(read_count(r, 2, count, err));
  if (*count > WG_WASM_MAX_DATA_SEGMENTS)
    OVER(r, "%u data segments (limit %u)", *count, WG_WASM_MAX_DATA_SEGMENTS);
  if (m->has_data_count && *count != m->data_count)
    MALFORMED(r, "data count and data section have inconsistent lengths");
  m->data_count = *count;
  m->datas = arr(m, *count, sizeof *m->datas);
  if (!m->datas) OOM(r);
  for (uint32_t i = 0; i < *count; i++) {
    vm_data *d = &m->datas[i];
    uint32_t flags;
    U32(&flags);
    if (flags > 2) MALFORMED(r, "malformed data segment kind");
    d->mode = flags == 1 ? VM_SEG_PASSIVE : VM_SEG_ACTIVE;
    if (flags == 2) U32(&d->memory);
    if (d->mode == VM_SEG_ACTIVE) {
      if (d->memory >= m->mem_count) INVALID(r, "unknown memory %u", d->memory);
      TRY(read_const(m, r, WG_I32, m->import_global_count, &d->offset, err));
    }
    U32(&d->len);
    if (d->len > remaining(r)) MALFORMED(r, "unexpected end: data segment");
    TICK(r, 1 + d->len / 1024);
    uint8_t *b = vm_alloc(m, d->len);
    if (!b) OOM(r);
    memcpy(b, r->p, d->len);
    d->bytes = b;
    r->p += d->len;
  }
  return WG_WASM_OK;
}

static wg_wasm_code sec_custom(vm_module *m, vm_reader *r,
                                 wg_wasm_error *err) {
  const char *name;
  uint32_t len;
  TRY(read_name(m, r, &name, &len, err));
  r->p = r->end;
  return WG_WASM_OK;
}

/* Section ids in their required order (data count sits before code). */
static int section_rank(uint8_t id) {
  static const int rank[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  return rank[id];
}

/* Imported tables/memories/globals are indexed before the defined ones. */
static wg_wasm_code after_imports(vm_module *m, vm_reader *r,
                                    wg_wasm_error *err) {
  m->tables = arr(m, m->import_table_count, sizeof *m->tables);
  m->mems = arr(m, m->import_mem_count, sizeof *m->mems);
  m->globals = arr(m, m->import_global_count, sizeof *m->globals);
  if (!m->tables || !m->mems || !m->globals)
    OOM(r);
  uint32_t t = 0, me = 0, g = 0;
  for (uint32_t i = 0; i < m->import_count; i++) {
    const vm_import *im = &m->imports[i];
    if (im->kind == WG_EXTERN_TABLE) m->tables[t++] = im->table;
    if (im->kind == WG_EXTERN_MEMORY) m->mems[me++] = im->mem;
    if (im->kind == WG_EXTERN_GLOBAL) m->globals[g++] = im->global;
  }
  m->table_count = t;
  m->mem_count = me;
  m->global_count = g;
  return WG_WASM_OK;
}

static wg_wasm_code decode_section(vm_module *m, uint8_t id, vm_reader *r,
                                     uint32_t *defined, bool *saw_code,
                                     uint32_t *data_seen, bool *saw_data,
                                     wg_wasm_error *err) {
  switch (id) {
    case 0: return sec_custom(m, r, err);
    case 1: return sec_type(m, r, err);
    case 2: return WG_WASM_OK; /* handled by caller (needs after_imports) */
    case 3: return sec_func(m, r, defined, err);
    case 4: return sec_table(m, r, err);
    case 5: return sec_memory(m, r, err);
    case 6: return sec_global(m, r, err);
    case 7: return sec_export(m, r, err);
    case 8: return sec_start(m, r, err);
    case 9: return sec_elem(m, r, err);
    case 10:
      *saw_code = true;
      if (!m->has_data_count) m->data_count = 0;
      return sec_code(m, r, *defined, err);
    case 11:
      *saw_data = true;
      return sec_data(m, r, data_seen, err);
    case 12:
      U32(&m->data_count);
      m->has_data_count = true;
      return WG_WASM_OK;
  }
  MALFORMED(r, "malformed section id");
}

wg_wasm_code vm_decode(vm_module *m, const uint8_t *bytes, size_t len,
                         wg_wasm_error *err) {
  vm_reader rd = {bytes, bytes, bytes + len}, *r = &rd;
  static const uint8_t magic[4] = {0, 'a', 's', 'm'};
  static const uint8_t version[4] = {1, 0, 0, 0};
  if (len < 4 || memcmp(bytes, magic, 4) != 0)
    MALFORMED(r, "magic header not detected");
  r->p += 4;
  if (len < 8 || memcmp(bytes + 4, version, 4) != 0)
    MALFORMED(r, "unknown binary version");
  r->p += 4;
  TRY(after_imports(m, r, err));
  int last = 0;
  uint32_t defined = 0, data_seen = 0;
  bool saw_code = false, saw_data = false;
  while (r->p < r->end) {
    uint8_t id;
    uint32_t size;
    BYTE(&id);
    if (id > 12) MALFORMED(r, "malformed section id");
    U32(&size);
    if (size > remaining(r)) MALFORMED(r, "unexpected end: section size");
    if (id != 0) {
      if (section_rank(id) <= last) MALFORMED(r, "unexpected content after last section");
      last = section_rank(id);
    }
    vm_reader sec = {bytes, r->p, r->p + size};
    if (id == 2) {
      TRY(sec_import(m, &sec, err));
      TRY(after_imports(m, &sec, err));
    } else {
      /* Later sections need the function index space. */
      if (id >= 4 && id != 12 && !m->func_types)
        TRY(index_imports(m, &sec, 0, err));
      TRY(decode_section(m, id, &sec, &defined, &saw_code, &data_seen,
                         &saw_data, err));
    }
    if (sec.p != sec.end) MALFORMED(&sec, "section size mismatch");
    r->p = sec.end;
  }
  if (!m->func_types) TRY(index_imports(m, r, 0, err));
  if (!saw_code && defined)
    MALFORMED(r, "function and code section have inconsistent lengths");
  if (m->has_data_count && !saw_data && m->data_count)
    MALFORMED(r, "data count and data section have inconsistent lengths");
  if (!saw_data) m->data_count = 0;
  if (m->data_count_needed_at) {
    r->p = r->base + m->data_count_needed_at;
    if (saw_data) MALFORMED(r, "data count section required");
    INVALID(r, "unknown data segment");
  }
  if (!m->datas) m->datas = arr(m, 0, sizeof *m->datas);
  if (!m->codes) m->codes = arr(m, 0, sizeof *m->codes);
  if (!m->elems) m->elems = arr(m, 0, sizeof *m->elems);
  return WG_WASM_OK;
}
