/**
 * A small frame builder: Ethernet / VLAN / IPv4 / IPv6 / GRE / MPLS / UDP / VXLAN / TCP / ICMP /
 * payload, with length fields, next-protocol fields and the IPv4 header, TCP and UDP checksums
 * filled in. For tests, benchmarks and the lab, so captures of the scenario open in Wireshark.
 *
 * Layers are listed outermost first; each next-protocol field defaults from the layer after it.
 * @example
 * // eth[ipv4[gre[mpls 20[ipv4[tcp[payload]]]]]]
 * const frame = buildFrame([
 *   eth(), ipv4("192.168.0.204", "10.169.25.20"), gre(), mpls(20),
 *   ipv4("15.15.15.2", "101.101.101.1"), tcp(40000, 80, { flags: "SYN", seq: 1 }),
 * ]);
 * @module
 */
import { parseIpv4 } from "./format";

/** Ethernet II. */
export interface EthernetSpec { kind: "ethernet"; src: string; dst: string; type?: number }
/** 802.1Q tag (TPID 0x8100; 0x88a8 with `tpid`). */
export interface VlanSpec { kind: "vlan"; id: number; pcp?: number; type?: number; tpid?: number }
/** IPv4. */
export interface Ipv4Spec {
  kind: "ipv4"; src: string; dst: string; ttl?: number; id?: number; proto?: number; dontFragment?: boolean;
  tos?: number;
  /** Write a wrong header checksum (for negative tests). */
  badChecksum?: boolean;
}
/** IPv6. */
export interface Ipv6Spec { kind: "ipv6"; src: string; dst: string; hopLimit?: number; nextHeader?: number; flowLabel?: number }
/** GRE (no optional fields unless `key`). */
export interface GreSpec { kind: "gre"; protocol?: number; key?: number }
/** MPLS label stack, top first. */
export interface MplsSpec { kind: "mpls"; labels: number[]; ttl?: number; tc?: number }
/** UDP; `checksum: false` writes 0 (as vRouter does for MPLSoUDP). */
export interface UdpSpec { kind: "udp"; srcPort: number; dstPort: number; checksum?: boolean }
/** VXLAN. */
export interface VxlanSpec { kind: "vxlan"; vni: number }
/** TCP. `flags` as a number or names (`"SYN,ACK"`). */
export interface TcpSpec {
  kind: "tcp"; srcPort: number; dstPort: number; seq?: number; ack?: number; flags?: number | string;
  window?: number;
  /** Raw option bytes (padded to 4). */
  options?: Uint8Array;
}
/** ICMP / ICMPv6 echo and others. */
export interface IcmpSpec { kind: "icmp"; type: number; code?: number; rest?: number; v6?: boolean }
/** Raw bytes (a string is Latin-1). */
export interface PayloadSpec { kind: "payload"; data: Uint8Array | string }

/** A link-layer header given as bytes (null/loopback, PPP, Cisco HDLC, Juniper's pseudo-header). */
export interface LinkSpec { kind: "link"; bytes: Uint8Array }

/** Any layer the builder knows. */
export type LayerSpec =
  | EthernetSpec | VlanSpec | Ipv4Spec | Ipv6Spec | GreSpec | MplsSpec | UdpSpec | VxlanSpec | TcpSpec | IcmpSpec
  | PayloadSpec | LinkSpec;

/**
 * BSD null / loopback header: the address family in 4 octets, little-endian (a little-endian host's
 * DLT_NULL) or big-endian (DLT_LOOP). @example nullHeader(2) // IPv4 on DLT_NULL
 */
export function nullHeader(family: number, bigEndian = false): LinkSpec {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, family, !bigEndian);
  return { kind: "link", bytes: b };
}

/**
 * PPP header: `ff 03` (RFC 1662 framing, the default) then the 2-octet protocol.
 * @example pppHeader(0x0021) // IPv4
 */
export function pppHeader(protocol: number, { hdlc = true }: { hdlc?: boolean } = {}): LinkSpec {
  const p = Uint8Array.of(protocol >> 8, protocol & 255);
  return { kind: "link", bytes: hdlc ? Uint8Array.of(0xff, 0x03, ...p) : p };
}

