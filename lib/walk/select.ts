/**
 * Picks the flows of the probe out of the snapshots: the client's FIP flow pair, haproxy's new
 * connection to the service, and the service NAT pair on the backend node. Pure.
 */
import { flowKey, FlowTracker, type TrackedFlow } from "../flows/identity";
import type { FlowSnapshot } from "../flows/snapshot";
import { explainNat, orientPair, type FlowPair } from "../vrouter/joins";
import type { FlowEntry, FlowEntryCore } from "../vrouter/types";
import type { Cell } from "./types";

/**
 * One flow entry followed across snapshots (`FlowTracker`, by the `index+tuple` key: see
 * `lib/flows/identity.ts` for why the walk keys by entry). `entry` is the latest sighting, decoded
 * ({@link normalizeEntry}); `packets` / `bytes` the largest counters seen.
 */
export type SeenFlow = TrackedFlow<FlowEntry>;

/**
 * The flows already in the tables before `before` (epoch ms, the first probe's start): the keys
 * (`flowKey(node, entry, "index+tuple")`, a {@link SeenFlow}'s `key`) of every entry of a snapshot
 * taken before it. A snapshot's `at` is when its table read had completed, so its whole content
 * predates `before` exactly when `at < before`; no allowance for the read's duration is needed.
 *
 * @example
 * const baseline = baselineFlows(obs.snapshots, firstProbe.startedAt);
 * flows.filter((f) => !baseline.has(f.key)); // the flows that appeared during the probes
 */
export function baselineFlows(snapshots: readonly FlowSnapshot[], before: number): Set<string> {
  const out = new Set<string>();
  for (const s of snapshots) if (s.at < before) for (const e of s.entries) out.add(flowKey(s.node, e, "index+tuple"));
  return out;
}

/**
 * Follows every flow entry (node, index, 5-tuple) over the snapshots.
 *
 * @example
 * const flows = seenFlows(obs.snapshots);
 * flows.filter((f) => f.node === "cent222").length; // 4
 */
export function seenFlows(snapshots: readonly FlowSnapshot[]): SeenFlow[] {
  return FlowTracker.over(snapshots, "index+tuple", { map: normalizeEntry }).values();
}

/**
 * A snapshot entry with the decoded fields the walk reads, filled in from the core fields when the
 * snapshot source gave only {@link FlowEntryCore} (`actionCode`, `dropReason`, `vrfTranslated`, `dvrf`).
 *
 * @example
 * normalizeEntry({ ...core, action: "D(Policy)" }).dropReason; // "Policy"
 */
export function normalizeEntry(raw: FlowEntryCore): FlowEntry {
  const e = raw as Partial<FlowEntry> & FlowEntryCore;
  if (e.actionCode !== undefined && e.dvrf !== undefined) return e as FlowEntry;
  const drop = /^D\((.*)\)$/.exec(e.action)?.[1] ?? null;
  return {
    ...e,
    actionCode: e.actionCode ?? (e.action[0] ?? "U"),
    dropReason: e.dropReason ?? drop,
    dvrf: e.dvrf ?? e.vrf,
    vrfTranslated: e.vrfTranslated ?? false,
    tcpRst: e.tcpRst ?? e.tcpFlags.includes("R"),
  } as FlowEntry;
}

/**
 * The reverse flow of `f` (same node, `index<=>rindex`), if seen.
 *
 * @example
 * reverseOf(flows, fipForward)?.entry.action; // "N(S)"
 */
export function reverseOf(flows: readonly SeenFlow[], f: SeenFlow): SeenFlow | undefined {
  if (f.entry.rindex === null) return undefined;
  return flows.find((x) => x.node === f.node && x.entry.index === f.entry.rindex && x.entry.rindex === f.entry.index);
}

/** A forward flow with its reverse (when seen), oriented client → server. */
export interface SeenPair {
  node: string;
  forward: SeenFlow;
  reverse: SeenFlow | null;
}

/**
 * Pairs a flow with its reverse and orients the pair (the DNAT side is forward).
 *
 * @example
 * pairSeen(flows, fipForward).reverse?.entry.srcIp; // "10.47.255.238"
 */
export function pairSeen(flows: readonly SeenFlow[], f: SeenFlow): SeenPair {
  const r = reverseOf(flows, f);
  if (!r) return { node: f.node, forward: f, reverse: null };
  const o = orientPair(f.entry, r.entry);
  return o.forward === f.entry ? { node: f.node, forward: f, reverse: r } : { node: f.node, forward: r, reverse: f };
}

/**
 * The NAT a pair does, in words (lib/vrouter's `explainNat`), or the reason it cannot be told.
 *
 * @example
 * natText(pair); // "15.15.15.2:42962 → 101.101.101.1:80 is DNATed to 10.47.255.238 (VRF 5 → 2); replies …"
 */
