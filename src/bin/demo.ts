#!/usr/bin/env node
// `npm run demo`: mounts a sample MEGA folder with no MEGA account needed.
// The built-in bridge emulator serves a sample account; megamountd runs as a
// child process (the mount is served there, never in the process that
// reads it) and this process waits until Ctrl-C, then unmounts cleanly.

const { runDemo } = await import('../daemon/demo.js')
process.exit(await runDemo(process.env))
