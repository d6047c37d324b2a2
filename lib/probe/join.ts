/**
 * Joins probes to the vRouter flow entries that carried them (pure).
 *
 * A probe is found by its client-side tuple: source port = the probe's local port, destination = the
 * address it spoke to (or dialled). The flow pair's other half comes from `Index<=>RIndex` (or, when the
 * table lacks it, the mirrored tuple), and a difference between the forward destination and the reverse
 * source is the NAT the vRouter applied (`101.101.101.1:80` → `10.47.255.238:80`). A proxy such as the
 * ingress haproxy opens a NEW connection from the NAT target (`10.47.255.238:Q → 10.99.225.17:80`):
 * its port differs, so it is linked by time overlap and marked `linkedBy: "time"`, and followed across
 * nodes by its own exact tuple.
 */
import { FlowTracker, flowKey, identityOf, type FlowIdentityFields, type FlowSpan, type TrackedFlow } from "../flows/identity";
import type { FlowSnapshot } from "../flows/snapshot";
import type { FlowEntryCore } from "../vrouter/types";
import { formatEndpoint, type ProbeLike } from "./types";

/** How a flow entry was tied to a probe. */
export type LinkedBy = "port" | "rindex" | "time";

/** Which side of which connection an entry is. */
export type FlowRole = "client-forward" | "client-reverse" | "proxy-forward" | "proxy-reverse";

/**
 * One flow entry (one node, one tuple: the `tuple` variant of `flowKey`, see `lib/flows/identity.ts`)
 * followed over the snapshots that showed it: its identity fields, `action` and NAT flags, and
 * `packets` / `bytes` at the last sighting.
 */
export interface FlowTrack extends FlowIdentityFields, Pick<FlowEntryCore, "action" | "snat" | "dnat" | "spat" | "dpat" | "packets" | "bytes">, FlowSpan {
  node: string;
  role: FlowRole;
  linkedBy: LinkedBy;
  /** Distinct `TCP:` flag strings in the order they appeared. */
  tcpStates: string[];
}

/** A translation the vRouter applied, in words. */
export interface NatStep {
  node: string;
  /** `dnat`, `snat`, `dnat+dpat`, `snat+spat`… */
  kind: string;
  from: string;
  to: string;
  /** `DNAT 101.101.101.1:80 → 10.47.255.238:80 on cent222`. */
  words: string;
  linkedBy: LinkedBy;
}

/** Everything known about one probe's flows. */
export interface ProbeJoin {
  /** Position of the probe in the input. */
  probe: number;
  tracks: FlowTrack[];
  nat: NatStep[];
}

/** A flat row per probe, ready for `aq.from(rows)`. */
export interface ProbeFlowRow {
  probe: number;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  /** HTTP status when the probe is an HTTP one. */
  status: number | null;
  /** `kind: message`, or null. */
  error: string | null;
  localPort: number | null;
  remote: string;
  dialed: string;
  /** True when the client tuple was seen in some flow table. */
  found: boolean;
  /** Nodes whose tables showed any linked entry, comma-separated. */
  nodes: string;
  firstSeen: number | null;
  lastSeen: number | null;
  /** Distinct TCP flag strings of the client flow, in order: `S → SSr → SSrEEr`. */
  tcpStates: string;
  /** NAT steps in words, `; `-separated. */
  nat: string;
  /** Client forward flow counters at last sight. */
  packets: number | null;
  bytes: number | null;
  /** Entries linked by port or index. */
  flows: number;
  /** Entries linked only by time (the proxy's own connection). */
  linkedByTime: number;
}

/** Options of {@link joinProbesToFlows}. */
export interface JoinOptions {
  /** Tolerance between the probe's clock and the nodes' clocks, default 1000 ms. */
  skewMs?: number;
  /** Only these nodes. */
  nodes?: readonly string[];
}

interface Sighting {
  at: number;
  seq: number;
  entry: FlowEntryCore;
}

/** A tracked flow with the snapshots that showed it (to find its `rindex` partner in each). */
interface RawTrack {
  key: string;
  node: string;
  flow: TrackedFlow;
  sightings: Sighting[];
}

