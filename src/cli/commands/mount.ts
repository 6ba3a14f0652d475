import type { MountStatus } from '../../control/wire-types.js'
import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../command.js'

export function describeOutcome(m: MountStatus): string {
  const head = `${m.name}: ${m.state}${m.state === 'mounted' || m.state === 'degraded' ? ` on ${m.mountpoint}` : ''}`
  if (!m.lastError) return `${head}\n`
  const waiting = m.state === 'waiting' ? '\n  it mounts on its own as soon as the bridge answers' : ''
  return `${head}\n  error: ${m.lastError.message}\n  fix:   ${m.lastError.hint}${waiting}\n`
}

export const mountCommand: CliCommand = {
  name: 'mount',
  summary: 'mount one profile now (and keep it mounted)',
  usage: `Usage: mountctl mount NAME

Mounts the profile NAME of mounts.json, also when it is not autostart. When
the bridge does not answer yet, the daemon keeps trying and mounts it later.
Exit status: 0 when mounted, 1 otherwise, 3 when megamountd is not running.`,
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const m = await ctx.request('mount', { name: ctx.positionals[0]! })
    ctx.io.stdout(describeOutcome(m))
    return m.state === 'mounted' ? EXIT_OK : EXIT_FAILED
  },
}
