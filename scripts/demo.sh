#!/usr/bin/env bash
# demo.sh: wasmgate's main job in one command. Installs what is missing,
# builds the program and the example plugins (Release, build/demo), then
# runs scripts/demo_tour.sh on them: a temporary workspace with the example
# packages enabled and granted, the tools a model would see, calls, the
# same tools through `wasmgate serve` (MCP), the https policy refusing what
# was not granted, and the history records.
# Usage: scripts/demo.sh   (from anywhere; needs cmake, gcc, clang, lld)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${WG_DEMO_BUILD:-$root/build/demo}"
# A fresh machine: install the missing Debian packages first (a no-op when
# everything is there).
"$root/scripts/deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target wasmgate examples >/dev/null
wg="$build/src/cli/wasmgate"

"$root/scripts/demo_tour.sh" "$wg" "$build/examples"
