import t from 'tap'
import { classifyFailure } from '../../src/megacmd/classify-failure.js'

const r = (stdout: string, stderr = '', exitCode = 1) => ({ stdout, stderr, exitCode })

t.test('not logged in', async (t) => {
  const err = classifyFailure('mega-df', r('[API:err: 09:12:01] Not logged in.\n', '', 199))
  t.equal(err.kind, 'not-logged-in')
  t.match(err.fix, /mega-login/)
})

t.test('server unreachable, every message the client prints', async (t) => {
  for (const text of [
    'Unable to connect to service: error=111\nPlease ensure mega-cmd-server is running',
    'Please ensure MEGAcmdServer is running',
    'Server is not responding',
    'Unable to connect to socket  0 : 2',
    'ERROR reading output: 104',
    'ERROR writing command to socket: 32',
    "Couln't initiate MEGAcmd server: executable not found: mega-cmd-server",
  ]) {
    const err = classifyFailure('mega-webdav', r('', text, 255))
    t.equal(err.kind, 'megacmd-not-running', text)
    t.match(err.fix, /mega-cmd-server/)
  }
})

t.test('missing path', async (t) => {
  t.equal(classifyFailure('mega-webdav /Nope', r('', "Couldn't find /Nope", 53)).kind, 'path-not-found')
})

t.test('anything else keeps the text and the status', async (t) => {
  const err = classifyFailure('mega-df', r('', 'something odd happened', 3))
  t.equal(err.kind, 'unexpected-output')
  t.match(err.message, /exit status 3: something odd happened/)
  t.match(classifyFailure('mega-df', r('', '', 3)).message, /\(no output\)/)
})
