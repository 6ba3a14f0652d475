// Runs checks and prints them: one 'ok'/'FAIL' line each, the fix indented
// under a failure. A check that throws is a failure, never a crash of the
// doctor: the rest still run.
import type { Check, CheckOutcome } from './types.js'

export async function runChecks(checks: readonly Check[]): Promise<CheckOutcome[]> {
  // In parallel: each check is bounded on its own (doctorProbeTimeoutMs,
  // doctorCommandTimeoutMs of src/config/options.ts),
  // so the doctor takes as long as the slowest, not the sum.
  return Promise.all(
    checks.map(async (check): Promise<CheckOutcome> => {
      try {
        return { id: check.id, title: check.title, ...(await check.run()) }
      } catch (err) {
        return { id: check.id, title: check.title, ok: false, detail: `the check itself failed: ${(err as Error).message}` }
      }
    }),
  )
}

export function formatReport(outcomes: readonly CheckOutcome[]): string {
  const lines: string[] = []
  for (const o of outcomes) {
    lines.push(`${o.ok ? (o.warning ? 'warn' : 'ok  ') : 'FAIL'}  ${o.title}: ${o.detail}`)
    if (!o.ok && o.fix) lines.push(`      fix: ${o.fix}`)
    if (o.warning) lines.push(`      warning: ${o.warning}`)
  }
  const failed = outcomes.filter((o) => !o.ok).length
  const warned = outcomes.filter((o) => o.warning).length
  const warnings = warned === 0 ? '' : ` (${warned} warning${warned > 1 ? 's' : ''})`
  lines.push(failed === 0 ? `all ${outcomes.length} checks passed${warnings}` : `${failed} of ${outcomes.length} checks failed${warnings}`)
  return lines.join('\n') + '\n'
}

/** 0 when every check passed, else 1. */
export function doctorExitCode(outcomes: readonly CheckOutcome[]): number {
  return outcomes.every((o) => o.ok) ? 0 : 1
}
