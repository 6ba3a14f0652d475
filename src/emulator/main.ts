#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { createLogger } from '../log.js'
import { BODY_FAULTS, isBodyFault } from './body-faults.js'
import { BridgeEmulator } from './bridge.js'

// Command-line entry of the bridge emulator, for benchmarks, the demo and
// trying a client by hand. Prints one line per served location exactly as
// `mega-webdav` does, then runs until SIGTERM or SIGINT.

const USAGE = `Usage: node dist/src/emulator/main.js --account DIR --serve /Photos [--serve /Docs]
       [--port N] [--host ADDR] [--latency-ms N] [--bandwidth-mbps N] [--refuse-ms N]
       [--state-file F] [--email ADDRESS] [--storage-total-bytes N] [--log-level LEVEL]
       [--body-fault KIND [--body-fault-count N]]

  --account DIR          local folder standing for the MEGA Cloud Drive (required)
  --serve PATH           MEGA path to serve, e.g. /Photos or / (repeatable, at least one)
  --port N               TCP port (default 4443, as MEGAcmd; 0 = any free port)
  --host ADDR            listen address (default 127.0.0.1)
  --latency-ms N         delay before the first byte of every response (default 0)
  --bandwidth-mbps N     cap on all bodies together, in megabits per second (default none)
  --refuse-ms N          refuse connections for N ms after start, like MEGAcmd at login
  --state-file F         state file for the stand-in mega-* commands (MEGA_EMULATOR_STATE)
  --email ADDRESS        account e-mail for mega-whoami (default user@example.com)
  --storage-total-bytes N  quota for mega-df (default 21474836480)
  --log-level LEVEL      pino level for the log on stderr (default warn)
  --body-fault KIND      GET answers send a broken body, to test clients: short-body,
                         range-mismatch, short-range or gzip (see docs/emulator.md)
  --body-fault-count N   only the first N GET answers are broken (default: all)`

function fail(message: string): never {
  process.stderr.write(`megamount emulator: ${message}\n\n${USAGE}\n`)
  process.exit(2)
}

function nonNegative(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) fail(`--${name} must be a number >= 0, got ${JSON.stringify(value)}`)
  return number
}

async function main(): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      options: {
        account: { type: 'string' },
        serve: { type: 'string', multiple: true },
        port: { type: 'string' },
        host: { type: 'string' },
        'latency-ms': { type: 'string' },
        'bandwidth-mbps': { type: 'string' },
        'refuse-ms': { type: 'string' },
        'state-file': { type: 'string' },
        email: { type: 'string' },
        'storage-total-bytes': { type: 'string' },
        'log-level': { type: 'string' },
        'body-fault': { type: 'string' },
        'body-fault-count': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    })
  } catch (err) {
    fail((err as Error).message)
  }
  const values = parsed.values
  if (values.help) {
    process.stdout.write(USAGE + '\n')
    return
  }
  if (!values.account) fail('--account DIR is required')
  if (!values.serve?.length) fail('give at least one --serve /PATH')
  const port = nonNegative('port', values.port) ?? 4443
  if (!Number.isInteger(port) || port > 65535) fail(`--port must be an integer from 0 to 65535, got ${values.port}`)
  const mbps = nonNegative('bandwidth-mbps', values['bandwidth-mbps'])
  if (mbps === 0) fail('--bandwidth-mbps must be greater than 0 (leave it out for no cap)')

  const bodyFault = values['body-fault']
  if (bodyFault !== undefined && !isBodyFault(bodyFault)) fail(`--body-fault must be one of ${BODY_FAULTS.join(', ')}, got ${JSON.stringify(bodyFault)}`)
  const bodyFaultCount = nonNegative('body-fault-count', values['body-fault-count'])
  if (bodyFaultCount !== undefined && bodyFault === undefined) fail('--body-fault-count needs --body-fault KIND')

  const logger = createLogger(values['log-level'] ?? 'warn', pino.destination(2))
  let emulator: BridgeEmulator
  try {
    emulator = new BridgeEmulator({
      accountRoot: values.account,
      port,
      host: values.host,
      latencyMs: nonNegative('latency-ms', values['latency-ms']),
      bandwidthBytesPerSec: mbps === undefined ? undefined : (mbps * 1_000_000) / 8,
      refuseConnectionsForMs: nonNegative('refuse-ms', values['refuse-ms']),
      stateFile: values['state-file'],
      email: values.email,
      storageTotalBytes: nonNegative('storage-total-bytes', values['storage-total-bytes']),
      logger,
    })
    if (bodyFault !== undefined) emulator.setBodyFault(bodyFault, bodyFaultCount ?? Infinity)
    await emulator.start()
  } catch (err) {
    fail((err as Error).message)
  }
  for (const megaPath of values.serve) {
    try {
      process.stdout.write(`Serving via webdav ${megaPath}: ${emulator.serve(megaPath)}\n`)
    } catch (err) {
      await emulator.stop()
      fail((err as Error).message)
    }
  }

  let stopping = false
  const shutdown = (signal: string): void => {
    // A second signal forces the exit.
    if (stopping) process.exit(1)
    stopping = true
    logger.info({ signal }, 'stopping')
    void emulator.stop().then(() => process.exit(0))
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

void main()
