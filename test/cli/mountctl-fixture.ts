// A daemon over FakeBackend on a real socket, and mountctl run in-process
// against it with a scripted terminal (tap reports "no tests found" here).
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runMountctl } from '../../src/cli/main.js'
import type { CliIo } from '../../src/cli/command.js'
import { Daemon } from '../../src/daemon/daemon.js'
import { ManualTime, settle } from '../helpers/manual-time.js'
import { silentLogger } from '../../src/log.js'
import { FakeBackend } from '../daemon/fake-backend.js'
import type { FakeUploadQueue } from '../daemon/fake-upload-queue.js'

export const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'

export interface Terminal {
  tty?: boolean
  /** Answers to confirm(), in order; none: no terminal to ask on. */
  answers?: boolean[]
}

export interface CtlResult {
  code: number
  stdout: string
  stderr: string
  questions: string[]
}

export async function mountctlFixture(t: { teardown(fn: () => unknown): void }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmctl-'))
  const configFile = path.join(dir, 'mounts.json')
  const mountpoint = path.join(dir, 'Photos')
  await fs.writeFile(configFile, JSON.stringify({ mounts: [{ name: 'photos', url: URL_A, mountpoint }] }))
  const backend = new FakeBackend()
  const time = new ManualTime()
  backend.queueTime = time
  const socketPath = path.join(dir, 'c.sock')
  const daemon = new Daemon({ configFile, socketPath, stateDir: path.join(dir, 's'), backend, time, logger: silentLogger, version: 't', stopTimeoutMs: 0 })
  await daemon.start()
  await daemon.idle()
  await settle()
  t.teardown(async () => {
    await daemon.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  const queue: FakeUploadQueue = backend.queues.get('photos')!

  /** Runs mountctl; onOutput sees stdout as it grows (to act mid-command). */
  async function ctl(argv: string[], term: Terminal = {}, onOutput?: (stdout: string) => void): Promise<CtlResult> {
    let stdout = ''
    let stderr = ''
    const questions: string[] = []
    const answers = [...(term.answers ?? [])]
    const io: CliIo = {
      stdout: s => {
        stdout += s
        onOutput?.(stdout)
      },
      stderr: s => void (stderr += s),
      env: { HOME: '/nonexistent-home' },
      stdoutIsTty: term.tty ?? false,
      confirm: term.answers ? async q => (questions.push(q), answers.shift() ?? false) : undefined,
      pollIntervalMs: 5,
    }
    const code = await runMountctl(['--socket', socketPath, ...argv], io)
    return { code, stdout, stderr, questions }
  }
  return { dir, daemon, backend, time, queue, mountpoint, ctl }
}
