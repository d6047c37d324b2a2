/**
 * The columnar frame table: one typed-array column per field, strings interned in dictionaries.
 *
 * {@link FrameTableBuilder} writes one row per frame straight into typed-array columns (no per-frame
 * object), IPv4 addresses and other repeated values through dictionaries whose strings are made once
 * per distinct value. Rows go into one block reserved from the capture's size when it is known (handed
 * over as column views without a copy), else into fixed-size blocks joined once by `finish()`.
 * `appendFrame` (what `readCapture` uses) decodes the usual tunnelled IPv4 frames in one fused
 * pass and everything else through `decodeInto` + `append`. {@link FrameTable} then offers rows as
 * objects, subsets, and an arquero table whose string columns are dictionary views (no per-row
 * string arrays).
 *
 * Column meanings (absent values: -1 for signed columns, 0 / "" otherwise):
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
 * | ipProto | Uint8 | innermost transport protocol (6, 17, 1, 58) |
 * | srcPort, dstPort | Uint16 | innermost TCP/UDP ports (meaningful when ipProto is 6 or 17) |
 * | tcpFlags | Uint16 | TCP flags (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, …) |
 * | seq, ack | Uint32 | raw TCP sequence / acknowledgment numbers |
 * | payloadLen | Int32 | transport payload bytes |
 * | httpMethod | enum | request method |
 * | httpPath, httpHost | dict | request target and Host header |
 * | httpStatus | Uint16 | response status code |
 * | flags | Uint8 | 1 truncated, 2 malformed, 4 unsupported |
 *
 * @module
 */
import type * as Arquero from "arquero";
import * as context from "./context";
import { type DecodeContext, HTTP_METHODS, LAYER_NAMES, TUNNEL_NAMES, u32 } from "./context";
import { decodeInto, problemText } from "./decode";
import type { CaptureFormatError } from "./errors";
import { formatIpv4, formatIpv6, formatMac, tcpFlagNames } from "./format";
import { decodeHttp } from "./layers/http";
import { guessMplsPayload } from "./layers/mpls-payload";
import * as registry from "./registry";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const {
  FLAG_MALFORMED, FLAG_TRUNCATED, FLAG_UNSUPPORTED, LAYER_ETHERNET, LAYER_GRE, LAYER_HTTP, LAYER_IPV4, LAYER_IPV6,
  LAYER_MPLS, LAYER_NONE, LAYER_TCP, LAYER_UDP, LAYER_VLAN, LAYER_VXLAN, MAX_IPS, MAX_LAYERS, TUNNEL_GRE, TUNNEL_IPIP,
  TUNNEL_MPLS, TUNNEL_MPLSOGRE, TUNNEL_MPLSOUDP, TUNNEL_NONE, TUNNEL_VXLAN,
} = context;
const { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_TEB, IPPROTO_TCP, IPPROTO_UDP } = registry;

/** Rows per chunk when growing; the largest single (reserved) chunk, ~1.7 GB. */
const CHUNK = 1 << 16;
const MAX_CHUNK = 1 << 24;

type NumArray =
  | Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array | Float64Array;
type NumCtor = (new (n: number) => NumArray) & { readonly BYTES_PER_ELEMENT: number };

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
const SECTION: Record<FrameColumnName, number> = (() => {
  const out = {} as Record<FrameColumnName, number>;
  const next = { 4: 0, 2: 0, 1: 0 };
  for (const [name, Ctor] of Object.entries(FRAME_COLUMNS) as [FrameColumnName, NumCtor][]) {
    const w = Ctor.BYTES_PER_ELEMENT as 4 | 2 | 1;
    out[name] = next[w]++;
  }
  return out;
})();
const WIDE = Object.values(FRAME_COLUMNS).filter((c) => c.BYTES_PER_ELEMENT === 4).length;
const HALF = Object.values(FRAME_COLUMNS).filter((c) => c.BYTES_PER_ELEMENT === 2).length;
const NARROW = Object.values(FRAME_COLUMNS).filter((c) => c.BYTES_PER_ELEMENT === 1).length;
/** Bytes per row. */
const ROW_BYTES = 4 * WIDE + 2 * HALF + NARROW;

/** Byte offset of a column's section in a chunk of `cap` rows. */
function sectionOffset(name: FrameColumnName, cap: number): number {
  const w = FRAME_COLUMNS[name].BYTES_PER_ELEMENT;
  const base = w === 4 ? 0 : w === 2 ? 4 * WIDE * cap : (4 * WIDE + 2 * HALF) * cap;
  return base + SECTION[name] * w * cap;
}

// section numbers as module-level constants for the append loop
const {
  no: S_NO, sec: S_SEC, nsec: S_NSEC, caplen: S_CAPLEN, len: S_LEN, linkType: S_LINKTYPE, protocols: S_PROTOCOLS,
  tunnel: S_TUNNEL, vlan: S_VLAN, outerSrc: S_OUTERSRC, outerDst: S_OUTERDST, src: S_SRC, dst: S_DST,
  mplsLabels: S_MPLSLABELS, vni: S_VNI, ipProto: S_IPPROTO, srcPort: S_SRCPORT, dstPort: S_DSTPORT,
  tcpFlags: S_TCPFLAGS, seq: S_SEQ, ack: S_ACK, payloadLen: S_PAYLOADLEN, httpMethod: S_HTTPMETHOD,
  httpPath: S_HTTPPATH, httpHost: S_HTTPHOST, httpStatus: S_HTTPSTATUS, flags: S_FLAGS,
} = SECTION;

/** Sections of outerSrc, outerDst, src, dst. */
const ADDRESS_SECTIONS = Int32Array.of(SECTION.outerSrc, SECTION.outerDst, SECTION.src, SECTION.dst);

/** One block of rows: the buffer and how many rows it holds and has room for. */
interface Chunk {
  buffer: ArrayBuffer;
  cap: number;
  used: number;
}

