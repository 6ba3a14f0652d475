// The "server alone" floor: the requests a mount would need for each
// workload, sent with a plain node:http client, serially and 8 at a time.
// One connection per request (keepAlive false), `Range` spelled exactly so,
// as MEGA's bridge requires.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import http from 'node:http'

const agent = new http.Agent({ keepAlive: false })

export interface HttpAnswer {
  status: number
  body: Buffer
}

export function request(url: string, method: string, headers: Record<string, string> = {}, body?: Buffer | { file: string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${url}: no answer within 120 s`)))
    req.on('error', reject)
    if (body !== undefined && !Buffer.isBuffer(body)) {
      createReadStream(body.file).pipe(req)
    } else {
      req.end(body)
    }
  })
}

async function expectStatus(url: string, method: string, ok: number[], headers?: Record<string, string>, body?: Buffer | { file: string }): Promise<Buffer> {
  const answer = await request(url, method, headers, body)
  if (!ok.includes(answer.status)) throw new Error(`${method} ${url} answered ${answer.status}, expected ${ok.join(' or ')}`)
  return answer.body
}

export interface ListedEntry {
  /** Path relative to the served root, no leading or trailing '/'. */
  path: string
  isDir: boolean
}

/** Lenient PROPFIND reading: names from the decoded href, folders by
 *  resourcetype (never by a trailing slash), any namespace prefix. */
export function parseListing(xml: string, servedUrl: string): ListedEntry[] {
  const base = decodeURIComponent(new URL(servedUrl).pathname).replace(/\/+$/, '')
  const entries: ListedEntry[] = []
  for (const m of xml.matchAll(/<(?:[\w-]+:)?response\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?response>/g)) {
    const href = /<(?:[\w-]+:)?href>([^<]*)<\/(?:[\w-]+:)?href>/.exec(m[1])?.[1]
    if (href === undefined) continue
    const absolute = decodeURIComponent(new URL(href.replace(/&amp;/g, '&'), servedUrl).pathname).replace(/\/+$/, '')
    if (!absolute.startsWith(base)) continue
    const path = absolute.slice(base.length).replace(/^\/+/, '')
    entries.push({ path, isDir: /<(?:[\w-]+:)?collection\b/.test(m[1]) })
  }
  return entries
}

export function urlOf(servedUrl: string, path: string): string {
  return servedUrl + path.split('/').map(encodeURIComponent).join('/')
}

export async function listFolder(servedUrl: string, path: string): Promise<ListedEntry[]> {
  const body = await expectStatus(urlOf(servedUrl, path), 'PROPFIND', [207], { Depth: '1' })
  return parseListing(body.toString('utf8'), servedUrl).filter((e) => e.path !== path)
}

/** PROPFIND Depth 1 of every folder under `path`; returns every file path. */
export async function crawl(servedUrl: string, path: string, parallel: number): Promise<string[]> {
  const files: string[] = []
  const queue: Array<() => Promise<void>> = []
  const visit = (folder: string) => async () => {
    for (const entry of await listFolder(servedUrl, folder)) {
      if (entry.isDir) queue.push(visit(entry.path))
      else files.push(entry.path)
    }
  }
  queue.push(visit(path))
  await runQueue(parallel, queue)
  return files.sort()
}

/** Runs the queue's tasks, at most `parallel` at once; a task may push more. */
export async function runQueue(parallel: number, queue: Array<() => Promise<void>>): Promise<void> {
  let failure: unknown = null
  let active = 0
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (failure !== null && active === 0) return resolve()
      if (queue.length === 0 && active === 0) return resolve()
      while (failure === null && active < parallel && queue.length > 0) {
        const task = queue.shift() as () => Promise<void>
        active++
        task()
          .catch((err: unknown) => {
            failure ??= err
          })
          .finally(() => {
            active--
            pump()
          })
      }
    }
    pump()
  })
  if (failure !== null) throw failure
}

export async function getFile(servedUrl: string, path: string, range?: [number, number]): Promise<Buffer> {
  // 'Range' with a capital R: the bridge ignores 'range'.
  const headers: Record<string, string> = range ? { Range: `bytes=${range[0]}-${range[1]}` } : {}
  return expectStatus(urlOf(servedUrl, path), 'GET', range ? [206] : [200], headers)
}

/** GET of a whole file hashed as it arrives, as `cat | sha256sum` would, without holding it. */
export async function getFileSha256(servedUrl: string, path: string): Promise<string> {
  return (await getWholeFile(servedUrl, path, true)).sha256!
}

/** Bytes of a GET of a whole file, dropped as they arrive, as `cat > /dev/null` does. */
export async function getFileBytes(servedUrl: string, path: string): Promise<number> {
  return (await getWholeFile(servedUrl, path, false)).bytes
}

function getWholeFile(servedUrl: string, path: string, hashed: boolean): Promise<{ bytes: number; sha256: string | null }> {
  return new Promise((resolve, reject) => {
    const url = urlOf(servedUrl, path)
    const req = http.request(url, { method: 'GET', agent }, (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        return reject(new Error(`GET ${url} answered ${res.statusCode}, expected 200`))
      }
      const hash = hashed ? createHash('sha256') : null
      let bytes = 0
      res.on('data', (c: Buffer) => {
        bytes += c.length
        hash?.update(c)
      })
      res.on('end', () => resolve({ bytes, sha256: hash?.digest('hex') ?? null }))
      res.on('error', reject)
    })
    req.setTimeout(120_000, () => req.destroy(new Error(`GET ${url}: no progress within 120 s`)))
    req.on('error', reject)
    req.end()
  })
}

export async function putFile(servedUrl: string, path: string, sourceFile: string, bytes: number): Promise<void> {
  await expectStatus(urlOf(servedUrl, path), 'PUT', [200, 201, 204], { 'Content-Length': String(bytes) }, { file: sourceFile })
}

export async function makeFolder(servedUrl: string, path: string): Promise<void> {
  await expectStatus(urlOf(servedUrl, path), 'MKCOL', [201])
}
