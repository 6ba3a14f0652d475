// mountctl service install|uninstall|status [--dry-run]: start megamountd at
// login through systemd (Linux) or launchd (macOS).
import { configFileFor } from '../config-option.js'
import { megacmdPathSetting } from '../../megacmd/megacmd-path-setting.js'
import { createServiceInstaller, defaultServiceInputs } from '../../service/create-installer.js'
import type { ServiceInputs } from '../../service/types.js'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliCommand, type CliContext } from '../command.js'

const ACTIONS = ['install', 'uninstall', 'status'] as const

/** Tests replace how inputs are gathered (home, runner, platform). */
export type ServiceInputsFactory = (overrides: Partial<ServiceInputs>) => Promise<ServiceInputs>

export function makeServiceCommand(gatherInputs: ServiceInputsFactory = defaultServiceInputs): CliCommand {
  return {
    name: 'service',
    summary: 'install, remove or inspect the autostart service (systemd / launchd)',
    usage: `Usage: mountctl service install|uninstall|status [--dry-run] [--config FILE]

  install     write the systemd user unit (Linux) or launchd agent (macOS)
              that starts megamountd at login, and start it now
  uninstall   stop it and remove the unit / agent
  status      is it installed, enabled, running

  --dry-run   install: print the file instead of writing it;
              uninstall: say what would be removed
  --config F  the profile file the daemon will read (default: env
              MEGAMOUNT_CONFIG, else ~/.config/megamount/mounts.json)

Exit status: 0 when done (status: installed and running), 1 otherwise.
See docs/autostart.md.`,
    options: { 'dry-run': { type: 'boolean' }, config: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    async run(ctx) {
      const action = ctx.positionals[0] as (typeof ACTIONS)[number]
      if (!ACTIONS.includes(action)) {
        ctx.io.stderr(`mountctl service: unknown action "${action}": use install, uninstall or status\n`)
        return EXIT_USAGE
      }
      const installer = createServiceInstaller(await gatherInputs(await overridesFrom(ctx)))
      const dryRun = ctx.values['dry-run'] === true
      if (action === 'install') {
        if (dryRun) {
          const rendered = installer.render()
          ctx.io.stdout(`# would write ${rendered.path}\n${rendered.content}`)
          return EXIT_OK
        }
        const result = await installer.install()
        ctx.io.stdout(result.notes.map((n) => `${n}\n`).join(''))
        if (result.activated) return EXIT_OK
        ctx.io.stdout(`finish as ${ctx.io.env.USER ?? 'the user who owns the mounts'}, in a login session:\n${result.commands.map((c) => `  ${c}\n`).join('')}`)
        return EXIT_FAILED
      }
      if (action === 'uninstall') {
        if (dryRun) {
          ctx.io.stdout(`would stop megamountd's ${installer.kind} service and remove ${installer.render().path}\n`)
          return EXIT_OK
        }
        const result = await installer.uninstall()
        ctx.io.stdout(result.notes.map((n) => `${n}\n`).join(''))
        if (result.commands.length > 0) ctx.io.stdout(`finish with:\n${result.commands.map((c) => `  ${c}\n`).join('')}`)
        return EXIT_OK
      }
      const status = await installer.status()
      ctx.io.stdout(`${installer.kind}: ${status.detail}\n${status.installed ? '' : 'install it: mountctl service install\n'}`)
      return status.installed && status.running === true ? EXIT_OK : EXIT_FAILED
    },
  }
}

async function overridesFrom(ctx: CliContext): Promise<Partial<ServiceInputs>> {
  const env = ctx.io.env
  const configFile = configFileFor(ctx)
  return { env, configFile, megacmdPath: await megacmdPathSetting(configFile, env.HOME) }
}

export const serviceCommand = makeServiceCommand()
