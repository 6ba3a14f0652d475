// The drain at stop is one value: the daemon's default, what the units pass
// and size their kill timeout for, and what docs/autostart.md says.
import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { DAEMON_USAGE, parseDaemonArgs } from '../../src/daemon/daemon-args.js'
import { DEFAULT_STOP_TIMEOUT_MS } from '../../src/daemon/daemon.js'
import {
  DEFAULT_STOP_TIMEOUT_SECONDS,
  READY_WAIT_MAX_SECONDS,
  SERVICE_START_TIMEOUT_SECONDS,
  SERVICE_STOP_TIMEOUT_SECONDS,
  UNMOUNT_ALLOWANCE_SECONDS,
} from '../../src/config/service-timeouts.js'

const docs = (name: string) => fs.readFile(path.join(import.meta.dirname, '..', '..', 'docs', name), 'utf8')

t.test('the daemon drains for the value the units are sized for', async t => {
  t.equal(parseDaemonArgs([], {}).stopTimeoutMs, DEFAULT_STOP_TIMEOUT_SECONDS * 1000)
  t.equal(DEFAULT_STOP_TIMEOUT_MS, DEFAULT_STOP_TIMEOUT_SECONDS * 1000)
  t.match(DAEMON_USAGE, `default ${DEFAULT_STOP_TIMEOUT_SECONDS};`)
  t.equal(SERVICE_STOP_TIMEOUT_SECONDS, DEFAULT_STOP_TIMEOUT_SECONDS + UNMOUNT_ALLOWANCE_SECONDS)
  t.ok(SERVICE_START_TIMEOUT_SECONDS > READY_WAIT_MAX_SECONDS, 'a slow start is reported ready before systemd gives up')
})

t.test('docs/autostart.md and docs/writes.md say the same numbers', async t => {
  const autostart = await docs('autostart.md')
  t.match(autostart, `\`TimeoutStopSec=${SERVICE_STOP_TIMEOUT_SECONDS}\``)
  t.match(autostart, `\`MEGAMOUNT_STOP_TIMEOUT_SECONDS=${DEFAULT_STOP_TIMEOUT_SECONDS}\``)
  t.match(autostart, `\`ExitTimeOut\` ${SERVICE_STOP_TIMEOUT_SECONDS}`)
  t.match(autostart, `\`TimeoutStartSec=${SERVICE_START_TIMEOUT_SECONDS}\``)
  t.match(autostart, `${READY_WAIT_MAX_SECONDS} s`)
  t.notMatch(autostart, /5 minutes|TimeoutStopSec=300|ExitTimeOut` 300/)
  t.match(await docs('writes.md'), `\`--stop-timeout-seconds\` (default ${DEFAULT_STOP_TIMEOUT_SECONDS} s)`)
})
