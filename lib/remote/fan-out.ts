/**
 * Fan-out: the same command on many nodes at once, with a concurrency bound. Every node gets a row;
 * a node that fails gives a row with the error, and never costs the other nodes their results.
 */
import * as aq from "arquero";
import { RemoteError, errorMessage } from "./errors";
import { followSignal } from "./signal";
import { commandLine, type CommandResult, type CommandRunner, type RemoteCommand, type RunOptions } from "./runner";

/** One node's outcome. */
export interface FanOutRow {
  node: string;
  /** True when the command ran and exited 0. */
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The failed stage (`connect`, `auth`, `hostkey`, `exec`, `timeout`, `abort`…), `null` when it ran. */
  stage: string | null;
  /** The error message, `null` when it ran. */
  error: string | null;
}

/** Options of {@link runOnNodes}. */
export interface FanOutOptions extends Omit<RunOptions, "onStdout" | "onStderr" | "check"> {
  /** Nodes worked on at once. Default 16. */
  concurrency?: number;
  /** Called as each node finishes (in completion order). */
  onResult?: (row: FanOutRow) => void;
  /** Build the command per node (e.g. to wrap it for the node's vRouter access). Default: `command` as is. */
  commandFor?: (node: string) => RemoteCommand;
  /** Streams each node's output as it arrives (rows still carry it unless `collect: false`). */
  onOutput?: (node: string, stream: "stdout" | "stderr", chunk: Buffer) => void;
}

/**
 * Runs `command` on every node in `nodes`, at most `concurrency` at a time. Resolves to one row per
 * node, in the order of `nodes`; never rejects for a node's failure.
 *
 * @example
 * const rows = await runOnNodes(runner, ["cent222", "cent333"], ["uptime"]);
 * toTable(rows).print();
 */
export async function runOnNodes(runner: CommandRunner, nodes: readonly string[], command: RemoteCommand, opts: FanOutOptions = {}): Promise<FanOutRow[]> {
  const { concurrency = 16, onResult, commandFor, onOutput, ...runOpts } = opts;
  if (runOpts.signal) runOpts.signal = followSignal(runOpts.signal, 4 * concurrency + 16);
  const rows: FanOutRow[] = new Array(nodes.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < nodes.length; i = next++) {
      const node = nodes[i]!;
      const cmd = commandFor ? commandFor(node) : command;
      const t0 = performance.now();
      let row: FanOutRow;
      try {
        const streams: RunOptions = onOutput ? { onStdout: (d) => onOutput(node, "stdout", d), onStderr: (d) => onOutput(node, "stderr", d) } : {};
        row = resultRow(await runner.run(node, cmd, { ...runOpts, ...streams }));
      } catch (e) {
        row = errorRow(node, e, performance.now() - t0, cmd);
      }
      rows[i] = row;
      onResult?.(row);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, nodes.length)) }, worker));
  return rows;
}

/**
 * Fan-out rows as an arquero table (one row per node, `node` first).
 *
 * @example
 * toTable(await runOnNodes(runner, nodes, ["flow", "-s"])).select("node", "ok", "error")
 */
export function toTable(rows: readonly FanOutRow[]): aq.ColumnTable {
  return aq.from(rows.map((r) => ({ ...r })));
}

function resultRow(r: CommandResult): FanOutRow {
  return { node: r.node, ok: r.exitCode === 0, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs, stage: null, error: null };
}

function errorRow(node: string, e: unknown, durationMs: number, cmd: RemoteCommand): FanOutRow {
  const stage = e instanceof RemoteError ? e.stage : "exec";
  const message = e instanceof RemoteError ? e.message : `${errorMessage(e)} (command: ${describe(cmd)})`;
  return { node, ok: false, exitCode: null, stdout: "", stderr: "", durationMs, stage, error: message };
}

function describe(cmd: RemoteCommand): string {
  try {
    return commandLine(cmd);
  } catch {
    return JSON.stringify("script" in cmd ? cmd.script : cmd);
  }
}
