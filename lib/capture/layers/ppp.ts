/**
 * PPP (RFC 1661) as captured: LINKTYPE_PPP 9 and LINKTYPE_PPP_HDLC 50 (RFC 1662 framing), and the
 * PPP inside Juniper captures.
 *
 * ```
 * +----------+----------+-----------------------+
 * | Address  | Control  | Protocol (1 or 2)     |   address/control (ff 03) optional;
 * |   0xff   |   0x03   | 0x0021 IPv4, 0x0057   |   a protocol whose first octet is odd is
 * |          |          | IPv6, 0x0281 MPLS     |   the compressed 1-octet form (RFC 1661 §6.5)
 * +----------+----------+-----------------------+
 * ```
 * On a serial link the capture may hold Cisco HDLC instead (first octet 0x0f or 0x8f): the layer then
 * turns into `chdlc` (only as the link layer itself). https://www.tcpdump.org/linktypes/LINKTYPE_PPP_HDLC.html
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";
import { decodeChdlc } from "./chdlc";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_CHDLC, LAYER_NONE } = ids;

/**
 * Decodes a PPP header; next layer through `ctx.reg.pppProtocols`.
 * @example
 * // ff 03 00 21 45 …: returns LAYER_IPV4
 * decodePpp(ctx);
 */
export function decodePpp(ctx: DecodeContext): number {
  const d = ctx.data;
  let o = ctx.off;
  const end = ctx.end;
  if (end - o < 1) return ctx.truncate();
  const first = d[o]!;
  if ((first === 0x0f || first === 0x8f) && ctx.layerCount === 1) {
    // Cisco HDLC framing on a "PPP" serial link
    ctx.layers[0] = LAYER_CHDLC;
    return decodeChdlc(ctx);
  }
  if (first === 0xff) {
    if (end - o < 2) return ctx.truncate();
    if (d[o + 1] === 0x03) o += 2;
  }
  if (end - o < 1) { ctx.off = o; return ctx.truncate(); }
  let protocol: number;
  if ((d[o]! & 1) !== 0) {
    protocol = d[o]!;
    o += 1;
  } else {
    if (end - o < 2) { ctx.off = o; return ctx.truncate(); }
    protocol = u16(d, o);
    o += 2;
  }
  ctx.off = o;
  const next = ctx.reg.pppProtocols[protocol]!;
  return next === LAYER_NONE ? ctx.unsupported(protocol) : next;
}

/**
 * A PPP protocol value Wireshark's Juniper dissector takes as PPP (IP, OSI, MPLS, their control
 * protocols, LCP, PAP, CHAP, MP, IPv6).
 * @example isPppProtocol(0x0021) // true
 */
export function isPppProtocol(p: number): boolean {
  switch (p) {
    case 0x0021: case 0x0023: case 0x0281: case 0x0283: case 0x8021: case 0x8023: case 0x8281: case 0xc021:
    case 0xc023: case 0xc223: case 0x003d: case 0x0057: case 0x8057:
      return true;
    default:
      return false;
  }
}
