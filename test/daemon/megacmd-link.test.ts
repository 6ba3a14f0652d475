import t from 'tap'
import { PROFILE_DEFAULTS, SETTINGS_DEFAULTS, type DaemonSettings, type Profile } from '../../src/config/types.js'
import { ExplainedError, MegaCmdLink, explainMegaCmdFailure, looksLikeMegaBridge } from '../../src/daemon/megacmd-link.js'
import { MegaCmdError, type MegaCmdApi, type MegaDf, type ServedLocation, type WhoAmI } from '../../src/megacmd/index.js'

const OLD = 'http://127.0.0.1:4443/AAAAAAAA/Photos'
const NEW = 'http://127.0.0.1:4443/AAAAAAAA/Pictures'

class FakeMegaCmd implements MegaCmdApi {
  served: ServedLocation[] = []
  who: WhoAmI | MegaCmdError = { loggedIn: true, email: 'a@example.com' }
  failWith: MegaCmdError | null = null
  dfCalls = 0
  served_: string[] = []
  constructor(readonly megacmdPath: string | null) {}
  async servedLocations() {
    if (this.failWith) throw this.failWith
    return this.served
  }
  async serve(p: string) {
    this.served_.push(p)
    const url = `http://127.0.0.1:4443/BBBBBBBB${p}`
    this.served.push({ megaPath: p, url })
    return url
  }
  async unserve() {}
  async whoami() {
    if (this.who instanceof MegaCmdError) throw this.who
    return this.who
  }
  async df(): Promise<MegaDf> {
    this.dfCalls++
    return { usedBytes: 100, totalBytes: 1000, availableBytes: 900, usedPercent: 10, cloudDriveBytes: 100, inboxBytes: 0, rubbishBinBytes: 0, incomingSharesBytes: 0, versionsBytes: 0 }
  }
}

function setup(settings: DaemonSettings = { ...SETTINGS_DEFAULTS }) {
  const made: FakeMegaCmd[] = []
  const link = new MegaCmdLink({ settings: () => settings, makeMegaCmd: p => (made.push(new FakeMegaCmd(p)), made.at(-1)!) })
  return { link, made, settings, fake: () => (link.cmd, made.at(-1)!) }
}

const profile = (o: Partial<Profile>): Profile => ({ ...PROFILE_DEFAULTS, name: 'photos', url: null, megaPath: '/Photos', mountpoint: '/mnt/p', ...o })

t.test('resolve: served, renamed (by handle), served when needed, each failure named', async t => {
  const { link, fake } = setup()
  fake().served = [{ megaPath: '/Photos', url: OLD }]
  t.equal(await link.resolve(profile({}), null), OLD)
  fake().served = [{ megaPath: '/Pictures', url: NEW }]
  t.equal(await link.resolve(profile({}), OLD), NEW, 'a renamed folder is found by its handle')
  fake().served = []
  t.equal(await link.resolve(profile({}), null), 'http://127.0.0.1:4443/BBBBBBBB/Photos')
  t.same(fake().served_, ['/Photos'], 'served because serveIfNeeded')
  fake().served = []
  await t.rejects(link.resolve(profile({ serveIfNeeded: false }), null), { message: /^the folder is not served/, hint: /mega-webdav \/Photos/ })
  const cases: [MegaCmdError, RegExp, RegExp][] = [
    [new MegaCmdError('megacmd-missing', 'mega-webdav is not on PATH', { fix: 'install MEGAcmd' }), /^MEGAcmd is not installed/, /install/],
    [new MegaCmdError('megacmd-not-running', 'cannot reach', { fix: 'mega-cmd-server &' }), /^MEGAcmd is not running/, /mega-cmd-server/],
    [new MegaCmdError('not-logged-in', 'Not logged in.'), /^MEGAcmd is not logged in/, /mega-login/],
  ]
  for (const [err, message, hint] of cases) {
    fake().failWith = err
    await t.rejects(link.resolve(profile({}), null), { name: 'ExplainedError', message, hint })
  }
})

t.test('explainRootMissing tells logged out, renamed, not served, not installed, not running', async t => {
  const { link, fake } = setup()
  const url = profile({ url: OLD, megaPath: null })
  fake().who = { loggedIn: false }
  t.match(await link.explainRootMissing(url, OLD), { message: /MEGAcmd is logged out/, hint: /mega-login/ })
  fake().who = { loggedIn: true, email: 'a@example.com' }
  fake().served = [{ megaPath: '/Pictures', url: NEW }]
  t.match(await link.explainRootMissing(url, OLD), { message: /renamed or moved: MEGAcmd now serves it as \/Pictures at .*Pictures/, hint: /"url": "http:\/\/127.0.0.1:4443\/AAAAAAAA\/Pictures"/ })
  fake().served = []
  t.match(await link.explainRootMissing(url, OLD), { message: /no longer served/, hint: /mega-webdav \/Folder/ })
  t.match(await link.explainRootMissing(profile({}), OLD), { hint: /mega-webdav \/Photos/ })
  fake().who = new MegaCmdError('megacmd-missing', 'mega-whoami is not on PATH')
  t.match(await link.explainRootMissing(url, OLD), { message: /MEGAcmd is not installed here/ })
  fake().who = new MegaCmdError('megacmd-not-running', 'cannot reach the server', { fix: 'start MEGAcmd' })
  t.match(await link.explainRootMissing(url, OLD), { message: /404 .*MEGAcmd is not running/, hint: 'start MEGAcmd' })
  fake().who = { loggedIn: true, email: 'a@example.com' }
  fake().failWith = new MegaCmdError('timeout', 'hung')
  t.match(await link.explainRootMissing(url, OLD), { message: /MEGAcmd did not answer/ })
})

t.test('one MegaCmd and one df cache, re-made when megacmdPath changes', async t => {
  const { link, made, settings } = setup()
  const df = link.df
  t.equal(link.df, df)
  t.match(await df.get(), { usedBytes: 100, totalBytes: 1000, availableBytes: 900 }, 'figures from mega-df')
  t.equal(made.length, 1)
  settings.megacmdPath = '/opt/megacmd'
  t.not(link.df, df, 'a new path gets a new cache')
  t.equal(made.at(-1)!.megacmdPath, '/opt/megacmd')
})

t.test('helpers', async t => {
  t.ok(looksLikeMegaBridge(OLD))
  t.ok(looksLikeMegaBridge('http://127.0.0.1:4443/f1Y2-I_D/Cloud%20Drive'))
  t.notOk(looksLikeMegaBridge('http://127.0.0.1:8080/dav/Photos'))
  t.notOk(looksLikeMegaBridge('not a url'))
  const e = explainMegaCmdFailure(new Error('boom'), 'doing x')
  t.ok(e instanceof ExplainedError)
  t.match(e, { message: 'doing x failed: boom', hint: /mega-whoami/ })
})
