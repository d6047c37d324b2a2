/** Small async helpers for tests against live servers. */
import { execFileSync } from "node:child_process";
import * as net from "node:net";

/**
 * Resolves once `cond()` is true (polled every 20 ms); rejects after `limitMs` so a test never hangs.
 *
 * @example
 * await waitFor(() => srv.execs.length > 0);
 */
export async function waitFor(cond: () => boolean, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not reached within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A loopback TCP port that nothing listens on (right now).
 *
 * @example
 * const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * True when a process whose command line matches `pattern` runs (pgrep -f).
 *
 * @example
 * await waitFor(() => !running("sleep 31.4159"));
 */
export function running(pattern: string): boolean {
  try {
    execFileSync("pgrep", ["-f", pattern], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
