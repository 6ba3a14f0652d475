import fs from 'node:fs'
import http from 'node:http'
import type { Socket } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { silentLogger, type Logger } from '../log.js'
import { AccountNodes } from './account-nodes.js'
import { BandwidthPacer } from './bandwidth-pacer.js'
import type { BodyFault } from './body-faults.js'
import { CLOSES_WITHOUT_SAYING, METHOD_HANDLERS } from './dispatch.js'
import { localToMegaPath, megaPathToLocal, nodeName, normalizeMegaPath } from './mega-path.js'
import { nodeHandle } from './node-handle.js'
import { PlannedFaults } from './planned-faults.js'
import { reply, type RequestLogEntry } from './request-context.js'
import { resolveTarget, type ServedNode } from './request-target.js'
import { readState, servedNodesOf, stateVersion, writeState, type EmulatorState } from './state-file.js'
import { servedUrl } from './url-encoding.js'

// An in-process stand-in for MEGAcmd's WebDAV bridge (MEGA SDK's
// MegaHTTPServer) over a local folder, reproducing every behaviour listed in
// docs/megacmd-bridge.md, with fault injection for tests. See docs/emulator.md.

export type { RequestLogEntry } from './request-context.js'

export interface BridgeEmulatorOptions {
  /** Local folder standing for the account's Cloud Drive: its files and
   *  folders are the MEGA nodes. */
  accountRoot: string
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number
  /** Listen address, also used in served URLs. Default '127.0.0.1'. */
  host?: string
  /** JSON file shared with the stand-in MEGAcmd commands
   *  (env MEGA_EMULATOR_STATE). Default: none. */
  stateFile?: string
  /** Delay before the first byte of every response. Default 0. */
  latencyMs?: number
  /** Cap shared by all request and response bodies. Default: none. */
  bandwidthBytesPerSec?: number
  /** After start() the port refuses connections for this long, like
   *  MEGAcmd before it has fetched the nodes. Default 0. */
  refuseConnectionsForMs?: number
  /** Account e-mail shown by mega-whoami. Default 'user@example.com'. */
  email?: string
  /** Storage quota shown by mega-df. Default 20 GiB. */
  storageTotalBytes?: number
  /** Where PUT bodies wait before they are moved into the account; must be
   *  outside accountRoot. Default os.tmpdir(). */
  uploadTempDir?: string
  /** Oldest request-log entries are dropped beyond this. Default 100000. */
  maxLogEntries?: number
  logger?: Logger
}

export type BridgeMode = 'normal' | 'hang' | 'logged-out' | 'down'

export interface BridgeStats {
  getCount: number
  rangedGetCount: number
  fullGetCount: number
  propfindCount: number
  putCount: number
}

const DEFAULT_STORAGE_TOTAL_BYTES = 20 * 1024 ** 3

export class BridgeEmulator {
  /** Every request since start (or resetLog), oldest first. */
  readonly requests: RequestLogEntry[] = []

  private readonly accountRoot: string
  private readonly hostName: string
  private readonly stateFile: string | undefined
  private readonly latencyMs: number
  private readonly refuseConnectionsForMs: number
  private readonly email: string
  private readonly storageTotalBytes: number
  private readonly uploadDir: string
  private readonly maxLogEntries: number
  private readonly pacer: BandwidthPacer | null
  private readonly nodes: AccountNodes
  private readonly log: Logger
  private readonly server: http.Server
  /** Served nodes by handle, in the order they were served. */
  private servedNodes = new Map<string, ServedNode>()
  private readonly faults = new PlannedFaults()
  private readonly sockets = new Set<Socket>()
  private counters: BridgeStats = zeroStats()
  private mode: BridgeMode = 'normal'
  private portNumber: number
  private isListening = false
  private started = false
  private stopped = false
  private refuseTimer: NodeJS.Timeout | null = null
  private listeningWaiters: Array<() => void> = []
  private lastStateVersion = ''