/** Which columns are strings, and from which dictionary. */
const DICT_OF: Partial<Record<FrameColumnName, keyof FrameDicts>> = {
  protocols: "protocols",
  outerSrc: "addresses",
  outerDst: "addresses",
  src: "addresses",
  dst: "addresses",
  mplsLabels: "labelStacks",
  httpPath: "strings",
  httpHost: "strings",
};

/** String dictionaries shared by a table and its subsets (code 0 is always ""). */
export interface FrameDicts {
  addresses: string[];
  protocols: string[];
  labelStacks: string[];
  /** Parsed label stacks, same codes as `labelStacks`. */
  labelStackValues: number[][];
  strings: string[];
}

/** One frame as a plain object (JSON-friendly; absent fields omitted). */
export interface FrameRow {
  no: number;
  /** Epoch seconds as a float (µs precision). */
  time: number;
  /** Exact epoch time text with 9 decimals, as tshark's frame.time_epoch. */
  epoch: string;
  caplen: number;
  len: number;
  protocols: string;
  tunnel: string;
  vlan?: number;
  outerSrc?: string;
  outerDst?: string;
  src?: string;
  dst?: string;
  labels?: number[];
  vni?: number;
  proto?: number;
  srcPort?: number;
  dstPort?: number;
  tcpFlags?: string[];
  seq?: number;
  ack?: number;
  payloadLength?: number;
  http?: { method?: string; path?: string; host?: string; status?: number };
  truncated?: boolean;
  malformed?: boolean;
  problem?: string;
}

/** Dictionary key of a one-label (`b` -1) or two-label stack. */
function labelKey(a: number, b: number): number {
  return b < 0 ? a + 1 : 2 ** 21 * (a + 1) + b + 2 ** 42;
}

/** Slot of an exact integer key (< 2^53) in a 256-entry direct-mapped cache. */
function keySlot(key: number): number {
  return Math.imul((key >>> 0) ^ ((key / 4294967296) | 0), 0x9e3779b1) >>> 24;
}

/**
 * A dictionary keyed by exact integers (or, rarely, text), with a direct-mapped cache in front that
 * the fast path probes inline (slot {@link keySlot}); code 0 is "".
 */
class KeyedDict {
  readonly values: string[] = [""];
  private readonly byKey = new Map<number | string, number>();
  readonly cacheKey = new Float64Array(256).fill(-1);
  readonly cacheCode = new Int32Array(256);

  /** Code of a numeric key, or -1 when new. */
  get(key: number): number {
    const s = keySlot(key);
    if (this.cacheKey[s] === key) return this.cacheCode[s]!;
    const code = this.byKey.get(key);
    if (code === undefined) return -1;
    this.cacheKey[s] = key;
    this.cacheCode[s] = code;
    return code;
  }

  /** Code of a text key, or -1 when new. */
  getText(key: string): number {
    return this.byKey.get(key) ?? -1;
  }

  /** Adds a new key with its text; returns its code. */
  add(key: number | string, text: string): number {
    const code = this.values.length;
    this.values.push(text);
    this.byKey.set(key, code);
    return code;
  }
}

/**
 * The address dictionary: IPv4 by its 32 bits through a direct-mapped cache (the text is made once
 * per distinct address), MACs by their 48 bits, IPv6 by text.
 */
class AddressDict {
  readonly values: string[] = [""];
  private readonly v4 = new Map<number, number>();
  private readonly macs = new Map<number, number>();
  private readonly text = new Map<string, number>();
  /** Direct-mapped cache of IPv4 codes (slot `Math.imul(a, 0x9e3779b1) >>> 22`), probed inline by the fast path. */
  readonly cacheKey = new Int32Array(1024);
  /** 0: empty slot (code 0 is "", never an address). */
  readonly cacheCode = new Int32Array(1024);

  /** Code of the IPv4 address at `d[o..o+4)`. */
  ipv4(d: Uint8Array, o: number): number {
    const a = (d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!;
    const s = Math.imul(a, 0x9e3779b1) >>> 22;
    const c = this.cacheCode[s]!;
    if (c !== 0 && this.cacheKey[s] === a) return c;
    return this.ipv4Miss(d, o, a, s);
  }

  /** {@link ipv4} past the cache: `a` is the address as an int32, `s` its cache slot. */
  ipv4Miss(d: Uint8Array, o: number, a: number, s: number): number {
    let code = this.v4.get(a);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(formatIpv4(d, o));
      this.v4.set(a, code);
    }
    this.cacheKey[s] = a;
    this.cacheCode[s] = code;
    return code;
  }

  /** Code of the MAC address at `d[o..o+6)`. */
  mac(d: Uint8Array, o: number): number {
    const key = ((d[o]! << 8) | d[o + 1]!) * 4294967296 + u32(d, o + 2);
    let code = this.macs.get(key);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(formatMac(d, o));
      this.macs.set(key, code);
    }
    return code;
  }

  /** Code of the IPv6 address at `d[o..o+16)`. */
  ipv6(d: Uint8Array, o: number): number {
    const t = formatIpv6(d, o);
    let code = this.text.get(t);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(t);
      this.text.set(t, code);
    }
    return code;
  }
}

/** `eth:ip:gre:mpls:ip:tcp` for the first `n` layer ids. */
function stackText(layers: Uint8Array, n: number): string {
  const names: string[] = [];
  for (let j = 0; j < n; j++) names.push(LAYER_NAMES[layers[j]!]!);
  return names.join(":");
}

const nativeLatin1 = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, s: number, e: number) => string }).latin1Slice;

function latin1(d: Uint8Array, o: number, n: number): string {
  if (nativeLatin1 !== undefined) return nativeLatin1.call(d, o, o + n);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(d[o + i]!);
  return s;
}

/**
 * Byte-string interning (HTTP paths and hosts): an open-addressing table over the bytes themselves,
 * so a repeated value costs a hash and a compare, and its JS string is made once. Code 0 is "".
 */