/** Cisco HDLC header (unicast address 0x0f). @example chdlcHeader(0x8847) // MPLS */
export function chdlcHeader(etherType: number, address = 0x0f): LinkSpec {
  return { kind: "link", bytes: Uint8Array.of(address, 0x00, etherType >> 8, etherType & 255) };
}

/**
 * Juniper's capture pseudo-header: "MGC", flags (0x01 in, 0x02 no L2 header, 0x80 extensions), the
 * extension TLVs (type, length, value) when given, the protocol (4 octets little-endian) when
 * there is no L2 header, then `cookie` bytes.
 * @example juniperHeader({ flags: 0x81, tlvs: [[1, Uint8Array.of(0, 0, 0, 5)]] }) // in, with the ifd index TLV
 */
export function juniperHeader({ flags = 0x01, tlvs, proto, cookie }: {
  flags?: number; tlvs?: [number, Uint8Array][]; proto?: number; cookie?: Uint8Array;
} = {}): LinkSpec {
  const out: number[] = [0x4d, 0x47, 0x43, (flags | (tlvs ? 0x80 : 0) | (proto !== undefined ? 0x02 : 0)) & 255];
  if (tlvs) {
    const body: number[] = [];
    for (const [type, value] of tlvs) body.push(type, value.length, ...value);
    out.push(body.length >> 8, body.length & 255, ...body);
  }
  if (proto !== undefined) out.push(proto & 255, (proto >> 8) & 255, (proto >> 16) & 255, (proto >>> 24) & 255);
  if (cookie) out.push(...cookie);
  return { kind: "link", bytes: Uint8Array.from(out) };
}

/** Ethernet layer. @example eth({ src: "52:54:00:8e:1b:20" }) */
export function eth(o: Partial<Omit<EthernetSpec, "kind">> = {}): EthernetSpec {
  return { kind: "ethernet", src: o.src ?? "52:54:00:8e:1b:20", dst: o.dst ?? "52:54:00:3c:aa:21", ...(o.type !== undefined ? { type: o.type } : {}) };
}
/** VLAN tag. @example vlan(100) */
export function vlan(id: number, o: Partial<Omit<VlanSpec, "kind" | "id">> = {}): VlanSpec {
  return { kind: "vlan", id, ...o };
}
/** IPv4 header. @example ipv4("10.169.25.20", "10.169.25.21", { ttl: 64 }) */
export function ipv4(src: string, dst: string, o: Partial<Omit<Ipv4Spec, "kind" | "src" | "dst">> = {}): Ipv4Spec {
  return { kind: "ipv4", src, dst, ...o };
}
/** IPv6 header. @example ipv6("2001:db8::15", "2001:db8:101::1") */
export function ipv6(src: string, dst: string, o: Partial<Omit<Ipv6Spec, "kind" | "src" | "dst">> = {}): Ipv6Spec {
  return { kind: "ipv6", src, dst, ...o };
}
/** GRE header. @example gre() // protocol from the next layer (0x8847 before MPLS) */
export function gre(o: Partial<Omit<GreSpec, "kind">> = {}): GreSpec {
  return { kind: "gre", ...o };
}
/** MPLS label stack, top first. @example mpls(16, 20) */
export function mpls(...labels: number[]): MplsSpec {
  return { kind: "mpls", labels };
}
/** UDP header. @example udp(60460, 6635, { checksum: false }) */
export function udp(srcPort: number, dstPort: number, o: Partial<Omit<UdpSpec, "kind" | "srcPort" | "dstPort">> = {}): UdpSpec {
  return { kind: "udp", srcPort, dstPort, ...o };
}
/** VXLAN header. @example vxlan(5001) */
export function vxlan(vni: number): VxlanSpec {
  return { kind: "vxlan", vni };
}
/** TCP header. @example tcp(51000, 80, { flags: "PSH,ACK", seq: 1, ack: 1 }) */
export function tcp(srcPort: number, dstPort: number, o: Partial<Omit<TcpSpec, "kind" | "srcPort" | "dstPort">> = {}): TcpSpec {
  return { kind: "tcp", srcPort, dstPort, ...o };
}
/** ICMP header. @example icmp(8) // echo request */
export function icmp(type: number, o: Partial<Omit<IcmpSpec, "kind" | "type">> = {}): IcmpSpec {
  return { kind: "icmp", type, ...o };
}
/** Payload bytes. @example payload("GET / HTTP/1.1\r\nHost: x\r\n\r\n") */
export function payload(data: Uint8Array | string): PayloadSpec {
  return { kind: "payload", data };
}

