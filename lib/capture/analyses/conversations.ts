/**
 * Conversations per inner 5-tuple, keyed with the tunnel: overlay addresses repeat across virtual
 * networks, so the same inner 5-tuple inside different tunnels (or between different tunnel
 * endpoints) is a different conversation.
 * @module
 */
import type * as Arquero from "arquero";
import { TUNNEL_NAMES } from "../layer-ids";
import type { FrameTable } from "../table/frame-table";

/** One conversation. Side A is the side of the first frame seen. */
export interface Conversation {
  tunnel: string;
  /** Underlay endpoints (A side first), "" when not tunnelled. */
  outerA: string;
  outerB: string;
  /** Labels seen A→B and B→A (`20` / `299808`), or the VNI. */
  labelsAB: string;
  labelsBA: string;
  vni: number;
  proto: number;
  addrA: string;
  portA: number;
  addrB: string;
  portB: number;
  packets: number;
  bytes: number;
  packetsAB: number;
  packetsBA: number;
  /** First / last frame numbers and epoch times. */
  firstFrame: number;
  lastFrame: number;
  start: number;
  end: number;
  durationMs: number;
}

/**
 * The conversation key of a row and its direction relative to the key (true when the row goes B→A).
 * @example conversationKey(t, 0) // { key: "mplsogre|10.169.25.20|192.168.0.204|6|101.101.101.1:80|15.15.15.2:40000", reverse: true }
 */
export function conversationKey(t: FrameTable, i: number): { key: string; reverse: boolean } {
  const c = t.columns;
  const a = t.dicts.addresses;
  const src = `${a[c.src[i]!]}:${c.srcPort[i]}`;
  const dst = `${a[c.dst[i]!]}:${c.dstPort[i]}`;
  const os = a[c.outerSrc[i]!] ?? "", od = a[c.outerDst[i]!] ?? "";
  const reverse = src > dst || (src === dst && os > od);
  const [o1, o2] = reverse ? [od, os] : [os, od];
  const [e1, e2] = reverse ? [dst, src] : [src, dst];
  return { key: `${TUNNEL_NAMES[c.tunnel[i]!]}|${o1}|${o2}|${c.ipProto[i]}|${e1}|${e2}`, reverse };
}

/**
 * Conversations as plain objects, in order of first appearance.
 * @example conversationRows(t).length // 12 for the sample capture
 */
export function conversationRows(t: FrameTable): Conversation[] {
  const c = t.columns;
  const a = t.dicts.addresses;
  const byKey = new Map<string, { conv: Conversation; reverseIsA: boolean; ab: Set<string>; ba: Set<string> }>();
  for (let i = 0; i < t.length; i++) {
    if (c.src[i] === 0 && c.dst[i] === 0) continue;
    const { key, reverse } = conversationKey(t, i);
    let e = byKey.get(key);
    const time = c.sec[i]! + c.nsec[i]! / 1e9;
    if (e === undefined) {
      e = {
        reverseIsA: reverse,
        ab: new Set(),
        ba: new Set(),
        conv: {
          tunnel: TUNNEL_NAMES[c.tunnel[i]!] ?? "", outerA: a[c.outerSrc[i]!] ?? "", outerB: a[c.outerDst[i]!] ?? "",
          labelsAB: "", labelsBA: "", vni: c.vni[i]!, proto: c.ipProto[i]!,
          addrA: a[c.src[i]!] ?? "", portA: c.srcPort[i]!, addrB: a[c.dst[i]!] ?? "", portB: c.dstPort[i]!,
          packets: 0, bytes: 0, packetsAB: 0, packetsBA: 0, firstFrame: c.no[i]!, lastFrame: c.no[i]!,
          start: time, end: time, durationMs: 0,
        },
      };
      byKey.set(key, e);
    }
    const conv = e.conv;
    const fromA = reverse === e.reverseIsA;
    conv.packets++;
    conv.bytes += c.len[i]!;
    if (fromA) conv.packetsAB++;
    else conv.packetsBA++;
    const id = c.mplsLabels[i] ? t.dicts.labelStacks[c.mplsLabels[i]!]! : "";
    if (id) (fromA ? e.ab : e.ba).add(id);
    conv.lastFrame = c.no[i]!;
    conv.end = Math.max(conv.end, time);
    conv.start = Math.min(conv.start, time);
  }
  return [...byKey.values()].map(({ conv, ab, ba }) => ({
    ...conv,
    labelsAB: [...ab].join(" "),
    labelsBA: [...ba].join(" "),
    durationMs: Math.round((conv.end - conv.start) * 1e9) / 1e6,
  }));
}

/**
 * Conversations as an arquero table.
 * @example conversations(t).orderby(aq.desc("bytes")).print()
 */
export function conversations(t: FrameTable): ReturnType<typeof Arquero.from> {
  // arquero is loaded on first use (~20 MB resident)
  return (require("arquero") as typeof Arquero).from(conversationRows(t));
}
