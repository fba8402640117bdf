#!/usr/bin/env bash
# test_install.sh: `cmake --install` into a temporary prefix, then what a
# user of the installed tree does: every file in its place, the umbrella
# header complete, only the public API exported from libwasmgate.so, and
# examples/embed built three ways (pkg-config + shared, pkg-config +
# static, find_package) and run against a real workspace, with exact output.
# usage: test_install.sh BUILD_DIR SOURCE_DIR EXAMPLES_DIR VERSION SANITIZE(0|1)
set -euo pipefail
build="$1" src="$2" examples="$3" version="$4" sanitize="$5"
. "$(dirname "$0")/check.sh" wg-install
prefix="$tmp/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

for f in bin/wasmgate lib/libwasmgate.so.$version lib/libwasmgate.so.0 lib/libwasmgate.so \
         lib/libwasmgate.a include/wasmgate/wasmgate.h include/wasmgate/runtime.h \
         lib/pkgconfig/wasmgate.pc lib/cmake/wasmgate/wasmgateConfig.cmake \
         lib/cmake/wasmgate/wasmgateConfigVersion.cmake lib/cmake/wasmgate/wasmgateTargets.cmake \
         share/man/man1/wasmgate.1; do
  check "installed $f" test -e "$prefix/$f"
done
check "bin/wasmgate runs" test "$("$prefix/bin/wasmgate" --version)" = "wasmgate $version"
check "the man page is the generated one" cmp -s "$prefix/share/man/man1/wasmgate.1" "$build/src/cli/wasmgate.1"
headers_src=$(cd "$src/include/wasmgate" && ls *.h | sort)
headers_inst=$(cd "$prefix/include/wasmgate" && ls *.h | sort)
check "every public header installed" test "$headers_src" = "$headers_inst"
for h in $headers_src; do
  [ "$h" = wasmgate.h ] && continue
  check "wasmgate.h includes $h" grep -q "^#include \"wasmgate/$h\"$" "$src/include/wasmgate/wasmgate.h"
done

# Exported symbols: wg_ functions the public headers name, nothing else.
nm -D --defined-only "$prefix/lib/libwasmgate.so" | awk '{print $3}' | sort > "$tmp/exported"
cat "$src"/include/wasmgate/*.h | grep -o 'wg_[a-z0-9_]*[[:space:]]*(' | tr -d ' (' | sort -u > "$tmp/declared"
check "only wg_ symbols exported ($(wc -l < "$tmp/exported"))" test -z "$(grep -v '^wg_' "$tmp/exported" || true)"
check "every export is declared in a public header" test -z "$(comm -23 "$tmp/exported" "$tmp/declared")"
for s in wg_workspace_open wg_workspace_call wg_workspace_close wg_workspace_registry wg_call \
         wg_sha256 wg_json_parse wg_module_new wg_config_load; do
  check "exports $s" grep -qx "$s" "$tmp/exported"
done
for s in cfg_cache_parse vm_compile_body rt_tool_request json_fail_dup; do
  check "hides $s" test -z "$(grep -x "$s" "$tmp/exported" || true)"
done

# A workspace with the echo example enabled.
ws="$tmp/ws"
mkdir -p "$ws/.yoi/plugins"
cp "$examples/echo.yoi-plugin" "$ws/.yoi/plugins/"
digest=$("$prefix/bin/wasmgate" digest "$ws/.yoi/plugins/echo.yoi-plugin")
cat > "$ws/wasmgate.toml" <<TOML
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
export HOME=/nonexistent-home XDG_DATA_HOME="$tmp/no-user-store"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags="-std=c11 -O1 -Wall -Wextra -Werror"
[ "$sanitize" = 1 ] && cflags="$cflags -fsanitize=address,undefined"
norm() { realpath -m "$1"; }
pc_inc=$(pkg-config --cflags wasmgate | xargs); pc_libs=$(pkg-config --libs wasmgate | xargs)
check "pkg-config --cflags: $pc_inc" test "$(norm "${pc_inc#-I}")" = "$(norm "$prefix/include")"
check "pkg-config --libs: $pc_libs" test "${pc_libs##* }" = "-lwasmgate"
lib_dir=$(echo "$pc_libs" | sed 's/^-L\([^ ]*\) .*/\1/')
check "pkg-config libdir is the prefix's" test "$(norm "$lib_dir")" = "$(norm "$prefix/lib")"

expect_run() { # expect_run NAME BINARY [env...]
  local name="$1" bin="$2"; shift 2
  local out
  out=$(env "$@" "$bin" "$ws" Echo '{"b":2,"a":1}') || { echo "FAIL $name: exit $?"; fail=1; return; }
  local want_re='^tool Echo from project:echo: Echo the arguments back as the content
call_[0-9a-f]{24} ok: echo
content: \{"a":1,"b":2\}$'
  if [[ "$out" =~ $want_re ]]; then echo "ok   $name runs"; else echo "FAIL $name: $out"; fail=1; fi
}
mkdir -p "$tmp/mk" && cp "$src/examples/embed/embed.c" "$src/examples/embed/Makefile" "$tmp/mk/"
make -s -C "$tmp/mk" CFLAGS="$cflags" embed >/dev/null
expect_run "embed (pkg-config, shared)" "$tmp/mk/embed" LD_LIBRARY_PATH="$prefix/lib"
check "embed links libwasmgate.so" bash -c "LD_LIBRARY_PATH='$prefix/lib' ldd '$tmp/mk/embed' | grep -q 'libwasmgate.so.0 => $prefix/lib'"
make -s -C "$tmp/mk" clean >/dev/null
make -s -C "$tmp/mk" CFLAGS="$cflags" STATIC=1 embed >/dev/null
expect_run "embed (pkg-config, static)" "$tmp/mk/embed"
check "static embed needs no libwasmgate.so" bash -c "! ldd '$tmp/mk/embed' | grep -q libwasmgate"
cmake -S "$src/examples/embed" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_C_FLAGS="$cflags" >/dev/null
cmake --build "$tmp/cm" >/dev/null
expect_run "embed (find_package, wasmgate::wasmgate)" "$tmp/cm/embed"
expect_run "embed (find_package, wasmgate::wasmgate_static)" "$tmp/cm/embed_static"
n=$(wc -l < "$ws/.wasmgate/history.jsonl")
check "each embedded call recorded (8 records: $n)" test "$n" = 8
exit $fail
