// One request to one handler: the args are checked against the command's
// schema first, and a bad one is answered with a message that names the
// field and what it should be.
import type { z } from 'zod'
import { CONTROL_COMMANDS, type CommandName, type CommandResults, type ControlHandlers } from './commands.js'
import { ControlError } from './protocol.js'

export async function dispatch<C extends CommandName>(
  command: C,
  args: Record<string, unknown>,
  handlers: ControlHandlers,
  signal: AbortSignal,
): Promise<CommandResults[C]> {
  // null stands for a field left out, as JSON writers often send it.
  const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null))
  const parsed = CONTROL_COMMANDS[command].args.safeParse(given)
  if (!parsed.success) throw argsError(command, given, parsed.error.issues[0])
  return handlers[command](parsed.data, signal)
}

const KINDS: Record<string, string> = { string: 'a string', boolean: 'true or false', number: 'a number' }
const EXAMPLES: Record<string, string> = { name: '"photos"', path: '"/Holidays/a.jpg"' }

function argsError(command: string, args: Record<string, unknown>, issue: z.core.$ZodIssue | undefined): ControlError {
  const key = issue?.path.join('.') ?? ''
  const expected = issue?.code === 'invalid_type' ? issue.expected : issue?.code === 'too_small' ? String(issue.origin) : ''
  const kind = KINDS[expected] ?? expected
  const missing = args[String(issue?.path[0])] === undefined || (issue?.code === 'too_small' && expected === 'string')
  if (missing) {
    return new ControlError(`"${command}" needs args.${key} (${kind})`, `e.g. {"id":1,"command":"${command}","args":{"${key}":${EXAMPLES[key] ?? '...'}}}`)
  }
  return new ControlError(`"${command}": args.${key} must be ${kind}`)
}
