/* limits.h: every named limit and default of wasmgate, with why each number
 * is what it is. This is the one place they are written: code, `--help`
 * texts and the docs quote these names (tests/docs/check_limits.py checks
 * the docs' tables against this file). Modelled on SQLite's sqliteLimit.h.
 *
 * Conventions: WG_<LAYER>_MAX_* is a hard bound (past it: an error, never a
 * silent cut unless the comment says so); WG_<LAYER>_DEFAULT_* is what an
 * option or config key means when it is not given. A value kept as an enum
 * constant is compared with ints; one kept as a macro is unsigned. Where two
 * limits must agree, a _Static_assert at the end says so.
 *
 * The operator changes the call defaults in wasmgate.toml `[limits]`
 * (docs/configuration.md); the engine and parser caps are not options. */
#ifndef WASMGATE_LIMITS_H
#define WASMGATE_LIMITS_H

#include <stddef.h> /* size_t in the size limits */

/* ---- WebAssembly engine (src/wasm) ----------------------------------------
 *
 * Past any per-module cap a module is WG_WASM_LIMIT (docs/engine.md,
 * "Limits"). The caps sit far above what clang and rustc emit (a large real
 * module has tens of thousands of functions, a few thousand types, one
 * table, one memory, a handful of element and data segments) and low
 * enough that the host memory a module can make us hold is bounded by them
 * and by its size. */
#define WG_WASM_PAGE_SIZE 65536u          /* bytes of one linear-memory page */
#define WG_WASM_MAX_PAGES 65536u          /* 4 GiB, the wasm32 maximum */
#define WG_WASM_MAX_LOCALS 50000u         /* per function, params included */
#define WG_WASM_MAX_FUNC_PARAMS 1000u     /* params or results per type */
#define WG_WASM_MAX_NESTING 100000u       /* nested blocks per function: the
                                             validator keeps ~64 bytes each */
#define WG_WASM_MAX_TYPES 100000u         /* LLVM dedupes types: real modules
                                             have hundreds, a few thousand at most */
#define WG_WASM_MAX_FUNCS 1000000u        /* imported + defined (V8's limit);
                                             big real modules: ~100,000 */
#define WG_WASM_MAX_IMPORTS 100000u       /* V8's limit; WASI programs import
                                             tens, emscripten hundreds */
#define WG_WASM_MAX_EXPORTS 100000u       /* V8's limit */
#define WG_WASM_MAX_GLOBALS 100000u       /* clang emits 1-3 (the stack pointer);
                                             dynamic linking (GOT) thousands */
#define WG_WASM_MAX_TABLES 1000u          /* clang/rustc emit 1; the spec suite
                                             uses a handful */
#define WG_WASM_MAX_ELEM_SEGMENTS 100000u /* clang emits 1 */
#define WG_WASM_MAX_ELEM_ITEMS 1000000u   /* all element segments together: the
                                             function pointers of a big C++
                                             program are tens of thousands */
#define WG_WASM_MAX_DATA_SEGMENTS 100000u /* V8's limit; clang emits a few */
#define WG_WASM_MAX_BR_TABLE 65520u       /* targets per br_table (V8's limit) */
/* Compile memory (decoded module, compiled code, compiler scratch) is
 * counted against WG_WASM_COMPILE_MEMORY_FACTOR x the module's size plus
 * WG_WASM_COMPILE_MEMORY_BASE: clang output needs 6-10x at its peak
 * (bench/compile_memory.sh); br_table-heavy code up to ~50x, which the
 * base absorbs for all but hostile sizes. */
#define WG_WASM_COMPILE_MEMORY_FACTOR 16u
#define WG_WASM_COMPILE_MEMORY_BASE (16u << 20)
/* Validation work (instructions, operand types pushed, popped or compared)
 * per function is bounded by WG_WASM_VALIDATE_WORK_PER_BYTE x its body size
 * plus WG_WASM_VALIDATE_WORK_BASE: clang output does 1.3-1.9 per byte; only
 * long type vectors moved by 2-byte instructions (`call` of a 1,000-result
 * type) could do more. */
