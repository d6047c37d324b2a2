/**
 * Keeps every flow snapshot and gap, and derives from them: the flow entries seen (first/last seen),
 * a timeline of their TCP state and counters, and the flows that match a probe's 5-tuple.
 *
 * A flow is identified by node + VRF + protocol + source/destination address and port: the
 * `vrf+tuple` variant of `flowKey` (`identity.ts`, where the reason is written); the flow index is
 * recorded but is not the identity.
 */
import * as aq from "arquero";
import type { FlowEntryCore } from "../vrouter/types";
import { FlowTracker, identityOf, type FlowIdentityFields, type FlowSpan, type TrackedFlow } from "./identity";
import type { FlowSnapshot, SnapshotGap } from "./snapshot";

/**
 * One flow as seen across snapshots: its identity fields (index and rindex at the last sighting),
 * `action`, `tcpFlags`, `packets`, `bytes` at the last sighting, and when it was seen.
 */
export interface FlowSeenRow extends FlowIdentityFields, Pick<FlowEntryCore, "action" | "tcpFlags" | "packets" | "bytes">, FlowSpan {
  node: string;
  /** `cent222 vrf5 6 15.15.15.2:51000>101.101.101.1:80` */
  key: string;
  /** TCP flags at the first sighting (`tcpFlags` is the last). */
  firstTcpFlags: string;
  /** True when the node's latest snapshot no longer holds it. */
  gone: boolean;
}

/** One point of a flow's timeline: when it appeared, and whenever its action, TCP flags or counters changed. */
export interface FlowTimelineRow {
  node: string;
  key: string;
  at: number;
  seq: number;
  index: number;
  action: string;
  tcpFlags: string;
  packets: number;
  bytes: number;
  /** `appeared`, `changed`, or `gone` (first snapshot without it). */
  event: "appeared" | "changed" | "gone";
}

/** A probe's 5-tuple; absent fields match anything. */
export interface FlowTuple {
  srcIp?: string;
  srcPort?: number;
  dstIp?: string;
  dstPort?: number;
  /** Protocol number (6 TCP, 17 UDP, 1 ICMP) or name (`tcp`, `udp`, `icmp`). */
  proto?: number | string;
  /** Only flows of this node. */
  node?: string;
}

/** A flow matched by {@link FlowCollector.matchTuple}. */
export interface FlowMatchRow extends FlowSeenRow {
  /** `forward`: the tuple as given; `reverse`: its mirror; `partner`: the reverse-flow entry of a match (the NAT'd half). */
  direction: "forward" | "reverse" | "partner";
}

const PROTOS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmp6: 58, sctp: 132 };

/** Options of {@link FlowCollector}: how much it keeps in memory. Without them it keeps everything (a walk's few seconds). */
export interface FlowCollectorOptions {
  /**
   * Keep the snapshots of the last `windowMs` (by snapshot time) in `snapshots`; older ones are handed to
   * `spill` and dropped, and so are the timeline's counter-only points older than the window (appeared,
   * gone and action or TCP-state changes stay). The flows seen keep their summary (first/last seen,
   * TCP states, largest counters). Default: no window.
   */
  windowMs?: number;
  /** Called with each snapshot as it leaves the window: to an investigation's store, say. */
  spill?: (s: FlowSnapshot) => void;
  /** Remember at most this many flows no longer present (the longest gone are forgotten first). Default: no limit. */
  maxGoneFlows?: number;
}

/**
 * Collects snapshots and gaps (feed it from a {@link FlowSnapshotSource}).
 *
 * @example
 * const c = new FlowCollector();
 * await poller.run({ signal, onSnapshot: (s) => c.add(s), onGap: (g) => c.addGap(g) });
 * c.entriesTable().print();
 * c.matchTuple({ srcIp: "15.15.15.2", srcPort: 51000, dstIp: "101.101.101.1", dstPort: 80, proto: "tcp" });
 */
export class FlowCollector {
  /** The snapshots in memory (every one, or those of the last `windowMs`), in arrival order. */
  readonly snapshots: FlowSnapshot[] = [];
  /** Every gap, in arrival order. */
  readonly gaps: SnapshotGap[] = [];
  private readonly flows = new FlowTracker("vrf+tuple");
  /** Keys of the flows the node's latest snapshot no longer holds, longest gone first. */
  private readonly gone = new Set<string>();
  private events: TimelinePoint[] = [];
  private readonly lastKeysByNode = new Map<string, Set<string>>();
  private readonly opts: FlowCollectorOptions;
  private total = 0;
  private forgotten = new Set<string>();
  private trimmedUpTo = -Infinity;

