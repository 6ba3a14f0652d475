// The benchmark's data set, generated from a seed under a temporary folder.
// Every file's size and sha256 is kept in a manifest so each read and write
// in the bench is verified against the source.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DataSizes } from './options.js'
import { makeRandom, randomInt, SeededBytes, sha256 } from './prng.js'

export interface FileFact {
  size: number
  sha256: string
}

export interface DataSet {
  /** The served folder (what rclone serves and the emulator calls /Bench). */
  root: string
  /** Relative path (with '/') -> size and hash, for every file under root. */
  files: Map<string, FileFact>
  /** Relative paths of the crawl tree's files, sorted. */
  treeFiles: string[]
  treeFolders: string[]
  bigFile: string
  mediumFiles: string[]
  bigdirFiles: string[]
  /** Sources for the write workloads, outside the served folder. */
  writeBigSource: string
  writeBigFact: FileFact
  writeSmallSourceDir: string
  writeSmallFiles: Map<string, FileFact>
  /** rsync's source: rsyncSmallCount small files. */
  rsyncSourceDir: string
  rsyncFiles: Map<string, FileFact>
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')

function put(root: string, rel: string, data: Buffer, files: Map<string, FileFact>): void {
  writeFileSync(join(root, rel), data)
  files.set(rel, { size: data.length, sha256: sha256(data) })
}

/** Writes `size` seeded bytes in 8 MiB pieces so a 256 MiB file never sits in memory whole. */
function putLarge(path: string, size: number, bytes: SeededBytes): FileFact {
  const hash = createHash('sha256')
  writeFileSync(path, Buffer.alloc(0))
  const piece = 8 * 1024 * 1024
  for (let done = 0; done < size; done += piece) {
    const chunk = bytes.next(Math.min(piece, size - done))
    hash.update(chunk)
    writeFileSync(path, chunk, { flag: 'a' })
  }
  return { size, sha256: hash.digest('hex') }
}

export function generateDataSet(base: string, sizes: DataSizes, seed: number): DataSet {
  const root = join(base, 'account', 'Bench')
  const files = new Map<string, FileFact>()
  const random = makeRandom(seed)
  const bytes = new SeededBytes(seed, 'files')

  const treeFiles: string[] = []
  const treeFolders: string[] = []
  for (let t = 0; t < sizes.topFolders; t++) {
    for (let s = 0; s < sizes.subFoldersPerTop; s++) {
      const folder = `tree/t${pad(t, 2)}/d${pad(s, 2)}`
      mkdirSync(join(root, folder), { recursive: true })
      treeFolders.push(folder)
      for (let f = 0; f < sizes.filesPerFolder; f++) {
        const rel = `${folder}/f${pad(f, 4)}.bin`
        put(root, rel, bytes.next(randomInt(random, sizes.smallMinBytes, sizes.smallMaxBytes)), files)
        treeFiles.push(rel)
      }
    }
  }

  mkdirSync(join(root, 'medium'), { recursive: true })
  const mediumFiles: string[] = []
  for (let i = 0; i < sizes.mediumCount; i++) {
    const rel = `medium/m${pad(i, 4)}.bin`
    put(root, rel, bytes.next(sizes.mediumBytes), files)
    mediumFiles.push(rel)
  }

  mkdirSync(join(root, 'bigdir'), { recursive: true })
  const bigdirFiles: string[] = []
  for (let i = 0; i < sizes.bigdirEntries; i++) {
    const rel = `bigdir/e${pad(i, 5)}.txt`
    put(root, rel, bytes.next(randomInt(random, 10, 200)), files)
    bigdirFiles.push(rel)
  }

  const bigFile = 'big.bin'
  files.set(bigFile, putLarge(join(root, bigFile), sizes.bigFileBytes, new SeededBytes(seed, 'big')))

  const writeSource = join(base, 'write-src')
  const writeSmallSourceDir = join(writeSource, 'small')
  mkdirSync(writeSmallSourceDir, { recursive: true })
  const writeBigSource = join(writeSource, 'w64.bin')
  const writeBigFact = putLarge(writeBigSource, sizes.writeBigBytes, new SeededBytes(seed, 'write-big'))
  const writeSmallFiles = new Map<string, FileFact>()
  for (let i = 0; i < sizes.writeSmallCount; i++) {
    const size = randomInt(random, sizes.smallMinBytes, sizes.smallMaxBytes)
    put(writeSmallSourceDir, `s${pad(i, 4)}.bin`, bytes.next(size), writeSmallFiles)
  }
  const rsyncSourceDir = join(writeSource, 'rsync')
  mkdirSync(rsyncSourceDir, { recursive: true })
  const rsyncFiles = new Map<string, FileFact>()
  for (let i = 0; i < sizes.rsyncSmallCount; i++) {
    const size = randomInt(random, sizes.smallMinBytes, sizes.smallMaxBytes)
    put(rsyncSourceDir, `r${pad(i, 4)}.bin`, bytes.next(size), rsyncFiles)
  }

  return {
    root,
    files,
    treeFiles: treeFiles.sort(),
    treeFolders,
    bigFile,
    mediumFiles,
    bigdirFiles,
    writeBigSource,
    writeBigFact,
    writeSmallSourceDir,
    writeSmallFiles,
    rsyncSourceDir,
    rsyncFiles,
  }
}

/** The memory step's tree: `folders` folders of `filesPerFolder` files of 0-100 bytes. */
export function generateHugeTree(root: string, folders: number, filesPerFolder: number, seed: number): number {
  const random = makeRandom(seed + 100_000)
  const bytes = new SeededBytes(seed, 'huge')
  let entries = 0
  for (let d = 0; d < folders; d++) {
    const folder = join(root, 'huge', `h${pad(d, 4)}`)
    mkdirSync(folder, { recursive: true })
    entries++
    for (let f = 0; f < filesPerFolder; f++) {
      writeFileSync(join(folder, `x${pad(f, 3)}`), bytes.next(randomInt(random, 0, 100)))
      entries++
    }
  }
  return entries
}
