// Which FUSE backend a mount uses, and why. Two exist:
// - libfuse3: megamount's own binding (src/fuse/native/, src/fuse/libfuse3/):
//   readdirplus, 1 MiB reads and writes, auto_unmount, kernel invalidations;
// - fuse-native: the fallback on libfuse 2, wherever the binding could not
//   be built or loaded.
// `auto` takes libfuse3 when it loads. Status and doctor show the choice,
// the reason, and how to get libfuse3 when it is not the one in use.

import { loadAddon } from './libfuse3/addon.js'
import { loadFuseNative } from './fuse-native/mount.js'

export const FUSE_BACKENDS = ['libfuse3', 'fuse-native'] as const
export type FuseBackendName = (typeof FUSE_BACKENDS)[number]
export type FuseBackendChoice = 'auto' | FuseBackendName

export interface BackendAvailability {
  name: FuseBackendName
  available: boolean
  /** Why it is not available. */
  reason?: string
  fix?: string
}

export function backendAvailability(name: FuseBackendName): BackendAvailability {
  const loaded = name === 'libfuse3' ? loadAddon() : loadFuseNative()
  return loaded.ok ? { name, available: true } : { name, available: false, reason: loaded.reason, fix: loaded.fix }
}

export interface BackendDecision {
  name: FuseBackendName
  /** One line for status: why this backend. */
  why: string
  /** How to get libfuse3, when another backend is used. */
  fix?: string
}

/** The backend a mount would use now, or an error message when none can. */
export function decideBackend(choice: FuseBackendChoice): BackendDecision | { error: string } {
  const fuse3 = backendAvailability('libfuse3')
  if (choice === 'libfuse3') {
    return fuse3.available ? { name: 'libfuse3', why: 'chosen with --fuse-backend libfuse3' } : { error: `--fuse-backend libfuse3: ${fuse3.reason}; ${fuse3.fix}` }
  }
  if (choice === 'fuse-native') {
    const native = backendAvailability('fuse-native')
    if (!native.available) return { error: `--fuse-backend fuse-native: ${native.reason}; ${native.fix}` }
    return { name: 'fuse-native', why: 'chosen with --fuse-backend fuse-native', fix: fuse3.available ? 'start the daemon without --fuse-backend to use libfuse3' : fuse3.fix }
  }
  if (fuse3.available) return { name: 'libfuse3', why: 'the libfuse 3 binding is built and loads' }
  const native = backendAvailability('fuse-native')
  if (native.available) return { name: 'fuse-native', why: `fallback: ${fuse3.reason}`, fix: fuse3.fix }
  return { error: `no FUSE backend can be used: ${fuse3.reason} (${fuse3.fix}); and ${native.reason} (${native.fix})` }
}

export function parseBackendChoice(text: string): FuseBackendChoice | null {
  return text === 'auto' || (FUSE_BACKENDS as readonly string[]).includes(text) ? (text as FuseBackendChoice) : null
}
