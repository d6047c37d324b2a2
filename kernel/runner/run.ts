/**
 * The headless runner: executes a notebook with a kernel, cell by cell, and returns the executed
 * notebook with every cell's status and duration in its metadata (papermill-compatible keys), ready to
 * be written as `.ipynb` and exported to HTML.
 */
import * as path from "node:path";
import { packageRoot, packetwalkVersion } from "../../lib/display/version";
import { KernelClient, KernelCommand } from "./client";
import { CodeCell, injectParameters, Notebook, ParamValue } from "./notebook";

/** Options of {@link runNotebook}. */
export interface RunOptions {
  params?: Record<string, ParamValue>;
  /** Run every cell even after errors (cells keep their error outputs). */
  allowErrors?: boolean;
  /** Per-cell timeout in seconds (default 600; 0 = none). */
  timeoutSeconds?: number;
  /** The kernel's working directory (default: the notebook's folder). */
  cwd?: string;
  /** The kernel to run (default packetwalk's own). */
  kernel?: KernelCommand;
  /** Extra environment for the kernel. */
  env?: NodeJS.ProcessEnv;
  /** Called per cell as it finishes (the CLI prints a progress line). */
  onCell?: (e: CellEvent) => void;
  /** Where this notebook came from, for messages. */
  source?: string;
  /**
   * A running packetwalk kernel to use instead of starting one (it is reset first when it ran a notebook
   * before, and left running after; `cwd`, `env` and `kernel` are the ones it was started with).
   */
  client?: KernelClient;
  signal?: AbortSignal;
}

/** One cell's result as the runner reports it. */
export interface CellEvent {
  /** 1-based position among code cells. */
  index: number;
  total: number;
  cellId: string;
  status: CellStatus;
  seconds: number;
  /** First line of the source, for progress lines. */
  label: string;
  /** For errors: `ename: evalue`. */
  error?: string;
}

export type CellStatus = "ok" | "error" | "aborted" | "timeout" | "skipped" | "dead";

/** What a run produced. */
export interface RunResult {
  notebook: Notebook;
  cells: CellEvent[];
  ok: boolean;
  /** Warnings (unknown parameters…). */
  warnings: string[];
  seconds: number;
}

/**
 * The command that starts packetwalk's own kernel from this install.
 *
 * @example
 * packetwalkKernelCommand("/work/notebooks"); // { argv: [node, ".../dist/kernel/start.js", "{connection_file}"], cwd }
 */
export function packetwalkKernelCommand(cwd?: string, env?: NodeJS.ProcessEnv): KernelCommand {
  return { argv: [process.execPath, path.join(packageRoot(), "dist", "kernel", "start.js"), "{connection_file}"], cwd, env };
}

const firstLine = (s: string) => (s.split("\n").find((l) => l.trim() && !l.trim().startsWith("//")) ?? s.split("\n")[0] ?? "").trim().slice(0, 60);

/**
 * Executes a notebook and returns it with outputs. Never throws for a cell's failure; throws only when
 * the kernel cannot start (the message says why).
 *
 * @example
 * const { notebook, ok } = await runNotebook(readNotebook("walk.ipynb"), { params: { fip: "101.101.101.1" } });
 */
