/**
 * The processes a kernel started (a cell's `spawn`, an SSH helper, `tcpdump`…) end with it: at shutdown
 * the kernel sends SIGTERM to its child processes, found in `/proc` (Linux; elsewhere nothing is found
 * and nothing is done).
 */
import * as fs from "node:fs";

/**
 * The pids whose parent is `pid`, from `/proc/PID/stat` (empty where there is no `/proc`).
 *
 * @example
 * childPids(process.pid); // [12345] while a cell's `sleep 60` runs
 */
export function childPids(pid: number = process.pid): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      // pid (comm) state ppid …; comm may hold spaces and parentheses: split after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Sends SIGTERM to every child process of this one; returns their pids.
 *
 * @example
 * terminateChildren(); // at kernel shutdown
 */
export function terminateChildren(): number[] {
  const pids = childPids(process.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  return pids;
}
