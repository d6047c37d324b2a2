/**
 * What follows the bottom MPLS label: IPv4, IPv6 or Ethernet. Contrail uses both L3 (IP) and L2
 * (Ethernet, no control word) labels, so the choice is, in order:
 *
 * 1. a caller-supplied label map (`mpls --dump` tells which labels point at L2 next hops);
 * 2. otherwise a plausibility check that survives MACs starting with 4 or 6: the first nibble must
 *    say IPv4 *and* the header must hold up (IHL ≥ 5, total length fits the remaining bytes and
 *    the header checksum is valid), or say IPv6 with a payload length that fits; else Ethernet.
 *
 * This is gopacket's `MPLSPayloadDecoder`, made a per-context option instead of a global.
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16 } from "../context";
import * as registry from "../registry";
import { ipv4HeaderChecksumOk } from "./ipv4";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const {
  FLAG_TRUNCATED, LAYER_ETHERNET, LAYER_NONE, MPLS_KIND_ETHERNET, MPLS_KIND_GUESS, MPLS_KIND_IP, MPLS_KIND_IPV4,
  MPLS_KIND_IPV6,
} = ids;
const { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_TEB } = registry;

/**
 * Chooses the layer after the bottom MPLS label at `ctx.off`.
 * @example
 * // label 40 mapped to "ethernet": returns LAYER_ETHERNET even when the MAC starts with 4
 * resolveMplsPayload(ctx, 40);
 */
export function resolveMplsPayload(ctx: DecodeContext, label: number): number {
  const kinds = ctx.labelKinds;
  const kind = kinds === null ? MPLS_KIND_GUESS : kinds[label]!;
  const et = ctx.reg.etherTypes;
  switch (kind) {
    case MPLS_KIND_ETHERNET: return et[ETHERTYPE_TEB]!;
    case MPLS_KIND_IPV4: return et[ETHERTYPE_IPV4]!;
    case MPLS_KIND_IPV6: return et[ETHERTYPE_IPV6]!;
    case MPLS_KIND_IP: {
      if (ctx.end - ctx.off < 1) return ctx.truncate();
      const v = ctx.reg.ipVersions[ctx.data[ctx.off]! >> 4]!;
      return v === LAYER_NONE ? ctx.unsupported(ctx.data[ctx.off]! >> 4) : v;
    }
    default: {
      const guess = guessMplsPayload(ctx.data, ctx.off, ctx.end, (ctx.flags & FLAG_TRUNCATED) !== 0);
      if (guess === 4) return et[ETHERTYPE_IPV4]!;
      if (guess === 6) return et[ETHERTYPE_IPV6]!;
      if (ctx.end - ctx.off < 1) return ctx.truncate();
      return et[ETHERTYPE_TEB]! || LAYER_ETHERNET;
    }
  }
}

/**
 * Guesses the MPLS payload: 4 (plausible IPv4), 6 (plausible IPv6) or 0 (treat as Ethernet).
 * A header cut short by the capture is accepted when what is there is consistent.
 * @example
 * guessMplsPayload(bytes, 46, bytes.length) // 4
 * @param truncated the outer layers were already cut short by the capture
 */
export function guessMplsPayload(d: Uint8Array, o: number, end: number, truncated = false): 0 | 4 | 6 {
  const avail = end - o;
  if (avail < 1) return 0;
  const v = d[o]! >> 4;
  if (v === 4) {
    const ihl = (d[o]! & 0x0f) << 2;
    if (ihl < 20 || avail < 20) return 0;
    const totalLength = u16(d, o + 2);
    if (totalLength < ihl) return 0;
    // exact fit, or IP shorter than the rest (padding), or the capture cut it short
    if (avail < ihl) return 0;
    if (!ipv4HeaderChecksumOk(d, o, ihl)) return 0;
    return 4;
  }
  if (v === 6) {
    if (avail < 40) return 0;
    const payloadLength = u16(d, o + 4);
    // IPv6 has no checksum: the payload length must match what remains exactly, or exceed it
    // when the outer headers already said the capture was cut short
    return payloadLength + 40 === avail || (truncated && payloadLength + 40 > avail) ? 6 : 0;
  }
  return 0;
}
