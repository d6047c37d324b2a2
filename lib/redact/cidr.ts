/**
 * Address ranges as text (`10.47.0.0/16`, `2001:db8::/32`, a bare address = a host range) for the
 * redaction options, and IPv6 text → bytes (the IPv4 text rules live in `lib/ipv4.ts`, the IPv6 text
 * form in `lib/capture/format.ts` `formatIpv6`).
 * @module
 */
import { parseIpv4 } from "../ipv4";

/** A parsed range: IPv4 network as an unsigned 32-bit number, IPv6 network as 16 bytes. */
export type Cidr =
  | { family: 4; net: number; len: number }
  | { family: 6; net: Uint8Array; len: number };

/**
 * The 16 bytes of IPv6 text (`2001:db8::1`, `::ffff:10.1.2.3`, no zone), or null when it is not one.
 * @example
 * parseIpv6("2001:db8::1") // Uint8Array [0x20, 0x01, 0x0d, 0xb8, 0, …, 1]
 * parseIpv6("2001:db8::1::2") // null
 */
export function parseIpv6(text: string): Uint8Array | null {
  if (typeof text !== "string" || text.length < 2 || text.length > 45) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const words = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const groups = part.split(":");
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes(".")) {
        const v4 = parseIpv4(g);
        if (v4 < 0) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) { bytes[2 * i] = all[i]! >>> 8; bytes[2 * i + 1] = all[i]! & 255; }
  return bytes;
}

/**
 * Parses `ADDRESS[/LEN]` (IPv4 or IPv6) into a range, host bits cleared; an error message naming the
 * text otherwise.
 * @example
 * parseCidr("10.47.0.0/16") // { family: 4, net: 170852352, len: 16 }
 * parseCidr("fd00::/8")     // { family: 6, net: Uint8Array [0xfd, 0, …], len: 8 }
 * parseCidr("10.0.0.0/33")  // 'range "10.0.0.0/33": prefix length must be 0..32'
 */
export function parseCidr(text: string): Cidr | string {
  if (typeof text !== "string") return `range ${String(text)}: not text`;
  const t = text.trim();
  const slash = t.indexOf("/");
  const addr = slash < 0 ? t : t.slice(0, slash);
  const lenText = slash < 0 ? "" : t.slice(slash + 1);
  if (slash >= 0 && !/^\d{1,3}$/.test(lenText)) return `range "${text}": prefix length is not a number`;
  const v4 = parseIpv4(addr);
  if (v4 >= 0) {
    const len = slash < 0 ? 32 : Number(lenText);
    if (len > 32) return `range "${text}": prefix length must be 0..32`;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return { family: 4, net: (v4 & mask) >>> 0, len };
  }
  const v6 = parseIpv6(addr);
  if (v6 !== null) {
    const len = slash < 0 ? 128 : Number(lenText);
    if (len > 128) return `range "${text}": prefix length must be 0..128`;
    for (let i = 0; i < 16; i++) {
      const keep = Math.max(0, Math.min(8, len - 8 * i));
      v6[i] = v6[i]! & ((0xff << (8 - keep)) & 0xff);
    }
    return { family: 6, net: v6, len };
  }
  return `range "${text}": not an IPv4 or IPv6 address or prefix`;
}
