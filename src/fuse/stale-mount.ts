// A FUSE mount whose serving process died stays in the mount table, and every
// access to it fails with "Transport endpoint is not connected" (ENOTCONN)
// until it is unmounted. After a crash the daemon must clear such leftovers
// before it can mount again at the same place.

import { execFile } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { platform } from 'node:os'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import type { Logger } from '../log.js'
import { findMount } from '../mount-table.js'

const execFileAsync = promisify(execFile)

/** The type our own mounts have in the mount table (subtype=megamount). */
export const OWN_MOUNT_TYPE = 'fuse.megamount'

const DEAD_CODES = new Set(['ENOTCONN', 'ECONNABORTED', 'ENXIO'])

/** Runs the platform's forced, lazy unmount. */
export async function forceUnmount(mountpoint: string): Promise<void> {
  const attempts: [string, string[]][] =
    platform() === 'darwin'
      ? [
          ['umount', ['-f', mountpoint]],
          ['diskutil', ['unmount', 'force', mountpoint]],
        ]
      : [
          ['fusermount', ['-uz', mountpoint]],
          ['umount', ['-l', mountpoint]],
        ]
  const failures: string[] = []
  for (const [cmd, args] of attempts) {
    try {
      await execFileAsync(cmd, args)
      return
    } catch (err) {
      const e = err as { stderr?: string; message: string }
      failures.push(`${cmd} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`)
    }
  }
  throw new Error(`could not unmount ${mountpoint}: ${failures.join('; ')}`)
}

export async function cleanStaleMount(mountpoint: string, logger: Logger): Promise<'clean' | 'cleaned'> {
  const mp = resolve(mountpoint)
  let dead = false
  try {
    await stat(mp)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    if (DEAD_CODES.has(code)) dead = true
    else if (code !== 'ENOENT') throw err
  }
  const record = dead ? undefined : await findMount(mp).catch(() => undefined)
  if (!dead && !record) return 'clean'
  if (!dead && record && record.type !== OWN_MOUNT_TYPE) {
    throw new Error(
      `${mp} is already a mount point of another filesystem (${record.type} from ${record.source}); unmount it first (fusermount -u ${JSON.stringify(mp)}) or choose another mountpoint`,
    )
  }
  logger.warn({ mountpoint: mp, dead, type: record?.type }, 'removing a mount left behind by a previous run')
  await forceUnmount(mp)
  return 'cleaned'
}
