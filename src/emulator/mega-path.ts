import path from 'node:path'

// MEGA paths ('/Photos/2024') against the local folder that stands for the
// account's Cloud Drive.

/** The name MEGA gives the account's root folder. */
export const ROOT_NAME = 'Cloud Drive'

/** '/a/b' from 'a/b', '/a/b/', '/a//b'; throws on '.', '..' or an empty path. */
export function normalizeMegaPath(megaPath: string): string {
  if (typeof megaPath !== 'string' || megaPath === '') throw new Error('a MEGA path such as /Photos is required')
  const parts = megaPath.split('/').filter(p => p !== '')
  for (const part of parts) {
    if (part === '.' || part === '..') throw new Error(`MEGA path ${megaPath} must not contain '.' or '..'`)
  }
  return '/' + parts.join('/')
}

export function megaPathToLocal(accountRoot: string, megaPath: string): string {
  const parts = normalizeMegaPath(megaPath).split('/').filter(p => p !== '')
  return path.join(accountRoot, ...parts)
}

export function localToMegaPath(accountRoot: string, localPath: string): string {
  const relative = path.relative(accountRoot, localPath)
  if (relative === '') return '/'
  return '/' + relative.split(path.sep).join('/')
}

/** The node's name as MEGA shows it: the root is 'Cloud Drive'. */
export function nodeName(megaPath: string): string {
  const normalized = normalizeMegaPath(megaPath)
  return normalized === '/' ? ROOT_NAME : normalized.slice(normalized.lastIndexOf('/') + 1)
}
