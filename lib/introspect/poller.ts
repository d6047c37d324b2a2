/**
 * Flow snapshots from the agent's introspect: `KFlowReq` and its `NextKFlowReq` pages every interval,
 * per node, as a {@link FlowSnapshotSource} (the same contract as the SSH `FlowPoller`). A poll that
 * fails (connection refused, a cut page, a refusal) is no snapshot: the silence becomes a gap from the
 * last good snapshot to the next one, with the reason.
 */
import { sleep } from "../cancel";
import type { FlowSnapshot, FlowSnapshotSource, GapStart, SnapshotGap } from "../flows/snapshot";
import type { FlowEntry } from "../vrouter/types";
import { fetchIntrospect, type IntrospectGet } from "./fetch";
import { parseIntrospectFlow } from "./kstate";
import { kstatePath } from "./paths";

/** The format name a recorded introspect snapshot carries (its text is the JSON array of the pages' XML). */
export const INTROSPECT_SNAPSHOT_FORMAT = "introspect";

/**
 * The flow entries of a recorded introspect snapshot (the JSON array of page bodies it was recorded as).
 * Never throws: unreadable text gives no entries and the reason.
 *
 * @example
 * parseIntrospectSnapshot(JSON.stringify([page1Xml, page2Xml])).entries.length;
 */
export function parseIntrospectSnapshot(text: string): { entries: FlowEntry[]; error: string | null } {
  let pages: unknown;
  try {
    pages = JSON.parse(text);
  } catch (e) {
    return { entries: [], error: `not a recorded introspect snapshot: ${(e as Error).message}` };
  }
  if (!Array.isArray(pages) || !pages.every((p) => typeof p === "string")) return { entries: [], error: "not a recorded introspect snapshot: expected an array of XML pages" };
  const entries: FlowEntry[] = [];
  for (const p of pages as string[]) {
    const r = parseIntrospectFlow(p);
    entries.push(...r.rows);
    if (r.errors.length) return { entries, error: `line ${r.errors[0]!.line}: ${r.errors[0]!.message}` };
  }
  return { entries, error: null };
}

/** Options of {@link IntrospectFlowPoller}. */
export interface IntrospectFlowPollerOptions {
  /** One getter per node (its introspect). */
  nodes: { node: string; get: IntrospectGet }[];
  /** Default 200. */
  intervalMs?: number;
  /** Per poll (every page). Default 5000. */
  timeoutMs?: number;
  /** Keep each snapshot's pages (to record it). */
  keepText?: boolean;
}

/**
 * Polls flow tables through the introspect.
 *
 * @example
 * const src = new IntrospectFlowPoller({ nodes: [{ node: "cent222", get: introspectGetter(ep) }], intervalMs: 200 });
 * await src.run({ signal: AbortSignal.timeout(2000), onSnapshot: (s) => console.log(s.node, s.entries.length) });
 */
export class IntrospectFlowPoller implements FlowSnapshotSource {
  constructor(readonly opts: IntrospectFlowPollerOptions) {}

  /** Streams snapshots until `signal` aborts; never rejects. */
  async run(o: { signal: AbortSignal; onSnapshot: (s: FlowSnapshot) => void; onGap?: (g: SnapshotGap) => void; onGapStart?: (g: GapStart) => void }): Promise<void> {
    const interval = this.opts.intervalMs ?? 200;
    const startedAt = Date.now();
    await Promise.all(
      this.opts.nodes.map(async ({ node, get }) => {
        let seq = 0;
        let lastAt = startedAt;
        let failing: string | null = null;
        while (!o.signal.aborted) {
          const t0 = Date.now();
          const a = await fetchIntrospect(get, kstatePath({ tool: "flow" }), parseIntrospectFlow, { timeoutMs: this.opts.timeoutMs ?? 5000, signal: o.signal, node });
          if (o.signal.aborted) break;
          const why = a.error?.message ?? (a.errors[0] ? `${node}: ${a.errors[0].message} (line ${a.errors[0].line})` : a.refused ? `${node}: the agent refused the flow table: ${a.refused}` : null);
          const now = Date.now();
          if (why) {
            if (failing === null) {
              failing = why;
              try {
                o.onGapStart?.({ node, from: lastAt, since: now - lastAt, reason: why });
              } catch {
                /* a display callback must not stop the poll */
              }
            }
          } else {
            if (failing !== null) {
              o.onGap?.({ node, from: lastAt, to: t0, reason: failing });
              failing = null;
            }
            const snap: FlowSnapshot = {
              node, at: now, startedAt: t0, seq: seq++, entries: a.rows,
              ...(this.opts.keepText ? { text: JSON.stringify(a.pages.map((p) => p.body)), format: INTROSPECT_SNAPSHOT_FORMAT } : {}),
            };
            lastAt = now;
            o.onSnapshot(snap);
          }
          const wait = interval - (Date.now() - t0);
          if (!(await sleep(Math.max(wait, failing ? interval : 0), o.signal))) break;
        }
        if (failing !== null) o.onGap?.({ node, from: lastAt, to: Date.now(), reason: failing });
      }),
    );
  }
}
