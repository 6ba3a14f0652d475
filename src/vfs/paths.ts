// Paths inside a mount, as FUSE hands them over: '/'-separated, absolute,
// '/' is the served folder. Everything in the core uses the normalized form
// (leading '/', no trailing '/', no empty or '.' segments) so cache keys of
// the same folder never differ by spelling.

import { FsError } from '../errors.js'

/** Longest name a mount accepts; statfs reports it as nameMax. */
export const NAME_MAX_BYTES = 255

export function normalizePath(path: string): string {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') throw new FsError('EINVAL', `path ${JSON.stringify(path)} goes above the mount root`)
    if (Buffer.byteLength(part) > NAME_MAX_BYTES) throw new FsError('ENAMETOOLONG', `name longer than ${NAME_MAX_BYTES} bytes: ${part.slice(0, 40)}...`)
    parts.push(part)
  }
  return '/' + parts.join('/')
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

export function childPath(folder: string, name: string): string {
  return folder === '/' ? '/' + name : folder + '/' + name
}

/** True when path is folder itself or lies below it. */
export function isSameOrBelow(path: string, folder: string): boolean {
  if (folder === '/') return true
  return path === folder || path.startsWith(folder + '/')
}
