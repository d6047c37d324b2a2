/**
 * The columnar frame table: decoded frames column by column, one typed array per field, string
 * columns as codes into shared dictionaries. {@link FrameTable} offers rows as objects, subsets, and
 * an arquero table whose string columns are dictionary views (no per-row string arrays). Column
 * meanings are in `columns.ts`; `builder.ts` fills a table.
 *
 * @module
 */
import type * as Arquero from "arquero";
import type { CaptureFormatError } from "../errors";
import { tcpFlagNames } from "../format";
import * as ids from "../layer-ids";
import { HTTP_METHODS, TUNNEL_NAMES } from "../layer-ids";
import { FRAME_COLUMNS, type FrameColumnName, type FrameColumns, type NumArray, type NumCtor } from "./columns";
import type { FrameDicts } from "./dicts";

const { FLAG_MALFORMED, FLAG_TRUNCATED, FLAG_UNSUPPORTED } = ids;

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
  /** UDP ports of an MPLSoUDP / VXLAN tunnel; the source port is the sender's flow entropy (`flow -l` `SPort`). */
  tunnelSrcPort?: number;
  tunnelDstPort?: number;
  /** First GRE header's flags-and-version word; its key when K (0x2000) is set. */
  greFlags?: number;
  greKey?: number;
  /** Outer IP header's TTL / hop limit and DSCP (tunnelled frames). */
  outerTtl?: number;
  outerDscp?: number;
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
    /** Once per file, not per frame: link types that are not decoded (their frames are rows without layers). */
    readonly warnings: readonly string[] = [],
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
   * Whether a row's layer stack holds a GRE header (then `greFlags` and, with K, `greKey` mean something).
   * @example t.hasGre(0) // true for an MPLSoGRE frame
   */
  hasGre(row: number): boolean {
    const g = (this.greStacks ??= this.dicts.protocols.map((p) => p.split(":").includes("gre")));
    return g[this.columns.protocols[row]!] === true;
  }

  private greStacks?: boolean[];

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
    if (c.outerSrc[i]) {
      r.outerSrc = a[c.outerSrc[i]!];
      r.outerDst = a[c.outerDst[i]!];
      r.outerTtl = c.outerTtl[i]!;
      r.outerDscp = c.outerDscp[i]!;
    }
    if (c.src[i]) r.src = a[c.src[i]!];
    if (c.dst[i]) r.dst = a[c.dst[i]!];
    if (c.mplsLabels[i]) r.labels = this.labels(i);
    if (c.vni[i]! >= 0) r.vni = c.vni[i]!;
    if (c.tunnelDstPort[i]) { r.tunnelSrcPort = c.tunnelSrcPort[i]!; r.tunnelDstPort = c.tunnelDstPort[i]!; }
    if (this.hasGre(i)) {
      r.greFlags = c.greFlags[i]!;
      if ((c.greFlags[i]! & 0x2000) !== 0) r.greKey = c.greKey[i]!;
    }
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
    return new FrameTable(out as FrameColumns, this.dicts, problems, this.error, this.warnings);
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