/**
 * Parses a MAC address text into 6 bytes.
 * @example macBytes("52:54:00:3c:aa:21")
 */
export function macBytes(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) throw new Error(`bad MAC address: ${text}`);
  return Uint8Array.from(parts, (p) => {
    const v = parseInt(p, 16);
    if (!(v >= 0 && v <= 255)) throw new Error(`bad MAC address: ${text}`);
    return v;
  });
}

/**
 * Parses an IPv4 address text into 4 bytes.
 * @example ipv4Bytes("10.169.25.20")
 */
export function ipv4Bytes(text: string): Uint8Array {
  const a = parseIpv4(text);
  if (a < 0) throw new Error(`bad IPv4 address: ${text}`);
  return Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
}

/**
 * Parses an IPv6 address text (with `::`, optionally a dotted IPv4 tail) into 16 bytes.
 * @example ipv6Bytes("2001:db8::15")
 */
export function ipv6Bytes(text: string): Uint8Array {
  let t = text;
  const m = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (m) {
    // a dotted IPv4 tail is two 16-bit words
    const v4 = ipv4Bytes(m[1]!);
    t = t.slice(0, -m[1]!.length) + (((v4[0]! << 8) | v4[1]!).toString(16)) + ":" + (((v4[2]! << 8) | v4[3]!).toString(16));
  }
  const halves = t.split("::");
  if (halves.length > 2) throw new Error(`bad IPv6 address: ${text}`);
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((h) => {
    const v = parseInt(h, 16);
    if (!/^[0-9a-fA-F]{1,4}$/.test(h)) throw new Error(`bad IPv6 address: ${text}`);
    return v;
  }));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  let words: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 0) throw new Error(`bad IPv6 address: ${text}`);
    words = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    words = head;
  }
  if (words.length !== 8) throw new Error(`bad IPv6 address: ${text}`);
  const out = new Uint8Array(16);
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 255; });
  return out;
}

const FLAG_BITS: Record<string, number> = {
  FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80, AE: 0x100, NS: 0x100,
};

/**
 * TCP flags from names (`"SYN,ACK"`, `"PA"` style is not accepted).
 * @example tcpFlags("PSH,ACK") // 0x18
 */
export function tcpFlags(flags: number | string | undefined): number {
  if (flags === undefined) return 0x10;
  if (typeof flags === "number") return flags;
  let v = 0;
  for (const name of flags.split(/[,\s|]+/).filter(Boolean)) {
    const bit = FLAG_BITS[name.toUpperCase()];
    if (bit === undefined) throw new Error(`unknown TCP flag: ${name}`);
    v |= bit;
  }
  return v;
}

/**
 * The Internet checksum (RFC 1071) over `d[o..o+n)`, starting from `initial`.
 * @example internetChecksum(header, 0, 20)
 */
