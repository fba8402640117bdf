#!/usr/bin/env python3
"""test_bounds.py: the hostile-generator suite (issue 10). Every case of
gen.py runs through `wasmgate wasm run m.wasm --timeout-ms 500` and through
`wasmgate call` (the module packed as a plugin in a temporary workspace
whose [limits] are the defaults but timeout_ms = 500 and fuel = 2^50, so
that time, not fuel, is what stops a spinning guest). Each run must give
its exact outcome (exit code and stderr / error code and message), end
within WALL_MAX and stay under RSS_MAX of peak resident memory (the child's
own rusage from wait4, taken by bounds_measure). The real figures are printed, with the largest
of each next to the goal (1 s and 256 MiB).

usage: test_bounds.py WASMGATE BOUNDS_MEASURE release|asan [CASE...]
(BOUNDS_MEASURE: measure.c, which runs each child and reports its figures)
In the asan build the sanitizer's own memory (shadow, quarantine) is on
top of ours, so its memory bound is looser, and its deadline is 2 s, not
500 ms: the cases whose outcome needs their work done (a compile that ends
at a limit, a run that ends at its fuel) are sized to finish within about a
tenth of the deadline on a quiet machine, so that neither a loaded machine
nor a sanitizer turns them into deadline traps."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

WASMGATE, MEASURE, MODE = (os.path.abspath(sys.argv[1]),
                           os.path.abspath(sys.argv[2]), sys.argv[3])
ONLY = set(sys.argv[4:])
# The goal's deadline; a sanitizer build runs the same work 3-5 times
# slower, so there it is 2 s (outcomes stay the same, bounds still hold).
DEADLINE_MS = 500 if MODE == "release" else 2000
WALL_MAX = 5.0
RSS_MAX = (512 if MODE == "release" else 1536) * gen.MIB
GOAL_WALL, GOAL_RSS = 1.0, 256 * gen.MIB
ENV = dict(os.environ, HOME="/nonexistent-home")
if MODE == "asan":
    # a small quarantine: freed blocks ASan keeps around count as RSS
    ENV["ASAN_OPTIONS"] = "quarantine_size_mb=16:" + os.environ.get("ASAN_OPTIONS", "")

failures = 0


def fail(what):
    global failures
    failures += 1
    print("FAIL: " + what, flush=True)


def measured(args, cwd):
    """Runs args under bounds_measure; returns (rc, stdout, stderr, wall
    seconds, peak RSS bytes)."""
    out_path, err_path = os.path.join(cwd, ".out"), os.path.join(cwd, ".err")
    fig_path = os.path.join(cwd, ".figures")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = subprocess.run([MEASURE, fig_path] + args, cwd=cwd, stdout=out,
                           stderr=err, env=ENV, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("bounds_measure failed: %d" % p.returncode)
    with open(fig_path) as f:
        wall_ns, rss_kb, rc = (int(x) for x in f.read().split())
    with open(out_path, "rb") as f:
        stdout = f.read().decode(errors="replace")
    with open(err_path, "rb") as f:
        stderr = f.read().decode(errors="replace")
    return rc, stdout, stderr, wall_ns / 1e9, rss_kb * 1024


def check_bounds(label, wall, rss):
    if wall >= WALL_MAX:
        fail("%s: %.2f s (bound %.0f s)" % (label, wall, WALL_MAX))
    if rss >= RSS_MAX:
        fail("%s: %d MiB peak RSS (bound %d MiB)" % (label, rss >> 20, RSS_MAX >> 20))


def run_case(case, wasm, d):
    want_rc, want_err = case.run
    args = [WASMGATE, "wasm", "run", "m.wasm", "--timeout-ms", str(DEADLINE_MS)]
    if "--invoke" not in case.run_args:
        args += ["--invoke", "f"]
    rc, out, err, wall, rss = measured(args + case.run_args, d)
    label = case.name + " (wasm run)"
    if rc != want_rc or not re.fullmatch(want_err, err):
        fail("%s: exit %d, stderr %r; want exit %d, stderr /%s/" %
             (label, rc, err[:300], want_rc, want_err))
    if case.run_stdout is not None and out != case.run_stdout:
        fail("%s: stdout %r, want %r" % (label, out, case.run_stdout))
    check_bounds(label, wall, rss)
    return err.strip().splitlines()[-1][:60] if err.strip() else "ok", wall, rss


def workspace(d, wasm):
    """A workspace with the module as its one plugin (tool T)."""
    ws, stage = os.path.join(d, "ws"), os.path.join(d, "stage")
    store = os.path.join(ws, ".yoi", "plugins")
    os.makedirs(store)
    os.makedirs(stage)
    with open(os.path.join(stage, "plugin.toml"), "w") as f:
        f.write('schema_version = 1\nid = "hostile"\nname = "Hostile"\n'
                'version = "1.0.0"\nsurfaces = ["tool"]\n'
                'permissions = [ { kind = "surface", surface = "tool" }, '
                '{ kind = "tool", name = "T" } ]\n'
                '[runtime]\nkind = "wasm"\nentry = "plugin.wasm"\n'
                'abi = "yoi-plugin-wasm-1"\n'
                '[[tools]]\nname = "T"\ndescription = "A hostile module"\n'
                'input_schema = { type = "object" }\n')
    shutil.copy(wasm, os.path.join(stage, "plugin.wasm"))
    pkg = os.path.join(store, "hostile.yoi-plugin")
    p = subprocess.run([WASMGATE, "pack", stage, "-o", pkg], capture_output=True,
                       text=True, env=ENV)
    if p.returncode != 0:
        raise RuntimeError("pack: " + p.stderr)
    digest = p.stdout.split()[0]
    with open(os.path.join(ws, "wasmgate.toml"), "w") as f:
        f.write('[feature.plugins]\nenabled = true\n'
                '[[plugins.enabled]]\nid = "project:hostile"\n'
                '[plugins.enabled.grants]\nid = "project:hostile"\n'
                'version = "1.0.0"\ndigest = "%s"\n'
                'permissions = [ { kind = "surface", surface = "tool" }, '
                '{ kind = "tool", name = "T" } ]\n'
                '[limits]\ntimeout_ms = %d\nfuel = %d\n'
                '[history]\nfsync = "never"\n' % (digest, DEADLINE_MS, 1 << 50))
    return ws


def call_case(case, wasm, d):
    want_code, want_msg = case.call
    ws = workspace(d, wasm)
    rc, out, err, wall, rss = measured(
        [WASMGATE, "--workspace", ws, "call", "T", "--json"], d)
    label = case.name + " (call)"
    try:
        doc = json.loads(out)
    except ValueError:
        fail("%s: not JSON: %r %r" % (label, out[:200], err[:200]))
        return "?", wall, rss
    code = doc.get("error", {}).get("code") if doc.get("is_error") else None
    msg = doc.get("error", {}).get("message", "")
    if code != want_code or not re.fullmatch(want_msg, msg) or rc != (1 if code else 0):
        fail("%s: exit %d, error %r %r; want %r /%s/" %
             (label, rc, code, msg[:300], want_code, want_msg))
    check_bounds(label, wall, rss)
    return code or "ok", wall, rss


def main():
    tmp = tempfile.mkdtemp(prefix="wg_bounds_")
    rows = []
    try:
        for case in gen.cases():
            if ONLY and case.name not in ONLY:
                continue
            d = os.path.join(tmp, case.name)
            os.makedirs(d)
            data = case.build()
            if len(data) > gen.MAX_MODULE:
                fail("%s: the module is %d bytes, over 8 MiB" % (case.name, len(data)))
                continue
            if case.run is None:  # the compile budget scales with the size
                budget = gen.COMPILE_FACTOR * len(data) + gen.COMPILE_BASE
                case.run, case.call = gen.limit(
                    "compiling the module needs more than %d bytes of memory" % budget)
            wasm = os.path.join(d, "m.wasm")
            with open(wasm, "wb") as f:
                f.write(data)
            r = run_case(case, wasm, d)
            c = call_case(case, wasm, d)
            rows.append((case.name, len(data), r, c))
            print("%-28s %8d B | run  %-52s %6.0f ms %5d MiB | call %-15s %6.0f ms %5d MiB"
                  % (case.name, len(data), r[0], r[1] * 1e3, r[2] >> 20, c[0], c[1] * 1e3,
                     c[2] >> 20), flush=True)
            shutil.rmtree(d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if rows:
        for i, what in ((2, "wasm run"), (3, "call")):
            wall = max(rows, key=lambda r: r[i][1])
            rss = max(rows, key=lambda r: r[i][2])
            met = wall[i][1] <= GOAL_WALL and rss[i][2] <= GOAL_RSS
            goal = ("not measured here (release build, 500 ms)" if MODE != "release"
                    else "met (<= 1 s, <= 256 MiB)" if met else "NOT met (1 s, 256 MiB)")
            print("%s: slowest %.0f ms (%s), largest %d MiB (%s); goal %s" %
                  (what, wall[i][1] * 1e3, wall[0], rss[i][2] >> 20, rss[0], goal))
    print("%d cases, %d failures" % (len(rows), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
