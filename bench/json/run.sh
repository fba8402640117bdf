#!/usr/bin/env bash
# run.sh: builds bench_json (gcc -O2, straight from src/json and src/util so
# it does not depend on the rest of the tree), then measures wasmgate and
# Python's json module on the same generated 64 KiB document, in one run.
# Usage: bench/json/run.sh   (from anywhere; builds into $TMPDIR)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${TMPDIR:-/tmp}/wg-bench-json"
mkdir -p "$out"
gcc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
    -I"$root/include" "$root"/bench/json/bench_json.c "$root"/src/json/*.c \
    "$root"/src/util/*.c -lm -o "$out/bench_json"
"$out/bench_json" --emit "$out/doc.json" >/dev/null
echo "machine: $(nproc) cores, $(uname -m), gcc $(gcc -dumpversion), $(python3 --version)"
"$out/bench_json"
python3 "$root/bench/json/baseline.py" "$out/doc.json"
