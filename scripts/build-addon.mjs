// Builds megamount's libfuse 3 binding (binding.gyp, src/fuse/native/) with
// node-gyp. Run by `npm install` (the "install" script) and by setup.sh.
// A build that cannot happen (no compiler, no libfuse 3 headers) must not
// fail the install: megamount then mounts with fuse-native (libfuse 2). It
// prints one line saying so and how to get the faster binding, and leaves
// the reason in build/addon-status.json for `mountctl doctor` and status.
//
//   node scripts/build-addon.mjs            as above
//   node scripts/build-addon.mjs --strict   fail (exit 1) when it cannot build
//   node scripts/build-addon.mjs --asan     AddressSanitizer build (docs/filesystem.md)
//   node scripts/build-addon.mjs --ubsan    UndefinedBehaviorSanitizer build (same page)
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const strict = process.argv.includes('--strict')
const asan = process.argv.includes('--asan')
const ubsan = process.argv.includes('--ubsan')
const FIX = process.platform === 'darwin'
  ? 'install macFUSE 4.10 or newer (or FUSE-T) and the Xcode command line tools'
  : 'sudo apt-get install -y fuse3 libfuse3-dev pkg-config g++ make python3'

// npm hands its own node-gyp to scripts; outside npm, one on PATH.
const gyp = process.env.npm_config_node_gyp
const [cmd, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []]
const env = { ...process.env }
const sanitizers = [asan && 'address', ubsan && 'undefined'].filter(Boolean).join(',')
if (sanitizers) {
  const flags = `-fsanitize=${sanitizers} -fno-omit-frame-pointer -g -O1`
  env.CFLAGS = `${env.CFLAGS ?? ''} ${flags}`
  env.CXXFLAGS = `${env.CXXFLAGS ?? ''} ${flags}`
  env.LDFLAGS = `${env.LDFLAGS ?? ''} -fsanitize=${sanitizers}`
}
const result = spawnSync(cmd, [...args, 'rebuild'], { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`

mkdirSync(path.join(root, 'build'), { recursive: true })
writeFileSync(path.join(root, 'build', 'addon-build.log'), output)
if (result.status === 0) {
  writeFileSync(path.join(root, 'build', 'addon-status.json'), JSON.stringify({ built: true, asan, ubsan }) + '\n')
  const named = [asan && 'AddressSanitizer', ubsan && 'UndefinedBehaviorSanitizer'].filter(Boolean).join(', ')
  console.error(`megamount: built the libfuse 3 binding${named ? ` (${named})` : ''}`)
  process.exit(0)
}

function reasonOf(text) {
  if (result.error?.code === 'ENOENT') return 'node-gyp was not found'
  const libfuse = text.match(/libfuse 3 development files not found[^\n]*/)
  if (libfuse) return 'the libfuse 3 development files are not installed'
  if (/not found: (make|g\+\+|c\+\+)|gyp ERR! stack Error: not found|No such file or directory.*(g\+\+|c\+\+|cc)\b/i.test(text)) return 'no C++ compiler or make'
  if (/find Python|python/i.test(text) && /gyp ERR! find Python/.test(text)) return 'Python (for node-gyp) is not installed'
  if (/node-v[\d.]+-headers|download|network/i.test(text)) return "Node's headers are not installed and could not be downloaded"
  const err = text.split('\n').find(l => /error:/.test(l))
  return err ? `the compiler failed: ${err.trim().slice(0, 200)}` : 'node-gyp failed'
}
const reason = reasonOf(output)
writeFileSync(path.join(root, 'build', 'addon-status.json'), JSON.stringify({ built: false, reason, fix: FIX }) + '\n')
console.error(`megamount: the libfuse 3 binding was not built (${reason}); mounts will use fuse-native (libfuse 2). For the faster binding: ${FIX}, then npm rebuild megamount (details: build/addon-build.log)`)
process.exit(strict ? 1 : 0)
