import t from 'tap'
import { CommandNotFoundError, CommandTimeoutError, execFileRunner } from '../../src/megacmd/command-runner.js'

t.test('arguments reach the program unchanged, no shell', async (t) => {
  const r = await execFileRunner(process.execPath, ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', 'a b', '$HOME', ';true'])
  t.same(JSON.parse(r.stdout), ['a b', '$HOME', ';true'])
  t.equal(r.exitCode, 0)
})

t.test('a non-zero exit resolves with its status and output', async (t) => {
  const r = await execFileRunner(process.execPath, ['-e', 'process.stderr.write("nope"); process.exit(3)'])
  t.equal(r.exitCode, 3)
  t.equal(r.stderr, 'nope')
})

t.test('missing program and timeout reject with their own errors', async (t) => {
  await t.rejects(execFileRunner('definitely-not-a-command-xyz', []), CommandNotFoundError)
  // real-world wait: a child process that hangs, killed by node's execFile timeout (no injected time there)
  await t.rejects(execFileRunner(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { timeoutMs: 200 }), CommandTimeoutError)
})