  constructor(options: BridgeEmulatorOptions) {
    if (!options?.accountRoot) throw new Error('BridgeEmulator: accountRoot (the folder standing for the Cloud Drive) is required')
    this.accountRoot = path.resolve(options.accountRoot)
    if (!fs.statSync(this.accountRoot, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`BridgeEmulator: account folder ${this.accountRoot} does not exist; create it first`)
    }
    this.hostName = options.host ?? '127.0.0.1'
    this.portNumber = options.port ?? 0
    this.stateFile = options.stateFile ? path.resolve(options.stateFile) : undefined
    this.latencyMs = options.latencyMs ?? 0
    this.refuseConnectionsForMs = options.refuseConnectionsForMs ?? 0
    this.email = options.email ?? 'user@example.com'
    this.storageTotalBytes = options.storageTotalBytes ?? DEFAULT_STORAGE_TOTAL_BYTES
    this.uploadDir = path.resolve(options.uploadTempDir ?? os.tmpdir())
    const uploadRelative = path.relative(this.accountRoot, this.uploadDir)
    if (!uploadRelative.startsWith('..') && !path.isAbsolute(uploadRelative)) {
      throw new Error(`BridgeEmulator: uploadTempDir ${this.uploadDir} is inside the account folder; choose a folder outside it`)
    }
    this.maxLogEntries = options.maxLogEntries ?? 100_000
    this.pacer = options.bandwidthBytesPerSec ? new BandwidthPacer(options.bandwidthBytesPerSec) : null
    this.nodes = new AccountNodes(this.accountRoot)
    this.log = (options.logger ?? silentLogger).child({ component: 'bridge-emulator' })
    this.server = http.createServer({ requestTimeout: 0 }, (req, res) => void this.onRequest(req, res))
    this.server.on('connection', socket => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  get port(): number {
    return this.portNumber
  }

  get host(): string {
    return this.hostName
  }

  /** Binds the port (at once, or after refuseConnectionsForMs). */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    if (this.refuseConnectionsForMs > 0) {
      // Reserve a concrete port number first, so URLs are known while the
      // port still refuses connections.
      if (this.portNumber === 0) {
        await this.listen()
        await this.closeListener()
      }
      this.refuseTimer = setTimeout(() => {
        this.refuseTimer = null
        if (this.mode !== 'down' && !this.stopped) void this.listen().then(() => this.saveState())
      }, this.refuseConnectionsForMs)
    } else {
      await this.listen()
    }
    this.saveState()
    this.log.info({ port: this.portNumber, accountRoot: this.accountRoot }, 'bridge emulator started')
  }

  /** Resolves once the port accepts connections. */
  listening(): Promise<void> {
    if (this.isListening) return Promise.resolve()
    return new Promise(resolve => this.listeningWaiters.push(resolve))
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.refuseTimer) clearTimeout(this.refuseTimer)
    await this.closeListener()
    this.saveState()
    this.log.info('bridge emulator stopped')
  }

  /** Serves a folder (or file) of the account; returns its URL as
   *  `mega-webdav` prints it. */
  serve(megaPath: string): string {
    const normalized = normalizeMegaPath(megaPath)
    const localPath = megaPathToLocal(this.accountRoot, normalized)
    const stats = fs.statSync(localPath, { throwIfNoEntry: false })
    if (!stats) throw new Error(`serve: ${normalized} does not exist in the account folder ${this.accountRoot}`)
    const handle = nodeHandle(stats.dev, stats.ino)
    this.servedNodes.set(handle, { handle, localPath })
    this.saveState()
    return this.urlOf(handle, localPath)
  }

  /** Stops serving a path; false when it was not served. */
  unserve(megaPath: string): boolean {
    const normalized = normalizeMegaPath(megaPath)
    for (const [handle, node] of this.servedNodes) {
      if (localToMegaPath(this.accountRoot, node.localPath) === normalized) {
        this.servedNodes.delete(handle)
        this.saveState()
        return true
      }
    }
    return false
  }

  served(): Array<{ megaPath: string; url: string }> {
    this.syncFromStateFile()
    return [...this.servedNodes.values()].map(node => ({
      megaPath: localToMegaPath(this.accountRoot, node.localPath),
      url: this.urlOf(node.handle, node.localPath),
    }))
  }

