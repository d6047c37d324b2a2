/**
 * The columnar frame table: one typed-array column per field, strings interned in dictionaries.
 *
 * {@link FrameTableBuilder} appends one row per decoded frame straight from a {@link DecodeContext}
 * (no per-frame object), into fixed-size chunks so growing never copies the whole table; `finish()`
 * joins each column once. {@link FrameTable} then offers rows as objects, subsets, and an arquero
 * table whose string columns are dictionary views (no per-row string arrays).
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
import {
  type DecodeContext, FLAG_MALFORMED, FLAG_TRUNCATED, FLAG_UNSUPPORTED, HTTP_METHODS, LAYER_NAMES,
  TUNNEL_NAMES, TUNNEL_NONE,
} from "./context";
import { problemText } from "./decode";
import type { CaptureFormatError } from "./errors";
import { formatIpv4, formatIpv6, formatMac, tcpFlagNames } from "./format";

const CHUNK = 1 << 16;

type NumArray =
  | Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array | Float64Array;
type NumCtor = new (n: number) => NumArray;

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

/** String interning with a direct-mapped cache in front of the map for numeric keys. */
class Interner<K extends number | string> {
  readonly values: string[] = [""];
  private readonly map = new Map<K, number>();
  private readonly cacheKey = new Float64Array(256).fill(-1);
  private readonly cacheCode = new Uint32Array(256);

  /** Code of a numeric key, or -1 when new (then call {@link add}). */
  lookupNumber(key: number): number {
    const h = (key ^ (key / 4096)) & 255;
    if (this.cacheKey[h] === key) return this.cacheCode[h]!;
    const code = this.map.get(key as K);
    if (code === undefined) return -1;
    this.cacheKey[h] = key;
    this.cacheCode[h] = code;
    return code;
  }

  /** Code of a key, or -1 when new. */
  lookup(key: K): number {
    return this.map.get(key) ?? -1;
  }

  /** Adds a new key with its text; returns its code. */
  add(key: K, text: string): number {
    const code = this.values.length;
    this.values.push(text);
    this.map.set(key, code);
    return code;
  }

  /** Code of a string key, adding it when new. */
  intern(text: K & string): number {
    const code = this.map.get(text);
    return code !== undefined ? code : this.add(text, text);
  }
}

