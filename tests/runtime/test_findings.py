#!/usr/bin/env python3
"""test_findings.py: the runtime and CLI findings of issue 11, each
rewritten as a regression test with exact outcomes (the reproducers were
shell scripts; their plugins are rebuilt here from WAT with wat2wasm and
packed with the real `wasmgate pack`, in temporary workspaces).

usage: test_findings.py WASMGATE WAT2WASM CLANG PDK_DIR HELLO_DOC (docs/plugin-authoring.md)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

WASMGATE, WAT2WASM = sys.argv[1:3]
CLANG, PDK, README = sys.argv[3:6]
failures = 0
TMP = tempfile.mkdtemp(prefix="wg_findings_")
ENV = dict(os.environ, HOME="/nonexistent-home", XDG_DATA_HOME=os.path.join(TMP, "no-user"))

ABI = ('(import "yoi:tool" "input_len" (func $in_len (result i32)))\n'
       ' (import "yoi:tool" "input_read" (func $in_read (param i32 i32) (result i32)))\n'
       ' (import "yoi:tool" "output_write" (func $out (param i32 i32) (result i32)))')


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL: " + what, file=sys.stderr)


def run(args, stdin=None, cwd=None, timeout=60):
    p = subprocess.run([WASMGATE] + args, input=stdin, capture_output=True, text=True,
                       env=ENV, cwd=cwd, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def out_wat(data):
    """A module whose yoi_tool_call output_writes exactly `data` (bytes)."""
    esc = "".join("\\%02x" % c for c in data)
    return ('(module %s (memory (export "memory") 1) (data (i32.const 16) "%s") '
            '(func (export "yoi_tool_call") (drop (call $out (i32.const 16) (i32.const %d)))))'
            % (ABI, esc, len(data)))


MANIFEST = """schema_version = 1
id = "{id}"
name = "{id}"
version = "1.0.0"
surfaces = ["tool"]
permissions = [ {{ kind = "surface", surface = "tool" }}, {{ kind = "tool", name = "T" }} ]
[runtime]
kind = "wasm"
entry = "plugin.wasm"
abi = "yoi-plugin-wasm-1"
[[tools]]
name = "T"
description = "test tool"
input_schema = {schema}
"""

GRANT = """[feature.plugins]
enabled = true
[[plugins.enabled]]
id = "project:{id}"
[plugins.enabled.grants]
id = "project:{id}"
version = "1.0.0"
digest = "{digest}"
permissions = [ {{ kind = "surface", surface = "tool" }}, {{ kind = "tool", name = "T" }} ]
{extra}
"""

ANY_OBJECT = '{ type = "object", additionalProperties = true }'


def digest(path):
    rc, out, err = run(["digest", path])
    assert rc == 0, err
    return out.split()[0]


def build_plugin(src, pid, wat=None, wasm=None, schema=ANY_OBJECT):
    os.makedirs(src, exist_ok=True)
    if wat is not None:
        with open(os.path.join(src, "p.wat"), "w") as f:
            f.write(wat)
        subprocess.run([WAT2WASM, os.path.join(src, "p.wat"), "-o",
                        os.path.join(src, "plugin.wasm")], check=True)
        os.unlink(os.path.join(src, "p.wat"))
    if wasm is not None:
        shutil.copy(wasm, os.path.join(src, "plugin.wasm"))
    with open(os.path.join(src, "plugin.toml"), "w") as f:
        f.write(MANIFEST.format(id=pid, schema=schema))


def grant(ws, pid, extra=""):
    pkg = os.path.join(ws, ".yoi", "plugins", pid + ".yoi-plugin")
    with open(os.path.join(ws, "wasmgate.toml"), "w") as f:
        f.write(GRANT.format(id=pid, digest=digest(pkg), extra=extra))


def workspace(name, wat=None, wasm=None, schema=ANY_OBJECT, extra=""):
    """A fresh workspace with one granted, packed plugin `name` (tool T)."""
    ws = os.path.join(TMP, name)
    store = os.path.join(ws, ".yoi", "plugins")
    os.makedirs(store)
    src = os.path.join(ws, "src", name + ".yoi-plugin")
    build_plugin(src, name, wat=wat, wasm=wasm, schema=schema)
    rc, out, err = run(["pack", src, "-o", os.path.join(store, name + ".yoi-plugin")])
    assert rc == 0, err
    grant(ws, name, extra)
    return ws


def history(ws):
    path = os.path.join(ws, ".wasmgate", "history.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f.read().splitlines()]


def kinds(ws):
    return [r["kind"] for r in history(ws)]


# ---- f1: br_table validation is bounded (engine, issue 10), through call ---

def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def brtable_module(targets, arity=1000):
    """One function: a block of `arity` results, a br_table of `targets`
    entries, then drops (the reproducer's module, rebuilt)."""
    sec = lambda i, b: bytes([i]) + leb(len(b)) + b
    nm = lambda s: leb(len(s)) + s
    types = leb(2) + b"\x60\x00\x00" + b"\x60\x00" + leb(arity) + b"\x7f" * arity
    ins = (b"\x02\x01" + b"\x41\x00" * arity + b"\x41\x00" + b"\x0e" + leb(targets)
           + b"\x00" * (targets + 1) + b"\x0b" + b"\x1a" * arity + b"\x0b")
    body = b"\x00" + ins
    return (b"\x00asm\x01\x00\x00\x00" + sec(1, types) + sec(3, leb(1) + b"\x00")
            + sec(5, leb(1) + b"\x00\x01")
            + sec(7, leb(2) + nm(b"memory") + b"\x02\x00" + nm(b"yoi_tool_call") + b"\x00\x00")
            + sec(10, leb(1) + leb(len(body)) + body))


def test_f1_brtable_bounded():
    for targets, code, text in (
            (1000000, "module_invalid", "br_table with 1000000 targets (limit 65520)"),
            (60000, "output_invalid", "guest did not call output_write")):
        wasm = os.path.join(TMP, "f1-%d.wasm" % targets)
        with open(wasm, "wb") as f:
            f.write(brtable_module(targets))
        ws = workspace("f1-%d" % targets, wasm=wasm,
                       extra='[limits]\ntimeout_ms = 1000\n[history]\nfsync = "never"')
        t0 = time.monotonic()
        rc, out, err = run(["--workspace", ws, "call", "T", "--json"])
        took = time.monotonic() - t0
        doc = json.loads(out) if out.startswith("{") else {}
        check(rc == 1 and doc.get("error", {}).get("code") == code
              and text in doc["error"]["message"],
              "f1 %d targets: %r" % (targets, out[:300]))
        # Generous: the reproducer took 8 s (1 MB module) before the fix.
        check(took < 5, "f1 %d targets: the call ends promptly (%.2fs)" % (targets, took))
        print("f1: %d br_table targets, call took %.3f s" % (targets, took))


# ---- f2: `call T --workspace WS` records in WS, under WS's config ----------

def test_f2_call_workspace_history():
    ws = workspace("f2", wat=out_wat(b'{"summary":"ran"}'), extra='[history]\nfsync = "never"')
    cwd = os.path.join(TMP, "f2-cwd")
    os.makedirs(cwd)
    rc, out, err = run(["call", "T", "--workspace", ws], cwd=cwd)
    check(rc == 0 and out == "ran\n", "f2: call runs WS's plugin: %d %r %r" % (rc, out, err))
    check(kinds(ws) == ["tool_call", "tool_result"], "f2: WS's history has both records: %r"
          % kinds(ws))
    check(not os.path.exists(os.path.join(cwd, ".wasmgate")), "f2: nothing written in the cwd")
    # history takes the option in the same position (it refused it before).
    for args in (["history", "--workspace", ws], ["--workspace", ws, "history"],
                 ["history", "--workspace=" + ws]):
        rc, out, err = run(args, cwd=cwd)
        lines = out.splitlines()
        check(rc == 0 and len(lines) == 2 and " tool_call T {}" in lines[0]
              and lines[1].endswith(" tool_result [ok] ran"), "f2: %r: %r %r" % (args, out, err))


# ---- f3: records survive SIGTERM, SIGHUP, a closed stdout; an unwritable
# history fails the call closed ---------------------------------------------

F3_WAT = """(module %s (memory (export "memory") 2)
 (data (i32.const 0) "{\\"summary\\":\\"big\\",\\"content\\":\\"")
 (func (export "yoi_tool_call")
  (if (i32.gt_s (call $in_len) (i32.const 2)) (then (loop $l (br $l))))
  (memory.fill (i32.const 28) (i32.const 120) (i32.const 60000))
  (i32.store16 (i32.const 60028) (i32.const 0x7d22))
  (drop (call $out (i32.const 0) (i32.const 60030)))))""" % ABI


def test_f3_history_survives():
    ws = workspace("f3", wat=F3_WAT, extra="[limits]\nfuel = 1125899906842624\n"
                   "timeout_ms = 60000\n[history]\nfsync = \"never\"")
    rc, out, err = run(["--workspace", ws, "call", "T"])
    check(rc == 0 and len(out) == 60005, "f3: baseline call prints 60 KB: %d %d" % (rc, len(out)))
    check(kinds(ws) == ["tool_call", "tool_result"], "f3: baseline records")
    # A reader that has gone away (`call | head -c 3` once head exits): the
    # read end is closed before the call starts, so the write must fail.
    r_fd, w_fd = os.pipe()
    os.close(r_fd)
    p = subprocess.Popen([WASMGATE, "--workspace", ws, "call", "T"], stdout=w_fd,
                         stderr=subprocess.PIPE, env=ENV)
    os.close(w_fd)
    err = p.stderr.read().decode()
    p.wait(timeout=30)
    check(p.returncode == 1 and err == "wasmgate: call: cannot write the result: Broken pipe\n",
          "f3: closed stdout is exit 1 with EPIPE: %d %r" % (p.returncode, err))
    check(kinds(ws) == ["tool_call", "tool_result"] * 2, "f3: records kept when stdout closes: %r"
          % kinds(ws))
    # SIGTERM and SIGHUP while the guest spins: cancelled, recorded.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        before = len(history(ws))
        p = subprocess.Popen([WASMGATE, "--workspace", ws, "call", "T", '{"spin":1}', "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)
        deadline = time.monotonic() + 20
        while len(history(ws)) == before and time.monotonic() < deadline:
            time.sleep(0.01)  # wait for the tool_call record: the guest is running
        check(len(history(ws)) == before + 1, "f3: tool_call on disk while the guest spins")
        t0 = time.monotonic()
        p.send_signal(sig)
        out, err = p.communicate(timeout=20)
        took = time.monotonic() - t0
        doc = json.loads(out) if out.startswith("{") else {}
        check(p.returncode == 1 and doc.get("error", {}).get("code") == "cancelled",
              "f3: %s cancels: %d %r %r" % (sig.name, p.returncode, out[:200], err))
        check(took < 5, "f3: %s ends the call promptly (%.2fs)" % (sig.name, took))
        recs = history(ws)
        check(len(recs) == before + 2 and recs[-1]["kind"] == "tool_result"
              and recs[-1]["error"]["code"] == "cancelled"
              and recs[-1]["call_id"] == recs[-2]["call_id"],
              "f3: %s leaves a cancelled tool_result" % sig.name)
    # An unwritable history: the call fails closed (exit 1) and the guest
    # never runs (no fuel used).
    hist = os.path.join(ws, ".wasmgate", "history.jsonl")
    real = os.path.join(TMP, "f3-real.jsonl")
    shutil.move(hist, real)
    os.symlink(real, hist)
    n_real = len(open(real).read().splitlines())
    for how in ("symlink", "directory", "fifo"):
        if how == "directory":
            os.unlink(hist)
            os.mkdir(hist)
        if how == "fifo":
            os.rmdir(hist)
            os.mkfifo(hist)
        rc, out, err = run(["--workspace", ws, "call", "T", "--json"], timeout=20)
        doc = json.loads(out) if out.startswith("{") else {}
        why = {"symlink": "cannot open the history file: Too many levels of symbolic links",
               "directory": "cannot open the history file: Is a directory",
               "fifo": "the history file is not a regular file"}[how]
        check(rc == 1 and doc.get("error", {}).get("code") == "internal"
              and doc["error"]["message"] == "the call was not run: its tool_call record could "
              "not be written to the history: " + why
              and doc["stats"]["fuel_used"] == 0,
              "f3: %s history fails closed: %d %r" % (how, rc, out[:300]))
        check(err == "wasmgate: history: the tool_call record could not be written: %s\n" % why,
              "f3: %s history reported on stderr: %r" % (how, err))
    check(len(open(real).read().splitlines()) == n_real, "f3: nothing written through the link")
    os.unlink(hist)


# ---- f4: limits mean what they say: no zero-means-default ----------------

F4_WAT = """(module %s (memory (export "memory") 1) (table $t 5000 funcref)
 (data (i32.const 16) "{\\22summary\\22:\\22table of 5000 accepted\\22}")
 (func (export "yoi_tool_call") (drop (table.grow $t (ref.null func) (i32.const 4999)))
  (drop (call $out (i32.const 16) (i32.const 36)))))""" % ABI


def test_f4_table_elements_zero():
    ws = workspace("f4", wat=F4_WAT, extra="[limits]\ntable_elements = 0")
    rc, out, err = run(["--workspace", ws, "call", "T"])
    check((rc, out) == (1, "") and err == "wasmgate: wasmgate.toml:11:18: `limits.table_elements` "
          "must be between 1 and 10000000\n", "f4: 0 is refused with its position: %r" % err)
    grant(ws, "f4", "[limits]\ntable_elements = 1")
    rc, out, err = run(["--workspace", ws, "call", "T", "--json"])
    doc = json.loads(out) if out.startswith("{") else {}
    check(rc == 1 and doc.get("error", {}).get("code") == "memory_limit",
          "f4: table_elements = 1 refuses a 5000-element table: %r" % out)
    grant(ws, "f4", "[limits]\ntable_elements = 9999")
    rc, out, err = run(["--workspace", ws, "call", "T"])
    check((rc, out) == (0, "table of 5000 accepted\n"), "f4: 9999 admits it: %r %r" % (out, err))
    for key, value, msg in (
            ("memory_bytes", "100000", "`limits.memory_bytes` must be a multiple of 65536 "
                                       "(whole wasm pages)"),
            ("output_bytes", "1048576", "`limits.output_bytes` must be between 16 and 65536")):
        grant(ws, "f4", "[limits]\n%s = %s" % (key, value))
        rc, out, err = run(["--workspace", ws, "tools"])
        check(rc == 1 and err == "wasmgate: wasmgate.toml:11:%d: %s\n" % (len(key) + 4, msg),
              "f4: %s = %s refused: %r" % (key, value, err))


# ---- f5: history shows every record: deep arguments, an escaped NUL ------

def test_f5_history_shows_everything():
    schema = '{ type = "object", properties = { cmd = { type = "string" } }, required = ["cmd"] }'
    ws = workspace("f5", wat=out_wat(b'{"summary":"done"}'), schema=schema,
                   extra='[history]\nfsync = "never"')
    run(["--workspace", ws, "call", "T", '{"cmd":"ls"}'])
    deep = '{"cmd":"rm -rf /important","pad":' + "[" * 600 + "]" * 600 + "}"
    rc, out, err = run(["--workspace", ws, "call", "T", "-"], stdin=deep)
    check(rc == 0 and out == "done\n", "f5: deep call runs: %d %r %r" % (rc, out, err))
    rc, out, err = run(["--workspace", ws, "history"])
    lines = out.splitlines()
    check(rc == 0 and err == "" and len(lines) == 4, "f5: 4 lines: %r %r" % (out[:300], err))
    check(len(lines) == 4 and lines[2].split(" ", 3)[2:] == ["tool_call", 'T {"cmd":"rm -rf '
          '/important","pad":' + "[" * 600 + "]" * 600 + "}"],
          "f5: the deep tool_call is shown whole")
    for args in (["history", "--json"], ["history", "--tail", "2"]):
        rc, out, err = run(["--workspace", ws] + args)
        check(rc == 0 and err == "" and "rm -rf /important" in out, "f5: %r shows it" % args)
    # A summary with an escaped NUL is shown with the escape, not cut.
    ws = workspace("f5b", wat=out_wat(b'{"summary":"all good\\u0000 -- actually deleted 3 files'
                                      b' \\\\ \\n"}'), extra='[history]\nfsync = "never"')
    rc, out, err = run(["--workspace", ws, "call", "T"])
    check(rc == 0 and out == "all good? -- actually deleted 3 files \\ ?\n", "f5: call: %r" % out)
    rc, out, err = run(["--workspace", ws, "history"])
    check(out.splitlines()[-1].endswith(" tool_result [ok] all good\\u0000 -- actually deleted 3"
                                        " files \\\\ \\n"), "f5: history: %r" % out)
    # A record the reader cannot use is counted, never silently dropped.
    with open(os.path.join(ws, ".wasmgate", "history.jsonl"), "a") as f:
        f.write('[1,2]\nnot json\n{"kind":"tool_res')
    rc, out, err = run(["--workspace", ws, "history"])
    check(rc == 0 and len(out.splitlines()) == 2 and err == "wasmgate: history: 3 damaged "
          "line(s) skipped (torn, not a JSON object, or over 1 MiB)\n", "f5: counted: %r" % err)


# ---- u1: a rejected plugin says which and why, in tools and call -----------

def test_u1_rejected_plugin_says_why():
    ws = workspace("u1", wat=out_wat(b'{"summary":"v1"}'), extra='[history]\nfsync = "never"')
    check(run(["--workspace", ws, "call", "T"]) == (0, "v1\n", ""), "u1: works")
    src = os.path.join(ws, "src", "u1.yoi-plugin")
    pkg = os.path.join(ws, ".yoi", "plugins", "u1.yoi-plugin")

    def repack(wat=None, manifest_edit=None):
        build_plugin(src, "u1", wat=wat)
        if manifest_edit:
            path = os.path.join(src, "plugin.toml")
            text = open(path).read()
            open(path, "w").write(manifest_edit(text))
        rc, out, err = run(["pack", src, "-o", pkg])
        assert rc == 0, err

    def expect(why, what):
        rc, out, err = run(["--workspace", ws, "tools"])
        check((rc, out, err) == (0, "no tools\nerror: plugin `project:u1` was rejected: %s\n"
                                    % why, ""), "u1 %s: tools: %r %r" % (what, out, err))
        rc, out, err = run(["--workspace", ws, "tools", "--json"])
        doc = json.loads(out)
        check(doc["diagnostics"] == [{"plugin": "project:u1", "severity": "error",
                                      "message": "plugin `project:u1` was rejected: " + why}],
              "u1 %s: tools --json: %r" % (what, doc))
        rc, out, err = run(["--workspace", ws, "call", "T"])
        check(rc == 1 and ("no registered tool has this name; " in out) and why in out
              and ws not in out and TMP not in out, "u1 %s: call: %r" % (what, out))
        return out

    # The developer re-packs and forgets the grant digest.
    repack(wat=out_wat(b'{"summary":"v2"}'))
    out = expect("plugin grant digest binding does not match enabled package digest",
                 "stale grant")
    check(out == "Execution failed: plugin WASM tool `T` failed closed: WASM module error: no "
          "registered tool has this name; tool `T` is declared by plugin `project:u1`, which "
          "was rejected: plugin grant digest binding does not match enabled package digest\n",
          "u1: call names the plugin declaring T: %r" % out)
    # A lock recorded before the re-pack.
    grant(ws, "u1", '[history]\nfsync = "never"')
    check(run(["--workspace", ws, "lock"])[0] == 0, "u1: lock")
    repack(wat=out_wat(b'{"summary":"v3"}'))
    grant(ws, "u1", '[history]\nfsync = "never"')
    expect("plugin package digest does not match wasmgate.lock", "stale lock")
    os.unlink(os.path.join(ws, "wasmgate.lock"))
    # A manifest that no longer parses: list's discovery diagnostic too.
    repack(manifest_edit=lambda t: t.replace('version = "1.0.0"', "version = 1", 1))
    rc, out, err = run(["--workspace", ws, "list"])
    disc = [l.split("diagnostic: ", 1)[1] for l in out.splitlines() if "diagnostic: " in l]
    check(len(disc) == 2 and disc[1] == "enabled plugin package was not discovered",
          "u1: list diagnostics: %r" % disc)
    if len(disc) == 2:
        expect("enabled plugin package was not discovered (%s)" % disc[0], "bad manifest")


# ---- L1: a duplicate key of the input is never quoted ---------------------

def test_l1_duplicate_key_not_quoted():
    ws = workspace("l1", wat=out_wat(b'{"summary":"ok"}'), extra='[history]\nfsync = "never"')
    secret = "api_key_sk-live-1234567890"
    rc, out, err = run(["--workspace", ws, "call", "T", '{"%s":1,"%s":2}' % (secret, secret)])
    check(rc == 1 and out == "Invalid argument: plugin tool `T` input is not valid JSON: "
          "duplicate object key at member index 1 (first at member index 0) at byte 32\n",
          "l1: human: %r" % out)
    rc, out, err = run(["--workspace", ws, "call", "T", "--json",
                        '{"a":{"%s":1,"%s":2}}' % (secret, secret)])
    check(rc == 1 and secret not in out and json.loads(out)["error"]["code"] == "invalid_input",
          "l1: --json: %r" % out)
    # Schema errors: a key the schema does not name is shown by position.
    schema = ('{ type = "object", properties = { n = { type = "integer" } }, '
              'additionalProperties = { type = "integer" } }')
    ws = workspace("l1b", wat=out_wat(b'{"summary":"ok"}'), schema=schema,
                   extra='[history]\nfsync = "never"')
    rc, out, err = run(["--workspace", ws, "call", "T", '{"n":1,"%s":"x"}' % secret])
    check(rc == 1 and out == "Invalid argument: plugin tool `T` input does not match "
          "input_schema at /{1}: type: expected integer, got string\n", "l1: schema: %r" % out)
    rc, out, err = run(["--workspace", ws, "call", "T", '{"n":"1"}'])
    check(rc == 1 and "input_schema at /n: type: expected integer, got string" in out,
          "l1: schema-named key shown: %r" % out)
    with open(os.path.join(ws, ".wasmgate", "history.jsonl")) as f:
        recs = [json.loads(x) for x in f]
    results = [r for r in recs if r["kind"] == "tool_result"]
    check(all(secret not in json.dumps(r) for r in results), "l1: no key in tool_result records")


# ---- L2: history reads as it writes: no symlink, no FIFO --------------------

def test_l2_history_read_rules():
    ws = workspace("l2", wat=out_wat(b'{"summary":"ok"}'))
    os.makedirs(os.path.join(ws, ".wasmgate"))
    hist = os.path.join(ws, ".wasmgate", "history.jsonl")
    target = os.path.join(TMP, "l2-target")
    with open(target, "w") as f:
        f.write('{"kind":"tool_call","timestamp":"read-through-symlink","call_id":"x",'
                '"name":"n","arguments":{}}\n')
    os.symlink(target, hist)
    rc, out, err = run(["--workspace", ws, "history"])
    check((rc, out, err) == (1, "", "wasmgate: history: cannot open the history file: Too many "
                                    "levels of symbolic links\n"), "l2: symlink: %r" % err)
    os.unlink(hist)
    os.mkfifo(hist)
    t0 = time.monotonic()
    rc, out, err = run(["--workspace", ws, "history"], timeout=20)
    check((rc, out, err) == (1, "", "wasmgate: history: the history file is not a regular "
                                    "file\n") and time.monotonic() - t0 < 10,
          "l2: fifo: %r" % err)
    os.unlink(hist)


# ---- L3: --json escapes C1 and bidi controls ------------------------------

def test_l3_json_escapes_c1_and_bidi():
    ws = workspace("l3", wat=out_wat('{"summary":"\u009b2J\u009b31mRED \u202eevil \u2066x'
                                     '\u2069\u007f"}'.encode()),
                   extra='[history]\nfsync = "never"')
    rc, out, err = run(["--workspace", ws, "call", "T", "--json"])
    raw = out.encode()
    check(rc == 0 and '"summary":"\\u009b2J\\u009b31mRED \\u202eevil \\u2066x\\u2069\\u007f"'
          in out, "l3: call --json escapes: %r" % out)
    check(all(b not in raw for b in (b"\xc2\x9b", b"\xe2\x80\xae", b"\x7f")), "l3: no raw bytes")
    check(json.loads(out)["summary"] == "\u009b2J\u009b31mRED \u202eevil \u2066x\u2069\u007f",
          "l3: same JSON value")
    hist = open(os.path.join(ws, ".wasmgate", "history.jsonl"), "rb").read()
    check(b"\xc2\x9b" not in hist and b"\xe2\x80\xae" not in hist, "l3: history file escaped")
    # A history written raw (an older wasmgate, another writer) is escaped on output.
    with open(os.path.join(ws, ".wasmgate", "history.jsonl"), "ab") as f:
        f.write('{"kind":"tool_result","call_id":"c","summary":"\u009b31m\u202e","is_error":false}\n'
                .encode())
    for args in (["history", "--json"], ["history"]):
        rc, out, err = run(["--workspace", ws] + args)
        check(rc == 0 and "\u009b" not in out and "\u202e" not in out and "\\u009b31m\\u202e" in out,
              "l3: %r escapes: %r" % (args, out[-200:]))
    rc, out, err = run(["--workspace", ws, "tools", "--json"])
    check(rc == 0 and "\u202e" not in out, "l3: tools --json")


# ---- L4: check warns about a schema that can never validate ---------------

def test_l4_check_warns_unreachable_schema():
    defs = ", ".join('d%d = { "$ref" = "#/$defs/d%d" }' % (i, i + 1) for i in range(300))
    schema = ('{ type = "object", properties = { s = { "$ref" = "#/$defs/d0" } }, '
              '"$defs" = { %s, d300 = { type = "string" } } }' % defs)
    ws = workspace("l4", wat=out_wat(b'{"summary":"ok"}'), schema=schema,
                   extra='[history]\nfsync = "never"')
    src = os.path.join(ws, "src", "l4.yoi-plugin")
    rc, out, err = run(["check", src])
    check(rc == 0 and "[warning] schema can never validate here: its $ref/allOf chain needs more "
          "than the validator's 256 nested schema applications (or loops), so every input that "
          "reaches it is refused (at tools[0].input_schema.properties.s)\n" in out
          and out.endswith("ok: package is valid\n"), "l4: check warns: %r" % out[-400:])
    rc, out, err = run(["check", src, "--json"])
    doc = json.loads(out)
    check(doc["ok"] is True and {"kind": "warning", "phase": "manifest",
                                 "location": "tools[0].input_schema.properties.s"}.items()
          <= doc["diagnostics"][0].items(), "l4: check --json: %r" % doc["diagnostics"])
    rc, out, err = run(["--workspace", ws, "call", "T", '{"s":"x"}'])
    check(rc == 1 and "could not be validated against input_schema at /s: depth" in out,
          "l4: the call fails as check warned: %r" % out)
    # Within the limit: no warning.
    defs = ", ".join('d%d = { "$ref" = "#/$defs/d%d" }' % (i, i + 1) for i in range(100))
    ok_schema = ('{ type = "object", properties = { s = { "$ref" = "#/$defs/d0" } }, '
                 '"$defs" = { %s, d100 = { type = "string" } } }' % defs)
    src2 = os.path.join(TMP, "l4-ok.yoi-plugin")
    build_plugin(src2, "l4ok", wat=out_wat(b'{"summary":"ok"}'), schema=ok_schema)
    rc, out, err = run(["check", src2])
    check(rc == 0 and "[warning]" not in out, "l4: no warning within the limit: %r" % out)


# ---- L5: the PDK's wgp_string and the Hello example (plugin-authoring.md) ---

def test_l5_readme_hello_long_name():
    text = open(README).read()
    hello = text.split("cat > hello.c <<'C'\n", 1)[1].split("\nC\n", 1)[0]
    src = os.path.join(TMP, "l5", "l5.yoi-plugin")
    os.makedirs(src)
    with open(os.path.join(TMP, "l5", "hello.c"), "w") as f:
        f.write(hello)
    subprocess.run([CLANG, "--target=wasm32", "-nostdlib", "-O2", "-I", PDK, "-Wl,--no-entry",
                    "-o", os.path.join(TMP, "l5", "plugin.wasm"),
                    os.path.join(TMP, "l5", "hello.c")], check=True)
    ws = workspace("l5", wasm=os.path.join(TMP, "l5", "plugin.wasm"),
                   extra='[history]\nfsync = "never"')
    for name, want in (("x" * 300, (0, "argument `name` is longer than 256 bytes\n")),
                       ("y" * 256, (0, "greeted\n" + "y" * 256 + "\n")),
                       ("h\u00e9", (0, "greeted\nh\u00e9\n"))):
        rc, out, err = run(["--workspace", ws, "call", "T", json.dumps({"name": name})])
        check((rc, out) == want, "l5: name of %d chars: %r" % (len(name), out[:80]))
    rc, out, err = run(["--workspace", ws, "call", "T", '{"name":5}'])
    check((rc, out) == (0, "argument `name` must be a string\n"), "l5: not a string: %r" % out)


def main():
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
    only = os.environ.get("WG_TEST_ONLY")
    try:
        for t in tests:
            if only and only not in t.__name__:
                continue
            before = failures
            t0 = time.monotonic()
            t()
            print("%s %s (%.2fs)" % ("ok  " if failures == before else "FAIL", t.__name__,
                                     time.monotonic() - t0))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
