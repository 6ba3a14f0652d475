# The libfuse 3 binding (src/fuse/native/), built from source by node-gyp at
# install time: `npm install` runs scripts/build-addon.mjs, which falls back
# to fuse-native with a one-line note when this cannot be built.
# scripts/fuse3-flags.sh finds libfuse 3: pkg-config fuse3 (Linux, macFUSE
# >= 4.10), or FUSE-T's library on macOS.
{
  "targets": [
    {
      "target_name": "megamount_fuse3",
      "sources": [
        "src/fuse/native/binding.cc",
        "src/fuse/native/ops.cc",
        "src/fuse/native/session.cc",
        "src/fuse/native/mount-linux.cc",
        "src/fuse/native/mount-darwin.cc",
        "src/fuse/native/memory.cc"
      ],
      "defines": ["_FILE_OFFSET_BITS=64", "NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "<!@(sh scripts/fuse3-flags.sh --cflags)"],
      "libraries": ["<!@(sh scripts/fuse3-flags.sh --libs)"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "MACOSX_DEPLOYMENT_TARGET": "11.0",
            "OTHER_CPLUSPLUSFLAGS": ["<!@(sh scripts/fuse3-flags.sh --cflags)"]
          }
        }]
      ]
    }
  ]
}
