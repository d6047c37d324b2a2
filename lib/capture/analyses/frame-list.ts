/**
 * A Wireshark-like frame list: No., Time, Source, Destination, Protocol, Length, Info, with the
 * tunnel shown in front of Info (`MPLSoGRE[20] 192.168.0.204→10.169.25.20`).
 * @module
 */
import type * as Arquero from "arquero";
import { TUNNEL_LABELS } from "../layer-ids";
import type { FrameTable } from "../table/frame-table";
import { tcpFlagNames } from "../format";

/** One line of the frame list. */
export interface FrameListRow {
  "No.": number;
  Time: number;
  Source: string;
  Destination: string;
  Protocol: string;
  Length: number;
  Tunnel: string;
  Info: string;
}

const PROTOCOL_NAMES: Record<string, string> = {
  http: "HTTP", tcp: "TCP", udp: "UDP", icmp: "ICMP", icmpv6: "ICMPv6", vxlan: "VXLAN", mpls: "MPLS", gre: "GRE",
  ip: "IPv4", ipv6: "IPv6", vlan: "802.1Q", eth: "Ethernet", sll: "SLL", sll2: "SLL2", raw: "Raw",
};

/**
 * Text of the tunnel of row `i`: `MPLSoGRE[20] 192.168.0.204→10.169.25.20`, `VXLAN[5001] …`, or "".
 * @example tunnelText(t, 0) // "MPLSoGRE[20] 192.168.0.204→10.169.25.20"
 */
export function tunnelText(t: FrameTable, i: number): string {
  const c = t.columns;
  const tun = c.tunnel[i]!;
  if (tun === 0) return "";
  const id = c.mplsLabels[i] ? t.dicts.labelStacks[c.mplsLabels[i]!] : c.vni[i]! >= 0 ? String(c.vni[i]) : "";
  const a = t.dicts.addresses;
  const ends = c.outerSrc[i] ? ` ${a[c.outerSrc[i]!]}→${a[c.outerDst[i]!]}` : "";
  return `${TUNNEL_LABELS[tun]}${id ? `[${id}]` : ""}${ends}`;
}

/** Options for {@link frameListRows}. */
export interface FrameListOptions {
  /** Show Time relative to the first frame (default true) or as epoch seconds. */
  relativeTime?: boolean;
}

/**
 * Frame list rows as plain objects (the CLI prints these).
 * @example frameListRows(table)[3].Info // "MPLSoGRE[20] 192.168.0.204→10.169.25.20 GET /api/v1/status HTTP/1.1"
 */
export function frameListRows(t: FrameTable, { relativeTime = true }: FrameListOptions = {}): FrameListRow[] {
  const c = t.columns;
  const a = t.dicts.addresses;
  const t0 = t.length > 0 ? c.sec[0]! + c.nsec[0]! / 1e9 : 0;
  // relative sequence numbers per direction, like Wireshark
  const isn = new Map<string, number>();
  const rows: FrameListRow[] = [];
  for (let i = 0; i < t.length; i++) {
    const layers = t.dicts.protocols[c.protocols[i]!]!.split(":");
    const top = layers[layers.length - 1] ?? "";
    const proto = PROTOCOL_NAMES[top] ?? top.toUpperCase();
    let info = "";
    const sp = c.srcPort[i]!, dp = c.dstPort[i]!;
    const src = a[c.src[i]!] ?? "", dst = a[c.dst[i]!] ?? "";
    if (c.httpMethod[i]) {
      info = `${t.value("httpMethod", i)} ${t.dicts.strings[c.httpPath[i]!]} HTTP/1.1`;
    } else if (c.httpStatus[i]) {
      info = `HTTP/1.1 ${c.httpStatus[i]}`;
    } else if (c.ipProto[i] === 6) {
      const key = `${c.tunnel[i]}|${src}:${sp}>${dst}:${dp}`;
      const back = `${c.tunnel[i]}|${dst}:${dp}>${src}:${sp}`;
      const flags = c.tcpFlags[i]!;
      if (flags & 0x02) isn.set(key, c.seq[i]!);
      const seq = (c.seq[i]! - (isn.get(key) ?? c.seq[i]!)) >>> 0;
      const ackPart = flags & 0x10 ? ` Ack=${(c.ack[i]! - (isn.get(back) ?? c.ack[i]! - 1)) >>> 0}` : "";
      info = `${sp} → ${dp} [${tcpFlagNames(flags).join(", ")}] Seq=${seq}${ackPart} Len=${c.payloadLen[i]}`;
    } else if (c.ipProto[i] === 17) {
      info = `${sp} → ${dp} Len=${c.payloadLen[i]}`;
    } else if (t.problems.has(i)) {
      info = `[${t.problems.get(i)}]`;
    }
    if (t.problems.has(i) && !info.startsWith("[")) info += ` [${t.problems.get(i)}]`;
    const tunnel = tunnelText(t, i);
    rows.push({
      "No.": c.no[i]!,
      Time: relativeTime ? Math.round((c.sec[i]! + c.nsec[i]! / 1e9 - t0) * 1e6) / 1e6 : c.sec[i]! + c.nsec[i]! / 1e9,
      Source: src,
      Destination: dst,
      Protocol: proto,
      Length: c.len[i]!,
      Tunnel: tunnel,
      Info: tunnel ? `${tunnel} ${info}` : info,
    });
  }
  return rows;
}

/**
 * The frame list as an arquero table.
 * @example frameList(table).print()
 */
export function frameList(t: FrameTable, options: FrameListOptions = {}): ReturnType<typeof Arquero.from> {
  // arquero is loaded on first use (~20 MB resident)
  return (require("arquero") as typeof Arquero).from(frameListRows(t, options));
}