  /** Renames a node on disk, as a rename in MEGA's web client would: served
   *  URLs of it (and below it) change, their handles do not. */
  rename(megaPath: string, newName: string): void {
    const normalized = normalizeMegaPath(megaPath)
    if (normalized === '/') throw new Error('rename: the account root cannot be renamed')
    if (!newName || newName.includes('/') || newName === '.' || newName === '..') {
      throw new Error(`rename: ${JSON.stringify(newName)} is not a valid name`)
    }
    const from = megaPathToLocal(this.accountRoot, normalized)
    const to = path.join(path.dirname(from), newName)
    fs.renameSync(from, to)
    for (const node of this.servedNodes.values()) {
      if (node.localPath === from || node.localPath.startsWith(from + path.sep)) node.localPath = to + node.localPath.slice(from.length)
    }
    this.nodes.renamePrefix(normalized, localToMegaPath(this.accountRoot, to))
    this.saveState()
  }

  /** 'hang': accept and read requests, never answer. 'logged-out': 404 for
   *  every path. 'down': the port refuses connections until 'normal' (or
   *  another mode) listens again on the same port. */
  async setMode(mode: BridgeMode): Promise<void> {
    if (!['normal', 'hang', 'logged-out', 'down'].includes(mode)) throw new Error(`setMode: unknown mode ${String(mode)}`)
    this.mode = mode
    if (mode === 'down') await this.closeListener()
    else if (this.started && !this.stopped && !this.isListening && !this.refuseTimer) await this.listen()
    this.saveState()
    this.log.info({ mode }, 'bridge emulator mode')
  }

  getMode(): BridgeMode {
    return this.mode
  }

  /** The next `count` requests with this method are answered `status`;
   *  a count of 0 ends the failures planned for the method. */
  failNext(method: string, status: number, count = 1): void {
    this.faults.failNext(method, status, count)
  }

  /** GET answers that carry file bytes send a broken body instead
   *  (body-faults.ts): every one from now on, or only the next `count`;
   *  null sends honest bodies again. */
  setBodyFault(fault: BodyFault | null, count = Infinity): void {
    this.faults.setBodyFault(fault, count)
  }

  /** Lists a second entry with the same name (and href) beside megaPath. */
  addDuplicate(megaPath: string, kind: 'file' | 'folder', size?: number): void {
    const localPath = megaPathToLocal(this.accountRoot, megaPath)
    if (!fs.existsSync(localPath)) throw new Error(`addDuplicate: ${megaPath} does not exist; create the real entry first`)
    this.nodes.addDuplicate(megaPath, kind, size)
  }

