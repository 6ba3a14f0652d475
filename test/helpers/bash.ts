// bash for test scripts whose output a test looks at. --norc: bash reads
// ~/.bashrc when its stdin is a socket (libuv gives child processes socket
// pairs), so on a machine whose rc file prints something (pyenv's rehash
// racing a concurrent run) that would show up in the output.
import { execFile, type ExecFileOptions } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Runs script in options.cwd with args as $1, $2...; rejects when it exits
 *  non-zero, as execFile does. */
export function bash(script: string, options: Omit<ExecFileOptions, 'encoding'>, args: string[] = []) {
  return run('bash', ['--norc', '-c', script, 'bash', ...args], { ...options, encoding: 'utf8' })
}

/** stdout then stderr of a script that must succeed. */
export function bashOutput(cwd: string, script: string): Promise<string> {
  return bash(script, { cwd }).then(r => r.stdout + r.stderr)
}
