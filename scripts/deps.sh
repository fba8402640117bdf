#!/usr/bin/env bash
# deps.sh: installs the Debian packages wasmgate needs to build and test,
# only those that are missing (one apt-get call). Needs root or sudo when
# something is missing; does nothing otherwise.
set -euo pipefail

packages=(
  cmake make gcc clang lld          # C11 toolchain; clang+lld build wasm32 plugins
  libssl-dev                        # SHA-256 (libcrypto EVP)
  libcurl4-openssl-dev              # the https host API client
  libc-ares-dev                     # https DNS: asynchronous, driven from the call's own loop
                                    #   under its deadline, no resolver thread left behind
  openssl                           # https tests: a CA and server certificates made at test time
  iproute2                          # https tests: `ip link set lo up` inside `unshare -n`
  libidn2-dev                       # policy: IDN hosts to punycode (UTS 46), as WHATWG URL (dlopen'd)
  libpcre2-dev                      # JSON Schema `pattern`
  wabt                              # wast2json (spec tests), wasm-interp (bench, difffuzz)
  binaryen                          # wasm-opt --translate-to-fuzz (differential fuzzing)
  python3                           # conformance-suite comparison scripts; https test servers
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
