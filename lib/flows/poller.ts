/**
 * The flow poller: `flow --match …` (or `flow -l`) on one or many nodes every 200 ms, for a duration
 * or until aborted, keeping every snapshot with its timestamp.
 *
 * Cadence must not depend on the cost of an SSH exec (a new OpenSSH connection per poll costs ~450 ms
 * on loopback, one exec on a kept connection to a real sshd ~200 ms since it forks a shell). So the
 * default `mode: "stream"` runs ONE remote shell loop per node in a single exec channel
 * ({@link flowLoopScript}): snapshots are delimited and stamped on the node and the loop keeps its own
 * schedule. `mode: "exec"` (one exec per poll on the kept connection) is the fallback for nodes where
 * a long-running loop is not possible.
 *
 * A snapshot's `at` is when its table read had completed (the loop's stamp taken after `flow` exited;
 * in exec mode, when the output had arrived), so everything in it existed at `at` or before; `startedAt`
 * is when the read began. Consumers need no allowance for how long `flow` took.
 *
 * A dropped connection, a stalled stream or a failing `flow` never ends the run: the poller records a
 * {@link SnapshotGap} (from the last good snapshot to the next one), reconnects with back-off, and
 * carries on; what it collected is kept.
 */
import { deadline, sleep, withInterrupt } from "../cancel";
import { live } from "../display/show";
import { inKernel } from "../display/sink";
import { followSignal } from "../remote/signal";
import { errorMessage, isRemoteError } from "../remote/errors";
import { vrouterArgv, type Inventory, type InventoryNode } from "../remote/inventory";
import { shellCommand } from "../remote/quote";
import type { CommandRunner } from "../remote/runner";
import { parseFlow } from "../vrouter/flow";
import type { FlowEntryCore, ParseResult } from "../vrouter/types";
import { FlowCollector } from "./collector";
import { flowLoopScript, loopShellCommand, newNonce, SnapshotFrameReader, type SnapshotFrame } from "./loop-script";
import type { FlowSnapshot, FlowSnapshotSource, GapStart, SnapshotGap } from "./snapshot";

/** What the poller needs from a runner: commands, and (optionally) the inventory and a way to drop a dead connection. */
export interface FlowPollRunner extends CommandRunner {
  readonly inventory?: Inventory;
  drop?(node: string): void;
}

/** Live progress, for a notebook display or a CLI status line. */
export interface FlowPollProgress {
  elapsedMs: number;
  snapshots: number;
  gaps: number;
  /** Distinct flows seen so far. */
  flows: number;
  /** Snapshots whose text the parser reported errors in. */
  parseErrors: number;
  perNode: Record<string, { snapshots: number; gaps: number; lastAt: number | null; inGap: boolean; silentReason?: string }>;
  /** The snapshot (or gap) that triggered this call. */
  snapshot?: FlowSnapshot;
  gap?: SnapshotGap;
}

/** Options of {@link FlowPoller}. */
export interface FlowPollerOptions {
  runner: FlowPollRunner;
  /** Inventory node names. */
  nodes: readonly string[];
  /** A `flow --match` spec (`15.15.15.2:51000`, `"10.0.0.1:80 & proto tcp"`). Default: `flow -l`. */
  match?: string;
  /** The utility argv instead of `match` (e.g. `["flow", "-l", "--show-evicted"]`). */
  argv?: readonly string[];
  /** Poll interval. Default 200. */
  intervalMs?: number;
  /**
   * `stream` (one remote loop per node, default) or `exec` (one exec per poll). For `docker` nodes the
   * loop runs inside the container (one `docker exec`); for `contrail-tools` nodes it runs on the host
   * and calls `contrail-tools flow …` per poll, which starts a container each time: expect a slower
   * cadence there (the gap-free schedule simply restarts after each overrun).
   */
  mode?: "stream" | "exec";
  /** Text to entries. Default `parseFlow` (lib/vrouter/flow). */
  parse?: (text: string) => ParseResult<FlowEntryCore>;
  /** Called after every snapshot and gap. */
  onProgress?: (p: FlowPollProgress) => void;
  /** First reconnect delay, doubled per failure up to 5000. Default 500. */
  reconnectDelayMs?: number;
  /**
   * A node that sent no snapshot for this long is reported as not answering (`onGapStart`, `inGap`) while
   * the silence lasts. Default 2 × interval + 1000, checked every min(interval, 250) ms.
   */
  silenceMs?: number;
  /** Stream mode: restart the loop when no snapshot arrived for this long. Default max(5000, 25 × interval). */
  stallTimeoutMs?: number;
  /** Exec mode: timeout of one poll. Default max(5000, 10 × interval). */
  pollTimeoutMs?: number;
  /** Keep each snapshot's raw `flow` output in `text` (to record it). Default false. */
  keepText?: boolean;
  /** Collector to feed (default: a new one, see {@link FlowPoller.collector}). */
  collector?: FlowCollector;
}

