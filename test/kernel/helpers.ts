/** Shared helpers for the kernel tests: start packetwalk's kernel (or plain tslab) from dist/. */
import * as fs from "node:fs";
import * as path from "node:path";
import { KernelClient, KernelCommand } from "../../kernel/runner/client";

export const ROOT = path.resolve(__dirname, "..", "..");
export const CLI = path.join(ROOT, "dist", "kernel", "cli.js");

/** Fails with a clear message when dist/ was not built (npm test builds it first). */
export function requireBuilt(): void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it) before these tests`);
}

export function packetwalkKernel(cwd = ROOT): KernelCommand {
  // No history file: tests do not write into the user's Jupyter data dir.
  return { argv: [process.execPath, path.join(ROOT, "dist", "kernel", "start.js"), "{connection_file}"], cwd, env: { ...process.env, PACKETWALK_HISTORY_FILE: "" } };
}

export function tslabKernel(cwd = ROOT): KernelCommand {
  return { argv: [process.execPath, path.join(ROOT, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"], cwd };
}

export async function withKernel<T>(cmd: KernelCommand, fn: (k: KernelClient) => Promise<T>): Promise<T> {
  requireBuilt();
  const k = await KernelClient.start(cmd);
  try {
    return await fn(k);
  } finally {
    await k.shutdown();
  }
}

/** Concatenated text of a cell's stream outputs. */
export function streamText(outputs: { output_type: string; text?: string }[]): string {
  return outputs.filter((o) => o.output_type === "stream").map((o) => o.text).join("");
}
