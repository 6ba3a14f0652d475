// Every control command, once: its name, the schema of its args and the
// schema of its result. The daemon answers each with one handler
// (src/daemon/control-handlers.ts, typed by ControlHandlers below: a command
// without a handler does not compile); mountctl calls them through
// callDaemon (client.ts), which checks each reply against `result`.
// To add a command: one entry here, one handler there, and the mountctl
// command that shows it (src/cli/commands/).
import { z } from 'zod'
import { cacheReportSchema, reloadSummarySchema, mountStatusSchema, statusReportSchema, uploadItemSchema } from './wire-types.js'

const name = z.string().min(1)
const path = z.string()

const SCHEMAS = {
  /** Answers from cached state at once, even while a bridge hangs. */
  status: { args: z.object({ name: name.optional() }), result: statusReportSchema },
  mount: { args: z.object({ name }), result: mountStatusSchema },
  /** Without force the reply comes once the mount's uploads are done, which
   *  can take long; other requests are answered meanwhile. */
  unmount: { args: z.object({ name, force: z.boolean().optional() }), result: mountStatusSchema },
  reload: { args: z.object({}), result: reloadSummarySchema },
  refresh: { args: z.object({ name, path: path.optional() }), result: mountStatusSchema },
  /** What the mount keeps on disk across restarts (src/vfs/store/), from
   *  the store's own counts: answers at once, mounted or not. */
  cache: { args: z.object({ name }), result: cacheReportSchema },
  /** Empties the mount's store (listings and file content), also while
   *  mounted; nothing is lost: what is shown next is fetched again. */
  cacheClear: { args: z.object({ name }), result: cacheReportSchema },
  /** Every file of the upload queues, from snapshots: answers at once. */
  uploads: { args: z.object({ name: name.optional() }), result: z.object({ uploads: z.array(uploadItemSchema) }) },
  /** Failed uploads (and ones backing off) go again now; all of the mount's
   *  when no path is given. */
  retry: { args: z.object({ name, path: path.optional() }), result: z.object({ retried: z.number() }) },
  /** Deletes the staged copy of one file: its content never reaches MEGA.
   *  mountctl asks the user first; the daemon does what it is told.
   *  dryRun: say what would be dropped, drop nothing. */
  discard: {
    args: z.object({ name, path, dryRun: z.boolean().optional() }),
    result: z.object({ item: uploadItemSchema, discarded: z.boolean() }),
  },
  /** The daemon's side of `mountctl version`. backend: the FUSE binding that
   *  serves each mount (e.g. "fuse-native"), null while it is not mounted. */
  version: {
    args: z.object({}),
    result: z.object({
      daemon: z.object({ version: z.string(), node: z.string(), pid: z.number() }),
      mounts: z.array(z.object({ name: z.string(), backend: z.string().nullable() })),
    }),
  },
} as const

type Schemas = typeof SCHEMAS
export type CommandName = keyof Schemas

/** What a caller sends (optional fields may be left out). */
export type CommandArgs<C extends CommandName> = z.input<Schemas[C]['args']>
/** What a handler receives, once the args passed their schema. */
export type ParsedArgs = { [C in CommandName]: z.output<Schemas[C]['args']> }
export type CommandResults = { [C in CommandName]: z.output<Schemas[C]['result']> }
export type CommandResult<C extends CommandName> = CommandResults[C]

/** The daemon's side: one function per command. signal is aborted when the
 *  client's connection closes: a handler that waits long stops waiting (and
 *  changes nothing it has not done yet). */
export type ControlHandlers = {
  [C in CommandName]: (args: ParsedArgs[C], signal: AbortSignal) => CommandResults[C] | Promise<CommandResults[C]>
}

/** The map, typed per name, so code generic over a command keeps its args,
 *  handler and result paired (TypeScript checks this assignment key by key). */
export const CONTROL_COMMANDS: { [C in CommandName]: { args: z.ZodType<ParsedArgs[C]>; result: z.ZodType<CommandResults[C]> } } = SCHEMAS

export function isCommandName(command: string): command is CommandName {
  return Object.hasOwn(CONTROL_COMMANDS, command)
}
