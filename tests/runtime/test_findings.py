#!/usr/bin/env python3
"""test_findings.py: the runtime and CLI findings of issue 11, each
rewritten as a regression test with exact outcomes (the reproducers were
shell scripts; their plugins are rebuilt here from WAT with wat2wasm and
packed with the real `wasmgate pack`, in temporary workspaces).

usage: test_findings.py WASMGATE WAT2WASM [CLANG PDK_DIR]
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
CLANG = sys.argv[3] if len(sys.argv) > 3 else ""
PDK = sys.argv[4] if len(sys.argv) > 4 else ""
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
