/** `packetwalk run NOTEBOOK.ipynb [--param k=v …] [--out FILE] [--html FILE] [--allow-errors] [--timeout S]`. */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderHtml } from "../runner/html";
import { ParamValue, parseParamArg, readNotebook } from "../runner/notebook";
import type { KernelClient } from "../runner/client";
import { CellEvent, runNotebook } from "../runner/run";
import { defineCommand, UsageError } from "./args";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk run NOTEBOOK.ipynb [--param key=value ...] [--out FILE.ipynb] [--html FILE.html]
                      [--allow-errors] [--timeout SECONDS] [--report]
  Executes the notebook with the packetwalk kernel. Parameters go into a cell injected after the
  cell tagged "parameters" (values are JSON when they parse as JSON, strings otherwise).
  Writes the executed notebook (default out/NAME.ipynb) and a self-contained HTML (default beside it).
  Exit status: 0 every cell ran ok, 1 a cell failed, 2 usage or input error.`;

/** A progress line for one cell, as printed on stderr. */
export function progressLine(e: CellEvent, name: string): string {
  const mark = e.status === "ok" ? "ok" : e.status.toUpperCase();
  return `${name} [${String(e.index).padStart(String(e.total).length)}/${e.total}] ${mark.padEnd(7)} ${e.seconds.toFixed(2).padStart(6)}s  ${e.label}${e.error ? `\n    ${e.error.split("\n")[0].slice(0, 200)}` : ""}\n`;
}

/** Runs one notebook file to outputs; shared by `run` and `walk`. */
export async function runNotebookFile(
  file: string,
  o: { params?: Record<string, ParamValue>; out: string; html: string; allowErrors?: boolean; timeoutSeconds?: number; report?: boolean; env?: NodeJS.ProcessEnv; quiet?: boolean; cwd?: string; client?: KernelClient },
  io: CommandIO,
): Promise<{ ok: boolean; cells: CellEvent[] }> {
  const nb = readNotebook(file);
  const name = path.basename(file);
  const res = await runNotebook(nb, {
    params: o.params,
    allowErrors: o.allowErrors,
    timeoutSeconds: o.timeoutSeconds,
    cwd: o.cwd ?? path.dirname(path.resolve(file)),
    source: path.relative(io.cwd, path.resolve(file)) || name,
    env: o.env,
    ...(o.client ? { client: o.client } : {}),
    signal: io.signal,
    onCell: (e) => io.stderr.write(progressLine(e, name)),
  });
  // quiet: parameters the notebook does not declare are expected (walk passes the same set to all).
  if (!o.quiet) for (const w of res.warnings) io.stderr.write(`${name}: warning: ${w}\n`);
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify(res.notebook, null, 1) + "\n");
  fs.mkdirSync(path.dirname(o.html), { recursive: true });
  fs.writeFileSync(o.html, renderHtml(res.notebook, { hideInput: o.report }));
  return { ok: res.ok, cells: res.cells };
}

const command = defineCommand({
  name: "run",
  usage,
  options: {
    param: { type: "string", short: "p", multiple: true },
    out: { type: "string", short: "o" },
    html: { type: "string" },
    "allow-errors": { type: "boolean" },
    timeout: { type: "string" },
    report: { type: "boolean" },
  },
  async run({ values: v, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError(`expected one notebook, got ${positionals.length}`);
    const params: Record<string, ParamValue> = {};
    for (const p of v.param ?? []) {
      const r = parseParamArg(p);
      if ("error" in r) throw new UsageError(r.error, { usage: false });
      params[r.name] = r.value;
    }
    let timeoutSeconds: number | undefined;
    if (v.timeout !== undefined) {
      timeoutSeconds = Number(v.timeout);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
        throw new UsageError(`--timeout ${JSON.stringify(v.timeout)} is not a number of seconds`, { usage: false });
      }
    }
    const file = path.resolve(io.cwd, positionals[0]);
    const base = path.basename(file, ".ipynb");
    const out = path.resolve(io.cwd, v.out ?? path.join("out", `${base}.ipynb`));
    const html = path.resolve(io.cwd, v.html ?? out.replace(/\.ipynb$/, "") + ".html");
    try {
      const r = await runNotebookFile(file, { params, out, html, allowErrors: v["allow-errors"], timeoutSeconds, report: v.report }, io);
      io.stdout.write(`executed notebook: ${path.relative(io.cwd, out) || out}\nHTML report:       ${path.relative(io.cwd, html) || html}\n`);
      const failed = r.cells.filter((c) => c.status !== "ok");
      if (failed.length) io.stdout.write(`${failed.length} of ${r.cells.length} cells did not run ok (first: cell ${failed[0].index}, ${failed[0].status})\n`);
      return r.ok ? 0 : 1;
    } catch (e) {
      io.stderr.write(`packetwalk run: ${(e as Error).message}\n`);
      return 2;
    }
  },
});
export default command;
