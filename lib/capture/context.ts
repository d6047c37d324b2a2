/**
 * The reusable decode context: gopacket's `DecodingLayerParser` idea in TypeScript.
 *
 * One {@link DecodeContext} is allocated per reader and overwritten for every frame. Decoders
 * (`decodeEthernet`, `decodeIpv4`, …) read bytes from `ctx.data` between `ctx.off` and `ctx.end`
 * and record what they found in the context's numeric fields (offsets into `ctx.data`, never copies
 * or strings), so the hot path allocates nothing per layer. Each decoder returns the id of the next
 * layer, found through the {@link Registry} tables, or {@link LAYER_NONE} to stop.
 *
 * Aliasing rule: every offset in the context points into `ctx.data`, which belongs to the caller and
 * is only valid until the next frame is decoded. Copy what you keep (see `decodeFrame`, which does).
 *
 * @module
 */
import type { Registry } from "./registry";

// ---------------------------------------------------------------------------------------------
// Layer ids (gopacket's LayerType numbers). The decoder for each id is listed in `decode.ts`.
// ---------------------------------------------------------------------------------------------

/** No further layer: the rest is payload. */
export const LAYER_NONE = 0;
/** Ethernet II (IEEE 802.3 with EtherType). */
export const LAYER_ETHERNET = 1;
/** IEEE 802.1Q / 802.1ad VLAN tag. */
export const LAYER_VLAN = 2;
/** Linux cooked capture v1 (DLT_LINUX_SLL, 113). */
export const LAYER_SLL = 3;
/** Linux cooked capture v2 (DLT_LINUX_SLL2, 276). */
export const LAYER_SLL2 = 4;
/** Raw IP: IPv4 or IPv6 chosen by the version nibble (DLT_RAW). */
export const LAYER_RAW_IP = 5;
/** IPv4 (RFC 791). */
export const LAYER_IPV4 = 6;
/** IPv6 (RFC 8200). */
export const LAYER_IPV6 = 7;
/** GRE (RFC 2784, 2890). */
export const LAYER_GRE = 8;
/** MPLS label stack (RFC 3032). */
export const LAYER_MPLS = 9;
/** UDP (RFC 768). */
export const LAYER_UDP = 10;
/** VXLAN (RFC 7348). */
export const LAYER_VXLAN = 11;
/** TCP (RFC 9293). */
export const LAYER_TCP = 12;
/** ICMP for IPv4 (RFC 792). */
export const LAYER_ICMP = 13;
/** ICMPv6 (RFC 4443). */
export const LAYER_ICMPV6 = 14;
/** HTTP/1.x start line and headers. */
export const LAYER_HTTP = 15;
/** Number of layer ids. */
export const LAYER_COUNT = 16;

/** Short names of the layers, indexed by id, as they appear in the `protocols` column. */
export const LAYER_NAMES: readonly string[] = [
  "", "eth", "vlan", "sll", "sll2", "raw", "ip", "ipv6", "gre", "mpls", "udp", "vxlan", "tcp", "icmp",
  "icmpv6", "http",
];

// ---------------------------------------------------------------------------------------------
// Tunnel types.
// ---------------------------------------------------------------------------------------------

/** No tunnel. */
export const TUNNEL_NONE = 0;
/** MPLS over GRE (IP protocol 47, GRE protocol type 0x8847). */
export const TUNNEL_MPLSOGRE = 1;
/** MPLS over UDP (RFC 7510; vRouter ports 6635 and legacy 51234). */
export const TUNNEL_MPLSOUDP = 2;
/** VXLAN (UDP 4789). */
export const TUNNEL_VXLAN = 3;
/** Plain GRE carrying IP or Ethernet. */
export const TUNNEL_GRE = 4;
/** MPLS directly over Ethernet or cooked capture. */
export const TUNNEL_MPLS = 5;
/** IP in IP (IP protocol 4 or 41). */
export const TUNNEL_IPIP = 6;

/** Tunnel names indexed by tunnel code, as used by the `tunnel` column and the filter language. */
export const TUNNEL_NAMES: readonly string[] = ["", "mplsogre", "mplsoudp", "vxlan", "gre", "mpls", "ipip"];

/** Display names indexed by tunnel code, for frame lists (`MPLSoGRE[20] a→b`). */
export const TUNNEL_LABELS: readonly string[] = ["", "MPLSoGRE", "MPLSoUDP", "VXLAN", "GRE", "MPLS", "IPIP"];

// ---------------------------------------------------------------------------------------------
// Frame status flags and problem codes.
// ---------------------------------------------------------------------------------------------

/** The frame ended before a header or a declared length did (snaplen, cut capture). */
export const FLAG_TRUNCATED = 1;
/** A header had an impossible value; decoding stopped there. */
export const FLAG_MALFORMED = 2;
/** Decoding stopped at a protocol we do not decode (not an error). */
export const FLAG_UNSUPPORTED = 4;