const nativeLatin1 = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, s: number, e: number) => string }).latin1Slice;

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
  private i = 0;
  /** Capacity of the current chunk (0 before the first). */
  private cap = 0;
  /** Rows used in each chunk. */
  private readonly used: number[] = [];
  private readonly chunks = new Map<FrameColumnName, NumArray[]>();
  private readonly problems = new Map<number, string>();
  // address dictionary: IPv4 by number through a direct-mapped cache, others by text
  private readonly addrValues: string[] = [""];
  private readonly addrV4 = new Map<number, number>();
  private readonly addrText = new Map<string, number>();
  private readonly cacheKey = new Float64Array(1024).fill(-1);
  private readonly cacheCode = new Uint32Array(1024);
  private readonly protocols = new Interner<number | string>();
  private readonly labelStacks = new Interner<number | string>();
  private readonly labelStackValues: number[][] = [[]];
  private readonly strings = new Interner<string>();

  // current chunks
  private c_no!: Uint32Array; private c_sec!: Uint32Array; private c_nsec!: Uint32Array;
  private c_caplen!: Uint32Array; private c_len!: Uint32Array; private c_linkType!: Uint16Array;
  private c_protocols!: Uint32Array; private c_tunnel!: Uint8Array; private c_vlan!: Int16Array;
  private c_outerSrc!: Uint32Array; private c_outerDst!: Uint32Array; private c_src!: Uint32Array;
  private c_dst!: Uint32Array; private c_mplsLabels!: Uint32Array;
  private c_vni!: Int32Array; private c_ipProto!: Uint8Array; private c_srcPort!: Uint16Array;
  private c_dstPort!: Uint16Array; private c_tcpFlags!: Uint16Array; private c_seq!: Uint32Array;
  private c_ack!: Uint32Array; private c_payloadLen!: Int32Array; private c_httpMethod!: Uint8Array;
  private c_httpPath!: Uint32Array; private c_httpHost!: Uint32Array; private c_httpStatus!: Uint16Array;
  private c_flags!: Uint8Array;

  /** Rows appended so far. */
  get length(): number {
    return this.rows;
  }

  private newChunk(size: number): void {
    if (this.cap > 0) this.used[this.used.length - 1] = this.i;
    const self = this as unknown as Record<string, NumArray>;
    for (const [name, Ctor] of Object.entries(FRAME_COLUMNS) as [FrameColumnName, NumCtor][]) {
      const a = new Ctor(size);
      let list = this.chunks.get(name);
      if (!list) this.chunks.set(name, (list = []));
      list.push(a);
      self[`c_${name}`] = a;
    }
    this.used.push(0);
    this.i = 0;
    this.cap = size;
  }

  /**
   * Reserves room for about `rows` more frames in one block, so that `finish()` can hand the block
   * over without copying when the estimate holds. Only effective before the first append.
   * @example builder.reserve(1_000_000);
   */
  reserve(rows: number): void {
    if (this.rows === 0 && rows > CHUNK) this.newChunk(Math.min(rows, 1 << 27));
  }

  private addrV4Code(d: Uint8Array, o: number): number {
    const a = ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
    const h = (a ^ (a >>> 10) ^ (a >>> 20)) & 1023;
    if (this.cacheKey[h] === a) return this.cacheCode[h]!;
    let code = this.addrV4.get(a);
    if (code === undefined) {
      code = this.addrValues.length;
      this.addrValues.push(formatIpv4(d, o));
      this.addrV4.set(a, code);
    }
    this.cacheKey[h] = a;
    this.cacheCode[h] = code;
    return code;
  }

  private addrTextCode(text: string): number {
    let code = this.addrText.get(text);
    if (code === undefined) {
      code = this.addrValues.length;
      this.addrValues.push(text);
      this.addrText.set(text, code);
    }
    return code;
  }

  private ipCode(ctx: DecodeContext, n: number, dst: boolean): number {
    const o = ctx.ipOff[n]!;
    if (ctx.ipVer[n] === 4) return this.addrV4Code(ctx.data, o + (dst ? 16 : 12));
    return this.addrTextCode(formatIpv6(ctx.data, o + (dst ? 24 : 8)));
  }

  private latin1(d: Uint8Array, o: number, n: number): string {
    if (nativeLatin1 !== undefined) return nativeLatin1.call(d, o, o + n);
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(d[o + i]!);
    return s;
  }

  private stackText(ctx: DecodeContext): string {
    const names: string[] = [];
    for (let j = 0; j < ctx.layerCount; j++) names.push(LAYER_NAMES[ctx.layers[j]!]!);
    return names.join(":");
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
    this.c_no[i] = no;
    this.c_sec[i] = sec;
    this.c_nsec[i] = nsec;
    this.c_caplen[i] = ctx.frameEnd - ctx.start;
    this.c_len[i] = origLen;
    this.c_linkType[i] = linkType;

    // layer stack: up to 10 layers packed in a number, deeper stacks by text
    const lc = ctx.layerCount;
    const layers = ctx.layers;
    let pcode: number;
    if (lc <= 10) {
      let k = lc;
      for (let j = 0; j < lc; j++) k = k * 32 + layers[j]!;
      pcode = this.protocols.lookupNumber(k);
      if (pcode < 0) pcode = this.protocols.add(k, this.stackText(ctx));
    } else {
      const key = Array.from(layers.subarray(0, lc)).join(",");
      pcode = this.protocols.lookup(key);
      if (pcode < 0) pcode = this.protocols.add(key, this.stackText(ctx));
    }
    this.c_protocols[i] = pcode;

    const tunnel = ctx.tunnel;
    this.c_tunnel[i] = tunnel;
    this.c_vlan[i] = ctx.vlanId;
    const ipc = ctx.ipCount;
    if (tunnel !== TUNNEL_NONE && ipc > 0) {
      this.c_outerSrc[i] = this.ipCode(ctx, 0, false);
      this.c_outerDst[i] = this.ipCode(ctx, 0, true);
    } else {
      this.c_outerSrc[i] = 0;
      this.c_outerDst[i] = 0;
    }
    if (tunnel !== TUNNEL_NONE && ipc <= ctx.tunnelIpCount) {
      if (ctx.ethCount > 1) {
        const e = ctx.ethOff[Math.min(ctx.ethCount, 4) - 1]!;
        this.c_dst[i] = this.addrTextCode(formatMac(d, e));
        this.c_src[i] = this.addrTextCode(formatMac(d, e + 6));
      } else {
        this.c_src[i] = 0;
        this.c_dst[i] = 0;
      }
    } else if (ipc > 0) {
      this.c_src[i] = this.ipCode(ctx, ipc - 1, false);
      this.c_dst[i] = this.ipCode(ctx, ipc - 1, true);
    } else if (ctx.ethCount > 0) {
      const e = ctx.ethOff[0]!;
      this.c_dst[i] = this.addrTextCode(formatMac(d, e));
      this.c_src[i] = this.addrTextCode(formatMac(d, e + 6));
    } else {
      this.c_src[i] = 0;
      this.c_dst[i] = 0;
    }

    const nl = ctx.labelCount;
    if (nl === 0) {
      this.c_mplsLabels[i] = 0;
    } else {
      const labels = ctx.labels;
      let lcode: number;
      if (nl <= 2) {
        const lkey = nl === 1 ? labels[0]! + 1 : 2 ** 21 * (labels[0]! + 1) + labels[1]! + 2 ** 42;
        lcode = this.labelStacks.lookupNumber(lkey);
        if (lcode < 0) lcode = this.addLabelStack(lkey, labels, nl);
      } else {
        const lkey = Array.from(labels.subarray(0, nl)).join(",");
        lcode = this.labelStacks.lookup(lkey);
        if (lcode < 0) lcode = this.addLabelStack(lkey, labels, nl);
      }
      this.c_mplsLabels[i] = lcode;
    }
    this.c_vni[i] = ctx.vni;

    if (ctx.transportProto !== 0 && ctx.transportIp === ipc) {
      this.c_ipProto[i] = ctx.transportProto;
      this.c_srcPort[i] = ctx.srcPort < 0 ? 0 : ctx.srcPort;
      this.c_dstPort[i] = ctx.dstPort < 0 ? 0 : ctx.dstPort;
      this.c_tcpFlags[i] = ctx.tcpFlags;
      this.c_seq[i] = ctx.seq;
      this.c_ack[i] = ctx.ack;
      this.c_payloadLen[i] = ctx.payloadLen;
    } else {
      this.c_ipProto[i] = 0;
      this.c_srcPort[i] = 0;
      this.c_dstPort[i] = 0;
      this.c_tcpFlags[i] = 0;
      this.c_seq[i] = 0;
      this.c_ack[i] = 0;
      this.c_payloadLen[i] = -1;
    }

    const hk = ctx.httpKind;
    if (hk === 0) {
      this.c_httpMethod[i] = 0;
      this.c_httpPath[i] = 0;
      this.c_httpHost[i] = 0;
      this.c_httpStatus[i] = 0;
    } else {
      this.c_httpMethod[i] = ctx.httpMethod;
      this.c_httpStatus[i] = ctx.httpStatus;
      if (hk === 1) {
        this.c_httpPath[i] = this.strings.intern(this.latin1(d, ctx.httpPathOff, ctx.httpPathLen));
      } else {
        this.c_httpPath[i] = 0;
      }
      if (ctx.httpHostLen > 0) {
        this.c_httpHost[i] = this.strings.intern(this.latin1(d, ctx.httpHostOff, ctx.httpHostLen));
      } else {
        this.c_httpHost[i] = 0;
      }
    }
    const flags = ctx.flags;
    this.c_flags[i] = flags;
    if ((flags & (FLAG_TRUNCATED | FLAG_MALFORMED)) !== 0) this.problems.set(row, problemText(ctx));
  }

  /**
   * Joins the chunks into exact-length columns (one column at a time, to bound memory).
   * @example const table = builder.finish();
   */
  finish(error?: CaptureFormatError): FrameTable {
    const n = this.rows;
    if (this.cap > 0) this.used[this.used.length - 1] = this.i;
    const single = this.used.length === 1;
    const cols: Partial<Record<FrameColumnName, NumArray>> = {};
    for (const [name, Ctor] of Object.entries(FRAME_COLUMNS) as [FrameColumnName, NumCtor][]) {
      const list = this.chunks.get(name) ?? [];
      if (single) {
        // one block (reserved): hand it over, trimmed without copying
        cols[name] = list[0]!.subarray(0, n);
        this.chunks.delete(name);
        continue;
      }
      const out = new Ctor(n);
      let at = 0;
      for (let k = 0; k < list.length; k++) {
        const take = this.used[k]!;
        out.set(list[k]!.subarray(0, take) as never, at);
        at += take;
        list[k] = undefined as never; // let the chunk go
      }
      this.chunks.delete(name);
      cols[name] = out;
    }
    this.i = 0;
    this.cap = 0;
    const dicts: FrameDicts = {
      addresses: this.addrValues,
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
