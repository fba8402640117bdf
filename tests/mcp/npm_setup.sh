#!/bin/sh
# npm_setup.sh SRC_DIR DEST_DIR: installs the pinned MCP clients (package.json
# + the committed package-lock.json of SRC_DIR) into DEST_DIR in the build
# tree with `npm ci`, and copies the node test scripts beside them (ESM
# resolves packages from the importing file's folder). Runs outside the
# tests' network namespace: npm needs the registry. A repeated run with an
# unchanged lock file skips the install.
set -eu
src=$1
dest=$2
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "npm_setup.sh: node and npm are required (scripts/deps.sh installs them)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "npm_setup.sh: node $(node --version) cannot run npm ci for these tests; need node >= 18 (the tests themselves run on the pinned node 22 from the lock file)" >&2
  exit 1
fi
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
cp "$src"/package.json "$src"/package-lock.json "$src"/*.mjs "$src"/*.yml "$dest"/
stamp="$dest/node_modules/.wg-lock-stamp"
if [ -f "$stamp" ] && cmp -s "$stamp" "$src/package-lock.json"; then
  echo "npm_setup.sh: up to date"
  exit 0
fi
cd "$dest"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
cp package-lock.json "$stamp"
"$dest/node_modules/.bin/node" --version
