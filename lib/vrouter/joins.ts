/**
 * Joins the packet walk needs across parsed tables: flow pairs ({@link pairFlows}), the NAT a pair does
 * in words ({@link explainNat}), label → next hop → interface → pod ({@link followLabel}), and
 * prefix → route → next hop → tunnel endpoint → node ({@link followPrefix}). None of them throws: when the
 * chain breaks the result is `{ ok: false, missing }` naming the command whose output lacked the link.
 */
import { parseIpv4 } from "../ipv4";
import type { FlowEntryCore, MplsRow, NhRow, ParseResult, RtRow, VifRow } from "./types";
import { subNhList } from "./nh";

/** A chain that broke: what was missing, and the links followed before it. */
export interface JoinFailure {
  ok: false;
  /** What was missing, e.g. `mpls --get 38: no entry`. */
  missing: string;
  /** The links that were followed before the chain broke. */
  steps: string[];
}

type Rows<R> = readonly R[] | ParseResult<R>;

function rowsOf<R>(x: Rows<R> | undefined): readonly R[] {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? (x as readonly R[]) : ((x as ParseResult<R>).rows ?? []);
}

/** A flow as the joins need it (any {@link FlowEntryCore} row; `dump` separates snapshots). */
export type FlowLike = FlowEntryCore & { dump?: number; vrfTranslated?: boolean; dvrf?: number };

/** A forward flow and its reverse. */
export interface FlowPair<F extends FlowLike = FlowLike> {
  forward: F;
  reverse: F;
}

/** Result of {@link pairFlows}. */
export interface PairFlowsResult<F extends FlowLike = FlowLike> {
  ok: true;
  pairs: FlowPair<F>[];
  /** Flows whose reverse flow is absent or does not point back, with the reason. */
  unpaired: { flow: F; missing: string }[];
}

const WELL_KNOWN = 1024;

/**
 * Orders two flows of a pair as forward (client → server) and reverse. Rules, in order: the flow that
 * does DNAT is forward (client → floating IP / service IP); the flow towards a well-known port
 * (< 1024) from an ephemeral one is forward; otherwise the lower index.
 *
 * @example
 * orientPair(reverseFlow, forwardFlow) // => { forward: forwardFlow, reverse: reverseFlow }
 */
export function orientPair<F extends FlowLike>(a: F, b: F): FlowPair<F> {
  const ad = a.dnat || a.dpat;
  const bd = b.dnat || b.dpat;
  if (ad && !bd) return { forward: a, reverse: b };
  if (bd && !ad) return { forward: b, reverse: a };
  const aServer = a.dstPort < WELL_KNOWN && a.srcPort >= WELL_KNOWN;
  const bServer = b.dstPort < WELL_KNOWN && b.srcPort >= WELL_KNOWN;
  if (aServer && !bServer) return { forward: a, reverse: b };
  if (bServer && !aServer) return { forward: b, reverse: a };
  return a.index <= b.index ? { forward: a, reverse: b } : { forward: b, reverse: a };
}

/**
 * Pairs every flow with its reverse (`index<=>rindex`, within the same dump), oriented by
 * {@link orientPair}. Flows without a matching reverse are listed in `unpaired` with the reason.
 *
 * @example
 * const { pairs, unpaired } = pairFlows(parseFlow(text));
 * pairs[0].forward.dstIp // => "101.101.101.1"
 */
export function pairFlows<F extends FlowLike>(flows: Rows<F>): PairFlowsResult<F> {
  const rows = rowsOf(flows);
  const byKey = new Map<string, F>();
  for (const f of rows) byKey.set(`${f.dump ?? 0}:${f.index}`, f);
  const done = new Set<F>();
  const pairs: FlowPair<F>[] = [];
  const unpaired: { flow: F; missing: string }[] = [];
  for (const f of rows) {
    if (done.has(f)) continue;
    if (f.rindex === null) {
      unpaired.push({ flow: f, missing: `flow ${f.index}: no reverse flow (rindex -1)` });
      done.add(f);
      continue;
    }
    const r = byKey.get(`${f.dump ?? 0}:${f.rindex}`);
    if (r === undefined) {
      unpaired.push({ flow: f, missing: `flow ${f.index}: reverse flow ${f.rindex} not in the table (flow --get ${f.rindex})` });
      done.add(f);
      continue;
    }
    if (r.rindex !== f.index) {
      unpaired.push({ flow: f, missing: `flow ${f.index}: reverse flow ${f.rindex} points to ${r.rindex ?? "no flow"}, not back to ${f.index}` });
      done.add(f);
      continue;
    }
    done.add(f);
    done.add(r);
    pairs.push(orientPair(f, r));
  }
  return { ok: true, pairs, unpaired };
}

