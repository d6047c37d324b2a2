/**
 * "The same flow across snapshots": one key with named variants, and one tracker that follows a key
 * over the snapshots (first/last seen, sightings, TCP states, counters). The collector, the probe join
 * (`lib/probe/join.ts`) and the walk (`lib/walk/select.ts`) all use these; they differ only in the
 * variant, and each variant says below why its user needs it.
 */
import type { FlowEntryCore } from "../vrouter/types";
import type { FlowSnapshot } from "./snapshot";

/** The fields that name a flow entry: its table slot, its tuple and its VRF, in the order rows show them. */
export type FlowIdentityFields = Pick<FlowEntryCore, "index" | "rindex" | "srcIp" | "srcPort" | "dstIp" | "dstPort" | "proto" | "vrf">;

/** What a key reads of an entry. */
export type FlowKeyFields = Pick<FlowEntryCore, "index" | "srcIp" | "srcPort" | "dstIp" | "dstPort" | "proto" | "vrf">;

/**
 * The ways packetwalk says "the same flow". Each builds `node …proto src:port>dst:port` (IPv6 in
 * brackets) with the parts its users need, and the reason is written beside it.
 */
export const FLOW_KEYS = {
  /**
   * node + VRF + tuple — the vRouter's own identity (its hash key holds the key next hop, hence the
   * VRF). Used by the collector, whose rows are flows over a long poll: the index is only the slot a
   * flow occupies (an evicted slot is reused by an unrelated flow, and a flow re-created after eviction
   * lands in another slot yet is the same flow: a `changed` event, not a new row); the same tuple in two
   * VRFs (overlapping pod / VN address spaces) is two flows.
   */
  "vrf+tuple": (node: string, e: FlowKeyFields): string => `${node} vrf${e.vrf} ${tupleText(e)}`,
  /**
   * node + index + tuple — one table entry. Used by the walk, which pairs entries through
   * `index ⇄ rindex` and sets aside the entries that predate its probes (`baselineFlows`): a new
   * connection that reuses an old tuple after the old entry was evicted has a new index and must be
   * neither taken for the old entry nor hidden by the baseline. The index already fixes the VRF.
   */
  "index+tuple": (node: string, e: FlowKeyFields): string => `${node} #${e.index} ${tupleText(e)}`,
  /**
   * node + tuple — one connection as a probe knows it. Used by the probe join: a probe knows the tuple
   * it used, not the slot nor the VRF; an entry re-created at another index (eviction, a hold entry
   * becoming real) is still the probe's connection, and connections that reuse a port are told apart
   * by the probes' time windows, not by the key.
   */
  tuple: (node: string, e: FlowKeyFields): string => `${node} ${tupleText(e)}`,
} as const satisfies Record<string, (node: string, e: FlowKeyFields) => string>;

/** The name of a {@link FLOW_KEYS} variant. */
export type FlowKeyVariant = keyof typeof FLOW_KEYS;

/**
 * The identity of a flow entry on a node, by the variant `by` (default `vrf+tuple`, the vRouter's own).
 *
 * @example
 * flowKey("cent222", entry)                // "cent222 vrf5 6 15.15.15.2:51000>101.101.101.1:80"
 * flowKey("cent222", entry, "index+tuple") // "cent222 #400196 6 15.15.15.2:51000>101.101.101.1:80"
 * flowKey("cent222", entry, "tuple")       // "cent222 6 15.15.15.2:51000>101.101.101.1:80"
 */
export function flowKey(node: string, e: FlowKeyFields, by: FlowKeyVariant = "vrf+tuple"): string {
  return FLOW_KEYS[by](node, e);
}

/**
 * The identity fields of an entry, as a new flat object (for rows).
 *
 * @example
 * identityOf(entry); // { index: 1001, rindex: 2002, srcIp: "15.15.15.2", srcPort: 51000, dstIp: "101.101.101.1", dstPort: 80, proto: 6, vrf: 5 }
 */
export function identityOf(e: FlowIdentityFields): FlowIdentityFields {
  return { index: e.index, rindex: e.rindex, srcIp: e.srcIp, srcPort: e.srcPort, dstIp: e.dstIp, dstPort: e.dstPort, proto: e.proto, vrf: e.vrf };
}

/** When and how often a flow was seen. */
export interface FlowSpan {
  /** Epoch ms of the first and the latest snapshot that held it. */
  firstSeen: number;
  lastSeen: number;
  /** How many times it was seen (once per snapshot, unless a snapshot held it twice). */
  sightings: number;
}

