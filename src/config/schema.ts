// The zod schemas of mounts.json. Objects are strict: an unknown field is an
// error (load.ts suggests the closest known name). Each message says what a
// valid value looks like, because it is shown to a person with the field name.
import { z } from 'zod'
import { shapeOf } from './option-spec.js'
import { PROFILE_OPTIONS, SETTINGS_OPTIONS } from './options.js'

export { PROFILE_NAME_PATTERN } from './options.js'

export const profileSchema = z.strictObject(shapeOf(PROFILE_OPTIONS))

export type RawProfile = z.infer<typeof profileSchema>

export const settingsSchema = z.strictObject(shapeOf(SETTINGS_OPTIONS))

export const fileSchema = z.strictObject({
  settings: z.unknown().optional(),
  mounts: z.array(z.unknown(), { error: 'must be a list of profiles: "mounts": [ { ... } ]' }).optional(),
})

export const PROFILE_FIELDS = Object.keys(profileSchema.shape)
export const SETTINGS_FIELDS = Object.keys(settingsSchema.shape)
export const FILE_FIELDS = Object.keys(fileSchema.shape)
