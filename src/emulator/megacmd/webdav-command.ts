import { absoluteMegaPath, EXIT, handleOf, saveState, urlOf, withEmulator, type CommandResult } from './stand-in.js'

// `mega-webdav` against the emulator:
//   mega-webdav             list served locations
//   mega-webdav /Path       serve a path (--port, --public, --tls... ignored,
//                           as MEGAcmd ignores them once the server runs)
//   mega-webdav -d /Path    stop serving it

export function runWebdav(args: string[], env: NodeJS.ProcessEnv): CommandResult {
  const remove = args.includes('-d')
  const paths = args.filter(a => !a.startsWith('-'))
  if (paths.length > 1 || (remove && paths.length === 0)) {
    return { stdout: '', stderr: 'Usage: webdav [-d] [remotepath] [--port=PORT] [--public] [--tls]\n', exitCode: EXIT.badArguments }
  }
  return withEmulator(env, ctx => {
    const { state } = ctx
    if (paths.length === 0) return list(state)
    const argument = paths[0]!
    let megaPath: string
    try {
      megaPath = absoluteMegaPath(argument)
    } catch {
      return { stdout: '', stderr: `Path not found: ${argument}\n`, exitCode: EXIT.notFound }
    }
    if (remove) {
      const index = state.served.findIndex(s => s.megaPath === megaPath)
      if (index < 0) return { stdout: '', stderr: `${argument} is not served via webdav\n`, exitCode: EXIT.notFound }
      state.served.splice(index, 1)
      saveState(ctx)
      return { stdout: `${argument} no longer served via webdav\n`, stderr: '', exitCode: EXIT.ok }
    }
    const handle = handleOf(state, megaPath)
    if (!handle) return { stdout: '', stderr: `Path not found: ${argument}\n`, exitCode: EXIT.notFound }
    if (!state.served.some(s => s.megaPath === megaPath)) {
      state.served.push({ megaPath, handle })
      saveState(ctx)
    }
    return { stdout: `Serving via webdav ${argument}: ${urlOf(state, megaPath, handle)}\n`, stderr: '', exitCode: EXIT.ok }
  })
}

function list(state: Parameters<typeof urlOf>[0]): CommandResult {
  if (!state.listening) return { stdout: 'Webdav server might not running. Add a new location to serve.\n', stderr: '', exitCode: EXIT.ok }
  if (state.served.length === 0) return { stdout: 'No webdav links found\n', stderr: '', exitCode: EXIT.ok }
  const lines = state.served.map(s => `${s.megaPath}: ${urlOf(state, s.megaPath, handleOf(state, s.megaPath) ?? s.handle)}`)
  return { stdout: ['WEBDAV SERVED LOCATIONS:', ...lines, ''].join('\n'), stderr: '', exitCode: EXIT.ok }
}
