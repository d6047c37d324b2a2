/**
 * IPv6 (RFC 8200). Hop-by-hop, routing, destination-options and fragment extension headers are
 * skipped to find the upper-layer protocol.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Source Address (16 octets)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              Destination Address (16 octets)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_IPV4, LAYER_IPV6, LAYER_NONE, MAX_IPS, P_IP_DEPTH, P_IPV6_VERSION, TUNNEL_IPIP } = ids;

/** IPv6 fixed header length. */
export const IPV6_HEADER_LENGTH = 40;

/**
 * Decodes an IPv6 header (and extension headers); next layer by the upper-layer protocol.
 * @example
 * // ipv6 2001:db8::1 → 2001:db8:101::1 next header 6: returns LAYER_TCP
 * decodeIpv6(ctx);
 */
export function decodeIpv6(ctx: DecodeContext): number {
  const d = ctx.data;
  const o = ctx.off;
  const avail = ctx.end - o;
  if (avail < IPV6_HEADER_LENGTH) return ctx.truncate();
  if (d[o]! >> 4 !== 6) return ctx.fail(P_IPV6_VERSION);
  if (ctx.ipCount >= MAX_IPS) return ctx.fail(P_IP_DEPTH);
  const prev = ctx.previousLayer();
  if ((prev === LAYER_IPV4 || prev === LAYER_IPV6)) ctx.enterTunnel(TUNNEL_IPIP);
  const payloadLength = u16(d, o + 4);
  const n = ctx.ipCount++;
  ctx.ipVer[n] = 6;
  ctx.ipOff[n] = o;
  let next = d[o + 6]!;
  let p = o + IPV6_HEADER_LENGTH;
  if (payloadLength + IPV6_HEADER_LENGTH <= avail) ctx.end = p + payloadLength;
  else ctx.truncate();
  // (ctx.off is still the header start, so a truncation is reported at this header)
  // extension headers: hop-by-hop 0, routing 43, fragment 44, destination options 60
  for (let guard = 0; guard < 8; guard++) {
    if (next === 0 || next === 43 || next === 60) {
      if (ctx.end - p < 8) { ctx.ipProto[n] = next; ctx.off = p; return ctx.truncate(); }
      const len = (d[p + 1]! + 1) << 3;
      next = d[p]!;
      p += len;
    } else if (next === 44) {
      if (ctx.end - p < 8) { ctx.ipProto[n] = next; ctx.off = p; return ctx.truncate(); }
      const nonFirst = (u16(d, p + 2) & 0xfff8) !== 0;
      next = d[p]!;
      p += 8;
      if (nonFirst) { ctx.ipProto[n] = next; ctx.off = p; return LAYER_NONE; }
    } else break;
  }
  ctx.ipProto[n] = next;
  if (p > ctx.end) { ctx.off = ctx.end; return ctx.truncate(); }
  ctx.off = p;
  const layer = ctx.reg.ipProtocols[next]!;
  return layer === LAYER_NONE ? ctx.unsupported(next) : layer;
}
