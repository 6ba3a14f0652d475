// The kernel reads a FUSE file in pieces of the mount's readahead, 128 KiB
// unless raised (FUSE3.md): the mount's backing device in sysfs says how
// much. Raising it to 1 MiB makes a sequential read 1 MiB pieces, a quarter
// of the crossings into JavaScript. Writing it needs root (or a udev rule);
// without, reads stay at 128 KiB and status says so.

import { stat, writeFile, readFile } from 'node:fs/promises'
import { platform } from 'node:os'

export const WANTED_READAHEAD_KB = 1024

/** Major and minor of a Linux device number as st_dev gives it. */
export function deviceNumbers(dev: number): { major: number; minor: number } {
  const big = BigInt(dev)
  const major = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn))
  const minor = Number((big & 0xffn) | ((big >> 12n) & ~0xffn))
  return { major, minor }
}

/** Sets the mount's readahead; returns what it is afterwards (null where
 *  the platform has no such setting). */
export async function raiseReadahead(mountpoint: string): Promise<{ kb: number | null; error?: string }> {
  if (platform() !== 'linux') return { kb: null }
  const { major, minor } = deviceNumbers((await stat(mountpoint)).dev)
  const file = `/sys/class/bdi/${major}:${minor}/read_ahead_kb`
  try {
    await writeFile(file, String(WANTED_READAHEAD_KB))
  } catch (err) {
    const current = Number((await readFile(file, 'utf8').catch(() => '')).trim()) || null
    return { kb: current, error: (err as Error).message }
  }
  return { kb: WANTED_READAHEAD_KB }
}
