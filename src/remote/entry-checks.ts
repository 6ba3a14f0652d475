// Entries a server lists that cannot be files here: a name Linux cannot give
// a file ('.' and '..' would show twice in `ls -la`, a NUL cannot be passed
// to any system call, and more than 255 bytes is refused by every program),
// or a size that is not a whole number of bytes JavaScript can count exactly
// (1e23, 2^63: a nonsense size, or EIO on stat). Such entries are left out of
// listings, with a warning in the log and a count in `mountctl status`, as
// hidden duplicates are; nothing is guessed (docs/filesystem.md, "Names").

/** Linux's NAME_MAX, in bytes. */
export const NAME_MAX_BYTES = 255

/** Why a name cannot be a file's here, or null when it can. */
export function unusableName(name: string): string | null {
  if (name === '.' || name === '..') return `"${name}" names the folder itself or its parent, not an entry`
  if (name.includes('\0')) return 'the name contains a NUL byte, which no file name may hold'
  const bytes = Buffer.byteLength(name)
  if (bytes > NAME_MAX_BYTES) return `the name is ${bytes} bytes long, more than the ${NAME_MAX_BYTES} a file name may have`
  return null
}

export type ContentLength = { bytes: number } | { problem: string } | null

/** A getcontentlength value: null when absent; a problem when it is not a
 *  whole number of bytes up to 2^53 - 1. */
export function parseContentLength(text: string | undefined): ContentLength {
  if (text === undefined) return null
  const t = text.trim()
  const bytes = /^\d+$/.test(t) ? Number(t) : NaN
  if (Number.isSafeInteger(bytes)) return { bytes }
  const shown = t.length > 40 ? `${t.slice(0, 40)}...` : t
  return { problem: `its size "${shown}" is not a whole number of bytes up to ${Number.MAX_SAFE_INTEGER}` }
}

/** A name as the log and status show it: control characters escaped. */
export function printableName(name: string): string {
  const shown = name.length > 80 ? `${name.slice(0, 80)}...` : name
  return JSON.stringify(shown).slice(1, -1)
}
