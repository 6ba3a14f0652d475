// The zod schemas of mounts.json. Objects are strict: an unknown field is an
// error (load.ts suggests the closest known name). Each message says what a
// valid value looks like, because it is shown to a person with the field name.
import { z } from 'zod'
import { PROFILE_DEFAULTS, SETTINGS_DEFAULTS } from './types.js'

function wholeNumber(unit: string, min: number, max: number, example: number) {
  const what = `a whole number of ${unit} between ${min} and ${max}, e.g. ${example}`
  return z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .min(min, { error: `must be ${what}` })
    .max(max, { error: `must be ${what}` })
}

const bool = () => z.boolean({ error: 'must be true or false (without quotes)' })

export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/

export const profileSchema = z.strictObject({
  name: z
    .string({ error: 'must be a string such as "photos"' })
    .regex(PROFILE_NAME_PATTERN, {
      error: 'must be 1-64 characters from A-Z a-z 0-9 . _ - (it names files and log lines)',
    })
    .refine(n => n !== '.' && n !== '..', { error: 'must not be "." or ".."' }),
  url: z.string({ error: 'must be a string such as "http://127.0.0.1:4443/f1Y2lIrD/Photos"' }).optional(),
  megaPath: z
    .string({ error: 'must be a string such as "/Photos"' })
    .startsWith('/', { error: 'must be an absolute MEGA path starting with "/", e.g. "/Photos"' })
    .optional(),
  serveIfNeeded: bool().optional(),
  mountpoint: z.string({ error: 'must be a string such as "~/MEGA/Photos"' }).min(1, { error: 'must not be empty' }),
  autostart: bool().optional(),
  readOnly: bool().optional(),
  cacheTtlMs: wholeNumber('milliseconds', 0, 86_400_000, PROFILE_DEFAULTS.cacheTtlMs).optional(),
  cacheMaxEntries: wholeNumber('entries', 1, 10_000_000, PROFILE_DEFAULTS.cacheMaxEntries).optional(),
  negativeCacheTtlMs: wholeNumber('milliseconds', 0, 86_400_000, PROFILE_DEFAULTS.negativeCacheTtlMs).optional(),
  requestTimeoutMs: wholeNumber('milliseconds', 100, 3_600_000, PROFILE_DEFAULTS.requestTimeoutMs).optional(),
  readAheadMaxBytes: wholeNumber('bytes', 0, 1024 * 1024 * 1024, PROFILE_DEFAULTS.readAheadMaxBytes).optional(),
  diskCacheMaxBytes: wholeNumber('bytes', 0, 2 ** 50, PROFILE_DEFAULTS.diskCacheMaxBytes).optional(),
  maxConcurrentRequests: wholeNumber('requests', 1, 256, PROFILE_DEFAULTS.maxConcurrentRequests).optional(),
  deleteMode: z.enum(['trash', 'permanent'], { error: 'must be "trash" (recoverable, default) or "permanent"' }).optional(),
  trashRetentionDays: wholeNumber('days', 0, 36_500, PROFILE_DEFAULTS.trashRetentionDays).optional(),
  uploadDelayMs: wholeNumber('milliseconds', 0, 3_600_000, PROFILE_DEFAULTS.uploadDelayMs).optional(),
  prefetchConcurrentRequests: wholeNumber('requests', 0, 256, PROFILE_DEFAULTS.prefetchConcurrentRequests).optional(),
  prefetchFoldersAhead: wholeNumber('folders', 0, 100_000, PROFILE_DEFAULTS.prefetchFoldersAhead).optional(),
  prefetchFilesAhead: wholeNumber('files', 0, 10_000, PROFILE_DEFAULTS.prefetchFilesAhead).optional(),
  prefetchBytesAhead: wholeNumber('bytes', 0, 1024 * 1024 * 1024, PROFILE_DEFAULTS.prefetchBytesAhead).optional(),
  offline: z
    .array(
      z
        .string({ error: 'must be a list of folders inside the mount, e.g. ["/Documents"]' })
        .startsWith('/', { error: 'must be a folder inside the mount starting with "/", e.g. "/Documents" (not the MEGA path of the mount)' })
        .refine(p => !p.split('/').includes('..'), { error: 'must not contain ".."' }),
      { error: 'must be a list of folders inside the mount, e.g. ["/Documents"]' },
    )
    .optional(),
  storedListingMaxAgeDays: wholeNumber('days', 0, 36_500, PROFILE_DEFAULTS.storedListingMaxAgeDays).optional(),
})

export type RawProfile = z.infer<typeof profileSchema>

export const settingsSchema = z.strictObject({
  healthIntervalSeconds: wholeNumber('seconds', 1, 86_400, SETTINGS_DEFAULTS.healthIntervalSeconds).optional(),
  megacmdPath: z
    .string({ error: 'must be a folder path such as "/usr/bin", or null to search PATH' })
    .nullable()
    .optional(),
})

export const fileSchema = z.strictObject({
  settings: z.unknown().optional(),
  mounts: z.array(z.unknown(), { error: 'must be a list of profiles: "mounts": [ { ... } ]' }).optional(),
})

export const PROFILE_FIELDS = Object.keys(profileSchema.shape)
export const SETTINGS_FIELDS = Object.keys(settingsSchema.shape)
export const FILE_FIELDS = Object.keys(fileSchema.shape)
