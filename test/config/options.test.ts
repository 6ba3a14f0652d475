import t from 'tap'
import { binaryUnits } from '../../src/config/option-spec.js'
import { INTERNAL_OPTIONS, PROFILE_OPTIONS, SETTINGS_OPTIONS } from '../../src/config/options.js'
import { INTERNAL_DEFAULTS, PROFILE_DEFAULTS, SETTINGS_DEFAULTS } from '../../src/config/types.js'
import { coreOptionsOf } from '../../src/vfs/core-options.js'

const MiB = 1024 * 1024

t.test('the defaults are the ones megamount had before they were defined in one table', async t => {
  t.same(PROFILE_DEFAULTS, {
    url: null,
    megaPath: null,
    serveIfNeeded: true,
    autostart: true,
    readOnly: false,
    cacheTtlMs: 60_000,
    cacheMaxEntries: 20_000,
    negativeCacheTtlMs: 30_000,
    requestTimeoutMs: 15_000,
    readAheadMaxBytes: 8 * MiB,
    diskCacheMaxBytes: 2048 * MiB,
    maxConcurrentRequests: 8,
    deleteMode: 'trash',
    trashRetentionDays: 30,
    uploadDelayMs: 2_000,
    prefetchConcurrentRequests: 6,
    prefetchFoldersAhead: 64,
    prefetchFilesAhead: 8,
    prefetchBytesAhead: 8 * MiB,
    offline: [],
    storedListingMaxAgeDays: 7,
  })
  t.same(SETTINGS_DEFAULTS, { healthIntervalSeconds: 15, megacmdPath: null })
  t.match(INTERNAL_DEFAULTS, {
    readCacheMaxBytes: 32 * MiB,
    userSlotsKept: 2,
    quotaFirstWaitMs: 1_000,
    maxConcurrentUploads: 2,
    uploadRetryInitialDelayMs: 1_000,
    uploadRetryMaxDelayMs: 300_000,
    uploadMaxAttempts: 5,
    uploadAnswerGraceMs: 2_000,
    stagingFetchChunkBytes: 4 * MiB,
    journalCompactAfterRecords: 1_000,
    trashPurgeCron: '17 3 * * *',
    busyRetryAttempts: 3,
    busyRetryBaseDelayMs: 200,
    uploadAnswerBytesPerSecond: 256 * 1024,
    rootCheckTtlMs: 2_000,
    mountRetryInitialMs: 1_000,
    mountRetryMaxMs: 30_000,
    stopTimeoutSeconds: 20,
    profileDebounceMs: 500,
    suspendCheckMs: 1_000,
    suspendJumpMs: 5_000,
    megacmdTimeoutMs: 20_000,
    commandTimeoutMs: 30_000,
    dfTtlMs: 60_000,
    dfRetryAfterFailureMs: 30_000,
    dfFirstWaitMs: 2_000,
    controlTimeoutMs: 30_000,
    doctorProbeTimeoutMs: 5_000,
    doctorCommandTimeoutMs: 10_000,
  })
  t.equal(Object.keys(INTERNAL_DEFAULTS).length, Object.keys(INTERNAL_OPTIONS).length)
})

t.test('every default passes its own schema, and is within its range', async t => {
  for (const [name, spec] of Object.entries({ ...PROFILE_OPTIONS, ...SETTINGS_OPTIONS })) {
    if (!('default' in spec)) continue
    if (spec.default !== null) t.ok(spec.schema.safeParse(spec.default).success, `${name} = ${String(spec.default)}`)
    if ('min' in spec && typeof spec.default === 'number') t.ok(spec.default >= spec.min! && spec.default <= spec.max!, `${name} in range`)
  }
  for (const [name, spec] of Object.entries(INTERNAL_OPTIONS)) t.ok(spec.help.length > 10 && spec.where.length > 0, `${name} has help and a place`)
})

t.test('the core takes only the options it uses: nothing of where or how the daemon mounts', async t => {
  const core = coreOptionsOf({ ...PROFILE_DEFAULTS, name: 'p', url: 'http://127.0.0.1:4443/AbCdEfGh/P', mountpoint: '/m' })
  for (const field of ['name', 'url', 'megaPath', 'mountpoint', 'autostart', 'serveIfNeeded', 'requestTimeoutMs']) t.notOk(field in core, field)
  t.equal(core.cacheTtlMs, PROFILE_DEFAULTS.cacheTtlMs)
})

t.test('binary units', async t => {
  t.equal(binaryUnits(8 * MiB), '8 MiB')
  t.equal(binaryUnits(256 * 1024), '256 KiB')
  t.equal(binaryUnits(2 ** 50), '1 PiB')
  t.equal(binaryUnits(1500), null)
  t.equal(binaryUnits(512), null)
})
