/**
 * One vRouter's flow table: entries keyed by index, created, updated and aged as a real vRouter does.
 *
 * Indexes come from a hash of the flow key (like the vRouter's hash table), so they look like real
 * indexes (`292028<=>398064`) and stay stable for a given 5-tuple. Counters follow the `Entries:` line of
 * `flow -l` (Created, Added, Deleted, Changed, Processed).
 */

/** TCP flag bits of a flow entry, as in `include/vr_flow.h`. */
export const TCP = {
  FIN: 0x1,
  HALF_CLOSE: 0x2,
  FIN_R: 0x4,
  SYN: 0x8,
  SYN_R: 0x10,
  ESTABLISHED: 0x20,
  ESTABLISHED_R: 0x40,
  RST: 0x80,
  DEAD: 0x8000,
} as const;

/** NAT letters of `Action:N(...)`. */
export interface NatFlags {
  s?: boolean;
  ps?: boolean;
  d?: boolean;
  pd?: boolean;
}

/** One flow entry, with everything `flow -l` and `flow --get` print. */
export interface FlowEntry {
  index: number;
  gen: number;
  rindex: number;
  sip: string;
  sport: number;
  dip: string;
  dport: number;
  proto: number;
  vrf: number;
  /** Destination VRF when the flow is VRF-translated (printed `(vrf->dvrf)`), else undefined. */
  dvrf?: number;
  keyNh: number;
  /** `F` forward, `D` drop, `N` NAT, `H` hold. */
  action: "F" | "D" | "N" | "H";
  nat: NatFlags;
  /** Drop reason name (`Policy`, `NoDstRt`...), for action `D`. */
  dropReason?: string;
  /** NAT rewrite targets (for `flow --get`). */
  natSip?: string;
  natSport?: number;
  natDip?: string;
  natDport?: number;
  /** Flow flags: `N` new, `M` modified, `Dm` delete-marked... */
  flags: string[];
  tcp: number;
  qos: number;
  rpfNh: number;
  packets: number;
  bytes: number;
  /** MPLSoUDP source port (entropy) of this flow. */
  udpSport: number;
  ttl: number;
  sinfo: string;
  /** Lab bookkeeping: epoch ms of creation and of the last update. */
  createdAt: number;
  updatedAt: number;
}

/** Fields a caller supplies to create an entry; the table assigns the index and counters. */
export type FlowInit = Omit<FlowEntry, "index" | "gen" | "rindex" | "packets" | "bytes" | "tcp" | "flags" | "createdAt" | "updatedAt" | "udpSport" | "qos" | "ttl"> &
  Partial<Pick<FlowEntry, "tcp" | "qos" | "ttl">>;

/** Counters printed in the `flow -l` header. */
export interface FlowCounters {
  created: number;
  added: number;
  deleted: number;
  changed: number;
  processed: number;
  perCpu: number[];
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The key string of a flow (5-tuple + VRF).
 *
 * @example
 * flowKey("15.15.15.2", 40000, "101.101.101.1", 80, 6, 5); // "5|6|15.15.15.2|40000|101.101.101.1|80"
 */
export function flowKey(sip: string, sport: number, dip: string, dport: number, proto: number, vrf: number): string {
  return `${vrf}|${proto}|${sip}|${sport}|${dip}|${dport}`;
}

/**
 * A vRouter flow table.
 *
 * @example
 * const t = new FlowTable();
 * const [f, r] = t.addPair(
 *   { sip: "15.15.15.2", sport: 40000, dip: "101.101.101.1", dport: 80, proto: 6, vrf: 5, dvrf: 2, keyNh: 20,
 *     action: "N", nat: { d: true }, rpfNh: 61, sinfo: "192.168.0.204" },
 *   { sip: "10.47.255.238", sport: 80, dip: "15.15.15.2", dport: 40000, proto: 6, vrf: 2, dvrf: 5, keyNh: 20,
 *     action: "N", nat: { s: true }, rpfNh: 20, sinfo: "0.0.0.0" });
 * t.get(f.index)?.rindex === r.index; // true
 */
export class FlowTable {
  /** Number of hash buckets (the `entries` of the header). */
  readonly capacity: number;
  private readonly byIndex = new Map<number, FlowEntry>();
  private readonly byKey = new Map<string, number>();
  private readonly gens = new Map<number, number>();
  readonly counters: FlowCounters;
  private cpu = 0;

