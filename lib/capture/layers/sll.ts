/**
 * Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113), what `tcpdump -i any` wrote before libpcap 1.10.
 *
 * ```
 * +---------------------------+
 * |  Packet type (2 octets)   |  0 to-us, 1 broadcast, 2 multicast, 3 other-host, 4 outgoing
 * +---------------------------+
 * |  ARPHRD type (2 octets)   |
 * +---------------------------+
 * |  Address length (2)       |
 * +---------------------------+
 * |  Address (8 octets)       |
 * +---------------------------+
 * |  Protocol type (2)        |  an EtherType for ARPHRD_ETHER and most others
 * +---------------------------+
 * ```
 * https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE } = ids;

/** SLL v1 header length. */
export const SLL_HEADER_LENGTH = 16;

/**
 * Decodes an SLL v1 header; next layer by its protocol field (EtherType).
 * @example
 * // sll[ipv4[gre[mpls[ipv4[tcp]]]]]
 * decodeSll(ctx); // LAYER_IPV4
 */
export function decodeSll(ctx: DecodeContext): number {
  const o = ctx.off;
  if (ctx.end - o < SLL_HEADER_LENGTH) return ctx.truncate();
  const type = u16(ctx.data, o + 14);
  ctx.off = o + SLL_HEADER_LENGTH;
  const next = ctx.reg.etherTypes[type]!;
  return next === LAYER_NONE ? ctx.unsupported(type) : next;
}
