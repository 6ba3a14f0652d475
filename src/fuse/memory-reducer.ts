// The reduction src/daemon/idle-reducer.ts runs when the mounts go quiet:
// only the libfuse 3 addon can ask V8 for it (src/fuse/native/memory.cc),
// so without the addon (fuse-native) there is none and the daemon skips it.
import { loadAddon } from './libfuse3/addon.js'

export function nativeMemoryReducer(): (() => void) | null {
  const loaded = loadAddon()
  const reduce = loaded.ok ? loaded.addon.reduceMemory : undefined
  return reduce ? () => void reduce() : null
}
