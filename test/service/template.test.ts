import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { fillTemplate, packageRoot, readTemplate } from '../../src/service/template.js'

t.equal(fillTemplate('a=@A@ b=@B_2@ @A@', { A: '1', B_2: 'x@y' }), 'a=1 b=x@y 1')
t.throws(() => fillTemplate('@A@ @MISSING@', { A: '1' }), /@MISSING@ has no value/)
t.throws(() => fillTemplate('@A@', { A: '1', EXTRA: '2' }), /no placeholder for: EXTRA/)
t.equal(fillTemplate('mail me@example.com', {}), 'mail me@example.com', 'lower-case @...@ is not a placeholder')

const root = packageRoot()
t.ok(fs.existsSync(path.join(root, 'systemd', 'megamount.service.in')), 'finds the package root with the templates')
t.match(readTemplate(root, 'launchd/io.megamount.daemon.plist.in'), /@PROGRAM_ARGUMENTS@/)
t.throws(() => packageRoot('/'), /cannot find the megamount package/)
