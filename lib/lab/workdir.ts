/**
 * The lab's working directory (client key, tool socket, node homes) and its clean-up after any death.
 *
 * A lab that stops normally removes its directory. One that is killed (SIGKILL, a crashed terminal)
 * cannot, so every directory is named after the process that owns it (`pwlab-<pid>-XXXXXX` in the OS
 * temp dir) and the next lab to start removes the directories of processes that are gone: no client key
 * of a dead lab outlives the next start.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const LAB_DIR = /^pwlab-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Whether a process with this pid is running (signal 0 probes without sending anything; EPERM means it
 * exists under another user).
 *
 * @example
 * processAlive(process.pid) // true
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the lab directories in `tmp` whose owning process is gone and that belong to this user; returns
 * the paths removed. Never throws: a directory it cannot remove is left for the next start.
 *
 * @example
 * sweepStaleLabDirs(os.tmpdir()) // ["/tmp/pwlab-4242-a1B2c3"] after a lab with pid 4242 was killed
 */
export function sweepStaleLabDirs(tmp: string = os.tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(tmp);
  } catch {
    return removed;
  }
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  for (const name of names) {
    const m = LAB_DIR.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    const dir = path.join(tmp, name);
    try {
      const st = fs.lstatSync(dir);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
      removed.push(dir);
    } catch {
      /* left for the next start */
    }
  }
  return removed;
}

/**
 * Makes a fresh lab directory `pwlab-<pid>-XXXXXX` (mode 0700) in `tmp`, after sweeping the directories
 * of labs that died without cleaning up.
 *
 * @example
 * const dir = makeLabDir(); // "/tmp/pwlab-31337-Zx81Qa"
 */
export function makeLabDir(tmp: string = os.tmpdir()): string {
  sweepStaleLabDirs(tmp);
  const dir = fs.mkdtempSync(path.join(tmp, `pwlab-${process.pid}-`));
  fs.chmodSync(dir, 0o700);
  return dir;
}