/**
 * Finds the pair of the flow with index `index` (in the last dump holding it).
 *
 * @example
 * pairOf(parseFlow(text), 292028) // => { ok: true, forward: …, reverse: … }
 */
export function pairOf<F extends FlowLike>(flows: Rows<F>, index: number): ({ ok: true } & FlowPair<F>) | JoinFailure {
  const rows = rowsOf(flows);
  let f: F | undefined;
  for (const r of rows) if (r.index === index) f = r;
  if (f === undefined) return { ok: false, missing: `flow --get ${index}: no entry`, steps: [] };
  const steps = [`flow ${index}: ${endpoint(f.srcIp, f.srcPort)} → ${endpoint(f.dstIp, f.dstPort)}`];
  if (f.rindex === null) return { ok: false, missing: `flow ${index}: no reverse flow (rindex -1)`, steps };
  let r: F | undefined;
  for (const x of rows) if (x.index === f.rindex && (x.dump ?? 0) === (f.dump ?? 0)) r = x;
  if (r === undefined) return { ok: false, missing: `flow --get ${f.rindex}: no entry (reverse of ${index})`, steps };
  return { ok: true, ...orientPair(f, r) };
}

function endpoint(ip: string, port: number): string {
  return ip.indexOf(":") >= 0 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** What {@link explainNat} found. */
export interface NatExplanation {
  ok: true;
  /** The translation in words. */
  text: string;
  /** Forward-direction destination after NAT (null when not DNATed). */
  translatedDst: string | null;
  /** Forward-direction source after NAT (null when not SNATed). */
  translatedSrc: string | null;
}

/**
 * Explains a flow pair's NAT in words. The reverse flow's key is the translated tuple, so a DNAT of the
 * forward flow goes to the reverse flow's source, an SNAT to its destination.
 *
 * @example
 * explainNat(pair).text
 * // => "15.15.15.2:42612 → 101.101.101.1:80 is DNATed to 10.47.255.238; replies 10.47.255.238:80 → 15.15.15.2:42612 are SNATed back to 101.101.101.1"
 */
export function explainNat<F extends FlowLike>(pair: FlowPair<F> | { forward?: F; reverse?: F }): NatExplanation | JoinFailure {
  const fwd = pair.forward;
  const rev = pair.reverse;
  if (fwd === undefined) return { ok: false, missing: "no forward flow", steps: [] };
  const head = `${endpoint(fwd.srcIp, fwd.srcPort)} → ${endpoint(fwd.dstIp, fwd.dstPort)}`;
  if (rev === undefined) return { ok: false, missing: `flow --get ${fwd.rindex ?? "?"}: reverse of ${fwd.index} not available`, steps: [head] };
  if (fwd.rindex !== null && fwd.rindex !== rev.index) {
    return { ok: false, missing: `flow ${rev.index} is not the reverse of ${fwd.index} (rindex ${fwd.rindex})`, steps: [head] };
  }
  const parts: string[] = [];
  let translatedDst: string | null = null;
  let translatedSrc: string | null = null;
  if (fwd.dnat || fwd.dpat) {
    const ipChanged = rev.srcIp !== fwd.dstIp;
    const portChanged = rev.srcPort !== fwd.dstPort;
    translatedDst = fwd.dpat || portChanged ? endpoint(rev.srcIp, rev.srcPort) : rev.srcIp;
    const what = ipChanged && (fwd.dpat || portChanged) ? "DNATed (address and port)" : ipChanged ? "DNATed" : "DPATed";
    parts.push(`${what} to ${translatedDst}`);
  }
  if (fwd.snat || fwd.spat) {
    const ipChanged = rev.dstIp !== fwd.srcIp;
    const portChanged = rev.dstPort !== fwd.srcPort;
    translatedSrc = fwd.spat || portChanged ? endpoint(rev.dstIp, rev.dstPort) : rev.dstIp;
    const what = ipChanged && (fwd.spat || portChanged) ? "SNATed (address and port)" : ipChanged ? "SNATed" : "SPATed";
    parts.push(`${parts.length > 0 ? "its source " : "source "}${what} to ${translatedSrc}`);
  }
  let text = parts.length === 0 ? `${head} is not NATed` : `${head} is ${parts.join(" and ")}`;
  if (fwd.vrfTranslated && fwd.dvrf !== undefined) text += ` (VRF ${fwd.vrf} → ${fwd.dvrf})`;
  const back: string[] = [];
  if (rev.snat || rev.spat) back.push(`SNATed back to ${rev.spat ? endpoint(fwd.dstIp, fwd.dstPort) : fwd.dstIp}`);
  if (rev.dnat || rev.dpat) back.push(`DNATed back to ${rev.dpat ? endpoint(fwd.srcIp, fwd.srcPort) : fwd.srcIp}`);
  if (back.length > 0) text += `; replies ${endpoint(rev.srcIp, rev.srcPort)} → ${endpoint(rev.dstIp, rev.dstPort)} are ${back.join(" and ")}`;
  return { ok: true, text, translatedDst, translatedSrc };
}

/** Where a label leads on a node. */
export interface LabelTarget {
  ok: true;
  label: number;
  nh: number;
  nhType: string;
  oif: number;
  /** `vif0/5`. */
  vif: string;
  /** The tap interface (`tapeth0-2a2230`). */
  osName: string | null;
  /** The pod's IP (`IPaddr` of the vif). */
  podIp: string | null;
  /** The pod's MAC, from the Encap rewrite data. */
  podMac: string | null;
  vrf: number | null;
  /** ECMP: every member's target when the label's NH is a composite. */
  members: { nh: number; vif: string; podIp: string | null }[];
  steps: string[];
}

/**
 * Follows an MPLS label on a node: `mpls` → next hop → its outgoing interface (`Oif`) → `vif` → the
 * pod's tap interface and IP. A composite (ECMP) next hop is followed through its members.
 *
 * @example
 * followLabel(38, { mpls: parseMpls(m), nh: parseNh(n), vif: parseVif(v) })
 * // => { ok: true, vif: "vif0/5", podIp: "10.47.255.236", … }
 */
export function followLabel(
  label: number,
  tables: { mpls: Rows<MplsRow>; nh: Rows<NhRow>; vif: Rows<VifRow> },
): LabelTarget | JoinFailure {
  const steps: string[] = [];
  const m = rowsOf(tables.mpls).find((r) => r.label === label);
  if (m === undefined) return { ok: false, missing: `mpls --get ${label}: no entry`, steps };
  steps.push(`label ${label} → nh ${m.nh}`);
  const nhs = rowsOf(tables.nh);
  const vifs = rowsOf(tables.vif);
  const nh = nhs.find((r) => r.id === m.nh);
  if (nh === undefined) return { ok: false, missing: `nh --get ${m.nh}: no entry`, steps };
  const toVif = (n: NhRow): { ok: true; vif: VifRow } | JoinFailure => {
    if (n.type === "Tunnel") {
      return { ok: false, missing: `nh ${n.id} is a Tunnel (${n.tunnelType ?? "?"} ${n.sip ?? "?"} → ${n.dip ?? "?"}): label ${label} leaves this node`, steps };
    }
    if (n.type !== "Encap" && n.type !== "Receive" && n.type !== "L2 Receive") {
      return { ok: false, missing: `nh ${n.id} is ${n.type}, not an interface next hop: label ${label} does not end at a pod here`, steps };
    }
    if (n.oif === null) return { ok: false, missing: `nh --get ${n.id}: no Oif`, steps };
    const v = vifs.find((r) => r.index === n.oif);
    if (v === undefined) return { ok: false, missing: `vif --get ${n.oif}: no entry`, steps };
    return { ok: true, vif: v };
  };
  if (nh.type === "Composite") {
    steps.push(`nh ${nh.id} (Composite) → ${nh.subNhs ?? "no members"}`);
    const members: { nh: number; vif: string; podIp: string | null }[] = [];
    let first: { n: NhRow; v: VifRow } | null = null;
    let lastFail: JoinFailure | null = null;
    for (const s of subNhList(nh)) {
      if (s.nh < 0) continue;
      const sn = nhs.find((r) => r.id === s.nh);
      if (sn === undefined) {
        lastFail = { ok: false, missing: `nh --get ${s.nh}: no entry (member of composite ${nh.id})`, steps };
        continue;
      }
      const r = toVif(sn);
      if (!r.ok) {
        lastFail = r;
        continue;
      }
      members.push({ nh: sn.id, vif: r.vif.name, podIp: r.vif.ipAddr });
      if (first === null) first = { n: sn, v: r.vif };
    }
    if (first === null) return lastFail ?? { ok: false, missing: `nh ${nh.id}: composite without members`, steps };
    steps.push(`nh ${first.n.id} (${first.n.type}) → Oif ${first.n.oif}`, `${first.v.name} ${first.v.osName ?? ""} ${first.v.ipAddr ?? ""}`.trim());
    return {
      ok: true,
      label,
      nh: nh.id,
      nhType: nh.type,
      oif: first.n.oif ?? -1,
      vif: first.v.name,
      osName: first.v.osName,
      podIp: first.v.ipAddr,
      podMac: first.n.encapDstMac,
      vrf: first.v.vrf,
      members,
      steps,
    };
  }
  const r = toVif(nh);
  if (!r.ok) return r;
  steps.push(`nh ${nh.id} (${nh.type}) → Oif ${nh.oif}`, `${r.vif.name} ${r.vif.osName ?? ""} ${r.vif.ipAddr ?? ""}`.trim());
  return {
    ok: true,
    label,
    nh: nh.id,
    nhType: nh.type,
    oif: nh.oif ?? -1,
    vif: r.vif.name,
    osName: r.vif.osName,
    podIp: r.vif.ipAddr,
    podMac: nh.encapDstMac,
    vrf: r.vif.vrf,
    members: [{ nh: nh.id, vif: r.vif.name, podIp: r.vif.ipAddr }],
    steps,
  };
}

/**
 * Parses an IPv4 or IPv6 address to a bigint (and its bit width), null when invalid.
 *
 * @example
 * ipToBigInt("10.0.0.1") // => { value: 167772161n, bits: 32 }
 */
export function ipToBigInt(ip: string): { value: bigint; bits: 32 | 128 } | null {
  if (ip.indexOf(":") < 0) {
    const v4 = parseIpv4(ip);
    return v4 < 0 ? null : { value: BigInt(v4), bits: 32 };
  }
  let s = ip;
  // Embedded IPv4 tail (::ffff:1.2.3.4).
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const t = ipToBigInt(v4[1]);
    if (t === null) return null;
    s = `${s.slice(0, v4.index)}${((t.value >> 16n) & 0xffffn).toString(16)}:${(t.value & 0xffffn).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return null;
  const groups = [...head, ...new Array<string>(fill).fill("0"), ...tail];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return { value: v, bits: 128 };
}

function inPrefix(addr: { value: bigint; bits: number }, net: { value: bigint; bits: number }, len: number): boolean {
  if (addr.bits !== net.bits || len < 0 || len > addr.bits) return false;
  const shift = BigInt(addr.bits - len);
  return addr.value >> shift === net.value >> shift;
}

/** A route row `lookupRoute` can match: `rt` rows (`RtRow`), Linux `ip route` rows (`IpRouteRow`). */
export interface PrefixRow {
  address: string | null;
  prefixLen: number | null;
  /** Rows of another VRF are skipped when a VRF is asked for; rows without one always count. */
  vrf?: number | null;
}

/**
 * Longest-prefix match of an address among route rows (optionally only VRF `vrf`), like `rt --get`
 * or the kernel's lookup in one `ip route` table.
 *
 * @example
 * lookupRoute(parseRt(dump).rows, "10.0.3.99")?.prefix // => "10.0.3.0/24"
 * lookupRoute(parseIpRoute(text).rows, "101.101.101.1")?.destination // => "default"
 */
export function lookupRoute<R extends PrefixRow = RtRow>(rows: Rows<R>, address: string, vrf?: number | null): R | null {
  const ip = ipToBigInt(address.split("/")[0]);
  if (ip === null) return null;
  let best: R | null = null;
  for (const r of rowsOf(rows)) {
    if (r.address === null || r.prefixLen === null) continue;
    if (vrf !== undefined && vrf !== null && r.vrf !== undefined && r.vrf !== null && r.vrf !== vrf) continue;
    const net = ipToBigInt(r.address);
    if (net === null || !inPrefix(ip, net, r.prefixLen)) continue;
    if (best === null || (best.prefixLen ?? -1) < r.prefixLen) best = r;
  }
  return best;
}

/** One tunnel endpoint a prefix leads to. */
export interface PrefixEndpoint {
  nh: number;
  label: number | null;
  tunnelType: string | null;
  sip: string | null;
  dip: string | null;
  node: string | null;
}

/** Where a prefix leads. */
export interface PrefixTarget {
  ok: true;
  /** The matching route (`10.99.225.17/32`). */
  route: string;
  vrf: number | null;
  label: number | null;
  nh: number;
  nhType: string;
  /** True when the next hop is local (Encap/Receive): no tunnel. */
  local: boolean;
  oif: number | null;
  tunnelType: string | null;
  sip: string | null;
  dip: string | null;
  /**
   * The node name of `dip` (from the fabric IP → node map); `null` when the next hop is local, when no
   * map was given, or when `dip` is not in the map (then `notes` says so).
   */
  node: string | null;
  /** ECMP: every member endpoint when the route's NH is a composite. */
  endpoints: PrefixEndpoint[];
  steps: string[];
  /**
   * What the chain could not name although it was followed to the end, e.g. `no node with fabric IP
   * 10.169.25.21 in the nodes map: the tunnel's far end is not a known node`. Empty when all is known.
   */
  notes: string[];
}

/**
 * Follows a prefix on a node: `rt` (longest prefix match, in `vrf` when given) → next hop → tunnel
 * endpoint (`Dip`) → node name via `nodes` (fabric IP → name). A composite next hop is followed
 * through its members.
 *
 * `ok: false` only when the vRouter chain itself breaks (no route, no next hop). A tunnel whose `Dip`
 * is not in `nodes` (the gateway, a node missing from the inventory) is still `ok: true` with the route,
 * label, next hop and tunnel it found, `node: null` and a note in `notes` saying which address is unknown.
 *
 * @example
 * followPrefix("10.99.225.17", { rt, nh, vrf: 2, nodes: { "10.169.25.21": "cent333" } })
 * // => { ok: true, label: 38, tunnelType: "MPLSoUDP", dip: "10.169.25.21", node: "cent333", notes: [], … }
 * followPrefix("10.99.225.17", { rt, nh, vrf: 2, nodes: {} })
 * // => { ok: true, label: 38, dip: "10.169.25.21", node: null, notes: ["no node with fabric IP 10.169.25.21 in the nodes map: …"], … }
 */
export function followPrefix(
  prefix: string,
  tables: {
    rt: Rows<RtRow>;
    nh: Rows<NhRow>;
    nodes?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
    vrf?: number | null;
  },
): PrefixTarget | JoinFailure {
  const steps: string[] = [];
  const notes: string[] = [];
  const nodeOf = (ip: string | null): string | null => {
    if (ip === null || tables.nodes === undefined) return null;
    const n = tables.nodes;
    if (n instanceof Map) return n.get(ip) ?? null;
    return Object.prototype.hasOwnProperty.call(n, ip) ? (n as Record<string, string>)[ip] : null;
  };
  const unknownNode = (ip: string, what: string): void => {
    const note = `no node with fabric IP ${ip} in the nodes map: ${what} is not a known node`;
    if (!notes.includes(note)) notes.push(note);
  };
  const route = lookupRoute(tables.rt, prefix, tables.vrf);
  const vrfText = tables.vrf === undefined || tables.vrf === null ? "" : ` --vrf ${tables.vrf}`;
  if (route === null) return { ok: false, missing: `rt --get ${prefix.indexOf("/") >= 0 ? prefix : `${prefix}/32`}${vrfText}: no route`, steps };
  steps.push(`${prefix} → route ${route.prefix} (label ${route.label ?? "-"}, nh ${route.nh ?? "-"})`);
  if (route.nh === null) return { ok: false, missing: `route ${route.prefix}: no next hop in the rt output`, steps };
  const nhs = rowsOf(tables.nh);
  const nh = nhs.find((r) => r.id === route.nh);
  if (nh === undefined) return { ok: false, missing: `nh --get ${route.nh}: no entry`, steps };
  const base = { ok: true as const, route: route.prefix ?? prefix, vrf: route.vrf, label: route.label, nh: nh.id, nhType: nh.type };
  if (nh.type === "Tunnel") {
    const node = nodeOf(nh.dip);
    steps.push(`nh ${nh.id} (Tunnel ${nh.tunnelType ?? "?"}) → ${nh.dip ?? "?"}`);
    if (nh.dip === null) return { ok: false, missing: `nh --get ${nh.id}: tunnel without Dip`, steps };
    // An unknown far end is a gap in the map, not in the chain: keep what was found and say so.
    if (tables.nodes !== undefined && node === null) unknownNode(nh.dip, "the tunnel's far end");
    if (node !== null) steps.push(`${nh.dip} is ${node}`);
    const ep: PrefixEndpoint = { nh: nh.id, label: route.label, tunnelType: nh.tunnelType, sip: nh.sip, dip: nh.dip, node };
    return { ...base, local: false, oif: nh.oif, tunnelType: nh.tunnelType, sip: nh.sip, dip: nh.dip, node, endpoints: [ep], steps, notes };
  }
  if (nh.type === "Composite") {
    steps.push(`nh ${nh.id} (Composite) → ${nh.subNhs ?? "no members"}`);
    const endpoints: PrefixEndpoint[] = [];
    for (const s of subNhList(nh)) {
      if (s.nh < 0) continue;
      const sn = nhs.find((r) => r.id === s.nh);
      if (sn === undefined || sn.type !== "Tunnel") continue;
      const node = nodeOf(sn.dip);
      if (tables.nodes !== undefined && node === null && sn.dip !== null) unknownNode(sn.dip, `the far end of ECMP member nh ${sn.id}`);
      endpoints.push({ nh: sn.id, label: s.label, tunnelType: sn.tunnelType, sip: sn.sip, dip: sn.dip, node });
    }
    if (endpoints.length === 0) {
      const locals = subNhList(nh).filter((s) => nhs.some((r) => r.id === s.nh));
      if (locals.length === 0) return { ok: false, missing: `nh --get ${nh.id}: members ${nh.subNhs ?? ""} not in the nh output`, steps };
      return { ...base, local: true, oif: null, tunnelType: null, sip: null, dip: null, node: null, endpoints, steps, notes };
    }
    const e = endpoints[0];
    return { ...base, label: e.label ?? route.label, local: false, oif: null, tunnelType: e.tunnelType, sip: e.sip, dip: e.dip, node: e.node, endpoints, steps, notes };
  }
  if (nh.type === "Encap" || nh.type === "Receive" || nh.type === "L2 Receive") {
    steps.push(`nh ${nh.id} (${nh.type}) → local Oif ${nh.oif ?? "?"}`);
    return { ...base, local: true, oif: nh.oif, tunnelType: null, sip: null, dip: null, node: null, endpoints: [], steps, notes };
  }
  return { ok: false, missing: `nh ${nh.id} is ${nh.type}: route ${route.prefix} does not lead to a tunnel or interface`, steps };
}
