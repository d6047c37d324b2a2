/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443): type and code.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Rest of header                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext } from "../context";
import * as registry from "../registry";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE } = ids;
const { IPPROTO_ICMP, IPPROTO_ICMPV6 } = registry;

function decodeIcmpCommon(ctx: DecodeContext, proto: number): number {
  const o = ctx.off;
  if (ctx.end - o < 4) return ctx.truncate();
  ctx.transportProto = proto;
  ctx.transportIp = ctx.ipCount;
  ctx.icmpType = ctx.data[o]!;
  ctx.icmpCode = ctx.data[o + 1]!;
  ctx.srcPort = -1;
  ctx.dstPort = -1;
  ctx.tcpFlags = 0;
  ctx.payloadOff = Math.min(o + 8, ctx.end);
  ctx.payloadLen = ctx.end - ctx.payloadOff;
  ctx.off = ctx.payloadOff;
  return LAYER_NONE;
}

/**
 * Decodes an ICMP header (type, code).
 * @example
 * decodeIcmp(ctx); ctx.icmpType; // 8 for an echo request
 */
export function decodeIcmp(ctx: DecodeContext): number {
  return decodeIcmpCommon(ctx, IPPROTO_ICMP);
}

/**
 * Decodes an ICMPv6 header (type, code).
 * @example
 * decodeIcmpv6(ctx); ctx.icmpType; // 128 for an echo request
 */
export function decodeIcmpv6(ctx: DecodeContext): number {
  return decodeIcmpCommon(ctx, IPPROTO_ICMPV6);
}
