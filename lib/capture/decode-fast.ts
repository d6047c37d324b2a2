/**
 * The fused fast decoder: one pass over a frame made only of Ethernet, VLAN, IPv4, GRE, MPLS (≤ 2
 * labels, no label map), UDP, VXLAN, TCP and HTTP, every header whole and well-formed, the layer
 * fields kept in locals. It follows the layer decoders (`layers/*.ts`) rule for rule and gives up —
 * returns false — at anything else: a truncated or malformed header, an unsupported protocol value,
 * IPv6, ICMP, cooked captures, deeper stacks; the caller then decodes the frame the ordinary way
 * (`decodeInto`). On success it leaves what a frame-table row needs in a {@link FastFrame}, which
 * `FrameTableBuilder.appendFast` writes as a row (dictionary caches probed inline).
 *
 * Which layers it decodes is {@link FAST_LAYERS}; the ids are the table's (`layer-ids.ts`), the
 * next layer always comes from the registry. `test/capture/fast-path.test.ts` checks, layer by layer,
 * that every field it fills equals what the layer decoders put in a `DecodeContext`, and that both
 * ways give identical rows (samples, every cut, bit flips, options).
 *
 * @example
 * const f = new FastFrame();
 * if (decodeFast(ctx, f, buf, off, off + caplen, LINKTYPE_ETHERNET)) f.labels(); // [20]
 * @module
 */
import type { DecodeContext } from "./context";
import * as ids from "./layer-ids";
import { decodeHttp } from "./layers/http";
import { guessMplsPayload } from "./layers/mpls-payload";
import * as registry from "./registry";

// module-level copies of the constants: the JIT folds these, not imported ones (see the README)
const {
  LAYER_ETHERNET, LAYER_GRE, LAYER_HTTP, LAYER_IPV4, LAYER_IPV6, LAYER_MPLS, LAYER_NONE, LAYER_TCP, LAYER_UDP,
  LAYER_VLAN, LAYER_VXLAN, MAX_IPS, MAX_LAYERS, TUNNEL_GRE, TUNNEL_IPIP, TUNNEL_MPLS, TUNNEL_MPLSOGRE,
  TUNNEL_MPLSOUDP, TUNNEL_NONE, TUNNEL_VXLAN,
} = ids;
const { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_TEB, IPPROTO_TCP, IPPROTO_UDP } = registry;

/** The layers {@link decodeFast} decodes itself; a frame with any other layer goes the ordinary way. */
export const FAST_LAYERS: readonly number[] = [
  LAYER_ETHERNET, LAYER_VLAN, LAYER_IPV4, LAYER_GRE, LAYER_MPLS, LAYER_UDP, LAYER_VXLAN, LAYER_TCP, LAYER_HTTP,
];

/**
 * What {@link decodeFast} found in one clean frame: the fields of a `DecodeContext` a frame-table row
 * needs, as offsets into the frame's bytes and numbers. One is reused for every frame; valid until
 * the next call.
 * @example
 * const f = new FastFrame();
 * decodeFast(ctx, f, bytes, 0, bytes.length, 1) && f.tunnel; // TUNNEL_MPLSOGRE
 */
export class FastFrame {
  /** Layer ids in decode order, and how many. */
  readonly layers: Uint8Array;
  layerCount = 0;
  /**
   * Where each layer's header starts (`starts[i]`, i < layerCount) and where its bytes end (`ends[i]`:
   * the frame's end, or the IPv4 total length / UDP length it set, as a `DecodeContext`'s `end` after
   * that layer); the header of layer i ends where layer i + 1 starts, the last one's at
   * `starts[layerCount]` (an HTTP layer's: its segment's end). The frame redactor's layer list.
   */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** The layer ids packed 5 bits each, outermost first (exact for ≤ 10 layers): the stack's dictionary key. */
  stackKey = 0;
  /** Ethernet headers: how many, the first one's offset, the last recorded one's (of the first 4). */
  ethCount = 0;
  eth0 = 0;
  ethLast = 0;
  /** First VLAN id, -1 when none. */
  vlanId = -1;
  /** IPv4 headers: how many, the first one's offset, the last one's. */
  ipCount = 0;
  ip0 = 0;
  ipLast = 0;
  /** Outermost tunnel (TUNNEL_*) and how many IP headers preceded it. */
  tunnel = 0;
  tunnelIpCount = 0;
  /** MPLS labels: how many (≤ 2), top and second. */
  labelCount = 0;
  label0 = 0;
  label1 = 0;
  /** VXLAN network identifier, -1 when none. */
  vni = -1;
  /** Ports of the UDP header that led into the first UDP tunnel, -1 when none. */
  tunSrcPort = -1;
  tunDstPort = -1;
  /** First GRE header's flags-and-version word (-1 when none) and key as int32 (the raw 32 bits). */
  greFlags = -1;
  greKey = 0;
  /** Transport (6 or 17, 0 when none) and how many IP headers preceded it; its ports and TCP fields. */
  proto = 0;
  protoIp = 0;
  srcPort = -1;
  dstPort = -1;
  tcpFlags = 0;
  /** TCP sequence and acknowledgment numbers as int32: the raw 32 bits (`>>> 0` gives the number). */
  seq = 0;
  ack = 0;
  /** Transport payload length, -1 when there is no transport. */
  payloadLen = -1;
  /** HTTP: 0 none, 1 request, 2 response; method code, status, path and Host extents. */
  httpKind = 0;
  httpMethod = 0;
  httpStatus = 0;
  httpPathOff = 0;
  httpPathLen = 0;
  httpHostOff = 0;
  httpHostLen = 0;

