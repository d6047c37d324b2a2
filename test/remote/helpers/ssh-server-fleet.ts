/**
 * Runs test SSH servers in a child process, so that a benchmark's client does not share its event loop
 * (and its CPU time slices) with the servers, as on a real cluster. Run as a script it starts
 * `argv[2]` servers with PATH prefix `argv[3]`, prints one JSON line describing them, and exits when its
 * stdin closes.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { startTestSshServer, testClientKey, type TestKeyPair, type TestSshServer } from "./ssh-server";

/** One server of a fleet. */
export interface FleetServer {
  port: number;
  hostFingerprint: string;
  user: string;
}

/** A fleet of servers in a child process. */
export interface SshServerFleet {
  servers: FleetServer[];
  close(): Promise<void>;
}

/**
 * Starts `count` servers in a child node process (from the compiled JS of this file).
 *
 * @example
 * const fleet = await startFleet(32, binDir, clientKey);
 */
export async function startFleet(count: number, pathPrefix: string, clientKey: TestKeyPair = testClientKey()): Promise<SshServerFleet> {
  const child = spawn(process.execPath, [__filename, String(count), pathPrefix], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, PW_FLEET_KEY: JSON.stringify(clientKey) } });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`fleet exited ${code}`)));
  });
  const servers = JSON.parse(first) as FleetServer[];
  return {
    servers,
    close: async () => {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.stdin!.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  const pathPrefix = process.argv[3] ?? "";
  const clientKey = JSON.parse(process.env.PW_FLEET_KEY ?? "null") as TestKeyPair | null;
  const servers: TestSshServer[] = [];
  for (let i = 0; i < count; i++) servers.push(await startTestSshServer({ path: pathPrefix, ...(clientKey ? { clientKey } : {}) }));
  process.stdout.write(`${JSON.stringify(servers.map((s) => ({ port: s.port, hostFingerprint: s.hostFingerprint, user: s.user })))}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    void Promise.all(servers.map((s) => s.close())).then(() => process.exit(0));
  });
}

if (require.main === module) void main();