class ByteDict {
  readonly values: string[] = [""];
  /** Hash slots holding codes (0: empty); load ≤ 1/2. */
  private slots = new Int32Array(256);
  /** Per code: hash, start in `bytes`, length. */
  private hashes = new Int32Array(64);
  private starts = new Int32Array(64);
  private lens = new Int32Array(64);
  private bytes = new Uint8Array(4096);
  private used = 0;

  /** Code of the bytes `d[o..o+n)`, adding them when new. */
  intern(d: Uint8Array, o: number, n: number): number {
    let h = 0x811c9dc5 ^ n;
    for (let k = o, e = o + n; k < e; k++) h = Math.imul(h ^ d[k]!, 0x01000193);
    const slots = this.slots;
    const mask = slots.length - 1;
    let s = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const c = slots[s]!;
      if (c === 0) return this.add(d, o, n, h, s);
      if (this.hashes[c] === h && this.lens[c] === n && this.same(c, d, o, n)) return c;
      s = (s + 1) & mask;
    }
  }

  private same(c: number, d: Uint8Array, o: number, n: number): boolean {
    const b = this.bytes;
    const at = this.starts[c]!;
    for (let k = 0; k < n; k++) if (b[at + k] !== d[o + k]) return false;
    return true;
  }

  private add(d: Uint8Array, o: number, n: number, h: number, s: number): number {
    const code = this.values.length;
    this.values.push(latin1(d, o, n));
    if (code >= this.hashes.length) {
      const grow = <T extends Int32Array>(a: T): T => {
        const b = new Int32Array(a.length * 2) as T;
        b.set(a);
        return b;
      };
      this.hashes = grow(this.hashes);
      this.starts = grow(this.starts);
      this.lens = grow(this.lens);
    }
    if (this.used + n > this.bytes.length) {
      const b = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
      b.set(this.bytes.subarray(0, this.used));
      this.bytes = b;
    }
    this.bytes.set(d.subarray(o, o + n), this.used);
    this.hashes[code] = h;
    this.starts[code] = this.used;
    this.lens[code] = n;
    this.used += n;
    this.slots[s] = code;
    if (code * 2 >= this.slots.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let c = 1; c < this.values.length; c++) {
      const h = this.hashes[c]!;
      let s = (h ^ (h >>> 16)) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = c;
    }
    this.slots = slots;
  }
}

/**
 * Appends decoded frames as rows.
 * @example
 * const b = new FrameTableBuilder();
 * decodeInto(ctx, buf, off, end, linkType);
 * b.append(ctx, 1, sec, nsec, origLen, linkType);
 * const table = b.finish();
 */
export class FrameTableBuilder {
  private rows = 0;
  /** Next row in the current chunk, and the chunk's capacity (0 before the first). */
  private i = 0;
  private cap = 0;
  private readonly chunks: Chunk[] = [];
  private readonly problems = new Map<number, string>();
  private readonly addresses = new AddressDict();
  private readonly protocols = new KeyedDict();
  private readonly labelStacks = new KeyedDict();
  private readonly labelStackValues: number[][] = [[]];
  private readonly strings = new ByteDict();
  private readonly scratchLayers = new Uint8Array(MAX_LAYERS);
  private readonly scratchLabels = new Int32Array(2);

  // the current chunk through three views: 4-byte columns from w32[0], 2-byte from w16[b16], bytes from w8[b8]
  private w32 = new Uint32Array(0);
  private w16 = new Uint16Array(0);
  private w8 = new Uint8Array(0);
  private b16 = 0;
  private b8 = 0;

  /** Rows appended so far. */
  get length(): number {
    return this.rows;
  }

  private newChunk(cap: number): void {
    if (this.cap > 0) this.chunks[this.chunks.length - 1]!.used = this.i;
    const buffer = new ArrayBuffer(cap * ROW_BYTES);
    this.chunks.push({ buffer, cap, used: 0 });
    this.w32 = new Uint32Array(buffer);
    this.w16 = new Uint16Array(buffer);
    this.w8 = new Uint8Array(buffer);
    this.b16 = 2 * WIDE * cap;
    this.b8 = (4 * WIDE + 2 * HALF) * cap;
    this.i = 0;
    this.cap = cap;
  }

  /**
   * Reserves room for about `rows` frames in one block, so that `finish()` can hand the block over
   * without copying when the estimate holds. Only effective before the first append.
   * @example builder.reserve(1_000_000);
   */
  reserve(rows: number): void {
    if (this.rows === 0 && this.cap === 0 && rows > CHUNK) this.newChunk(Math.min(Math.ceil(rows), MAX_CHUNK));
  }

  private ipCode(ctx: DecodeContext, n: number, dst: boolean): number {
    const o = ctx.ipOff[n]!;
    if (ctx.ipVer[n] === 4) return this.addresses.ipv4(ctx.data, o + (dst ? 16 : 12));
    return this.addresses.ipv6(ctx.data, o + (dst ? 24 : 8));
  }

  private stackCode(layers: Uint8Array, lc: number): number {
    // ≤ 10 layer ids (1..31) packed 5 bits each in an exact number (the fast path builds the same key
    // as it goes), other stacks by text
    if (lc <= 10) {
      let k = 0, wide = 0;
      for (let j = 0; j < lc; j++) {
        const l = layers[j]!;
        k = k * 32 + l;
        wide |= l & ~31;
      }
      if (wide === 0) {
        const code = this.protocols.get(k);
        return code >= 0 ? code : this.protocols.add(k, stackText(layers, lc));
      }
    }
    const key = Array.from(layers.subarray(0, lc)).join(",");
    const code = this.protocols.getText(key);
    return code >= 0 ? code : this.protocols.add(key, stackText(layers, lc));
  }

  private labelCode(labels: Int32Array, n: number): number {
    // one or two labels (20 bits each) as an exact number, deeper stacks by text
    if (n <= 2) {
      const key = labelKey(labels[0]!, n === 1 ? -1 : labels[1]!);
      const code = this.labelStacks.get(key);
      return code >= 0 ? code : this.addLabelStack(key, labels, n);
    }
    const key = Array.from(labels.subarray(0, n)).join(",");
    const code = this.labelStacks.getText(key);
    return code >= 0 ? code : this.addLabelStack(key, labels, n);
  }

