/**
 * `runWalk()`: discovery, the traffic phase, every stage check in order, the charts, and the report.
 * Creates (and closes) an `InventoryRunner` on the inventory (SSH, and the Kubernetes API for `via: kubectl`
 * nodes) unless a runner is given.
 */
import { createRunner, type InventoryRunner } from "../remote/dispatch-runner";
import { createContext, nodesOf, type WalkContext } from "./context";
import { facts } from "./facts";
import { flowTimeline, ladderDiagram, latencyBreakdown } from "./charts";
import { kubeView } from "./kube-view";
import { WalkReport } from "./report";
import { checkBackend, checkClient, checkFipNat, checkGateway, checkOverlay, checkProxy, checkServiceNat } from "./stages-forward";
import { checkReturnClient, checkReturnOverlay, checkReturnProxy } from "./stages-return";
import { STAGES, type Direction, type StageId, type StageResult, type WalkOptions } from "./types";

/** A stage check: gathers its evidence and decides (see `stages-forward.ts`, `stages-return.ts`). */
export type StageCheck = (ctx: WalkContext) => Promise<StageResult>;

/**
 * The check of every stage, by id. A `Record` over {@link StageId}: a stage in `STAGES` without a
 * check, or a check for no stage, does not compile.
 */
export const STAGE_CHECKS: Readonly<Record<StageId, StageCheck>> = {
  client: checkClient,
  gateway: checkGateway,
  "fip-nat": checkFipNat,
  proxy: checkProxy,
  overlay: checkOverlay,
  "service-nat": checkServiceNat,
  backend: checkBackend,
  "return-overlay": checkReturnOverlay,
  "return-proxy": checkReturnProxy,
  "return-client": checkReturnClient,
};

/** One row of {@link STAGE_TABLE}. */
export interface StageEntry {
  id: StageId;
  /** 1-based position in the walk. */
  step: number;
  title: string;
  direction: Direction;
  check: StageCheck;
}

/**
 * The walk's stages in order, each with its title, direction and check: `STAGES` (the order and the
 * words) joined with {@link STAGE_CHECKS} (the code). `walkWith` runs it top to bottom.
 *
 * @example
 * STAGE_TABLE.map((s) => `${s.step}. ${s.title}`); // ["1. Internet host → gateway", …]
 * show(await STAGE_TABLE[4].check(ctx));          // stage 5 on its own
 */
export const STAGE_TABLE: readonly StageEntry[] = STAGES.map((s, i) => ({ id: s.id, step: i + 1, title: s.title, direction: s.direction, check: STAGE_CHECKS[s.id] }));

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
  const own = !opts.runner && !opts.replay;
  const runner = opts.runner ?? (opts.replay ? undefined : createRunner(opts.inventory));
  try {
    const ctx = createContext({ ...opts, ...(runner ? { runner } : {}) });
    return await walkWith(ctx, opts.onStage, startedAt);
  } finally {
    if (own) (runner as InventoryRunner).close();
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
  for (const { check } of STAGE_TABLE) {
    const s = await check(ctx);
    stages.push(s);
    try {
      onStage?.(s, stages.length, STAGE_TABLE.length);
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
  // The Kubernetes view beside the stages (status "off" when the inventory has no `kubernetes` section).
  const kubernetes = await kubeView(ctx).catch(() => null);
  const { inventory: _i, runner: _r, signal: _s, onStage: _o, record: _w, replay: _p, ...rest } = ctx.params as WalkOptions;
  void _i; void _r; void _s; void _o; void _w; void _p;
  return new WalkReport({ params: rest, stages, discovery: { ...ctx.discovery }, startedAt, endedAt: Date.now(), charts, unreachable, kubernetes });
}
