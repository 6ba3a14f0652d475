// V8's full collection, for tests that check what an object's end frees.
// node exposes it only with --expose-gc, a flag that must be set before a
// context is created: a new context then has `gc`.
import v8 from 'node:v8'
import vm from 'node:vm'

let collect: (() => void) | null = null

export function fullGc(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc')
    collect = vm.runInNewContext('gc') as () => void
  }
  collect()
}