  private addLabelStack(key: number | string, labels: Int32Array, n: number): number {
    const stack = Array.from(labels.subarray(0, n));
    this.labelStackValues.push(stack);
    return this.labelStacks.add(key, stack.join(","));
  }

  /**
   * Appends the frame decoded in `ctx` as a row.
   * @example b.append(ctx, frameNo, tsSec, tsNsec, origLen, linkType);
   */
  append(ctx: DecodeContext, no: number, sec: number, nsec: number, origLen: number, linkType: number): void {
    if (this.i === this.cap) this.newChunk(CHUNK);
    const i = this.i++;
    const row = this.rows++;
    const d = ctx.data;
    const c = this.cap;
    const w32 = this.w32, w16 = this.w16, w8 = this.w8;
    const i16 = this.b16 + i, i8 = this.b8 + i;
    w32[S_NO * c + i] = no;
    w32[S_SEC * c + i] = sec;
    w32[S_NSEC * c + i] = nsec;
    w32[S_CAPLEN * c + i] = ctx.frameEnd - ctx.start;
    w32[S_LEN * c + i] = origLen;
    w16[S_LINKTYPE * c + i16] = linkType;
    w32[S_PROTOCOLS * c + i] = this.stackCode(ctx.layers, ctx.layerCount);

    const tunnel = ctx.tunnel;
    w8[S_TUNNEL * c + i8] = tunnel;
    w16[S_VLAN * c + i16] = ctx.vlanId;
    const ipc = ctx.ipCount;
    const addr = this.addresses;
    let outerSrc = 0, outerDst = 0, src = 0, dst = 0;
    if (tunnel !== TUNNEL_NONE && ipc > 0) {
      outerSrc = this.ipCode(ctx, 0, false);
      outerDst = this.ipCode(ctx, 0, true);
    }
    if (tunnel !== TUNNEL_NONE && ipc <= ctx.tunnelIpCount) {
      // tunnel without inner IP: the inner MACs when there are any
      if (ctx.ethCount > 1) {
        const e = ctx.ethOff[Math.min(ctx.ethCount, 4) - 1]!;
        dst = addr.mac(d, e);
        src = addr.mac(d, e + 6);
      }
    } else if (ipc > 0) {
      src = this.ipCode(ctx, ipc - 1, false);
      dst = this.ipCode(ctx, ipc - 1, true);
    } else if (ctx.ethCount > 0) {
      const e = ctx.ethOff[0]!;
      dst = addr.mac(d, e);
      src = addr.mac(d, e + 6);
    }
    w32[S_OUTERSRC * c + i] = outerSrc;
    w32[S_OUTERDST * c + i] = outerDst;
    w32[S_SRC * c + i] = src;
    w32[S_DST * c + i] = dst;

    const nl = ctx.labelCount;
    w32[S_MPLSLABELS * c + i] = nl === 0 ? 0 : this.labelCode(ctx.labels, nl);
    w32[S_VNI * c + i] = ctx.vni;

    if (ctx.transportProto !== 0 && ctx.transportIp === ipc) {
      w8[S_IPPROTO * c + i8] = ctx.transportProto;
      w16[S_SRCPORT * c + i16] = ctx.srcPort < 0 ? 0 : ctx.srcPort;
      w16[S_DSTPORT * c + i16] = ctx.dstPort < 0 ? 0 : ctx.dstPort;
      w16[S_TCPFLAGS * c + i16] = ctx.tcpFlags;
      w32[S_SEQ * c + i] = ctx.seq;
      w32[S_ACK * c + i] = ctx.ack;
      w32[S_PAYLOADLEN * c + i] = ctx.payloadLen;
    } else {
      // a new chunk is zero-filled: only the non-zero "absent" value needs writing
      w32[S_PAYLOADLEN * c + i] = -1;
    }

    const hk = ctx.httpKind;
    if (hk !== 0) {
      w8[S_HTTPMETHOD * c + i8] = ctx.httpMethod;
      w16[S_HTTPSTATUS * c + i16] = ctx.httpStatus;
      if (hk === 1) w32[S_HTTPPATH * c + i] = this.strings.intern(d, ctx.httpPathOff, ctx.httpPathLen);
      if (ctx.httpHostLen > 0) w32[S_HTTPHOST * c + i] = this.strings.intern(d, ctx.httpHostOff, ctx.httpHostLen);
    }
    const flags = ctx.flags;
    w8[S_FLAGS * c + i8] = flags;
    if ((flags & (FLAG_TRUNCATED | FLAG_MALFORMED)) !== 0) this.problems.set(row, problemText(ctx));
  }

  /**
   * Decodes the frame `data[off..end)` and appends it as a row: {@link decodeInto} then
   * {@link append}, with a fused fast path for the common case (see `appendClean`). `ctx` is scratch
   * here: afterwards it need not describe the frame.
   * @example
   * const ctx = createDecodeContext();
   * b.appendFrame(ctx, buf, off, off + caplen, linkType, frameNo, tsSec, tsNsec, origLen);
   */
  appendFrame(
    ctx: DecodeContext, data: Uint8Array, off: number, end: number, linkType: number, no: number, sec: number,
    nsec: number, origLen: number,
  ): void {
    if (this.appendClean(ctx, data, off, end, linkType, no, sec, nsec, origLen)) return;
    decodeInto(ctx, data, off, end, linkType);
    this.append(ctx, no, sec, nsec, origLen, linkType);
  }

