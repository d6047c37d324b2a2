/**
 * GRE (RFC 2784 with the RFC 2890 key and sequence extensions). vRouter's MPLSoGRE uses protocol
 * type 0x8847 (`VR_GRE_PROTO_MPLS`).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |C| |K|S| Reserved0       | Ver |         Protocol Type         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Checksum (optional)      |       Reserved1 (Optional)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Key (optional)                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Sequence Number (Optional)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * The first GRE header's flags word (C 0x8000, K 0x2000, S 0x1000, version) and key are kept.
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16, u32 } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE, P_GRE_VERSION, TUNNEL_GRE } = ids;

/**
 * Decodes a GRE header; next layer by protocol type (an EtherType).
 * @example
 * // gre proto 0x8847: returns LAYER_MPLS, tunnel becomes MPLSoGRE once MPLS is decoded
 * decodeGre(ctx);
 */
export function decodeGre(ctx: DecodeContext): number {
  const d = ctx.data;
  const o = ctx.off;
  if (ctx.end - o < 4) return ctx.truncate();
  const flags = d[o]!;
  if ((d[o + 1]! & 0x07) !== 0) return ctx.fail(P_GRE_VERSION);
  const len = 4 + ((flags & 0x80) !== 0 ? 4 : 0) + ((flags & 0x20) !== 0 ? 4 : 0) + ((flags & 0x10) !== 0 ? 4 : 0);
  if (ctx.end - o < len) return ctx.truncate();
  ctx.enterTunnel(TUNNEL_GRE);
  if (ctx.greFlags < 0) {
    // the first GRE header's flags word and key (after the checksum word when C is set)
    ctx.greFlags = u16(d, o);
    if ((flags & 0x20) !== 0) ctx.greKey = u32(d, o + ((flags & 0x80) !== 0 ? 8 : 4));
  }
  const type = u16(d, o + 2);
  ctx.off = o + len;
  const next = ctx.reg.etherTypes[type]!;
  return next === LAYER_NONE ? ctx.unsupported(type) : next;
}
