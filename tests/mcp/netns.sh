#!/bin/sh
# netns.sh: runs a command in a new network namespace whose only interface
# is loopback (up), so a test that opens sockets cannot reach anything but
# servers it starts on 127.0.0.1. Fails loudly when unshare is unavailable:
# such a test must never fall back to the machine's real network.
set -eu
if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
  echo "netns.sh: unshare and ip are required (util-linux, iproute2); refusing to run outside a network namespace" >&2
  exit 1
fi
exec unshare -n sh -c 'ip link set lo up && exec "$@"' netns "$@"
