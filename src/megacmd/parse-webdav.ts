// Parsers for `mega-webdav` output, in the formats of MEGAcmd 2.x (see
// docs/megacmd-bridge.md): a listing is a 'WEBDAV SERVED LOCATIONS:' header and one
// '<mega path>: <url>' line per location; serving prints
// 'Serving via webdav <path>: <url>'. A MEGA path may itself contain ': ', so
// a line is split at its LAST ': http', never at the first colon.

export interface ServedLocation {
  /** The MEGA path exactly as MEGAcmd printed it, e.g. '/Photos'. */
  megaPath: string
  /** Bridge URL, e.g. 'http://127.0.0.1:4443/f1Y2lIrD/Photos'. */
  url: string
}

function splitAtLastUrl(line: string): { before: string; url: string } | null {
  const at = Math.max(line.lastIndexOf(': http://'), line.lastIndexOf(': https://'))
  if (at < 0) return null
  const url = line.slice(at + 2).trim()
  if (!/^https?:\/\/\S+$/.test(url)) return null
  return { before: line.slice(0, at), url }
}

/** Served locations; [] for 'No webdav links found' and for 'Webdav server
 *  might not running' (nothing served yet). Lines that are neither a header
 *  nor a location are ignored: MEGAcmd pads its header with spaces and may
 *  print status lines around the listing. */
export function parseServedLocations(stdout: string): ServedLocation[] {
  const locations: ServedLocation[] = []
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '')
    if (line.trim() === '' || line.trim().startsWith('WEBDAV SERVED LOCATIONS')) continue
    const split = splitAtLastUrl(line)
    if (!split) continue
    const megaPath = split.before.replace(/^\s+/, '')
    if (megaPath === '') continue
    locations.push({ megaPath, url: split.url })
  }
  return locations
}

/** The URL from 'Serving via webdav /Photos: http://...', or null. */
export function parseServeOutput(stdout: string): string | null {
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line.startsWith('Serving via webdav ')) continue
    const split = splitAtLastUrl(line)
    if (split) return split.url
  }
  return null
}
