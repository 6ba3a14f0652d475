#!/usr/bin/env bash
# Builds fsx, the file system exerciser from xfstests (ltp/fsx.c, GPL-2.0, kept unmodified
# here beside its two headers), into the folder given (default: a temporary one), and prints
# the binary's path. One change is made at build time: the expected final content is also
# written to FILE.fsxgood when a run succeeds (upstream writes it only on failure), so a test
# can compare it with the copy on the server once the upload queue is empty.
# Usage: test/tools/fsx/build.sh [OUTDIR]
#        fsx -N 20000 -S SEED MOUNT/fsx.dat     (fsx -h for the options)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
cp "$here"/fsx.c "$here"/global.h "$here"/statx.h "$here"/config.h "$out"/
cd "$out"
python3 - <<'PY'
s = open('fsx.c').read()
o = '\tprt("All %lld operations completed A-OK!\\n", testcalls);'
assert s.count(o) == 1, 'fsx.c changed upstream: patch point not found'
open('fsx.c', 'w').write(s.replace(o, '\tif (fsxgoodfd && good_buf) { save_buffer(good_buf, file_size, fsxgoodfd); close(fsxgoodfd); }\n' + o))
PY
gcc -O2 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. -o fsx fsx.c
echo "$out/fsx"
