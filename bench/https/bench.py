#!/usr/bin/env python3
"""bench.py: the measurements of bench/https/run.sh (which starts it inside
the test network namespace, next to the test servers). Prints medians in
milliseconds and the ratios. Not a test: nothing is asserted."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

WG, WG_BASE, WG_EXTRA, EXTRA_REV, EXAMPLES, FIXTURES, PLUGINS, N = sys.argv[1:9]
N = int(N)
PORT = int(os.environ["WG_TESTNET_HTTPS"])
CA = os.environ["WG_TESTNET_CA"]
URL = "https://api.test:%d/json" % PORT


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def workspace(tmp):
    ws = os.path.join(tmp, "ws")
    store = os.path.join(ws, ".yoi", "plugins")
    os.makedirs(store)
    stage = os.path.join(tmp, "stage")
    os.makedirs(stage)
    shutil.copy(os.path.join(FIXTURES, "https_probe.wasm"), os.path.join(stage, "plugin.wasm"))
    shutil.copy(os.path.join(PLUGINS, "https_probe.toml"), os.path.join(stage, "plugin.toml"))
    assert run([WG, "pack", stage, "-o", os.path.join(store, "probe.yoi-plugin")]).returncode == 0
    shutil.copy(os.path.join(EXAMPLES, "echo.yoi-plugin"), store)
    d = {n: run([WG, "digest", os.path.join(store, n + ".yoi-plugin")]).stdout.split()[0]
         for n in ("probe", "echo")}
    perms = '{ kind = "surface", surface = "tool" }, { kind = "tool", name = "%s" }'
    with open(os.path.join(ws, "wasmgate.toml"), "w") as f:
        f.write('[feature.plugins]\nenabled = true\n[history]\nfsync = "never"\n'
                '[[plugins.enabled]]\nid = "project:echo"\n[plugins.enabled.grants]\n'
                'id = "project:echo"\nversion = "1.0.0"\ndigest = "%s"\npermissions = [ %s ]\n'
                % (d["echo"], perms % "Echo"))
    # The probe in a second config: the base binary must not see https keys
    # it does not know.
    https_cfg = os.path.join(tmp, "https.toml")
    with open(https_cfg, "w") as f:
        f.write('[feature.plugins]\nenabled = true\n[history]\nfsync = "never"\n'
                '[[plugins.enabled]]\nid = "project:probe"\n[plugins.enabled.grants]\n'
                'id = "project:probe"\nversion = "1.0.0"\ndigest = "%s"\n'
                'permissions = [ %s, { kind = "host_api", api = "https" } ]\n'
                '[[plugins.enabled.grants.https]]\nhost = "api.test"\nport = %d\nmethods = ["GET"]\n'
                '[https]\nallow_networks = ["127.0.0.1/32"]\nca_file = "%s"\n'
                'resolve = ["api.test:%d:127.0.0.1"]\n'
                % (d["probe"], perms % "Probe", PORT, CA, PORT))
    return ws, https_cfg


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = (time.perf_counter() - t0) * 1e3
    if p.returncode != 0:
        raise SystemExit("failed: %s" % " ".join(cmd))
    return dt


def echo_without_curl(cmds):
    """Runs the Echo call with LD_DEBUG=libs, which lists every
    library the dynamic loader maps; libcurl must not be among them."""
    env = dict(os.environ, LD_DEBUG="libs")
    p = subprocess.run(cmds["wasmgate call Echo (this tree)"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, env=env)
    return "libcurl" not in p.stderr and "libcares" not in p.stderr


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main():
    tmp = tempfile.mkdtemp(prefix="wg-bench-https-")
    try:
        ws, https_cfg = workspace(tmp)
        probe_input = json.dumps({"requests": [json.dumps({"method": "GET", "url": URL})]})
        cmds = {
            "wasmgate call Probe (1 GET)": [WG, "--workspace", ws, "--config", https_cfg, "call",
                                            "Probe", probe_input],
            "curl GET": ["curl", "-sS", "-o", "/dev/null", "--cacert", CA, "--resolve",
                         "api.test:%d:127.0.0.1" % PORT, URL],
            "wasmgate call Echo (this tree)": [WG, "--workspace", ws, "call", "Echo", '{"m":"hi"}'],
            "wasmgate call Echo (base)": [WG_BASE, "--workspace", ws, "call", "Echo", '{"m":"hi"}'],
            "/bin/true": ["/bin/true"],
        }
        extra = "wasmgate call Echo (%s)" % EXTRA_REV
        if WG_EXTRA != "none":
            cmds[extra] = [WG_EXTRA, "--workspace", ws, "call", "Echo", '{"m":"hi"}']
        for c in cmds.values():  # warm the page cache, check each works
            timed(c)
        ts = {k: [] for k in cmds}
        for _ in range(N):
            for k, c in cmds.items():
                ts[k].append(timed(c))
        med = {k: median(v) for k, v in ts.items()}
        print("medians of %d interleaved cold processes:" % N)
        for k in cmds:
            print("  %-34s %8.2f ms" % (k, med[k]))
        print("https GET through a plugin / curl:  %.2fx  (%.2f ms more)"
              % (med["wasmgate call Probe (1 GET)"] / med["curl GET"],
                 med["wasmgate call Probe (1 GET)"] - med["curl GET"]))
        # The calls without https again, alone and 5x as often: their
        # difference is a fraction of a millisecond, under the noise above.
        echo = [k for k in cmds if k.startswith("wasmgate call Echo")]
        ets = {k: [] for k in echo}
        for _ in range(5 * N):
            for k in echo:
                ets[k].append(timed(cmds[k]))
        emed = {k: median(v) for k, v in ets.items()}
        print("calls without https alone, medians of %d interleaved cold processes:" % (5 * N))
        for k in echo:
            print("  %-34s %8.3f ms" % (k, emed[k]))
        this = emed["wasmgate call Echo (this tree)"]
        for k in echo[1:]:
            print("call without https, this tree / %s: %.3fx  (%+.3f ms)"
                  % (k[len("wasmgate call Echo "):], this / emed[k], this - emed[k]))
        print("libcurl mapped by the Echo call: %s" % ("no" if echo_without_curl(cmds) else "YES"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