/** Problem codes recorded with {@link DecodeContext.fail}; messages in {@link PROBLEM_MESSAGES}. */
export const P_NONE = 0;
export const P_SHORT = 1;
export const P_IPV4_VERSION = 2;
export const P_IPV4_IHL = 3;
export const P_IPV4_TOTLEN = 4;
export const P_IPV6_VERSION = 5;
export const P_GRE_VERSION = 6;
export const P_MPLS_DEPTH = 7;
export const P_UDP_LENGTH = 8;
export const P_TCP_OFFSET = 9;
export const P_VXLAN_FLAGS = 10;
export const P_TOO_DEEP = 11;
export const P_LINKTYPE = 12;
export const P_VLAN_DEPTH = 13;
export const P_IP_DEPTH = 14;

/** Human-readable problem messages indexed by problem code. */
export const PROBLEM_MESSAGES: readonly string[] = [
  "",
  "truncated header",
  "version is not 4",
  "header length below 20 bytes",
  "total length below header length",
  "version is not 6",
  "unsupported GRE version",
  "label stack deeper than 8 without bottom of stack",
  "length below 8 bytes",
  "data offset below 20 bytes",
  "I flag clear",
  "more than 24 layers",
  "unsupported link type",
  "more than 4 VLAN tags",
  "more than 4 IP headers",
];

/** Most layers decoded per frame; deeper frames are flagged malformed. */
export const MAX_LAYERS = 24;
/** Most IP headers recorded per frame. */
export const MAX_IPS = 4;
/** Most MPLS labels recorded per frame. */
export const MAX_LABELS = 8;

/** MPLS payload kinds in a label map (`DecodeOptions.mplsPayload`). */
export type MplsPayloadKind = "ip" | "ipv4" | "ipv6" | "ethernet";

/** Codes of {@link MplsPayloadKind} in {@link DecodeContext.labelKinds}. */
export const MPLS_KIND_GUESS = 0;
export const MPLS_KIND_IP = 1;
export const MPLS_KIND_IPV4 = 2;
export const MPLS_KIND_IPV6 = 3;
export const MPLS_KIND_ETHERNET = 4;

/** HTTP method codes (`DecodeContext.httpMethod`), indexed names in {@link HTTP_METHODS}. */
export const HTTP_METHODS: readonly string[] = [
  "", "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
];

/**
 * Per-frame decode state, reused for every frame (never reallocated on the hot path).
 *
 * @example
 * const ctx = new DecodeContext(defaultRegistry);
 * decodeInto(ctx, bytes, 0, bytes.length, LINKTYPE_ETHERNET);
 * ctx.ipCount; // 2 for an MPLSoGRE frame
 */
export class DecodeContext {
  /** The frame bytes (owned by the caller). */
  data: Uint8Array = new Uint8Array(0);
  /** Where the current layer starts. Decoders move it to their payload. */
  off = 0;
  /** End of the current layer's bytes (may shrink to an IP total length). */
  end = 0;
  /** Start of the frame in `data`. */
  start = 0;
  /** End of the frame's captured bytes in `data`. */
  frameEnd = 0;
  /** Registry used to find next layers. */
  reg: Registry;
  /** 1 MiB table label → {@link MPLS_KIND_GUESS}…; all zero when no label map was given. */
  labelKinds: Uint8Array | null = null;

  /** Layer ids in decode order. */
  layers = new Uint8Array(MAX_LAYERS);
  /** Number of entries in `layers`. */
  layerCount = 0;
  /** {@link FLAG_TRUNCATED} | {@link FLAG_MALFORMED} | {@link FLAG_UNSUPPORTED}. */
  flags = 0;
  /** Problem code (0 = none). */
  problem = 0;
  /** Layer id where the problem or truncation happened. */
  problemLayer = 0;
  /** Offset in `data` where it happened. */
  problemOffset = 0;
  /** For FLAG_UNSUPPORTED: the unknown EtherType / protocol / link type value. */
  unsupportedValue = -1;

  /** Offsets of each Ethernet header (destination MAC first). */
  ethOff = new Int32Array(4);
  ethCount = 0;
  /** First VLAN id (-1 when none) and tag count. */
  vlanId = -1;
  vlanCount = 0;

  /** IP headers in order: version (4|6), header offset, protocol / next header. */
  ipVer = new Uint8Array(MAX_IPS);
  ipOff = new Int32Array(MAX_IPS);
  ipProto = new Uint8Array(MAX_IPS);
  ipCount = 0;

  /** Outermost tunnel type (TUNNEL_*), and how many IP headers preceded it. */
  tunnel = 0;
  tunnelIpCount = 0;
  /** Tunnel UDP ports (MPLSoUDP / VXLAN), -1 when none. */
  tunnelSrcPort = -1;
  tunnelDstPort = -1;

