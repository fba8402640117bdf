#!/usr/bin/env bash
# test_minimal.sh: the build a packager or embedder does, with only the
# library dependencies: -DWG_BUILD_TESTS=OFF configures without tests/ (no
# wat2wasm, wast2json, Python, node looked for: none is in the cache),
# registers no test, and builds a `wasmgate` that runs.
# usage: test_minimal.sh SOURCE_DIR C_COMPILER GENERATOR
set -euo pipefail
src="$1" cc="$2" generator="$3"
. "$(dirname "$0")/check.sh" wg-minimal
b="$tmp/b"
cmake -S "$src" -B "$b" -G "$generator" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_BUILD_TYPE=Release -DWG_BUILD_TESTS=OFF >"$tmp/configure.log" 2>&1 ||
  { cat "$tmp/configure.log"; echo "FAIL configure with -DWG_BUILD_TESTS=OFF"; exit 1; }
echo "ok   configure with -DWG_BUILD_TESTS=OFF"
# Each test tool's cache entry (tests/*/CMakeLists.txt); none may be there.
for v in WAT2WASM WG_WAT2WASM WAST2JSON WASM_INTERP WG_NODE WG_NGINX Python3_EXECUTABLE; do
  check "$v not looked for" test -z "$(grep -E "^$v(:|=)" "$b/CMakeCache.txt" || true)"
done
check "no tests/ directory configured" test ! -e "$b/tests"
check "no test registered" \
  test "$(ctest --test-dir "$b" -N | sed -n 's/^Total Tests: //p')" = 0
cmake --build "$b" -j1 --target wasmgate >"$tmp/build.log" 2>&1 ||
  { tail -30 "$tmp/build.log"; echo "FAIL build the wasmgate target"; exit 1; }
echo "ok   build the wasmgate target"
check "wasmgate --help runs" sh -c "'$b/src/cli/wasmgate' --help >/dev/null"
check "wasmgate --version runs" sh -c "'$b/src/cli/wasmgate' --version | grep -q '^wasmgate '"
exit $fail