#define WG_WASM_VALIDATE_WORK_PER_BYTE 16u
#define WG_WASM_VALIDATE_WORK_BASE 1000000u
/* What a wg_limits field left 0 means (the runtime always sets them). */
#define WG_WASM_DEFAULT_MAX_TABLE 10000000u
#define WG_WASM_DEFAULT_MAX_CALL_DEPTH 10000u
#define WG_WASM_DEFAULT_MAX_STACK_BYTES (8u << 20)
/* What a table element costs against max_store_bytes (its real size). */
#define WG_TABLE_ELEMENT_BYTES 8u
/* A host function may call back into the engine (wg_func_call from inside
 * a host call) at most this many levels deep; one level more traps
 * call_stack_exhausted. Each level holds a few KiB of C stack. */
#define WG_MAX_HOST_REENTRY 64u

/* ---- JSON (src/json) -------------------------------------------------------
 *
 * Defaults of wg_json_limits: 512 levels is deeper than any real tool
 * argument and well within what the explicit stack costs (48 bytes a
 * level); 64 MiB of input bounds the arena to a few hundred MiB in the
 * worst case ("[0,0,0,...]"). */
#define WG_JSON_DEFAULT_MAX_DEPTH 512u
#define WG_JSON_DEFAULT_MAX_SIZE ((size_t)64 << 20)
#define WG_JSON_DEFAULT_MAX_MEMBERS 1000000u
#define WG_JSON_DEFAULT_MAX_STRING_LEN ((size_t)16 << 20)
/* The writer keeps one bit per open level in the writer itself. */
enum { WG_JSON_WRITER_MAX_DEPTH = 256 };

/* ---- TOML (src/toml) -------------------------------------------------------
 *
 * Defaults of wg_toml_limits: configs and manifests are a few KiB.
 * Ordinary TOML takes 10-30x its size in tree memory; pathological input
 * (long dotted-key chains, many empty tables) up to ~64x. */
#define WG_TOML_DEFAULT_MAX_SIZE ((size_t)1 << 20)
#define WG_TOML_DEFAULT_MAX_DEPTH 128u
#define WG_TOML_DEFAULT_MAX_MEMORY ((size_t)64 << 20)

/* ---- JSON Schema (src/schema) ----------------------------------------------
 *
 * Defaults of wg_schema_options. */
#define WG_SCHEMA_DEFAULT_MAX_DEPTH 128u
#define WG_SCHEMA_DEFAULT_MAX_NODES 100000u
#define WG_SCHEMA_DEFAULT_MAX_PATTERN_LEN 4096u
#define WG_SCHEMA_DEFAULT_MAX_VALIDATE_DEPTH 256u
#define WG_SCHEMA_DEFAULT_MAX_STEPS 10000000u
#define WG_SCHEMA_DEFAULT_REGEX_MATCH_LIMIT 1000000u
#define WG_SCHEMA_DEFAULT_REGEX_DEPTH_LIMIT 1000000u /* the heap limit is what
                                                        bounds memory */
#define WG_SCHEMA_DEFAULT_REGEX_HEAP_KIB 16384u
/* Compiled schema memory. */
#define WG_SCHEMA_MAX_ARENA ((size_t)256 << 20)
/* Hard ceilings on the depth options: both depths are C recursion (a few
 * hundred bytes of stack per level), so even a caller's option cannot ask
 * for more than this. */
#define WG_SCHEMA_MAX_COMPILE_DEPTH 1000u
#define WG_SCHEMA_MAX_VALIDATE_DEPTH 2000u
/* The regex translation may grow a pattern 64-fold; keep that far from
 * overflow and from PCRE2's own size limits. */
#define WG_SCHEMA_MAX_PATTERN_LEN ((size_t)1 << 20)
/* $id resources and $anchors are looked up by linear scan for each $ref;
 * real schemas have a handful, and the cap keeps a hostile one from making
 * compilation quadratic (refs are bounded by max_nodes). */
#define WG_SCHEMA_MAX_IDS 1000u

/* ---- Packages and manifests (src/package) ----------------------------------
 *
 * yoi's plugin discovery limits (the same numbers, so a package yoi loads
 * loads here), plus the directory-walk depth that only wasmgate's directory
 * packages need. */
