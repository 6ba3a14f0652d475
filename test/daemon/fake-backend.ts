// Fakes of the layers below the daemon, shared by the daemon, control and
// mountctl tests (tap reports this file as "no tests found").
import { RemoteError, type Remote, type RemoteEntry } from '../../src/remote/remote.js'
import type { MountBackend, MountHandle, SupervisedFs } from '../../src/daemon/backend.js'
import type { Profile } from '../../src/config/types.js'
import type { Time } from '../../src/clock.js'
import { ManualTime } from '../helpers/manual-time.js'
import type { MountRecord } from '../../src/mount-table.js'
import type { UploadSource } from '../../src/daemon/upload-status.js'
import { FakeUploadQueue } from './fake-upload-queue.js'
import path from 'node:path'
import { silentLogger } from '../../src/log.js'
import { MountStore } from '../../src/vfs/store/mount-store.js'

export type BridgeMode = 'up' | 'down' | 'hang' | 'logged-out' | 'not-served'

/** One fake bridge per URL; tests flip its mode. */
export class FakeBridge {
  mode: BridgeMode = 'up'
  calls = 0
  private hung: (() => void)[] = []

  stat(signal?: AbortSignal): Promise<RemoteEntry> {
    this.calls++
    switch (this.mode) {
      case 'up':
        return Promise.resolve({ name: '', isDir: true, size: 0, mtimeMs: null, ctimeMs: null, etag: null })
      case 'down':
        return Promise.reject(new RemoteError('bridge-down', 'connect ECONNREFUSED 127.0.0.1:4443'))
      case 'logged-out':
        return Promise.reject(new RemoteError('root-missing', '404 on the served root', { status: 404 }))
      case 'not-served':
        return Promise.reject(new RemoteError('forbidden', '403: the handle is not served', { status: 403 }))
      case 'hang':
        return new Promise((_, reject) => {
          const onAbort = () => reject(new RemoteError('timeout', 'aborted'))
          signal?.addEventListener('abort', onAbort, { once: true })
          this.hung.push(onAbort)
        })
    }
  }
}

export class FakeFs {
  available: boolean | null = null
  /** Every setBridgeAvailable, in order. */
  availability: boolean[] = []
  invalidated: (string | undefined)[] = []
  closed = false
  /** What stats() reports as left out of listings. */
  unusableNames = 0
  constructor(readonly profile: Profile) {}
  stats() {
    return { cacheEntries: 12, cacheHits: 3, cacheMisses: 1, hitRate: 0.75, duplicateNames: 1, unusableNames: this.unusableNames }
  }
  invalidate(path?: string) {
    this.invalidated.push(path)
  }
  setBridgeAvailable(available: boolean) {
    this.available = available
    this.availability.push(available)
  }
  close() {
    this.closed = true
  }
  /** Times the daemon asked it to let go of memory (idle-reducer.ts). */
  releasedMemory = 0
  releaseMemory() {
    this.releasedMemory++
  }
}

export class FakeBackend implements MountBackend {
  readonly bridges = new Map<string, FakeBridge>()
  /** mountpoint -> profile name, of what is mounted now. */
  readonly mounted = new Map<string, string>()
  readonly fsByName = new Map<string, FakeFs>()
  readonly events: string[] = []
  failMount: Error | null = null
  /** The FUSE backend the next mounts report; none, like a daemon of old. */
  handleBackend: string | undefined = undefined
  staleCleaned: string[] = []
  private readonly onLost = new Map<string, (() => void) | undefined>()
  /** The upload queue of each writable mount, by profile name (the latest). */
  readonly queues = new Map<string, FakeUploadQueue>()
  /** Drives the fake queues' drain timeouts; tests share it with the daemon. */
  queueTime: Time = new ManualTime()

  bridge(url: string): FakeBridge {
    let b = this.bridges.get(url)
    if (!b) this.bridges.set(url, (b = new FakeBridge()))
    return b
  }

  async resolveUrl(profile: Profile): Promise<string> {
    if (!profile.url) throw Object.assign(new Error('megaPath cannot be resolved here'), { hint: 'use url' })
    return profile.url
  }

  createRemote(_profile: Profile, url: string): Remote {
    const bridge = this.bridge(url)
    const unused = () => Promise.reject(new Error('not used by the daemon'))
    return {
      stat: (_path, options) => bridge.stat(options?.signal),
      list: unused,
      read: unused,
      put: unused,
      mkdir: unused,
      delete: unused,
      move: unused,
      copy: unused,
      quota: () => Promise.resolve(null),
    }
  }

  createFs(args: { profile: Profile; onWrites?: (source: UploadSource) => void }): SupervisedFs {
    const f = new FakeFs(args.profile)
    this.fsByName.set(args.profile.name, f)
    if (args.onWrites && !args.profile.readOnly) {
      const queue = new FakeUploadQueue(this.queueTime)
      this.queues.set(args.profile.name, queue)
      args.onWrites({ uploads: async () => queue })
    }
    return f as unknown as SupervisedFs
  }

  async mount(mountpoint: string, fs: SupervisedFs, options?: { onLost?: () => void }): Promise<MountHandle> {
    if (this.failMount) throw this.failMount
    const name = (fs as unknown as FakeFs).profile.name
    this.mounted.set(mountpoint, name)
    this.onLost.set(mountpoint, options?.onLost)
    this.events.push(`mount ${name}`)
    return {
      mountpoint,
      ...(this.handleBackend ? { backend: this.handleBackend, backendWhy: 'the test asked for it' } : {}),
      unmount: async () => {
        // As the FUSE layer does when the kernel mount is already gone.
        if (!this.mounted.has(mountpoint)) throw new Error(`${mountpoint} is not mounted`)
        this.mounted.delete(mountpoint)
        this.events.push(`unmount ${name}`)
      },
    }
  }

  /** When set, each mount has a real store in a folder of its name there,
   *  as the daemon's mounts do (src/vfs/store/). */
  storeDir: string | null = null

  openStore(profile: Profile): MountStore | null {
    return this.storeDir ? MountStore.open(path.join(this.storeDir, profile.name), profile.megaPath ?? profile.url ?? '', silentLogger) : null
  }

  /** What the mount table holds: what is mounted now. */
  async readMountTable(): Promise<MountRecord[]> {
    return [...this.mounted].map(([mountpoint, name]) => ({ source: `megamount:${name}`, mountpoint, type: 'fuse.megamount' }))
  }

  /** fusermount -u from a shell: gone from the table; the daemon is told
   *  only when the backend can tell (libfuse3 sees its session end). */
  unmountFromOutside(mountpoint: string, options: { backendTells?: boolean } = {}): void {
    this.mounted.delete(mountpoint)
    if (options.backendTells) this.onLost.get(mountpoint)?.()
  }

  async cleanStaleMount(mountpoint: string): Promise<void> {
    this.staleCleaned.push(mountpoint)
  }
}