interface NodeState {
  seq: number;
  lastAt: number | null;
  /** Local time (Date.now()) the last snapshot arrived, or the run's start. */
  lastArrival: number;
  snapshots: number;
  gaps: number;
  gap: { from: number; reason: string; announced: boolean } | null;
  /** Every gap of this run, for {@link FlowPoller.coverage}. */
  runGaps: SnapshotGap[];
}

/** How much of the asked window one node's snapshots covered (see {@link FlowPoller.coverage}). */
export interface NodeCoverage {
  node: string;
  /** The window asked for, ms. */
  askedMs: number;
  /** The part of it with snapshots (asked minus the gaps in it), ms. */
  coveredMs: number;
  /** covered / asked, 0-1. */
  ratio: number;
  snapshots: number;
  /** Gaps that overlap the window. */
  gaps: SnapshotGap[];
  /** The longest gap in the window, ms (0 without one). */
  longestGapMs: number;
  /**
   * Whether the node answered throughout: at least one snapshot, and no gap longer than the silence
   * threshold (2 intervals + 1 s by default). A lost poll or a reconnect shorter than that is not a loss.
   */
  complete: boolean;
}

/**
 * Polls flow tables over SSH. Implements {@link FlowSnapshotSource}.
 *
 * @example
 * const poller = new FlowPoller({ runner, nodes: ["cent222", "cent333"], match: "15.15.15.2", intervalMs: 200 });
 * const ac = new AbortController(); setTimeout(() => ac.abort(), 10_000);
 * await poller.run({ signal: ac.signal, onSnapshot: (s) => console.log(s.node, s.seq, s.entries.length) });
 * poller.collector.matchTuple({ srcIp: "15.15.15.2", dstPort: 80, proto: "tcp" });
 */
export class FlowPoller implements FlowSnapshotSource {
  /** Every snapshot and gap of every run, and the tables derived from them. */
  readonly collector: FlowCollector;
  private readonly opts: FlowPollerOptions;
  private readonly argv: readonly string[];
  private readonly states = new Map<string, NodeState>();
  private parseErrors = 0;
  private startedAt = 0;
  private endedAt: number | null = null;

  constructor(opts: FlowPollerOptions) {
    if (opts.nodes.length === 0) throw new TypeError("FlowPoller: no nodes");
    const iv = opts.intervalMs ?? 200;
    if (!(iv > 0)) throw new TypeError(`FlowPoller: intervalMs must be > 0: ${iv}`);
    this.opts = opts;
    this.collector = opts.collector ?? new FlowCollector();
    this.argv = opts.argv ?? (opts.match !== undefined ? ["flow", "--match", opts.match] : ["flow", "-l"]);
    for (const n of opts.nodes) this.states.set(n, { seq: 0, lastAt: null, lastArrival: 0, snapshots: 0, gaps: 0, gap: null, runGaps: [] });
  }