#define WG_PKG_MAX_PACKAGES_PER_STORE 128u
#define WG_PKG_MAX_PACKAGE_SIZE (16u * 1024u * 1024u)
#define WG_PKG_MAX_MANIFEST_SIZE (64u * 1024u)
#define WG_PKG_MAX_ENTRIES 512u
#define WG_PKG_MAX_FILE_SIZE (8u * 1024u * 1024u)
#define WG_PKG_MAX_EXPANDED_SIZE (64u * 1024u * 1024u)
#define WG_PKG_MAX_DIR_DEPTH 16u
/* A directory package's paths: the zipped form stores each in a u16. */
#define WG_PKG_MAX_DIR_PATH 65535u
/* `pack` walks up from its output to refuse packing into the source;
 * real trees are far shallower. */
#define WG_PKG_MAX_PACK_ANCESTORS 4096u
/* Descriptions reach the model verbatim, so they are bounded (yoi has no
 * limit of its own). */
#define WG_MANIFEST_MAX_TOOL_DESCRIPTION 4096u
/* yoi's tool-name limit. */
#define WG_MANIFEST_MAX_TOOL_NAME 128u
/* The TOML input bound of a standalone wg_manifest_parse; a package's
 * manifest is already capped by WG_PKG_MAX_MANIFEST_SIZE. */
#define WG_MANIFEST_MAX_TEXT (1u * 1024u * 1024u)
/* A manifest's tree: a few MiB is plenty for 64 KiB of TOML; the arena
 * limit stops pathological input anyway. */
#define WG_MANIFEST_MAX_ARENA (32u * 1024u * 1024u)
/* Nesting of a manifest's TOML (input_schema is the only deep part). */
#define WG_MANIFEST_MAX_TOML_DEPTH 64u
/* Canonical JSON of one input_schema: escaping at most sextuples a byte, so
 * the largest text wg_manifest_parse takes fits. */
#define WG_MANIFEST_MAX_SCHEMA_JSON (8u * 1024u * 1024u)

/* ---- One tool call (src/runtime; config `[limits]`) ------------------------
 *
 * The defaults are at least yoi's own, so a package that runs under yoi
 * runs here. */
#define WG_RT_DEFAULT_MAX_INPUT (64u * 1024u)   /* argument JSON bytes */
#define WG_RT_DEFAULT_MAX_OUTPUT (64u * 1024u)  /* output JSON bytes */
#define WG_RT_DEFAULT_MAX_SUMMARY 1024u         /* the output's summary */
#define WG_RT_DEFAULT_FUEL 100000000ull         /* instructions (~0.1-0.5 s) */
#define WG_RT_DEFAULT_TIMEOUT_MS 10000u         /* the whole call */
#define WG_RT_DEFAULT_WALL_CLOCK_NS (WG_RT_DEFAULT_TIMEOUT_MS * 1000000ull)
#define WG_RT_DEFAULT_MAX_MEMORY (16u * 1024u * 1024u) /* memories + tables */
#define WG_RT_DEFAULT_MAX_TABLE 10000u          /* all tables together */
#define WG_RT_DEFAULT_MAX_CALL_DEPTH 1000u
/* The engine's value and frame stack of one call: deep enough for the call
 * depth above with large frames, and a fixed cost per call. */
#define WG_RT_MAX_STACK_BYTES (8u * 1024u * 1024u)
/* Room for a generated "call_" + 24 hex id and for the ids MCP clients
 * and hosts use (UUIDs, JSON-RPC ids). */
#define WG_CALL_ID_MAX 64
/* A history record carries at most 64 KiB of arguments and 64 KiB of
 * content, which JSON escaping can grow up to six times. */
#define WG_HISTORY_DEFAULT_MAX_RECORD (1024u * 1024u)

/* ---- wasmgate.toml (src/config) --------------------------------------------
 *
 * The largest value each `[limits]` key accepts. The maxima stop a typo
 * from disabling a limit; the minima (in src/config/config.c) keep a call
 * possible at all. */
#define WG_CONFIG_MAX_IO_BYTES (16ull * 1024 * 1024) /* input/summary bytes */
/* One output_write of the ABI carries at most WG_HOST_MAX_OUTPUT_WRITE: a
 * larger output limit could never be reached. */
#define WG_CONFIG_MAX_OUTPUT_BYTES 65536ull
#define WG_CONFIG_MAX_FUEL (1ull << 50)
#define WG_CONFIG_MAX_TIMEOUT_MS 3600000ull     /* one hour */
#define WG_CONFIG_MAX_MEMORY_BYTES (4ull << 30) /* the wasm32 address space */
#define WG_CONFIG_MAX_TABLE_ELEMENTS 10000000ull
#define WG_CONFIG_MAX_CALL_DEPTH 100000ull
#define WG_CONFIG_MAX_REDIRECTS 20ull
/* The config, the lock file: a few KiB; 1 MiB is generous and bounds the
 * read. */