  /**
   * `capacity`: room in `layers`, `starts` and `ends` (at least the decoder's {@link MAX_LAYERS}), for
   * a caller that keeps a longer layer list of its own in them (the frame redactor).
   * @example new FastFrame(64).layers.length // 64
   */
  constructor(capacity = MAX_LAYERS) {
    const n = Math.max(MAX_LAYERS, capacity);
    this.layers = new Uint8Array(n);
    this.starts = new Int32Array(n + 1);
    this.ends = new Int32Array(n);
  }

  /**
   * The label stack, top first (a copy).
   * @example f.labels() // [16, 20]
   */
  labels(): number[] {
    return this.labelCount === 0 ? [] : this.labelCount === 1 ? [this.label0] : [this.label0, this.label1];
  }
}

/**
 * Decodes the frame `d[off..frameEnd)` into `out` when it is made only of {@link FAST_LAYERS}, whole
 * and well-formed; returns false (and `out` means nothing) otherwise, or when `ctx` has a label map.
 * `ctx` gives the registry and is scratch for the HTTP decoder. Never throws.
 * @example
 * if (!decodeFast(ctx, f, buf, off, end, linkType)) decodeInto(ctx, buf, off, end, linkType);
 */
export function decodeFast(
  ctx: DecodeContext, out: FastFrame, d: Uint8Array, off: number, frameEnd: number, linkType: number,
): boolean {
  const reg = ctx.reg;
  if (ctx.labelKinds !== null || linkType < 0 || linkType >= reg.linkTypes.length) return false;
  const et = reg.etherTypes;
  const layers = out.layers;
  const starts = out.starts, ends = out.ends;
  let layer = reg.linkTypes[linkType]!;
  if (layer === LAYER_NONE) return false;
  let o = off;
  let end = frameEnd;
  let lc = 0;
  let ethCount = 0, eth0 = 0, ethLast = 0, vlanCount = 0, vlanId = -1;
  let ipc = 0, ip0 = 0, ipLast = 0, tunnel = TUNNEL_NONE, tunnelIpCount = 0;
  let nl = 0, label0 = 0, label1 = 0, vni = -1, tunSrcPort = -1, tunDstPort = -1, greFlags = -1, greKey = 0;
  let proto = 0, protoIp = 0, srcPort = -1, dstPort = -1, tcpFlags = 0, seq = 0, ack = 0, payloadLen = -1;
  let httpKind = 0;
  let stackKey = 0; // the protocols dictionary key, built as the layers come
  while (layer !== LAYER_NONE) {
    if (lc >= MAX_LAYERS) return false;
    starts[lc] = o;
    layers[lc++] = layer;
    stackKey = stackKey * 32 + layer;
    switch (layer) {
      case LAYER_ETHERNET: {
        if (end - o < 14) return false;
        if (ethCount < 4) ethLast = o;
        if (ethCount === 0) eth0 = o;
        ethCount++;
        const type = (d[o + 12]! << 8) | d[o + 13]!;
        o += 14;
        if (type < 0x0600) return false;
        layer = et[type]!;
        if (layer === LAYER_NONE) return false;
        break;
      }
      case LAYER_VLAN: {
        if (end - o < 4 || vlanCount >= 4) return false;
        if (vlanCount === 0) vlanId = ((d[o]! << 8) | d[o + 1]!) & 0x0fff;
        vlanCount++;
        const type = (d[o + 2]! << 8) | d[o + 3]!;
        o += 4;
        if (type < 0x0600) return false;
        layer = et[type]!;
        if (layer === LAYER_NONE) return false;
        break;
      }
      case LAYER_IPV4: {
        const avail = end - o;
        if (avail < 20) return false;
        const vihl = d[o]!;
        const ihl = (vihl & 0x0f) << 2;
        if (vihl >> 4 !== 4 || ihl < 20 || avail < ihl) return false;
        const totalLength = (d[o + 2]! << 8) | d[o + 3]!;
        if (totalLength < ihl || totalLength > avail || ipc >= MAX_IPS) return false;
        const prev = lc >= 2 ? layers[lc - 2]! : LAYER_NONE;
        if ((prev === LAYER_IPV4 || prev === LAYER_IPV6) && tunnel === TUNNEL_NONE) {
          tunnel = TUNNEL_IPIP;
          tunnelIpCount = ipc;
        }
        if (ipc === 0) ip0 = o;
        ipLast = o;
        ipc++;
        end = o + totalLength;
        const next = d[o + 9]!;
        const fragment = (((d[o + 6]! << 8) | d[o + 7]!) & 0x1fff) !== 0;
        o += ihl;
        if (fragment) { layer = LAYER_NONE; break; }
        layer = reg.ipProtocols[next]!;
        if (layer === LAYER_NONE) return false;
        break;
      }
      case LAYER_GRE: {
        if (end - o < 4) return false;
        const flags = d[o]!;
        if ((d[o + 1]! & 0x07) !== 0) return false;
        const len = 4 + ((flags & 0x80) !== 0 ? 4 : 0) + ((flags & 0x20) !== 0 ? 4 : 0) +
          ((flags & 0x10) !== 0 ? 4 : 0);
        if (end - o < len) return false;
        if (tunnel === TUNNEL_NONE) {
          tunnel = TUNNEL_GRE;
          tunnelIpCount = ipc;
        }
        if (greFlags < 0) {
          greFlags = (flags << 8) | d[o + 1]!;
          if ((flags & 0x20) !== 0) {
            const k = o + ((flags & 0x80) !== 0 ? 8 : 4);
            greKey = (d[k]! << 24) | (d[k + 1]! << 16) | (d[k + 2]! << 8) | d[k + 3]!;
          }
        }
        const type = (d[o + 2]! << 8) | d[o + 3]!;
        o += len;
        layer = et[type]!;
        if (layer === LAYER_NONE) return false;
        break;
      }
      case LAYER_MPLS: {
        const prev = lc >= 2 ? layers[lc - 2]! : LAYER_NONE;
        if (prev === LAYER_GRE) {
          if (tunnel === TUNNEL_GRE && tunnelIpCount === ipc) tunnel = TUNNEL_MPLSOGRE;
        } else if (tunnel === TUNNEL_NONE) {
          tunnel = prev === LAYER_UDP ? TUNNEL_MPLSOUDP : TUNNEL_MPLS;
          tunnelIpCount = ipc;
        }
        for (;;) {
          if (end - o < 4 || nl >= 2) return false;
          const b2 = d[o + 2]!;
          const label = (d[o]! << 12) | (d[o + 1]! << 4) | (b2 >> 4);
          if (nl === 0) label0 = label;
          else label1 = label;
          nl++;
          o += 4;
          if ((b2 & 1) !== 0) break;
        }
        // resolveMplsPayload without a label map (checked above) and without truncation so far
        const guess = guessMplsPayload(d, o, end, false);
        if (guess === 4) layer = et[ETHERTYPE_IPV4]!;
        else if (guess === 6) layer = et[ETHERTYPE_IPV6]!;
        else if (end - o < 1) return false;
        else layer = et[ETHERTYPE_TEB]! || LAYER_ETHERNET;
        break;
      }
      case LAYER_UDP: {
        const avail = end - o;
        if (avail < 8) return false;
        const length = (d[o + 4]! << 8) | d[o + 5]!;
        if (length < 8 || length > avail) return false;
        srcPort = (d[o]! << 8) | d[o + 1]!;
        dstPort = (d[o + 2]! << 8) | d[o + 3]!;
        proto = IPPROTO_UDP;
        protoIp = ipc;
        tcpFlags = 0;
        end = o + length;
        o += 8;
        payloadLen = end - o;
        layer = reg.udpPorts[dstPort]!;
        if (layer === LAYER_NONE) layer = reg.udpPorts[srcPort]!;
        if (layer !== LAYER_NONE && tunDstPort < 0) {
          tunSrcPort = srcPort;
          tunDstPort = dstPort;
        }
        break;
      }
      case LAYER_VXLAN: {
        if (end - o < 8 || (d[o]! & 0x08) === 0) return false;
        if (tunnel === TUNNEL_NONE) {
          tunnel = TUNNEL_VXLAN;
          tunnelIpCount = ipc;
        }
        if (vni < 0) vni = (d[o + 4]! << 16) | (d[o + 5]! << 8) | d[o + 6]!;
        o += 8;
        layer = et[ETHERTYPE_TEB]!;
        if (layer === LAYER_NONE) return false;
        break;
      }
      case LAYER_TCP: {
        const avail = end - o;
        if (avail < 20) return false;
        const dataOffset = (d[o + 12]! >> 4) << 2;
        if (dataOffset < 20 || avail < dataOffset) return false;
        srcPort = (d[o]! << 8) | d[o + 1]!;
        dstPort = (d[o + 2]! << 8) | d[o + 3]!;
        proto = IPPROTO_TCP;
        protoIp = ipc;
        // int32, not uint32: above 2^31 a uint32 is a double, which a FastFrame field would box
        seq = (d[o + 4]! << 24) | (d[o + 5]! << 16) | (d[o + 6]! << 8) | d[o + 7]!;
        ack = (d[o + 8]! << 24) | (d[o + 9]! << 16) | (d[o + 10]! << 8) | d[o + 11]!;
        tcpFlags = ((d[o + 12]! & 1) << 8) | d[o + 13]!;
        o += dataOffset;
        payloadLen = end - o;
        if (payloadLen === 0) { layer = LAYER_NONE; break; }
        layer = reg.tcpPorts[dstPort]!;
        if (layer === LAYER_NONE) layer = reg.tcpPorts[srcPort]!;
        break;
      }
      case LAYER_HTTP: {
        // the HTTP layer decoder itself, on the context's HTTP fields
        ctx.data = d;
        ctx.start = off;
        ctx.off = o;
        ctx.end = end;
        ctx.flags = 0;
        ctx.problem = 0;
        ctx.layers[0] = LAYER_HTTP;
        ctx.layerCount = 1;
        ctx.resetHttp();
        decodeHttp(ctx);
        if (ctx.flags !== 0) return false;
        o = ctx.off;
        if (ctx.layerCount === 0) {
          // not HTTP after all: no layer
          lc--;
          stackKey = (stackKey - LAYER_HTTP) / 32;
        }
        httpKind = ctx.httpKind;
        layer = LAYER_NONE;
        break;
      }
      default:
        return false;
    }
    ends[lc - 1] = end;
  }
  starts[lc] = o;

  out.layerCount = lc;
  out.stackKey = stackKey;
  out.ethCount = ethCount;
  out.eth0 = eth0;
  out.ethLast = ethLast;
  out.vlanId = vlanId;
  out.ipCount = ipc;
  out.ip0 = ip0;
  out.ipLast = ipLast;
  out.tunnel = tunnel;
  out.tunnelIpCount = tunnelIpCount;
  out.labelCount = nl;
  out.label0 = label0;
  out.label1 = label1;
  out.vni = vni;
  out.tunSrcPort = tunSrcPort;
  out.tunDstPort = tunDstPort;
  out.greFlags = greFlags;
  out.greKey = greKey;
  out.proto = proto;
  out.protoIp = protoIp;
  out.srcPort = srcPort;
  out.dstPort = dstPort;
  out.tcpFlags = tcpFlags;
  out.seq = seq;
  out.ack = ack;
  out.payloadLen = payloadLen;
  out.httpKind = httpKind;
  if (httpKind !== 0) {
    out.httpMethod = ctx.httpMethod;
    out.httpStatus = ctx.httpStatus;
    out.httpPathOff = ctx.httpPathOff;
    out.httpPathLen = ctx.httpPathLen;
    out.httpHostOff = ctx.httpHostOff;
    out.httpHostLen = ctx.httpHostLen;
  }
  return true;
}
