import t from 'tap'
import { daemonPath } from '../../src/service/daemon-path.js'

t.equal(
  daemonPath({ platform: 'linux', nodePath: '/opt/node/bin/node', megacmdPath: '/opt/mega/', currentPath: '/usr/bin:relative:/home/u/bin:' }),
  '/opt/node/bin:/opt/mega:/usr/bin:/home/u/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/bin',
)
const mac = daemonPath({ platform: 'darwin', nodePath: '/opt/homebrew/bin/node', megacmdPath: null, currentPath: undefined })
t.match(mac, /^\/opt\/homebrew\/bin:\/Applications\/MEGAcmd\.app\/Contents\/MacOS:/)
t.equal(mac.split(':').filter((d) => d === '/opt/homebrew/bin').length, 1, 'no duplicates')
