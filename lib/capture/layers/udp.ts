/**
 * UDP (RFC 768).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * Next layer by destination port, then source port (MPLSoUDP 6635/51234, VXLAN 4789 by default).
 * The ports of the first tunnel-carrying UDP header are kept as `tunnelSrcPort`/`tunnelDstPort` (the
 * source port is the sender's per-flow entropy: vRouter's `flow -l` prints it as `UdpSrcPort`/`SPort`).
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";
import * as registry from "../registry";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE, P_UDP_LENGTH } = ids;
const { IPPROTO_UDP } = registry;

/**
 * Decodes a UDP header; next layer by port.
 * @example
 * // udp 60460 → 6635: returns LAYER_MPLS
 * decodeUdp(ctx);
 */
export function decodeUdp(ctx: DecodeContext): number {
  const d = ctx.data;
  const o = ctx.off;
  const avail = ctx.end - o;
  if (avail < 8) return ctx.truncate();
  const length = u16(d, o + 4);
  if (length < 8) return ctx.fail(P_UDP_LENGTH);
  const src = u16(d, o);
  const dst = u16(d, o + 2);
  ctx.transportProto = IPPROTO_UDP;
  ctx.transportIp = ctx.ipCount;
  ctx.srcPort = src;
  ctx.dstPort = dst;
  ctx.tcpFlags = 0;
  if (length <= avail) ctx.end = o + length;
  else ctx.truncate();
  ctx.off = o + 8;
  ctx.payloadOff = o + 8;
  ctx.payloadLen = ctx.end - ctx.off;
  let next = ctx.reg.udpPorts[dst]!;
  if (next === LAYER_NONE) next = ctx.reg.udpPorts[src]!;
  if (next !== LAYER_NONE && ctx.tunnelDstPort < 0) {
    ctx.tunnelSrcPort = src;
    ctx.tunnelDstPort = dst;
  }
  return next;
}
