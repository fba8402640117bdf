#!/usr/bin/env bash
# demo.sh: wasmgate's main job in one command. Builds the program and the
# example plugins (Release, build/demo), creates a temporary workspace with
# the example packages enabled and granted in wasmgate.toml, lists the tools
# a model would see, calls two of them, and shows the history records.
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

ws="$(mktemp -d "${TMPDIR:-/tmp}/wasmgate-demo.XXXXXX")"
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/.yoi/plugins"
cp "$build"/examples/*.yoi-plugin "$ws/.yoi/plugins/"

# Enable each example and grant it its one tool, pinned to its digest.
{
  printf '[feature.plugins]\nenabled = true\n'
  for spec in echo:Echo text-stats:TextStats json-sum:JsonSum; do
    id="${spec%%:*}" tool="${spec#*:}"
    digest="$("$wg" digest "$ws/.yoi/plugins/$id.yoi-plugin" | awk '{print $1}')"
    printf '[[plugins.enabled]]\nid = "project:%s"\n' "$id"
    printf '[plugins.enabled.grants]\nid = "project:%s"\nversion = "1.0.0"\ndigest = "%s"\n' \
      "$id" "$digest"
    printf 'permissions = [ { kind = "surface", surface = "tool" }, { kind = "tool", name = "%s" } ]\n' \
      "$tool"
  done
} > "$ws/wasmgate.toml"

run() { echo "\$ wasmgate $*"; "$wg" --workspace "$ws" "$@" || true; echo; }
run tools
run call TextStats '{"text": "WebAssembly tools,\nbounded and audited."}'
run call JsonSum '{"numbers": [1, 2.5, 1e3]}' --json
run call JsonSum '{"numbers": ["not a number"]}'
run history
echo "\$ tail -n 2 .wasmgate/history.jsonl"
tail -n 2 "$ws/.wasmgate/history.jsonl"