export function natText(p: SeenPair): string {
  const x = explainNat({ forward: p.forward.entry, ...(p.reverse ? { reverse: p.reverse.entry } : {}) } as FlowPair<FlowEntry>);
  return x.ok ? x.text : x.missing;
}

/**
 * Finds the client's flow to the floating IP: on `node` when given (else any node), preferring the
 * probe's client port.
 *
 * @example
 * fipFlow(flows, { fip: "101.101.101.1", fipPort: 80, clientPort: 42962 })?.node; // "cent222"
 */
export function fipFlow(flows: readonly SeenFlow[], q: { fip: string; fipPort: number; clientPort?: number | null; node?: string | null }): SeenFlow | undefined {
  const cands = flows.filter((f) => f.entry.dstIp === q.fip && f.entry.dstPort === q.fipPort && (!q.node || f.node === q.node));
  return cands.find((f) => q.clientPort != null && f.entry.srcPort === q.clientPort) ?? (q.clientPort == null ? cands[0] : undefined);
}

/**
 * haproxy's own connection: a flow on `node` from the ingress pod IP to another address (not back to
 * the client), first seen during the probe window; the earliest after `from`.
 *
 * @example
 * proxyFlow(flows, { node: "cent222", podIp: "10.47.255.238", clientIp: "15.15.15.2", from, to })?.entry.dstIp; // "10.99.225.17"
 */
export function proxyFlow(
  flows: readonly SeenFlow[],
  q: { node: string; podIp: string; podPort?: number | null; clientIp: string | null; from: number; to: number },
): SeenFlow | undefined {
  const cands = flows
    .filter((f) => f.node === q.node && f.entry.srcIp === q.podIp && f.entry.dstIp !== q.clientIp && f.entry.srcPort !== q.podPort)
    .filter((f) => f.firstSeen >= q.from && f.firstSeen <= q.to)
    .sort((a, b) => a.firstSeen - b.firstSeen);
  return cands[0];
}

/**
 * The service NAT flow of haproxy's connection: `podIp:port → service:port` with DNAT, on any node.
 *
 * @example
 * serviceNatFlow(flows, { podIp: "10.47.255.238", port: 40984, serviceIp: "10.99.225.17", servicePort: 80 })?.node; // "cent333"
 */
export function serviceNatFlow(flows: readonly SeenFlow[], q: { podIp: string; port: number; serviceIp: string; servicePort: number }): SeenFlow | undefined {
  return flows.find(
    (f) => f.entry.srcIp === q.podIp && f.entry.srcPort === q.port && f.entry.dstIp === q.serviceIp && f.entry.dstPort === q.servicePort && (f.entry.dnat || f.entry.dpat),
  );
}

/**
 * A flow as an evidence row.
 *
 * @example
 * flowRow(f); // { node: "cent222", index: 400196, flow: "15.15.15.2:42962 → 101.101.101.1:80", action: "N(D)", … }
 */
export function flowRow(f: SeenFlow, role = ""): Record<string, Cell> {
  const e = f.entry;
  return {
    role,
    node: f.node,
    index: e.index,
    rindex: e.rindex,
    flow: `${e.srcIp}:${e.srcPort} → ${e.dstIp}:${e.dstPort}`,
    proto: e.proto,
    vrf: e.vrfTranslated ? `${e.vrf}->${e.dvrf}` : String(e.vrf),
    action: e.action,
    tcp: e.tcpFlags,
    tcpStates: f.tcpStates.join(" → "),
    rpfNh: e.rpfNh ?? null,
    keyNh: e.keyNh ?? null,
    sinfo: e.sinfo ?? null,
    packets: f.packets,
    bytes: f.bytes,
    firstSeen: new Date(f.firstSeen).toISOString(),
    lastSeen: new Date(f.lastSeen).toISOString(),
  };
}

/**
 * `flow 400196 N(D) TCP SSrEEr` for summaries.
 *
 * @example
 * flowBrief(f); // "flow 400196 15.15.15.2:42962 → 101.101.101.1:80 N(D) TCP:SSrEEr"
 */
export function flowBrief(f: SeenFlow): string {
  const e = f.entry;
  return `flow ${e.index} ${e.srcIp}:${e.srcPort} → ${e.dstIp}:${e.dstPort} ${e.action}${e.tcpFlags ? ` TCP:${e.tcpFlags}` : ""}`;
}

/**
 * True when the flow's TCP flags show a reset (`R` in any sighting).
 *
 * @example
 * hasRst(podReply); // true when the pod refused (TCP:SrR)
 */
export function hasRst(f: SeenFlow): boolean {
  return f.tcpStates.some((s) => s.includes("R")) || !!f.entry.tcpRst;
}