  /** MPLS labels, top of stack first. */
  labels = new Int32Array(MAX_LABELS);
  labelCount = 0;
  /** VXLAN network identifier, -1 when none. */
  vni = -1;

  /** Transport (TCP/UDP/ICMP) of the innermost decoded IP; `transportIp` = ipCount when it was decoded. */
  transportProto = 0;
  transportIp = 0;
  srcPort = -1;
  dstPort = -1;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  window = 0;
  icmpType = -1;
  icmpCode = -1;
  /** Transport payload: offset and length (-1 when there is no transport). */
  payloadOff = 0;
  payloadLen = -1;

  /** HTTP: 0 none, 1 request, 2 response. */
  httpKind = 0;
  httpMethod = 0;
  httpPathOff = 0;
  httpPathLen = 0;
  httpHostOff = 0;
  httpHostLen = 0;
  httpStatus = 0;

  constructor(reg: Registry) {
    this.reg = reg;
  }

  /** Clears the per-frame fields (not the arrays: counts make stale entries unreachable). */
  reset(data: Uint8Array, off: number, end: number): void {
    this.data = data;
    this.off = off;
    this.start = off;
    this.end = end;
    this.frameEnd = end;
    this.layerCount = 0;
    this.flags = 0;
    this.problem = 0;
    this.problemLayer = 0;
    this.problemOffset = 0;
    this.unsupportedValue = -1;
    this.ethCount = 0;
    this.vlanId = -1;
    this.vlanCount = 0;
    this.ipCount = 0;
    this.tunnel = 0;
    this.tunnelIpCount = 0;
    this.tunnelSrcPort = -1;
    this.tunnelDstPort = -1;
    this.labelCount = 0;
    this.vni = -1;
    this.transportProto = 0;
    this.transportIp = 0;
    this.srcPort = -1;
    this.dstPort = -1;
    this.tcpFlags = 0;
    this.seq = 0;
    this.ack = 0;
    this.window = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.payloadOff = 0;
    this.payloadLen = -1;
    this.resetHttp();
  }

  /**
   * Clears the HTTP fields (before decoding a segment's HTTP start line alone).
   *
   * @example
   * ctx.resetHttp(); ctx.httpStatus // => 0
   */
  resetHttp(): void {
    this.httpKind = 0;
    this.httpMethod = 0;
    this.httpPathOff = 0;
    this.httpPathLen = 0;
    this.httpHostOff = 0;
    this.httpHostLen = 0;
    this.httpStatus = 0;
  }

  /** Flags truncation in the current layer; decoders then return {@link LAYER_NONE}. */
  truncate(): number {
    if ((this.flags & FLAG_TRUNCATED) === 0) {
      this.flags |= FLAG_TRUNCATED;
      if (this.problem === 0) {
        this.problemLayer = this.layers[this.layerCount - 1] ?? 0;
        this.problemOffset = this.off - this.start;
      }
    }
    return LAYER_NONE;
  }

  /** Flags a malformed header with a problem code; decoders then return {@link LAYER_NONE}. */
  fail(problem: number): number {
    this.flags |= FLAG_MALFORMED;
    this.problem = problem;
    this.problemLayer = this.layers[this.layerCount - 1] ?? 0;
    this.problemOffset = this.off - this.start;
    return LAYER_NONE;
  }

  /** Flags a stop at a value no registry table knows. */
  unsupported(value: number): number {
    this.flags |= FLAG_UNSUPPORTED;
    this.unsupportedValue = value;
    return LAYER_NONE;
  }

  /** Id of the layer decoded before the current one (0 when none). */
  previousLayer(): number {
    // literal 0 (LAYER_NONE): within this module TypeScript's output reads `exports.LAYER_NONE`
    return this.layerCount >= 2 ? this.layers[this.layerCount - 2]! : 0;
  }

  /** Sets the tunnel type if no outer tunnel was recorded yet. */
  enterTunnel(tunnel: number): void {
    if (this.tunnel === 0 /* TUNNEL_NONE, as a literal: see previousLayer */) {
      this.tunnel = tunnel;
      this.tunnelIpCount = this.ipCount;
    }
  }
}

/**
 * Reads a big-endian unsigned 16-bit value (caller checked bounds).
 * @example u16(Uint8Array.of(0x88, 0x47), 0) // 0x8847
 */
export function u16(d: Uint8Array, o: number): number {
  return (d[o]! << 8) | d[o + 1]!;
}

/**
 * Reads a big-endian unsigned 32-bit value (caller checked bounds).
 * @example u32(Uint8Array.of(0, 0, 0x19, 0xeb), 0) // 6635
 */
export function u32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}