  constructor(opts: FlowCollectorOptions = {}) {
    this.opts = opts;
  }

  /** Snapshots added in all (those spilled out of the window included). */
  get snapshotCount(): number {
    return this.total;
  }

  /** Adds one snapshot. */
  add(s: FlowSnapshot): void {
    this.total++;
    this.snapshots.push(s);
    const present = new Set<string>();
    for (const e of s.entries) {
      const f = this.flows.see(s.node, s.at, e);
      present.add(f.key);
      const prev = f.previous;
      if (!prev) {
        this.events.push(event(f, s, "appeared"));
        continue;
      }
      const wasGone = this.gone.size > 0 && this.gone.delete(f.key);
      const changed = wasGone || prev.action !== e.action || prev.tcpFlags !== e.tcpFlags || prev.packets !== e.packets || prev.bytes !== e.bytes || prev.index !== e.index;
      if (changed) {
        const ev = event(f, s, wasGone ? "appeared" : "changed");
        // An action or TCP-state change is kept for the whole poll; counter-only points only in the window.
        if (prev.action !== e.action || prev.tcpFlags !== e.tcpFlags || prev.index !== e.index) ev.significant = true;
        this.events.push(ev);
      }
    }
    for (const key of this.lastKeysByNode.get(s.node) ?? []) {
      if (present.has(key)) continue;
      const f = this.flows.get(key);
      if (!f) continue; // forgotten
      this.gone.add(key);
      this.events.push(event(f, s, "gone"));
    }
    this.lastKeysByNode.set(s.node, present);
    if (this.opts.windowMs !== undefined) this.trim(s.at - this.opts.windowMs);
    if (this.opts.maxGoneFlows !== undefined) this.forgetGone(this.opts.maxGoneFlows);
  }

  // Spills the snapshots older than `before`, and drops the counter-only timeline points older than it.
  private trim(before: number): void {
    let n = 0;
    while (n < this.snapshots.length && this.snapshots[n]!.at < before) n++;
    if (n === 0) return;
    const out = this.snapshots.splice(0, n);
    if (this.opts.spill) for (const x of out) this.opts.spill(x);
    // Compact the timeline once per window's worth of time, not per snapshot.
    if (before - this.trimmedUpTo < (this.opts.windowMs ?? 0) / 2) return;
    this.trimmedUpTo = before;
    this.events = this.events.filter((e) => e.at >= before || e.event !== "changed" || e.significant);
  }

  // Forgets the flows longest gone beyond `max` (and their timeline), compacting in batches.
  private forgetGone(max: number): void {
    if (this.gone.size <= max) return;
    for (const key of this.gone) {
      if (this.gone.size <= max) break;
      this.gone.delete(key);
      this.flows.forget(key);
      this.forgotten.add(key);
    }
    if (this.forgotten.size >= Math.max(64, max / 8)) {
      const drop = this.forgotten;
      this.forgotten = new Set();
      this.events = this.events.filter((e) => !drop.has(e.key));
    }
  }

  /** Adds one gap. */
  addGap(g: SnapshotGap): void {
    this.gaps.push(g);
  }

  /**
   * Every flow seen, ordered by first sighting.
   *
   * @example
   * c.entriesSeen().filter((f) => f.tcpFlags.includes("E"))
   */
  entriesSeen(): FlowSeenRow[] {
    return this.rows().sort((a, b) => a.firstSeen - b.firstSeen);
  }

  /** One fresh row per flow, in the order of first sighting. */
  private rows(): FlowSeenRow[] {
    return this.flows.values().map((f) => seenRow(f, this.gone.has(f.key)));
  }

