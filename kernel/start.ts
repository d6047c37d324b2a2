#!/usr/bin/env node
/**
 * The kernel's own entry point, what kernelspecs run: `node dist/kernel/start.js CONNECTION_FILE`.
 * It loads only the server (not the CLI's other commands), so start-up stays short.
 */
import { readConnectionFile, serveKernel } from "./server";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node dist/kernel/start.js CONNECTION_FILE (Jupyter runs this from the kernelspec)\n");
  process.exit(2);
}
serveKernel(readConnectionFile(file), { cwd: process.cwd() }).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`packetwalk kernel: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