  /**
   * Polls every node until `signal` aborts, then closes open gaps and resolves. Never rejects for a node's failure.
   *
   * @example
   * await poller.run({ signal, onSnapshot: (s) => rows.push(s), onGap: (g) => console.warn(g.reason) });
   */
  async run(opts: {
    signal: AbortSignal;
    onSnapshot: (s: FlowSnapshot) => void;
    onGap?: (g: SnapshotGap) => void;
    onGapStart?: (g: GapStart) => void;
  }): Promise<void> {
    if (opts.signal.aborted) return;
    // Every node listens to the signal at once (32 nodes is 32+ listeners): use our own, uncapped one.
    // A Jupyter interrupt stops the poller (keeping what it collected) like the caller's own signal.
    const signal = followSignal(withInterrupt(opts.signal), 8 * this.opts.nodes.length + 16);
    const ctx: RunCtx = { ...opts, signal };
    this.startedAt = Date.now();
    this.endedAt = null;
    for (const st of this.states.values()) {
      st.lastArrival = this.startedAt;
      st.runGaps = [];
    }
    const iv = this.opts.intervalMs ?? 200;
    const silenceMs = this.silenceMs();
    // Silence is watched here, apart from the node loops, so it is seen while a connect or a read hangs.
    const watch = setInterval(() => this.watchSilence(silenceMs, ctx), Math.min(iv, 250));
    const mode = this.opts.mode ?? "stream";
    try {
      await Promise.all(this.opts.nodes.map((node) => (mode === "exec" ? this.execNode(node, ctx) : this.streamNode(node, ctx))));
    } finally {
      clearInterval(watch);
    }
    this.endedAt = Date.now();
    for (const node of this.opts.nodes) this.closeGap(node, this.endedAt, opts.onGap);
  }

  /**
   * Per node, how much of the last run's window (its start to its end, or to now while it runs) the
   * snapshots covered, and whether the node answered throughout ({@link NodeCoverage.complete}).
   *
   * @example
   * await poller.run({ signal, onSnapshot });
   * for (const c of poller.coverage()) console.log(c.node, `${(c.coveredMs / 1000).toFixed(1)} of ${(c.askedMs / 1000).toFixed(1)} s`);
   */
  coverage(): NodeCoverage[] {
    const from = this.startedAt;
    const to = this.endedAt ?? Date.now();
    const askedMs = Math.max(0, to - from);
    const silenceMs = this.silenceMs();
    return this.opts.nodes.map((node) => {
      const st = this.states.get(node)!;
      const open = st.gap ? [{ node, from: st.gap.from, to, reason: st.gap.reason }] : [];
      const gaps = [...st.runGaps, ...open].filter((g) => g.to > from && g.from < to);
      // Lost time is the union of the gaps clipped to the window (gaps of one node do not overlap, but be safe).
      let lost = 0;
      let reach = from;
      let longest = 0;
      for (const g of [...gaps].sort((a, b) => a.from - b.from)) {
        const a = Math.max(g.from, reach);
        const b = Math.min(g.to, to);
        if (b > a) lost += b - a;
        reach = Math.max(reach, b);
        longest = Math.max(longest, Math.min(g.to, to) - Math.max(g.from, from));
      }
      const coveredMs = st.snapshots > 0 ? Math.max(0, askedMs - lost) : 0;
      return {
        node,
        askedMs,
        coveredMs,
        ratio: askedMs > 0 ? coveredMs / askedMs : 1,
        snapshots: st.snapshots,
        gaps,
        longestGapMs: longest,
        complete: st.snapshots > 0 && longest <= silenceMs,
      };
    });
  }

  private silenceMs(): number {
    return this.opts.silenceMs ?? 2 * (this.opts.intervalMs ?? 200) + 1000;
  }

  // Opens (and announces once) a gap for every node silent for longer than `silenceMs`.
  private watchSilence(silenceMs: number, ctx: RunCtx): void {
    const now = Date.now();
    for (const [node, st] of this.states) {
      if (now - st.lastArrival <= silenceMs) continue;
      if (!st.gap) this.openGap(node, `no snapshot for ${((now - st.lastArrival) / 1000).toFixed(1)} s`);
      const gap = st.gap!;
      if (gap.announced) continue;
      gap.announced = true;
      ctx.onGapStart?.({ node, from: gap.from, since: now - st.lastArrival, reason: gap.reason });
      this.progress({});
    }
  }

