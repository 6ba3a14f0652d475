// Can this machine mount FUSE at all: the device, the mount helper, the
// library fuse-native loads (libfuse 2, not 3) or, on macOS, macFUSE.
import { constants as fsConstants } from 'node:fs'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import type { DoctorEnvironment } from '../environment.js'
import type { Check } from '../types.js'

const MACFUSE_BUNDLE = '/Library/Filesystems/macfuse.fs'

export function fuseDeviceCheck(env: DoctorEnvironment): Check {
  if (env.platform === 'darwin') {
    return {
      id: 'fuse-device',
      title: 'macFUSE installed',
      async run() {
        try {
          await env.access(MACFUSE_BUNDLE, fsConstants.F_OK)
          return { ok: true, detail: `${MACFUSE_BUNDLE} is present` }
        } catch {
          return {
            ok: false,
            detail: `${MACFUSE_BUNDLE} is missing: macFUSE is not installed`,
            fix: 'brew install --cask macfuse   (then allow its system extension in System Settings > Privacy & Security and restart)',
          }
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
        fix: 'sudo apt-get install -y fuse',
      }
    },
  }
}

export function libfuse2Check(env: DoctorEnvironment): Check {
  return {
    id: 'libfuse2',
    title: 'libfuse 2 (libfuse.so.2)',
    async run() {
      const fix = 'sudo apt-get install -y libfuse2'
      // ldconfig lives in /sbin, often not on a user's PATH.
      const ldconfig = (await env.which('ldconfig')) ?? '/sbin/ldconfig'
      let listing: string
      try {
        const result = await env.runner(ldconfig, ['-p'], { timeoutMs: INTERNAL_DEFAULTS.doctorCommandTimeoutMs })
        listing = result.stdout
      } catch (err) {
        return { ok: false, detail: `cannot run ${ldconfig} -p: ${(err as Error).message}`, fix }
      }
      const line = listing.split('\n').find((l) => /\blibfuse\.so\.2\b/.test(l))
      if (line) return { ok: true, detail: line.trim() }
      return { ok: false, detail: 'libfuse.so.2 is not in the linker cache (fuse-native needs libfuse 2, not fuse3)', fix }
    },
  }
}