  /**
   * The timeline of TCP state and counters (optionally of the flows a filter keeps).
   *
   * @example
   * c.timeline((f) => f.dstPort === 80)
   */
  timeline(filter?: (row: FlowSeenRow) => boolean): FlowTimelineRow[] {
    const copy = ({ significant: _s, ...e }: TimelinePoint): FlowTimelineRow => e;
    const live = this.forgotten.size > 0 ? this.events.filter((e) => !this.forgotten.has(e.key)) : this.events;
    if (!filter) return live.map(copy);
    const keep = new Set(this.rows().filter(filter).map((r) => r.key));
    return live.filter((e) => keep.has(e.key)).map(copy);
  }

  /**
   * The flows that carried a probe: entries matching the 5-tuple as given (`forward`), mirrored
   * (`reverse`), and the reverse-flow entries those name (`partner`: the NAT'd half of the pair).
   *
   * @example
   * c.matchTuple({ srcIp: "15.15.15.2", srcPort: 51000, dstIp: "101.101.101.1", dstPort: 80, proto: 6 })
   * // [{ direction: "forward", action: "N(D)", vrf: 5, … }, { direction: "partner", srcIp: "10.47.255.238", action: "N(S)", … }]
   */
  matchTuple(tuple: FlowTuple): FlowMatchRow[] {
    const proto = typeof tuple.proto === "string" ? (PROTOS[tuple.proto.toLowerCase()] ?? Number(tuple.proto)) : tuple.proto;
    const eq = <T>(want: T | undefined, got: T): boolean => want === undefined || want === got;
    const all = this.rows();
    const rows = all.filter((r) => eq(tuple.node, r.node) && eq(proto, r.proto));
    const out: FlowMatchRow[] = [];
    const taken = new Set<string>();
    for (const r of rows) {
      const fwd = eq(tuple.srcIp, r.srcIp) && eq(tuple.srcPort, r.srcPort) && eq(tuple.dstIp, r.dstIp) && eq(tuple.dstPort, r.dstPort);
      const rev = eq(tuple.srcIp, r.dstIp) && eq(tuple.srcPort, r.dstPort) && eq(tuple.dstIp, r.srcIp) && eq(tuple.dstPort, r.srcPort);
      if (fwd || rev) {
        out.push({ ...r, direction: fwd ? "forward" : "reverse" });
        taken.add(r.key);
      }
    }
    for (const m of [...out]) {
      if (m.rindex === null) continue;
      const partner = all.find((r) => r.node === m.node && r.index === m.rindex && r.rindex === m.index && !taken.has(r.key));
      if (partner) {
        out.push({ ...partner, direction: "partner" });
        taken.add(partner.key);
      }
    }
    return out.sort((a, b) => a.firstSeen - b.firstSeen);
  }

  /**
   * {@link entriesSeen} as an arquero table.
   *
   * @example
   * show(c.entriesTable().select("node", "srcIp", "srcPort", "dstIp", "dstPort", "action", "tcpFlags"))
   */
  entriesTable(): aq.ColumnTable {
    return aq.from(this.entriesSeen());
  }

  /** {@link timeline} as an arquero table. */
  timelineTable(filter?: (row: FlowSeenRow) => boolean): aq.ColumnTable {
    return aq.from(this.timeline(filter));
  }

  /** The gaps as an arquero table (`node`, `from`, `to`, `reason`). */
  gapsTable(): aq.ColumnTable {
    return aq.from(this.gaps.map((g) => ({ ...g })));
  }

  /** Number of distinct flows seen. */
  get flowCount(): number {
    return this.flows.size;
  }
}

function seenRow(f: TrackedFlow, gone: boolean): FlowSeenRow {
  const e = f.entry;
  return {
    node: f.node, key: f.key, ...identityOf(e), action: e.action, firstTcpFlags: f.first.tcpFlags, tcpFlags: e.tcpFlags, packets: e.packets, bytes: e.bytes,
    firstSeen: f.firstSeen, lastSeen: f.lastSeen, sightings: f.sightings, gone,
  };
}

/** A timeline row as kept: `significant` marks an action or TCP-state change (kept outside the window). */
type TimelinePoint = FlowTimelineRow & { significant?: boolean };

function event(f: TrackedFlow, s: FlowSnapshot, kind: FlowTimelineRow["event"]): TimelinePoint {
  const e = f.entry;
  return { node: s.node, key: f.key, at: s.at, seq: s.seq, index: e.index, action: e.action, tcpFlags: e.tcpFlags, packets: e.packets, bytes: e.bytes, event: kind };
}
