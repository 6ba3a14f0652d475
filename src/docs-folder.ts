// Where the installed package's docs/ is, for help texts: hints say "see
// docs/configuration.md", which means nothing to someone who installed with
// npm unless the help names the folder (the package ships docs/).
import path from 'node:path'
import { packageRoot } from './service/template.js'

export function docsFolder(): string {
  try {
    return path.join(packageRoot(), 'docs')
  } catch {
    return 'docs' // a copy without its package.json: the folder beside the README
  }
}

/** The line both commands' help ends with. */
export function documentationLine(): string {
  return `Documentation: ${docsFolder()}/ (configuration.md, status.md, writes.md, autostart.md, ...)`
}
