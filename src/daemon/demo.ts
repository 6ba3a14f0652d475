// The demo's steps; src/bin/demo.ts only starts it and exits with its status.
import { spawn } from 'node:child_process'
import { constants as fsConstants } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultStateDir, type Env } from '../config/paths.js'
import { CommandFailed, DaemonNotRunningError, callDaemon } from '../control/client.js'
import { maxSocketPathBytes } from '../control/socket-path.js'
import { BridgeEmulator } from '../emulator/bridge.js'
import { DEMO_DUPLICATE, DEMO_FOLDER, createDemoAccount } from './demo-account.js'
import type { MountStatus } from '../control/wire-types.js'

const MOUNT_WAIT_MS = 30_000

async function onPath(command: string, env: Env): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const file = path.join(dir, command)
    if (await fs.access(file, fsConstants.X_OK).then(() => true, () => false)) return file
  }
  return null
}

/** ~/MEGA/Demo when it is free (missing, empty, or a dead mount), else a folder under the state dir. */
async function chooseMountpoint(env: Env, demoDir: string): Promise<string> {
  const preferred = path.join(env.HOME || os.homedir(), 'MEGA', 'Demo')
  try {
    const names = await fs.readdir(preferred)
    if (names.length === 0) return preferred
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTCONN') return preferred
  }
  return path.join(demoDir, 'mnt', 'Demo')
}

function chooseSocket(demoDir: string): string {
  const p = path.join(demoDir, 'control.sock')
  if (Buffer.byteLength(p) < maxSocketPathBytes()) return p
  return path.join(os.tmpdir(), `megamount-demo-${process.getuid?.() ?? 'user'}.sock`)
}

async function waitForMount(socket: string, name: string, child: { exitCode: number | null }): Promise<MountStatus | string> {
  const deadline = Date.now() + MOUNT_WAIT_MS
  let last: MountStatus | undefined
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return `megamountd exited with status ${child.exitCode}`
    try {
      last = (await callDaemon(socket, 'status', { name }, { timeoutMs: 5_000 })).mounts[0]
      if (last?.state === 'mounted' || last?.state === 'failed') return last
    } catch (err) {
      if (!(err instanceof DaemonNotRunningError || err instanceof CommandFailed)) throw err
    }
    await new Promise(r => setTimeout(r, 200))
  }
  return last ?? `megamountd did not answer within ${MOUNT_WAIT_MS / 1000} s`
}

export async function runDemo(env: Env): Promise<number> {
  const say = (text = '') => process.stdout.write(text + '\n')
  const demoDir = path.join(defaultStateDir(env), 'demo')
  const accountRoot = path.join(demoDir, 'account')
  const configFile = path.join(demoDir, 'mounts.json')
  const logFile = path.join(demoDir, 'megamountd.log')
  const socket = chooseSocket(demoDir)
  const bin = path.dirname(fileURLToPath(import.meta.url)).replace(/daemon$/, 'bin')

  const megaWebdav = await onPath('mega-webdav', env)
  if (megaWebdav) {
    say(`MEGAcmd found (${megaWebdav}). To mount a real folder of your account:`)
    say('  1. serve it:        mega-webdav /Photos     (prints http://127.0.0.1:4443/<handle>/Photos)')
    say('  2. add a profile to ~/.config/megamount/mounts.json:')
    say('       { "mounts": [ { "name": "photos", "url": "<the URL it printed>", "mountpoint": "~/MEGA/Photos" } ] }')
    say('     or, to let megamount find the URL itself: "megaPath": "/Photos" instead of "url"')
    say('  3. start the daemon: megamountd &      then check: mountctl status')
    say()
    say('Meanwhile, here is the demo with the built-in emulator (no account needed):')
    say()
  }

  await fs.mkdir(demoDir, { recursive: true, mode: 0o700 })
  await createDemoAccount(accountRoot)
  const emulator = new BridgeEmulator({ accountRoot, port: 0, uploadTempDir: path.join(demoDir, 'uploads') })
  await fs.mkdir(path.join(demoDir, 'uploads'), { recursive: true })
  await emulator.start()
  const url = emulator.serve(DEMO_FOLDER)
  emulator.addDuplicate(DEMO_DUPLICATE, 'file', 12)
  const mountpoint = await chooseMountpoint(env, demoDir)
  await fs.writeFile(configFile, JSON.stringify({ settings: { healthIntervalSeconds: 5 }, mounts: [{ name: 'demo', url, mountpoint }] }, null, 2) + '\n')

  const log = await fs.open(logFile, 'w')
  const child = spawn(process.execPath, [path.join(bin, 'megamountd.js'), '--config', configFile, '--socket', socket, '--state-dir', demoDir], {
    stdio: ['ignore', log.fd, log.fd],
    // Its own process group: Ctrl-C reaches only the demo, which then stops
    // the daemon once, in order (a second signal would force it to exit).
    detached: true,
    env: { ...process.env, ...env },
  })
  const exited = new Promise<number>(resolve => child.once('exit', code => resolve(code ?? 1)))

  const shutdown = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
    await emulator.stop()
    await log.close()
  }

  const outcome = await waitForMount(socket, 'demo', child)
  if (typeof outcome === 'string' || outcome.state !== 'mounted') {
    say(`The demo could not mount: ${typeof outcome === 'string' ? outcome : `${outcome.state}: ${outcome.lastError?.message ?? ''}`}`)
    if (typeof outcome !== 'string' && outcome.lastError) say(`  fix: ${outcome.lastError.hint}`)
    say(`  daemon log: ${logFile}`)
    await shutdown()
    return 1
  }
  const ctl = `node ${path.relative(process.cwd(), path.join(bin, 'mountctl.js')) || path.join(bin, 'mountctl.js')}`
  say('megamount demo: a sample MEGA folder is mounted.')
  say()
  say(`  mounted on:     ${mountpoint}`)
  say(`  served from:    ${url}  (built-in MEGA bridge emulator)`)
  say(`  sample account: ${accountRoot}`)
  say(`  profile file:   ${configFile}`)
  say(`  daemon log:     ${logFile}`)
  say()
  say('Try, in another terminal:')
  say(`  ls -l "${mountpoint}"`)
  say(`  cat "${mountpoint}/Documents/Résumé 2024.txt"`)
  say(`  ${ctl} --socket ${socket} status`)
  say(`  ${ctl} --socket ${socket} status --json`)
  say()
  say('Press Ctrl-C to unmount and stop.')

  await new Promise<void>(resolve => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    void exited.then(stop)
  })
  say('Stopping: unmounting the demo folder...')
  await shutdown()
  say('Done: nothing is left mounted.')
  return 0
}
