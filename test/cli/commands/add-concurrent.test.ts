// Four `mountctl add` processes at the same moment, as scripts or two
// terminals do: every profile must end up in the file (each process reads,
// changes and writes under the profile file's lock).
import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { daemonMissing, mountctlFor } from '../../helpers/daemon-process.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'

t.test('4 concurrent adds keep 4 profiles, round after round', { skip: daemonMissing }, async t => {
  const dir = t.testdir()
  const { mountctl } = mountctlFor(path.join(dir, 'no-daemon.sock'))
  for (let round = 0; round < 5; round++) {
    const file = path.join(dir, `mounts-${round}.json`)
    const names = [0, 1, 2, 3].map(i => `r${round}n${i}`)
    const results = await Promise.all(names.map(n => mountctl('add', n, '--url', URL_A, '--mountpoint', path.join(dir, n), '--config', file)))
    for (const r of results) t.equal(r.code, 0, r.stderr)
    const kept = JSON.parse(await fs.readFile(file, 'utf8')).mounts.map((m: { name: string }) => m.name)
    t.same(kept.sort(), names, `round ${round}: every add kept`)
  }
})
