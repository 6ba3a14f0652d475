import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { silentLogger } from '../../src/log.js'
import { ProfileWatcher, watchFolder, type WatchFolder } from '../../src/daemon/profile-watcher.js'
import { ManualTime } from '../helpers/manual-time.js'

function setup(t: { testdir(files?: Record<string, string>): string }) {
  const dir = t.testdir({ 'mounts.json': '{ "mounts": [] }\n' })
  const file = path.join(dir, 'mounts.json')
  const time = new ManualTime()
  let emit: (name: string | null) => void = () => {}
  let fail: (err: Error) => void = () => {}
  let closed = 0
  const watch: WatchFolder = (folder, onChange, onError) => {
    t_folder = folder
    emit = onChange
    fail = onError
    return { close: () => void closed++ }
  }
  let t_folder = ''
  let reloads = 0
  const watcher = new ProfileWatcher({ file, time, logger: silentLogger, reload: async () => void reloads++, watch })
  return { file, dir, time, watcher, emit: (n: string | null) => emit(n), fail: (e: Error) => fail(e), reloads: () => reloads, closed: () => closed, folder: () => t_folder }
}

t.test('a burst of events is one reload, after 500 ms of quiet, only when the content changed', async t => {
  const s = setup(t)
  await s.watcher.start()
  t.equal(s.folder(), s.dir, 'the folder is watched')
  s.emit('mounts.json')
  await s.time.advance(1_000)
  await s.watcher.idle()
  t.equal(s.reloads(), 0, 'touched, same content: nothing')
  await fs.writeFile(s.file, '{ "mounts": [ ] }\n')
  s.emit('.mounts.json.swp')
  await s.time.advance(1_000)
  t.equal(s.reloads(), 0, 'other files are ignored')
  s.emit('mounts.json')
  await s.time.advance(300)
  s.emit('mounts.json')
  await s.time.advance(300)
  t.equal(s.reloads(), 0, 'still settling')
  await s.time.advance(200)
  await s.watcher.idle()
  t.equal(s.reloads(), 1)
  s.emit(null)
  await s.time.advance(500)
  await s.watcher.idle()
  t.equal(s.reloads(), 1, 'no change since')
  await fs.rm(s.file)
  s.emit('mounts.json')
  await s.time.advance(500)
  await s.watcher.idle()
  t.equal(s.reloads(), 2, 'a removed file is applied too')
  s.watcher.stop()
  t.equal(s.closed(), 1)
  t.equal(s.time.pending, 0)
})

t.test('a watch error is survived', async t => {
  const s = setup(t)
  await s.watcher.start()
  s.fail(new Error('ENOSPC: inotify watches exhausted'))
  t.equal(s.closed(), 1)
  s.watcher.stop()
  const broken = new ProfileWatcher({ file: path.join(s.dir, 'x.json'), time: s.time, logger: silentLogger, reload: async () => {}, watch: () => { throw new Error('EACCES') } })
  await broken.start()
  broken.stop()
})

t.test('the real fs.watch reports a rename over the file', async t => {
  const dir = t.testdir({ 'mounts.json': 'a' })
  const names: (string | null)[] = []
  const w = watchFolder(dir, n => names.push(n), () => {})
  t.teardown(() => w.close())
  await fs.writeFile(path.join(dir, '.tmp'), 'b')
  await fs.rename(path.join(dir, '.tmp'), path.join(dir, 'mounts.json'))
  // real-world wait: the kernel's inotify events arrive on their own
  for (let i = 0; i < 50 && !names.includes('mounts.json'); i++) await new Promise(r => setTimeout(r, 20))
  t.ok(names.includes('mounts.json'), `events: ${names.join(', ')}`)
})