  /** Lists an entry in megaFolder that no local folder could hold and no
   *  request reaches: any name ('..', one with a NUL, 300 bytes long) and
   *  any getcontentlength text ('1e23', '9223372036854775808'). */
  addListedOnly(megaFolder: string, name: string, options: { kind?: 'file' | 'folder'; size?: number | string } = {}): void {
    const folder = megaPathToLocal(this.accountRoot, megaFolder)
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`addListedOnly: ${megaFolder} is not a folder of the account`)
    this.nodes.addListedOnly(megaFolder, { name, kind: options.kind ?? 'file', sizeText: String(options.size ?? 0) })
  }

  resetLog(): void {
    this.requests.length = 0
    this.counters = zeroStats()
  }

  stats(): BridgeStats {
    return { ...this.counters }
  }

  private urlOf(handle: string, localPath: string): string {
    return servedUrl(this.hostName, this.portNumber, handle, nodeName(localToMegaPath(this.accountRoot, localPath)))
  }

  private findServed = (handle: string): { node: ServedNode; name: string } | undefined => {
    const node = this.servedNodes.get(handle)
    return node && { node, name: nodeName(localToMegaPath(this.accountRoot, node.localPath)) }
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? ''
    const entry: RequestLogEntry = { method, path: req.url ?? '', rawHeaders: [...req.rawHeaders], status: 0, bytesSent: 0, startedAt: Date.now() }
    this.record(entry)
    // Every answer ends the connection, said or not.
    if (CLOSES_WITHOUT_SAYING.has(method)) res.removeHeader('Connection')
    else res.setHeader('Connection', 'close')
    res.on('finish', () => {
      if (method === 'GET') {
        if (entry.status === 206) this.counters.rangedGetCount++
        else if (entry.status === 200) this.counters.fullGetCount++
      }
      req.socket.destroySoon()
    })
    this.syncFromStateFile()
    if (this.mode === 'hang') {
      req.resume()
      return
    }
    if (this.latencyMs > 0) await new Promise(resolve => setTimeout(resolve, this.latencyMs))
    if (res.destroyed) return
    const base = { req, res, entry, pacer: this.pacer }
    try {
      const failure = this.faults.takeFailure(method)
      if (failure !== undefined) return await reply(base, failure)
      if (this.mode === 'logged-out') return await reply(base, 404)
      const hostHeader = req.headers.host ?? `${this.hostName}:${this.portNumber}`
      const resolved = resolveTarget(entry.path, hostHeader, this.findServed)
      if (!resolved.ok) return await reply(base, resolved.status)
      const handler = METHOD_HANDLERS[method]
      if (!handler) return await reply(base, 405)
      await handler({ ...base, target: resolved.target, nodes: this.nodes, uploadDir: this.uploadDir, takeBodyFault: this.faults.takeBodyFault })
    } catch (err) {
      this.log.warn({ err, method, path: entry.path }, 'request failed')
      if (!res.headersSent) await reply(base, 500).catch(() => undefined)
      else res.destroy()
    }
  }

  private record(entry: RequestLogEntry): void {
    this.requests.push(entry)
    if (this.requests.length > this.maxLogEntries) this.requests.splice(0, this.requests.length - this.maxLogEntries)
    if (entry.method === 'GET') this.counters.getCount++
    else if (entry.method === 'PROPFIND') this.counters.propfindCount++
    else if (entry.method === 'PUT') this.counters.putCount++
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.server.once('error', onError)
      this.server.listen(this.portNumber, this.hostName, () => {
        this.server.off('error', onError)
        const address = this.server.address()
        if (address && typeof address === 'object') this.portNumber = address.port
        this.isListening = true
        for (const waiter of this.listeningWaiters.splice(0)) waiter()
        resolve()
      })
    })
  }

  private closeListener(): Promise<void> {
    if (!this.isListening) return Promise.resolve()
    this.isListening = false
    return new Promise(resolve => {
      this.server.close(() => resolve())
      for (const socket of this.sockets) socket.destroy()
    })
  }

  private currentState(): EmulatorState {
    return {
      version: 1,
      running: !this.stopped,
      listening: this.isListening,
      host: this.hostName,
      port: this.portNumber,
      accountRoot: this.accountRoot,
      loggedIn: this.mode !== 'logged-out',
      email: this.email,
      storageTotalBytes: this.storageTotalBytes,
      served: [...this.servedNodes.values()].map(node => ({
        megaPath: localToMegaPath(this.accountRoot, node.localPath),
        handle: node.handle,
      })),
    }
  }

  private saveState(): void {
    if (!this.stateFile || !this.started) return
    this.lastStateVersion = stateVersion(writeState(this.stateFile, this.currentState()))
  }

  /** Takes up what the stand-in commands changed (served paths, logout),
   *  checked cheaply by the file's identity on every request. */
  private syncFromStateFile(): void {
    if (!this.stateFile || !this.started) return
    const stats = fs.statSync(this.stateFile, { throwIfNoEntry: false })
    if (!stats || stateVersion(stats) === this.lastStateVersion) return
    const state = readState(this.stateFile)
    this.lastStateVersion = stateVersion(stats)
    if (!state) return
    const served = servedNodesOf(this.accountRoot, state)
    this.servedNodes = served
    if (!state.loggedIn && this.mode !== 'logged-out') this.mode = 'logged-out'
    else if (state.loggedIn && this.mode === 'logged-out') this.mode = 'normal'
    this.log.info({ served: served.size, loggedIn: state.loggedIn }, 'state file changed')
  }
}

function zeroStats(): BridgeStats {
  return { getCount: 0, rangedGetCount: 0, fullGetCount: 0, propfindCount: 0, putCount: 0 }
}
