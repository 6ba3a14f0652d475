import t from 'tap'
import { doctorExitCode, formatReport, runChecks } from '../../src/doctor/report.js'

t.test('runs every check, a throwing one is a failure, order kept', async (t) => {
  const outcomes = await runChecks([
    { id: 'a', title: 'first', run: async () => ({ ok: true, detail: 'fine' }) },
    { id: 'b', title: 'second', run: async () => ({ ok: false, detail: 'broken', fix: 'sudo apt-get install -y libfuse2' }) },
    { id: 'c', title: 'third', run: async () => Promise.reject(new Error('boom')) },
  ])
  t.same(outcomes, [
    { id: 'a', title: 'first', ok: true, detail: 'fine' },
    { id: 'b', title: 'second', ok: false, detail: 'broken', fix: 'sudo apt-get install -y libfuse2' },
    { id: 'c', title: 'third', ok: false, detail: 'the check itself failed: boom' },
  ])
  t.equal(
    formatReport(outcomes),
    'ok    first: fine\n' +
      'FAIL  second: broken\n' +
      '      fix: sudo apt-get install -y libfuse2\n' +
      'FAIL  third: the check itself failed: boom\n' +
      '2 of 3 checks failed\n',
  )
  t.equal(doctorExitCode(outcomes), 1)
  t.equal(doctorExitCode(outcomes.slice(0, 1)), 0)
  t.equal(formatReport(outcomes.slice(0, 1)), 'ok    first: fine\nall 1 checks passed\n')
})

t.test('a warning: "warn", the warning under it, still passing', async (t) => {
  const outcomes = await runChecks([{ id: 'a', title: 'bridge of "r"', run: async () => ({ ok: true, detail: 'answers (207)', warning: 'plain HTTP' }) }])
  t.equal(formatReport(outcomes), 'warn  bridge of "r": answers (207)\n      warning: plain HTTP\nall 1 checks passed (1 warning)\n')
  t.equal(doctorExitCode(outcomes), 0)
})
