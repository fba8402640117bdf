#!/usr/bin/env bash
# deps.sh: installs the Debian packages wasmgate needs to build and test,
# only those that are missing (one apt-get call). Needs root or sudo when
# something is missing; does nothing otherwise.
set -euo pipefail

packages=(
  cmake make gcc clang lld          # C11 toolchain; clang+lld build wasm32 plugins
  nettle-dev                        # SHA-256: Nettle's sha256_* uses SHA-NI and costs nothing
                                    #   at start-up; libcrypto's first digest (EVP or the
                                    #   one-shot SHA256()) costs a cold call ~2 ms (bench/RESULTS.md)
  pkgconf                           # finds nettle and pcre2; the install test builds
                                    #   examples/embed with `pkg-config wasmgate`
  libssl-dev                        # OpenSSL: the TLS library of libcurl (https host API)
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
  libmicrohttpd-dev pkg-config      # `serve --http`: a maintained embeddable HTTP/1.1
                                    #   server in C (thread per connection, limits on
                                    #   connections, idle time and memory) in Debian
  nginx                             # the MCP scale-out test (2 replicas behind nginx)
  util-linux                        # unshare: socket tests run in a loopback-only netns
  wrk                               # bench/mcp: HTTP requests/s, 1 replica vs 2 behind nginx
  curl                              # the docs' `serve --http` examples, run by tests/docs
)
# node + npm run the pinned official MCP clients (tests/mcp/node). Only when
# the commands are missing: a NodeSource `nodejs` already ships npm and
# conflicts with Debian's `npm` package. Debian's node 18 is enough for
# `npm ci`; the tests themselves run on the node 22 pinned in the lock file.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

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
