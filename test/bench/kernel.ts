/**
 * Kernel benchmark: start-up time (until `kernel_info_reply`), first cell and per-cell overhead (median of
 * a 20-cell notebook) of packetwalk's kernel beside plain tslab, both driven over ZeroMQ by the same
 * client, in one run; and the start-up of the CLI's light commands (`--help`, `parse --help`,
 * `capture --help`) beside a bare `node -e 0`, so a loaded machine's node start is visible as such.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { KernelClient, KernelCommand } from "../../kernel/runner/client";
import { median, percentile } from "./stats";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const base = path.basename(path.resolve(__dirname, "..", ".."));
// Works from dist/test/bench (compiled) and test/bench (sources).
const PKG = base === "dist" ? ROOT : path.resolve(__dirname, "..", "..");

function kernels(): Record<string, KernelCommand> {
  return {
    packetwalk: { argv: [process.execPath, path.join(PKG, "dist", "kernel", "start.js"), "{connection_file}"], cwd: PKG },
    tslab: { argv: [process.execPath, path.join(PKG, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"], cwd: PKG },
  };
}

async function measure(cmd: KernelCommand, starts: number, cells: number): Promise<{ startup: number[]; cell: number[]; firstCell: number[] }> {
  const startup: number[] = [];
  const cell: number[] = [];
  const firstCell: number[] = [];
  for (let s = 0; s < starts; s++) {
    const t0 = performance.now();
    const k = await KernelClient.start(cmd);
    startup.push(performance.now() - t0);
    try {
      for (let i = 0; i < cells; i++) {
        const t = performance.now();
        const r = await k.execute(`let v${i} = ${i} * 2;\nv${i}`);
        if (r.status !== "ok") throw new Error(`cell ${i} failed: ${JSON.stringify(r.outputs)}`);
        (i === 0 ? firstCell : cell).push(performance.now() - t);
      }
    } finally {
      await k.shutdown();
    }
  }
  return { startup, cell, firstCell };
}

/** Wall time of a process start to exit, ms, `n` times. */
function timeProcess(argv: string[], n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = spawnSync(argv[0], argv.slice(1), { stdio: "ignore", cwd: PKG });
    out.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}`);
  }
  return out;
}

function cliStartup(log: (line: string) => void, n: number): void {
  const cli = path.join(PKG, "dist", "kernel", "cli.js");
  const rows: [string, string[]][] = [
    ["node -e 0", [process.execPath, "-e", "0"]],
    ["--help", [process.execPath, cli, "--help"]],
    ["parse --help", [process.execPath, cli, "parse", "--help"]],
    ["capture --help", [process.execPath, cli, "capture", "--help"]],
  ];
  log(`cli start-up: ${n} runs each, interleaved (target ≤ 100 ms; a bare node start is the floor)`);
  const res = new Map<string, number[]>(rows.map(([name]) => [name, []]));
  for (let i = 0; i < n; i++) for (const [name, argv] of rows) res.get(name)!.push(...timeProcess(argv, 1));
  const floor = median(res.get("node -e 0")!);
  for (const [name] of rows) {
    const r = res.get(name)!;
    const extra = name === "node -e 0" ? "" : `   over bare node ${(median(r) - floor).toFixed(0).padStart(4)} ms`;
    log(`  ${name.padEnd(15)} median ${median(r).toFixed(0).padStart(5)} ms   min ${Math.min(...r).toFixed(0).padStart(5)} ms${extra}`);
  }
}

export async function run(log: (line: string) => void): Promise<void> {
  const scale = Number(process.env.PACKETWALK_BENCH_SCALE ?? 1) || 1;
  const starts = Math.max(2, Math.round(5 * scale));
  const cells = 20;
  log(`kernel: ${starts} starts per kernel, a ${cells}-cell notebook each (cells: \`let vI = I * 2; vI\`)`);
  const res: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  // Interleave the two kernels so machine noise hits both alike.
  const ks = kernels();
  for (const name of Object.keys(ks)) res[name] = { startup: [], cell: [], firstCell: [] };
  for (let s = 0; s < starts; s++) {
    for (const [name, cmd] of Object.entries(ks)) {
      const r = await measure(cmd, 1, cells);
      res[name].startup.push(...r.startup);
      res[name].cell.push(...r.cell);
      res[name].firstCell.push(...r.firstCell);
    }
  }
  const row = (name: string) => {
    const r = res[name];
    return `  ${name.padEnd(11)} start-up median ${median(r.startup).toFixed(0).padStart(5)} ms   first cell ${median(r.firstCell).toFixed(1).padStart(6)} ms   per cell median ${median(r.cell).toFixed(2).padStart(6)} ms  p90 ${percentile(r.cell, 90).toFixed(2).padStart(6)} ms`;
  };
  log(row("packetwalk"));
  log(row("tslab"));
  const ratio = (f: (r: (typeof res)[string]) => number) => (f(res.packetwalk) / f(res.tslab)).toFixed(2);
  log(`  ratio packetwalk/tslab: start-up ${ratio((r) => median(r.startup))}x, per-cell ${ratio((r) => median(r.cell))}x`);
  log(`  (start-up = process start to kernel_info_reply; packetwalk answers it from its socket thread and loads TypeScript after, so its first cell carries that load)`);
  cliStartup(log, Math.max(5, Math.round(15 * scale)));
}
