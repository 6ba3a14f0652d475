import t from 'tap'
import { systemdEnvironment, systemdExecArg, xmlEscape } from '../../src/service/escape.js'

t.equal(systemdExecArg('/usr/bin/node'), '"/usr/bin/node"')
t.equal(systemdExecArg('/home/a b/x.js'), '"/home/a b/x.js"')
t.equal(systemdExecArg('/p/100%/$HOME/"q"\\'), '"/p/100%%/$$HOME/\\"q\\"\\\\"')
t.equal(systemdEnvironment('PATH', '/a b:/c%d$e'), '"PATH=/a b:/c%%d$e"')
t.throws(() => systemdExecArg('/a\nExecStartPre=/bin/rm'), /control character/)
t.throws(() => systemdEnvironment('BAD NAME', 'x'), /bad environment variable name/)
t.equal(xmlEscape(`/Users/a&b/<x>/"q"/'s'`), '/Users/a&amp;b/&lt;x&gt;/&quot;q&quot;/&apos;s&apos;')
t.throws(() => xmlEscape('a\u0001b'), /control character/)
