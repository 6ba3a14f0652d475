#!/usr/bin/env node
// FUSE callbacks and file I/O share libuv's thread pool; it is sized on first
// use, so this runs before any module that could touch it is loaded.
process.env.UV_THREADPOOL_SIZE ??= '32'

const { startDaemon } = await import('../daemon/main.js')

const result = await startDaemon(process.argv.slice(2), process.env)
if (result.kind === 'exit') {
  if (result.stdout) process.stdout.write(result.stdout)
  if (result.stderr) process.stderr.write(result.stderr)
  process.exit(result.code)
}
const { daemon, logger } = result

let stopSignals = 0
const onStopSignal = (signal: NodeJS.Signals) => {
  stopSignals++
  if (stopSignals > 1) {
    logger.warn({ signal }, 'second signal: exiting at once, mounts may be left behind')
    process.exit(1)
  }
  logger.info({ signal }, 'signal received: stopping')
  daemon.stop().then(
    () => process.exit(0),
    err => {
      logger.error({ err }, 'stop failed')
      process.exit(1)
    },
  )
}
process.on('SIGTERM', onStopSignal)
process.on('SIGINT', onStopSignal)
// The reload logs its own outcome; a broken file leaves everything as it was.
process.on('SIGHUP', () => void daemon.reload().catch(() => {}))
process.on('unhandledRejection', err => logger.error({ err }, 'unhandled rejection'))