  /**
   * The fast path of {@link appendFrame}: one pass over a frame made only of Ethernet, VLAN, IPv4,
   * GRE, MPLS (≤ 2 labels, no label map), UDP, VXLAN, TCP and HTTP, every header whole and
   * well-formed, the layers kept in locals and the row written straight into the columns. It follows
   * the layer decoders rule for rule and gives up (returns false, having written nothing) at anything
   * else — a truncated or malformed header, an unsupported protocol value, IPv6, ICMP, deeper
   * stacks — which the caller then decodes the ordinary way. test/capture/fast-path.test.ts checks
   * that both ways give identical rows.
   */
  private appendClean(
    ctx: DecodeContext, d: Uint8Array, off: number, frameEnd: number, linkType: number, no: number, sec: number,
    nsec: number, origLen: number,
  ): boolean {
    const reg = ctx.reg;
    if (ctx.labelKinds !== null || linkType < 0 || linkType >= reg.linkTypes.length) return false;
    const et = reg.etherTypes;
    const layers = this.scratchLayers;
    let layer = reg.linkTypes[linkType]!;
    if (layer === LAYER_NONE) return false;
    let o = off;
    let end = frameEnd;
    let lc = 0;
    let ethCount = 0, eth0 = 0, ethLast = 0, vlanCount = 0, vlanId = -1;
    let ipc = 0, ip0 = 0, ipLast = 0, tunnel = TUNNEL_NONE, tunnelIpCount = 0;
    let nl = 0, label0 = 0, label1 = 0, vni = -1;
    let proto = 0, protoIp = 0, srcPort = -1, dstPort = -1, tcpFlags = 0, seq = 0, ack = 0, payloadLen = -1;
    let httpKind = 0;
    let stackKey = 0; // the protocols key stackCode() computes, built as the layers come
    while (layer !== LAYER_NONE) {
      if (lc >= MAX_LAYERS) return false;
      layers[lc++] = layer;
      stackKey = stackKey * 32 + layer;
      switch (layer) {
        case LAYER_ETHERNET: {
          if (end - o < 14) return false;
          if (ethCount < 4) ethLast = o;
          if (ethCount === 0) eth0 = o;
          ethCount++;
          const type = (d[o + 12]! << 8) | d[o + 13]!;
          o += 14;
          if (type < 0x0600) return false;
          layer = et[type]!;
          if (layer === LAYER_NONE) return false;
          break;
        }
        case LAYER_VLAN: {
          if (end - o < 4 || vlanCount >= 4) return false;
          if (vlanCount === 0) vlanId = ((d[o]! << 8) | d[o + 1]!) & 0x0fff;
          vlanCount++;
          const type = (d[o + 2]! << 8) | d[o + 3]!;
          o += 4;
          if (type < 0x0600) return false;
          layer = et[type]!;
          if (layer === LAYER_NONE) return false;
          break;
        }
        case LAYER_IPV4: {
          const avail = end - o;
          if (avail < 20) return false;
          const vihl = d[o]!;
          const ihl = (vihl & 0x0f) << 2;
          if (vihl >> 4 !== 4 || ihl < 20 || avail < ihl) return false;
          const totalLength = (d[o + 2]! << 8) | d[o + 3]!;
          if (totalLength < ihl || totalLength > avail || ipc >= MAX_IPS) return false;
          const prev = lc >= 2 ? layers[lc - 2]! : LAYER_NONE;
          if ((prev === LAYER_IPV4 || prev === LAYER_IPV6) && tunnel === TUNNEL_NONE) {
            tunnel = TUNNEL_IPIP;
            tunnelIpCount = ipc;
          }
          if (ipc === 0) ip0 = o;
          ipLast = o;
          ipc++;
          end = o + totalLength;
          const next = d[o + 9]!;
          const fragment = (((d[o + 6]! << 8) | d[o + 7]!) & 0x1fff) !== 0;
          o += ihl;
          if (fragment) { layer = LAYER_NONE; break; }
          layer = reg.ipProtocols[next]!;
          if (layer === LAYER_NONE) return false;
          break;
        }
        case LAYER_GRE: {
          if (end - o < 4) return false;
          const flags = d[o]!;
          if ((d[o + 1]! & 0x07) !== 0) return false;
          const len = 4 + ((flags & 0x80) !== 0 ? 4 : 0) + ((flags & 0x20) !== 0 ? 4 : 0) +
            ((flags & 0x10) !== 0 ? 4 : 0);
          if (end - o < len) return false;
          if (tunnel === TUNNEL_NONE) {
            tunnel = TUNNEL_GRE;
            tunnelIpCount = ipc;
          }
          const type = (d[o + 2]! << 8) | d[o + 3]!;
          o += len;
          layer = et[type]!;
          if (layer === LAYER_NONE) return false;
          break;
        }
        case LAYER_MPLS: {
          const prev = lc >= 2 ? layers[lc - 2]! : LAYER_NONE;
          if (prev === LAYER_GRE) {
            if (tunnel === TUNNEL_GRE && tunnelIpCount === ipc) tunnel = TUNNEL_MPLSOGRE;
          } else if (tunnel === TUNNEL_NONE) {
            tunnel = prev === LAYER_UDP ? TUNNEL_MPLSOUDP : TUNNEL_MPLS;
            tunnelIpCount = ipc;
          }
          for (;;) {
            if (end - o < 4 || nl >= 2) return false;
            const b2 = d[o + 2]!;
            const label = (d[o]! << 12) | (d[o + 1]! << 4) | (b2 >> 4);
            if (nl === 0) label0 = label;
            else label1 = label;
            nl++;
            o += 4;
            if ((b2 & 1) !== 0) break;
          }
          // resolveMplsPayload without a label map (checked above) and without truncation so far
          const guess = guessMplsPayload(d, o, end, false);
          if (guess === 4) layer = et[ETHERTYPE_IPV4]!;
          else if (guess === 6) layer = et[ETHERTYPE_IPV6]!;
          else if (end - o < 1) return false;
          else layer = et[ETHERTYPE_TEB]! || LAYER_ETHERNET;
          break;
        }
        case LAYER_UDP: {
          const avail = end - o;
          if (avail < 8) return false;
          const length = (d[o + 4]! << 8) | d[o + 5]!;
          if (length < 8 || length > avail) return false;
          srcPort = (d[o]! << 8) | d[o + 1]!;
          dstPort = (d[o + 2]! << 8) | d[o + 3]!;
          proto = IPPROTO_UDP;
          protoIp = ipc;
          tcpFlags = 0;
          end = o + length;
          o += 8;
          payloadLen = end - o;
          layer = reg.udpPorts[dstPort]!;
          if (layer === LAYER_NONE) layer = reg.udpPorts[srcPort]!;
          break;
        }
        case LAYER_VXLAN: {
          if (end - o < 8 || (d[o]! & 0x08) === 0) return false;
          if (tunnel === TUNNEL_NONE) {
            tunnel = TUNNEL_VXLAN;
            tunnelIpCount = ipc;
          }
          if (vni < 0) vni = (d[o + 4]! << 16) | (d[o + 5]! << 8) | d[o + 6]!;
          o += 8;
          layer = et[ETHERTYPE_TEB]!;
          if (layer === LAYER_NONE) return false;
          break;
        }
        case LAYER_TCP: {
          const avail = end - o;
          if (avail < 20) return false;
          const dataOffset = (d[o + 12]! >> 4) << 2;
          if (dataOffset < 20 || avail < dataOffset) return false;
          srcPort = (d[o]! << 8) | d[o + 1]!;
          dstPort = (d[o + 2]! << 8) | d[o + 3]!;
          proto = IPPROTO_TCP;
          protoIp = ipc;
          seq = ((d[o + 4]! << 24) | (d[o + 5]! << 16) | (d[o + 6]! << 8) | d[o + 7]!) >>> 0;
          ack = ((d[o + 8]! << 24) | (d[o + 9]! << 16) | (d[o + 10]! << 8) | d[o + 11]!) >>> 0;
          tcpFlags = ((d[o + 12]! & 1) << 8) | d[o + 13]!;
          o += dataOffset;
          payloadLen = end - o;
          if (payloadLen === 0) { layer = LAYER_NONE; break; }
          layer = reg.tcpPorts[dstPort]!;
          if (layer === LAYER_NONE) layer = reg.tcpPorts[srcPort]!;
          break;
        }
        case LAYER_HTTP: {
          // the HTTP layer decoder itself, on the context's HTTP fields
          ctx.data = d;
          ctx.start = off;
          ctx.off = o;
          ctx.end = end;
          ctx.flags = 0;
          ctx.problem = 0;
          ctx.layers[0] = LAYER_HTTP;
          ctx.layerCount = 1;
          ctx.resetHttp();
          decodeHttp(ctx);
          if (ctx.flags !== 0) return false;
          if (ctx.layerCount === 0) {
            // not HTTP after all: no layer
            lc--;
            stackKey = (stackKey - LAYER_HTTP) / 32;
          }
          httpKind = ctx.httpKind;
          layer = LAYER_NONE;
          break;
        }
        default:
          return false;
      }
    }

    // the row, exactly as append() would write it from the context (dictionary hits probed inline)
    if (this.i === this.cap) this.newChunk(CHUNK);
    const i = this.i++;
    this.rows++;
    const c = this.cap;
    const w32 = this.w32, w16 = this.w16, w8 = this.w8;
    const i16 = this.b16 + i, i8 = this.b8 + i;
    w32[S_NO * c + i] = no;
    w32[S_SEC * c + i] = sec;
    w32[S_NSEC * c + i] = nsec;
    w32[S_CAPLEN * c + i] = frameEnd - off;
    w32[S_LEN * c + i] = origLen;
    w16[S_LINKTYPE * c + i16] = linkType;
    let code: number;
    if (lc <= 10) {
      const pd = this.protocols;
      const slot = keySlot(stackKey);
      code = pd.cacheKey[slot] === stackKey ? pd.cacheCode[slot]! : this.stackCode(layers, lc);
    } else {
      code = this.stackCode(layers, lc);
    }
    w32[S_PROTOCOLS * c + i] = code;
    w8[S_TUNNEL * c + i8] = tunnel;
    w16[S_VLAN * c + i16] = vlanId;
    // addresses k = 0..3: outer src, outer dst (when tunnelled), then the innermost IP's src, dst
    const addr = this.addresses;
    const innerMacs = tunnel !== TUNNEL_NONE && ipc <= tunnelIpCount;
    const to = !innerMacs && ipc > 0 ? 4 : 2;
    for (let k = tunnel !== TUNNEL_NONE && ipc > 0 ? 0 : 2; k < to; k++) {
      const p = (k < 2 ? ip0 : ipLast) + 12 + ((k & 1) << 2);
      const a = (d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!;
      const slot = Math.imul(a, 0x9e3779b1) >>> 22;
      code = addr.cacheCode[slot]!;
      if (code === 0 || addr.cacheKey[slot] !== a) code = addr.ipv4Miss(d, p, a, slot);
      w32[ADDRESS_SECTIONS[k]! * c + i] = code;
    }
    if (innerMacs) {
      if (ethCount > 1) {
        w32[S_DST * c + i] = addr.mac(d, ethLast);
        w32[S_SRC * c + i] = addr.mac(d, ethLast + 6);
      }
    } else if (ipc === 0 && ethCount > 0) {
      w32[S_DST * c + i] = addr.mac(d, eth0);
      w32[S_SRC * c + i] = addr.mac(d, eth0 + 6);
    }
    if (nl !== 0) {
      const key = labelKey(label0, nl === 1 ? -1 : label1);
      const ld = this.labelStacks;
      const slot = keySlot(key);
      if (ld.cacheKey[slot] === key) {
        code = ld.cacheCode[slot]!;
      } else {
        const labels = this.scratchLabels;
        labels[0] = label0;
        labels[1] = label1;
        code = this.labelCode(labels, nl);
      }
      w32[S_MPLSLABELS * c + i] = code;
    }
    w32[S_VNI * c + i] = vni;
    if (proto !== 0 && protoIp === ipc) {
      w8[S_IPPROTO * c + i8] = proto;
      w16[S_SRCPORT * c + i16] = srcPort;
      w16[S_DSTPORT * c + i16] = dstPort;
      w16[S_TCPFLAGS * c + i16] = tcpFlags;
      w32[S_SEQ * c + i] = seq;
      w32[S_ACK * c + i] = ack;
      w32[S_PAYLOADLEN * c + i] = payloadLen;
    } else {
      w32[S_PAYLOADLEN * c + i] = -1;
    }
    if (httpKind !== 0) {
      w8[S_HTTPMETHOD * c + i8] = ctx.httpMethod;
      w16[S_HTTPSTATUS * c + i16] = ctx.httpStatus;
      if (httpKind === 1) w32[S_HTTPPATH * c + i] = this.strings.intern(d, ctx.httpPathOff, ctx.httpPathLen);
      if (ctx.httpHostLen > 0) w32[S_HTTPHOST * c + i] = this.strings.intern(d, ctx.httpHostOff, ctx.httpHostLen);
    }
    return true;
  }

  /**
   * Hands the rows over as exact-length columns: views of the chunk when there is one (a reserved
   * block), else copies made chunk by chunk, each chunk let go once copied (to bound memory).
   * @example const table = builder.finish();
   */
  finish(error?: CaptureFormatError): FrameTable {
    const n = this.rows;
    if (this.cap > 0) this.chunks[this.chunks.length - 1]!.used = this.i;
    const names = Object.keys(FRAME_COLUMNS) as FrameColumnName[];
    const cols: Partial<Record<FrameColumnName, NumArray>> = {};
    const view = (name: FrameColumnName, ch: Chunk, rows: number): NumArray => {
      const Ctor = FRAME_COLUMNS[name] as unknown as new (b: ArrayBuffer, o: number, n: number) => NumArray;
      return new Ctor(ch.buffer, sectionOffset(name, ch.cap), rows);
    };
    if (this.chunks.length === 1) {
      for (const name of names) cols[name] = view(name, this.chunks[0]!, n);
    } else {
      for (const name of names) cols[name] = new (FRAME_COLUMNS[name] as NumCtor)(n);
      let at = 0;
      for (let k = 0; k < this.chunks.length; k++) {
        const ch = this.chunks[k]!;
        for (const name of names) cols[name]!.set(view(name, ch, ch.used) as never, at);
        at += ch.used;
        this.chunks[k] = undefined as never; // let the chunk go
      }
    }
    this.chunks.length = 0;
    this.i = 0;
    this.cap = 0;
    const dicts: FrameDicts = {
      addresses: this.addresses.values,
      protocols: this.protocols.values,
      labelStacks: this.labelStacks.values,
      labelStackValues: this.labelStackValues,
      strings: this.strings.values,
    };
    return new FrameTable(cols as FrameColumns, dicts, this.problems, error);
  }
}

/** A dictionary-encoded string column view for arquero (`at(row)` returns the string). */
class DictColumn {
  constructor(private readonly codes: ArrayLike<number>, private readonly dict: readonly string[]) {}
  get length(): number { return this.codes.length; }
  at(row: number): string { return this.dict[this.codes[row]!]!; }
  *[Symbol.iterator](): Iterator<string> { for (let i = 0; i < this.codes.length; i++) yield this.at(i); }
  toArray(): string[] { return Array.from(this); }
}

/** A column computed from others per row (`time`, enum names). */
class ComputedColumn<T> {
  constructor(readonly length: number, private readonly fn: (row: number) => T) {}
  at(row: number): T { return this.fn(row); }
  *[Symbol.iterator](): Iterator<T> { for (let i = 0; i < this.length; i++) yield this.fn(i); }
  toArray(): T[] { return Array.from(this); }
}

/**
 * Decoded frames, column by column.
 * @example
 * const t = await readCapture("fabric.pcap");
 * t.length;                 // 106
 * t.row(13).http?.path;     // "/login"
 * t.toArquero().filter((d) => d.tunnel === "mplsoudp").numRows();
 */
export class FrameTable {
  /** Number of frames. */
  readonly length: number;

