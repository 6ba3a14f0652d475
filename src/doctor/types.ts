// A doctor check: one question about this machine or a profile, answered
// with ok/FAIL, a line of detail and, when failing, the exact command (or
// step) that fixes it.

export interface CheckResult {
  ok: boolean
  detail: string
  /** The command to run or the step to take; set when !ok. */
  fix?: string
  /** Works, but should not be so (plain HTTP to another computer): shown,
   *  and does not fail the doctor. */
  warning?: string
}

export interface Check {
  /** Stable, for --json and scripts: 'fuse-device', 'mountpoint:photos', ... */
  id: string
  title: string
  run(): Promise<CheckResult>
}

export interface CheckOutcome extends CheckResult {
  id: string
  title: string
}
