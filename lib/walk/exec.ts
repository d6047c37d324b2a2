/**
 * One remote step of the walk: runs a command on a node with the walk's timeout and signal, and never
 * throws. An unreachable node is remembered so later steps on it fail at once with the same reason.
 */
import { isRemoteError } from "../remote/errors";
import { vrouterArgv } from "../remote/inventory";
import { commandLine } from "../remote/runner";
import { nodeByName, once, type WalkContext } from "./context";
import type { Cell, Evidence } from "./types";

/** What a step produced: the output, or why there is none. */
export interface StepResult {
  node: string;
  /** The command as the operator would type it (`rt --get 10.99.225.17/32 --vrf 2`). */
  command: string;
  ok: boolean;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  /** Why the step failed (`cent333 unreachable: connect failed …`, `exit 1: nh: No such file`). */
  error: string | null;
  /** True when the node could not be reached at all. */
  unreachable: boolean;
  at: number;
}

/**
 * Runs `argv` on `node` once per walk (memoised by node and command). `vrouter: true` wraps the
 * command for the node's vRouter access (docker / contrail-tools). Never throws.
 *
 * @example
 * const r = await step(ctx, "cent222", ["rt", "--get", "10.99.225.17/32", "--vrf", "2"], { vrouter: true });
 * if (r.ok) parseRt(r.stdout);
 */
export function step(ctx: WalkContext, node: string, argv: string[], opts: { vrouter?: boolean; timeoutMs?: number } = {}): Promise<StepResult> {
  const command = argv.join(" ");
  return once(ctx, `step|${node}|${command}`, async () => {
    const at = Date.now();
    const base = { node, command, stdout: "", stderr: "", exitCode: null, at };
    const dead = ctx.dead.get(node);
    if (dead) return { ...base, ok: false, error: dead, unreachable: true };
    if (ctx.signal.aborted) return { ...base, ok: false, error: "interrupted", unreachable: false };
    const inv = nodeByName(ctx, node);
    if (!inv) return { ...base, ok: false, error: `${node} is not in the inventory`, unreachable: true };
    const full = opts.vrouter ? vrouterArgv(inv, argv) : argv;
    try {
      const r = await ctx.runner.run(node, full, { timeoutMs: opts.timeoutMs ?? ctx.commandTimeoutMs, signal: ctx.signal });
      const ok = r.exitCode === 0;
      const err = ok ? null : `exit ${r.exitCode ?? r.signal ?? "?"}${r.stderr.trim() ? `: ${r.stderr.trim().split("\n")[0]}` : ""}`;
      return { node, command, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, ok, error: err, unreachable: false, at };
    } catch (e) {
      const msg = isRemoteError(e) ? e.message : (e as Error)?.message ?? String(e);
      const unreachable =
        isRemoteError(e) &&
        (e.stage === "connect" || e.stage === "auth" || e.stage === "hostkey" || (e.stage === "timeout" && /tcp connect|SSH handshake|jump host/.test(e.detail)));
      const error = unreachable ? `${node} unreachable: ${isRemoteError(e) ? e.detail : msg}` : msg;
      if (unreachable) ctx.dead.set(node, error);
      return { ...base, ok: false, error, unreachable };
    }
  });
}

/**
 * Wraps a step and its rows as evidence (with the command and node, for provenance).
 *
 * @example
 * evidenceOf("route to the service", r, parseRt(r.stdout).rows);
 */
export function evidenceOf(title: string, r: StepResult, rows: readonly object[]): Evidence {
  return {
    title,
    node: r.node,
    command: r.command,
    at: r.at,
    rows: rows.map(flatRow),
    ...(r.error ? { error: r.error } : {}),
  };
}

/**
 * Evidence derived by the walk (no command of its own).
 *
 * @example
 * derived("discovered values", [{ key: "activeNode", value: "cent222" }]);
 */
export function derived(title: string, rows: readonly object[], node: string | null = null, command: string | null = null): Evidence {
  return { title, node, command, at: Date.now(), rows: rows.map(flatRow) };
}

/**
 * Keeps the primitive fields of a row (drops `undefined`, stringifies objects), so every evidence row
 * is a flat table row.
 *
 * @example
 * flatRow({ a: 1, b: undefined, c: [1, 2] }); // { a: 1, c: "[1,2]" }
 */
export function flatRow(row: object): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === undefined) continue;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else out[k] = JSON.stringify(v);
  }
  return out;
}

/** Re-export for callers building command text. */
export { commandLine };
