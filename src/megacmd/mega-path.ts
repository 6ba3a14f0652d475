// MEGA paths as MEGAcmd prints them: absolute, '/'-separated, no trailing
// slash except the account root '/'. Profiles and `mega-webdav` output are
// compared in this form so '/Photos/' in a profile finds '/Photos'.

export function normalizeMegaPath(megaPath: string): string {
  const trimmed = megaPath.trim()
  if (!trimmed.startsWith('/')) {
    throw new Error(`MEGA path "${megaPath}" must be absolute, starting with "/" (for example "/Photos")`)
  }
  const collapsed = trimmed.replace(/\/{2,}/g, '/')
  return collapsed.length > 1 ? collapsed.replace(/\/+$/, '') : collapsed
}

/** Last path segment, for suggested mount names: '/' -> 'Cloud Drive'. */
export function megaPathBaseName(megaPath: string): string {
  const normalized = normalizeMegaPath(megaPath)
  if (normalized === '/') return 'Cloud Drive'
  return normalized.slice(normalized.lastIndexOf('/') + 1)
}
