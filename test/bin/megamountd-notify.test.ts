// systemd readiness (Type=notify) end to end: the built daemon with
// $NOTIFY_SOCKET pointing at a datagram socket this test listens on (through
// python3: Node has no Unix datagram sockets), and systemd's own
// systemd-notify doing the sending, as under the installed unit.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { DAEMON, daemonMissing, isMounted, mountctlFor, stopDaemon, type DaemonChild } from '../helpers/daemon-process.js'
import { BridgeEmulator } from '../../src/emulator/bridge.js'

const missing =
  daemonMissing ||
  (spawnSync('python3', ['-c', 'import socket']).status !== 0 && 'python3 is needed to listen on a datagram socket') ||
  (spawnSync('systemd-notify', ['--version']).status !== 0 && 'systemd-notify is not installed')

const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('LISTENING', flush=True)
while True:
    # Passed descriptors (systemd-notify's BARRIER=1 pipe) are closed by not
    # taking them, which is what ends its wait.
    print(s.recv(65536).decode().replace('\\n', ' '), flush=True)
`

t.test('READY=1 once every autostart mount has mounted or is waiting, with a status line', { skip: missing }, async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmnotify-'))
  const account = path.join(dir, 'account')
  await fs.mkdir(path.join(account, 'Photos'), { recursive: true })
  await fs.writeFile(path.join(account, 'Photos', 'a.txt'), 'a\n')
  const emulator = new BridgeEmulator({ accountRoot: account, port: 0 })
  await emulator.start()
  const notifySocket = path.join(dir, 'notify')
  const receiver = spawn('python3', ['-c', RECEIVER, notifySocket], { stdio: ['ignore', 'pipe', 'inherit'] })
  let received = ''
  const waiters: (() => void)[] = []
  receiver.stdout!.on('data', d => {
    received += d
    for (const w of waiters.splice(0)) w()
  })
  const waitForText = async (text: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs
    while (!received.includes(text)) {
      if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms; received: ${received}`)
      // real-world wait: the receiver process prints what the daemon sent
      await new Promise<void>(r => (waiters.push(r), setTimeout(r, 200)))
    }
  }
  const mp = path.join(dir, 'mnt', 'photos')
  let daemon: DaemonChild | null = null
  t.teardown(async () => {
    if (daemon) await stopDaemon(daemon, [mp])
    receiver.kill()
    await emulator.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  await waitForText('LISTENING', 20_000) // python's start-up

  const config = path.join(dir, 'mounts.json')
  await fs.writeFile(
    config,
    JSON.stringify({
      mounts: [
        { name: 'photos', url: emulator.serve('/Photos'), mountpoint: mp },
        { name: 'never', url: 'http://127.0.0.1:1/AAAAAAAA/Nothing', mountpoint: path.join(dir, 'mnt', 'never') },
        { name: 'manual', url: emulator.serve('/Photos'), mountpoint: path.join(dir, 'mnt', 'manual'), autostart: false },
      ],
    }),
  )
  const socket = path.join(dir, 'c.sock')
  let log = ''
  const child = spawn(process.execPath, [DAEMON, '--config', config, '--socket', socket, '--state-dir', path.join(dir, 'state')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NOTIFY_SOCKET: notifySocket },
  })
  child.stdout!.on('data', d => (log += d))
  child.stderr!.on('data', d => (log += d))
  daemon = { process: child, pid: child.pid!, exited: new Promise(r => child.once('exit', r)), log: () => log }

  await waitForText('READY=1', 30_000) // the daemon's start and first mount attempts
  t.ok(await isMounted(mp), 'photos is mounted when READY=1 arrives')
  t.match(received, /READY=1 STATUS=1 of 2 mounts mounted, 1 waiting/)
  const { states } = mountctlFor<{ name: string; state: string }>(socket)
  const s = await states()
  t.equal(s.photos!.state, 'mounted')
  t.equal(s.never!.state, 'waiting')
  t.match(log, /"status":"1 of 2 mounts mounted, 1 waiting","msg":"ready: every autostart mount has mounted/)
  t.equal(received.match(/READY=1/g)!.length, 1, 'sent once')
})