  constructor(capacity = 629760, cpus = 4) {
    this.capacity = capacity;
    this.counters = { created: 0, added: 0, deleted: 0, changed: 0, processed: 0, perCpu: new Array(cpus).fill(0) };
  }

  /** Number of active entries. */
  get size(): number {
    return this.byIndex.size;
  }

  /** The entry at an index. */
  get(index: number): FlowEntry | undefined {
    return this.byIndex.get(index);
  }

  /** The entry with this key, if any. */
  find(sip: string, sport: number, dip: string, dport: number, proto: number, vrf: number): FlowEntry | undefined {
    const i = this.byKey.get(flowKey(sip, sport, dip, dport, proto, vrf));
    return i === undefined ? undefined : this.byIndex.get(i);
  }

  /** All active entries, by index. */
  entries(): FlowEntry[] {
    return [...this.byIndex.values()].sort((a, b) => a.index - b.index);
  }

  /** Adds one entry (an existing entry with the same key is replaced, as a reused flow is). */
  add(init: FlowInit, now = Date.now()): FlowEntry {
    const key = flowKey(init.sip, init.sport, init.dip, init.dport, init.proto, init.vrf);
    const old = this.byKey.get(key);
    if (old !== undefined) this.remove(old);
    const h = fnv1a(key);
    let idx = h % this.capacity;
    let probes = 0;
    while (this.byIndex.has(idx)) {
      idx = (idx + 1) % this.capacity;
      if (++probes > this.capacity) throw new Error("flow table full");
    }
    const gen = ((this.gens.get(idx) ?? 0) % 255) + 1;
    this.gens.set(idx, gen);
    // One constructor, fields in a fixed order: every entry has the same shape (fast property access).
    const e: FlowEntry = {
      index: idx,
      gen,
      rindex: -1,
      sip: init.sip,
      sport: init.sport,
      dip: init.dip,
      dport: init.dport,
      proto: init.proto,
      vrf: init.vrf,
      dvrf: init.dvrf,
      keyNh: init.keyNh,
      action: init.action,
      nat: init.nat,
      dropReason: init.dropReason,
      natSip: init.natSip,
      natSport: init.natSport,
      natDip: init.natDip,
      natDport: init.natDport,
      flags: [],
      tcp: init.tcp ?? 0,
      qos: init.qos ?? -1,
      rpfNh: init.rpfNh,
      packets: 0,
      bytes: 0,
      udpSport: 49152 + ((Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0) % (65535 - 49152)),
      ttl: init.ttl ?? 0,
      sinfo: init.sinfo,
      createdAt: now,
      updatedAt: now,
    };
    this.byIndex.set(idx, e);
    this.byKey.set(key, idx);
    this.counters.created++;
    this.counters.added++;
    this.counters.processed++;
    this.counters.perCpu[this.cpu]++;
    this.cpu = (this.cpu + 1) % this.counters.perCpu.length;
    return e;
  }

  /** Adds a forward and a reverse entry that name each other (`Index<=>RIndex`). */
  addPair(fwd: FlowInit, rev: FlowInit, now = Date.now()): [FlowEntry, FlowEntry] {
    const f = this.add(fwd, now);
    const r = this.add(rev, now);
    f.rindex = r.index;
    r.rindex = f.index;
    this.counters.changed += 2;
    return [f, r];
  }

  /** Counts one packet of `bytes` on an entry. */
  count(index: number, bytes: number, now = Date.now()): void {
    const e = this.byIndex.get(index);
    if (!e) return;
    e.packets++;
    e.bytes += bytes;
    e.updatedAt = now;
  }

  /** Sets TCP flag bits on an entry. */
  setTcp(index: number, bits: number): void {
    const e = this.byIndex.get(index);
    if (e && (e.tcp & bits) !== bits) {
      e.tcp |= bits;
      this.counters.changed++;
    }
  }

  /** Removes an entry; returns whether it existed. */
  remove(index: number): boolean {
    const e = this.byIndex.get(index);
    if (!e) return false;
    this.byIndex.delete(index);
    this.byKey.delete(flowKey(e.sip, e.sport, e.dip, e.dport, e.proto, e.vrf));
    this.counters.deleted++;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    for (const i of [...this.byIndex.keys()]) this.remove(i);
  }
}
