/**
 * The lab's two small process and socket rules, in one place: every door of the lab (SSH, the
 * Kubernetes API, the agent introspect) listens on 127.0.0.1 only, and a command a door started is
 * stopped as a process group (the command and everything it spawned).
 */
import type { ChildProcess } from "node:child_process";
import type * as net from "node:net";

/**
 * Listens on 127.0.0.1 (port 0: any free port) and resolves to the port; rejects with the listen error.
 *
 * @example
 * const port = await listenOnLoopback(http.createServer(handler)); // 40123
 */
export function listenOnLoopback(server: net.Server, port = 0): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/**
 * Sends a signal to a child's process group (it was spawned `detached`), else to the child alone; a
 * child that already ended is left alone.
 *
 * @example
 * const child = spawn("sh", ["-c", script], { detached: true });
 * killProcessGroup(child, "SIGHUP");
 */
export function killProcessGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    try {
      child.kill(sig);
    } catch {
      /* gone */
    }
  }
}