  /** The command line of one poll on `node`. */
  pollCommand(node: string): string {
    const n = this.inventoryNode(node);
    return shellCommand(n ? vrouterArgv(n, this.argv) : this.argv);
  }

  /** The command line of the streaming loop on `node` (the loop runs where `docker exec` lands for docker nodes). */
  loopCommand(node: string, nonce: string): string {
    const intervalMs = this.opts.intervalMs ?? 200;
    const n = this.inventoryNode(node);
    if (n?.vrouter?.via === "docker") {
      // One `docker exec` for the whole loop: a `docker exec` per poll would cost ~100 ms each.
      return shellCommand(vrouterArgv(n, ["sh", "-c", flowLoopScript({ command: shellCommand(this.argv), intervalMs, nonce })]));
    }
    return loopShellCommand(flowLoopScript({ command: this.pollCommand(node), intervalMs, nonce }));
  }

  // The runner's inventory entry of a node (a test double may have no inventory: commands run as is).
  private inventoryNode(node: string): InventoryNode | undefined {
    return this.opts.runner.inventory?.nodes.find((x) => x.name === node);
  }

  private async streamNode(node: string, ctx: RunCtx): Promise<void> {
    const { signal } = ctx;
    const iv = this.opts.intervalMs ?? 200;
    const stallMs = this.opts.stallTimeoutMs ?? Math.max(5000, 25 * iv);
    const firstDelay = this.opts.reconnectDelayMs ?? 500;
    const connectBudget = this.opts.runner.inventory?.connectTimeoutMs ?? 10_000;
    let backoff = firstDelay;
    while (!signal.aborted) {
      const nonce = newNonce();
      const reader = new SnapshotFrameReader(nonce);
      const stall = new AbortController();
      let stallAt = performance.now() + connectBudget + stallMs;
      const watchdog = setInterval(() => {
        if (performance.now() > stallAt) stall.abort();
      }, Math.min(1000, stallMs / 4));
      let stderrTail = "";
      let reason: string;
      const either = deadline(Infinity, signal, stall.signal);
      try {
        const r = await this.opts.runner.run(node, { script: this.loopCommand(node, nonce) }, {
          // Not AbortSignal.any: Node 20 may collect such a composite while the call waits (see deadline()).
          signal: either.signal,
          timeoutMs: 0,
          collect: false,
          // Stop the loop (and a hung `flow`) on the node when we abort, even where sshd ignores signals.
          killOnClose: true,
          onStdout: (d) => {
            for (const f of reader.push(d)) {
              stallAt = performance.now() + stallMs;
              backoff = firstDelay;
              this.onFrame(node, f, stderrTail, ctx);
            }
          },
          onStderr: (d) => {
            stderrTail = (stderrTail + d.toString("utf8")).slice(-400);
          },
        });
        reason = `flow loop ended (exit ${r.exitCode ?? r.signal ?? "?"})${lastLine(stderrTail)}`;
      } catch (e) {
        if (signal.aborted) break;
        reason = stall.signal.aborted ? `no snapshot for ${stallMs} ms (stream stalled)` : errorMessage(e);
        // A stalled stream may sit on a half-dead connection: start the next attempt on a fresh one.
        // (A connection that closed is already forgotten by the runner.)
        if (stall.signal.aborted) this.opts.runner.drop?.(node);
      } finally {
        clearInterval(watchdog);
        either.clear();
      }
      if (signal.aborted) break;
      this.openGap(node, reason);
      if (!(await sleep(backoff, signal))) break;
      backoff = Math.min(backoff * 2, 5000);
    }
  }

