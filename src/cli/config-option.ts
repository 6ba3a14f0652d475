// The profile file a mountctl command means: its --config ('~' expanded,
// made absolute), else MEGAMOUNT_CONFIG or the default path, as the daemon
// finds it.
import path from 'node:path'
import { defaultConfigFile, expandHome } from '../config/paths.js'
import type { CliContext } from './command.js'

/** --config as given, resolved; null when the option was not given. */
export function givenConfigFile(ctx: CliContext): string | null {
  const given = ctx.values.config
  return typeof given === 'string' ? path.resolve(expandHome(given, ctx.io.env.HOME)) : null
}

export function configFileFor(ctx: CliContext): string {
  return givenConfigFile(ctx) ?? defaultConfigFile(ctx.io.env)
}
