#!/usr/bin/env bash
# Installs what megamount needs to build, run its demo and its tests:
# - the Debian packages behind FUSE: fuse3 (fusermount3, which libfuse 2
#   also uses through Debian's fusermount link), libfuse3-dev, pkg-config
#   and a compiler for megamount's own libfuse 3 binding, and libfuse2 for
#   fuse-native, the fallback backend the tests also run;
# - the independent WebDAV peers the tests and benchmarks use (rclone,
#   rsync, glib's gio);
# - the npm packages, and the libfuse 3 binding when it is not built yet.
# As root it installs the Debian packages; otherwise it prints the exact
# command to run.
# Usage: scripts/setup.sh [--bench]
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(fuse3 libfuse3-dev pkg-config g++ make python3 libfuse2 rclone rsync libglib2.0-bin)

missing=()
if [ "$(uname -s)" = "Linux" ]; then
  ldconfig -p 2>/dev/null | grep -q 'libfuse\.so\.2' || missing+=(libfuse2)
  pkg-config --exists fuse3 2>/dev/null || missing+=(libfuse3-dev)
  for c in fusermount3 pkg-config g++ make python3 rclone rsync gio; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
  done
fi

if [ ${#missing[@]} -gt 0 ]; then
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

# npm packages: only when node_modules is missing or older than the lock
# file. npm ci also builds the libfuse 3 binding (the "install" script).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
elif [ ! -f build/Release/megamount_fuse3.node ] || [ -n "$(find src/fuse/native binding.gyp -newer build/Release/megamount_fuse3.node 2>/dev/null)" ]; then
  # A checkout whose binding is missing or older than its sources. Through
  # npm, which hands the build its node-gyp and the Node headers' location.
  npm run --silent install
fi
