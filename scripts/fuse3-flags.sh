#!/bin/sh
# Compiler or linker flags for libfuse 3, for binding.gyp:
#   scripts/fuse3-flags.sh --cflags | --libs
# Linux and macFUSE (>= 4.10 ships fuse3.pc): pkg-config fuse3. FUSE-T:
# pkg-config fuse-t, or its default install under /usr/local.
# Fails with a message naming the packages to install.
set -eu
what=${1:?--cflags or --libs}
for pc in fuse3 fuse-t; do
  if pkg-config --exists "$pc" 2>/dev/null; then
    exec pkg-config "$what" "$pc"
  fi
done
if [ "$(uname -s)" = Darwin ] && [ -f /usr/local/include/fuse3/fuse_lowlevel.h ]; then
  if [ "$what" = --cflags ]; then echo "-I/usr/local/include/fuse3"; exit 0; fi
  if [ -f /usr/local/lib/libfuse-t.dylib ]; then echo "-L/usr/local/lib -lfuse-t"; else echo "-L/usr/local/lib -lfuse3"; fi
  exit 0
fi
echo "libfuse 3 development files not found: install fuse3, libfuse3-dev and pkg-config (Debian/Ubuntu: sudo apt-get install fuse3 libfuse3-dev pkg-config), or macFUSE 4.10+ / FUSE-T on macOS" >&2
exit 1
