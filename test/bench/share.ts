/**
 * Share benchmark (issue "share safely"): a whole lab investigation with its notebooks redacted —
 * `packetwalk walk --lab --no-notebooks` (the investigation, walk.json, walk.html) plus the ten executed
 * runbook notebooks of `notebooks/executed/` and their HTML pages — through `packetwalk share --redact`
 * (a fresh process, as users run it: charts rendered again, the report made again by replay, the
 * output verified). Goal ≤ 5 s. Also prints the phases of the same share run in-process.
 *
 * Run: `PACKETWALK_BENCH_ONLY=share node dist/test/bench/index.js`
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../../kernel/cli";
import { renderHtml } from "../../kernel/runner/html";
import { packageRoot } from "../../lib/display/version";
import { redact } from "../../lib/redact/redact";

const CLI = path.resolve(__dirname, "../../kernel/cli.js");

export async function run(log: (line: string) => void): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-bench-share-"));
  try {
    const src = path.join(tmp, "walk");
    const w = spawnSync(process.execPath, [CLI, "walk", "--lab", "--no-notebooks", "--out", src], { stdio: "ignore" });
    if (w.status !== 0) throw new Error(`the lab walk exited ${w.status}`);
    const executed = path.join(packageRoot(), "notebooks", "executed");
    let books = 0;
    for (const f of fs.readdirSync(executed).filter((n) => n.endsWith(".ipynb"))) {
      const text = fs.readFileSync(path.join(executed, f), "utf8");
      fs.writeFileSync(path.join(src, f), text);
      fs.writeFileSync(path.join(src, f.replace(/\.ipynb$/, ".html")), renderHtml(JSON.parse(text)));
      books++;
    }
    const bytes = du(src);
    const out = path.join(tmp, "shared");
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, "share", src, "--redact", "--key-file", path.join(tmp, "k"), "-o", out], { encoding: "utf8" });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`share exited ${r.status}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    log(`  share --redact, lab investigation + ${books} notebooks + pages (${(bytes / 2 ** 20).toFixed(1)} MiB): ${seconds.toFixed(2)} s   (goal ≤ 5 s: ${(seconds / 5).toFixed(2)}× the budget)   ${r.stdout.split("\n").find((l) => l.startsWith("replay"))?.trim() ?? ""}`);
    // The same in-process (report replay included), with its CPU time: on a loaded machine the wall
    // clock measures the neighbours too.
    const c0 = process.cpuUsage();
    const t1 = performance.now();
    const res = await redact({
      input: src,
      output: path.join(tmp, "shared2"),
      keyFile: path.join(tmp, "k"),
      renderers: { notebookHtml: (nb, o) => renderHtml(nb as never, o), walkReport: (dir) => replayReport(dir) },
    });
    const wall = (performance.now() - t1) / 1000;
    const used = process.cpuUsage(c0);
    log(`  in-process: ${wall.toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cpus); phases ms ${Object.entries(res.timings).map(([k, v]) => `${k} ${v}`).join(", ")}; ${res.charts} charts (each distinct spec rendered once), ${res.frames} frames${res.ok ? "" : `; ${res.leftovers.length} LEFTOVERS`}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// The walk report made again as `packetwalk share` does: `walk --replay DIR --no-notebooks` in-process.
async function replayReport(dir: string): Promise<{ html: string; json: Record<string, unknown> }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "pw-bench-report-"));
  try {
    const sink = new PassThrough();
    sink.resume();
    await main(["walk", "--replay", dir, "--no-notebooks", "--out", out], { stdout: sink, stderr: sink, stdin: sink, signal: new AbortController().signal, env: process.env, cwd: out });
    return { html: fs.readFileSync(path.join(out, "walk.html"), "utf8"), json: JSON.parse(fs.readFileSync(path.join(out, "walk.json"), "utf8")) as Record<string, unknown> };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function du(dir: string): number {
  let n = 0;
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) n += d.isDirectory() ? du(path.join(dir, d.name)) : fs.statSync(path.join(dir, d.name)).size;
  return n;
}
