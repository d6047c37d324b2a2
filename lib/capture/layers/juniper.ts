/**
 * Juniper's capture pseudo-header (`monitor traffic interface … write-file`, the LINKTYPE_JUNIPER_*
 * link types), as Wireshark's `packet-juniper.c` reads it:
 *
 * ```
 * +------+------+------+-------+-----------------------------+
 * | 'M'  | 'G'  | 'C'  | flags | [ext length (2), ext TLVs]  |  flags: 0x01 packet in (else out),
 * +------+------+------+-------+-----------------------------+         0x02 no L2 header, 0x80 extensions
 * | no L2 header: protocol (4 octets, little-endian): 2 IPv4, 6 IPv6, 5 MPLS, 200 PPP, 204 Ethernet, … |
 * | else the PIC's own framing: Ethernet (ETHER, PPPOE), a 2-octet cookie + PPP (PPP), Cisco HDLC     |
 * | (CHDLC), a cookie + PPP (MLPPP), a 4/8-octet cookie + LLC/SNAP, VC-mux PPP or IP (ATM1/ATM2)      |
 * +---------------------------------------------------------------------------------------------------+
 * ```
 * The extension TLVs (interface indexes, media type, encapsulation) are skipped by their total length.
 * Frame Relay, LLC/NLPID and OAM payloads are not decoded (`unsupported`).
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";
import * as lt from "../link-types";
import * as registry from "../registry";
import { isPppProtocol } from "./ppp";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_CHDLC, LAYER_ETHERNET, LAYER_NONE, LAYER_PPP, P_JUNIPER_MAGIC } = ids;
const { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_MPLS } = registry;
const {
  LINKTYPE_JUNIPER_ATM1, LINKTYPE_JUNIPER_ATM2, LINKTYPE_JUNIPER_CHDLC, LINKTYPE_JUNIPER_ETHER, LINKTYPE_JUNIPER_MLPPP,
  LINKTYPE_JUNIPER_PPP, LINKTYPE_JUNIPER_PPPOE,
} = lt;

/** Flag bits of the pseudo-header's fourth octet. */
export const JUNIPER_FLAG_IN = 0x01;
export const JUNIPER_FLAG_NO_L2 = 0x02;
export const JUNIPER_FLAG_EXT = 0x80;

/**
 * Decodes the pseudo-header and the PIC's cookie; next layer by the link type (`ctx.linkType`).
 * @example
 * // 4d 47 43 01 | ethernet …  on LINKTYPE_JUNIPER_ETHER: returns LAYER_ETHERNET
 * decodeJuniper(ctx);
 */
export function decodeJuniper(ctx: DecodeContext): number {
  const d = ctx.data;
  const o = ctx.off;
  const end = ctx.end;
  if (end - o < 4) return ctx.truncate();
  if (d[o] !== 0x4d || d[o + 1] !== 0x47 || d[o + 2] !== 0x43) return ctx.fail(P_JUNIPER_MAGIC);
  const flags = d[o + 3]!;
  let p = o + 4;
  if ((flags & JUNIPER_FLAG_EXT) !== 0) {
    if (end - o < 6) return ctx.truncate();
    p = o + 6 + u16(d, o + 4);
    if (p > end) return ctx.truncate();
  }
  const et = ctx.reg.etherTypes;
  if ((flags & JUNIPER_FLAG_NO_L2) !== 0) {
    if (end - p < 4) { ctx.off = p; return ctx.truncate(); }
    const proto = (d[p]! | (d[p + 1]! << 8) | (d[p + 2]! << 16) | (d[p + 3]! << 24)) >>> 0;
    ctx.off = p + 4;
    let next = LAYER_NONE;
    switch (proto) {
      case 2: case 3: next = et[ETHERTYPE_IPV4]!; break;
      case 6: case 7: next = et[ETHERTYPE_IPV6]!; break;
      case 4: case 5: case 8: case 32: next = et[ETHERTYPE_MPLS]!; break;
      case 200: next = LAYER_PPP; break;
      case 204: next = LAYER_ETHERNET; break;
      case 208: next = LAYER_CHDLC; break;
    }
    return next === LAYER_NONE ? ctx.unsupported(proto) : next;
  }
  ctx.off = p;
  switch (ctx.linkType) {
    case LINKTYPE_JUNIPER_ETHER:
    case LINKTYPE_JUNIPER_PPPOE:
      return LAYER_ETHERNET;
    case LINKTYPE_JUNIPER_PPP:
      if (end - p < 2) return ctx.truncate();
      ctx.off = p + 2;
      return LAYER_PPP;
    case LINKTYPE_JUNIPER_CHDLC:
      return LAYER_CHDLC;
    case LINKTYPE_JUNIPER_MLPPP: {
      if (end - p < 4) return ctx.truncate();
      // an LSQ cookie (first octet 0x54) is 4 octets; a 2-octet MLPIC cookie or none comes before PPP
      if (d[p] === 0x54) { ctx.off = p + 4; return LAYER_PPP; }
      if (u16(d, p) === 0xff03) { ctx.off = p + 2; return LAYER_PPP; }
      if (isPppProtocol(u16(d, p + 2))) { ctx.off = p + 2; return LAYER_PPP; }
      if (isPppProtocol(u16(d, p))) return LAYER_PPP;
      return ctx.unsupported(u16(d, p));
    }
    case LINKTYPE_JUNIPER_ATM1:
    case LINKTYPE_JUNIPER_ATM2: {
      const atm2 = ctx.linkType === LINKTYPE_JUNIPER_ATM2;
      const cookieLength = atm2 ? 8 : 4;
      if (end - p < cookieLength + 3) return ctx.truncate();
      const cookie1 = ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
      // OAM cells: ATM1 cookie's first octet 0x80, ATM2 cookie's last octet & 0x70
      if (!atm2 && d[p] === 0x80) return ctx.unsupported(cookie1);
      if (atm2 && (d[p + 7]! & 0x70) !== 0) return ctx.unsupported(cookie1);
      const q = p + cookieLength;
      ctx.off = q;
      const llc = (d[q]! << 16) | (d[q + 1]! << 8) | d[q + 2]!;
      if (llc === 0xaaaa03) {
        // LLC/SNAP: aa aa 03, OUI (3), EtherType
        if (end - q < 8) return ctx.truncate();
        const type = u16(d, q + 6);
        ctx.off = q + 8;
        const next = et[type]!;
        return next === LAYER_NONE ? ctx.unsupported(type) : next;
      }
      if (llc === 0xfefe03) return ctx.unsupported(llc);
      if (atm2 && (flags & JUNIPER_FLAG_IN) === 0 && (cookie1 & 0x3f) !== 0) return LAYER_ETHERNET;
      if (atm2 && isPppProtocol(u16(d, q))) return LAYER_PPP;
      const b = d[q]!;
      if (b === 0x03) return ctx.unsupported(b);
      if (b >= 0x45 && b <= 0x4f) return et[ETHERTYPE_IPV4]! || ctx.unsupported(b);
      if (b >> 4 === 6) return et[ETHERTYPE_IPV6]! || ctx.unsupported(b);
      return ctx.unsupported(b);
    }
    default:
      return ctx.unsupported(ctx.linkType);
  }
}
