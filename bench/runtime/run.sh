#!/usr/bin/env bash
# run.sh: the tool-call latency benchmark (bench/RESULTS.md, "Tool calls").
# Builds Release (build/bench-runtime), then measures in one run:
#   bench_call: engine nop baselines, warm echo via wg_call, history cost;
#   cold processes side by side (spawn_time.c, interleaved rounds):
#   /bin/true, `wasmgate call Echo` with 3 and with 1,000 packages in the
#   stores, and a one-hash program per SHA-256 library (sha_start.c).
# Usage: bench/runtime/run.sh [HISTORY_DIR]   (default: a temp dir)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${WG_BENCH_BUILD:-$root/build/bench-runtime}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target bench_call wasmgate examples runtime_fixtures >/dev/null
wg="$build/src/cli/wasmgate"
ws="$(mktemp -d "${TMPDIR:-/tmp}/wg-bench-ws.XXXXXX")"
trap 'rm -rf "$ws"' EXIT
hist_dir="${1:-$ws}"
echo "machine: $(nproc) cores, $(uname -m), gcc $(gcc -dumpversion), history fs: $(stat -f -c %T "$hist_dir")"
"$build/tests/runtime/bench_call" "$build/tests/runtime/fixtures" "$build/examples" "$hist_dir"

# Cold CLI. Workspaces: "3" holds the three example packages (echo enabled
# and granted); "1000" holds the same plus 997 more packages (500 in the
# project store, 497 in the user store; discovery keeps 128 per store).
# History fsync off (the disk's fdatasync is not the program's cost). The
# digest cache is warmed by one call first, as any earlier call would.
make_ws() { # make_ws DIR
  mkdir -p "$1/.yoi/plugins" "$1/user"
  cp "$build"/examples/{echo,json-sum,text-stats}.yoi-plugin "$1/.yoi/plugins/"
  local digest
  digest="$("$wg" digest "$1/.yoi/plugins/echo.yoi-plugin")"
  cat > "$1/wasmgate.toml" <<TOML
[feature.plugins]
enabled = true
[history]
fsync = "never"
[[plugins.enabled]]
id = "project:echo"
[plugins.enabled.grants]
id = "project:echo"
version = "1.0.0"
digest = "$digest"
permissions = [ { kind = "surface", surface = "tool" }, { kind = "tool", name = "Echo" } ]
TOML
}
make_ws "$ws/3"
make_ws "$ws/1000"
stage="$ws/stage"
mkdir -p "$stage"
for i in $(seq 1 997); do
  s="$stage/p$i.yoi-plugin"
  mkdir -p "$s"
  cp "$build/examples/echo/plugin.wasm" "$s/"
  sed "s/^id = \"echo\"/id = \"p$i\"/" "$root/examples/echo/plugin.toml" > "$s/plugin.toml"
  if [ "$i" -le 500 ]; then echo "$s $ws/1000/.yoi/plugins/p$i.yoi-plugin"
  else echo "$s $ws/1000/user/p$i.yoi-plugin"; fi
done | xargs -P2 -n2 sh -c '"$0" pack "$1" -o "$2" >/dev/null' "$wg"
echo "packages: $(ls "$ws/1000/.yoi/plugins" | wc -l) in the project store, $(ls "$ws/1000/user" | wc -l) in the user store"

cc -O2 -o "$ws/spawn_time" "$root/bench/runtime/spawn_time.c"
cc -O2 -o "$ws/sha_none" "$root/bench/runtime/sha_start.c"
cc -O2 -DWITH_NETTLE -o "$ws/sha_nettle" "$root/bench/runtime/sha_start.c" -lnettle
cc -O2 -DWITH_SHA256 -o "$ws/sha_sha256" "$root/bench/runtime/sha_start.c" -lcrypto
cc -O2 -DWITH_EVP -o "$ws/sha_evp" "$root/bench/runtime/sha_start.c" -lcrypto
export HOME=/nonexistent-home
call3=("$wg" --workspace "$ws/3" --user-store "$ws/3/user" call Echo '{"message":"hi"}')
call1000=("$wg" --workspace "$ws/1000" --user-store "$ws/1000/user" call Echo '{"message":"hi"}')
# Warm the digest caches, after the 1 s in which fresh stamps are "racy"
# (never recorded: src/config/digest_cache.c).
sleep 1.5
"${call3[@]}" >/dev/null && "${call1000[@]}" >/dev/null
rounds="${WG_BENCH_ROUNDS:-300}"
echo "cold processes, $rounds interleaved rounds:"
"$ws/spawn_time" "$rounds" \
  "/bin/true" /bin/true -- \
  "wasmgate call (3 packages)" "${call3[@]}" -- \
  "wasmgate call (1000 packages)" "${call1000[@]}" -- \
  "sha: none" "$ws/sha_none" -- \
  "sha: nettle sha256_*" "$ws/sha_nettle" -- \
  "sha: libcrypto SHA256()" "$ws/sha_sha256" -- \
  "sha: libcrypto EVP" "$ws/sha_evp" | tee "$ws/cold.txt"
python3 - "$ws/cold.txt" <<'PY'
import sys
m = {}
for line in open(sys.argv[1]):
    name, rest = line.split("median")
    m[name.strip()] = float(rest.split()[0])
t, c3, c1k = m["/bin/true"], m["wasmgate call (3 packages)"], m["wasmgate call (1000 packages)"]
print("ratio: cold call with 1000 packages / with 3      %.2fx  (goal <= 1.5x)" % (c1k / c3))
print("cold call (3 packages) over /bin/true            %.2f ms (goal <= 2.5 ms)" % (c3 - t))
print("libcrypto SHA256() over nettle: %.2f ms; EVP over nettle: %.2f ms" %
      (m["sha: libcrypto SHA256()"] - m["sha: nettle sha256_*"],
       m["sha: libcrypto EVP"] - m["sha: nettle sha256_*"]))
PY
