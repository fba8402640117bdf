#!/usr/bin/env bash
# demo_tour.sh: the tour scripts/demo.sh shows, on a wasmgate binary and a
# directory of packed example plugins that are already built. It makes a
# temporary workspace with the examples enabled and granted, lists the
# tools, calls them, serves them over MCP on stdio, shows the https policy
# deciding (and a call failing closed, refused before any DNS or
# connection: nothing leaves the machine), and prints the history.
# Usage: scripts/demo_tour.sh WASMGATE EXAMPLES_DIR
# (tests/cli runs it on the test build and checks what it prints.)
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 WASMGATE EXAMPLES_DIR" >&2
  exit 2
fi
wg="$1" examples="$2"

ws="$(mktemp -d "${TMPDIR:-/tmp}/wasmgate-demo.XXXXXX")"
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/.yoi/plugins"
for id in echo text-stats json-sum repo-info; do
  cp "$examples/$id.yoi-plugin" "$ws/.yoi/plugins/"
done

digest() { "$wg" digest "$ws/.yoi/plugins/$1.yoi-plugin" | awk '{print $1}'; }

# Enable each example and grant it its one tool, pinned to its digest;
# repo-info also gets https to one host, one method, one path prefix.
{
  printf '[feature.plugins]\nenabled = true\n'
  for spec in echo:Echo text-stats:TextStats json-sum:JsonSum repo-info:RepoInfo; do
    id="${spec%%:*}" tool="${spec#*:}"
    printf '\n[[plugins.enabled]]\nid = "project:%s"\n' "$id"
    printf '[plugins.enabled.grants]\nid = "project:%s"\nversion = "1.0.0"\ndigest = "%s"\n' \
      "$id" "$(digest "$id")"
    printf 'permissions = [ { kind = "surface", surface = "tool" }, { kind = "tool", name = "%s" }' \
      "$tool"
    if [ "$id" = repo-info ]; then
      printf ',\n                { kind = "host_api", api = "https" } ]\n'
      printf '[[plugins.enabled.grants.https]]\nhost = "api.github.com"\n'
      printf 'methods = ["GET"]\npath_prefixes = ["/repos"]\n'
    else
      printf ' ]\n'
    fi
  done
} > "$ws/wasmgate.toml"

# Each command is shown, then run; a failing command (some fail on
# purpose: that is the point) prints its exit status and the tour goes on.
run() {
  echo "\$ wasmgate $*"
  local rc=0
  "$wg" --workspace "$ws" "$@" || rc=$?
  [ "$rc" -eq 0 ] || echo "(exit $rc)"
  echo
}

echo "== the tools a model sees"
run tools

echo "== calls"
run call TextStats '{"text": "WebAssembly tools,\nbounded and audited."}'
run call JsonSum '{"numbers": [1, 2.5, 1e3]}' --json
run call JsonSum '{"numbers": ["not a number"]}'

echo "== the same tools over MCP (what Claude Desktop and other clients do)"
mcp_in='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"demo","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"Echo","arguments":{"message":"hello over MCP"}}}'
echo "\$ printf '%s\\n' INITIALIZE INITIALIZED TOOLS_CALL_ECHO | wasmgate serve"
printf '%s\n' "$mcp_in" | "$wg" --workspace "$ws" serve 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    res = msg.get("result", {})
    if "serverInfo" in res:
        print("initialize ->", res["protocolVersion"], res["serverInfo"]["name"])
    elif "content" in res:
        print("tools/call Echo ->", " | ".join(c["text"] for c in res["content"]))
    else:
        print(line.rstrip())'
echo

echo "== the https policy: only what the operator granted"
run explain-url project:repo-info GET https://api.github.com/repos/octo/demo
run explain-url project:repo-info GET https://api.github.com/user
run explain-url project:repo-info GET 'https://0x7f.1/repos/octo/demo'
run call RepoInfo '{"owner":"octo","repo":"demo","api_base":"https://api.evil.example"}'

echo "== every call is in the history"
run history
echo "\$ tail -n 2 .wasmgate/history.jsonl"
tail -n 2 "$ws/.wasmgate/history.jsonl"
