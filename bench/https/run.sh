#!/usr/bin/env bash
# run.sh: the https benchmark (bench/RESULTS.md, "HTTPS"). Not a test.
# Builds Release of this tree (build/bench-https) and of main as it was
# before the https host API (the merge base of HEAD and main; override with
# WG_BENCH_BASE=REV), then, inside a network namespace with only loopback
# (tests/host/netns/run_in_netns.py: the test HTTPS server with a test CA):
#   1. one granted GET through a plugin (`wasmgate call` of the https probe,
#      a cold process per call) next to `curl` fetching the same URL from the
#      same server (a cold process per fetch): the overhead ratio;
#   2. a call without https (`wasmgate call Echo`) with this tree's binary
#      next to the base's binary, on the same package: it must not slow down
#      (libcurl is neither loaded nor initialised for it). WG_BENCH_EXTRA=REV
#      adds one more binary to that comparison (e.g. main before issue 9).
# Runs are interleaved; medians of N (default 60). Needs root (unshare -n).
# Usage: bench/https/run.sh [N]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-60}"
build="${WG_BENCH_BUILD:-$root/build/bench-https}"
base_rev="${WG_BENCH_BASE:-$(git -C "$root" merge-base HEAD main)}"
base_build="$root/build/bench-https-base"
extra_rev="${WG_BENCH_EXTRA:-none}"
# build_rev REV DIR: a Release `wasmgate` of REV in DIR (kept while REV is the same).
build_rev() {
  local rev="$1" dir="$2"
  if [ ! -x "$dir/src/cli/wasmgate" ] || [ "$(cat "$dir/.rev" 2>/dev/null)" != "$rev" ]; then
    rm -rf "$dir-src" && mkdir -p "$dir-src"
    git -C "$root" archive "$rev" | tar -x -C "$dir-src"
    cmake -S "$dir-src" -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$dir" -j2 --target wasmgate >/dev/null
    echo "$rev" > "$dir/.rev"
  fi
}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target wasmgate examples host_fixtures >/dev/null
build_rev "$base_rev" "$base_build"
extra_wg=none
if [ "$extra_rev" != none ]; then
  extra_rev="$(git -C "$root" rev-parse --short "$extra_rev")"
  build_rev "$extra_rev" "$root/build/bench-https-extra"
  extra_wg="$root/build/bench-https-extra/src/cli/wasmgate"
fi
echo "machine: $(nproc) cores, $(uname -m), gcc $(gcc -dumpversion), $(curl --version | head -1 | cut -d' ' -f1-2)"
echo "this tree: $(git -C "$root" rev-parse --short HEAD); base: $(git -C "$root" rev-parse --short "$base_rev"); extra: $extra_rev"
exec python3 "$root/tests/host/netns/run_in_netns.py" -- python3 "$root/bench/https/bench.py" \
  "$build/src/cli/wasmgate" "$base_build/src/cli/wasmgate" "$extra_wg" "$extra_rev" "$build/examples" \
  "$build/tests/host/fixtures" "$root/tests/host/plugins" "$n"
