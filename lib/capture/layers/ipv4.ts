/**
 * IPv4 (RFC 791).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * The layer's end is narrowed to Total Length (drops Ethernet padding); a Total Length beyond the
 * captured bytes flags truncation and decoding goes on with what is there. Non-first fragments stop.
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const {
  LAYER_IPV4, LAYER_IPV6, LAYER_NONE, MAX_IPS, P_IP_DEPTH, P_IPV4_IHL, P_IPV4_TOTLEN, P_IPV4_VERSION, TUNNEL_IPIP,
} = ids;

/**
 * Decodes an IPv4 header; next layer by protocol.
 * @example
 * // ipv4 10.169.25.20 → 10.169.25.21 proto 17: ctx.ipOff[n] = header offset, returns LAYER_UDP
 * decodeIpv4(ctx);
 */
export function decodeIpv4(ctx: DecodeContext): number {
  const d = ctx.data;
  const o = ctx.off;
  const avail = ctx.end - o;
  if (avail < 20) return ctx.truncate();
  const vihl = d[o]!;
  if (vihl >> 4 !== 4) return ctx.fail(P_IPV4_VERSION);
  const ihl = (vihl & 0x0f) << 2;
  if (ihl < 20) return ctx.fail(P_IPV4_IHL);
  if (avail < ihl) return ctx.truncate();
  const totalLength = u16(d, o + 2);
  if (totalLength < ihl) return ctx.fail(P_IPV4_TOTLEN);
  if (ctx.ipCount >= MAX_IPS) return ctx.fail(P_IP_DEPTH);
  const prev = ctx.previousLayer();
  if ((prev === LAYER_IPV4 || prev === LAYER_IPV6)) ctx.enterTunnel(TUNNEL_IPIP);
  const n = ctx.ipCount++;
  const proto = d[o + 9]!;
  ctx.ipVer[n] = 4;
  ctx.ipOff[n] = o;
  ctx.ipProto[n] = proto;
  // total length beyond the captured bytes: flag it here (the header that says so), decode on
  if (totalLength <= avail) ctx.end = o + totalLength;
  else ctx.truncate();
  ctx.off = o + ihl;
  // a non-first fragment carries no next-layer header
  if ((u16(d, o + 6) & 0x1fff) !== 0) return LAYER_NONE;
  const next = ctx.reg.ipProtocols[proto]!;
  return next === LAYER_NONE ? ctx.unsupported(proto) : next;
}

/**
 * Internet checksum of an IPv4 header is valid (sums to 0xffff).
 * @example ipv4HeaderChecksumOk(bytes, 14, 20) // true
 */
export function ipv4HeaderChecksumOk(d: Uint8Array, o: number, ihl: number): boolean {
  let sum = 0;
  if (ihl === 20) {
    // the usual header, unrolled (this runs for every MPLS payload guess); ten words need two folds
    sum = ((d[o]! << 8) | d[o + 1]!) + ((d[o + 2]! << 8) | d[o + 3]!) + ((d[o + 4]! << 8) | d[o + 5]!) +
      ((d[o + 6]! << 8) | d[o + 7]!) + ((d[o + 8]! << 8) | d[o + 9]!) + ((d[o + 10]! << 8) | d[o + 11]!) +
      ((d[o + 12]! << 8) | d[o + 13]!) + ((d[o + 14]! << 8) | d[o + 15]!) + ((d[o + 16]! << 8) | d[o + 17]!) +
      ((d[o + 18]! << 8) | d[o + 19]!);
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    return sum === 0xffff;
  }
  for (let i = 0; i < ihl; i += 2) sum += (d[o + i]! << 8) | d[o + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}
