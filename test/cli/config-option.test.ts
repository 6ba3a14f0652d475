import path from 'node:path'
import t from 'tap'
import type { CliContext } from '../../src/cli/command.js'
import { configFileFor, givenConfigFile } from '../../src/cli/config-option.js'

const ctx = (values: Record<string, unknown>, env: Record<string, string>) => ({ values, io: { env } }) as unknown as CliContext

t.test('--config is resolved: ~ expanded, made absolute', async t => {
  t.equal(givenConfigFile(ctx({ config: '~/m.json' }, { HOME: '/home/u' })), '/home/u/m.json')
  t.equal(givenConfigFile(ctx({ config: 'rel.json' }, { HOME: '/home/u' })), path.resolve('rel.json'))
  t.equal(givenConfigFile(ctx({}, { HOME: '/home/u' })), null)
})

t.test('without --config: MEGAMOUNT_CONFIG, else the XDG default', async t => {
  t.equal(configFileFor(ctx({}, { HOME: '/home/u', MEGAMOUNT_CONFIG: '/etc/mm.json' })), '/etc/mm.json')
  t.equal(configFileFor(ctx({}, { HOME: '/home/u' })), '/home/u/.config/megamount/mounts.json')
  t.equal(configFileFor(ctx({ config: '/x.json' }, { HOME: '/home/u', MEGAMOUNT_CONFIG: '/etc/mm.json' })), '/x.json')
})