/** Tracks sightings (in time order) by the `tuple` key, keeping each one's snapshot. */
function trackSightings(seen: readonly ({ node: string } & Sighting)[]): RawTrack[] {
  const tracker = new FlowTracker("tuple");
  const sightings = new Map<string, Sighting[]>();
  for (const sg of seen) {
    const f = tracker.see(sg.node, sg.at, sg.entry);
    let list = sightings.get(f.key);
    if (!list) sightings.set(f.key, (list = []));
    list.push({ at: sg.at, seq: sg.seq, entry: sg.entry });
  }
  return tracker.values().map((flow) => ({ key: flow.key, node: flow.node, flow, sightings: sightings.get(flow.key)! }));
}

/** A tuple without its node: haproxy's connection is followed onto the next node by it. */
const tupleKey = (e: FlowEntryCore) => `${e.proto}|${e.srcIp}|${e.srcPort}|${e.dstIp}|${e.dstPort}`;

/**
 * Joins each probe to the flow entries that carried it. Pure; never throws.
 *
 * @example
 * const joins = joinProbesToFlows(results, snapshots);
 * joins[0].nat.map(n => n.words); // ["DNAT 101.101.101.1:80 → 10.47.255.238:80 on cent222", …]
 */
export function joinProbesToFlows(probes: readonly ProbeLike[], snapshots: readonly FlowSnapshot[], opts: JoinOptions = {}): ProbeJoin[] {
  const skew = opts.skewMs ?? 1000;
  const nodeOk = (n: string) => !opts.nodes || opts.nodes.includes(n);
  const snaps = snapshots.filter((s) => nodeOk(s.node)).slice().sort((a, b) => a.at - b.at || a.seq - b.seq);

  // Per node and snapshot: index -> entry, to resolve rindex.
  const byIndex = new Map<string, Map<number, FlowEntryCore>>();
  for (const s of snaps) byIndex.set(`${s.node}|${s.seq}|${s.at}`, new Map(s.entries.map((e) => [e.index, e])));

  /** Tracks of entries passing `pick`, restricted to snapshots in [from, to). */
  const collect = (pick: (e: FlowEntryCore, s: FlowSnapshot) => boolean, from: number, to: number): RawTrack[] => {
    const seen: ({ node: string } & Sighting)[] = [];
    for (const s of snaps) {
      if (s.at < from || s.at >= to) continue;
      for (const e of s.entries) if (pick(e, s)) seen.push({ node: s.node, at: s.at, seq: s.seq, entry: e });
    }
    return trackSightings(seen);
  };

  /** The rindex partners of a track's sightings, as tracks. */
  const partnersOf = (t: RawTrack): RawTrack[] => {
    const seen: ({ node: string } & Sighting)[] = [];
    for (const sg of t.sightings) {
      const r = sg.entry.rindex;
      const e = r === null ? undefined : byIndex.get(`${t.node}|${sg.seq}|${sg.at}`)?.get(r);
      if (e) seen.push({ node: t.node, at: sg.at, seq: sg.seq, entry: e });
    }
    return trackSightings(seen);
  };

  // Windows: from probe start (minus skew) until the next probe using the same local port starts.
  const windows = probes.map((p, i) => {
    const port = p.local?.port;
    let until = Infinity;
    for (let j = 0; j < probes.length; j++) {
      const q = probes[j]!;
      if (j !== i && port !== undefined && q.local?.port === port && q.startedAt > p.startedAt) until = Math.min(until, q.startedAt - skew / 2);
    }
    return { from: p.startedAt - skew, until };
  });

  const joins: ProbeJoin[] = probes.map((_, i) => ({ probe: i, tracks: [], nat: [] }));
  const natTargets: Array<Array<{ ip: string; port: number; proto: number }>> = probes.map(() => []);

  probes.forEach((p, i) => {
    const port = p.local?.port;
    if (!port) return;
    const dsts = [p.remote, p.dialed].filter((e): e is NonNullable<typeof e> => !!e);
    const { from, until } = windows[i]!;
    const isDst = (e: FlowEntryCore) => dsts.some((d) => d.address === e.dstIp && d.port === e.dstPort);
    const forward = collect((e) => e.srcPort === port && isDst(e), from, until);
    const clientIps = new Set(forward.map((t) => t.flow.first.srcIp));
    const seen = new Set<string>(forward.map((t) => t.key));
    const forwards: RawTrack[] = [];
    const add = (t: RawTrack, role: FlowRole, linkedBy: LinkedBy) => {
      seen.add(t.key);
      if (role === "client-forward") forwards.push(t);
      joins[i]!.tracks.push(summarize(t, role, linkedBy));
    };
    for (const t of forward) add(t, "client-forward", "port");
    // The same client tuple after translation on other nodes (same client IP and port, other destination).
    for (const t of collect((e) => e.srcPort === port && clientIps.has(e.srcIp) && !isDst(e), from, until)) {
      if (!seen.has(t.key)) add(t, "client-forward", "port");
    }
    for (const raw of [...forwards]) {
      for (const r of partnersOf(raw)) if (!seen.has(r.key)) add(r, "client-reverse", "rindex");
    }
    // Reverse entries without an index link: destination = a client IP and the client port.
    for (const t of collect((e) => e.dstPort === port && clientIps.has(e.dstIp), from, until)) {
      if (!seen.has(t.key)) add(t, "client-reverse", "port");
    }
    // NAT targets: reverse sources that differ from where the client sent.
    for (const t of joins[i]!.tracks) {
      if (t.role !== "client-reverse") continue;
      if (!dsts.some((d) => d.address === t.srcIp && d.port === t.srcPort)) {
        natTargets[i]!.push({ ip: t.srcIp, port: t.srcPort, proto: t.proto });
      }
    }
  });

  // Proxy connections from a NAT target, linked by time to the single closest probe.
  const claimed = new Set<string>(joins.flatMap((j) => j.tracks.map((t) => flowKey(t.node, t, "tuple"))));
  const proxyIps = new Set(natTargets.flatMap((ts) => ts.map((t) => t.ip)));
  if (proxyIps.size) {
    const candidates = collect((e) => proxyIps.has(e.srcIp), -Infinity, Infinity).filter((t) => !claimed.has(t.key));
    for (const c of candidates) {
      const e0 = c.flow.first;
      const first = c.flow.firstSeen;
      const last = c.flow.lastSeen;
      let best = -1;
      let bestDist = Infinity;
      probes.forEach((p, i) => {
        const t = natTargets[i]!.find((n) => n.ip === e0.srcIp && n.proto === e0.proto);
        if (!t || t.port === e0.srcPort) return;
        if (first > p.endedAt + skew || last < p.startedAt - skew) return;
        const d = Math.abs(first - p.startedAt);
        if (d < bestDist) {
          bestDist = d;
          best = i;
        }
      });
      if (best < 0) continue;
      const j = joins[best]!;
      claimed.add(c.key);
      j.tracks.push(summarize(c, "proxy-forward", "time"));
      for (const r of partnersOf(c)) {
        if (claimed.has(r.key)) continue;
        claimed.add(r.key);
        j.tracks.push(summarize(r, "proxy-reverse", "time"));
      }
    }
    // The proxy tuple on other nodes (cent333's pair), by exact tuple and its rindex partner.
    for (const j of joins) {
      const proxies = j.tracks.filter((t) => t.role === "proxy-forward");
      if (!proxies.length) continue;
      const p = probes[j.probe]!;
      const tuples = new Set(proxies.map((t) => `${t.proto}|${t.srcIp}|${t.srcPort}|${t.dstIp}|${t.dstPort}`));
      const ports = new Set(proxies.map((t) => `${t.srcIp}|${t.srcPort}`));
      const more = collect(
        (e) => tuples.has(tupleKey(e)) || ports.has(`${e.dstIp}|${e.dstPort}`),
        p.startedAt - skew,
        windows[j.probe]!.until === Infinity ? Infinity : windows[j.probe]!.until + skew,
      ).filter((t) => !claimed.has(t.key));
      for (const t of more) {
        claimed.add(t.key);
        j.tracks.push(summarize(t, tuples.has(tupleKey(t.flow.first)) ? "proxy-forward" : "proxy-reverse", "time"));
        for (const r of partnersOf(t)) {
          if (claimed.has(r.key)) continue;
          claimed.add(r.key);
          j.tracks.push(summarize(r, "proxy-reverse", "time"));
        }
      }
    }
  }

  for (const j of joins) j.nat = natSteps(j.tracks);
  return joins;
}

