/**
 * Ties captured MPLSoUDP packets to flow entries by their outer UDP source port. A vRouter picks the
 * source port of the MPLSoUDP frames it sends from the flow the inner packet hit (the entropy that
 * spreads flows over the fabric's ECMP paths); `flow -l` prints it as `UdpSrcPort` (older releases) or
 * `SPort`. So a frame captured on the fabric belongs to the flow entry, on the node that sent it (the
 * outer source address), whose `udpSrcPort` equals the frame's outer source port. Pure.
 *
 * @module
 */
import type { FabricMap } from "./discover";
import type { Packet } from "./facts";
import type { SeenFlow } from "./select";

/** The flow entry a captured packet was tied to, and how. */
export interface EntropyFlow {
  node: string;
  /** Flow index on that node. */
  index: number;
  /** The flow's `flowKey` (what `SeenFlow.key` is). */
  key: string;
  /** The shared UDP source port. */
  port: number;
  /** The inner 5-tuple agrees with the entry's too (before NAT), not only the port. */
  tuple: boolean;
}

/**
 * For each MPLSoUDP packet, the flow entry whose `UdpSrcPort`/`SPort` is the packet's outer UDP source
 * port, on the node whose fabric address sent it (any node when the sender is not in the map). When
 * several entries share the port, the one whose 5-tuple the inner packet has wins; a port that
 * stays ambiguous ties nothing. Packets without an outer source port map to nothing.
 *
 * @example
 * const byPacket = flowsByEntropy(facts.packets, facts.flows, facts.fm);
 * byPacket.get(p)?.index; // 4660: the haproxy → service flow on cent222
 */
export function flowsByEntropy(packets: readonly Packet[], flows: readonly SeenFlow[], fm: Pick<FabricMap, "byIp">): Map<Packet, EntropyFlow> {
  const byPort = new Map<number, SeenFlow[]>();
  for (const f of flows) {
    const port = f.entry.udpSrcPort;
    if (port === null || port === undefined || port <= 0) continue;
    const list = byPort.get(port);
    if (list) list.push(f);
    else byPort.set(port, [f]);
  }
  const out = new Map<Packet, EntropyFlow>();
  for (const p of packets) {
    if (p.tunnel !== "MPLSoUDP" || p.tunnelSrcPort === null) continue;
    const sender = fm.byIp[p.outerSrc];
    let cands = (byPort.get(p.tunnelSrcPort) ?? []).filter((f) => sender === undefined || f.node === sender);
    const tupled = cands.filter((f) => sameTuple(p, f));
    if (tupled.length > 0) cands = tupled;
    // the same entry seen under several keys is one candidate
    const distinct = new Map(cands.map((f) => [`${f.node}|${f.entry.index}`, f]));
    if (distinct.size !== 1) continue;
    const f = [...distinct.values()][0]!;
    out.set(p, { node: f.node, index: f.entry.index, key: f.key, port: p.tunnelSrcPort, tuple: tupled.length > 0 });
  }
  return out;
}

function sameTuple(p: Packet, f: SeenFlow): boolean {
  const e = f.entry;
  return e.srcIp === p.src && e.dstIp === p.dst && e.srcPort === p.srcPort && e.dstPort === p.dstPort;
}

/**
 * One sentence on what the entropy join found for some packets: which flow entries their outer
 * source ports name, or why none.
 *
 * @example
 * entropyText(cap.packets, byPacket, [f.proxy.forward]);
 * // "their UDP source port 53211 is the SPort of flow 4660 on cent222 (haproxy's connection)"
 */
export function entropyText(packets: readonly Packet[], byPacket: ReadonlyMap<Packet, EntropyFlow>, expected: readonly { flow: SeenFlow; what: string }[]): string {
  const withPort = packets.filter((p) => p.tunnelSrcPort !== null);
  if (withPort.length === 0) return "";
  const groups = new Map<string, { e: EntropyFlow; n: number }>();
  let unmatched = 0;
  for (const p of withPort) {
    const e = byPacket.get(p);
    if (!e) { unmatched++; continue; }
    const k = `${e.node}|${e.index}|${e.port}`;
    const g = groups.get(k);
    if (g) g.n++;
    else groups.set(k, { e, n: 1 });
  }
  const parts = [...groups.values()].map(({ e, n }) => {
    const named = expected.find((x) => x.flow.node === e.node && x.flow.entry.index === e.index);
    return `${n} with UDP source port ${e.port} = SPort of flow ${e.index} on ${e.node}${named ? ` (${named.what})` : ""}`;
  });
  const ports = [...new Set(withPort.filter((p) => !byPacket.has(p)).map((p) => p.tunnelSrcPort))];
  if (unmatched > 0) parts.push(`${unmatched} with UDP source port${ports.length > 1 ? "s" : ""} ${ports.join(", ")} matching no flow entry's SPort`);
  return parts.join("; ");
}
