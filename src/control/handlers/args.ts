import { ControlError } from '../protocol.js'

export function requireString(args: Record<string, unknown>, key: string, command: string): string {
  const v = args[key]
  if (typeof v !== 'string' || v.length === 0) {
    throw new ControlError(`"${command}" needs args.${key} (a string)`, `e.g. {"command":"${command}","args":{"${key}":"photos"}}`)
  }
  return v
}

export function optionalString(args: Record<string, unknown>, key: string, command: string): string | undefined {
  const v = args[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new ControlError(`"${command}": args.${key} must be a string`)
  return v
}

export function optionalBoolean(args: Record<string, unknown>, key: string, command: string): boolean | undefined {
  const v = args[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw new ControlError(`"${command}": args.${key} must be true or false`)
  return v
}
