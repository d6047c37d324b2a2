/**
 * BSD loopback / null (LINKTYPE_NULL 0, LINKTYPE_LOOP 108): a 4-byte address family, then the packet.
 *
 * ```
 * +---------------------------------------------------------------+
 * |  Address family (4 octets): host byte order for NULL,         |
 * |  network byte order for LOOP                                  |
 * +---------------------------------------------------------------+
 * ```
 * The family is small, so its byte order shows: two leading zero bytes mean big-endian. IPv4 is
 * family 2 everywhere; IPv6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (Darwin) or 10 (Linux).
 * https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE } = ids;

/** Null / loopback header length. */
export const NULL_HEADER_LENGTH = 4;

/**
 * Decodes the address family; next layer through `ctx.reg.addressFamilies`.
 * @example
 * // null[ipv4[…]] with family 02 00 00 00 (little-endian host): returns LAYER_IPV4
 * decodeNull(ctx);
 */
export function decodeNull(ctx: DecodeContext): number {
  const d = ctx.data;
  const o = ctx.off;
  if (ctx.end - o < NULL_HEADER_LENGTH) return ctx.truncate();
  const bigEndian = d[o] === 0 && d[o + 1] === 0;
  const family = bigEndian
    ? ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0
    : ((d[o + 3]! << 24) | (d[o + 2]! << 16) | (d[o + 1]! << 8) | d[o]!) >>> 0;
  ctx.off = o + NULL_HEADER_LENGTH;
  const next = family < ctx.reg.addressFamilies.length ? ctx.reg.addressFamilies[family]! : LAYER_NONE;
  return next === LAYER_NONE ? ctx.unsupported(family) : next;
}
