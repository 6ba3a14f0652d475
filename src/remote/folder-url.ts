// Checking the folder URL a profile gives, once, with a message that says
// what a good one looks like.

/** Validates a WebDAV folder URL and drops any trailing slash. */
export function parseFolderUrl(url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new TypeError(`${JSON.stringify(url)} is not a URL: give the folder's WebDAV URL, e.g. http://127.0.0.1:4443/f1Y2lIrD/Photos as printed by mega-webdav`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`${url}: only http:// and https:// WebDAV URLs are supported`)
  }
  if (parsed.search || parsed.hash || url.includes('?') || url.includes('#')) {
    throw new TypeError(`${url}: remove the query string or fragment (MEGA's bridge reads '?' as part of the folder name); encode such characters as %3F and %23`)
  }
  if (parsed.username || parsed.password) {
    throw new TypeError(`${url}: user names and passwords in the URL are not supported (MEGA's bridge has no authentication)`)
  }
  parsed.pathname = parsed.pathname.replace(/\/+$/, '') || '/'
  return parsed
}
