import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { rawRequest } from '../../src/emulator/raw-request.js'

// The command-line emulator as a child process (compiled: npm run build).

const mainJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/src/emulator/main.js')

function start(args: string[]) {
  const child = spawn(process.execPath, [mainJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => (stdout += d))
  child.stderr.on('data', d => (stderr += d))
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  return { child, exited, out: () => stdout, err: () => stderr }
}

t.test('serves, prints MEGAcmd lines, stops on SIGTERM', async t => {
  t.ok(fs.existsSync(mainJs), 'built (run npm run build if not)')
  const accountRoot = t.testdir({ Photos: { 'a.txt': 'hello' }, 'My Docs': {} })
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-main-'))
  t.teardown(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const stateFile = path.join(stateDir, 'state.json')
  const run = start(['--account', accountRoot, '--serve', '/Photos', '--serve', '/My Docs', '--port', '0', '--state-file', stateFile])
  t.teardown(() => run.child.kill('SIGKILL'))
  while (run.out().split('\n').length < 3) {
    const [chunk] = await Promise.race([once(run.child.stdout, 'data'), run.exited.then(() => [null])])
    if (chunk === null) break
  }
  const lines = run.out().trimEnd().split('\n')
  t.equal(lines.length, 2, run.err())
  t.match(lines[0], /^Serving via webdav \/Photos: http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{8}\/Photos$/)
  t.match(lines[1], /^Serving via webdav \/My Docs: http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{8}\/My%20Docs$/)
  const url = new URL(lines[0]!.split(': ')[1]!)
  const got = await rawRequest({ port: Number(url.port), method: 'GET', path: url.pathname + '/a.txt' })
  t.equal(got.body.toString(), 'hello')
  t.equal(JSON.parse(fs.readFileSync(stateFile, 'utf8')).running, true)
  run.child.kill('SIGTERM')
  const [code] = await run.exited
  t.equal(code, 0)
  t.equal(JSON.parse(fs.readFileSync(stateFile, 'utf8')).running, false)
})

t.test('bad arguments: exit 2 with a message saying what to do', async t => {
  const accountRoot = t.testdir({ Photos: {} })
  const cases: Array<[string[], RegExp]> = [
    [['--serve', '/Photos'], /--account DIR is required/],
    [['--account', accountRoot], /give at least one --serve/],
    [['--account', accountRoot, '--serve', '/Missing', '--port', '0'], /\/Missing does not exist/],
    [['--account', accountRoot, '--serve', '/Photos', '--port', 'x'], /--port must be a number/],
    [['--account', accountRoot, '--serve', '/Photos', '--bandwidth-mbps', '0'], /greater than 0/],
    [['--account', accountRoot, '--serve', '/Photos', '--body-fault', 'broken'], /--body-fault must be one of short-body, range-mismatch, short-range, gzip/],
    [['--account', accountRoot, '--serve', '/Photos', '--body-fault-count', '2'], /--body-fault-count needs --body-fault/],
    [['--nope'], /Unknown option/],
  ]
  for (const [args, message] of cases) {
    const run = start(args)
    const [code] = await run.exited
    t.equal(code, 2, args.join(' '))
    t.match(run.err(), message)
    t.match(run.err(), /Usage:/)
  }
})

t.test('--body-fault breaks the first --body-fault-count GET bodies', async t => {
  const accountRoot = t.testdir({ Photos: { 'a.txt': '0123456789' } })
  const run = start(['--account', accountRoot, '--serve', '/Photos', '--port', '0', '--body-fault', 'short-body', '--body-fault-count', '1'])
  t.teardown(() => run.child.kill('SIGKILL'))
  while (!run.out().includes('\n')) {
    const [chunk] = await Promise.race([once(run.child.stdout, 'data'), run.exited.then(() => [null])])
    if (chunk === null) break
  }
  const url = new URL(run.out().trim().split(': ')[1]!)
  const get = () => rawRequest({ port: Number(url.port), method: 'GET', path: url.pathname + '/a.txt', headers: [['Range', 'bytes=2-5']] })
  t.equal((await get()).body.toString(), '23', 'half of the range')
  t.equal((await get()).body.toString(), '2345', 'then honest')
})
