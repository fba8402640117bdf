#!/usr/bin/env python3
"""test_check_cli.py: end-to-end tests of `wasmgate check PATH [--json]
[--timeout-ms N]` on real packages: directories this test writes (modules
assembled with wat2wasm or byte by byte) and their `wasmgate pack` files.
Asserts exact exit codes, exact JSON and human output, and that no output
contains a filesystem path.

usage: test_check_cli.py WASMGATE WAT2WASM
Prints one line per failure and ends with `N passed, M failed`."""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

# the wasm binary builder of the engine's hostile suite
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "wasm", "bounds"))
from wb import uleb  # noqa: E402

WASMGATE = sys.argv[1]
WAT2WASM = sys.argv[2]
passed = 0
failed = 0

HEAD = ('schema_version = 1\nid = "example"\nname = "Example"\n'
        'version = "1.0.0"\n')
RUNTIME = ('[runtime]\nkind = "wasm"\nentry = "plugin.wasm"\n'
           'abi = "yoi-plugin-wasm-1"\n')
def perms(*tools, extra=""):
    """A permissions line requesting surfaces.tool and each named tool."""
    items = ['{ kind = "surface", surface = "tool" }']
    items += [f'{{ kind = "tool", name = "{t}" }}' for t in tools]
    if extra:
        items.append(extra)
    return "permissions = [" + ", ".join(items) + "]\n"


TOOL = ('[[tools]]\nname = "PluginEcho"\ndescription = "Echo plugin tool"\n'
        'input_schema = { type = "object", additionalProperties = true }\n')
GOOD_WAT = '''(module
  (import "yoi:tool" "input_len" (func (result i32)))
  (import "yoi:tool" "input_read" (func (param i32 i32) (result i32)))
  (import "yoi:tool" "output_write" (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "yoi_tool_call")))
'''
WASI_WAT = '''(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "yoi_tool_call")))
'''


