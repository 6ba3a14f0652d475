// Reads mounts.json into profiles. Each profile is validated on its own: a
// broken profile is returned in `rejected` with the reason (the daemon shows
// it as failed) and does not stop the others. Only a file that cannot be read
// as a whole (not JSON, bad "settings", wrong top-level shape) is an error.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { z } from 'zod'
import { ConfigError, formatConfigProblem, profileLabel } from './config-error.js'
import { readMountTable, type MountRecord } from '../mount-table.js'
import { checkMountpoint, resolveMountpoint } from './mountpoint-check.js'
import { parseJsonWithPosition } from './parse-json.js'
import { expandHome } from './paths.js'
import { FILE_FIELDS, PROFILE_FIELDS, SETTINGS_FIELDS, fileSchema, profileSchema, settingsSchema, type RawProfile } from './schema.js'
import { closestName } from './suggest.js'
import { PROFILE_DEFAULTS, SETTINGS_DEFAULTS, type Config, type DaemonSettings, type Profile } from './types.js'
import { checkBridgeUrl } from './url-check.js'

export interface RejectedProfile {
  index: number
  /** The name as written, when it is a string; else null. */
  name: string | null
  mountpoint: string | null
  url: string | null
  error: { message: string; hint: string }
}

export interface LoadedConfig extends Config {
  /** Profiles that failed validation, in file order. */
  rejected: RejectedProfile[]
  /** True when the file does not exist (start with no mounts). */
  missing: boolean
}

export interface LoadOptions {
  home?: string
  /** Mountpoints this daemon has mounted now: not checked for emptiness. */
  ownMountpoints?: ReadonlySet<string>
  /** Check mountpoints against the disk (default true). */
  checkMountpoints?: boolean
  mountTable?: MountRecord[]
}

interface Issue {
  field?: string
  problem: string
  hint: string
  /** An unknown field close to a known one: the likely cause of the rest. */
  typo?: boolean
}

function describeValue(v: unknown): string {
  const s = JSON.stringify(v)
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s
}

/** One zod issue as a sentence; unknown keys get a "did you mean". */
function zodIssueToIssues(issue: z.core.$ZodIssue, input: unknown, known: readonly string[], scope: string): Issue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map(key => {
      const guess = closestName(key, known)
      return {
        field: key,
        typo: guess !== null && guess !== undefined,
        problem: `unknown field${guess ? `; did you mean "${guess}"?` : ''}`,
        hint: guess ? `rename it to "${guess}", or remove it` : `remove it; ${scope} fields are: ${known.join(', ')}`,
      }
    })
  }
  const field = issue.path.map(String).join('.')
  const value = issue.path.length > 0 && input && typeof input === 'object' ? (input as Record<string, unknown>)[String(issue.path[0])] : input
  const got = value === undefined ? ' (it is missing)' : ` (got ${describeValue(value)})`
  return [{ field: field || undefined, problem: `${issue.message}${got}`, hint: `fix "${field || scope}" in the file; see docs/configuration.md` }]
}

/** One issue to show, the others named in its hint. A misspelt field comes
 *  first: "mountpont" is the cause of "mountpoint is missing". */
function firstOfMany(all: Issue[]): Issue {
  const issues = [...all.filter(i => i.typo), ...all.filter(i => !i.typo)]
  const first = issues[0]!
  if (issues.length === 1) return first
  const rest = issues.slice(1).map(i => (i.field ? `"${i.field}"` : 'the profile')).join(', ')
  return { ...first, hint: `${first.hint} (also check ${rest})` }
}

export async function loadConfig(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { file, settings: { ...SETTINGS_DEFAULTS }, mounts: [], rejected: [], missing: true }
    throw new ConfigError({ file }, `cannot be read: ${(err as Error).message}`, 'check the path and its permissions')
  }
  return parseConfigText(file, text, options)
}

