import t from 'tap'
import { UsageError, parseDaemonArgs } from '../../src/daemon/daemon-args.js'

t.test('flags win over environment, which wins over XDG defaults', async t => {
  const env = { HOME: '/h', XDG_RUNTIME_DIR: '/run/user/7' }
  t.match(parseDaemonArgs([], env), { configFile: '/h/.config/megamount/mounts.json', socketPath: '/run/user/7/megamount/control.sock', stateDir: '/h/.local/state/megamount', logLevel: 'info' })
  t.match(parseDaemonArgs([], { ...env, MEGAMOUNT_SOCKET: '/tmp/s.sock', MEGAMOUNT_CONFIG: '/c.json' }), { socketPath: '/tmp/s.sock', configFile: '/c.json' })
  t.match(parseDaemonArgs(['--config', '~/m.json', '--socket', '/tmp/x.sock', '--state-dir', '/st', '--log-level', 'debug'], env), {
    configFile: '/h/m.json',
    socketPath: '/tmp/x.sock',
    stateDir: '/st',
    logLevel: 'debug',
  })
  t.equal(parseDaemonArgs(['--state-dir', '/st'], { HOME: '/h' }).socketPath, '/st/control.sock')
  t.equal(parseDaemonArgs(['--help'], env).help, true)
})

t.test('bad arguments are usage errors that say what to do', async t => {
  t.throws(() => parseDaemonArgs(['--bogus'], {}), UsageError)
  t.throws(() => parseDaemonArgs(['--bogus'], {}), /run megamountd --help/)
  t.throws(() => parseDaemonArgs(['--log-level', 'loud'], {}), /--log-level must be one of fatal, error/)
})

t.test('--stop-timeout-seconds: flag, env, default 20 s, bad values refused', async t => {
  t.equal(parseDaemonArgs([], {}).stopTimeoutMs, 20_000)
  t.equal(parseDaemonArgs([], { MEGAMOUNT_STOP_TIMEOUT_SECONDS: '5' }).stopTimeoutMs, 5_000)
  t.equal(parseDaemonArgs(['--stop-timeout-seconds', '1.5'], { MEGAMOUNT_STOP_TIMEOUT_SECONDS: '5' }).stopTimeoutMs, 1_500)
  t.equal(parseDaemonArgs(['--stop-timeout-seconds', '0'], {}).stopTimeoutMs, 0)
  t.throws(() => parseDaemonArgs(['--stop-timeout-seconds=-1'], {}), /--stop-timeout-seconds must be a number of seconds, 0 or more \(got "-1"\)/)
  t.throws(() => parseDaemonArgs(['--stop-timeout-seconds', 'soon'], {}), UsageError)
})
