/**
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276), what `tcpdump -i any` writes with libpcap ≥ 1.10.
 *
 * ```
 * +---------------------------+
 * |  Protocol type (2)        |  EtherType
 * +---------------------------+
 * |  Reserved (2)             |
 * +---------------------------+
 * |  Interface index (4)      |
 * +---------------------------+
 * |  ARPHRD type (2)          |
 * +---------------------------+
 * | Pkt type (1)| Addr len (1)|
 * +---------------------------+
 * |  Address (8 octets)       |
 * +---------------------------+
 * ```
 * https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE } = ids;

/** SLL v2 header length. */
export const SLL2_HEADER_LENGTH = 20;

/**
 * Decodes an SLL v2 header; next layer by its protocol field (EtherType).
 * @example
 * // sll2[ipv4[udp[mpls[ipv4[tcp]]]]]
 * decodeSll2(ctx); // LAYER_IPV4
 */
export function decodeSll2(ctx: DecodeContext): number {
  const o = ctx.off;
  if (ctx.end - o < SLL2_HEADER_LENGTH) return ctx.truncate();
  const type = u16(ctx.data, o);
  ctx.off = o + SLL2_HEADER_LENGTH;
  const next = ctx.reg.etherTypes[type]!;
  return next === LAYER_NONE ? ctx.unsupported(type) : next;
}
