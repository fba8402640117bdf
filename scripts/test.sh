#!/usr/bin/env bash
# test.sh: installs what is missing, builds wasmgate twice (Release, and
# ASan+UBSan) and runs every test in both builds. This is what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
status=0
for cfg in release asan; do
  dir="build/$cfg"
  if [ "$cfg" = asan ]; then
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DWG_SANITIZE=ON)
  else
    flags=(-DCMAKE_BUILD_TYPE=Release)
  fi
  echo "=== $cfg build ($dir)"
  cmake -S . -B "$dir" "${flags[@]}" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "=== $cfg tests"
  if ! ctest --test-dir "$dir" -j"$jobs" --output-on-failure --timeout 1500; then
    status=1
  fi
done
exit $status
