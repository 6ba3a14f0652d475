// Every option of megamount, once: the fields of a profile and of
// "settings" in mounts.json, and the internal settings no file sets. The
// schema (schema.ts), the defaults (types.ts) and the tables of
// docs/configuration.md (options-doc.ts; a test fails when they differ) are
// made from these lists. Each layer takes only the options it uses
// (e.g. CoreOptions in src/vfs/core-options.ts).
import { z } from 'zod'
import { binaryUnits, bool, internal, internalText, oneOf, required, wholeNumber, type OptionSpec } from './option-spec.js'

export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/

/** Settings no file sets; the modules that use them take them as options
 *  with these defaults (tests pass their own). */
export const INTERNAL_OPTIONS = {
  readCacheMaxBytes: internal(
    'bytes',
    32 * 1024 * 1024,
    'src/vfs/mega-fs.ts',
    'File content kept in memory per mount, in front of the disk cache; with `diskCacheMaxBytes` 0 the only content cache.',
  ),
  userSlotsKept: internal(
    'requests',
    2,
    'src/vfs/mega-fs.ts',
    'Of `maxConcurrentRequests`, the requests prefetch never takes, so a request of yours always finds a free slot.',
  ),
  quotaFirstWaitMs: internal('milliseconds', 1_000, 'src/vfs/quota.ts', 'How long the first `df` of a mount waits for the quota; later ones answer from the cache at once.'),
  maxConcurrentUploads: internal('uploads', 2, 'src/vfs/write/upload-queue.ts', 'Uploads running at once per mount.'),
  uploadRetryInitialDelayMs: internal(
    'milliseconds',
    1_000,
    'src/vfs/write/upload-retry.ts',
    'Wait before a failed upload is tried again; doubles with each failure (with jitter).',
  ),
  uploadRetryMaxDelayMs: internal('milliseconds', 300_000, 'src/vfs/write/upload-retry.ts', 'Longest wait between tries of a failing upload.'),
  uploadMaxAttempts: internal(
    'attempts',
    5,
    'src/vfs/write/upload-retry.ts',
    'Failures (other than an unreachable bridge) before an upload is marked failed and waits for `mountctl retry`; a full account or a refused folder fails it at once.',
  ),
  uploadBusyMaxHoldMs: internal(
    'milliseconds',
    30_000,
    'src/vfs/write/upload-items.ts',
    'While files are being written (one opened or closed within `uploadDelayMs`), uploads wait for the copy to end, but none longer than this after its own delay.',
  ),
  uploadAnswerGraceMs: internal(
    'milliseconds',
    2_000,
    'src/vfs/write/upload-transfer.ts',
    'A rename or delete that must stop an upload whose whole body was sent first waits this long for its answer: the server may store it anyway, and then it is known where it landed.',
  ),
  stagingFetchChunkBytes: internal(
    'bytes',
    4 * 1024 * 1024,
    'src/vfs/write/staging.ts',
    'Bytes per request when a file opened for writing (without truncating it) is first copied from MEGA.',
  ),
  journalCompactAfterRecords: internal('records', 1_000, 'src/vfs/write/journal.ts', 'The upload journal is rewritten with its live entries only once it holds this many more records than that.'),
  trashPurgeCron: internalText(
    'cron expression, local time',
    '17 3 * * *',
    'src/vfs/trash/trash-schedule.ts',
    'When trash older than `trashRetentionDays` is purged: daily at 03:17.',
  ),
  busyRetryAttempts: internal('requests', 3, 'src/remote/webdav-remote.ts', 'Requests in all for one that the bridge answers 503 (busy).'),
  busyRetryBaseDelayMs: internal('milliseconds', 200, 'src/remote/webdav-remote.ts', 'Wait before the first retry of a 503; doubles with each retry.'),
  uploadAnswerBytesPerSecond: internal(
    'bytes per second',
    256 * 1024,
    'src/remote/webdav-remote.ts',
    "The slowest rate at which the bridge is expected to pass an upload on to MEGA (a 2 Mbit/s uplink): after a PUT's body is sent, its answer is awaited `requestTimeoutMs` plus size / this. A timeout there costs a whole new upload, so it errs long.",
  ),
  rootCheckTtlMs: internal(
    'milliseconds',
    2_000,
    'src/remote/webdav-remote.ts',
    'A 404 below the root costs one PROPFIND of the root, to tell a missing file from a folder no longer served, unless a request succeeded within this long.',
  ),
  mountRetryInitialMs: internal(
    'milliseconds',
    1_000,
    'src/daemon/supervisor.ts',
    'Wait before a mount whose bridge does not answer is tried again; doubles with each try, up to `mountRetryMaxMs` and `healthIntervalSeconds`.',
  ),
  mountRetryMaxMs: internal('milliseconds', 30_000, 'src/daemon/supervisor.ts', 'Longest wait between tries of a mount whose bridge does not answer.'),
  stopTimeoutSeconds: internal(
    'seconds',
    20,
    'megamountd --stop-timeout-seconds',
    'At SIGTERM, how long uploads may still run before everything is unmounted (what is left stays in the journal). Set with `megamountd --stop-timeout-seconds N` or `MEGAMOUNT_STOP_TIMEOUT_SECONDS`.',
  ),
  readyWaitMaxSeconds: internal(
    'seconds',
    60,
    'src/daemon/readiness.ts',
    'At start, the longest the daemon waits for every autostart mount to mount, settle in waiting or fail before it tells systemd it is ready (`TimeoutStartSec` is above it).',
  ),
  mountTableIntervalMs: internal(
    'milliseconds',
    2_000,
    'src/daemon/mount-table-watch.ts',
    'How often the mount table is read, to notice a mount removed from outside (`fusermount -u`, an eject).',
  ),
  maxControlConnections: internal(
    'connections',
    64,
    'src/control/connection-limits.ts',
    'Control connections open at once; at the cap the one idle the longest is closed to make room.',
  ),
  controlIdleTimeoutMs: internal('milliseconds', 60_000, 'src/control/connection-limits.ts', 'A control connection with no request running is closed after this long.'),
  profileDebounceMs: internal('milliseconds', 500, 'src/daemon/profile-watcher.ts', 'Quiet time after an edit of `mounts.json` before it is applied.'),
  suspendCheckMs: internal('milliseconds', 1_000, 'src/daemon/suspend-detector.ts', 'How often the wall clock is compared with the monotonic one, to notice a suspend and resume.'),
  suspendJumpMs: internal(
    'milliseconds',
    5_000,
    'src/daemon/suspend-detector.ts',
    'A jump of the wall clock larger than this is a resume: every mount is checked at once.',
  ),
  megacmdTimeoutMs: internal('milliseconds', 20_000, 'src/megacmd/megacmd.ts', 'Bound on each MEGAcmd command (`mega-webdav`, `mega-whoami`, `mega-df`); a hung one is killed.'),
  commandTimeoutMs: internal('milliseconds', 30_000, 'src/megacmd/command-runner.ts', 'Bound on the other commands megamount runs (`systemctl`, `launchctl`).'),
  dfTtlMs: internal('milliseconds', 60_000, 'src/megacmd/df-cache.ts', "How old the account's storage figures (from `mega-df`, shown by `df`) may be before a background refresh."),
  dfRetryAfterFailureMs: internal('milliseconds', 30_000, 'src/megacmd/df-cache.ts', 'After a failed `mega-df`, the wait before it is run again.'),
  dfFirstWaitMs: internal('milliseconds', 2_000, 'src/megacmd/df-cache.ts', 'How long the first `df` waits for `mega-df` before answering without its figures.'),
  controlTimeoutMs: internal(
    'milliseconds',
    30_000,
    'src/control/client.ts',
    "How long mountctl waits for the daemon's answer (`mountctl unmount` waiting for uploads waits as long as they take).",
  ),
  doctorProbeTimeoutMs: internal('milliseconds', 5_000, 'src/doctor/probe-bridge.ts', "Bound on `mountctl doctor`'s PROPFIND of each profile's bridge."),
  doctorCommandTimeoutMs: internal('milliseconds', 10_000, 'src/doctor/environment.ts', 'Bound on each command `mountctl doctor` runs (`mega-whoami`, `ldconfig -p`, ...).'),
}

