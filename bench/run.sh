#!/usr/bin/env bash
# run.sh: builds the benchmark set (make), a Release wasmgate and bench/startup,
# then times wasmgate next to native gcc/clang and wabt's wasm-interp with
# run_bench.py, and measures in-process start-up with startup.c.
#
# usage: bench/run.sh [run_bench.py options...]
#   e.g. bench/run.sh --reps 5 --slow-reps 1 --json /tmp/bench.json
# Environment: WG_BENCH_BUILD  Release build dir (default build/bench-release)
#              plus any engine variable run_bench.py reads (WASM3, IWASM, ...).
# Benchmarks are never ctest tests: they need quiet machines and minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${WG_BENCH_BUILD:-$root/build/bench-release}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target wasmgate examples
make -C "$here" -s all check

libs=()
for l in wasm util; do libs+=("$build/src/$l/libwg_$l.a"); done
gcc -std=c11 -O2 -D_GNU_SOURCE -I"$root/include" "$here/startup.c" "${libs[@]}" \
    -lm -o "$here/build/startup"

echo "=== in-process start-up (nop.wasm)"
"$here/build/startup" "$here/build/wasm/nop.wasm" 5000
echo "=== in-process start-up (the echo plugin: 4 pages, data segments, 3 imports)"
"$here/build/startup" "$build/examples/echo/plugin.wasm" 5000 yoi_tool_call

echo "=== run_bench.py"
export NODE=${NODE:-none}
export EXTRA_ENGINES="wasmgate=$build/src/cli/wasmgate wasm run {wasm} --invoke {func}"
status=0
"$here/run_bench.py" --json "$here/build/results.json" "$@" || status=$?

echo "=== summary (times net of start-up; see RESULTS.md)"
"$here/summarize.py" "$here/build/results.json"
exit $status
