/**
 * Address and flag formatting shared by the frame table, the friendly decoder and the analyses.
 * @module
 */
// The IPv4 text rules live in lib/ipv4.ts; re-exported here for the capture code and its users.
import { formatIpv4 } from "../ipv4";
export { formatIpv4, formatIpv4Number, parseIpv4 } from "../ipv4";
import { TCP_ACK, TCP_AE, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from "./layers/tcp";

/**
 * RFC 5952 text of the IPv6 address at `d[o..o+16)` (longest zero run compressed, lower case).
 * @example formatIpv6(bytes, 22) // "2001:db8:101::1"
 */
export function formatIpv6(d: Uint8Array, o: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((d[o + 2 * i]! << 8) | d[o + 2 * i + 1]!);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  // IPv4-mapped ::ffff:a.b.c.d
  if (bestStart === 0 && bestLen === 5 && w[5] === 0xffff) return `::ffff:${formatIpv4(d, o + 12)}`;
  const hex = (a: number, b: number) => w.slice(a, b).map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/**
 * Colon-separated lower-case text of the MAC address at `d[o..o+6)`.
 * @example formatMac(bytes, 0) // "52:54:00:3c:aa:21"
 */
export function formatMac(d: Uint8Array, o: number): string {
  let s = "";
  for (let i = 0; i < 6; i++) {
    const b = d[o + i]!;
    s += (i ? ":" : "") + (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [TCP_FIN, "FIN"], [TCP_SYN, "SYN"], [TCP_RST, "RST"], [TCP_PSH, "PSH"], [TCP_ACK, "ACK"], [TCP_URG, "URG"],
  [TCP_ECE, "ECE"], [TCP_CWR, "CWR"], [TCP_AE, "AE"],
];

/**
 * TCP flag names in Wireshark's order (`[SYN, ACK]`).
 * @example tcpFlagNames(0x012) // ["SYN", "ACK"]
 */
export function tcpFlagNames(flags: number): string[] {
  // Wireshark lists FIN/SYN/RST/PSH/ACK/URG/ECE/CWR/AE in this order
  const out: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if ((flags & bit) !== 0) out.push(name);
  return out;
}

