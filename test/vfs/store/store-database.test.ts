import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { silentLogger } from '../../../src/log.js'
import { SCHEMA_VERSION, openStoreDatabase } from '../../../src/vfs/store/store-database.js'

async function tempFile(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-store-db-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return join(dir, 'state', 'store.db')
}

/** A database with some rows in every table, closed. */
function filled(file: string): void {
  const { db } = openStoreDatabase(file, silentLogger)
  const insert = db.prepare("INSERT INTO listings (path, parent, fetched_at, entry_count, entries) VALUES (?, '/', 1, 1, ?)")
  db.transaction(() => {
    for (let i = 0; i < 5000; i++) insert.run(`/folder number ${i}`, JSON.stringify([[`file ${i}`, 0, i, null, null, null]]))
  })()
  db.close()
}

t.test('a new store is created with its folder, in WAL mode, at the current schema', async t => {
  const file = await tempFile(t)
  const { db, rebuiltBecause } = openStoreDatabase(file, silentLogger)
  t.teardown(() => db.close())
  t.equal(rebuiltBecause, null)
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION)
})

t.test('a store opened again keeps its rows', async t => {
  const file = await tempFile(t)
  filled(file)
  const { db, rebuiltBecause } = openStoreDatabase(file, silentLogger)
  t.teardown(() => db.close())
  t.equal(rebuiltBecause, null)
  t.equal(db.prepare('SELECT count(*) FROM listings').pluck().get(), 5000)
})

const damages: [string, (file: string) => void, RegExp][] = [
  ['cut in half', file => truncateSync(file, Math.floor(statSync(file).size / 2)), /malformed/],
  ['not a database at all', file => writeFileSync(file, 'garbage '.repeat(2000)), /not a database/],
  [
    'bytes flipped inside',
    file => {
      const bytes = readFileSync(file)
      for (let i = 8192; i < 12288; i++) bytes[i]! ^= 0x5a
      writeFileSync(file, bytes)
    },
    /quick_check|malformed/,
  ],
]

for (const [what, damage, reason] of damages) {
  t.test(`a store ${what} is moved aside and rebuilt empty, with a warning`, async t => {
    const file = await tempFile(t)
    filled(file)
    damage(file)
    const warnings: unknown[] = []
    const logger = Object.assign(Object.create(silentLogger), { warn: (...args: unknown[]) => warnings.push(args) })
    const { db, rebuiltBecause } = openStoreDatabase(file, logger)
    t.teardown(() => db.close())
    t.match(rebuiltBecause, reason)
    t.equal(warnings.length, 1, 'warned once')
    t.equal(db.prepare('SELECT count(*) FROM listings').pluck().get(), 0, 'empty')
    t.ok(existsSync(`${file}.damaged`), 'the damaged file is kept aside')
    db.prepare("INSERT INTO meta (key, value) VALUES ('works', 'yes')").run()
  })
}

t.test('a store of another schema version is rebuilt', async t => {
  const file = await tempFile(t)
  filled(file)
  const { db: old } = openStoreDatabase(file, silentLogger)
  old.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
  old.close()
  const { db, rebuiltBecause } = openStoreDatabase(file, silentLogger)
  t.teardown(() => db.close())
  t.match(rebuiltBecause, /another version/)
  t.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION)
})

t.test('a folder where no database can be made throws (the caller keeps the store in memory)', async t => {
  const file = await tempFile(t)
  writeFileSync(join(file, '..', '..', 'blocker'), 'a file, not a folder')
  t.throws(() => openStoreDatabase(join(file, '..', '..', 'blocker', 'store.db'), silentLogger))
})

t.test('SQLite\'s page cache is bounded to 2 MiB per store (better-sqlite3 builds it with 16 MiB)', async t => {
  const file = await tempFile(t)
  const { db } = openStoreDatabase(file, silentLogger)
  t.teardown(() => db.close())
  t.equal(db.pragma('cache_size', { simple: true }), -2048)
})
