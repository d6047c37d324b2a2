/**
 * Raw IP link types (LINKTYPE_RAW 101, DLT_RAW 12/14): no link header, the IP version nibble
 * chooses IPv4 or IPv6. Consumes no bytes.
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE } = ids;

/**
 * Chooses the IP layer by the version nibble through `ctx.reg.ipVersions`.
 * @example
 * // raw[ipv6[tcp]]
 * decodeRawIp(ctx); // LAYER_IPV6
 */
export function decodeRawIp(ctx: DecodeContext): number {
  if (ctx.end - ctx.off < 1) return ctx.truncate();
  const version = ctx.data[ctx.off]! >> 4;
  const next = ctx.reg.ipVersions[version]!;
  return next === LAYER_NONE ? ctx.unsupported(version) : next;
}
