// The option tables of docs/configuration.md, made from options.ts. Each
// table stands between two markers in the page; withOptionTables rewrites
// what is between them (`npm run docs:options`), and a test fails when the
// page and options.ts differ (test/config/options-doc.test.ts).
import { binaryUnits, type InternalSpec, type OptionSpec } from './option-spec.js'
import { INTERNAL_OPTIONS, PROFILE_OPTIONS, SETTINGS_OPTIONS } from './options.js'

export const OPTION_TABLES = ['profile', 'settings', 'internal'] as const
export type OptionTable = (typeof OPTION_TABLES)[number]

function code(text: string): string {
  return `\`${text}\``
}

function shownDefault(value: unknown, unit: string | undefined): string {
  if (typeof value === 'number') {
    const units = unit?.startsWith('bytes') ? binaryUnits(value) : null
    return units ? `${code(String(value))} (${units})` : code(String(value))
  }
  return code(JSON.stringify(value))
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|')
}

function optionRow(name: string, spec: OptionSpec<unknown, unknown>): string {
  const def = spec.shownDefault ?? ('required' in spec ? 'required' : shownDefault(spec.default, spec.unit))
  return `| ${code(name)} | ${spec.type} | ${def} | ${escapeCell(spec.help)} |`
}

function internalRow(name: string, spec: InternalSpec<number | string>): string {
  return `| ${code(name)} | ${spec.type} | ${shownDefault(spec.default, spec.type)} | ${escapeCell(spec.help)} | ${code(spec.where)} |`
}

export function optionsTable(table: OptionTable): string {
  if (table === 'internal') {
    const rows = Object.entries(INTERNAL_OPTIONS).map(([name, spec]) => internalRow(name, spec))
    return ['| Name | Unit | Default | Meaning | Where |', '|---|---|---|---|---|', ...rows].join('\n')
  }
  const specs: Record<string, OptionSpec<unknown, unknown>> = table === 'profile' ? PROFILE_OPTIONS : SETTINGS_OPTIONS
  const rows = Object.entries(specs).map(([name, spec]) => optionRow(name, spec))
  return ['| Field | Type, unit | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n')
}

export function beginMarker(table: OptionTable): string {
  return `<!-- options table: ${table} (made from src/config/options.ts by npm run docs:options) -->`
}

export const END_MARKER = '<!-- end of options table -->'

/** The page with each marked table replaced by the one options.ts makes.
 *  Throws when a table's markers are missing. */
export function withOptionTables(page: string): string {
  let out = page
  for (const table of OPTION_TABLES) {
    const begin = beginMarker(table)
    const start = out.indexOf(begin)
    const end = start < 0 ? -1 : out.indexOf(END_MARKER, start)
    if (start < 0 || end < 0) throw new Error(`the page has no "${begin}" ... "${END_MARKER}" section`)
    out = `${out.slice(0, start)}${begin}\n${optionsTable(table)}\n${out.slice(end)}`
  }
  return out
}
