#!/usr/bin/env bash
# run.sh: the MCP server benchmark (bench/RESULTS.md, "MCP server").
# Builds Release (build/bench-mcp) and measures, in one run, inside a
# loopback-only network namespace (tests/mcp/netns.sh):
#   1. the tools/call round trip of Echo in process (wg_workspace_call, the
#      baseline), over stdio and over Streamable HTTP, with 1, 8 and 64
#      concurrent clients: median and p99 latency, calls/s;
#   2. HTTP requests/s with wrk: one replica, then two behind nginx.
# Every call writes its two history records (fsync off, as the bench
# workspace's config says). Usage: bench/mcp/run.sh [CALLS]  (default 4000)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ "${WG_IN_NETNS:-}" != 1 ]; then
  exec env WG_IN_NETNS=1 "$root/tests/mcp/netns.sh" bash "$0" "$@"
fi
calls="${1:-4000}"
build="${WG_BENCH_BUILD:-$root/build/bench-mcp}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target bench_mcp wasmgate examples mcp_fixtures >/dev/null
wg="$build/src/cli/wasmgate"
bench="$build/tests/mcp/bench_mcp"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/wg-bench-mcp.XXXXXX")"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
python3 "$root/tests/mcp/make_workspace.py" "$wg" "$build/examples" "$build/tests/mcp/plugins" "$tmp/ws"

start_http() { # ADDR:PORT -> waits until it listens
  "$wg" --workspace "$tmp/ws" serve --http "$1" --quiet --max-in-flight 1024 --max-connections 256 &
  pids+=($!)
  for _ in $(seq 100); do curl -s -o /dev/null "http://$1/healthz" && return 0; sleep 0.05; done
  echo "server on $1 did not start" >&2; exit 1
}

echo "machine: $(nproc) cores, $(uname -m), gcc $(gcc -dumpversion); $calls calls per row"
start_http 127.0.0.1:18081
echo "mode conc calls median_us p99_us calls_per_s"
for conc in 1 8 64; do
  "$bench" inproc "$tmp/ws" "$conc" "$calls"
  "$bench" stdio "$tmp/ws" "$conc" "$calls" "$wg"
  "$bench" http "$tmp/ws" "$conc" "$calls" 18081
done

# wrk: 5 s of tools/call Echo, 64 connections, one replica vs two behind nginx.
cat > "$tmp/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"Echo","arguments":{"bench":1}}}'
LUA
start_http 127.0.0.1:18082
mkdir -p "$tmp/nginx"/{body,proxy,fastcgi,uwsgi,scgi}
# The server block of docs/deploy.md, with its ports as they are here.
sed -n '/^```nginx$/,/^```$/p' "$root/docs/deploy.md" | sed '1d;$d' \
  | sed 's/127.0.0.1:8081;/127.0.0.1:18081;/; s/127.0.0.1:8082;/127.0.0.1:18082;/; s/listen 127.0.0.1:8080;/listen 127.0.0.1:18080;/' \
  > "$tmp/nginx/wasmgate.conf"
cat > "$tmp/nginx/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1;
pid $tmp/nginx/nginx.pid; error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $tmp/nginx/body; proxy_temp_path $tmp/nginx/proxy;
       fastcgi_temp_path $tmp/nginx/fastcgi; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
       include $tmp/nginx/wasmgate.conf; }
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18080/healthz && break; sleep 0.05; done
for target in "one replica:18081" "nginx + two replicas:18080"; do
  name="${target%%:*}"; port="${target##*:}"
  out=$(wrk -t2 -c64 -d5s -s "$tmp/post.lua" "http://127.0.0.1:$port/mcp")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "wrk 64 connections, $name: $rps requests/s (non-2xx: ${bad:-0})"
done
