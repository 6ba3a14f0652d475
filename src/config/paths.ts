// Where megamount keeps its files when no flag says otherwise. Everything
// takes the environment as an argument so tests do not depend on the
// machine's HOME or XDG variables.
import os from 'node:os'
import path from 'node:path'

export type Env = Record<string, string | undefined>

/** '~' and '~/x' become the home folder; anything else is returned as is. */
export function expandHome(p: string, home: string = os.homedir()): string {
  if (p === '~') return home
  if (p.startsWith('~/')) return path.join(home, p.slice(2))
  return p
}

function homeOf(env: Env): string {
  return env.HOME && env.HOME.length > 0 ? env.HOME : os.homedir()
}

/** $MEGAMOUNT_CONFIG, else $XDG_CONFIG_HOME/megamount/mounts.json, else ~/.config/megamount/mounts.json. */
export function defaultConfigFile(env: Env): string {
  if (env.MEGAMOUNT_CONFIG) return path.resolve(expandHome(env.MEGAMOUNT_CONFIG, homeOf(env)))
  const base = env.XDG_CONFIG_HOME || path.join(homeOf(env), '.config')
  return path.join(base, 'megamount', 'mounts.json')
}

/** $MEGAMOUNT_STATE_DIR, else $XDG_STATE_HOME/megamount, else ~/.local/state/megamount. */
export function defaultStateDir(env: Env): string {
  if (env.MEGAMOUNT_STATE_DIR) return path.resolve(expandHome(env.MEGAMOUNT_STATE_DIR, homeOf(env)))
  const base = env.XDG_STATE_HOME || path.join(homeOf(env), '.local', 'state')
  return path.join(base, 'megamount')
}

/** $MEGAMOUNT_SOCKET, else $XDG_RUNTIME_DIR/megamount/control.sock, else <state dir>/control.sock.
 *  The daemon and mountctl resolve it the same way, so they meet without flags. */
export function defaultSocketPath(env: Env, stateDir: string = defaultStateDir(env)): string {
  if (env.MEGAMOUNT_SOCKET) return path.resolve(expandHome(env.MEGAMOUNT_SOCKET, homeOf(env)))
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'megamount', 'control.sock')
  return path.join(stateDir, 'control.sock')
}
