// The time bounds the daemon and its service managers must agree on, in one
// place: the unit (systemd/megamount.service.in), the launchd agent and
// docs/autostart.md take them from here (a test checks the docs say so).
// The two the daemon uses are internal options (options.ts); here below
// src/daemon and src/service, both read them.
import { INTERNAL_DEFAULTS } from './types.js'

/** At SIGTERM, how long uploads may still run before they are stopped (what
 *  is left stays in the journal and resumes at the next start). The default
 *  of --stop-timeout-seconds, and what the units pass. */
export const DEFAULT_STOP_TIMEOUT_SECONDS = INTERNAL_DEFAULTS.stopTimeoutSeconds

/** After the drain: every mount is unmounted (in parallel, each bounded by
 *  the FUSE layer at about 10 s) and the caches closed. */
export const UNMOUNT_ALLOWANCE_SECONDS = 20

/** systemd's TimeoutStopSec, launchd's ExitTimeOut: SIGKILL comes after this. */
export const SERVICE_STOP_TIMEOUT_SECONDS = DEFAULT_STOP_TIMEOUT_SECONDS + UNMOUNT_ALLOWANCE_SECONDS

/** Readiness (systemd Type=notify) is sent once every autostart mount has
 *  mounted, settled in waiting, or failed; or after this long, whichever
 *  comes first (a first attempt is already bounded by requestTimeoutMs and
 *  MEGAcmd's 20 s, so this is a backstop). */
export const READY_WAIT_MAX_SECONDS = INTERNAL_DEFAULTS.readyWaitMaxSeconds

/** systemd's TimeoutStartSec: above READY_WAIT_MAX_SECONDS, so a slow start
 *  is reported ready, never killed. */
export const SERVICE_START_TIMEOUT_SECONDS = READY_WAIT_MAX_SECONDS + 30