#define WG_CONFIG_MAX_FILE_SIZE (1024u * 1024u)
#define WG_LOCK_MAX_FILE_SIZE (1024u * 1024u)
/* `[https]`: the longest grant host / path prefix / header value template
 * as written, and the addresses one resolve entry may pin. */
#define WG_CONFIG_MAX_GRANT_HOST 1024u
#define WG_CONFIG_MAX_GRANT_PREFIX 1024u
#define WG_CONFIG_MAX_HEADER_TEMPLATE 4096u
#define WG_CONFIG_MAX_RESOLVE_ADDRESSES 16u
/* Requests one call may make: 16 by default; a typo must not disable the
 * bound. */
#define WG_CONFIG_DEFAULT_REQUESTS_PER_CALL 16u
#define WG_CONFIG_MAX_REQUESTS_PER_CALL 1024ull
#define WG_CONFIG_MAX_DNS_SERVERS 8     /* c-ares asks them in order */
#define WG_CONFIG_MAX_HTTPS_TIMEOUT_MS 600000ull /* the call's deadline bounds it too */
/* The digest cache (.wasmgate/digests): a line per package of every store;
 * there are two stores, and 1024 leaves room for renames without letting
 * the file grow without bound. A line is at most ~700 bytes (a 255-byte
 * label in hex is 510). */
enum {
  WG_DIGEST_CACHE_MAX_ENTRIES = 1024,
  WG_DIGEST_CACHE_MAX_LINE = 1024,
  WG_DIGEST_CACHE_MAX_BYTES = WG_DIGEST_CACHE_MAX_ENTRIES * WG_DIGEST_CACHE_MAX_LINE,
  WG_DIGEST_CACHE_MAX_DIR_NAMES = 1024, /* discovery keeps 128 per store */
};

/* ---- The yoi ABI and the https API (src/host, src/policy) ------------------
 *
 * The ABI's own bounds, as yoi: an output_write longer than
 * WG_HOST_MAX_OUTPUT_WRITE is a sticky error; a request descriptor longer
 * than WG_HOST_MAX_HTTPS_REQUEST is refused. */
enum {
  WG_HOST_MAX_OUTPUT_WRITE = 65536,
  WG_HOST_MAX_HTTPS_REQUEST = 49152,
};
/* yoi's per-request timeout is 5 s. A record's safe URL is "https://" + a
 * 253-byte host + ":65535" + a path cut at 120 bytes plus "..." (U+2026),
 * well under 400. */
enum {
  WG_HTTPS_DEFAULT_TIMEOUT_MS = 5000,
  WG_HTTPS_RECORD_URL_MAX = 400,
};
/* What a request may hold (as yoi), and what the policy keeps. */
enum {
  WG_POL_DESCRIPTOR_MAX = WG_HOST_MAX_HTTPS_REQUEST, /* the request JSON */
  WG_POL_URL_MAX = 16384,          /* a guest URL (or redirect Location) */
  WG_POL_SEND_URL_MAX = 65536,     /* the URL handed to libcurl, after
                                      percent-encoding and path secrets */
  WG_POL_HOST_MAX = 253,           /* canonical host (a DNS name's limit) */
  WG_POL_LABEL_MAX = 63,           /* one DNS label */
  WG_POL_HEADERS_MAX = 16,         /* guest request headers */
  WG_POL_HEADER_NAME_MAX = 64,
  WG_POL_HEADER_VALUE_MAX = 1024,
  WG_POL_BODY_MAX = 32768,         /* request body */
  WG_POL_SAFE_PATH_MAX = 120,      /* path bytes kept in the safe URL */
  WG_POL_MESSAGE_MAX = 512,        /* an error message, bounded like every
                                      wg_error message */
  WG_POL_SECRETS_MAX = 64,         /* secrets in one set */
  WG_POL_SECRET_MIN = 8,           /* shorter values are refused */
  WG_POL_SECRET_VALUE_MAX = 4096,
  WG_POL_PLACEHOLDERS_MAX = 8,     /* {{secret:NAME}} in one URL */
};
/* A raw host (before percent-decoding and IDNA) longer than this is
 * refused: the canonical form is at most 253 bytes, and four bytes of
 * UTF-8 per code point plus IDNA's ignored code points leave room for any
 * real name. It bounds what libidn2 is given. */