export async function parseConfigText(file: string, text: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const parsed = parseJsonWithPosition(text)
  if ('error' in parsed) {
    const { line, column, reason } = parsed.error
    throw new ConfigError(
      { file },
      `is not valid JSON at line ${line}, column ${column}: ${reason}`,
      'fix the syntax there (a missing comma or quote, or a trailing comma, is the usual cause); nothing was changed',
    )
  }
  const top = fileSchema.safeParse(parsed.value)
  if (!top.success) {
    const issue = firstOfMany(top.error.issues.flatMap(i => zodIssueToIssues(i, parsed.value, FILE_FIELDS, 'top-level')))
    throw new ConfigError(
      { file, field: issue.field },
      issue.field ? issue.problem : 'must be a JSON object: { "settings": { ... }, "mounts": [ ... ] }',
      issue.hint,
    )
  }
  const settings = parseSettings(file, top.data.settings)
  const home = options.home ?? os.homedir()
  const rejected: RejectedProfile[] = []
  const accepted: { index: number; profile: Profile }[] = []
  const rawMounts = top.data.mounts ?? []
  const mountTable = options.mountTable ?? (options.checkMountpoints === false ? [] : await readMountTable())

  for (const [index, raw] of rawMounts.entries()) {
    const rec = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {}
    const name = typeof rec.name === 'string' ? rec.name : null
    const label = profileLabel(index, name)
    const reject = (issue: Issue, mountpoint: string | null = null) => {
      rejected.push({
        index,
        name,
        mountpoint: mountpoint ?? (typeof rec.mountpoint === 'string' ? rec.mountpoint : null),
        url: typeof rec.url === 'string' ? rec.url : null,
        error: { message: formatConfigProblem({ file, profile: label, field: issue.field }, issue.problem), hint: issue.hint },
      })
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      reject({ problem: `must be an object like { "name": "photos", "url": "...", "mountpoint": "~/MEGA/Photos" } (got ${describeValue(raw)})`, hint: 'fix that entry of "mounts"' })
      continue
    }
    const result = profileSchema.safeParse(raw)
    if (!result.success) {
      reject(firstOfMany(result.error.issues.flatMap(i => zodIssueToIssues(i, raw, PROFILE_FIELDS, 'profile'))))
      continue
    }
    const issue = checkProfileFields(result.data, home)
    if (issue) {
      reject(issue)
      continue
    }
    const profile = toProfile(result.data, home)
    if (options.checkMountpoints !== false) {
      // The kernel mounts on the link's target: checks and status use that.
      try {
        profile.mountpoint = await resolveMountpoint(profile.mountpoint)
      } catch (err) {
        reject({ field: 'mountpoint', problem: `cannot be resolved: ${(err as Error).message}`, hint: 'fix the symbolic link, or choose another mountpoint' }, profile.mountpoint)
        continue
      }
    }
    const clash = findClash(profile, accepted)
    if (clash) {
      reject(clash, profile.mountpoint)
      continue
    }
    if (options.checkMountpoints !== false) {
      const problem = await checkMountpoint(profile.mountpoint, { mountTable, ownMountpoints: options.ownMountpoints })
      if (problem) {
        reject({ field: 'mountpoint', ...problem }, profile.mountpoint)
        continue
      }
    }
    accepted.push({ index, profile })
  }
  return { file, settings, mounts: accepted.map(a => a.profile), rejected, missing: false }
}

function parseSettings(file: string, raw: unknown): DaemonSettings {
  if (raw === undefined) return { ...SETTINGS_DEFAULTS }
  const result = settingsSchema.safeParse(raw)
  if (!result.success) {
    const issue = firstOfMany(result.error.issues.flatMap(i => zodIssueToIssues(i, raw, SETTINGS_FIELDS, 'settings')))
    throw new ConfigError({ file, profile: 'settings', field: issue.field }, issue.field ? issue.problem : `must be an object (got ${describeValue(raw)})`, issue.hint)
  }
  return {
    healthIntervalSeconds: result.data.healthIntervalSeconds ?? SETTINGS_DEFAULTS.healthIntervalSeconds,
    megacmdPath: result.data.megacmdPath ?? SETTINGS_DEFAULTS.megacmdPath,
  }
}

/** Rules that involve more than one field's type. */
function checkProfileFields(raw: RawProfile, home: string): Issue | null {
  if (raw.url === undefined && raw.megaPath === undefined) {
    return {
      field: 'url',
      problem: 'is missing: a profile needs either "url" (what `mega-webdav /Folder` prints) or "megaPath"',
      hint: 'add "url": "http://127.0.0.1:4443/<handle>/<Folder>" as printed by mega-webdav, or "megaPath": "/Folder"',
    }
  }
  if (raw.url !== undefined && raw.megaPath !== undefined) {
    return { field: 'megaPath', problem: 'is given together with "url"; a profile has exactly one of them', hint: 'keep "url" or "megaPath", remove the other' }
  }
  if (raw.url !== undefined) {
    const problem = checkBridgeUrl(raw.url)
    if (problem) return { field: 'url', ...problem }
  }
  const mp = expandHome(raw.mountpoint, home)
  if (!path.isAbsolute(mp)) {
    return { field: 'mountpoint', problem: `must be an absolute path or start with "~/" (got ${describeValue(raw.mountpoint)})`, hint: `write it as "~/MEGA/${raw.name}" or a full path` }
  }
  return null
}

function toProfile(raw: RawProfile, home: string): Profile {
  return {
    ...PROFILE_DEFAULTS,
    ...Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
    name: raw.name,
    url: raw.url ?? null,
    megaPath: raw.megaPath ?? null,
    mountpoint: path.resolve(expandHome(raw.mountpoint, home)),
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

function findClash(p: Profile, earlier: { index: number; profile: Profile }[]): Issue | null {
  for (const { index, profile: q } of earlier) {
    const other = profileLabel(index, q.name)
    if (q.name === p.name) {
      return { field: 'name', problem: `"${p.name}" is already used by ${other}`, hint: 'give each profile its own name' }
    }
    if (q.mountpoint === p.mountpoint) {
      return { field: 'mountpoint', problem: `"${p.mountpoint}" is already the mountpoint of ${other}`, hint: 'give each profile its own folder' }
    }
    if (isInside(p.mountpoint, q.mountpoint)) {
      return { field: 'mountpoint', problem: `"${p.mountpoint}" is inside the mountpoint of ${other} ("${q.mountpoint}")`, hint: 'use folders side by side, e.g. ~/MEGA/Photos and ~/MEGA/Work' }
    }
    if (isInside(q.mountpoint, p.mountpoint)) {
      return { field: 'mountpoint', problem: `"${p.mountpoint}" contains the mountpoint of ${other} ("${q.mountpoint}")`, hint: 'use folders side by side, e.g. ~/MEGA/Photos and ~/MEGA/Work' }
    }
  }
  return null
}