  constructor(
    /** The typed-array columns (dictionary codes for string columns). */
    readonly columns: FrameColumns,
    /** The dictionaries the string columns index. */
    readonly dicts: FrameDicts,
    /** Problem text of truncated / malformed frames, by row index. */
    readonly problems: ReadonlyMap<number, string>,
    /** The file-format error that ended reading early, if any (frames before it are all here). */
    readonly error?: CaptureFormatError,
  ) {
    this.length = columns.no.length;
  }

  /**
   * String value of a column at a row (dictionary and enum columns decoded; numbers as numbers).
   * @example t.value("tunnel", 0) // "mplsogre"
   */
  value(name: FrameColumnName | "time" | "mplsLabel", row: number): string | number {
    const c = this.columns;
    if (name === "time") return c.sec[row]! + c.nsec[row]! / 1e9;
    if (name === "mplsLabel") return this.bottomLabel(row);
    if (name === "tunnel") return TUNNEL_NAMES[c.tunnel[row]!] ?? "";
    if (name === "httpMethod") return HTTP_METHODS[c.httpMethod[row]!] ?? "";
    const dict = DICT_OF[name];
    if (dict) return (this.dicts[dict] as string[])[c[name][row]!]!;
    return c[name][row]!;
  }

  /**
   * Label stack of a row, top first.
   * @example t.labels(76) // [16, 20]
   */
  labels(row: number): number[] {
    return this.dicts.labelStackValues[this.columns.mplsLabels[row]!] ?? [];
  }

