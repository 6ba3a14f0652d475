// A problem in mounts.json, said so a person can fix it: which file, which
// profile (by name, else by its index), which field, what is wrong, what to do.

export interface ConfigProblemWhere {
  file: string
  /** 'profile "photos" (mounts[0])', 'mounts[2]', 'settings', or undefined for the file itself. */
  profile?: string
  field?: string
}

export class ConfigError extends Error {
  readonly file: string
  readonly profile: string | undefined
  readonly field: string | undefined
  /** What is wrong, without the location prefix. */
  readonly problem: string
  /** What to do about it. */
  readonly hint: string
  constructor(where: ConfigProblemWhere, problem: string, hint: string) {
    super(formatConfigProblem(where, problem))
    this.name = 'ConfigError'
    this.file = where.file
    this.profile = where.profile
    this.field = where.field
    this.problem = problem
    this.hint = hint
  }
}

export function formatConfigProblem(where: ConfigProblemWhere, problem: string): string {
  const parts = [where.file]
  if (where.profile) parts.push(where.profile)
  if (where.field) parts.push(`field "${where.field}"`)
  return `${parts.join(': ')}: ${problem}`
}

/** How a profile is named in messages: by name when it has a usable one. */
export function profileLabel(index: number, name: unknown): string {
  return typeof name === 'string' && name.length > 0 ? `profile "${name}" (mounts[${index}])` : `mounts[${index}]`
}