function summarize(t: RawTrack, role: FlowRole, linkedBy: LinkedBy): FlowTrack {
  const f = t.flow;
  const last = f.entry;
  return {
    node: t.node,
    role,
    linkedBy,
    ...identityOf(last),
    action: last.action,
    snat: last.snat,
    dnat: last.dnat,
    spat: last.spat,
    dpat: last.dpat,
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    sightings: f.sightings,
    tcpStates: [...f.tcpStates],
    packets: last.packets,
    bytes: last.bytes,
  };
}

/** NAT applied, in words, from forward entries (and reverse ones whose forward half was not seen). */
function natSteps(tracks: readonly FlowTrack[]): NatStep[] {
  const steps: NatStep[] = [];
  const ep = (ip: string, port: number) => formatEndpoint({ address: ip, port });
  const partner = (t: FlowTrack) =>
    tracks.find((o) => o !== t && o.node === t.node && ((t.rindex !== null && o.index === t.rindex) || (o.dstIp === t.srcIp && o.dstPort === t.srcPort && o.proto === t.proto)));
  for (const t of tracks) {
    const isForward = t.role === "client-forward" || t.role === "proxy-forward";
    const p = partner(t);
    if (!isForward && p && (p.role === "client-forward" || p.role === "proxy-forward")) continue;
    if (t.dnat || t.dpat) {
      const kind = t.dnat && t.dpat ? "dnat+dpat" : t.dnat ? "dnat" : "dpat";
      const from = ep(t.dstIp, t.dstPort);
      const to = p ? ep(p.srcIp, p.srcPort) : "(reverse flow not seen)";
      steps.push({ node: t.node, kind, from, to, words: `${kind.toUpperCase()} ${from} → ${to} on ${t.node}`, linkedBy: t.linkedBy });
    }
    if (t.snat || t.spat) {
      const kind = t.snat && t.spat ? "snat+spat" : t.snat ? "snat" : "spat";
      const from = ep(t.srcIp, t.srcPort);
      const to = p ? ep(p.dstIp, p.dstPort) : "(partner flow not seen)";
      const side = isForward ? "" : " (return traffic)";
      steps.push({ node: t.node, kind, from, to, words: `${kind.toUpperCase()} ${from} → ${to} on ${t.node}${side}`, linkedBy: t.linkedBy });
    }
  }
  return steps;
}

