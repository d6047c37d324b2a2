/**
 * The book's two shell loops run together: a probe every few seconds on the client side while a
 * {@link FlowSnapshotSource} streams flow tables from the nodes; then each probe is joined to the flow
 * entries that carried it. Every snapshot is kept.
 */
import type { FlowSnapshot, FlowSnapshotSource, SnapshotGap } from "../flows/snapshot";
import { joinProbesToFlows, probeFlowRows, type ProbeFlowRow, type ProbeJoin } from "./join";
import type { ProbeLike } from "./types";
import { withInterrupt } from "../cancel";

/** A probe factory that threw instead of returning a result (probes themselves never do). */
export interface ProbeFailure extends ProbeLike {
  kind: "failure";
}

/** The state handed to `onProgress`. */
export interface ProbeLoopProgress {
  phase: "probing" | "draining" | "done" | "aborted";
  probesDone: number;
  probesTotal: number;
  probesOk: number;
  /** Snapshots received per node (nodes from `nodes` start at 0). */
  snapshotsByNode: Record<string, number>;
  gaps: number;
  /** Finished probes whose client tuple has been seen in a flow table so far. */
  matches: number;
  /** The latest finished probe. */
  last: { probe: number; ok: boolean; localPort: number | null; error: string | null } | null;
  elapsedMs: number;
}

/** Options of {@link probeWhileSnapshotting}. */
export interface ProbeLoopOptions<R extends ProbeLike> {
  /** Makes probe number `i`; it should pass `signal` on (e.g. `(i, signal) => probeHttp({url, signal})`). */
  probe: (i: number, signal: AbortSignal) => Promise<R>;
  /** ms between probe starts, default 3000. */
  every?: number;
  /** Number of probes, default 20. */
  times?: number;
  snapshots: FlowSnapshotSource;
  /** Keep only these nodes' snapshots. */
  nodes?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (state: ProbeLoopProgress) => void;
  /** Snapshot this long before the first probe, default 0. */
  leadMs?: number;
  /** Keep snapshotting this long after the last probe (to see the last flows age), default min(every, 1000). */
  tailMs?: number;
  /** Clock tolerance used by the join, default 1000 ms. */
  skewMs?: number;
  /** How long to wait for the snapshot source to finish after it is told to stop, default 2000 ms. */
  stopGraceMs?: number;
}

/** What {@link probeWhileSnapshotting} returns. */
export interface ProbeLoopResult<R extends ProbeLike> {
  probes: Array<R | ProbeFailure>;
  joins: ProbeJoin[];
  /** One flat row per probe; `toTable(result.rows)` for an arquero table. */
  rows: ProbeFlowRow[];
  snapshots: FlowSnapshot[];
  gaps: SnapshotGap[];
  aborted: boolean;
  startedAt: number;
  endedAt: number;
}

/**
 * Runs `probe` every `every` ms, `times` times, while `snapshots` streams; then joins each probe to its
 * flow entries. Probes run one at a time on a fixed schedule (a probe that outlasts `every` delays the
 * next). An abort (`signal`) stops both sides and keeps everything collected so far.
 *
 * @example
 * const run = await probeWhileSnapshotting({
 *   probe: (i, signal) => probeHttp({ url: "http://101.101.101.1/", host: "www.juniper.net", addressMap, signal }),
 *   every: 3000, times: 20, snapshots: poller, signal, onProgress: (s) => display.update(s),
 * });
 * toTable(run.rows);
 */
