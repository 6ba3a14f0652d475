// "Did you mean" for unknown field names: the known name with the smallest
// edit distance, when it is close enough to be a plausible typo.

export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const cur = [i]
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[y.length]!
}

export function closestName(unknown: string, known: readonly string[]): string | null {
  // A name missing its unit suffix (healthInterval) is the commonest slip.
  const prefixed = known.find(k => k.toLowerCase().startsWith(unknown.toLowerCase()) && unknown.length >= 4)
  if (prefixed) return prefixed
  let best: string | null = null
  let bestDistance = Infinity
  for (const k of known) {
    const d = editDistance(unknown, k)
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  // A third of the name's length covers typos and case slips (cacheTTLms)
  // without suggesting unrelated fields.
  const limit = Math.max(2, Math.ceil(unknown.length / 3))
  return best !== null && bestDistance <= limit ? best : null
}