#define WG_POL_RAW_HOST_MAX 1024u
/* Answers beyond this many make a DNS lookup fail: every answer is judged,
 * so all must be kept (real names return a handful). */
enum { WG_HTTPS_MAX_DNS_ADDRS = 32 };
/* The response the guest gets (as yoi): a 64 KiB body (cut, `truncated`),
 * 16 headers of at most 1 KiB each. What the host reads to make it: 128
 * raw header lines and 256 KiB of header bytes at most, else an error. */
enum {
  WG_HTTPS_MAX_RESPONSE_BODY = 65536,
  WG_HTTPS_MAX_RESPONSE_HEADERS = 16,
  WG_HTTPS_MAX_RESPONSE_HEADER_VALUE = 1024,
  WG_HTTPS_MAX_RAW_HEADERS = 128,
  WG_HTTPS_MAX_HEADER_BYTES = 256 * 1024,
};

/* ---- The MCP server (src/mcp; every one is a `serve` option) ---------------
 *
 * 4 MiB a message: far above what a tool call can carry (64 KiB of
 * arguments, even fully \u-escaped), small enough that a hostile line costs
 * little. */
#define WG_MCP_DEFAULT_MAX_MESSAGE (4u * 1024u * 1024u)
#define WG_MCP_MIN_MAX_MESSAGE 1024u
#define WG_MCP_MAX_MAX_MESSAGE (256u * 1024u * 1024u)
/* Requests in flight (queued or running) before new tools/call requests are
 * refused; a burst is answered, never queued without bound. */
#define WG_MCP_DEFAULT_MAX_IN_FLIGHT 64u
#define WG_MCP_MAX_MAX_IN_FLIGHT 4096u
/* Worker threads running tool calls: each call is CPU-bound wasm. */
#define WG_MCP_DEFAULT_WORKERS 4u
#define WG_MCP_MAX_WORKERS 256u
/* tools/list page size. */
#define WG_MCP_DEFAULT_PAGE_SIZE 100u
#define WG_MCP_MAX_PAGE_SIZE 1000u
/* How long a client may leave its responses unread (stdout full) before the
 * server gives up on it. */
#define WG_MCP_DEFAULT_WRITE_TIMEOUT_MS 60000u
/* HTTP: concurrent connections, seconds a connection may stay idle, and
 * seconds one request may take to arrive (headers and body). */
#define WG_MCP_DEFAULT_HTTP_MAX_CONNECTIONS 64u
#define WG_MCP_DEFAULT_HTTP_IDLE_TIMEOUT_S 30u
#define WG_MCP_DEFAULT_HTTP_REQUEST_TIMEOUT_S 30u
#define WG_MCP_MAX_HTTP_CONNECTIONS 4096u
/* Every timeout option (seconds): at most a day, so a typo cannot make a
 * stuck client hold its slot forever. */
#define WG_MCP_MAX_TIMEOUT_S 86400u
/* The freshness hint (ttlMs) of tools/list and server/discover results. */
#define WG_MCP_DEFAULT_LIST_TTL_MS 60000u
/* A bearer token file is read once; shorter tokens are refused. */
#define WG_MCP_AUTH_TOKEN_MIN 16u
#define WG_MCP_AUTH_TOKEN_MAX 4096u
#define WG_MCP_MAX_ALLOWED_ORIGINS 16u

/* ---- The command line (src/cli) --------------------------------------------*/

/* `wasm run`: a module larger than this is refused before reading it all
 * (the biggest real plugins are a few MiB). The default --max-memory-mb
 * (memories and tables together), with the compile budget (16 x the module
 * + 16 MiB), keeps a run of an 8 MiB module under 256 MiB of host memory;
 * at most one 4 GiB memory. Arguments: the engine's bound on a function's
 * parameters and results. */