export function internetChecksum(d: Uint8Array, o: number, n: number, initial = 0): number {
  let sum = initial;
  let i = 0;
  for (; i + 1 < n; i += 2) sum += (d[o + i]! << 8) | d[o + i + 1]!;
  if (i < n) sum += d[o + i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function pseudoSum(ip: Ipv4Spec | Ipv6Spec, proto: number, length: number): number {
  let sum = 0;
  const add = (b: Uint8Array) => { for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!; };
  if (ip.kind === "ipv4") { add(ipv4Bytes(ip.src)); add(ipv4Bytes(ip.dst)); }
  else { add(ipv6Bytes(ip.src)); add(ipv6Bytes(ip.dst)); }
  sum += proto + (length >>> 16) + (length & 0xffff);
  return sum;
}

function etherTypeOf(next: LayerSpec | undefined): number {
  switch (next?.kind) {
    case "ipv4": return 0x0800;
    case "ipv6": return 0x86dd;
    case "vlan": return next.tpid ?? 0x8100;
    case "mpls": return 0x8847;
    case "ethernet": return 0x6558; // transparent Ethernet bridging
    default: return 0x0800;
  }
}

function ipProtoOf(next: LayerSpec | undefined, v6: boolean): number {
  switch (next?.kind) {
    case "tcp": return 6;
    case "udp": return 17;
    case "gre": return 47;
    case "ipv4": return 4;
    case "ipv6": return 41;
    case "mpls": return 137;
    case "icmp": return next.v6 ? 58 : 1;
    default: return v6 ? 59 : 255;
  }
}

const latin1Bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 255);

/**
 * Serialises layers (outermost first) into one frame with lengths and checksums filled in.
 * Throws on a bad address or flag name (builder input errors are programming errors).
 * @example
 * buildFrame([eth(), ipv4("10.169.25.20", "10.169.25.21"), udp(60460, 6635, { checksum: false }),
 *   mpls(38), ipv4("10.47.255.238", "10.99.225.17"), tcp(51000, 80, { flags: "SYN" })])
 */
export function buildFrame(layers: readonly LayerSpec[]): Uint8Array {
  let inner: Uint8Array = new Uint8Array(0);
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    const next = layers[i + 1];
    let enclosingIp: Ipv4Spec | Ipv6Spec | undefined;
    for (let j = i - 1; j >= 0; j--) {
      const c = layers[j]!;
      if (c.kind === "ipv4" || c.kind === "ipv6") { enclosingIp = c; break; }
    }
    inner = serialise(l, next, inner, enclosingIp);
  }
  return inner;
}

function concat(h: Uint8Array, p: Uint8Array): Uint8Array {
  const out = new Uint8Array(h.length + p.length);
  out.set(h, 0);
  out.set(p, h.length);
  return out;
}

