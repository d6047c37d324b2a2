/** Runs a `Command` in-process with PassThrough streams, collecting what it writes. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import type { Command } from "../../../kernel/commands/types";
import type { TestSshServer } from "./ssh-server";

/**
 * Runs `cmd` with `argv`; resolves to its exit code and output.
 *
 * @example
 * const { code, stdout } = await runCli(execCommand, ["all", "--", "true"], { PACKETWALK_INVENTORY: file });
 */
export async function runCli(cmd: Command, argv: string[], env: NodeJS.ProcessEnv = {}, signal: AbortSignal = new AbortController().signal): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await cmd.run(argv, { stdout, stderr, stdin: new PassThrough(), signal, env, cwd: process.cwd() });
  return { code, stdout: out, stderr: err };
}

/**
 * Writes an inventory file naming `servers` as compute nodes (`name → server`); returns its path.
 *
 * @example
 * const file = writeInventory({ cent222: srv, cent333: srv2 });
 */
export function writeInventory(servers: Record<string, TestSshServer | { port: number; clientKeyPath: string }>, extra: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-cli-inv-"));
  const nodes = Object.entries(servers).map(([name, s]) => ({
    name,
    role: "compute",
    ssh: { host: "127.0.0.1", port: s.port, user: "pw", identityFile: s.clientKeyPath, agent: false, ...("hostFingerprint" in s ? { hostKey: s.hostFingerprint } : {}) },
  }));
  const file = path.join(dir, "inventory.json");
  fs.writeFileSync(file, JSON.stringify({ nodes, sshConfig: false, ...extra }));
  return file;
}
