/**
 * Stage bookkeeping: the builder every check uses to return a {@link StageResult} (step, title and
 * direction from the stage table, `STAGES` in `types.ts`). A check that throws (a bug) still becomes an `unknown` stage with the error.
 */
import type { WalkContext } from "./context";
import type { Evidence, StageId, StageResult, Verdict } from "./types";
import { STAGE_IDS, STAGE_INFO } from "./types";

/** What a check decides; the builder adds the bookkeeping. */
export interface StageDraft {
  node: string | null;
  verdict: Verdict;
  reason: string;
  summary?: string;
  evidence?: Evidence[];
  notes?: string[];
}

/**
 * Runs a check body and wraps its draft as a {@link StageResult} (timing, step number, title).
 * Exceptions become `unknown` with the error as the reason.
 *
 * @example
 * return runStage(ctx, "gateway", async () => ({ node: "gateway", verdict: "pass", reason: "route found" }));
 */
export async function runStage(ctx: WalkContext, id: StageId, body: () => Promise<StageDraft>): Promise<StageResult> {
  const startedAt = Date.now();
  let d: StageDraft;
  try {
    d = ctx.signal.aborted ? { node: null, verdict: "unknown", reason: "interrupted before this stage ran" } : await body();
  } catch (e) {
    d = { node: null, verdict: "unknown", reason: `the check failed: ${(e as Error)?.message ?? String(e)}` };
  }
  return {
    id,
    step: STAGE_IDS.indexOf(id) + 1,
    title: STAGE_INFO[id].title,
    direction: STAGE_INFO[id].direction,
    node: d.node,
    verdict: d.verdict,
    reason: d.reason,
    summary: d.summary ?? "",
    evidence: d.evidence ?? [],
    notes: d.notes ?? [],
    startedAt,
    durationMs: Date.now() - startedAt,
  };
}
