// Is the daemon set to start at login, and running.
import type { DoctorEnvironment } from '../environment.js'
import type { Check } from '../types.js'

export function serviceCheck(env: DoctorEnvironment): Check {
  return {
    id: 'service',
    title: 'autostart service',
    async run() {
      const status = await env.serviceStatus()
      if (!status.installed) return { ok: false, detail: status.detail, fix: 'mountctl service install' }
      if (status.running === null) return { ok: false, detail: status.detail, fix: 'mountctl service install   (from a login session of this user, to finish activation)' }
      if (!status.running || status.enabled === false) {
        const fix =
          env.platform === 'darwin'
            ? `launchctl kickstart -k gui/$(id -u)/io.megamount.daemon   (logs: ~/Library/Logs/megamount/megamountd.log)`
            : 'systemctl --user enable --now megamount.service   (why it stopped: journalctl --user -u megamount -n 50)'
        return { ok: false, detail: status.detail, fix }
      }
      return { ok: true, detail: status.detail }
    },
  }
}
