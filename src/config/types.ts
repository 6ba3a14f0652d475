// A profile as the rest of the program sees it: validated, defaults applied,
// '~' expanded. The fields, their defaults and their help are in options.ts
// (docs/configuration.md shows the same table); the loader (load.ts) makes
// these from the file.
import { defaultsOf, internalDefaultsOf, type ValuesOf } from './option-spec.js'
import { INTERNAL_OPTIONS, PROFILE_OPTIONS, SETTINGS_OPTIONS } from './options.js'

export type Profile = ValuesOf<typeof PROFILE_OPTIONS>

export type DeleteMode = Profile['deleteMode']

/** Settings of the file that are not per mount. */
export type DaemonSettings = ValuesOf<typeof SETTINGS_OPTIONS>

/** The settings no file sets (see INTERNAL_OPTIONS). */
export type InternalOptions = typeof INTERNAL_DEFAULTS

export interface Config {
  /** The file these came from, for messages. */
  file: string
  settings: DaemonSettings
  mounts: Profile[]
}

export const PROFILE_DEFAULTS = defaultsOf(PROFILE_OPTIONS)
export const SETTINGS_DEFAULTS: DaemonSettings = defaultsOf(SETTINGS_OPTIONS)
export const INTERNAL_DEFAULTS = internalDefaultsOf(INTERNAL_OPTIONS)