  private async execNode(node: string, ctx: RunCtx): Promise<void> {
    const { signal } = ctx;
    const iv = this.opts.intervalMs ?? 200;
    const timeoutMs = this.opts.pollTimeoutMs ?? Math.max(5000, 10 * iv);
    const command = this.pollCommand(node);
    const parse = this.opts.parse ?? parseFlow;
    let next = performance.now();
    while (!signal.aborted) {
      try {
        const r = await this.opts.runner.run(node, { script: command }, { signal, timeoutMs });
        // Stamped when the output had arrived (the read is over by then), like the loop's end stamp.
        if (r.exitCode === 0) this.emitSnapshot(node, r.startedAt + r.durationMs, r.startedAt, parse(r.stdout), ctx, r.stdout);
        else this.openGap(node, `flow exited ${r.exitCode ?? r.signal ?? "?"}${lastLine(r.stderr)}`);
      } catch (e) {
        if (signal.aborted) break;
        this.openGap(node, errorMessage(e));
        if (isRemoteError(e, "timeout")) this.opts.runner.drop?.(node);
      }
      next += iv;
      const now = performance.now();
      if (next < now) next = now; // Overran the slot: restart the schedule instead of bursting.
      if (!(await sleep(next - now, signal))) break;
    }
  }

  private onFrame(node: string, f: SnapshotFrame, stderrTail: string, ctx: RunCtx): void {
    if (f.exitCode !== 0) {
      this.openGap(node, `flow exited ${f.exitCode ?? "?"}${lastLine(stderrTail)}`);
      return;
    }
    // The node's end stamp (taken after `flow` exited) is the snapshot's time; without one, the time
    // the frame arrived here, which is later still, never earlier than the read.
    const at = f.atNs !== null ? Number(f.atNs) / 1e6 : Date.now();
    const startedAt = f.startNs !== null ? Math.min(Number(f.startNs) / 1e6, at) : undefined;
    this.emitSnapshot(node, at, startedAt, (this.opts.parse ?? parseFlow)(f.text), ctx, f.text);
  }

  private emitSnapshot(node: string, at: number, startedAt: number | undefined, parsed: ParseResult<FlowEntryCore>, ctx: RunCtx, text: string): void {
    const st = this.states.get(node)!;
    if (parsed.errors.length > 0) this.parseErrors++;
    this.closeGap(node, at, ctx.onGap);
    const snapshot: FlowSnapshot = { node, at, ...(startedAt !== undefined ? { startedAt } : {}), seq: st.seq++, entries: parsed.rows, ...(this.opts.keepText ? { text } : {}) };
    st.lastAt = at;
    st.lastArrival = Date.now();
    st.snapshots++;
    this.collector.add(snapshot);
    ctx.onSnapshot(snapshot);
    this.progress({ snapshot });
  }

  private openGap(node: string, reason: string): void {
    const st = this.states.get(node)!;
    if (!st.gap) st.gap = { from: st.lastAt ?? this.startedAt, reason, announced: false };
    // A silence gap learns its cause when the loop fails: keep the better reason.
    else if (st.gap.reason.startsWith("no snapshot for ")) st.gap.reason = reason;
  }

  private closeGap(node: string, to: number, onGap?: (g: SnapshotGap) => void): void {
    const st = this.states.get(node)!;
    if (!st.gap) return;
    const gap: SnapshotGap = { node, from: st.gap.from, to: Math.max(to, st.gap.from), reason: st.gap.reason };
    st.gap = null;
    st.gaps++;
    st.runGaps.push(gap);
    this.collector.addGap(gap);
    onGap?.(gap);
    this.progress({ gap });
  }

  private progress(trigger: { snapshot?: FlowSnapshot; gap?: SnapshotGap }): void {
    if (!this.opts.onProgress) return;
    const perNode: FlowPollProgress["perNode"] = {};
    let snapshots = 0;
    let gaps = 0;
    for (const [n, st] of this.states) {
      perNode[n] = { snapshots: st.snapshots, gaps: st.gaps, lastAt: st.lastAt, inGap: st.gap !== null && st.gap.announced, ...(st.gap?.announced ? { silentReason: st.gap.reason } : {}) };
      snapshots += st.snapshots;
      gaps += st.gaps;
    }
    this.opts.onProgress({ elapsedMs: Date.now() - this.startedAt, snapshots, gaps, flows: this.collector.flowCount, parseErrors: this.parseErrors, perNode, ...trigger });
  }
}

