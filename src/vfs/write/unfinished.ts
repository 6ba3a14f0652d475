// Files that were still open for writing when the daemon died. The journal
// says so ('dirty': changed, and no program closed the file since): the
// program writing it was cut off, so the staged data may be a partial file,
// say the first 18 MB of a 40 MB copy. Uploaded over the original, that
// would replace a good file with a truncated one. So at the next start:
//  - if the file existed on the server, the unfinished copy is renamed to a
//    conflict name beside it, "report (unfinished 2026-11-29 14.03).pdf",
//    and uploaded there; the original is left alone;
//  - if it is a new file, it is uploaded as it is (there is nothing to
//    replace, and losing it would lose data).
// The time in the name is that of the last write to the file, in local time
// (docs/writes.md, "What survives what").

export interface UnfinishedInfo {
  /** The path the program was writing; null when the file was new and
   *  keeps its name. */
  originalPath: string | null
  /** The last write to the staged data (ms since the epoch). */
  lastWriteMs: number
}

/** Linux's limit on one name, in bytes. */
const NAME_MAX_BYTES = 255

function twoDigits(n: number): string {
  return String(n).padStart(2, '0')
}

/** "2026-11-29 14.03" in local time (no ':' in names: the bridge cannot
 *  serve a name containing one). */
export function localMinute(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${twoDigits(d.getMonth() + 1)}-${twoDigits(d.getDate())} ${twoDigits(d.getHours())}.${twoDigits(d.getMinutes())}`
}

/** "report.pdf" -> "report (unfinished 2026-11-29 14.03).pdf"; n > 1 adds a
 *  counter for a name already taken. The stem is shortened to keep the name
 *  within 255 bytes. */
export function unfinishedName(name: string, lastWriteMs: number, n = 1): string {
  const dot = name.lastIndexOf('.')
  const hasExtension = dot > 0 && name.length - dot <= 16
  let stem = hasExtension ? name.slice(0, dot) : name
  const extension = hasExtension ? name.slice(dot) : ''
  const tag = ` (unfinished ${localMinute(lastWriteMs)}${n > 1 ? ` ${n}` : ''})`
  while (stem.length > 1 && Buffer.byteLength(stem + tag + extension) > NAME_MAX_BYTES) stem = [...stem].slice(0, -1).join('')
  return stem + tag + extension
}

/** The conflict path for an unfinished copy of filePath, not one of `taken`. */
export function unfinishedPath(filePath: string, lastWriteMs: number, taken: (p: string) => boolean): string {
  const slash = filePath.lastIndexOf('/')
  const folder = filePath.slice(0, slash + 1)
  const name = filePath.slice(slash + 1)
  for (let n = 1; ; n++) {
    const candidate = folder + unfinishedName(name, lastWriteMs, n)
    if (!taken(candidate)) return candidate
  }
}
