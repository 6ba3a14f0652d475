#!/usr/bin/env bash
# Installs what megamount needs to build, run its demo and its tests:
# the npm packages, and the Debian packages behind FUSE (libfuse2 for
# fuse-native's prebuilt binary, fuse for fusermount) plus the independent
# WebDAV peers the tests and benchmarks use (rclone, rsync, glib's gio).
# As root it installs them; otherwise it prints the exact command to run.
# Usage: scripts/setup.sh [--bench]
set -euo pipefail
cd "$(dirname "$0")/.."

need_cmds=(fusermount rclone rsync gio)
debs=(libfuse2 fuse rclone rsync libglib2.0-bin)

missing=()
ldconfig -p 2>/dev/null | grep -q 'libfuse\.so\.2' || missing+=(libfuse2)
for c in "${need_cmds[@]}"; do
  command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done

if [ "$(uname -s)" = "Linux" ] && [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${debs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${debs[@]}" >/dev/null
  else
    echo "setup: missing: ${missing[*]}" >&2
    echo "setup: run this once, then try again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${debs[*]}" >&2
    exit 1
  fi
fi

# npm packages: only when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
