/**
 * `npm run bench`: every area's benchmark in one run, figures and ratios printed side by side.
 * Each area's module exports `run(log)`. `PACKETWALK_BENCH_SCALE` (default 1) scales sizes;
 * `PACKETWALK_BENCH_ONLY=kernel,capture` runs a subset.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { settle } from "./settle";

const AREAS = ["kernel", "parse", "capture", "redact", "remote", "fanout", "probe", "lab", "walk", "share", "introspect", "kube", "kube-view"];

async function main(): Promise<void> {
  const only = (process.env.PACKETWALK_BENCH_ONLY ?? "").split(",").filter(Boolean);
  const log = (line: string) => process.stdout.write(line + "\n");
  log(`packetwalk bench — node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? "?"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, scale ${process.env.PACKETWALK_BENCH_SCALE ?? 1}`);
  let failed = 0;
  for (const area of AREAS) {
    if (only.length && !only.includes(area)) continue;
    const file = path.join(__dirname, `${area}.js`);
    if (!fs.existsSync(file)) continue;
    // Collect the previous area's garbage before the next one measures (child processes included).
    await settle(500);
    log(`\n== ${area}`);
    const t0 = performance.now();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(file) as { run(log: (l: string) => void): Promise<void> };
      await mod.run(log);
      log(`  (${area}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      log(`  ${area} benchmark FAILED: ${(e as Error).stack ?? e}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

void main();
