/**
 * `runWalk()`: discovery, the traffic phase, every stage check in order, the charts, and the report.
 * Creates (and closes) an `SshRunner` on the inventory unless a runner is given.
 */
import { SshRunner } from "../remote/runner";
import { createContext, nodesOf, type WalkContext } from "./context";
import { facts } from "./facts";
import { flowTimeline, ladderDiagram, latencyBreakdown } from "./charts";
import { WalkReport } from "./report";
import { checkBackend, checkClient, checkFipNat, checkGateway, checkOverlay, checkProxy, checkServiceNat } from "./stages-forward";
import { checkReturnClient, checkReturnOverlay, checkReturnProxy } from "./stages-return";
import type { StageResult, WalkOptions } from "./types";

/** The stage checks in walk order. */
export const STAGE_CHECKS: readonly ((ctx: WalkContext) => Promise<StageResult>)[] = [
  checkClient, checkGateway, checkFipNat, checkProxy, checkOverlay, checkServiceNat, checkBackend,
  checkReturnOverlay, checkReturnProxy, checkReturnClient,
];

/**
 * Walks a request from the Internet host to the backend pod and back, stage by stage, and returns the
 * report. Never throws for network trouble: an unreachable node or a failing command becomes an
 * `unknown` or `fail` stage with the reason.
 *
 * @example
 * const report = await runWalk({ inventory, fip: "101.101.101.1", fipPort: 80, hostHeader: "www.juniper.net",
 *   onStage: (s, i, n) => console.log(`${i}/${n} ${s.title}: ${s.verdict}`) });
 * show(report);              // stage table
 * report.firstFailure?.reason;
 * show(report.ladder);          // or: for (const c of report.charts()) show(c)
 */
export async function runWalk(opts: WalkOptions): Promise<WalkReport> {
  const startedAt = Date.now();
  const own = !opts.runner;
  const runner = opts.runner ?? new SshRunner(opts.inventory);
  try {
    const ctx = createContext({ ...opts, runner });
    return await walkWith(ctx, opts.onStage, startedAt);
  } finally {
    if (own) (runner as SshRunner).close();
  }
}

/**
 * Runs every stage on a prepared context (what `runWalk` does after creating the runner).
 *
 * @example
 * const ctx = createContext({ inventory, runner, fip, fipPort: 80, hostHeader });
 * const report = await walkWith(ctx);
 */
export async function walkWith(ctx: WalkContext, onStage?: WalkOptions["onStage"], startedAt = Date.now()): Promise<WalkReport> {
  const stages: StageResult[] = [];
  for (const check of STAGE_CHECKS) {
    const s = await check(ctx);
    stages.push(s);
    try {
      onStage?.(s, stages.length, STAGE_CHECKS.length);
    } catch {
      /* a display callback must not break the walk */
    }
  }
  const f = await facts(ctx);
  const host = nodesOf(ctx, "internet-host")[0]?.name ?? null;
  const unreachable: Record<string, string> = { ...f.fm.unreachable };
  for (const [n, why] of ctx.dead) unreachable[n] = why;
  let charts: ConstructorParameters<typeof WalkReport>[0]["charts"] = {};
  try {
    charts = {
      ladder: ladderDiagram(f, ctx.discovery, host),
      timeline: flowTimeline(f),
      latency: latencyBreakdown(f, ctx.discovery, host),
    };
  } catch {
    /* charts are optional */
  }
  const { inventory: _i, runner: _r, signal: _s, onStage: _o, ...rest } = ctx.params as WalkOptions;
  void _i; void _r; void _s; void _o;
  return new WalkReport({ params: rest, stages, discovery: { ...ctx.discovery }, startedAt, endedAt: Date.now(), charts, unreachable });
}
