#!/usr/bin/env python3
"""make_workspace.py: a wasmgate workspace for the MCP server tests: the
example plugins (Echo, TextStats, JsonSum) and the fixtures of tests/mcp
(the conformance suite's tools, Deadline, Writer/Fetcher), all enabled and
granted, packed packages copied into the project store.

usage: make_workspace.py WASMGATE EXAMPLES_DIR FIXTURES_DIR OUT_DIR
                         [--timeout-ms N] [--fsync always|never] [--replace]
Prints nothing; exits non-zero with a message on failure.
"""
import argparse
import os
import shutil
import subprocess
import sys

PLUGINS = [
    # (package file, id, tools, extra permissions, extra grant lines)
    ("echo", "echo", ["Echo"], [], []),
    ("text-stats", "text-stats", ["TextStats"], [], []),
    ("json-sum", "json-sum", ["JsonSum"], [], []),
    ("conformance", "conformance",
     ["test_simple_text", "test_error_handling", "json_schema_2020_12_tool"], [], []),
    ("deadline", "deadline", ["Deadline"], [], []),
    # The https grant makes Fetcher's openWorldHint true; its module (the
    # echo example) never imports yoi:https, so nothing is ever contacted.
    ("effects", "effects", ["Writer", "Fetcher"],
     ['{ kind = "external_write" }', '{ kind = "host_api", api = "https" }'],
     ['https = [ { host = "api.example.invalid", methods = ["GET"], path_prefixes = ["/"] } ]']),
]


def digest(wasmgate, path):
    out = subprocess.run([wasmgate, "digest", path], capture_output=True, text=True, check=True)
    return out.stdout.split()[0]


def make(wasmgate, examples, fixtures, out, timeout_ms, fsync):
    store = os.path.join(out, ".yoi", "plugins")
    os.makedirs(store, exist_ok=True)
    conf = ["[feature.plugins]", "enabled = true", ""]
    for pkg, pid, tools, extra, grant_lines in PLUGINS:
        src_dir = examples if os.path.exists(os.path.join(examples, pkg + ".yoi-plugin")) else fixtures
        dst = os.path.join(store, pkg + ".yoi-plugin")
        shutil.copy(os.path.join(src_dir, pkg + ".yoi-plugin"), dst)
        perms = ['{ kind = "surface", surface = "tool" }']
        perms += ['{ kind = "tool", name = "%s" }' % t for t in tools] + extra
        conf += ["[[plugins.enabled]]", 'id = "project:%s"' % pid,
                 "[plugins.enabled.grants]", 'id = "project:%s"' % pid, 'version = "1.0.0"',
                 'digest = "%s"' % digest(wasmgate, dst),
                 "permissions = [ %s ]" % ", ".join(perms)] + grant_lines + [""]
    conf += ["[limits]", "timeout_ms = %d" % timeout_ms, "fuel = 1000000000000", "",
             "[history]", 'fsync = "%s"' % fsync, ""]
    with open(os.path.join(out, "wasmgate.toml"), "w") as f:
        f.write("\n".join(conf))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wasmgate")
    ap.add_argument("examples")
    ap.add_argument("fixtures")
    ap.add_argument("out")
    ap.add_argument("--timeout-ms", type=int, default=5000)
    ap.add_argument("--fsync", default="never")
    ap.add_argument("--replace", action="store_true", help="remove OUT_DIR first")
    a = ap.parse_args()
    if a.replace and os.path.isdir(a.out):
        shutil.rmtree(a.out)
    make(a.wasmgate, a.examples, a.fixtures, a.out, a.timeout_ms, a.fsync)


if __name__ == "__main__":
    sys.exit(main())
