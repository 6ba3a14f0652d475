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
