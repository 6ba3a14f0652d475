#!/usr/bin/env bash
# The libfuse 3 binding under AddressSanitizer: builds a sanitized copy of it
# (build/asan/), runs the real-mount tests, the 10,000-operation random model
# test and 100 concurrent readers with that copy loaded into every mount and
# daemon process, then reports memory errors, and leaks whose allocation
# passed through the binding (Node and V8 keep memory until exit on purpose:
# those are not counted). The normal build stays in place.
# Usage: scripts/asan-check.sh [test files...]   (needs gcc's libasan)
set -euo pipefail
cd "$(dirname "$0")/.."

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(test/fuse test/writes test/fuse/libfuse3/concurrent-readers.test.ts)

libasan=$(gcc -print-file-name=libasan.so)
[ -f "$libasan" ] || { echo "asan-check: gcc's libasan.so was not found (install gcc)" >&2; exit 2; }

# Build the sanitized copy, keep it aside, and put the normal build back.
npm run --silent build:addon:asan
mkdir -p build/asan
cp build/Release/megamount_fuse3.node build/asan/megamount_fuse3.node
npm run --silent build:addon

logs=$(mktemp -d)
echo "asan-check: sanitizer reports go to $logs" >&2
set +e
MEGAMOUNT_FUSE3_ADDON="$PWD/build/asan/megamount_fuse3.node" \
MEGAMOUNT_TEST_PRELOAD="$libasan" \
ASAN_OPTIONS="detect_leaks=1:log_path=$logs/asan:handle_segv=1" \
MEGAMOUNT_FUSE_BACKEND=libfuse3 \
  npx tap --timeout 1800 "${tests[@]}"
status=$?
set -e

errors=0
leaks=0
for f in "$logs"/asan.*; do
  [ -e "$f" ] || continue
  if grep -q "ERROR: AddressSanitizer" "$f"; then
    errors=$((errors + 1)); echo "== memory error: $f" >&2; sed -n 1,40p "$f" >&2
  fi
  # A leak report counts when one of its stacks goes through the binding.
  if grep -q "LeakSanitizer" "$f" && grep -qE "megamount_fuse3|src/fuse/native/" "$f"; then
    leaks=$((leaks + 1)); echo "== leak through the binding: $f" >&2
    grep -B2 -A12 -E "megamount_fuse3|src/fuse/native/" "$f" | head -60 >&2
  fi
done
echo "asan-check: tests exit $status; $errors report(s) of memory errors, $leaks of leaks through the binding"
[ "$status" -eq 0 ] && [ "$errors" -eq 0 ] && [ "$leaks" -eq 0 ]
