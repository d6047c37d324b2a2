/**
 * Finds addresses in text: IPv4 (`10.47.255.236`, `10.47.255.0/24`, `15.15.15.2:37444`, tcpdump's
 * `15.15.15.2.37444`), IPv6 (compressed, full, `[…]:port`, with an embedded IPv4 tail, with a prefix
 * length) and MAC addresses (`52:54:00:3c:aa:21`, vRouter's unpadded `52:54:0:f4:26:a1`,
 * `52-54-00-3C-AA-21`). One regular expression, one pass; every candidate is checked (octets ≤ 255,
 * a real IPv6 address) before it counts, so timestamps (`12:54:52`) and versions (`5.23.0`) stay.
 * Pure: never throws on any input.
 */
import * as net from "node:net";
import { formatIpv6, formatMac } from "../capture/format";
import { parseIpv6 } from "./cidr";

/** The kinds of address found. */
export type AddressKind = "ipv4" | "ipv6" | "mac";

/** One address found, as parsed. */
export interface FoundAddress {
  kind: AddressKind;
  /** The bytes: 4 (IPv4), 16 (IPv6) or 6 (MAC). */
  bytes: Uint8Array;
  /** The prefix length written after it (`/24`), or null. */
  prefix: number | null;
  /** The canonical text (`10.47.255.236`, RFC 5952 IPv6, lower-case padded MAC), without the prefix. */
  canonical: string;
}

// Before an address: start, a character that cannot be part of it, or an escaped \n \r \t (JSON shown as text).
// (A colon may come before one when it follows a letter that is not a hex digit: `HWaddr:52:54:…`.)
const LEAD6 = String.raw`(?<=^|[^0-9A-Za-z_:]|\\[nrt]|[G-Zg-z_]:)`;
const V6 = String.raw`(?<v6>(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){1,6}:(?:\d{1,3}\.){3}\d{1,3}|(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7})(?:\/(?<v6len>\d{1,3})(?![0-9]))?(?![0-9A-Za-z_])`;
const MACDASH = String.raw`(?<macd>[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})(?![0-9A-Za-z_-])`;
const V4 = String.raw`(?<![0-9])(?<v4>(?:\d{1,3}\.){3}\d{1,3})(?:\/(?<v4len>\d{1,2})(?![0-9]))?(?![0-9]|…|\.\.\.)`;

/**
 * A fresh global regex finding address candidates (groups `v6`, `v6len`, `macd`, `v4`, `v4len`).
 *
 * @example
 * "from 10.1.2.3:80".match(addressRegex())?.[0]; // "10.1.2.3"
 */
export function addressRegex(): RegExp {
  return new RegExp(`${LEAD6}(?:${V6}|${MACDASH})|${V4}`, "g");
}

const MAC_COLON = /^[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}$/;

/**
 * Parses one candidate match of {@link addressRegex} into an address, or null when it is not one.
 *
 * @example
 * parseCandidate({ v4: "10.0.0.1", v4len: "24" })?.prefix; // 24
 */
export function parseCandidate(g: Record<string, string | undefined>): FoundAddress | null {
  if (g.v4 !== undefined) {
    const parts = g.v4.split(".").map(Number);
    if (parts.some((p) => p > 255)) return null;
    const prefix = g.v4len !== undefined ? Number(g.v4len) : null;
    if (prefix !== null && prefix > 32) return null;
    const bytes = Uint8Array.from(parts);
    return { kind: "ipv4", bytes, prefix, canonical: parts.join(".") };
  }
  if (g.macd !== undefined) {
    const bytes = Uint8Array.from(g.macd.split("-").map((h) => parseInt(h, 16)));
    return { kind: "mac", bytes, prefix: null, canonical: formatMacCanonical(bytes) };
  }
  const s = g.v6;
  if (s === undefined) return null;
  if (net.isIPv6(s)) {
    const prefix = g.v6len !== undefined ? Number(g.v6len) : null;
    if (prefix !== null && prefix > 128) return null;
    const bytes = parseIpv6(s);
    if (!bytes) return null;
    return { kind: "ipv6", bytes, prefix, canonical: formatIpv6(bytes, 0) };
  }
  if (g.v6len === undefined && MAC_COLON.test(s)) {
    const bytes = Uint8Array.from(s.split(":").map((h) => parseInt(h, 16)));
    return { kind: "mac", bytes, prefix: null, canonical: formatMacCanonical(bytes) };
  }
  return null;
}

/**
 * Every address in a text, in order (with where it stands).
 *
 * @example
 * findAddresses("HWaddr:52:54:00:3c:aa:21 IPaddr:10.169.25.21").map((a) => a.canonical);
 * // ["52:54:00:3c:aa:21", "10.169.25.21"]
 */
export function findAddresses(text: string): (FoundAddress & { index: number; text: string })[] {
  const out: (FoundAddress & { index: number; text: string })[] = [];
  for (const m of text.matchAll(addressRegex())) {
    const a = parseCandidate(m.groups ?? {});
    if (a) out.push({ ...a, index: m.index ?? 0, text: m[0] });
  }
  return out;
}

/**
 * IPv6 text for a candidate: RFC 5952 (`formatIpv6` of the capture decoder), with the last 32 bits as
 * a dotted quad when the original was written that way (`::ffff:10.1.2.3`).
 *
 * @example
 * formatIpv6Like(parseIpv6("::ffff:10.1.2.3")!, true); // "::ffff:10.1.2.3"
 */
export function formatIpv6Like(b: Uint8Array, v4Tail = false): string {
  if (!v4Tail) return formatIpv6(b, 0);
  // The first 96 bits formatted with a non-zero stand-in for the last 32, which is then written dotted.
  let head = formatIpv6(Uint8Array.from([...b.subarray(0, 12), 0xff, 0xff, 0xff, 0xff]), 0).slice(0, -"ffff:ffff".length);
  if (head === ":") head = "::";
  return `${head}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
}

/**
 * A MAC address as lower-case, zero-padded, colon-separated text (`formatMac` of the capture decoder).
 *
 * @example
 * formatMacCanonical(Uint8Array.of(0x52, 0x54, 0, 0xf4, 0x26, 0xa1)); // "52:54:00:f4:26:a1"
 */
export function formatMacCanonical(b: Uint8Array): string {
  return formatMac(b, 0);
}
