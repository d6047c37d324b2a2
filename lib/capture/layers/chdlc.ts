/**
 * Cisco HDLC (LINKTYPE_C_HDLC 104; also met on LINKTYPE_PPP_HDLC 50 and inside Juniper captures).
 *
 * ```
 * +----------+----------+-------------------------+
 * | Address  | Control  | Protocol (2 octets)     |
 * | 0x0f/0x8f|   0x00   | an EtherType            |
 * +----------+----------+-------------------------+
 * ```
 * Address 0x0f is unicast, 0x8f broadcast; SLARP keepalives are protocol 0x8035 (not decoded).
 * https://www.tcpdump.org/linktypes/LINKTYPE_C_HDLC.html
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE } = ids;

/** Cisco HDLC header length. */
export const CHDLC_HEADER_LENGTH = 4;

/**
 * Decodes a Cisco HDLC header; next layer by its protocol (EtherType).
 * @example
 * // 0f 00 88 47: returns LAYER_MPLS
 * decodeChdlc(ctx);
 */
export function decodeChdlc(ctx: DecodeContext): number {
  const o = ctx.off;
  if (ctx.end - o < CHDLC_HEADER_LENGTH) return ctx.truncate();
  const type = u16(ctx.data, o + 2);
  ctx.off = o + CHDLC_HEADER_LENGTH;
  const next = ctx.reg.etherTypes[type]!;
  return next === LAYER_NONE ? ctx.unsupported(type) : next;
}
