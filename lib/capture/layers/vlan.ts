/**
 * IEEE 802.1Q VLAN tag (also 802.1ad QinQ outer tags, EtherType 0x88a8 / 0x9100).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | PCP |D|        VLAN ID        |     inner EtherType           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * (The TPID 0x8100 was the EtherType field of the layer before.)
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE, P_VLAN_DEPTH } = ids;

/**
 * Decodes one VLAN tag; records the first tag's VLAN id; next layer by the inner EtherType.
 * @example
 * // eth[vlan 100[ipv4[…]]]
 * decodeVlan(ctx); ctx.vlanId; // 100
 */
export function decodeVlan(ctx: DecodeContext): number {
  const o = ctx.off;
  if (ctx.end - o < 4) return ctx.truncate();
  if (ctx.vlanCount >= 4) return ctx.fail(P_VLAN_DEPTH);
  if (ctx.vlanCount === 0) ctx.vlanId = u16(ctx.data, o) & 0x0fff;
  ctx.vlanCount++;
  const type = u16(ctx.data, o + 2);
  ctx.off = o + 4;
  if (type < 0x0600) return ctx.unsupported(type);
  const next = ctx.reg.etherTypes[type]!;
  return next === LAYER_NONE ? ctx.unsupported(type) : next;
}
