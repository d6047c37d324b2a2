/**
 * The frame table's columns and how a builder lays them out in memory: column names and element
 * types ({@link FRAME_COLUMNS}), and the chunk layout (every column a section of one ArrayBuffer).
 *
 * Column meanings (absent values: -1 for signed columns, 0 / "" otherwise). The outer header columns
 * hold 0 when absent and are written only when not 0, so a capture without GRE keys or DSCPs costs
 * no resident memory for them (a fresh chunk is zero-filled and its untouched pages are never mapped):
 * rows are 96 bytes, of which these add 12.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | no | Uint32 | frame number in the capture, from 1 |
 * | sec, nsec | Uint32 | timestamp (epoch seconds, nanoseconds) |
 * | caplen, len | Uint32 | captured and original length |
 * | linkType | Uint16 | pcap link type |
 * | protocols | dict | layer stack, `eth:ip:gre:mpls:ip:tcp:http` |
 * | tunnel | enum | `mplsogre`, `mplsoudp`, `vxlan`, `gre`, `mpls`, `ipip` or "" |
 * | vlan | Int16 | first 802.1Q VLAN id |
 * | outerSrc, outerDst | dict | underlay IPs of a tunnelled frame |
 * | src, dst | dict | innermost IPs (inner MACs for an L2 payload without IP; MACs without IP) |
 * | mplsLabels | dict | the whole stack, top first, `16,20` (arquero also gets `mplsLabel`, the bottom label) |
 * | vni | Int32 | VXLAN network identifier |
 * | tunnelSrcPort, tunnelDstPort | Uint16 | UDP ports of an MPLSoUDP / VXLAN tunnel (the source port is the sender's flow entropy, `flow -l`'s `UdpSrcPort`/`SPort`); 0 when none |
 * | greFlags | Uint16 | first GRE header's flags-and-version word (C 0x8000, K 0x2000, S 0x1000); meaningful when the layer stack has `gre` (`FrameTable.hasGre`) |
 * | greKey | Uint32 | its key (meaningful when greFlags has K) |
 * | outerTtl, outerDscp | Uint8 | TTL / hop limit and DSCP of the outer IP header (meaningful when outerSrc is set) |
 * | ipProto | Uint8 | innermost transport protocol (6, 17, 1, 58) |
 * | srcPort, dstPort | Uint16 | innermost TCP/UDP ports (meaningful when ipProto is 6 or 17) |
 * | tcpFlags | Uint16 | TCP flags (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, …) |
 * | seq, ack | Uint32 | raw TCP sequence / acknowledgment numbers |
 * | payloadLen | Int32 | transport payload bytes |
 * | httpMethod | enum | request method |
 * | httpPath, httpHost | dict | request target and Host header |
 * | httpStatus | Uint16 | response status code |
 * | flags | Uint8 | 1 truncated, 2 malformed, 4 unsupported |
 * *
 * @example
 * import { FRAME_COLUMNS, sectionOffset } from "./columns";
 * Object.keys(FRAME_COLUMNS).length; // 33
 * @module
 */

/** Rows per chunk when growing; the largest single (reserved) chunk, ~1.7 GB. */
export const CHUNK = 1 << 16;
export const MAX_CHUNK = 1 << 24;

/** A typed-array column. */
export type NumArray =
  | Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array | Float64Array;
/** A typed-array column constructor. */
export type NumCtor = (new (n: number) => NumArray) & { readonly BYTES_PER_ELEMENT: number };

/** Column names and element types (dict columns hold dictionary codes). */
export const FRAME_COLUMNS = {
  no: Uint32Array,
  sec: Uint32Array,
  nsec: Uint32Array,
  caplen: Uint32Array,
  len: Uint32Array,
  linkType: Uint16Array,
  protocols: Uint32Array,
  tunnel: Uint8Array,
  vlan: Int16Array,
  outerSrc: Uint32Array,
  outerDst: Uint32Array,
  src: Uint32Array,
  dst: Uint32Array,
  mplsLabels: Uint32Array,
  vni: Int32Array,
  tunnelSrcPort: Uint16Array,
  tunnelDstPort: Uint16Array,
  greFlags: Uint16Array,
  greKey: Uint32Array,
  outerTtl: Uint8Array,
  outerDscp: Uint8Array,
  ipProto: Uint8Array,
  srcPort: Uint16Array,
  dstPort: Uint16Array,
  tcpFlags: Uint16Array,
  seq: Uint32Array,
  ack: Uint32Array,
  payloadLen: Int32Array,
  httpMethod: Uint8Array,
  httpPath: Uint32Array,
  httpHost: Uint32Array,
  httpStatus: Uint16Array,
  flags: Uint8Array,
} as const satisfies Record<string, NumCtor>;

/** A frame table column name. */
export type FrameColumnName = keyof typeof FRAME_COLUMNS;

/** The typed arrays of a finished table. */
export type FrameColumns = { [K in FrameColumnName]: InstanceType<(typeof FRAME_COLUMNS)[K]> };

/**
 * Where a column lives in a builder chunk. A chunk is one ArrayBuffer holding every column as a
 * section of `cap` elements: the 4-byte columns first, then the 2-byte ones, then the bytes (so each
 * section is aligned). The builder writes a row through three views (Uint32, Uint16, Uint8), which
 * store the same bits into a signed column; `finish()` hands each section out as a view of the
 * column's own type.
 */
export const SECTION: Record<FrameColumnName, number> = (() => {
  const out = {} as Record<FrameColumnName, number>;
  const next = { 4: 0, 2: 0, 1: 0 };
  for (const [name, Ctor] of Object.entries(FRAME_COLUMNS) as [FrameColumnName, NumCtor][]) {
    const w = Ctor.BYTES_PER_ELEMENT as 4 | 2 | 1;
    out[name] = next[w]++;
  }
  return out;
})();
/** How many columns are 4, 2 and 1 bytes wide. */
export const WIDE = Object.values(FRAME_COLUMNS).filter((c) => c.BYTES_PER_ELEMENT === 4).length;
export const HALF = Object.values(FRAME_COLUMNS).filter((c) => c.BYTES_PER_ELEMENT === 2).length;
export const NARROW = Object.values(FRAME_COLUMNS).filter((c) => c.BYTES_PER_ELEMENT === 1).length;
/** Bytes per row. */
export const ROW_BYTES = 4 * WIDE + 2 * HALF + NARROW;

/**
 * Byte offset of a column's section in a chunk of `cap` rows.
 * @example new Uint16Array(chunk.buffer, sectionOffset("srcPort", chunk.cap), chunk.used)
 */
export function sectionOffset(name: FrameColumnName, cap: number): number {
  const w = FRAME_COLUMNS[name].BYTES_PER_ELEMENT;
  const base = w === 4 ? 0 : w === 2 ? 4 * WIDE * cap : (4 * WIDE + 2 * HALF) * cap;
  return base + SECTION[name] * w * cap;
}

/** One block of rows: the buffer and how many rows it holds and has room for. */
export interface Chunk {
  buffer: ArrayBuffer;
  cap: number;
  used: number;
}
