import t from 'tap'
import { ProgressLine } from '../../src/cli/progress-line.js'

function io(tty: boolean) {
  const out: string[] = []
  return { out, io: { stdout: (s: string) => void out.push(s), stderr: () => {}, env: {}, stdoutIsTty: tty } }
}

t.test('terminal: one line rewritten in place, ended once', async t => {
  const { out, io: cli } = io(true)
  const p = new ProgressLine(cli)
  p.show('a', 'k')
  p.show('b', 'k')
  p.end()
  p.end()
  t.same(out, ['\r\x1b[Ka', '\r\x1b[Kb', '\n'])
})

t.test('plain: a line when the key changes or every plainEveryMs', async t => {
  const { out, io: cli } = io(false)
  const p = new ProgressLine(cli, 10_000)
  p.show('3 left 10%', '3', 0)
  p.show('3 left 20%', '3', 5_000)
  p.show('2 left', '2', 6_000)
  p.show('2 left 50%', '2', 16_000)
  p.end()
  t.same(out, ['3 left 10%\n', '2 left\n', '2 left 50%\n'])
})
