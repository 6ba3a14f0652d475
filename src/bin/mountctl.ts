#!/usr/bin/env node
import { createInterface } from 'node:readline/promises'
import { runMountctl } from '../cli/main.js'

const code = await runMountctl(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  env: process.env,
  stdoutIsTty: process.stdout.isTTY === true,
  // Only a person at a terminal can answer; a script must say --yes.
  confirm: process.stdin.isTTY
    ? async question => {
        const rl = createInterface({ input: process.stdin, output: process.stdout })
        try {
          return /^y(es)?$/i.test((await rl.question(question)).trim())
        } finally {
          rl.close()
        }
      }
    : undefined,
  onInterrupt(fn) {
    const handler = () => {
      fn()
      process.exit(130)
    }
    process.once('SIGINT', handler)
    return () => process.off('SIGINT', handler)
  },
})
// Let stdout drain before exiting (a pipe may be slower than us).
process.stdout.write('', () => process.exit(code))
