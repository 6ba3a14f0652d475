// mountctl discover: what MEGAcmd serves now, as profiles ready to paste into
// mounts.json. Profiles name the MEGA path (megaPath), not the URL, so a
// renamed folder is found again; --url prints the URLs instead.
import { configFileFor } from '../config-option.js'
import { MegaCmd, type MegaCmdApi } from '../../megacmd/megacmd.js'
import { megaPathBaseName } from '../../megacmd/mega-path.js'
import { megacmdPathSetting } from '../../megacmd/megacmd-path-setting.js'
import type { ServedLocation } from '../../megacmd/parse-webdav.js'
import { isMegaCmdError } from '../../megacmd/errors.js'
import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../command.js'

export interface SuggestedProfile {
  name: string
  megaPath?: string
  url?: string
  mountpoint: string
}

/** A profile name from a folder name: [A-Za-z0-9._-], unique among `taken`. */
export function profileNameFor(megaPath: string, taken: Set<string>): string {
  let base = megaPathBaseName(megaPath).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60)
  if (base === '' || base === '.' || base === '..') base = 'mega'
  let name = base
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`
  taken.add(name.toLowerCase())
  return name
}

export function suggestProfiles(locations: readonly ServedLocation[], options: { useUrl: boolean }): SuggestedProfile[] {
  const taken = new Set<string>()
  return locations
    .filter((l) => l.megaPath.startsWith('/'))
    .map((l) => {
      const name = profileNameFor(l.megaPath, taken)
      return options.useUrl ? { name, url: l.url, mountpoint: `~/MEGA/${name}` } : { name, megaPath: l.megaPath, mountpoint: `~/MEGA/${name}` }
    })
}

export function makeDiscoverCommand(makeMegaCmd: (megacmdPath: string | null) => MegaCmdApi = (p) => new MegaCmd({ megacmdPath: p })): CliCommand {
  return {
    name: 'discover',
    summary: 'list what MEGAcmd serves over WebDAV, as profiles to paste into mounts.json',
    usage: `Usage: mountctl discover [--url] [--config FILE]

Runs mega-webdav, lists the MEGA folders it serves, and prints one profile
per folder (JSON, for the "mounts" list of mounts.json) with a suggested
mountpoint ~/MEGA/<name>. Profiles use "megaPath", which keeps working when
the folder is renamed; --url prints the current bridge URL instead.

  --url       profiles with "url" instead of "megaPath"
  --config F  read settings.megacmdPath from this file

Exit status: 0 when something is served, 1 otherwise.`,
    options: { url: { type: 'boolean' }, config: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const env = ctx.io.env
      const configFile = configFileFor(ctx)
      const megaCmd = makeMegaCmd(await megacmdPathSetting(configFile, env.HOME))
      let locations: ServedLocation[]
      try {
        locations = await megaCmd.servedLocations()
      } catch (err) {
        if (!isMegaCmdError(err)) throw err
        ctx.io.stderr(`mountctl discover: ${err.message}\n${err.fix ? `  fix: ${err.fix}\n` : ''}`)
        return EXIT_FAILED
      }
      if (locations.length === 0) {
        ctx.io.stderr(
          'MEGAcmd serves no folder over WebDAV yet.\n' +
            '  serve one:  mega-webdav /Photos\n' +
            '  or write a profile with "megaPath": "/Photos" (the daemon serves it when "serveIfNeeded" is true, the default)\n',
        )
        return EXIT_FAILED
      }
      const profiles = suggestProfiles(locations, { useUrl: ctx.values.url === true })
      ctx.io.stderr(
        `MEGAcmd serves ${locations.length} location(s):\n` +
          locations.map((l) => `  ${l.megaPath}  ${l.url}\n`).join('') +
          `Profiles for the "mounts" list of ${configFile}:\n`,
      )
      ctx.io.stdout(`${JSON.stringify(profiles, null, 2)}\n`)
      return EXIT_OK
    },
  }
}

export const discoverCommand = makeDiscoverCommand()
