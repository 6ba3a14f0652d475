// JSON.parse with an error that gives line and column, which V8's message
// ("... in JSON at position 123") does not.

export interface JsonSyntaxProblem {
  line: number
  column: number
  reason: string
}

export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(position, text.length)))
  const lines = before.split('\n')
  return { line: lines.length, column: lines.at(-1)!.length + 1 }
}

export function parseJsonWithPosition(text: string): { value: unknown } | { error: JsonSyntaxProblem } {
  try {
    return { value: JSON.parse(text) }
  } catch (err) {
    const message = (err as Error).message
    const lc = /\(line (\d+) column (\d+)\)/.exec(message)
    const reason = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '')
    if (lc) return { error: { line: Number(lc[1]), column: Number(lc[2]), reason } }
    const pos = /at position (\d+)/.exec(message)
    const where = lineAndColumn(text, pos ? Number(pos[1]) : firstBadOffset(text))
    return { error: { ...where, reason } }
  }
}

/** Where parsing goes wrong, for the V8 messages that give no position
 *  ("Unexpected token '}', ... is not valid JSON"): the longest prefix that is
 *  still the start of some valid JSON ends right before the bad character. */
function firstBadOffset(text: string): number {
  const viable = (end: number): boolean => {
    try {
      JSON.parse(text.slice(0, end))
      return true
    } catch (err) {
      const m = (err as Error).message
      if (/end of JSON input/.test(m)) return true
      const pos = /at position (\d+)/.exec(m)
      return pos !== null && Number(pos[1]) >= end
    }
  }
  let lo = 0
  let hi = text.length
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (viable(mid)) lo = mid
    else hi = mid - 1
  }
  return lo
}
