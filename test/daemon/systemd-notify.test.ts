import t from 'tap'
import { pino } from 'pino'
import { notifySystemd } from '../../src/daemon/systemd-notify.js'
import { silentLogger } from '../../src/log.js'

t.test('without NOTIFY_SOCKET nothing runs', async t => {
  const calls: string[][] = []
  t.equal(await notifySystemd({ ready: true }, {}, silentLogger, async (file, args) => void calls.push([file, ...args])), 'no-socket')
  t.same(calls, [])
})

t.test('systemd-notify --ready with the status text, NOTIFY_SOCKET passed on', async t => {
  const calls: { file: string; args: string[]; socket: string | undefined }[] = []
  const env = { NOTIFY_SOCKET: '/run/user/1000/systemd/notify', PATH: '/usr/bin' }
  const r = await notifySystemd({ ready: true, status: '2 of 2 mounted' }, env, silentLogger, async (file, args, options) => {
    calls.push({ file, args, socket: options.env.NOTIFY_SOCKET })
  })
  t.equal(r, 'sent')
  t.same(calls, [{ file: 'systemd-notify', args: ['--ready', '--status=2 of 2 mounted'], socket: env.NOTIFY_SOCKET }])
})

t.test('a missing systemd-notify is logged with what it means, never thrown', async t => {
  const lines: string[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) })
  const r = await notifySystemd({ ready: true }, { NOTIFY_SOCKET: '/x' }, logger, async () => {
    throw Object.assign(new Error('spawn systemd-notify ENOENT'), { code: 'ENOENT' })
  })
  t.equal(r, 'failed')
  const warn = lines.map(l => JSON.parse(l)).find(l => l.level === 40)
  t.match(warn.msg, /cannot tell systemd the daemon is ready/)
  t.match(warn.hint, /TimeoutStartSec/)
})