function serialise(l: LayerSpec, next: LayerSpec | undefined, p: Uint8Array, ip: Ipv4Spec | Ipv6Spec | undefined): Uint8Array {
  switch (l.kind) {
    case "payload": return typeof l.data === "string" ? latin1Bytes(l.data) : l.data;
    case "link": return concat(l.bytes, p);
    case "ethernet": {
      const h = new Uint8Array(14);
      h.set(macBytes(l.dst), 0);
      h.set(macBytes(l.src), 6);
      const t = l.type ?? etherTypeOf(next);
      h[12] = t >> 8; h[13] = t & 255;
      return concat(h, p);
    }
    case "vlan": {
      const h = new Uint8Array(4);
      const tci = ((l.pcp ?? 0) << 13) | (l.id & 0x0fff);
      h[0] = tci >> 8; h[1] = tci & 255;
      const t = l.type ?? etherTypeOf(next);
      h[2] = t >> 8; h[3] = t & 255;
      return concat(h, p);
    }
    case "ipv4": {
      const h = new Uint8Array(20);
      const total = 20 + p.length;
      h[0] = 0x45; h[1] = l.tos ?? 0;
      h[2] = total >> 8; h[3] = total & 255;
      const id = l.id ?? 0;
      h[4] = (id >> 8) & 255; h[5] = id & 255;
      h[6] = l.dontFragment === false ? 0 : 0x40;
      h[8] = l.ttl ?? 64;
      h[9] = l.proto ?? ipProtoOf(next, false);
      h.set(ipv4Bytes(l.src), 12);
      h.set(ipv4Bytes(l.dst), 16);
      let c = internetChecksum(h, 0, 20);
      if (l.badChecksum) c ^= 0x5555;
      h[10] = c >> 8; h[11] = c & 255;
      return concat(h, p);
    }
    case "ipv6": {
      const h = new Uint8Array(40);
      const fl = l.flowLabel ?? 0;
      h[0] = 0x60 | ((fl >> 16) & 0x0f); h[1] = (fl >> 8) & 255; h[2] = fl & 255;
      h[4] = p.length >> 8; h[5] = p.length & 255;
      h[6] = l.nextHeader ?? ipProtoOf(next, true);
      h[7] = l.hopLimit ?? 64;
      h.set(ipv6Bytes(l.src), 8);
      h.set(ipv6Bytes(l.dst), 24);
      return concat(h, p);
    }
    case "gre": {
      const h = new Uint8Array(l.key !== undefined ? 8 : 4);
      if (l.key !== undefined) {
        h[0] = 0x20;
        h[4] = l.key >>> 24; h[5] = (l.key >>> 16) & 255; h[6] = (l.key >>> 8) & 255; h[7] = l.key & 255;
      }
      const t = l.protocol ?? etherTypeOf(next);
      h[2] = t >> 8; h[3] = t & 255;
      return concat(h, p);
    }
    case "mpls": {
      const h = new Uint8Array(4 * l.labels.length);
      l.labels.forEach((label, k) => {
        const bottom = k === l.labels.length - 1 ? 1 : 0;
        h[4 * k] = (label >> 12) & 255;
        h[4 * k + 1] = (label >> 4) & 255;
        h[4 * k + 2] = ((label & 15) << 4) | (((l.tc ?? 0) & 7) << 1) | bottom;
        h[4 * k + 3] = l.ttl ?? 63;
      });
      return concat(h, p);
    }
    case "udp": {
      const h = new Uint8Array(8);
      const len = 8 + p.length;
      h[0] = l.srcPort >> 8; h[1] = l.srcPort & 255; h[2] = l.dstPort >> 8; h[3] = l.dstPort & 255;
      h[4] = len >> 8; h[5] = len & 255;
      const out = concat(h, p);
      if (l.checksum !== false && ip) {
        let c = internetChecksum(out, 0, out.length, pseudoSum(ip, 17, len));
        if (c === 0) c = 0xffff;
        out[6] = c >> 8; out[7] = c & 255;
      }
      return out;
    }
    case "vxlan": {
      const h = new Uint8Array(8);
      h[0] = 0x08;
      h[4] = (l.vni >> 16) & 255; h[5] = (l.vni >> 8) & 255; h[6] = l.vni & 255;
      return concat(h, p);
    }
    case "tcp": {
      const opts = l.options ?? new Uint8Array(0);
      const optLen = (opts.length + 3) & ~3;
      const hl = 20 + optLen;
      const h = new Uint8Array(hl);
      h[0] = l.srcPort >> 8; h[1] = l.srcPort & 255; h[2] = l.dstPort >> 8; h[3] = l.dstPort & 255;
      const seq = (l.seq ?? 0) >>> 0, ack = (l.ack ?? 0) >>> 0;
      h[4] = seq >>> 24; h[5] = (seq >>> 16) & 255; h[6] = (seq >>> 8) & 255; h[7] = seq & 255;
      h[8] = ack >>> 24; h[9] = (ack >>> 16) & 255; h[10] = (ack >>> 8) & 255; h[11] = ack & 255;
      const flags = tcpFlags(l.flags);
      h[12] = ((hl >> 2) << 4) | ((flags >> 8) & 1);
      h[13] = flags & 255;
      const win = l.window ?? 64240;
      h[14] = win >> 8; h[15] = win & 255;
      h.set(opts, 20);
      const out = concat(h, p);
      if (ip) {
        const c = internetChecksum(out, 0, out.length, pseudoSum(ip, 6, out.length));
        out[16] = c >> 8; out[17] = c & 255;
      }
      return out;
    }
    case "icmp": {
      const h = new Uint8Array(8);
      h[0] = l.type; h[1] = l.code ?? 0;
      const rest = l.rest ?? 0;
      h[4] = rest >>> 24; h[5] = (rest >>> 16) & 255; h[6] = (rest >>> 8) & 255; h[7] = rest & 255;
      const out = concat(h, p);
      const c = l.v6 && ip ? internetChecksum(out, 0, out.length, pseudoSum(ip, 58, out.length)) : internetChecksum(out, 0, out.length);
      out[2] = c >> 8; out[3] = c & 255;
      return out;
    }
  }
}
