// The sample account the demo serves through the bridge emulator: a few
// folders, text files, a small image, names with spaces and non-ASCII
// characters, and (added by the demo through the emulator) a name listed
// twice, as MEGA allows.
import fs from 'node:fs/promises'
import path from 'node:path'

// A 1x1 PNG, so image viewers and `file` have something real to look at.
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64')

export const DEMO_FOLDER = '/Demo'
/** Listed twice by the emulator: `mountctl status` reports one hidden duplicate. */
export const DEMO_DUPLICATE = '/Demo/Documents/notes.txt'

export const DEMO_FILES: Record<string, string | Buffer> = {
  'Demo/README.txt': 'This folder is served by megamount\'s MEGA bridge emulator and mounted with FUSE.\nRead it like any local folder: ls, cat, open it in your file manager.\n',
  'Demo/Documents/notes.txt': 'Shopping: bread, milk, coffee.\n',
  'Demo/Documents/Résumé 2024.txt': 'Name with an accent and a space.\n',
  'Demo/Documents/Project plan (draft).txt': 'Week 1: mount. Week 2: relax.\n',
  'Demo/Photos/Beach day/pixel.png': TINY_PNG,
  'Demo/Photos/東京 2023/README.txt': 'A folder named in Japanese.\n',
  'Demo/Music/playlist ünïcødé.txt': 'Track 1\nTrack 2\n',
}

/** Creates the sample account under accountRoot unless it is already there. */
export async function createDemoAccount(accountRoot: string): Promise<void> {
  for (const [rel, content] of Object.entries(DEMO_FILES)) {
    const file = path.join(accountRoot, rel)
    await fs.mkdir(path.dirname(file), { recursive: true })
    await fs.writeFile(file, content, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
    })
  }
}
