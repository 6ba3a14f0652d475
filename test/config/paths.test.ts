import t from 'tap'
import { defaultConfigFile, defaultSocketPath, defaultStateDir, expandHome } from '../../src/config/paths.js'

t.test('expandHome', async t => {
  t.equal(expandHome('~', '/h'), '/h')
  t.equal(expandHome('~/MEGA', '/h'), '/h/MEGA')
  t.equal(expandHome('/abs', '/h'), '/abs')
  t.equal(expandHome('~user/x', '/h'), '~user/x')
})

t.test('config file: flag env, XDG, home', async t => {
  t.equal(defaultConfigFile({ HOME: '/h', MEGAMOUNT_CONFIG: '~/m.json' }), '/h/m.json')
  t.equal(defaultConfigFile({ HOME: '/h', XDG_CONFIG_HOME: '/x' }), '/x/megamount/mounts.json')
  t.equal(defaultConfigFile({ HOME: '/h' }), '/h/.config/megamount/mounts.json')
})

t.test('state dir and socket', async t => {
  t.equal(defaultStateDir({ HOME: '/h' }), '/h/.local/state/megamount')
  t.equal(defaultStateDir({ HOME: '/h', XDG_STATE_HOME: '/s' }), '/s/megamount')
  t.equal(defaultStateDir({ HOME: '/h', MEGAMOUNT_STATE_DIR: '/st' }), '/st')
  t.equal(defaultSocketPath({ HOME: '/h', XDG_RUNTIME_DIR: '/run/user/1' }), '/run/user/1/megamount/control.sock')
  t.equal(defaultSocketPath({ HOME: '/h' }), '/h/.local/state/megamount/control.sock')
  t.equal(defaultSocketPath({ HOME: '/h', MEGAMOUNT_SOCKET: '/t/c.sock', XDG_RUNTIME_DIR: '/r' }), '/t/c.sock')
})
