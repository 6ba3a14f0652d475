// Can this machine mount FUSE at all: the device, the mount helper, and the
// backend mounts will use (megamount's libfuse 3 binding, or fuse-native on
// libfuse 2 as the fallback); on macOS, macFUSE or FUSE-T.
import { constants as fsConstants } from 'node:fs'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import type { DoctorEnvironment } from '../environment.js'
import type { Check } from '../types.js'

const MACFUSE_BUNDLE = '/Library/Filesystems/macfuse.fs'
const FUSE_T_LIBRARY = '/usr/local/lib/libfuse-t.dylib'

export function fuseDeviceCheck(env: DoctorEnvironment): Check {
  if (env.platform === 'darwin') {
    return {
      id: 'fuse-device',
      title: 'macFUSE or FUSE-T installed',
      async run() {
        for (const [file, what] of [
          [MACFUSE_BUNDLE, 'macFUSE'],
          [FUSE_T_LIBRARY, 'FUSE-T'],
        ] as const) {
          try {
            await env.access(file, fsConstants.F_OK)
            return { ok: true, detail: `${what}: ${file} is present` }
          } catch {
            // try the other one
          }
        }
        return {
          ok: false,
          detail: `neither macFUSE (${MACFUSE_BUNDLE}) nor FUSE-T (${FUSE_T_LIBRARY}) is installed`,
          fix: 'brew install --cask macfuse   (4.10 or newer; allow its system extension in System Settings > Privacy & Security, or use its FSKit backend), or brew install macos-fuse-t/homebrew-cask/fuse-t',
        }
      },
    }
  }
  return {
    id: 'fuse-device',
    title: 'FUSE device /dev/fuse',
    async run() {
      try {
        await env.access('/dev/fuse', fsConstants.F_OK)
      } catch {
        return {
          ok: false,
          detail: '/dev/fuse does not exist (the fuse kernel module is not loaded, or a container was started without it)',
          fix: 'sudo modprobe fuse   (in a container: start it with --device /dev/fuse --cap-add SYS_ADMIN)',
        }
      }
      try {
        await env.access('/dev/fuse', fsConstants.R_OK | fsConstants.W_OK)
        return { ok: true, detail: '/dev/fuse is readable and writable' }
      } catch {
        return {
          ok: false,
          detail: `/dev/fuse exists but ${env.user} cannot read and write it`,
          fix: `sudo usermod -aG fuse ${env.user}   (then log out and in again), or: sudo chmod 0666 /dev/fuse`,
        }
      }
    },
  }
}

export function fusermountCheck(env: DoctorEnvironment): Check {
  return {
    id: 'fusermount',
    title: 'fusermount on PATH',
    async run() {
      for (const name of ['fusermount', 'fusermount3']) {
        const found = await env.which(name)
        if (found) return { ok: true, detail: found }
      }
      return {
        ok: false,
        detail: 'neither fusermount nor fusermount3 is on PATH: mounts cannot be made or cleaned up',
        fix: 'sudo apt-get install -y fuse3',
      }
    },
  }
}

/** The backend a mount would use, why, and how to get libfuse3 when it is
 *  not the one: mounts on the fallback work, but without readdirplus,
 *  1 MiB reads, auto_unmount or kernel invalidations (docs/filesystem.md). */
export function fuseBackendCheck(env: DoctorEnvironment): Check {
  return {
    id: 'fuse-backend',
    title: 'FUSE backend',
    async run() {
      const decision = env.fuseBackend()
      if ('error' in decision) return { ok: false, detail: decision.error, fix: 'sudo apt-get install -y fuse3 libfuse3-dev pkg-config g++ make, then npm rebuild megamount' }
      if (decision.name === 'libfuse3') return { ok: true, detail: `libfuse3: megamount's libfuse 3 binding (${decision.why})` }
      return { ok: false, detail: `fuse-native (libfuse 2), slower: ${decision.why}`, fix: decision.fix ?? 'npm rebuild megamount' }
    },
  }
}
