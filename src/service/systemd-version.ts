// systemd's version decides which unit keys are safe: RestartSteps and
// RestartMaxDelaySec (growing restart delay) exist from systemd 254; older
// versions warn "Unknown key" and `systemd-analyze verify` complains.
import type { CommandRunner } from '../megacmd/command-runner.js'

export const RESTART_BACKOFF_MIN_SYSTEMD = 254

/** 252 from 'systemd 252 (252.38-1~deb12u1)'. */
export function parseSystemdVersion(stdout: string): number | null {
  const match = /^systemd (\d+)/m.exec(stdout)
  return match ? Number(match[1]) : null
}

export async function detectSystemdVersion(runner: CommandRunner): Promise<number | null> {
  try {
    const result = await runner('systemctl', ['--version'], { timeoutMs: 5_000 })
    return result.exitCode === 0 ? parseSystemdVersion(result.stdout) : null
  } catch {
    return null
  }
}
