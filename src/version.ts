// The package version, from megamount's package.json.
import { packageInfo } from './package-root.js'

export function packageVersion(): string {
  return packageInfo()?.version ?? 'unknown'
}
