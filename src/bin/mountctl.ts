#!/usr/bin/env node
import { runMountctl } from '../cli/main.js'

const code = await runMountctl(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  env: process.env,
})
// Let stdout drain before exiting (a pipe may be slower than us).
process.stdout.write('', () => process.exit(code))
