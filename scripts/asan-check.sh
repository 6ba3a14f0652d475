#!/usr/bin/env bash
# The libfuse 3 binding under AddressSanitizer: builds a sanitized copy of it
# (kept in a temporary folder: node-gyp rebuild empties build/), runs the
# real-mount tests, the 10,000-operation random model test and 100 concurrent
# readers with that copy loaded into every mount and daemon process, then
# reports memory errors, and leaks the binding itself allocated (Node and V8
# keep memory until exit on purpose: those are not counted). The normal build
# stays in place.
# With --ubsan, the same with UndefinedBehaviorSanitizer instead: reports are
# its "runtime error" lines (no leak check).
# Usage: scripts/asan-check.sh [--ubsan] [test files...]   (needs gcc's libasan / libubsan)
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizer=asan
if [ "${1:-}" = --ubsan ]; then sanitizer=ubsan; shift; fi

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  # The real-mount suite (what test/fuse-native/ runs again through
  # fuse-native: test/fuse, test/writes and the two daemon files in
  # test/bin), but
  # - the memory bound: the sanitizer's own shadow memory and quarantine
  #   make the daemon's size meaningless there;
  # - under ASan, unmount-releases: it mounts inside the tap process itself,
  #   which has no ASan runtime to load the sanitized copy into.
  skip='test/writes/memory.test.ts'
  [ "$sanitizer" = asan ] && skip="$skip|test/fuse/libfuse3/unmount-releases.test.ts"
  mapfile -t tests < <(ls test/fuse/*.test.ts test/fuse/libfuse3/*.test.ts test/writes/*.test.ts \
    test/bin/megamountd.test.ts test/bin/megamountd-external-unmount.test.ts | grep -Ev "^($skip)$")
fi

logs=$(mktemp -d)
echo "asan-check: the sanitized binding ($sanitizer) and its reports go to $logs" >&2
if [ "$sanitizer" = asan ]; then
  runtime=$(gcc -print-file-name=libasan.so)
  [ -f "$runtime" ] || { echo "asan-check: gcc's libasan.so was not found (install gcc)" >&2; exit 2; }
  # ASan's runtime must come first in the process: preloaded into Node,
  # which is not built with it. exitcode=0: LeakSanitizer's report of what
  # Node and V8 keep until exit would otherwise turn every clean exit into
  # exit 1 (a daemon test checks that SIGTERM exits 0); every report, memory
  # errors included, is judged from the logs below.
  sanitizer_env=(MEGAMOUNT_TEST_PRELOAD="$runtime" ASAN_OPTIONS="detect_leaks=1:exitcode=0:log_path=$logs/asan:handle_segv=1")
else
  runtime=$(gcc -print-file-name=libubsan.so)
  [ -f "$runtime" ] || { echo "asan-check: gcc's libubsan.so was not found (install gcc)" >&2; exit 2; }
  # UBSan's runtime loads with the binding itself: nothing to preload.
  sanitizer_env=(UBSAN_OPTIONS="print_stacktrace=1:log_path=$logs/ubsan")
fi

# Build the sanitized copy, keep it aside, and put the normal build back.
npm run --silent "build:addon:$sanitizer"
cp build/Release/megamount_fuse3.node "$logs/megamount_fuse3.node"
npm run --silent build:addon
set +e
env "${sanitizer_env[@]}" \
MEGAMOUNT_FUSE3_ADDON="$logs/megamount_fuse3.node" \
MEGAMOUNT_FUSE_BACKEND=libfuse3 \
  npx tap --timeout 1800 "${tests[@]}"
status=$?
set -e

errors=0
leaks=0
for f in "$logs"/asan.* "$logs"/ubsan.*; do
  [ -e "$f" ] || continue
  if grep -q "ERROR: AddressSanitizer\|runtime error:" "$f"; then
    errors=$((errors + 1)); echo "== memory error or undefined behaviour: $f" >&2; sed -n 1,40p "$f" >&2
  fi
  # A leak counts when the binding allocated it: one of the first frames
  # above the allocator is in src/fuse/native/. V8 and Node keep memory
  # until exit on purpose, also what JavaScript called from the binding
  # allocated (those stacks pass through the binding further down).
  if grep -q "LeakSanitizer" "$f"; then
    ours=$(awk '/leak of .* allocated from:/ {frame=0; next} /^ *#[0-9]+ / {frame++; if (frame >= 2 && frame <= 5 && $0 ~ /src\/fuse\/native\//) {print; found=1}} END {exit !found}' "$f") || true
    if [ -n "$ours" ]; then
      leaks=$((leaks + 1)); echo "== leak allocated by the binding: $f" >&2
      echo "$ours" | head -20 >&2
    fi
  fi
done
echo "asan-check ($sanitizer): tests exit $status; $errors report(s) of errors, $leaks of leaks allocated by the binding"
[ "$status" -eq 0 ] && [ "$errors" -eq 0 ] && [ "$leaks" -eq 0 ]
