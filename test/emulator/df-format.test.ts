import t from 'tap'
import { formatDf, humanSize } from '../../src/emulator/df-format.js'

t.test('the layout of docs/megacmd-bridge.md, byte for byte', async t => {
  const text = formatDf(
    {
      cloudDrive: { bytes: 1234567890, files: 123, folders: 12 },
      inbox: { bytes: 0, files: 0, folders: 0 },
      rubbishBin: { bytes: 12345678, files: 4, folders: 1 },
      totalBytes: 21474836480,
      versionsBytes: 1234567,
    },
    false,
  )
  t.equal(
    text,
    'Cloud drive:            1234567890 in     123 file(s) and      12 folder(s)\n' +
      'Inbox:                           0 in       0 file(s) and       0 folder(s)\n' +
      'Rubbish bin:              12345678 in       4 file(s) and       1 folder(s)\n' +
      '---------------------------------------------------------------------------\n' +
      'USED STORAGE:           1246913568                  5.81% of 21474836480\n' +
      '---------------------------------------------------------------------------\n' +
      'Total size taken up by file versions:      1234567\n',
  )
})

t.test('-h sizes', async t => {
  t.equal(humanSize(0), '0.00 B')
  t.equal(humanSize(1023), '1023.00 B')
  t.equal(humanSize(1234567890), '1.15 GB')
  t.equal(humanSize(21474836480), '20.00 GB')
  const text = formatDf(
    { cloudDrive: { bytes: 1234567890, files: 1, folders: 0 }, inbox: { bytes: 0, files: 0, folders: 0 }, rubbishBin: { bytes: 0, files: 0, folders: 0 }, totalBytes: 21474836480, versionsBytes: 0 },
    true,
  )
  t.match(text, /^Cloud drive:               1\.15 GB in       1 file\(s\) and       0 folder\(s\)\n/)
  t.match(text, /\nUSED STORAGE:              1\.15 GB                  5\.75% of 20\.00 GB\n/)
})
