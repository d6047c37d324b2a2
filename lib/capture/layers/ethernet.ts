/**
 * Ethernet II.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Destination MAC (6 octets)                   |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |   Source MAC (6 octets)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     EtherType / Length        |  payload…
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * An EtherType below 0x0600 is an 802.3 length (LLC follows): decoding stops there, unsupported.
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE } = ids;

/** Ethernet II header length. */
export const ETHERNET_HEADER_LENGTH = 14;

/**
 * Decodes an Ethernet II header at `ctx.off`; next layer by EtherType.
 * @example
 * // eth[ipv4[…]]: ctx.ethOff[0] is the destination MAC offset, returns LAYER_IPV4
 * const next = decodeEthernet(ctx);
 */
export function decodeEthernet(ctx: DecodeContext): number {
  const o = ctx.off;
  if (ctx.end - o < ETHERNET_HEADER_LENGTH) return ctx.truncate();
  if (ctx.ethCount < 4) ctx.ethOff[ctx.ethCount] = o;
  ctx.ethCount++;
  const type = u16(ctx.data, o + 12);
  ctx.off = o + ETHERNET_HEADER_LENGTH;
  if (type < 0x0600) return ctx.unsupported(type);
  const next = ctx.reg.etherTypes[type]!;
  return next === LAYER_NONE ? ctx.unsupported(type) : next;
}
