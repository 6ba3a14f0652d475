// Limits through real mounts:
//  - entries a server lists that cannot be files ('.', '..', a NUL, 300
//    bytes, a size of 1e23 or 2^63) are left out: `ls -la` shows '.' and '..'
//    once, nothing shows that cannot be opened;
//  - `truncate -s 999999999999999` answers "File too large" (EFBIG);
//  - the FUSE layer hands over paths past 4,095 bytes: a file 4,276 bytes
//    deep reads through relative steps, and only an absolute path longer
//    than the kernel's PATH_MAX fails ("File name too long", from the kernel).
// Mounts live in child processes; the files are read by shell processes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { bash } from '../helpers/bash.js'
import { deepFilePath } from '../helpers/fs-cases.js'
import { startMountChild, type MountChild } from '../helpers/mount-child-process.js'

const sh = (cwd: string, script: string, args: string[] = []) =>
  bash(script, { cwd }, args).then(
    r => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  )

t.test('entries that cannot be files are left out; truncate past the limit is EFBIG', async t => {
  const root = await mkdtemp(join(tmpdir(), 'megamount-limits-'))
  await mkdir(join(root, 'account', 'Drive'), { recursive: true })
  await writeFile(join(root, 'account', 'Drive', 'ok.txt'), 'ok\n')
  const emulator = new BridgeEmulator({ accountRoot: join(root, 'account'), uploadTempDir: root })
  await emulator.start()
  let child: MountChild | null = null
  t.teardown(async () => {
    await child?.stop()
    await emulator.stop()
    await rm(root, { recursive: true, force: true })
  })
  emulator.addListedOnly('/Drive', '.', { kind: 'folder' })
  emulator.addListedOnly('/Drive', '..', { kind: 'folder' })
  emulator.addListedOnly('/Drive', 'nul\0here.txt', { size: 3 })
  emulator.addListedOnly('/Drive', 'n'.repeat(300), { size: 3 })
  emulator.addListedOnly('/Drive', 'huge.bin', { size: '100000000000000000000000' })
  emulator.addListedOnly('/Drive', 'int64.bin', { size: '9223372036854775808' })
  child = await startMountChild(['--url', emulator.serve('/Drive'), '--state-dir', join(root, 'state'), '--upload-delay-ms', '100'])

  const ls = await sh(child.mountpoint, 'ls -a1')
  t.equal(ls.out, '.\n..\nok.txt\n', "'.' and '..' once, nothing that cannot be opened")
  const stat = await sh(child.mountpoint, 'stat -c %s huge.bin; stat -c %s int64.bin')
  t.match(stat.out, /cannot statx? 'huge\.bin': No such file or directory[\s\S]*'int64\.bin': No such file or directory/)
  const stats = await child.stats()
  t.match(stats, { vfs: { unusableNames: 6 } }, 'counted for status')

  const truncate = await sh(child.mountpoint, 'truncate -s 999999999999999 ok.txt')
  t.not(truncate.code, 0)
  t.match(truncate.out, /File too large/)
  t.equal((await sh(child.mountpoint, 'cat ok.txt')).out, 'ok\n', 'the file is unchanged')
})

t.test('paths past 4,095 bytes inside the mount', async t => {
  const bytes = 4276
  const deep = deepFilePath(bytes)
  const child = await startMountChild(['--deep-file-bytes', String(bytes)])
  t.teardown(() => child.stop())
  const steps = deep.split('/').filter(Boolean)
  // One component at a time: no single system call sees more than a name.
  const relative = await sh(child.mountpoint, 'for d in "${@:1:$#-1}"; do cd "$d" || exit 1; done; cat "${@: -1}"; stat -c %s "${@: -1}"', steps)
  t.equal(relative.out, 'deep file\n10\n', `a file ${bytes} bytes deep reads and stats`)
  const absolute = await sh('/', 'cat "$1"', [child.mountpoint + deep])
  t.match(absolute.out, /File name too long/, 'only a whole path past PATH_MAX is refused, by the kernel')
})