def plugin_module(code):
    """A yoi-plugin-wasm-1 module (memory, yoi_tool_call: [] -> [])
    whose one function body is `code` (then `end`)."""
    def sec(i, payload):
        return bytes([i]) + uleb(len(payload)) + payload
    body = b"\x00" + code + b"\x0b"
    exports = (b"\x02\x06memory\x02\x00" + b"\x0dyoi_tool_call\x00\x00")
    return (b"\0asm\1\0\0\0" + sec(1, b"\x01\x60\x00\x00") +
            sec(3, b"\x01\x00") + sec(5, b"\x01\x00\x01") + sec(7, exports) +
            sec(10, b"\x01" + uleb(len(body)) + body))


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def run(args):
    p = subprocess.run([WASMGATE] + args, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def wasm(tmp, wat):
    src = os.path.join(tmp, "m.wat")
    out = os.path.join(tmp, "m.wasm")
    with open(src, "w") as f:
        f.write(wat)
    subprocess.run([WAT2WASM, src, "-o", out], check=True)
    with open(out, "rb") as f:
        return f.read()


def write_pkg(root, name, files):
    d = os.path.join(root, name + ".yoi-plugin")
    os.makedirs(d)
    for path, data in files.items():
        full = os.path.join(d, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
    return d


def digest(files):
    """yoi's digest (docs/design.md#digest), computed apart from wasmgate."""
    h = hashlib.sha256(b"yoi-plugin-package-digest-v1\0")
    for path in sorted(files, key=lambda p: p.encode()):
        data = files[path]
        data = data.encode() if isinstance(data, str) else data
        h.update(path.encode() + b"\0" + struct.pack(">Q", len(data)) +
                 hashlib.sha256(data).digest())
    return "sha256:" + h.hexdigest()


def expect_json(name, path, code, want, tmp):
    rc, out, err = run(["check", path, "--json"])
    check(name + " exit", rc == code, f"rc={rc} err={err!r}")
    check(name + " stdout is one line", out.endswith("}\n") and out.count("\n") == 1,
          repr(out))
    try:
        got = json.loads(out)
    except ValueError:
        check(name + " json", False, repr(out))
        return
    check(name + " json", got == want, f"\n got  {got}\n want {want}")
    check(name + " no path", tmp not in out and tmp not in err)
    # Key order is part of the documented output.
    check(name + " key order", list(got) == ["ok", "id", "version", "digest",
                                             "tools", "diagnostics"])


def diag(kind, message, location=None, phase="manifest"):
    d = {"kind": kind, "phase": phase, "message": message}
    if location:
        d["location"] = location
    return d


def main():
    with tempfile.TemporaryDirectory() as tmp:
        good = wasm(tmp, GOOD_WAT)
        wasi = wasm(tmp, WASI_WAT)

        # A valid package: directory form, then the packed file form.
        files = {"plugin.toml": HEAD + perms("PluginEcho") + RUNTIME + TOOL,
                 "plugin.wasm": good}
        d = write_pkg(tmp, "ok", files)
        want = {"ok": True, "id": "example", "version": "1.0.0",
                "digest": digest(files), "tools": ["PluginEcho"],
                "diagnostics": []}
        expect_json("valid dir", d, 0, want, tmp)
        packed = os.path.join(tmp, "ok-file.yoi-plugin")
        rc, out, err = run(["pack", d, "-o", packed])
        check("pack", rc == 0 and out == digest(files) + "\n", f"{rc} {out} {err}")
        expect_json("valid file", packed, 0, want, tmp)
        rc, out, err = run(["check", packed])
        check("valid human", rc == 0 and err == "" and out ==
              "id       example\nversion  1.0.0\n"
              f"digest   {digest(files)}\ntools    PluginEcho\n"
              "ok: package is valid\n", repr(out))

        # Manifest parse error: id/version unknown, digest known.
        text = HEAD + "effect = \"read\"\n"
        files = {"plugin.toml": text}
        d = write_pkg(tmp, "unknown-key", files)
        start = text.index("effect")
        expect_json("unknown key", d, 1, {
            "ok": False, "id": None, "version": None, "digest": digest(files),
            "tools": [], "diagnostics": [diag(
                "malformed",
                f"plugin.toml could not be parsed near byte span {start}..{start + 6}")]},
            tmp)

        # Validation error (api).
        files = {"plugin.toml": HEAD.replace("schema_version = 1",
                                             "schema_version = 2")}
        d = write_pkg(tmp, "api", files)
        expect_json("schema version", d, 1, {
            "ok": False, "id": None, "version": None, "digest": digest(files),
            "tools": [], "diagnostics": [diag(
                "api", "plugin schema/API version is unsupported")]}, tmp)

        # Entry module missing from the package.
        files = {"plugin.toml": HEAD + RUNTIME + TOOL}
        d = write_pkg(tmp, "no-entry", files)
        expect_json("missing entry", d, 1, {
            "ok": False, "id": None, "version": None, "digest": digest(files),
            "tools": [], "diagnostics": [diag(
                "missing",
                "plugin manifest references a path not present in the package")]},
            tmp)

        # ABI: a WASI import; file form too.
        files = {"plugin.toml": HEAD + perms("PluginEcho") + RUNTIME + TOOL,
                 "plugin.wasm": wasi}
        d = write_pkg(tmp, "wasi", files)
        want = {"ok": False, "id": "example", "version": "1.0.0",
                "digest": digest(files), "tools": ["PluginEcho"],
                "diagnostics": [diag(
                    "api", "unsupported import module `wasi_snapshot_preview1`; "
                    "only `yoi:tool` and `yoi:https` are available")]}
        expect_json("wasi import", d, 1, want, tmp)
        packed = os.path.join(tmp, "wasi-file.yoi-plugin")
        check("pack wasi", run(["pack", d, "-o", packed])[0] == 0)
        expect_json("wasi import file", packed, 1, want, tmp)
        rc, out, err = run(["check", packed])
        check("wasi human", rc == 1 and out.endswith(
            "[api] unsupported import module `wasi_snapshot_preview1`; only "
            "`yoi:tool` and `yoi:https` are available\n"
            "error: package is invalid\n"), repr(out))

        # A module that does not decode.
        files = {"plugin.toml": HEAD + RUNTIME, "plugin.wasm": b"\0asm\2\0\0\0"}
        d = write_pkg(tmp, "junk", files)
        expect_json("junk module", d, 1, {
            "ok": False, "id": "example", "version": "1.0.0",
            "digest": digest(files), "tools": [], "diagnostics": [diag(
                "api", "plugin WASM module could not be decoded or validated "
                "(malformed)")]}, tmp)

        # Engine bounds: a module over one of the engine's limits, and one
        # that does not compile within --timeout-ms (check ends within its
        # own bound; with the default timeout the same package is valid).
        files = {"plugin.toml": HEAD + RUNTIME, "plugin.wasm": plugin_module(
            b"\x41\x00\x0e" + uleb(70000) + b"\x00" * 70001)}
        d = write_pkg(tmp, "brtable", files)
        expect_json("engine limit", d, 1, {
            "ok": False, "id": "example", "version": "1.0.0",
            "digest": digest(files), "tools": [], "diagnostics": [diag(
                "api", "plugin WASM module exceeds an engine limit: br_table "
                "with 70000 targets (limit 65520)")]}, tmp)
        files = {"plugin.toml": HEAD + RUNTIME,
                 "plugin.wasm": plugin_module(b"\x01" * (4 << 20))}
        d = write_pkg(tmp, "slow", files)
        t0 = time.monotonic()
        rc, out, err = run(["check", d, "--json", "--timeout-ms", "1"])
        elapsed = time.monotonic() - t0
        check("timeout", rc == 1 and json.loads(out)["diagnostics"] == [diag(
            "bounds", "plugin WASM module could not be checked within the "
            "time limit")], f"{rc} {out!r} {err!r}")
        check("timeout ends promptly", elapsed < 5, f"{elapsed:.2f}s")
        print(f"check --timeout-ms 1 on a 4 MiB module: {elapsed:.3f}s")
        rc, out, err = run(["check", d])
        check("same module, default timeout", rc == 0 and
              out.endswith("ok: package is valid\n"), f"{rc} {out!r} {err!r}")
        for bad in ("0", "-5", "3600001", "1e3", ""):
            rc, out, err = run(["check", d, "--timeout-ms", bad])
            check(f"--timeout-ms {bad!r}", rc == 2 and out == "" and err ==
                  "wasmgate: check: --timeout-ms needs an integer from 1 to "
                  f"3600000, got '{bad}'\n", f"{rc} {out!r} {err!r}")
        rc, out, err = run(["check", d, "--timeout-ms"])
        check("--timeout-ms without a value", rc == 2 and
              err == "wasmgate: check: --timeout-ms needs a value\n", repr(err))

        # Warnings only: still valid (exit 0).
        tools = (TOOL.replace("PluginEcho", "git.status") +
                 TOOL.replace("PluginEcho", "Other"))
        files = {"plugin.toml": HEAD + perms("git.status", "Other") + RUNTIME +
                 tools, "plugin.wasm": good}
        d = write_pkg(tmp, "warn", files)
        expect_json("warning", d, 0, {
            "ok": True, "id": "example", "version": "1.0.0",
            "digest": digest(files), "tools": ["git.status", "Other"],
            "diagnostics": [diag(
                "warning", "plugin tool name is outside [A-Za-z0-9_-]{1,64}, "
                "which most model APIs require", "tools[0].name")]}, tmp)
        rc, out, err = run(["check", d])
        check("warning human", rc == 0 and
              "tools    git.status, Other\n[warning] plugin tool name is outside "
              "[A-Za-z0-9_-]{1,64}, which most model APIs require (at tools[0].name)\n"
              "ok: package is valid\n" in out, repr(out))

        # Per-tool errors: every tool is reported, with locations.
        tools = (
            '[[tools]]\nname = "a"\ndescription = "bad\\u0007"\n'
            'input_schema = { type = "object" }\n'
            '[[tools]]\nname = "b"\ndescription = "d"\n'
            'input_schema = { type = "object", properties = { when = '
            '{ type = "string", default = 2024-01-01 } } }\n'
            '[[tools]]\nname = "c"\ndescription = "d"\n'
            'input_schema = { type = "array" }\n'
            '[[tools]]\nname = "a"\ndescription = "d"\n'
            'input_schema = { type = "object" }\n')
        files = {"plugin.toml": HEAD + perms("a", "b", "c") + RUNTIME + tools,
                 "plugin.wasm": good}
        d = write_pkg(tmp, "tools", files)
        expect_json("tool errors", d, 1, {
            "ok": False, "id": "example", "version": "1.0.0",
            "digest": digest(files), "tools": ["a", "b", "c", "a"],
            "diagnostics": [
                diag("malformed", "plugin tool description contains control "
                     "characters other than newline and tab",
                     "tools[0].description"),
                diag("malformed", "plugin tool input_schema holds a value JSON "
                     "cannot represent (date-time, nan or inf)",
                     "tools[1].input_schema.properties.when.default"),
                diag("malformed", "plugin tool input_schema root must have "
                     "type \"object\"", "tools[2].input_schema.type"),
                diag("duplicate", "plugin tool name is declared twice in the "
                     "same plugin package", "tools[3].name")]}, tmp)

        # Tools without a runtime: yoi registers them, every call fails.
        files = {"plugin.toml": HEAD + perms("PluginEcho") + TOOL}
        d = write_pkg(tmp, "no-runtime", files)
        expect_json("no runtime", d, 0, {
            "ok": True, "id": "example", "version": "1.0.0",
            "digest": digest(files), "tools": ["PluginEcho"],
            "diagnostics": [diag(
                "warning", "plugin package declares tools but no WASM "
                "runtime; every call fails")]}, tmp)

        # The manifest does not request what its tools and imports need:
        # warnings (no grant could authorize them), still valid.
        https_wat = GOOD_WAT.replace(
            '(memory', '(import "yoi:https" "request" (func (param i32 i32) '
            '(result i32)))\n  (memory')
        tools = (TOOL + TOOL.replace("PluginEcho", "gitLog") +
                 "external_write = true\n")
        for label, permline, want_diags in (
                ("no permissions", "", [
                    diag("warning", "requested surfaces.tool permission is missing"),
                    diag("warning", "requested tool permission is missing", "tools[0]"),
                    diag("warning", "requested tool permission is missing", "tools[1]"),
                    diag("warning", "requested external_write permission is missing",
                         "tools[1]"),
                    diag("warning", "requested host_api.https permission is missing")]),
                ("namespace covers", perms(extra='{ kind = "tool_namespace", namespace = "git" }')
                 .replace("]", ', { kind = "external_write" }, '
                          '{ kind = "host_api", api = "https" }]'), [
                    diag("warning", "requested tool permission is missing", "tools[0]")])):
            files = {"plugin.toml": HEAD + permline + RUNTIME + tools,
                     "plugin.wasm": wasm(tmp, https_wat)}
            d = write_pkg(tmp, label.replace(" ", "-"), files)
            expect_json(label, d, 0, {
                "ok": True, "id": "example", "version": "1.0.0",
                "digest": digest(files), "tools": ["PluginEcho", "gitLog"],
                "diagnostics": want_diags}, tmp)

        # Not a package at all.
        missing = os.path.join(tmp, "absent.yoi-plugin")
        rc, out, err = run(["check", missing, "--json"])
        got = json.loads(out) if out else {}
        check("absent exit", rc == 1, str(rc))
        check("absent json", got.get("ok") is False and got.get("digest") is None
              and got.get("id") is None and len(got.get("diagnostics", [])) == 1
              and got["diagnostics"][0]["kind"] == "io", repr(out))
        check("absent no path", tmp not in out and tmp not in err)
        files = {"other.txt": "x"}
        d = write_pkg(tmp, "no-manifest", files)
        expect_json("no manifest", d, 1, {
            "ok": False, "id": None, "version": None, "digest": None,
            "tools": [], "diagnostics": [diag(
                "missing", "plugin package is missing root plugin.toml")]}, tmp)

        # Usage.
        ok_dir = os.path.join(tmp, "ok.yoi-plugin")
        for args in (["check"], ["check", "--jsn", ok_dir],
                     ["check", ok_dir, ok_dir], ["check", "--json"]):
            rc, out, err = run(args)
            check(f"usage {args[1:]}", rc == 2 and out == "" and
                  err.startswith("wasmgate: check: "), f"{rc} {out!r} {err!r}")
        rc, out, err = run(["check", "--help"])
        check("help", rc == 0 and out.startswith(
            "usage: wasmgate check PATH [--json] [--timeout-ms N]\n")
              and err == "", repr(out))
        rc, out, err = run(["--help"])
        check("listed in help", rc == 0 and "\n  check " in out, repr(out))

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
