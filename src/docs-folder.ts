// Where the installed package's docs/ is, for help texts: hints say "see
// docs/configuration.md", which means nothing to someone who installed with
// npm unless the help names the folder (the package ships docs/).
import path from 'node:path'
import { packageInfo } from './package-root.js'

export function docsFolder(): string {
  const info = packageInfo()
  // Without its package.json (a bare copy): the folder beside the README.
  return info ? path.join(info.root, 'docs') : 'docs'
}

/** The line both commands' help ends with. */
export function documentationLine(): string {
  return `Documentation: ${docsFolder()}/ (configuration.md, status.md, writes.md, autostart.md, ...)`
}
