/* linker.c: resolves a module's imports by (module, name).
 *
 * Host functions defined on a linker are store-independent: each
 * instantiation creates the wg_func in the target store. A linker is a
 * plain list; lookups are linear (import lists are short). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_module.h"
#include "wasmgate/util.h"

typedef struct vm_link_entry {
  char *module;
  size_t module_len;
  char *name;
  size_t name_len;
  bool is_host;
  wg_extern ext;
  wg_functype type;   /* host functions: owned copies of the arrays */
  wg_host_fn fn;
  void *user;
} vm_link_entry;

struct wg_linker {
  vm_link_entry *entries;
  size_t count, cap;
};

wg_linker *wg_linker_new(void) { return calloc(1, sizeof(wg_linker)); }

static void free_entry(vm_link_entry *e) {
  free(e->module);
  free(e->name);
  free((void *)e->type.params);
}

void wg_linker_free(wg_linker *l) {
  if (!l) return;
  for (size_t i = 0; i < l->count; i++) free_entry(&l->entries[i]);
  free(l->entries);
  free(l);
}

static char *dup_bytes(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (!d) return NULL;
  if (n) memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

static vm_link_entry *find(const wg_linker *l, const char *module,
                           size_t module_len, const char *name,
                           size_t name_len) {
  for (size_t i = 0; i < l->count; i++) {
    vm_link_entry *e = &l->entries[i];
    if (e->module_len == module_len && e->name_len == name_len &&
        memcmp(e->module, module, module_len) == 0 &&
        memcmp(e->name, name, name_len) == 0)
      return e;
  }
  return NULL;
}

/* Adds (or replaces) an entry; returns it with the names filled in. */
static vm_link_entry *add(wg_linker *l, const char *module, size_t module_len,
                          const char *name, size_t name_len) {
  vm_link_entry *e = find(l, module, module_len, name, name_len);
  if (e) {
    free((void *)e->type.params);
    memset(&e->type, 0, sizeof e->type);
    return e;
  }
  vm_link_entry *grown = wg_vec_reserve(l->entries, &l->cap, l->count + 1,
                                        sizeof *grown, 0);
  if (!grown) return NULL;
  l->entries = grown;
  e = &l->entries[l->count];
  memset(e, 0, sizeof *e);
  e->module = dup_bytes(module, module_len);
  e->name = dup_bytes(name, name_len);
  if (!e->module || !e->name) {
    free_entry(e);
    return NULL;
  }
  e->module_len = module_len;
  e->name_len = name_len;
  l->count++;
  return e;
}

bool wg_linker_define_host_func(wg_linker *l, const char *module,
                                size_t module_len, const char *name,
                                size_t name_len, const wg_functype *type,
                                wg_host_fn fn, void *user) {
  if (!l || !type || !fn) return false;
  size_t n = (size_t)type->param_count + type->result_count;
  wg_valtype *vals = malloc((n ? n : 1) * sizeof *vals);
  if (!vals) return false;
  vm_link_entry *e = add(l, module, module_len, name, name_len);
  if (!e) {
    free(vals);
    return false;
  }
  if (type->param_count) memcpy(vals, type->params, type->param_count * sizeof *vals);
  if (type->result_count)
    memcpy(vals + type->param_count, type->results,
           type->result_count * sizeof *vals);
  e->type.param_count = type->param_count;
  e->type.result_count = type->result_count;
  e->type.params = vals;
  e->type.results = vals + type->param_count;
  e->is_host = true;
  e->fn = fn;
  e->user = user;
  return true;
}

bool wg_linker_define_extern(wg_linker *l, const char *module,
                             size_t module_len, const char *name,
                             size_t name_len, wg_extern ext) {
  if (!l) return false;
  vm_link_entry *e = add(l, module, module_len, name, name_len);
  if (!e) return false;
  e->is_host = false;
  e->ext = ext;
  return true;
}

wg_wasm_code wg_linker_instantiate(const wg_linker *l, wg_store *s,
                                     const wg_module *m, wg_instance **out,
                                     wg_wasm_error *err) {
  *out = NULL;
  size_t n = wg_module_import_count(m);
  wg_extern *ext = calloc(n ? n : 1, sizeof *ext);
  if (!ext) {
    vm_error(err, WG_WASM_NOMEM, 0, "out of memory");
    return WG_WASM_NOMEM;
  }
  wg_wasm_code r = WG_WASM_OK;
  for (size_t i = 0; i < n && r == WG_WASM_OK; i++) {
    wg_import_info info;
    wg_module_import(m, i, &info);
    vm_link_entry *e = find(l, info.module, info.module_len, info.name,
                            info.name_len);
    if (!e) {
      vm_error(err, WG_WASM_LINK, 0, "unknown import \"%.*s\".\"%.*s\"",
               (int)(info.module_len > 100 ? 100 : info.module_len),
               info.module, (int)(info.name_len > 100 ? 100 : info.name_len),
               info.name);
      r = WG_WASM_LINK;
    } else if (e->is_host) {
      ext[i].kind = WG_EXTERN_FUNC;
      ext[i].of.func = wg_func_new_host(s, &e->type, e->fn, e->user);
      if (!ext[i].of.func) {
        vm_error(err, WG_WASM_NOMEM, 0, "out of memory");
        r = WG_WASM_NOMEM;
      }
    } else {
      ext[i] = e->ext;
    }
  }
  if (r == WG_WASM_OK) r = wg_instance_new(s, m, ext, n, out, err);
  free(ext);
  return r;
}
