// The daily trash purge, a cron job (src/cron.ts). Each writable mount in
// trash mode has one, stopped when the mount closes.

import { isCronExpression, systemCron, type Cron } from '../../cron.js'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import { silentLogger, type Logger } from '../../log.js'

export interface TrashPurger {
  /** Purge with the mount's own retention (trashRetentionDays). */
  purgeTrash(): Promise<unknown>
}

export interface TrashPurgeTask {
  /** Run a purge now, as the schedule would (errors are logged, not thrown). */
  runNow(): Promise<void>
  /** When the next scheduled purge is due, ms since the epoch. */
  nextRunMs(): number | null
  stop(): void
}

/** Purge fs's trash on a cron schedule (default: INTERNAL_DEFAULTS.trashPurgeCron). */
export function scheduleTrashPurge(
  fs: TrashPurger,
  cronExpression: string = INTERNAL_DEFAULTS.trashPurgeCron,
  logger: Logger = silentLogger,
  cron: Cron = systemCron,
): TrashPurgeTask {
  if (!isCronExpression(cronExpression)) {
    throw new Error(`invalid cron expression for the trash purge: '${cronExpression}' (five fields: minute hour day month weekday, e.g. '${INTERNAL_DEFAULTS.trashPurgeCron}')`)
  }
  const log = logger.child({ component: 'trash-purge' })
  const runNow = async () => {
    try {
      await fs.purgeTrash()
    } catch (err) {
      // A bridge that is down at 03:17 is normal: the next day tries again.
      log.warn({ err }, 'trash purge failed')
    }
  }
  const job = cron.schedule(cronExpression, runNow, 'megamount-trash-purge')
  return { runNow, nextRunMs: () => job.nextRunMs(), stop: () => job.stop() }
}