/**
 * One flat row per probe, from the probes and their joins.
 *
 * @example
 * aq.from(probeFlowRows(results, joinProbesToFlows(results, snapshots)));
 */
export function probeFlowRows(probes: readonly ProbeLike[], joins: readonly ProbeJoin[]): ProbeFlowRow[] {
  return probes.map((p, i) => {
    const j = joins[i] ?? { probe: i, tracks: [], nat: [] };
    const direct = j.tracks.filter((t) => t.linkedBy !== "time");
    const client = direct.filter((t) => t.role === "client-forward").sort((a, b) => a.firstSeen - b.firstSeen);
    const states: string[] = [];
    const merged = client.flatMap((t) => t.tcpStates.map((s, k) => ({ s, k, at: t.firstSeen })));
    for (const m of merged) if (!states.includes(m.s)) states.push(m.s);
    const lastClient = client.slice().sort((a, b) => b.lastSeen - a.lastSeen)[0];
    const status = (p as ProbeLike & { status?: unknown }).status;
    return {
      probe: i,
      startedAt: p.startedAt,
      endedAt: p.endedAt,
      ok: p.ok,
      status: typeof status === "number" ? status : null,
      error: p.error ? `${p.error.kind}: ${p.error.message}` : null,
      localPort: p.local?.port ?? null,
      remote: formatEndpoint(p.remote),
      dialed: formatEndpoint(p.dialed),
      found: client.length > 0,
      nodes: [...new Set(j.tracks.map((t) => t.node))].sort().join(","),
      firstSeen: direct.length ? Math.min(...direct.map((t) => t.firstSeen)) : null,
      lastSeen: direct.length ? Math.max(...direct.map((t) => t.lastSeen)) : null,
      tcpStates: states.join(" → "),
      nat: j.nat.map((n) => n.words + (n.linkedBy === "time" ? " (linked by time)" : "")).join("; "),
      packets: lastClient?.packets ?? null,
      bytes: lastClient?.bytes ?? null,
      flows: direct.length,
      linkedByTime: j.tracks.length - direct.length,
    };
  });
}
