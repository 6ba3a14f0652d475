// Escaping of values for the two unit formats. systemd: every ExecStart word
// and Environment assignment is double-quoted (paths may hold spaces), with
// '\' and '"' backslash-escaped, '%' doubled (specifiers) and, in ExecStart,
// '$' doubled (variable expansion). Plists are XML: the five entities.

function refuseControlCharacters(value: string, what: string): void {
  // A newline would end the directive and start another one.
  if (/[\x00-\x1f\x7f]/.test(value)) throw new Error(`${what} contains a control character: ${JSON.stringify(value)}`)
}

function quoteSystemd(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`
}

/** One ExecStart word. */
export function systemdExecArg(value: string): string {
  refuseControlCharacters(value, 'ExecStart argument')
  return quoteSystemd(value).replace(/\$/g, '$$$$')
}

/** The value of one Environment= line: "NAME=value". */
export function systemdEnvironment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad environment variable name: ${name}`)
  refuseControlCharacters(value, `environment variable ${name}`)
  return quoteSystemd(`${name}=${value}`)
}

export function xmlEscape(value: string): string {
  refuseControlCharacters(value.replace(/[\t\n]/g, ''), 'plist value')
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}
