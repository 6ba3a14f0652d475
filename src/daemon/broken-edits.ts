// A live edit of the profile file can break a profile that is mounted (a
// typo such as "mountpont" saved by an editor). The loader rejects that
// entry; this decides which running profile it stands for, so the daemon
// keeps that mount as it was instead of taking the entry's absence from the
// accepted list as a removal. Keeping is the safe side: a mount the user
// meant to remove stays until the file is fixed, a mount they meant to keep
// is never lost to a typo.
import path from 'node:path'
import type { RejectedProfile } from '../config/load.js'
import { expandHome } from '../config/paths.js'
import type { Profile } from '../config/types.js'

export interface BrokenEntry {
  error: { message: string; hint: string }
  /** The rejected entry now shown on the running profile's row (not on its own). */
  absorbed: RejectedProfile | null
}

/** The broken entry that may be `profile` in the new file, or null when
 *  the file has no broken entry that could be it (then it was removed). */
export function brokenEntryFor(profile: Profile, rejected: readonly RejectedProfile[], home: string): BrokenEntry | null {
  const named = rejected.find(r => r.name === profile.name)
  if (named) return { error: named.error, absorbed: named }
  const nameless = rejected.filter(r => r.name === null)
  const same = nameless.find(r => r.url === profile.url || (r.mountpoint !== null && path.resolve(expandHome(r.mountpoint, home)) === profile.mountpoint))
  if (same) return { error: same.error, absorbed: same }
  const unknown = nameless[0]
  if (!unknown) return null
  return {
    error: {
      message: `"${profile.name}" is no longer in the file as a valid profile, and mounts[${unknown.index}] has no usable name (it may be this one): kept mounted as it was. ${unknown.error.message}`,
      hint: unknown.error.hint,
    },
    absorbed: null,
  }
}
