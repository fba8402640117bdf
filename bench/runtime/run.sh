#!/usr/bin/env bash
# run.sh: the tool-call latency benchmark (bench/RESULTS.md, "Tool calls").
# Builds Release (build/bench-runtime), then measures in one run:
#   bench_call: engine nop baselines, warm echo via wg_call, history cost;
#   cold `wasmgate call Echo` process time next to `/bin/true`.
# Usage: bench/runtime/run.sh [HISTORY_DIR]   (default: a temp dir)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${WG_BENCH_BUILD:-$root/build/bench-runtime}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target bench_call wasmgate examples runtime_fixtures >/dev/null
wg="$build/src/cli/wasmgate"
ws="$(mktemp -d "${TMPDIR:-/tmp}/wg-bench-ws.XXXXXX")"
trap 'rm -rf "$ws"' EXIT
hist_dir="${1:-$ws}"
echo "machine: $(nproc) cores, $(uname -m), gcc $(gcc -dumpversion), history fs: $(stat -f -c %T "$hist_dir")"
"$build/tests/runtime/bench_call" "$build/tests/runtime/fixtures" "$build/examples" "$hist_dir"

# Cold CLI: a workspace with echo enabled and granted; history fsync off.
mkdir -p "$ws/.yoi/plugins"
cp "$build/examples/echo.yoi-plugin" "$ws/.yoi/plugins/"
digest="$("$wg" digest "$ws/.yoi/plugins/echo.yoi-plugin" | awk '{print $1}')"
cat > "$ws/wasmgate.toml" <<TOML
[feature.plugins]
enabled = true
[history]
fsync = "never"
[[plugins.enabled]]
id = "project:echo"
[plugins.enabled.grants]
id = "project:echo"
version = "1.0.0"
digest = "$digest"
permissions = [ { kind = "surface", surface = "tool" }, { kind = "tool", name = "Echo" } ]
TOML
python3 - "$wg" "$ws" <<'PY'
import subprocess, sys, time
wg, ws = sys.argv[1:3]
def median_ms(cmd, n=60):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    return ts[len(ts) // 2]
true_ms = median_ms(["/bin/true"])
call_ms = median_ms([wg, "--workspace", ws, "call", "Echo", '{"message":"hi"}'])
print("cold /bin/true process               %10.2f ms" % true_ms)
print("cold wasmgate call Echo process      %10.2f ms  (%.2f ms over /bin/true)"
      % (call_ms, call_ms - true_ms))
PY