interface RunCtx {
  signal: AbortSignal;
  onSnapshot: (s: FlowSnapshot) => void;
  onGap?: (g: SnapshotGap) => void;
  onGapStart?: (g: GapStart) => void;
}

/** Options of {@link pollFlows}. */
export interface PollFlowsOptions extends FlowPollerOptions {
  /**
   * Show a live status in the notebook, one row per node (snapshots, last snapshot, and a node that
   * stopped answering as SILENT with the time and reason while the silence lasts), updated in place.
   * Default: on inside the kernel.
   */
  live?: boolean;
  /** Stop after this long. Default: until `signal` aborts (or a notebook interrupt). */
  durationMs?: number;
  signal?: AbortSignal;
  onSnapshot?: (s: FlowSnapshot) => void;
  onGap?: (g: SnapshotGap) => void;
}

/**
 * Polls for a duration (or until aborted / interrupted) and returns the collector with everything seen.
 *
 * @example
 * const flows = await pollFlows({ runner, nodes: ["cent222"], match: "15.15.15.2", durationMs: 10_000 });
 * show(flows.entriesTable());
 */
export async function pollFlows(opts: PollFlowsOptions): Promise<FlowCollector> {
  const { durationMs, signal, onSnapshot, onGap, live: showLive = inKernel(), ...pollerOpts } = opts;
  const limit = deadline(durationMs ?? Infinity, withInterrupt(signal));
  if (showLive) {
    const view = live(pollStatus(null, opts.nodes), { maxPerSecond: 5 });
    const user = pollerOpts.onProgress;
    pollerOpts.onProgress = (p) => {
      user?.(p);
      view.update(pollStatus(p, opts.nodes));
    };
  }
  const poller = new FlowPoller(pollerOpts);
  try {
    await poller.run({ signal: limit.signal, onSnapshot: onSnapshot ?? (() => undefined), ...(onGap ? { onGap } : {}) });
  } finally {
    limit.clear();
  }
  return poller.collector;
}

/**
 * The live status of a poll as plain text, one line per node: snapshots so far, the last one's time,
 * and SILENT (since when, why) for a node that stopped answering.
 *
 * @example
 * pollStatus(progress, ["cent222", "cent333"]);
 * // "5 Hz poll, 12.4 s: 122 snapshots, 1 gap, 3 flows\ncent222  62 snapshots  last 10:41:02.210  answering\ncent333  60 …  SILENT since 10:41:00.800"
 */
export function pollStatus(p: FlowPollProgress | null, nodes: readonly string[]): string {
  const clock = (ms: number | null) => (ms === null ? "—" : new Date(ms).toISOString().slice(11, 23));
  if (!p) return `polling ${nodes.join(", ")}…`;
  const w = Math.max(...nodes.map((n) => n.length));
  const head = `poll, ${(p.elapsedMs / 1000).toFixed(1)} s: ${p.snapshots} snapshots, ${p.gaps} gap${p.gaps === 1 ? "" : "s"}, ${p.flows} flows${p.parseErrors ? `, ${p.parseErrors} with parse errors` : ""}`;
  const lines = nodes.map((n) => {
    const st = p.perNode[n];
    if (!st) return n.padEnd(w);
    const state = st.inGap ? `SILENT since ${clock(st.lastAt)}${st.silentReason ? ` (${st.silentReason})` : ""}` : "answering";
    return `${n.padEnd(w)}  ${String(st.snapshots).padStart(5)} snapshots  last ${clock(st.lastAt)}  ${state}`;
  });
  return [head, ...lines].join("\n");
}

function lastLine(text: string): string {
  const l = text.trim().split("\n").pop()?.trim();
  return l ? `: ${l}` : "";
}
