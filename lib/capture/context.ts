/**
 * The reusable decode context: gopacket's `DecodingLayerParser` idea in TypeScript.
 *
 * One {@link DecodeContext} is allocated per reader and overwritten for every frame. Decoders
 * (`decodeEthernet`, `decodeIpv4`, …) read bytes from `ctx.data` between `ctx.off` and `ctx.end`
 * and record what they found in the context's numeric fields (offsets into `ctx.data`, never copies
 * or strings), so the hot path allocates nothing per layer. Each decoder returns the id of the next
 * layer, found through the {@link Registry} tables, or `LAYER_NONE` to stop. The numbers themselves
 * (layer ids, tunnel codes, flags, problem codes) live in `layer-ids.ts`.
 *
 * Aliasing rule: every offset in the context points into `ctx.data`, which belongs to the caller and
 * is only valid until the next frame is decoded. Copy what you keep (see `decodeFrame`, which does).
 *
 * @module
 */
import * as ids from "./layer-ids";
import type { Registry } from "./registry";

// module-level copies of the constants: the JIT folds these, not imported ones (see the README)
const { FLAG_MALFORMED, FLAG_TRUNCATED, FLAG_UNSUPPORTED, LAYER_NONE, MAX_IPS, MAX_LABELS, MAX_LAYERS, TUNNEL_NONE } = ids;

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
  /** Link type of the frame being decoded (`decodeInto` sets it; the Juniper decoder reads it). */
  linkType = -1;
  /** 1 MiB table label → `MPLS_KIND_GUESS`…; all zero when no label map was given. */
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
  /** Ports of the UDP header that led into the first UDP tunnel (MPLSoUDP / VXLAN), -1 when none. */
  tunnelSrcPort = -1;
  tunnelDstPort = -1;
  /** First GRE header: its flags-and-version word (-1 when none) and key (0 without the K bit). */
  greFlags = -1;
  greKey = 0;

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
    this.greFlags = -1;
    this.greKey = 0;
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
    return this.layerCount >= 2 ? this.layers[this.layerCount - 2]! : LAYER_NONE;
  }

  /** Sets the tunnel type if no outer tunnel was recorded yet. */
  enterTunnel(tunnel: number): void {
    if (this.tunnel === TUNNEL_NONE) {
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
