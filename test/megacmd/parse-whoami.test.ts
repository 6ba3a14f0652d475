import t from 'tap'
import { parseWhoamiEmail } from '../../src/megacmd/parse-whoami.js'

t.equal(parseWhoamiEmail('Account e-mail: someone@example.com\n'), 'someone@example.com')
t.equal(parseWhoamiEmail('  Account e-mail:   someone@example.com  \r\n'), 'someone@example.com')
t.equal(parseWhoamiEmail('[API:err: 09:12:01] Not logged in.\n'), null)
t.equal(parseWhoamiEmail(''), null)
