import t from 'tap'
import { parseDf } from '../../src/megacmd/parse-df.js'

const PLAIN = `Cloud drive:            1234567890 in     123 file(s) and      12 folder(s)
Inbox:                           0 in       0 file(s) and       0 folder(s)
Rubbish bin:              12345678 in       4 file(s) and       1 folder(s)
---------------------------------------------------------------------------
USED STORAGE:           1246913568                  5.81% of 21474836480
---------------------------------------------------------------------------
Total size taken up by file versions:      1234567
`

t.test('the plain form from docs/megacmd-bridge.md', async (t) => {
  t.same(parseDf(PLAIN), {
    usedBytes: 1246913568,
    usedPercent: 5.81,
    totalBytes: 21474836480,
    availableBytes: 21474836480 - 1246913568,
    cloudDriveBytes: 1234567890,
    inboxBytes: 0,
    rubbishBinBytes: 12345678,
    incomingSharesBytes: 0,
    versionsBytes: 1234567,
  })
})

t.test('an Incoming shares block after the rubbish bin', async (t) => {
  const out = PLAIN.replace(
    'Rubbish bin:              12345678 in       4 file(s) and       1 folder(s)\n',
    'Rubbish bin:              12345678 in       4 file(s) and       1 folder(s)\n' +
      'Incoming shares:\n' +
      ' friend@example.com:Shared:      1000 in       2 file(s) and       1 folder(s)\n' +
      ' other@example.com:Docs:          500 in       1 file(s) and       0 folder(s)\n',
  )
  const df = parseDf(out)
  t.equal(df?.incomingSharesBytes, 1500)
  t.equal(df?.cloudDriveBytes, 1234567890, 'share lines do not overwrite the drive')
  t.equal(df?.usedBytes, 1246913568)
})

t.test('incoming shares on one line', async (t) => {
  const out = PLAIN + 'Incoming shares:            777 in       1 file(s) and       0 folder(s)\n'
  t.equal(parseDf(out)?.incomingSharesBytes, 777)
})

t.test('odd spacing and tabs', async (t) => {
  const df = parseDf('Cloud drive:\t5 in 1 file(s) and 0 folder(s)\n   USED STORAGE:  5   0.00% of   100  \n')
  t.equal(df?.usedBytes, 5)
  t.equal(df?.totalBytes, 100)
  t.equal(df?.availableBytes, 95)
  t.equal(df?.cloudDriveBytes, 5)
  t.equal(df?.versionsBytes, 0)
})

t.test('over quota never gives negative space', async (t) => {
  t.equal(parseDf('USED STORAGE: 200 200.00% of 100\n')?.availableBytes, 0)
})

t.test('the -h form is refused, not guessed', async (t) => {
  t.equal(parseDf('Cloud drive: 1.15 GB in 123 file(s) and 12 folder(s)\nUSED STORAGE: 1.16 GB 5.81% of 20.00 GB\n'), null)
  t.equal(parseDf('Not logged in.\n'), null)
})
