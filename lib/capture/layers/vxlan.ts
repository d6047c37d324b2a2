/**
 * VXLAN (RFC 7348).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|R|R|R|I|R|R|R|            Reserved                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                VXLAN Network Identifier (VNI) |   Reserved    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * The payload is an Ethernet frame: the next layer is the registry's transparent-Ethernet-bridging
 * EtherType (0x6558), so VXLAN does not name Ethernet itself.
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext } from "../context";
import * as registry from "../registry";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE, P_VXLAN_FLAGS, TUNNEL_VXLAN } = ids;
const { ETHERTYPE_TEB } = registry;

/**
 * Decodes a VXLAN header into `ctx.vni`.
 * @example
 * // vxlan VNI 5001: ctx.vni === 5001, returns LAYER_ETHERNET
 * decodeVxlan(ctx);
 */
export function decodeVxlan(ctx: DecodeContext): number {
  const d = ctx.data;
  const o = ctx.off;
  if (ctx.end - o < 8) return ctx.truncate();
  if ((d[o]! & 0x08) === 0) return ctx.fail(P_VXLAN_FLAGS);
  ctx.enterTunnel(TUNNEL_VXLAN);
  if (ctx.vni < 0) ctx.vni = (d[o + 4]! << 16) | (d[o + 5]! << 8) | d[o + 6]!;
  ctx.off = o + 8;
  const next = ctx.reg.etherTypes[ETHERTYPE_TEB]!;
  return next === LAYER_NONE ? ctx.unsupported(ETHERTYPE_TEB) : next;
}
