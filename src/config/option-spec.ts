// What one option is: its value's schema (for the ones mounts.json sets),
// unit, default, range and a line of help. options.ts lists every option with
// these; the profile schema, the defaults and the tables of
// docs/configuration.md are made from that list (options-doc.ts).
import { z } from 'zod'

export interface OptionSpec<T, D = T> {
  /** How a value is checked when read from mounts.json. */
  schema: z.ZodType<T>
  /** The "Type, unit" column of the docs. */
  type: string
  /** Absent: the field is required. */
  default?: D
  /** The docs' "Default" column when it is not the default itself. */
  shownDefault?: string
  help: string
  unit?: string
  min?: number
  max?: number
}

export interface RequiredSpec<T> extends OptionSpec<T, never> {
  required: true
}

/** A setting of megamount that mounts.json does not set: listed (and
 *  documented) with the others, so every number megamount runs with is in
 *  one place. `where`: the module that uses it. */
export interface InternalSpec<T> {
  type: string
  default: T
  help: string
  where: string
}

/** "8 MiB" for a byte count that is a whole number of KiB, MiB, GiB, TiB or
 *  PiB; null otherwise. */
export function binaryUnits(bytes: number): string | null {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let value = bytes
  let unit = -1
  while (unit < units.length - 1 && value >= 1024 && value % 1024 === 0) {
    value /= 1024
    unit++
  }
  return unit >= 0 ? `${value} ${units[unit]}` : null
}

/** A number as the docs show it: bytes with their binary unit too. */
export function shownNumber(n: number, unit: string | undefined): string {
  const units = unit === 'bytes' && n >= 1024 * 1024 ? binaryUnits(n) : null
  return units ? `${n} (${units})` : String(n)
}

export function wholeNumber(unit: string, min: number, max: number, def: number, help: string): OptionSpec<number> {
  const what = `a whole number of ${unit} between ${min} and ${max}, e.g. ${def}`
  const schema = z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .min(min, { error: `must be ${what}` })
    .max(max, { error: `must be ${what}` })
  return { schema, type: `${unit}, ${shownNumber(min, unit)}-${shownNumber(max, unit)}`, default: def, help, unit, min, max }
}

export function bool(def: boolean, help: string): OptionSpec<boolean> {
  return { schema: z.boolean({ error: 'must be true or false (without quotes)' }), type: 'boolean', default: def, help }
}

export function oneOf<const V extends string>(values: readonly [V, ...V[]], def: V, error: string, help: string): OptionSpec<V> {
  return { schema: z.enum(values, { error }), type: values.map(v => '`"' + v + '"`').join(' or '), default: def, help }
}

export function required<T>(spec: Omit<OptionSpec<T>, 'default'>): RequiredSpec<T> {
  return { ...spec, required: true }
}

export function internal(unit: string, def: number, where: string, help: string): InternalSpec<number> {
  return { type: unit, default: def, help, where }
}

export function internalText(type: string, def: string, where: string, help: string): InternalSpec<string> {
  return { type, default: def, help, where }
}

type AnySpec = OptionSpec<unknown, unknown> | RequiredSpec<unknown>
type Table = Record<string, AnySpec>

type RequiredKeys<P> = { [K in keyof P]: P[K] extends { required: true } ? K : never }[keyof P]
type DefaultedKeys<P> = Exclude<keyof P, RequiredKeys<P>>
type ValueOf<S> = S extends OptionSpec<infer T, infer D> ? (S extends { required: true } ? T : T | Exclude<D, undefined>) : never

/** The resolved options of a table: every field set (defaults applied). */
export type ValuesOf<P> = { [K in keyof P]: ValueOf<P[K]> }
export type DefaultsOf<P> = { [K in DefaultedKeys<P>]: ValueOf<P[K]> }
type ShapeOf<P> = { [K in keyof P]: P[K] extends OptionSpec<infer T, unknown> ? (P[K] extends { required: true } ? z.ZodType<T> : z.ZodOptional<z.ZodType<T>>) : never }

/** The zod shape of a table: required fields required, the others optional. */
export function shapeOf<P extends Table>(table: P): ShapeOf<P> {
  // Object.fromEntries loses the per-key types the mapped type states.
  return Object.fromEntries(Object.entries(table).map(([k, s]) => [k, 'required' in s ? s.schema : s.schema.optional()])) as ShapeOf<P>
}

export function defaultsOf<P extends Table>(table: P): DefaultsOf<P> {
  return Object.fromEntries(Object.entries(table).flatMap(([k, s]) => ('required' in s ? [] : [[k, s.default]]))) as DefaultsOf<P>
}

export function internalDefaultsOf<P extends Record<string, InternalSpec<number | string>>>(table: P): { [K in keyof P]: P[K]['default'] } {
  return Object.fromEntries(Object.entries(table).map(([k, s]) => [k, s.default])) as { [K in keyof P]: P[K]['default'] }
}
