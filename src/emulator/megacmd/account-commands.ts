import { measureFolder } from '../account-usage.js'
import { formatDf } from '../df-format.js'
import { EXIT, saveState, withEmulator, type CommandResult } from './stand-in.js'

// `mega-whoami`, `mega-df [-h]` and `mega-logout` against the emulator.

const EMPTY = { bytes: 0, files: 0, folders: 0 }

export function runWhoami(_args: string[], env: NodeJS.ProcessEnv): CommandResult {
  return withEmulator(env, ({ state }) => ({ stdout: `Account e-mail: ${state.email}\n`, stderr: '', exitCode: EXIT.ok }))
}

export function runDf(args: string[], env: NodeJS.ProcessEnv): CommandResult {
  const unknown = args.filter(a => a !== '-h')
  if (unknown.length > 0) return { stdout: '', stderr: 'Usage: df [-h]\n', exitCode: EXIT.badArguments }
  return withEmulator(env, ({ state }) => {
    const input = {
      cloudDrive: measureFolder(state.accountRoot),
      inbox: EMPTY,
      // Deletes through the bridge are permanent: the Rubbish Bin stays empty.
      rubbishBin: EMPTY,
      totalBytes: state.storageTotalBytes,
      versionsBytes: 0,
    }
    return { stdout: formatDf(input, args.includes('-h')), stderr: '', exitCode: EXIT.ok }
  })
}

export function runLogout(_args: string[], env: NodeJS.ProcessEnv): CommandResult {
  return withEmulator(env, ctx => {
    ctx.state.loggedIn = false
    saveState(ctx)
    return { stdout: 'Logging out...\n', stderr: '', exitCode: EXIT.ok }
  })
}
