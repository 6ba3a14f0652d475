// settings.megacmdPath from the profile file, for the commands that run
// MEGAcmd outside the daemon (mountctl discover, doctor, service install).
// A file that is missing or broken means "search PATH": those commands report
// the broken file themselves where it matters.
import { loadConfig } from '../config/load.js'
import { expandHome } from '../config/paths.js'

export async function megacmdPathSetting(configFile: string, home?: string): Promise<string | null> {
  try {
    const config = await loadConfig(configFile, { checkMountpoints: false, ...(home ? { home } : {}) })
    const setting = config.settings.megacmdPath
    return setting ? expandHome(setting, home) : null
  } catch {
    return null
  }
}
