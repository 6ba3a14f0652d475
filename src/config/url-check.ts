// What a bridge URL may look like. MEGA's bridge takes a query string as part
// of the folder name (every request then 404s), so it is refused here rather
// than discovered as a mysterious "logged out".

export function checkBridgeUrl(raw: string): { problem: string; hint: string } | null {
  const hint = 'copy the URL exactly as `mega-webdav /Folder` prints it, e.g. "http://127.0.0.1:4443/f1Y2lIrD/Photos"'
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { problem: `is not a URL (got ${JSON.stringify(raw)})`, hint }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `must start with http:// or https:// (got ${JSON.stringify(url.protocol)})`, hint }
  }
  if (raw.includes('?')) return { problem: 'must not contain a query ("?..."): the bridge reads it as part of the folder name', hint }
  if (raw.includes('#')) return { problem: 'must not contain a fragment ("#...")', hint }
  if (url.username || url.password) return { problem: 'must not contain a user name or password', hint }
  return null
}

/** The bridge is meant to run on this computer: plain HTTP to any other host
 *  sends file contents and names over the network unencrypted. Warned about
 *  (log, status, doctor), not refused: a bridge on a trusted LAN is a choice. */
export function plainHttpWarning(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return null
  return `the bridge URL uses plain HTTP to ${url.hostname}, which is not this computer: file contents and names cross the network unencrypted (the bridge is meant to be local; use https:// or a tunnel to reach another machine)`
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (host === '[::1]' || host === '[::ffff:7f00:1]') return true
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  return ipv4 !== null && ipv4[1] === '127'
}