export async function runNotebook(input: Notebook, opts: RunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  const { notebook, warnings } = injectParameters(input, opts.params ?? {});
  const cwd = opts.cwd ?? process.cwd();
  const kernelCmd = opts.kernel ?? packetwalkKernelCommand(cwd, { ...process.env, ...opts.env });
  const own = !opts.client;
  const client = opts.client ?? (await KernelClient.start(kernelCmd));
  // A kernel that ran a notebook before is made fresh: no names, no open targets, execution count 1.
  if (!own && client.used) await client.reset();
  client.used = true;
  const codeCells = notebook.cells.filter((c): c is CodeCell => c.cell_type === "code");
  const events: CellEvent[] = [];
  let stopped: CellStatus | null = null;
  const timeoutMs = (opts.timeoutSeconds ?? 600) * 1000;
  const onAbort = () => client.interrupt();
  opts.signal?.addEventListener("abort", onAbort);
  try {
    for (const [i, cell] of codeCells.entries()) {
      cell.outputs = [];
      cell.execution_count = null;
      const label = firstLine(cell.source);
      if (stopped || opts.signal?.aborted) {
        const ev: CellEvent = { index: i + 1, total: codeCells.length, cellId: cell.id, status: "skipped", seconds: 0, label };
        setCellMetadata(cell, ev, null, null);
        events.push(ev);
        opts.onCell?.(ev);
        continue;
      }
      if (!cell.source.trim()) {
        const ev: CellEvent = { index: i + 1, total: codeCells.length, cellId: cell.id, status: "ok", seconds: 0, label };
        setCellMetadata(cell, ev, null, null);
        events.push(ev);
        continue;
      }
      const r = await client.execute(cell.source, { stopOnError: !opts.allowErrors, timeoutMs });
      cell.outputs = r.outputs;
      cell.execution_count = r.executionCount;
      if (r.status === "timeout") {
        cell.outputs.push({
          output_type: "error",
          ename: "CellTimeoutError",
          evalue: `the cell did not finish within ${opts.timeoutSeconds ?? 600} s; it was interrupted${client.dead ? " and the kernel killed" : ""}`,
          traceback: [],
        });
      } else if (r.status === "dead") {
        const how = client.exitStatus ? (client.exitStatus.signal ? `killed by ${client.exitStatus.signal}` : `exit ${client.exitStatus.code}`) : "gone";
        cell.outputs.push({ output_type: "error", ename: "DeadKernelError", evalue: `the kernel died (${how}): ${client.stderr.trim().split("\n").slice(-3).join(" | ")}`, traceback: [] });
      }
      // A timeout's own error says more than the kernel's "interrupted" that precedes it.
      const errors = cell.outputs.filter((o) => o.output_type === "error");
      const err = r.status === "timeout" || r.status === "dead" ? errors[errors.length - 1] : errors[0];
      const ev: CellEvent = {
        index: i + 1,
        total: codeCells.length,
        cellId: cell.id,
        status: r.status,
        seconds: (r.finished - r.started) / 1000,
        label,
        error: err && err.output_type === "error" ? `${err.ename}: ${err.evalue}` : undefined,
      };
      setCellMetadata(cell, ev, r.started, r.finished);
      events.push(ev);
      opts.onCell?.(ev);
      if (client.dead) stopped = "dead";
      // A failing parameters cell stops the run even with allowErrors: the rest would run against defaults.
      else if (r.status !== "ok" && (!opts.allowErrors || isParametersCell(cell))) stopped = r.status;
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    if (own) await client.shutdown();
  }
  const ok = events.every((e) => e.status === "ok");
  const seconds = (Date.now() - t0) / 1000;
  notebook.metadata = {
    ...notebook.metadata,
    kernelspec: { name: "packetwalk", display_name: "TypeScript (packetwalk)", language: "typescript" },
    language_info: { name: "typescript", version: "5.0", mimetype: "text/typescript", file_extension: ".ts", codemirror_mode: { mode: "typescript", name: "javascript", typescript: true } },
    packetwalk: {
      ...(notebook.metadata.packetwalk as object),
      version: packetwalkVersion(),
      source: opts.source,
      executed_at: new Date(t0).toISOString(),
      duration_seconds: seconds,
      status: ok ? "ok" : "failed",
      cells: { ok: count(events, "ok"), error: count(events, "error"), aborted: count(events, "aborted"), timeout: count(events, "timeout"), skipped: count(events, "skipped") },
    },
  };
  return { notebook, cells: events, ok, warnings, seconds };
}

/** The cell tagged `parameters` or the injected one. */
function isParametersCell(cell: CodeCell): boolean {
  const tags = (cell.metadata.tags as string[] | undefined) ?? [];
  return tags.includes("parameters") || tags.includes("injected-parameters");
}

const count = (events: CellEvent[], s: CellStatus) => events.filter((e) => e.status === s).length;

function setCellMetadata(cell: CodeCell, ev: CellEvent, started: number | null, finished: number | null): void {
  const iso = (t: number | null) => (t ? new Date(t).toISOString() : null);
  cell.metadata = {
    ...cell.metadata,
    execution: started ? { "iopub.status.busy": iso(started), "shell.execute_reply": iso(finished) } : undefined,
    papermill: { start_time: iso(started), end_time: iso(finished), duration: ev.seconds, status: ev.status === "ok" ? "completed" : ev.status === "skipped" ? "pending" : "failed", exception: ev.status !== "ok" && ev.status !== "skipped" },
    packetwalk: { status: ev.status, duration_seconds: ev.seconds },
  };
  if (!cell.metadata.execution) delete cell.metadata.execution;
}