  /**
   * Bottom-of-stack MPLS label of a row (the VRF / next-hop label in Contrail), -1 when none.
   * @example t.bottomLabel(76) // 20 for the stack 16,20
   */
  bottomLabel(row: number): number {
    const stack = this.dicts.labelStackValues[this.columns.mplsLabels[row]!];
    return stack !== undefined && stack.length > 0 ? stack[stack.length - 1]! : -1;
  }

  /**
   * One frame as a plain object.
   * @example t.row(0) // { no: 1, tunnel: "mplsogre", labels: [20], src: "15.15.15.2", … }
   */
  row(i: number): FrameRow {
    const c = this.columns;
    const a = this.dicts.addresses;
    const r: FrameRow = {
      no: c.no[i]!,
      time: c.sec[i]! + c.nsec[i]! / 1e9,
      epoch: `${c.sec[i]}.${String(c.nsec[i]).padStart(9, "0")}`,
      caplen: c.caplen[i]!,
      len: c.len[i]!,
      protocols: this.dicts.protocols[c.protocols[i]!]!,
      tunnel: TUNNEL_NAMES[c.tunnel[i]!] ?? "",
    };
    if (c.vlan[i]! >= 0) r.vlan = c.vlan[i]!;
    if (c.outerSrc[i]) { r.outerSrc = a[c.outerSrc[i]!]; r.outerDst = a[c.outerDst[i]!]; }
    if (c.src[i]) r.src = a[c.src[i]!];
    if (c.dst[i]) r.dst = a[c.dst[i]!];
    if (c.mplsLabels[i]) r.labels = this.labels(i);
    if (c.vni[i]! >= 0) r.vni = c.vni[i]!;
    if (c.ipProto[i]) r.proto = c.ipProto[i]!;
    if (c.ipProto[i] === 6 || c.ipProto[i] === 17) { r.srcPort = c.srcPort[i]!; r.dstPort = c.dstPort[i]!; }
    if (c.ipProto[i] === 6) { r.tcpFlags = tcpFlagNames(c.tcpFlags[i]!); r.seq = c.seq[i]!; r.ack = c.ack[i]!; }
    if (c.payloadLen[i]! >= 0) r.payloadLength = c.payloadLen[i]!;
    if (c.httpMethod[i] || c.httpStatus[i]) {
      const h: NonNullable<FrameRow["http"]> = {};
      if (c.httpMethod[i]) { h.method = HTTP_METHODS[c.httpMethod[i]!]; h.path = this.dicts.strings[c.httpPath[i]!]; }
      if (c.httpHost[i]) h.host = this.dicts.strings[c.httpHost[i]!];
      if (c.httpStatus[i]) h.status = c.httpStatus[i]!;
      r.http = h;
    }
    const f = c.flags[i]!;
    if (f & FLAG_TRUNCATED) r.truncated = true;
    if (f & FLAG_MALFORMED) r.malformed = true;
    if (f & FLAG_UNSUPPORTED && !(f & FLAG_MALFORMED)) { /* unsupported next layer: not a problem */ }
    const p = this.problems.get(i);
    if (p) r.problem = p;
    return r;
  }

