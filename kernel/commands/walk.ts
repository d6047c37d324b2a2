/** `packetwalk walk`: the main job — run the shipped runbook notebooks into out/. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { packageRoot } from "../../lib/display/version";
import { runNotebookFile } from "./run";
import type { Command } from "./types";

const usage = `usage: packetwalk walk [--out DIR] [--only NAME] [--allow-errors] [--timeout SECONDS]
  Runs the shipped notebooks (notebooks/*.ipynb) headless and writes executed notebooks and HTML
  reports to DIR (default out/). Exit status 0 when every notebook ran clean.`;

/**
 * The shipped notebooks, in run order (file name order: 00-…, 01-…, then the rest).
 *
 * @example
 * shippedNotebooks(); // ["/opt/pw/notebooks/00-setup.ipynb", …]
 */
export function shippedNotebooks(dir = path.join(packageRoot(), "notebooks")): string[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(".ipynb")).sort().map((n) => path.join(dir, n));
}

const command: Command = {
  name: "walk",
  summary: "run the packet-walk runbook notebooks headless into out/ (the main job)",
  usage,
  async run(argv, io) {
    let v;
    try {
      v = parseArgs({
        args: argv,
        options: { out: { type: "string" }, only: { type: "string", multiple: true }, "allow-errors": { type: "boolean" }, timeout: { type: "string" } },
      }).values;
    } catch (e) {
      io.stderr.write(`packetwalk walk: ${(e as Error).message}\n${usage}\n`);
      return 2;
    }
    const outDir = path.resolve(io.cwd, v.out ?? "out");
    let books = shippedNotebooks();
    if (v.only?.length) books = books.filter((b) => v.only!.some((o) => path.basename(b).includes(o)));
    if (!books.length) {
      io.stderr.write(`packetwalk walk: no notebooks to run in ${path.join(packageRoot(), "notebooks")}\n`);
      return 2;
    }
    const rows: { notebook: string; status: string; cells: string; html: string }[] = [];
    let allOk = true;
    for (const file of books) {
      if (io.signal.aborted) break;
      const base = path.basename(file, ".ipynb");
      const out = path.join(outDir, `${base}.ipynb`);
      const html = path.join(outDir, `${base}.html`);
      try {
        const r = await runNotebookFile(file, { out, html, allowErrors: v["allow-errors"], timeoutSeconds: v.timeout ? Number(v.timeout) : undefined }, io);
        const bad = r.cells.filter((c) => c.status !== "ok").length;
        allOk &&= r.ok;
        rows.push({ notebook: base, status: r.ok ? "ok" : "FAILED", cells: `${r.cells.length - bad}/${r.cells.length} ok`, html: path.relative(io.cwd, html) });
      } catch (e) {
        allOk = false;
        rows.push({ notebook: base, status: "ERROR", cells: (e as Error).message.slice(0, 80), html: "" });
      }
    }
    const w = Math.max(...rows.map((r) => r.notebook.length), 8);
    io.stdout.write(`\n${"notebook".padEnd(w)}  status  cells       report\n`);
    for (const r of rows) io.stdout.write(`${r.notebook.padEnd(w)}  ${r.status.padEnd(6)}  ${r.cells.padEnd(10)}  ${r.html}\n`);
    io.stdout.write(`\nexecuted notebooks and HTML reports are in ${path.relative(io.cwd, outDir) || outDir}/\n`);
    return allOk ? 0 : 1;
  },
};
export default command;
