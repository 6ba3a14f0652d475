// The daemon's answer to each control command of src/control/commands.ts,
// one line each: the args arrive checked, the result's type is the map's.
import { ControlError } from '../control/protocol.js'
import type { ControlHandlers } from '../control/commands.js'
import type { Daemon } from './daemon.js'

export function controlHandlers(daemon: Daemon): ControlHandlers {
  return {
    status({ name }) {
      const report = daemon.status()
      if (name === undefined) return report
      const mounts = report.mounts.filter(m => m.name === name)
      if (mounts.length === 0) {
        throw new ControlError(`no profile named "${name}"`, `known: ${report.mounts.map(m => m.name).join(', ') || '(none)'}`)
      }
      return { ...report, mounts }
    },
    mount: ({ name }) => daemon.mount(name),
    unmount: ({ name, force }, signal) => daemon.unmount(name, { force: force ?? false, signal }),
    reload: () => daemon.reload(),
    refresh: ({ name, path }) => daemon.refresh(name, path),
    cache: ({ name }) => daemon.cache(name),
    cacheClear: ({ name }) => daemon.cache(name, { clear: true }),
    uploads: ({ name }) => ({ uploads: daemon.uploads(name) }),
    retry: ({ name, path }) => daemon.retryUploads(name, path),
    discard: ({ name, path, dryRun }) => daemon.discardUpload(name, path, { dryRun: dryRun ?? false }),
    version: () => ({ daemon: { version: daemon.version, node: process.versions.node, pid: process.pid }, mounts: daemon.fuseBackends() }),
  }
}
