#!/usr/bin/env bash
# compile_memory.sh: builds the compile corpus (corpus/Makefile) and the
# bench modules, then prints, per module, the smallest compile memory
# budget it needs (a multiple of its size) and its compile speed.
# usage: bench/compile_memory.sh   (WG_BENCH_BUILD as in run.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${WG_BENCH_BUILD:-$root/build/bench-release}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target wg_wasm wg_util
make -C "$here" -s all
make -C "$here/corpus" -s all
gcc -std=c11 -O2 -D_GNU_SOURCE -I"$root/include" "$here/compile_memory.c" \
    "$build/src/wasm/libwg_wasm.a" "$build/src/util/libwg_util.a" -lm \
    -o "$here/build/compile_memory"
"$here/build/compile_memory" "$here"/build/corpus/wasmgate_lib_*.wasm \
    "$here"/build/wasm/json.wasm "$here"/build/wasm/lz.wasm "$here"/build/wasm/sha256.wasm \
    "$here"/build/wasm/coremark.wasm
