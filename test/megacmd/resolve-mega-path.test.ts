import t from 'tap'
import type { ServedLocation } from '../../src/megacmd/parse-webdav.js'
import { bridgeHandle, resolveMegaPath } from '../../src/megacmd/resolve-mega-path.js'

function fake(served: ServedLocation[]) {
  const serveCalls: string[] = []
  return {
    serveCalls,
    servedLocations: async () => served,
    serve: async (p: string) => {
      serveCalls.push(p)
      return `http://127.0.0.1:4443/NeWhNd01${p}`
    },
  }
}

t.test('finds a served path, comparing normalized forms', async (t) => {
  const mega = fake([
    { megaPath: 'relative.tif', url: 'http://x/R/relative.tif' },
    { megaPath: '/Photos', url: 'http://127.0.0.1:4443/f1Y2lIrD/Photos' },
  ])
  t.equal(await resolveMegaPath(mega, '/Photos/', { serveIfNeeded: false }), 'http://127.0.0.1:4443/f1Y2lIrD/Photos')
  t.same(mega.serveCalls, [])
})

t.test('serves when allowed', async (t) => {
  const mega = fake([])
  t.equal(await resolveMegaPath(mega, '/Docs', { serveIfNeeded: true }), 'http://127.0.0.1:4443/NeWhNd01/Docs')
  t.same(mega.serveCalls, ['/Docs'])
})

t.test('a clear error when not served and not allowed to serve', async (t) => {
  await t.rejects(resolveMegaPath(fake([]), '/Docs', { serveIfNeeded: false }), {
    kind: 'not-served',
    message: '/Docs is not served by MEGAcmd\'s WebDAV bridge',
    fix: /mega-webdav \/Docs/,
  })
})

t.test('errors from MEGAcmd pass through', async (t) => {
  const failing = {
    servedLocations: async () => Promise.reject(new Error('boom')),
    serve: async () => 'never',
  }
  await t.rejects(resolveMegaPath(failing, '/A', { serveIfNeeded: true }), /boom/)
  await t.rejects(resolveMegaPath(fake([]), 'A', { serveIfNeeded: true }), /must be absolute/)
})

t.test('a renamed folder is found by its handle when the last URL is known', async (t) => {
  const mega = fake([{ megaPath: '/Pictures', url: 'http://127.0.0.1:4443/f1Y2lIrD/Pictures' }])
  const knownUrl = 'http://127.0.0.1:4443/f1Y2lIrD/Photos'
  t.equal(await resolveMegaPath(mega, '/Photos', { serveIfNeeded: true, knownUrl }), 'http://127.0.0.1:4443/f1Y2lIrD/Pictures')
  t.same(mega.serveCalls, [], 'nothing served')
  t.equal(
    await resolveMegaPath(mega, '/Photos', { serveIfNeeded: true, knownUrl: 'http://127.0.0.1:4443/OtHeRhNd/Photos' }),
    'http://127.0.0.1:4443/NeWhNd01/Photos',
    'another handle is another folder',
  )
  t.equal(bridgeHandle('http://127.0.0.1:4443/f1Y2lIrD/Photos'), 'f1Y2lIrD')
  t.equal(bridgeHandle('http://127.0.0.1:4443/'), null)
  t.equal(bridgeHandle('nonsense'), null)
})
