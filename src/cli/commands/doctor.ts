// mountctl doctor [--json]: checks everything a mount needs, one line each,
// with the command that fixes each failure. Works without the daemon.
import { defaultConfigFile, expandHome } from '../../config/paths.js'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import { givenConfigFile } from '../config-option.js'
import { ConfigError } from '../../config/config-error.js'
import { loadConfig, type LoadedConfig } from '../../config/load.js'
import { DaemonNotRunningError } from '../../control/client.js'
import { defaultDoctorEnvironment, type DoctorEnvironment } from '../../doctor/environment.js'
import { doctorChecks } from '../../doctor/doctor-checks.js'
import { doctorExitCode, formatReport, runChecks } from '../../doctor/report.js'
import type { Check } from '../../doctor/types.js'
import type { StatusReport } from '../../control/wire-types.js'
import { createServiceInstaller, defaultServiceInputs } from '../../service/create-installer.js'
import type { CliCommand, CliContext } from '../command.js'

export type DoctorEnvironmentFactory = (options: { megacmdPath: string | null; ctx: CliContext; configFile: string }) => DoctorEnvironment

const defaultFactory: DoctorEnvironmentFactory = ({ megacmdPath, ctx, configFile }) =>
  defaultDoctorEnvironment({
    megacmdPath,
    env: ctx.io.env as NodeJS.ProcessEnv,
    serviceStatus: async () => createServiceInstaller(await defaultServiceInputs({ env: ctx.io.env, configFile, megacmdPath })).status(),
  })

/** The profile file as a check: unreadable, missing or with rejected profiles is a failure. */
function configCheck(configFile: string, loaded: LoadedConfig | null, loadError: Error | null, note: string): Check {
  return {
    id: 'config',
    title: `profile file ${configFile}${note}`,
    async run() {
      if (loadError) {
        const hint = loadError instanceof ConfigError ? loadError.hint : undefined
        return { ok: false, detail: loadError.message, fix: hint ?? `fix ${configFile}` }
      }
      if (!loaded || loaded.missing) {
        return { ok: false, detail: 'does not exist: nothing will be mounted', fix: `mountctl discover   (prints profiles to put in ${configFile})` }
      }
      if (loaded.rejected.length > 0) {
        const first = loaded.rejected[0]!
        return {
          ok: false,
          detail: `${loaded.rejected.length} profile(s) rejected; first: ${first.error.message}`,
          fix: first.error.hint,
        }
      }
      return { ok: true, detail: `${loaded.mounts.length} profile(s)` }
    },
  }
}

type DaemonAnswer = { report: StatusReport } | { error: unknown }

/** The daemon's status, asked once: which file it reads, and whether it answers. */
async function askDaemon(ctx: CliContext): Promise<DaemonAnswer> {
  try {
    return { report: await ctx.request('status', {}, { timeoutMs: DAEMON_TIMEOUT_MS }) }
  } catch (error) {
    return { error }
  }
}

const DAEMON_TIMEOUT_MS = 5_000

function daemonCheck(ctx: CliContext, answer: DaemonAnswer): Check {
  return {
    id: 'daemon',
    title: 'megamountd answering',
    async run() {
      try {
        if ('error' in answer) throw answer.error
        const mounts = answer.report.mounts ?? []
        const mounted = mounts.filter((m) => m.state === 'mounted').length
        const backends = mounts.flatMap((m) => (m.fuse ? [`${m.name}: ${m.fuse.backend}${m.fuse.backend === 'libfuse3' ? '' : ` (${m.fuse.why})`}`] : []))
        const detail = `answers on ${ctx.socketPath}: ${mounted} of ${mounts.length} profile(s) mounted${backends.length ? `; ${backends.join(', ')}` : ''} (details: mountctl status)`
        const slow = mounts.find((m) => m.fuse && m.fuse.backend !== 'libfuse3')?.fuse
        if (slow) return { ok: false, detail, fix: `${slow.fix ?? 'npm rebuild megamount'}; then restart the daemon` }
        return { ok: true, detail }
      } catch (err) {
        if (err instanceof DaemonNotRunningError) {
          return { ok: false, detail: `nothing answers on ${ctx.socketPath}`, fix: 'mountctl service install   (or run it by hand: megamountd &)' }
        }
        return { ok: false, detail: (err as Error).message, fix: 'mountctl status' }
      }
    },
  }
}

export function makeDoctorCommand(makeEnvironment: DoctorEnvironmentFactory = defaultFactory): CliCommand {
  return {
    name: 'doctor',
    summary: 'check FUSE, MEGAcmd, every profile and autostart; print the fix for each problem',
    usage: `Usage: mountctl doctor [--json] [--config FILE]

Checks what megamount needs, one line each (ok / FAIL), with the exact
command that fixes each failure: the profile file, FUSE (/dev/fuse,
fusermount, the backend mounts use: megamount's libfuse 3 binding or the
slower fuse-native fallback; macFUSE or FUSE-T on macOS), MEGAcmd (installed, running,
logged in), each profile's mountpoint and bridge (a PROPFIND with a ${INTERNAL_DEFAULTS.doctorProbeTimeoutMs / 1000} s
bound), the autostart service and the daemon.

  --json      print the results as JSON
  --config F  the profile file (default: the one the running megamountd
              reads, else env MEGAMOUNT_CONFIG, else
              ~/.config/megamount/mounts.json)

Exit status: 0 when every check passes, 1 otherwise.`,
    options: { json: { type: 'boolean' }, config: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const env = ctx.io.env
      // Without --config, the file the running daemon reads (it may have been
      // started with another --config): the doctor checks what is in use.
      const answer = await askDaemon(ctx)
      const daemonFile = 'report' in answer ? answer.report.daemon.configFile : null
      const given = givenConfigFile(ctx)
      const configFile = given ?? daemonFile ?? defaultConfigFile(env)
      const note = daemonFile === null ? '' : configFile === daemonFile ? ' (the file megamountd reads)' : ` (megamountd reads ${daemonFile})`
      let loaded: LoadedConfig | null = null
      let loadError: Error | null = null
      try {
        // Mountpoints are the doctor's own check; do not let the loader reject profiles for them.
        loaded = await loadConfig(configFile, { checkMountpoints: false, ...(env.HOME ? { home: env.HOME } : {}) })
      } catch (err) {
        loadError = err as Error
      }
      const setting = loaded?.settings.megacmdPath ?? null
      const megacmdPath = setting ? expandHome(setting, env.HOME) : null
      const doctorEnv = makeEnvironment({ megacmdPath, ctx, configFile })
      // Every bridge is probed now by doctorChecks, never taken from the daemon's last status.
      const checks = [configCheck(configFile, loaded, loadError, note), ...doctorChecks({ mounts: loaded?.mounts ?? [] }, doctorEnv), daemonCheck(ctx, answer)]
      const outcomes = await runChecks(checks)
      ctx.io.stdout(ctx.values.json ? `${JSON.stringify({ ok: outcomes.every((o) => o.ok), checks: outcomes }, null, 2)}\n` : formatReport(outcomes))
      return doctorExitCode(outcomes)
    },
  }
}

export const doctorCommand = makeDoctorCommand()