export async function probeWhileSnapshotting<R extends ProbeLike>(options: ProbeLoopOptions<R>): Promise<ProbeLoopResult<R>> {
  // A Jupyter interrupt stops both sides and keeps what was collected, like the caller's own signal.
  const opts = { ...options, signal: withInterrupt(options.signal) };
  const every = opts.every ?? 3000;
  const times = Math.max(0, Math.floor(opts.times ?? 20));
  const tailMs = opts.tailMs ?? Math.min(every, 1000);
  const startedAt = Date.now();
  const snapshots: FlowSnapshot[] = [];
  const gaps: SnapshotGap[] = [];
  const probes: Array<R | ProbeFailure> = [];
  const nodeOk = (n: string) => !opts.nodes || opts.nodes.includes(n);

  const ctl = new AbortController();
  const abortAll = () => ctl.abort();
  if (opts.signal?.aborted) ctl.abort();
  opts.signal?.addEventListener("abort", abortAll, { once: true });
  const snapCtl = new AbortController();
  ctl.signal.addEventListener("abort", () => snapCtl.abort(), { once: true });

  // Progress bookkeeping.
  const progress: ProbeLoopProgress = {
    phase: "probing",
    probesDone: 0,
    probesTotal: times,
    probesOk: 0,
    snapshotsByNode: Object.fromEntries((opts.nodes ?? []).map((n) => [n, 0])),
    gaps: 0,
    matches: 0,
    last: null,
    elapsedMs: 0,
  };
  const seenTuples = new Set<string>();
  const pending = new Map<string, number[]>(); // tuple -> probe indices not yet matched
  const matched = new Set<number>();
  const report = () => {
    progress.elapsedMs = Date.now() - startedAt;
    progress.matches = matched.size;
    try {
      opts.onProgress?.({ ...progress, snapshotsByNode: { ...progress.snapshotsByNode }, last: progress.last && { ...progress.last } });
    } catch {
      /* a display callback must not break the loop */
    }
  };
  const probeTuples = (p: ProbeLike): string[] =>
    p.local ? [p.remote, p.dialed].filter((d) => !!d).map((d) => `${p.local!.port}|${d!.address}|${d!.port}`) : [];

  let closed = false;
  const source = opts.snapshots
    .run({
      signal: snapCtl.signal,
      onSnapshot: (s) => {
        if (closed || !nodeOk(s.node)) return;
        snapshots.push(s);
        progress.snapshotsByNode[s.node] = (progress.snapshotsByNode[s.node] ?? 0) + 1;
        for (const e of s.entries) {
          const key = `${e.srcPort}|${e.dstIp}|${e.dstPort}`;
          seenTuples.add(key);
          const idx = pending.get(key);
          if (idx) {
            for (const i of idx) matched.add(i);
            pending.delete(key);
          }
        }
        report();
      },
      onGap: (g) => {
        if (closed || !nodeOk(g.node)) return;
        gaps.push(g);
        progress.gaps = gaps.length;
        report();
      },
    })
    .catch((e: unknown) => {
      gaps.push({ node: "*", from: Date.now(), to: Date.now(), reason: `snapshot source failed: ${(e as Error)?.message ?? e}` });
    });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || ctl.signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        ctl.signal.removeEventListener("abort", done);
        resolve();
      }
      ctl.signal.addEventListener("abort", done, { once: true });
    });

  report();
  await sleep(opts.leadMs ?? 0);
  const t0 = Date.now();
  for (let i = 0; i < times && !ctl.signal.aborted; i++) {
    await sleep(t0 + i * every - Date.now());
    if (ctl.signal.aborted) break;
    const began = Date.now();
    let r: R | ProbeFailure;
    try {
      r = await opts.probe(i, ctl.signal);
    } catch (e) {
      r = {
        kind: "failure",
        ok: false,
        remote: null,
        dialed: null,
        local: null,
        startedAt: began,
        endedAt: Date.now(),
        error: { kind: "other", message: `probe threw: ${(e as Error)?.message ?? String(e)}` },
      };
    }
    probes.push(r);
    progress.probesDone = probes.length;
    if (r.ok) progress.probesOk++;
    progress.last = { probe: i, ok: r.ok, localPort: r.local?.port ?? null, error: r.error ? `${r.error.kind}: ${r.error.message}` : null };
    for (const key of probeTuples(r)) {
      if (seenTuples.has(key)) matched.add(i);
      else pending.set(key, [...(pending.get(key) ?? []), i]);
    }
    report();
  }

  if (!ctl.signal.aborted) {
    progress.phase = "draining";
    report();
    await sleep(tailMs);
  }
  const aborted = opts.signal?.aborted ?? false;
  snapCtl.abort();
  const grace = opts.stopGraceMs ?? 2000;
  let graceTimer: NodeJS.Timeout | undefined;
  await Promise.race([source, new Promise<void>((r) => (graceTimer = setTimeout(r, grace)))]);
  clearTimeout(graceTimer);
  closed = true;
  opts.signal?.removeEventListener("abort", abortAll);

  const joins = joinProbesToFlows(probes, snapshots, { skewMs: opts.skewMs, nodes: opts.nodes });
  const rows = probeFlowRows(probes, joins);
  progress.phase = aborted ? "aborted" : "done";
  for (const [i, row] of rows.entries()) if (row.found) matched.add(i);
  report();
  return { probes, joins, rows, snapshots, gaps, aborted, startedAt, endedAt: Date.now() };
}