#define WG_CLI_WASM_MAX_FILE (256u << 20)
#define WG_CLI_WASM_DEFAULT_MEMORY_MB 64u
#define WG_CLI_WASM_MAX_MEMORY_MB 4096u
#define WG_CLI_WASM_MAX_VALUES WG_WASM_MAX_FUNC_PARAMS
/* `check`: at most this many diagnostics are listed (two per tool, package,
 * module, runtime; a 64 KiB manifest cannot have more than ~5,000 tools);
 * --timeout-ms defaults to a call's (a module that compiles within a
 * call's default deadline passes check), at most an hour. */
#define WG_CLI_CHECK_MAX_DIAGS 16384u
#define WG_CLI_CHECK_DEFAULT_TIMEOUT_MS WG_RT_DEFAULT_TIMEOUT_MS
#define WG_CLI_CHECK_MAX_TIMEOUT_MS 3600000u

/* ---- Limits that must agree ------------------------------------------------*/
#ifndef __cplusplus
_Static_assert(WG_RT_DEFAULT_MAX_OUTPUT <= WG_HOST_MAX_OUTPUT_WRITE,
               "the default output limit must be reachable through the ABI");
_Static_assert(WG_CONFIG_MAX_OUTPUT_BYTES == WG_HOST_MAX_OUTPUT_WRITE,
               "[limits] output_bytes stops where the ABI does");
_Static_assert(WG_RT_DEFAULT_MAX_MEMORY % WG_WASM_PAGE_SIZE == 0,
               "the default memory limit is whole pages");
_Static_assert(WG_CONFIG_MAX_MEMORY_BYTES == (unsigned long long)WG_WASM_MAX_PAGES * WG_WASM_PAGE_SIZE,
               "[limits] memory_bytes stops at the wasm32 address space");
_Static_assert(WG_RT_DEFAULT_MAX_INPUT <= WG_CONFIG_MAX_IO_BYTES &&
                   WG_RT_DEFAULT_MAX_SUMMARY <= WG_CONFIG_MAX_IO_BYTES &&
                   WG_RT_DEFAULT_FUEL <= WG_CONFIG_MAX_FUEL &&
                   WG_RT_DEFAULT_TIMEOUT_MS <= WG_CONFIG_MAX_TIMEOUT_MS &&
                   WG_RT_DEFAULT_MAX_TABLE <= WG_CONFIG_MAX_TABLE_ELEMENTS &&
                   WG_RT_DEFAULT_MAX_CALL_DEPTH <= WG_CONFIG_MAX_CALL_DEPTH,
               "every call default is a value [limits] accepts");
_Static_assert(WG_CONFIG_MAX_TABLE_ELEMENTS <= WG_WASM_DEFAULT_MAX_TABLE,
               "[limits] table_elements never asks more than the engine allows");
_Static_assert(6ull * (WG_RT_DEFAULT_MAX_INPUT + WG_RT_DEFAULT_MAX_OUTPUT) < WG_HISTORY_DEFAULT_MAX_RECORD,
               "a default history record holds fully escaped arguments and output");
_Static_assert(6ull * WG_MANIFEST_MAX_TEXT <= WG_MANIFEST_MAX_SCHEMA_JSON,
               "an input_schema's canonical JSON fits even fully escaped");
_Static_assert(WG_PKG_MAX_MANIFEST_SIZE <= WG_MANIFEST_MAX_TEXT,
               "a package's manifest always fits a standalone parse");
_Static_assert(WG_SCHEMA_DEFAULT_MAX_DEPTH <= WG_SCHEMA_MAX_COMPILE_DEPTH &&
                   WG_SCHEMA_DEFAULT_MAX_VALIDATE_DEPTH <= WG_SCHEMA_MAX_VALIDATE_DEPTH &&
                   WG_SCHEMA_DEFAULT_MAX_PATTERN_LEN <= WG_SCHEMA_MAX_PATTERN_LEN,
               "schema defaults sit under the schema ceilings");
_Static_assert(6ull * WG_RT_DEFAULT_MAX_INPUT < WG_MCP_DEFAULT_MAX_MESSAGE,
               "an MCP message holds a call's fully escaped arguments");
_Static_assert(WG_CALL_ID_MAX > 5 + 24, "a generated call id fits");
_Static_assert((int)WG_POL_HEADERS_MAX == (int)WG_HTTPS_MAX_RESPONSE_HEADERS &&
                   (int)WG_POL_HEADER_VALUE_MAX == (int)WG_HTTPS_MAX_RESPONSE_HEADER_VALUE,
               "yoi bounds request and response headers alike");
#endif

#endif
