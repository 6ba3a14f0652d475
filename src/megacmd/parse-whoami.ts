// `mega-whoami`: 'Account e-mail: <address>' when logged in; 'Not logged in.'
// with a non-zero status otherwise (MEGAcmd's code -57).

export type WhoAmI = { loggedIn: true; email: string } | { loggedIn: false }

/** The e-mail address, or null when the output holds none. */
export function parseWhoamiEmail(stdout: string): string | null {
  const match = /^\s*Account e-mail:\s*(\S+)\s*$/m.exec(stdout)
  return match ? match[1]! : null
}
