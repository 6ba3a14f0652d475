// A status line that keeps changing: on a terminal one line rewritten in
// place; otherwise (a log, a pipe) a plain line when the text's gist
// changes or every plainEveryMs, so a log is not flooded.
import type { CliIo } from './command.js'

export class ProgressLine {
  private shown = false
  private lastKey: string | null = null
  private lastPlainMs = 0

  constructor(
    private readonly io: CliIo,
    private readonly plainEveryMs = 10_000,
  ) {}

  /** key: what must change for a plain line to be printed at once. */
  show(text: string, key: string, nowMs = Date.now()): void {
    if (this.io.stdoutIsTty) {
      this.io.stdout(`\r\x1b[K${text}`)
      this.shown = true
      return
    }
    if (key === this.lastKey && nowMs - this.lastPlainMs < this.plainEveryMs) return
    this.lastKey = key
    this.lastPlainMs = nowMs
    this.io.stdout(`${text}\n`)
  }

  /** Ends the rewritten line so what follows starts on its own. */
  end(): void {
    if (this.shown) this.io.stdout('\n')
    this.shown = false
  }
}
