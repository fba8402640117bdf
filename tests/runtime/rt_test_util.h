/* rt_test_util.h: helpers shared by the runtime tests: loading fixture and
 * example modules, building tiny output modules in memory, one-line calls. */
#ifndef RT_TEST_UTIL_H
#define RT_TEST_UTIL_H

#include "wasmgate/package.h"
#include "wasmgate/runtime.h"

#define RT_DIGEST "sha256:0000000000000000000000000000000000000000000000000000000000000000"

/* Reads a whole file; NULL if missing. */
uint8_t *rt_read_file(const char *path, size_t *len);
/* Writes len bytes to path (created or truncated); false on failure. */
bool rt_write_file(const char *path, const void *data, size_t len);
bool rt_copy_file(const char *from, const char *to);
/* The package digest of a file or directory package ("" if unreadable). */
void rt_digest_of(const char *path, char out[72]);
/* Compiles RT_FIXTURE_DIR/<name>.wasm (or RT_EXAMPLES_DIR/<name>/plugin.wasm
 * with example=true); NULL on failure. */
wg_module *rt_load(const char *name, bool example);
/* A module whose yoi_tool_call writes out[0..len) (placed at address 0 of
 * a memory of `pages` pages) with output_write(0, write_len). */
wg_module *rt_output_module(const uint8_t *out, size_t len, uint32_t pages,
                            uint32_t write_len);
/* Compiles a JSON schema text. */
wg_schema *rt_schema(const char *json);
/* A request with the test origin and the given module, tool and input. */
wg_call_request rt_request(const wg_module *m, const char *tool,
                           const char *input);

#endif
