// The everyday-changes script of test/writes/file-ops.test.ts, shared with
// its stress run (file-ops-stress.test.ts): run in a local folder and in a
// mount, its output must be the same.
import { bash } from './bash.js'

// Each step prints what a user would look at; `|| true` keeps going after
// the failures that are part of the test (rmdir of a full folder).
export const FILE_OPS_SCRIPT = String.raw`
set -u
step() { echo "== $*"; }
show() { stat -c '%n %s %F' "$@"; }
step create and read back
printf 'hello\n' > a.txt; show a.txt; cat a.txt
step append
printf 'more\n' >> a.txt; show a.txt; cat a.txt
step overwrite in place
printf 'HE' | dd of=a.txt conv=notrunc bs=1 count=2 status=none; cat a.txt
step write in the middle of a larger file
head -c 300000 /dev/zero | tr '\0' 'b' > mid.bin
printf 'MIDDLE' | dd of=mid.bin bs=1 seek=150000 conv=notrunc status=none; show mid.bin; sha256sum mid.bin
step truncate shorter and longer
truncate -s 3 a.txt; show a.txt; cat a.txt; echo
truncate -s 10 a.txt; show a.txt; od -c a.txt
step sparse file
dd if=/dev/zero of=sparse.bin bs=1 count=0 seek=5000000 status=none
printf 'end' | dd of=sparse.bin bs=1 seek=4999997 conv=notrunc status=none; show sparse.bin; sha256sum sparse.bin
step folders
mkdir -p d/e; printf 'inner\n' > d/e/f.txt; ls d d/e
rmdir d 2>&1 || true
rm d/e/f.txt; rmdir d/e; rmdir d; ls
step rename a file, over an existing file
printf 'one\n' > one.txt; printf 'two\n' > two.txt
mv one.txt uno.txt; mv uno.txt two.txt; ls; cat two.txt
step rename a folder, over an existing empty folder, into another folder
mkdir -p src/sub dst other; printf 'x\n' > src/sub/x.txt; printf 'y\n' > src/y.txt
mv src moved; ls moved moved/sub
mv -T moved dst; ls dst
mkdir full; printf 'z\n' > full/z.txt
mv -T dst full 2>&1 || true
mv dst other/; ls -R other
step rm -r
mkdir -p tree/a/b; for i in 1 2 3; do printf "$i\n" > tree/a/b/$i.txt; printf "$i\n" > tree/$i.txt; done
rm -r tree; ls
step editor save: temp file, fsync, rename over
printf 'version 1\n' > doc.txt
printf 'version 2\n' > .doc.txt.swp; sync .doc.txt.swp; mv .doc.txt.swp doc.txt; cat doc.txt; ls -a
step editor save: truncate and rewrite
printf 'short\n' > doc.txt; show doc.txt; cat doc.txt
step sed -i and perl -pi: a temp file renamed over the original
sed -i 's/short/sed/' doc.txt; cat doc.txt
perl -pi -e 's/sed/perl/' doc.txt; cat doc.txt
step vim: rename the original to a backup, write anew, drop the backup
if command -v vim >/dev/null; then vim -u NONE -N -n -E -s -c 'set nobackup writebackup backupcopy=no' -c '%s/perl/vim/' -c 'wq' doc.txt; else echo vim > doc.txt; fi
cat doc.txt; ls -a
step O_APPEND from two writers
printf 'L1\n' >> log.txt; printf 'L2\n' >> log.txt; exec 3>>log.txt; printf 'L3\n' >&3; printf 'L4\n' >> log.txt; exec 3>&-; cat log.txt
step ls -l sizes
ls -l | awk 'NR>1 {print $1, ($1 ~ /^d/ ? "folder" : $5), $NF}'
`

/** A run that takes longer than this is stopped (its output says so). */
const RUN_TIMEOUT_MS = 120_000

/** Runs the script in cwd; its output, errors included. */
export function runFileOps(cwd: string): Promise<string> {
  return runScript(FILE_OPS_SCRIPT, cwd)
}

/** Runs a bash script in cwd; its output, errors included. stdin is closed:
 *  a program that asks a question (vim's "file changed since reading it")
 *  reads end of file instead of waiting for ever, and the difference shows
 *  in the output. */
export async function runScript(script: string, cwd: string): Promise<string> {
  const running = bash(script, { cwd, maxBuffer: 1 << 24, timeout: RUN_TIMEOUT_MS })
  running.child.stdin?.end()
  try {
    const { stdout, stderr } = await running
    return stdout + stderr
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; killed?: boolean }
    return `${e.stdout ?? ''}${e.stderr ?? ''}\n[the script failed: ${e.killed ? `stopped after ${RUN_TIMEOUT_MS} ms` : (err as Error).message}]\n`
  }
}
