// Turns a failure into what `mountctl status` shows: what happened, and what
// the person can do about it. The kinds come from RemoteError (remote.ts).
import { RemoteError } from '../remote/remote.js'

export interface Explained {
  message: string
  hint: string
}

export function explainBridgeError(err: unknown, url: string | null, timeoutMs: number): Explained {
  const where = url ? hostOf(url) : 'the bridge'
  if (err instanceof RemoteError) {
    switch (err.kind) {
      case 'bridge-down':
        return {
          message: `bridge at ${where} refuses connections`,
          hint: 'start MEGAcmd and serve the folder (mega-webdav /Folder); megamount retries on its own',
        }
      case 'timeout':
        return {
          message: `bridge at ${where} did not answer within ${Math.round(timeoutMs / 1000)} s`,
          hint: 'MEGAcmd may still be loading the account or be stuck: see ~/.megaCmd/megacmdserver.log, restart MEGAcmd if it lasts',
        }
      case 'root-missing':
        return {
          message: 'the bridge answers 404 for the served folder',
          hint: 'MEGAcmd is logged out, or the folder was renamed or is no longer served: check mega-whoami, run mega-webdav to list served URLs and update "url"',
        }
      case 'forbidden':
        return {
          message: 'the bridge refuses access to the served folder (403)',
          hint: 'the folder is no longer served: run mega-webdav /Folder and update "url" with the URL it prints',
        }
      case 'busy':
        return { message: 'the bridge is busy (503)', hint: 'MEGA is rate-limiting or temporarily failing; megamount retries on its own' }
      default:
        return { message: `bridge check failed: ${err.message}`, hint: 'see the daemon log for details' }
    }
  }
  return { message: `bridge check failed: ${err instanceof Error ? err.message : String(err)}`, hint: 'see the daemon log for details' }
}

export function explainMountError(err: unknown, mountpoint: string, name: string): Explained {
  const message = err instanceof Error ? err.message : String(err)
  return {
    message: `mounting on ${mountpoint} failed: ${message}`,
    hint: `check that FUSE works (ls -l /dev/fuse, fusermount in PATH) and that ${mountpoint} is an empty folder, then run: mountctl mount ${name}`,
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** A failure to find a profile's bridge URL (MEGAcmd's, for megaPath). */
export function explainResolveError(err: unknown): Explained {
  const hint = (err as { hint?: unknown }).hint
  return {
    message: err instanceof Error ? err.message : String(err),
    hint: typeof hint === 'string' ? hint : 'use "url" with the URL that `mega-webdav /Folder` prints',
  }
}