  /** Iterates rows as objects. @example for (const r of t.rows()) console.log(r.no); */
  *rows(): IterableIterator<FrameRow> {
    for (let i = 0; i < this.length; i++) yield this.row(i);
  }

  /**
   * A table holding only the given rows (in the given order), sharing dictionaries.
   * @example t.select(t.indices((t, i) => t.columns.tunnel[i] === TUNNEL_VXLAN))
   */
  select(rows: ArrayLike<number>): FrameTable {
    const n = rows.length;
    const out: Partial<Record<FrameColumnName, NumArray>> = {};
    for (const [name, Ctor] of Object.entries(FRAME_COLUMNS) as [FrameColumnName, NumCtor][]) {
      const src = this.columns[name] as NumArray;
      const dst = new Ctor(n);
      for (let k = 0; k < n; k++) dst[k] = src[rows[k]!]!;
      out[name] = dst;
    }
    const problems = new Map<number, string>();
    for (let k = 0; k < n; k++) {
      const p = this.problems.get(rows[k]!);
      if (p !== undefined) problems.set(k, p);
    }
    return new FrameTable(out as FrameColumns, this.dicts, problems, this.error);
  }

  /**
   * Row indices for which `pred` holds.
   * @example t.indices((t, i) => t.columns.dstPort[i] === 80)
   */
  indices(pred: (table: FrameTable, row: number) => boolean): Uint32Array {
    const out = new Uint32Array(this.length);
    let n = 0;
    for (let i = 0; i < this.length; i++) if (pred(this, i)) out[n++] = i;
    return out.slice(0, n);
  }

  /**
   * The table as an arquero table. Numeric columns are the typed arrays themselves; string columns
   * are dictionary views; `time` (epoch seconds, float) is added. Absent values stay -1 / 0 / "".
   * @example t.toArquero().groupby("tunnel").count().objects()
   */
  toArquero(names?: readonly (FrameColumnName | "time" | "mplsLabel")[]): ReturnType<typeof Arquero.table> {
    // loaded on first use: arquero costs ~20 MB of resident memory that plain decoding does not need
    const aq = require("arquero") as typeof Arquero;
    const data: Record<string, unknown> = {};
    const all: (FrameColumnName | "time" | "mplsLabel")[] = ["no", "time", ...(Object.keys(FRAME_COLUMNS) as FrameColumnName[]).filter((k) => k !== "no")];
    all.splice(all.indexOf("mplsLabels"), 0, "mplsLabel");
    for (const name of names ?? all) data[name] = this.arqueroColumn(name);
    return aq.table(data as Parameters<typeof Arquero.table>[0]);
  }

  private arqueroColumn(name: FrameColumnName | "time" | "mplsLabel"): unknown {
    const c = this.columns;
    if (name === "time") return new ComputedColumn(this.length, (i) => c.sec[i]! + c.nsec[i]! / 1e9);
    if (name === "mplsLabel") return new ComputedColumn(this.length, (i) => this.bottomLabel(i));
    if (name === "tunnel") return new ComputedColumn(this.length, (i) => TUNNEL_NAMES[c.tunnel[i]!] ?? "");
    if (name === "httpMethod") return new ComputedColumn(this.length, (i) => HTTP_METHODS[c.httpMethod[i]!] ?? "");
    const dict = DICT_OF[name];
    if (dict) return new DictColumn(c[name], this.dicts[dict] as string[]);
    return c[name];
  }
}
