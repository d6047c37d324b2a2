/**
 * "Which frames belong to this probe's connection": the frames of one inner 5-tuple, both
 * directions, whatever tunnel carried them (the same connection can cross MPLSoGRE on one hop and
 * show up untunnelled on a tap interface).
 * @module
 */
import type { FrameTable } from "../table/frame-table";

/** A connection as the probe saw it: client → server. */
export interface ConnectionSpec {
  client: string;
  server: string;
  /** Client port; any when omitted. */
  clientPort?: number;
  serverPort?: number;
  /** IP protocol (default 6, TCP). */
  proto?: number;
}

/**
 * Row indices of the connection's frames, both directions, in capture order.
 * @example connectionIndices(t, { client: "15.15.15.2", clientPort: 40000, server: "101.101.101.1", serverPort: 80 })
 */
export function connectionIndices(t: FrameTable, spec: ConnectionSpec): Uint32Array {
  const c = t.columns;
  const a = t.dicts.addresses;
  const proto = spec.proto ?? 6;
  const matches = (addr: string, want: string) => addr === want;
  return t.indices((_, i) => {
    if (c.ipProto[i] !== proto) return false;
    const src = a[c.src[i]!]!, dst = a[c.dst[i]!]!;
    const sp = c.srcPort[i]!, dp = c.dstPort[i]!;
    const fwd = matches(src, spec.client) && matches(dst, spec.server) &&
      (spec.clientPort === undefined || sp === spec.clientPort) && (spec.serverPort === undefined || dp === spec.serverPort);
    if (fwd) return true;
    return matches(src, spec.server) && matches(dst, spec.client) &&
      (spec.clientPort === undefined || dp === spec.clientPort) && (spec.serverPort === undefined || sp === spec.serverPort);
  });
}

/**
 * The connection's frames as a table (see {@link connectionIndices}).
 * @example connectionFrames(t, { client: "15.15.15.2", clientPort: 40000, server: "101.101.101.1", serverPort: 80 }).length // 10
 */
export function connectionFrames(t: FrameTable, spec: ConnectionSpec): FrameTable {
  return t.select(connectionIndices(t, spec));
}