/** One flow followed over the snapshots by a {@link FlowTracker}. */
export interface TrackedFlow<E extends FlowEntryCore = FlowEntryCore> extends FlowSpan {
  /** Its {@link flowKey} in the tracker's variant. */
  key: string;
  node: string;
  /** The entry at the latest sighting. */
  entry: E;
  /** The entry at the first sighting. */
  first: E;
  /** The entry at the sighting before the latest, `null` after one sighting (what changed: compare with `entry`). */
  previous: E | null;
  /** Distinct non-empty `TCP:` flag strings in the order they appeared (`S`, `SSr`, `SSrEEr`). */
  tcpStates: string[];
  /** The largest counters seen (the latest, unless the entry's counters went back). */
  packets: number;
  bytes: number;
}

/**
 * Follows flows over snapshots by one {@link FLOW_KEYS} variant. Feed sightings in time order (each
 * snapshot's entries after the previous snapshot's); `values()` lists the flows by first sighting.
 *
 * @example
 * const t = new FlowTracker("vrf+tuple");
 * for (const s of snapshots) for (const e of s.entries) t.see(s.node, s.at, e);
 * t.values()[0].tcpStates; // ["S", "SSrEEr"]
 */
export class FlowTracker<E extends FlowEntryCore = FlowEntryCore> {
  private readonly flows = new Map<string, TrackedFlow<E>>();
  private readonly keyer: (node: string, e: FlowKeyFields) => string;

  constructor(readonly by: FlowKeyVariant) {
    this.keyer = FLOW_KEYS[by];
  }

  /**
   * Follows every entry of `snapshots` (sorted by time, then sequence; the input is not changed),
   * optionally mapped (`map`) and filtered (`pick`).
   *
   * @example
   * FlowTracker.over(obs.snapshots, "index+tuple", { map: normalizeEntry }).values();
   */
  static over<E extends FlowEntryCore = FlowEntryCore>(
    snapshots: readonly FlowSnapshot[],
    by: FlowKeyVariant,
    opts: { map?: (e: FlowEntryCore) => E; pick?: (e: FlowEntryCore, s: FlowSnapshot) => boolean } = {},
  ): FlowTracker<E> {
    const t = new FlowTracker<E>(by);
    for (const s of [...snapshots].sort((a, b) => a.at - b.at || a.seq - b.seq)) {
      for (const raw of s.entries) {
        if (opts.pick && !opts.pick(raw, s)) continue;
        t.see(s.node, s.at, opts.map ? opts.map(raw) : (raw as E));
      }
    }
    return t;
  }

  /**
   * The key of `e` on `node` in this tracker's variant.
   *
   * @example
   * new FlowTracker("tuple").keyOf("cent222", entry); // "cent222 6 15.15.15.2:51000>101.101.101.1:80"
   */
  keyOf(node: string, e: FlowKeyFields): string {
    return this.keyer(node, e);
  }

  /**
   * Records that `node`'s table held `e` at `at` and returns its flow (pass `key` when already known).
   *
   * @example
   * const f = tracker.see("cent222", snapshot.at, entry);
   * f.sightings; // 1 the first time
   */
  see(node: string, at: number, e: E, key = this.keyer(node, e)): TrackedFlow<E> {
    let f = this.flows.get(key);
    if (!f) {
      f = { key, node, entry: e, first: e, previous: null, firstSeen: at, lastSeen: at, sightings: 1, tcpStates: [], packets: 0, bytes: 0 };
      this.flows.set(key, f);
    } else {
      f.previous = f.entry;
      f.entry = e;
      f.lastSeen = at;
      f.sightings++;
    }
    if (e.tcpFlags && f.tcpStates[f.tcpStates.length - 1] !== e.tcpFlags) f.tcpStates.push(e.tcpFlags);
    if (e.packets > f.packets) f.packets = e.packets;
    if (e.bytes > f.bytes) f.bytes = e.bytes;
    return f;
  }

  /**
   * The flow of a key, if seen.
   *
   * @example
   * tracker.get(tracker.keyOf("cent222", entry))?.lastSeen;
   */
  get(key: string): TrackedFlow<E> | undefined {
    return this.flows.get(key);
  }

  /**
   * Forgets a flow (a bounded collector drops flows long gone); returns whether it was known.
   *
   * @example
   * tracker.forget(key); // true
   */
  forget(key: string): boolean {
    return this.flows.delete(key);
  }

  /** Number of distinct flows seen. */
  get size(): number {
    return this.flows.size;
  }

  /**
   * Every flow, in the order of first sighting (the tracker's own records: copy before changing them).
   *
   * @example
   * tracker.values().filter((f) => f.tcpStates.some((s) => s.includes("R")));
   */
  values(): TrackedFlow<E>[] {
    return [...this.flows.values()];
  }
}

function tupleText(e: FlowKeyFields): string {
  return `${e.proto} ${hostPort(e.srcIp, e.srcPort)}>${hostPort(e.dstIp, e.dstPort)}`;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}
