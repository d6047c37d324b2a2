/**
 * MPLS label stack (RFC 3032).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Label                  | TC  |S|       TTL     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * The whole stack is decoded as one layer (up to the S bit). MPLS has no next-protocol field: the
 * payload (IP or Ethernet) is chosen by `resolveMplsPayload` (label map, else a plausibility check).
 * The tunnel type follows from the layer before: GRE → MPLSoGRE, UDP → MPLSoUDP.
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext } from "../context";
import { resolveMplsPayload } from "./mpls-payload";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const {
  LAYER_GRE, LAYER_UDP, MAX_LABELS, P_MPLS_DEPTH, TUNNEL_GRE, TUNNEL_MPLS, TUNNEL_MPLSOGRE, TUNNEL_MPLSOUDP, TUNNEL_NONE,
} = ids;

/**
 * Decodes an MPLS label stack into `ctx.labels`; next layer from the bottom label.
 * @example
 * // mpls[20 S=1 TTL 63]: ctx.labels[0] === 20, returns LAYER_IPV4 for an IPv4 payload
 * decodeMpls(ctx);
 */
export function decodeMpls(ctx: DecodeContext): number {
  const d = ctx.data;
  let o = ctx.off;
  const prev = ctx.previousLayer();
  if (prev === LAYER_GRE) {
    if (ctx.tunnel === TUNNEL_GRE && ctx.tunnelIpCount === ctx.ipCount) ctx.tunnel = TUNNEL_MPLSOGRE;
  } else if (prev === LAYER_UDP) {
    ctx.enterTunnel(TUNNEL_MPLSOUDP);
  } else if (ctx.tunnel === TUNNEL_NONE) {
    ctx.enterTunnel(TUNNEL_MPLS);
  }
  for (;;) {
    if (ctx.end - o < 4) { ctx.off = o; return ctx.truncate(); }
    const b2 = d[o + 2]!;
    const label = (d[o]! << 12) | (d[o + 1]! << 4) | (b2 >> 4);
    if (ctx.labelCount >= MAX_LABELS) { ctx.off = o; return ctx.fail(P_MPLS_DEPTH); }
    ctx.labels[ctx.labelCount++] = label;
    o += 4;
    if ((b2 & 1) !== 0) {
      ctx.off = o;
      return resolveMplsPayload(ctx, label);
    }
  }
}
