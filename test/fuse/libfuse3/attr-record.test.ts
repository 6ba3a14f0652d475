import t from 'tap'
import { attrSignature } from '../../../src/fuse/libfuse3/attr-record.js'
import type { Attr } from '../../../src/vfs/types.js'

const base: Attr = { mode: 0o100644, size: 57, nlink: 1, uid: 0, gid: 0, atimeMs: 1_700_000_000_000, mtimeMs: 1_700_000_000_000, ctimeMs: 1_700_000_000_000, blocks: 1 }

t.test('an attribute signature changes with what the kernel caches, and only with it', async t => {
  const sig = attrSignature(base)
  t.type(sig, 'number')
  t.ok(Number.isSafeInteger(sig) && sig > 0, 'a positive safe integer (0 means "none held")')
  t.equal(attrSignature({ ...base }), sig, 'the same attributes, the same signature')
  t.equal(attrSignature({ ...base, atimeMs: 1, ctimeMs: 2, nlink: 3 }), sig, 'what the kernel is not told about does not count')
  t.not(attrSignature({ ...base, size: 58 }), sig, 'size')
  t.not(attrSignature({ ...base, mtimeMs: base.mtimeMs + 1000 }), sig, 'time')
  t.not(attrSignature({ ...base, mode: 0o040755 }), sig, 'kind')
  t.not(attrSignature({ ...base, size: 57 + 2 ** 32 }), sig, 'the high bits of a size past 4 GiB')
  t.not(attrSignature({ ...base, size: 0, mtimeMs: 57 }), attrSignature({ ...base, size: 57, mtimeMs: 0 }), 'fields do not trade places')
})

t.test('signatures of many neighbouring attributes do not collide', async t => {
  const seen = new Set<number>()
  for (let size = 0; size < 200; size++) {
    for (let s = 0; s < 500; s++) seen.add(attrSignature({ ...base, size, mtimeMs: base.mtimeMs + s * 1000 }))
  }
  t.equal(seen.size, 200 * 500)
})