const readCache = binaryUnits(INTERNAL_OPTIONS.readCacheMaxBytes.default)
const slotsKept = INTERNAL_OPTIONS.userSlotsKept.default

/** The fields of a profile ("mounts": [ { ... } ]), in the docs' order. */
export const PROFILE_OPTIONS = {
  name: required({
    schema: z
      .string({ error: 'must be a string such as "photos"' })
      .regex(PROFILE_NAME_PATTERN, {
        error: 'must be 1-64 characters from A-Z a-z 0-9 . _ - (it names files and log lines)',
      })
      .refine(n => n !== '.' && n !== '..', { error: 'must not be "." or ".."' }),
    type: 'string, 1-64 of `A-Z a-z 0-9 . _ -`',
    help: 'Names the mount in `mountctl`, logs and file names. Unique.',
  }),
  url: {
    schema: z.string({ error: 'must be a string such as "http://127.0.0.1:4443/f1Y2lIrD/Photos"' }),
    type: '`http://` or `https://` URL',
    default: null,
    shownDefault: '-',
    help: "The bridge URL of the folder, as `mega-webdav` prints it. No `?query` or `#fragment` (MEGA's bridge would read them as part of the folder name). The bridge is meant to run on this computer: plain `http://` to any host other than loopback (`127.x.x.x`, `localhost`, `[::1]`) works but is warned about in the log, `mountctl status` and `mountctl doctor`, since names and file contents cross the network unencrypted.",
  } satisfies OptionSpec<string, null>,
  megaPath: {
    schema: z
      .string({ error: 'must be a string such as "/Photos"' })
      .startsWith('/', { error: 'must be an absolute MEGA path starting with "/", e.g. "/Photos"' }),
    type: 'MEGA path such as `"/Photos"`',
    default: null,
    shownDefault: '-',
    help: 'Instead of `url`: megamount asks MEGAcmd (`mega-webdav`) for the URL, and asks again when the folder is renamed. Exactly one of `url` and `megaPath`.',
  } satisfies OptionSpec<string, null>,
  serveIfNeeded: bool(true, 'With `megaPath`: run `mega-webdav <path>` when the folder is not served yet.'),
  mountpoint: required({
    schema: z.string({ error: 'must be a string such as "~/MEGA/Photos"' }).min(1, { error: 'must not be empty' }),
    type: 'absolute path or `~/...`',
    help: "Where the folder appears. Created when missing. Must be empty (or a leftover mount of megamount's own), not inside or around another profile's mountpoint, and not inside any megamount mount (of this daemon or another). A symbolic link is followed: the mount goes on its target, and `mountctl status` shows that real path.",
  }),
  autostart: bool(true, 'Mount when the daemon starts or reloads. Otherwise mount by hand: `mountctl mount NAME`.'),
  readOnly: bool(false, 'Refuse every write (`Read-only file system`).'),
  cacheTtlMs: wholeNumber(
    'milliseconds',
    0,
    86_400_000,
    60_000,
    'How long folder listings and file attributes are trusted before asking the bridge again. Changes made elsewhere (web, phone) show after at most this long, or at once after `mountctl refresh NAME`.',
  ),
  cacheMaxEntries: wholeNumber(
    'entries',
    1,
    10_000_000,
    20_000,
    'Upper bound on metadata kept in the daemon\'s memory, counted in entries: a cached folder listing counts one per child, a "no such file" answer one. About 2.5 MiB of daemon memory per 10,000 entries. It also bounds how many file entries the kernel keeps for the mount (libfuse 3 backend, at least 1,000): past it, the oldest never opened are dropped from the kernel\'s cache, about 190 bytes of daemon memory each. A single folder larger than the bound is still cached, alone. Every listing is also kept in the mount\'s store on disk, without a bound: a listing memory let go of comes back from there without a request.',
  ),
  negativeCacheTtlMs: wholeNumber(
    'milliseconds',
    0,
    86_400_000,
    30_000,
    'How long "no such name" answers are remembered (programs probe many names that do not exist).',
  ),
  requestTimeoutMs: wholeNumber(
    'milliseconds',
    100,
    3_600_000,
    15_000,
    'Bound on connecting and on any stretch without progress in one request. A slow but moving transfer is not cut. Also the bound of the health probe.',
  ),
  readAheadMaxBytes: wholeNumber('bytes', 0, 1024 * 1024 * 1024, 8 * 1024 * 1024, 'Largest read-ahead window for files read from start to end.'),
  diskCacheMaxBytes: wholeNumber(
    'bytes',
    0,
    2 ** 50,
    2 * 1024 * 1024 * 1024,
    `File content kept on local disk, across restarts, in the mount's state folder (\`cache/\`, indexed in \`store.db\`), so a file read again, or read at random, comes from disk and stays readable while the bridge is down. Files up to half of it are kept (offline folders' files whatever their size); whole files are evicted, least recently used first, never those of offline folders; at mount time it is capped at half the free disk space. \`0\`: no disk cache (content is then cached in memory only, ${readCache}; offline folders need the disk cache). See "Reading" and "What is kept across restarts" in [filesystem.md](filesystem.md).`,
  ),
  maxConcurrentRequests: wholeNumber('requests', 1, 256, 8, 'Requests in flight to the bridge at once for this mount.'),
  deleteMode: oneOf(
    ['trash', 'permanent'],
    'trash',
    'must be "trash" (recoverable, default) or "permanent"',
    'MEGA\'s bridge deletes permanently (no Rubbish Bin). `"trash"` moves deleted files into a hidden trash folder instead, so a mistake can be undone.',
  ),
  trashRetentionDays: wholeNumber('days', 0, 36_500, 30, 'Trash entries older than this are purged by the daily job.'),
  uploadDelayMs: wholeNumber(
    'milliseconds',
    0,
    3_600_000,
    2_000,
    'Wait after the last close of a written file before uploading it, so rewrites in quick succession upload once.',
  ),
  prefetchConcurrentRequests: wholeNumber(
    'requests',
    0,
    256,
    6,
    `Requests that list folders and fetch small files *ahead* of you, in flight at once. Never more than \`maxConcurrentRequests\` minus ${slotsKept}, so your own requests always find a free slot (with \`maxConcurrentRequests\` ${slotsKept} or less there is no prefetch). \`0\` turns all prefetch off. See "Prefetch" in [filesystem.md](filesystem.md).`,
  ),
  prefetchFoldersAhead: wholeNumber(
    'folders',
    0,
    100_000,
    64,
    'When you list a folder, up to this many of its subfolders are listed ahead (and at most this many wait), so `find`, `ls -R`, `du` and file managers do not wait one round trip per folder. At most a quarter of `cacheMaxEntries`. `0`: off.',
  ),
  prefetchFilesAhead: wholeNumber(
    'files',
    0,
    10_000,
    8,
    'When you read the small files (up to 1 MiB) of a folder one after another, this many of the next ones are fetched while you read. `0`: off.',
  ),
  prefetchBytesAhead: wholeNumber(
    'bytes',
    0,
    1024 * 1024 * 1024,
    8 * 1024 * 1024,
    "Bound on the bytes of those files fetched ahead; at most a quarter of the mount's in-memory content cache.",
  ),
  offline: {
    schema: z.array(
      z
        .string({ error: 'must be a list of folders inside the mount, e.g. ["/Documents"]' })
        .startsWith('/', { error: 'must be a folder inside the mount starting with "/", e.g. "/Documents" (not the MEGA path of the mount)' })
        .refine(p => !p.split('/').includes('..'), { error: 'must not contain ".."' }),
      { error: 'must be a list of folders inside the mount, e.g. ["/Documents"]' },
    ),
    type: 'list of folders inside the mount, e.g. `["/Documents"]`',
    default: [],
    help: 'Folders kept whole on disk for offline use: every file below them is downloaded in the background (without being read), kept up to date as it changes on the server (checked once per `cacheTtlMs`), never evicted, and readable while MEGAcmd is down. `mountctl status` and `mountctl cache NAME` show the progress. Paths are inside the mount (`"/"` is the whole mount), not MEGA paths. Needs `diskCacheMaxBytes` above 0; offline files count toward it first, and are kept even beyond it.',
  } satisfies OptionSpec<string[]>,
  storedListingMaxAgeDays: wholeNumber(
    'days',
    0,
    36_500,
    7,
    'After a restart, a folder\'s listing stored on disk is shown at once and listed again behind; one older than this many days is not shown while the bridge answers (the folder waits for its new listing, as on a first visit). While the bridge is down (MEGAcmd still loading after login, or not running), stored listings are shown whatever their age.',
  ),
}

/** The fields of "settings": the daemon's, not per mount. */
export const SETTINGS_OPTIONS = {
  healthIntervalSeconds: wholeNumber(
    'seconds',
    1,
    86_400,
    15,
    "How often each mount's bridge is probed (a PROPFIND of the folder), as a cron job `*/N * * * * *` (over 59 s: whole minutes, then whole hours; an interval that does not divide the minute fires at its multiples within each minute, so `45` checks at :00 and :45). Decides `mounted` vs `degraded` in `mountctl status`; also the longest wait between retries of a `waiting` mount. A change applies at the next check.",
  ),
  megacmdPath: {
    schema: z.string({ error: 'must be a folder path such as "/usr/bin", or null to search PATH' }).nullable(),
    type: 'folder path or `null`',
    default: null,
    help: 'Folder holding `mega-webdav`, `mega-whoami`, `mega-df`; `null` searches `PATH`.',
  } satisfies OptionSpec<string | null, null>,
}
