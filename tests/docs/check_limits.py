#!/usr/bin/env python3
"""check_limits.py: the numbers the docs and `--help` quote are the ones in
include/wasmgate/limits.h.

limits.h is the one place a limit is written. The docs' `[limits]` table
(docs/configuration.md), its example block and the option texts of `serve`,
`wasm run` and `check` repeat some values for the reader; each is listed
below with the macro it quotes, and any difference fails. An expectation
whose text is no longer found fails too, so rewording a doc cannot silently
turn a check off.

Usage: check_limits.py SOURCE_DIR
"""
import re
import sys


def parse_limits(text):
    """Every #define and enum constant of limits.h whose value is an integer
    expression of earlier names, evaluated."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    vals = {}

    def value(expr):
        e = re.sub(r"\(\s*(size_t|unsigned long long|int|unsigned)\s*\)", "", expr)
        e = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)(ull|ULL|u|U|ll|LL)?\b", r"\1", e)
        e = re.sub(r"\b(WG_[A-Z0-9_]+)\b", lambda m: str(vals[m.group(1)]), e)
        if not re.fullmatch(r"[0-9xa-fA-F+\-*/<>() ]+", e):
            return None
        return int(eval(e.replace("/", "//")))  # integers only, checked above

    for m in re.finditer(r"^#define (WG_[A-Z0-9_]+)[ \t]+(.+)$", text, re.M):
        v = value(m.group(2).strip())
        if v is not None:
            vals[m.group(1)] = v
    for body in re.findall(r"enum\s*\{(.*?)\}", text, re.S):
        for m in re.finditer(r"(WG_[A-Z0-9_]+)\s*=\s*([^,]+)", body):
            v = value(m.group(2).strip())
            if v is not None:
                vals[m.group(1)] = v
    return vals


def num(s):
    return int(s.replace(",", ""))


# (file, regex with one number group per macro, macros, scale per group:
# the doc's number times the scale is the macro's value).
KIB = 1024
EXPECT = [
    # docs/configuration.md, the [limits] table: default and accepted range.
    ("docs/configuration.md", r"\| `input_bytes` \| (\d+) \(64 KiB\) \| 2 \.\. (\d+) \|",
     ["WG_RT_DEFAULT_MAX_INPUT", "WG_CONFIG_MAX_IO_BYTES"]),
    ("docs/configuration.md", r"\| `output_bytes` \| (\d+) \(64 KiB\) \| 16 \.\. (\d+) \|",
     ["WG_RT_DEFAULT_MAX_OUTPUT", "WG_CONFIG_MAX_OUTPUT_BYTES"]),
    ("docs/configuration.md", r"\| `summary_bytes` \| (\d+) \|", ["WG_RT_DEFAULT_MAX_SUMMARY"]),
    ("docs/configuration.md", r"\| `fuel` \| (\d+) \| 1 \.\. 2\^(\d+) \|",
     ["WG_RT_DEFAULT_FUEL", ("WG_CONFIG_MAX_FUEL", lambda v: v.bit_length() - 1)]),
    ("docs/configuration.md", r"\| `timeout_ms` \| (\d+) \(10 s\) \| 1 \.\. (\d+) \|",
     ["WG_RT_DEFAULT_TIMEOUT_MS", "WG_CONFIG_MAX_TIMEOUT_MS"]),
    ("docs/configuration.md", r"\| `memory_bytes` \| (\d+) \(16 MiB\) \| (\d+) \.\. (\d+), whole",
     ["WG_RT_DEFAULT_MAX_MEMORY", "WG_WASM_PAGE_SIZE", "WG_CONFIG_MAX_MEMORY_BYTES"]),
    ("docs/configuration.md", r"\| `table_elements` \| (\d+) \| 1 \.\. (\d+) \|",
     ["WG_RT_DEFAULT_MAX_TABLE", "WG_CONFIG_MAX_TABLE_ELEMENTS"]),
    ("docs/configuration.md", r"\| `call_depth` \| (\d+) \| 1 \.\. (\d+) \|",
     ["WG_RT_DEFAULT_MAX_CALL_DEPTH", "WG_CONFIG_MAX_CALL_DEPTH"]),
    # ... and the example block that spells every default out.
    ("docs/configuration.md",
     r"\[limits\]\ninput_bytes = (\d+)\noutput_bytes = (\d+)\nsummary_bytes = (\d+)\n"
     r"fuel = (\d+)\ntimeout_ms = (\d+)\nmemory_bytes = (\d+)\ntable_elements = (\d+)\n"
     r"call_depth = (\d+)\n",
     ["WG_RT_DEFAULT_MAX_INPUT", "WG_RT_DEFAULT_MAX_OUTPUT", "WG_RT_DEFAULT_MAX_SUMMARY",
      "WG_RT_DEFAULT_FUEL", "WG_RT_DEFAULT_TIMEOUT_MS", "WG_RT_DEFAULT_MAX_MEMORY",
      "WG_RT_DEFAULT_MAX_TABLE", "WG_RT_DEFAULT_MAX_CALL_DEPTH"]),
    # `serve --help`.
    ("src/cli/cli_serve.c", r"\(at least (\d+) bytes\)", ["WG_MCP_AUTH_TOKEN_MIN"]),
    ("src/cli/cli_serve.c", r"repeatable, up to (\d+);", ["WG_MCP_MAX_ALLOWED_ORIGINS"]),
    ("src/cli/cli_serve.c", r"HTTP body \(default (\d+), (\d+) to (\d+)\)",
     ["WG_MCP_DEFAULT_MAX_MESSAGE", "WG_MCP_MIN_MAX_MESSAGE", "WG_MCP_MAX_MAX_MESSAGE"]),
    ("src/cli/cli_serve.c", r"refused with an error \(default (\d+), \"\s*\"at most (\d+)\)",
     ["WG_MCP_DEFAULT_MAX_IN_FLIGHT", "WG_MCP_MAX_MAX_IN_FLIGHT"]),
    ("src/cli/cli_serve.c", r"threads running tool calls \(default (\d+), at most (\d+)\)",
     ["WG_MCP_DEFAULT_WORKERS", "WG_MCP_MAX_WORKERS"]),
    ("src/cli/cli_serve.c", r"tools per tools/list page \(default (\d+), at most (\d+)\)",
     ["WG_MCP_DEFAULT_PAGE_SIZE", "WG_MCP_MAX_PAGE_SIZE"]),
    ("src/cli/cli_serve.c", r"stops reading its responses \(default (\d+)\)",
     [("WG_MCP_DEFAULT_WRITE_TIMEOUT_MS", lambda v: v // 1000)]),
    ("src/cli/cli_serve.c", r"HTTP: connections at once \(default (\d+)\)",
     ["WG_MCP_DEFAULT_HTTP_MAX_CONNECTIONS"]),
    ("src/cli/cli_serve.c", r"idle this long \(default (\d+)\)", ["WG_MCP_DEFAULT_HTTP_IDLE_TIMEOUT_S"]),
    ("src/cli/cli_serve.c", r"body to arrive \(default (\d+)\)", ["WG_MCP_DEFAULT_HTTP_REQUEST_TIMEOUT_S"]),
    ("src/cli/cli_serve.c", r"ttlMs\) of tools/list \(default (\d+)\)", ["WG_MCP_DEFAULT_LIST_TTL_MS"]),
    # `wasm run --help` and `check --help`.
    ("src/cli/cli_wasm.c", r"at most N MiB \(default (\d+), at most (\d+)\)",
     ["WG_CLI_WASM_DEFAULT_MEMORY_MB", "WG_CLI_WASM_MAX_MEMORY_MB"]),
    ("src/cli/cli_check.c", r"give up after N ms \(default (\d+), a call's default timeout; at most (\d+)\)",
     ["WG_CLI_CHECK_DEFAULT_TIMEOUT_MS", "WG_CLI_CHECK_MAX_TIMEOUT_MS"]),
]


def main():
    src = sys.argv[1]
    vals = parse_limits(open(src + "/include/wasmgate/limits.h").read())
    failed = 0
    checked = 0
    for path, rx, macros in EXPECT:
        text = open(src + "/" + path).read()
        m = re.search(rx, text)
        if not m:
            print("FAIL %s: no text matches %r (reworded? update check_limits.py)" % (path, rx))
            failed += 1
            continue
        for k, macro in enumerate(macros):
            fn = lambda v: v
            if isinstance(macro, tuple):
                macro, fn = macro
            if macro not in vals:
                print("FAIL %s: %s is not in limits.h" % (path, macro))
                failed += 1
                continue
            want = fn(vals[macro])
            got = num(m.group(k + 1))
            checked += 1
            if got != want:
                print("FAIL %s: says %d where %s is %d" % (path, got, macro, want))
                failed += 1
    print("%d quoted values checked against limits.h (%d names there), %d failed"
          % (checked, len(vals), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
