#!/usr/bin/env python3
"""test_cli_call.py: `wasmgate tools`, `call` and `history` end to end on
real packages (the examples and test fixtures, packed by `wasmgate pack`)
in a temporary workspace. Every check asserts exact codes and outputs.

usage: test_cli_call.py WASMGATE EXAMPLES_DIR FIXTURE_DIR PACKAGES_SRC_DIR
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

WASMGATE, EXAMPLES, FIXTURES, PKG_SRC = sys.argv[1:5]
failures = 0
SECRET = "env-secret-value-5d1c"


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL: " + what, file=sys.stderr)


def run(args, stdin=None, timeout=60):
    env = dict(os.environ, WG_CLI_TEST_SECRET=SECRET, HOME="/nonexistent-home")
    p = subprocess.run([WASMGATE] + args, input=stdin, capture_output=True,
                       text=True, env=env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def digest(path):
    rc, out, err = run(["digest", path])
    assert rc == 0, err
    return out.split()[0]


def enable(pid, tool, dg):
    return ('[[plugins.enabled]]\nid = "project:%s"\n[plugins.enabled.grants]\n'
            'id = "project:%s"\nversion = "1.0.0"\ndigest = "%s"\n'
            'permissions = [ { kind = "surface", surface = "tool" }, '
            '{ kind = "tool", name = "%s" } ]\n' % (pid, pid, dg, tool))


def make_workspace(tmp):
    ws = os.path.join(tmp, "ws")
    store = os.path.join(ws, ".yoi", "plugins")
    os.makedirs(store)
    for name in ("echo", "text-stats", "json-sum"):
        shutil.copy(os.path.join(EXAMPLES, name + ".yoi-plugin"), store)
    # Fixture packages: staged, then packed with the real `pack`.
    for name, wasm in (("loop", "loop.wasm"), ("noruntime", None)):
        stage = os.path.join(tmp, "stage-" + name)
        os.makedirs(stage)
        shutil.copy(os.path.join(PKG_SRC, name, "plugin.toml"), stage)
        if wasm:
            shutil.copy(os.path.join(FIXTURES, wasm), os.path.join(stage, "plugin.wasm"))
        rc, out, err = run(["pack", stage, "-o", os.path.join(store, name + ".yoi-plugin")])
        assert rc == 0, err
    # A second package that also declares `Echo`: the first one wins.
    stage = os.path.join(tmp, "stage-echo2")
    os.makedirs(stage)
    shutil.copy(os.path.join(EXAMPLES, "echo", "plugin.wasm"), stage)
    with open(os.path.join(EXAMPLES, "echo", "plugin.toml")) as f:
        manifest = f.read().replace('id = "echo"', 'id = "echo2"')
    with open(os.path.join(stage, "plugin.toml"), "w") as f:
        f.write(manifest)
    rc, out, err = run(["pack", stage, "-o", os.path.join(store, "echo2.yoi-plugin")])
    assert rc == 0, err
    # A package whose tool is requested but not granted: denied, skipped.
    stage = os.path.join(tmp, "stage-denied")
    os.makedirs(stage)
    shutil.copy(os.path.join(EXAMPLES, "echo", "plugin.wasm"), stage)
    with open(os.path.join(stage, "plugin.toml"), "w") as f:
        f.write(manifest.replace('id = "echo2"', 'id = "denied"').replace("Echo", "Denied"))
    rc, out, err = run(["pack", stage, "-o", os.path.join(store, "denied.yoi-plugin")])
    assert rc == 0, err
    d = {n: digest(os.path.join(store, n + ".yoi-plugin"))
         for n in ("echo", "echo2", "text-stats", "json-sum", "loop", "noruntime", "denied")}
    surface_only = '{ kind = "surface", surface = "tool" }'
    denied = ('[[plugins.enabled]]\nid = "project:denied"\n[plugins.enabled.grants]\n'
              'id = "project:denied"\nversion = "1.0.0"\ndigest = "%s"\n'
              'permissions = [ %s ]\n' % (d["denied"], surface_only))
    base = ("[feature.plugins]\nenabled = true\n"
            + enable("echo", "Echo", d["echo"])
            + enable("echo2", "Echo", d["echo2"])
            + enable("text-stats", "TextStats", d["text-stats"])
            + enable("json-sum", "JsonSum", d["json-sum"])
            + enable("loop", "Loop", d["loop"])
            + enable("noruntime", "Ghost", d["noruntime"]) + denied)
    with open(os.path.join(ws, "wasmgate.toml"), "w") as f:
        f.write(base + '[limits]\ntimeout_ms = 300\nfuel = 1000000000000\n')
    slow = os.path.join(tmp, "slow.toml")
    with open(slow, "w") as f:
        f.write(base + '[limits]\ntimeout_ms = 20000\nfuel = 1000000000000\n'
                '[history]\nfsync = "never"\n')
    return ws, slow, d


def call_json(ws, *args, stdin=None):
    rc, out, err = run(["--workspace", ws, "call"] + list(args) + ["--json"], stdin=stdin)
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    return rc, doc, out + err


def main():
    tmp = tempfile.mkdtemp(prefix="wg_cli_call_")
    try:
        ws, slow, d = make_workspace(tmp)
        leaks = []

        rc, out, err = run(["--workspace", ws, "tools", "--json"])
        check(rc == 0, "tools --json exits 0: " + err)
        doc = json.loads(out)
        names = [t["name"] for t in doc["tools"]]
        check(names == ["Echo", "TextStats", "JsonSum", "Loop", "Ghost"], "tool order %r" % names)
        check(doc["tools"][2]["input_schema"]["properties"]["numbers"]["items"] == {"type": "number"},
              "input_schema is the manifest's")
        check(doc["tools"][0]["digest"] == d["echo"] and doc["tools"][0]["plugin"] == "project:echo",
              "origin of Echo")
        denial = ("plugin `project:denied` tool `Denied` registration denied: granted tool "
                  "permission for `Denied` is missing")
        check(doc["diagnostics"] == [
            {"plugin": "project:echo2", "severity": "error",
             "message": "duplicate tool contribution `Echo` from feature "
                        "`plugin:project:echo2:tool`; first registered by `project:echo`"},
            {"plugin": "project:denied", "severity": "warning", "message": denial},
            {"plugin": "project:denied", "severity": "error",
             "message": "1 plugin tool registrations denied; first denial: " + denial}],
            "registration diagnostics: %r" % doc["diagnostics"])

        rc, out, err = run(["--workspace", ws, "call", "JsonSum", '{"numbers":[1,2,3.25]}'])
        check(rc == 0 and out == 'sum: 6.25 (3 numbers)\n{"count":3,"sum":6.25}\n',
              "JsonSum human output: %r %r" % (out, err))

        rc, doc, raw = call_json(ws, "Echo", "-", stdin='{"b":[1e400],"a":"x"}')
        check(rc == 0 and doc["is_error"] is False and doc["summary"] == "echo"
              and doc["content"] == '{"a":"x","b":[1e400]}', "Echo from stdin: " + raw)
        check(doc and doc["stats"]["fuel_used"] > 0, "stats present")

        rc, doc, raw = call_json(ws, "JsonSum", '{"numbers":"%s"}' % SECRET)
        check(rc == 1 and doc["error"]["code"] == "schema_mismatch", "schema mismatch: " + raw)
        leaks.append(raw)

        rc, doc, raw = call_json(ws, "Echo", '{"a":"%s"} trailing' % SECRET)
        check(rc == 1 and doc["error"]["code"] == "invalid_input", "invalid JSON: " + raw)
        leaks.append(raw)

        big = '{"s":"' + "a" * 70000 + '"}'
        rc, doc, raw = call_json(ws, "Echo", "-", stdin=big)
        check(rc == 1 and doc["error"]["message"] == "plugin tool `Echo` input exceeds 65536 bytes",
              "oversize stdin input is invalid_input: " + raw[:300])

        rc, doc, raw = call_json(ws, "Echo", "[1]")
        check(rc == 1 and doc["error"]["message"] == "plugin tool `Echo` input must be a JSON object",
              "array arguments: " + raw)

        rc, doc, raw = call_json(ws, "Nope")
        check(rc == 1 and doc["error"]["code"] == "unknown_tool", "unknown tool: " + raw)
        check(doc and doc["summary"] == "Execution failed: plugin WASM tool `Nope` failed closed: "
              "WASM module error: no registered tool has this name", "unknown tool text")
        rc, doc, raw = call_json(ws, "Denied")
        check(rc == 1 and doc["error"]["code"] == "unknown_tool", "denied tool is not callable")

        rc, doc, raw = call_json(ws, "Ghost")
        check(rc == 1 and doc["error"]["code"] == "package_invalid"
              and doc["error"]["message"] == "resolved plugin package does not declare a WASM runtime",
              "missing runtime module: " + raw)
        check(doc and doc["summary"].startswith("Execution failed: plugin WASM tool `Ghost` from "
                                                 "`project:noruntime` (digest %s) failed closed: "
                                                 "package/module load error: " % d["noruntime"]),
              "yoi text form")
        leaks.append(raw)

        t0 = time.monotonic()
        rc, doc, raw = call_json(ws, "Loop")
        elapsed = time.monotonic() - t0
        check(rc == 1 and doc["error"]["code"] == "timeout", "timeout: " + raw)
        check(doc and doc["summary"].endswith("timed out after 300ms"), "timeout text")
        check(elapsed < 5, "timeout returns promptly (%.2fs)" % elapsed)
        leaks.append(raw)

        rc, out, err = run(["--workspace", ws, "call"])
        check(rc == 2, "call without a tool is a usage error")

        # SIGINT cancels a running call.
        env = dict(os.environ, HOME="/nonexistent-home")
        p = subprocess.Popen([WASMGATE, "--workspace", ws, "--config", slow, "call", "Loop",
                              "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
        time.sleep(0.5)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        elapsed = time.monotonic() - t0
        doc = json.loads(out) if out.startswith("{") else None
        check(p.returncode == 1 and doc and doc["error"]["code"] == "cancelled",
              "SIGINT cancels: rc=%d %r %r" % (p.returncode, out, err))
        check(elapsed < 2, "cancel returns within 2 s (%.3fs)" % elapsed)

        for raw in leaks:
            check(ws not in raw and tmp not in raw, "no workspace path in: " + raw)
            check(SECRET not in raw, "no secret/raw input in: " + raw)

        # History: every call is one tool_call + one tool_result, whole lines.
        rc, out, err = run(["--workspace", ws, "history", "--json"])
        check(rc == 0, "history exits 0: " + err)
        records = [json.loads(line) for line in out.splitlines()]
        calls = [r for r in records if r["kind"] == "tool_call"]
        results = [r for r in records if r["kind"] == "tool_result"]
        check(len(calls) == 11 and len(results) == 11,
              "11 calls recorded: %d/%d" % (len(calls), len(results)))
        first = results[0]
        check(first["is_error"] is False and first["summary"] == "sum: 6.25 (3 numbers)"
              and first["origin"] == {"plugin": "project:json-sum", "version": "1.0.0",
                                      "digest": d["json-sum"]}
              and set(first["stats"]) == {"fuel_used", "wall_ns", "memory_peak_bytes"},
              "success record: %r" % first)
        check(calls[0]["arguments"] == {"numbers": [1, 2, 3.25]} and calls[0]["name"] == "JsonSum",
              "call record: %r" % calls[0])
        check(calls[0]["call_id"] == first["call_id"], "call ids pair up")
        cancelled = results[-1]
        check(cancelled["is_error"] is True and cancelled["error"]["code"] == "cancelled",
              "cancelled call recorded: %r" % cancelled)
        rc, out, err = run(["--workspace", ws, "history", "--tail", "2"])
        lines = out.splitlines()
        check(rc == 0 and len(lines) == 2 and " tool_call Loop " in lines[0]
              and "[cancelled]" in lines[1], "history --tail 2: %r" % out)
        rc, out, err = run(["--workspace", ws, "history", "--tail", "x"])
        check(rc == 2, "bad --tail is a usage error")
        # A torn last line is skipped.
        hist = os.path.join(ws, ".wasmgate", "history.jsonl")
        with open(hist, "a") as f:
            f.write('{"kind":"tool_res')
        rc, out, err = run(["--workspace", ws, "history", "--json"])
        check(rc == 0 and len(out.splitlines()) == 22 and "1 damaged line" in err,
              "torn line skipped: %r" % err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
