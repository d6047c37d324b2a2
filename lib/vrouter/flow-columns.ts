/**
 * A columnar store of `flow` entries: typed-array columns (numbers as Int32, widened to Float64 only
 * when a value needs it; IPv4 addresses as uint32; repeated strings dictionary-encoded) filled by the
 * byte scanner of `parseFlowColumns`, and turned into {@link FlowEntry} rows or an arquero table only on
 * demand. A million-entry `flow -l` dump takes ~125 MB here instead of ~570 MB as row objects.
 *
 * Decoded fields (NAT flags, TCP state, flow flags, protocol name) are not stored: they are functions of
 * the action, TCP-flag and flag strings, decoded once per distinct string when rows or tables are made,
 * by the same code `parseFlow` uses, so both give identical rows.
 */
import * as aq from "arquero";
import type { FlowEntry } from "./types";
import { type Attrs, type FlowKey, freshAttrs, makeFlowRow } from "./flow-row";
import { ipv4Value } from "./ipv4-bytes";

/** Storage widths of a {@link NumColumn}, narrowest first. */
export type NumWidth = "int8" | "int16" | "int32" | "float64";

/** Per width (as an index into WIDTHS): the value that stands for null, and the largest value kept. */
const WIDTHS: readonly NumWidth[] = ["int8", "int16", "int32", "float64"];
const NULLS = [-128, -32768, -2147483648, NaN];
const MAXES = [127, 32767, 2147483647, Infinity];

/** Int32 null: in an int32 column, and as the byte scanner stages values ({@link NumColumn.setInts}). */
export const NULL32 = -2147483648;

type IntArray = Int8Array | Int16Array | Int32Array;

function copy8(a: Int8Array, row: number, src: Int32Array, from: number, stride: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const v = src[from + k * stride];
    a[row + k] = v === NULL32 ? -128 : v;
  }
}

function copy16(a: Int16Array, row: number, src: Int32Array, from: number, stride: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const v = src[from + k * stride];
    a[row + k] = v === NULL32 ? -32768 : v;
  }
}

function copy32(a: Int32Array, row: number, src: Int32Array, from: number, stride: number, n: number): void {
  for (let k = 0; k < n; k++) a[row + k] = src[from + k * stride];
}

function copyF(a: Float64Array, row: number, src: Int32Array, from: number, stride: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const v = src[from + k * stride];
    a[row + k] = v === NULL32 ? NaN : v;
  }
}

/**
 * A numeric column stored as narrow as its values allow: it starts at a width that suits the field
 * (`int8` for a protocol or a TTL, `int16` for ports and VRFs, `int32` for indexes) and widens on the
 * first value that does not fit (up to Float64 for -0, fractions and counters past 2^31). The smallest
 * value of each integer width stands for null, NaN in Float64.
 *
 * @example
 * const c = new NumColumn(4, "int8"); c.set(0, 7); c.set(1, null); c.set(2, 300); c.set(3, 2 ** 40);
 * [c.get(0), c.get(1), c.get(2), c.get(3), c.width] // => [7, null, 300, 1099511627776, "float64"]
 */
export class NumColumn {
  /** Index into WIDTHS. */
  private w: number;
  /** The storage: an integer array, or null once Float64. */
  ints: IntArray | null;
  f64: Float64Array | null = null;
  /** Whether new rows start null (else whoever adds a row writes it). */
  private readonly nullFill: boolean;

  /**
   * @param width the starting width (`float64` for counters that pass 2^31, like bytes).
   * @param dense every added row is written by its writer, so new rows are not filled with null first.
   *
   * @example
   * new NumColumn(8, "float64").width // => "float64"
   */
  constructor(capacity: number, width: NumWidth = "int32", dense = false) {
    this.nullFill = !dense;
    this.w = WIDTHS.indexOf(width);
    if (this.w === 3) {
      this.ints = null;
      this.f64 = new Float64Array(capacity);
      if (this.nullFill) this.f64.fill(NaN);
    } else {
      this.ints = NumColumn.alloc(this.w, capacity);
      if (this.nullFill) this.ints.fill(NULLS[this.w]);
    }
  }

  private static alloc(w: number, capacity: number): IntArray {
    return w === 0 ? new Int8Array(capacity) : w === 1 ? new Int16Array(capacity) : new Int32Array(capacity);
  }

  /**
   * The current storage width.
   *
   * @example
   * new NumColumn(1, "int16").width // => "int16"
   */
  get width(): NumWidth {
    return WIDTHS[this.w];
  }

  /**
   * Stores `n` values taken from `src` at `from`, `from + stride`, … into rows `row`… (NaN = null).
   *
   * @example
   * const c = new NumColumn(4, "float64"); c.setFloats(0, new Float64Array([1, 9, 2, 9]), 0, 2, 2); c.get(1) // => 2
   */
  setFloats(row: number, src: Float64Array, from: number, stride: number, n: number): void {
    const f = this.f64;
    if (f !== null) {
      for (let k = 0; k < n; k++) f[row + k] = src[from + k * stride];
      return;
    }
    for (let k = 0; k < n; k++) {
      const v = src[from + k * stride];
      this.set(row + k, v === v ? v : null);
    }
  }

  /**
   * Stores `n` Int32 values taken from `src` at `from`, `from + stride`, … into rows `row`…
   * ({@link NULL32} = null), widening first if one of them needs it.
   *
   * @example
   * const c = new NumColumn(4, "int8"); c.setInts(0, new Int32Array([5, 1000]), 0, 1, 2); [c.get(1), c.width] // => [1000, "int16"]
   */
  setInts(row: number, src: Int32Array, from: number, stride: number, n: number): void {
    if (this.w < 2) {
      const max = MAXES[this.w];
      const nul = NULLS[this.w];
      let need = this.w;
      for (let k = 0; k < n; k++) {
        const v = src[from + k * stride];
        if (v !== NULL32 && (v > max || v <= nul)) need = Math.max(need, v >= -32767 && v <= 32767 ? 1 : 2);
      }
      if (need !== this.w) this.widenTo(need);
    }
    // One copy loop per array type, so each loop's element stores see a single type.
    if (this.w === 0) copy8(this.ints as Int8Array, row, src, from, stride, n);
    else if (this.w === 1) copy16(this.ints as Int16Array, row, src, from, stride, n);
    else if (this.w === 2) copy32(this.ints as Int32Array, row, src, from, stride, n);
    else copyF(this.f64!, row, src, from, stride, n);
  }

  /**
   * Stores `v` at row `i` (widening the column when `v` does not fit).
   *
   * @example
   * const c = new NumColumn(1); c.set(0, -1); c.get(0) // => -1
   */
  set(i: number, v: number | null): void {
    if (this.ints !== null) {
      if (v === null) {
        this.ints[i] = NULLS[this.w];
        return;
      }
      if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
        if (v > NULLS[this.w] && v <= MAXES[this.w]) {
          this.ints[i] = v;
          return;
        }
        if (v > NULL32) {
          this.widenTo(v >= -32767 && v <= 32767 ? Math.max(this.w, 1) : 2);
          this.ints[i] = v;
          return;
        }
      }
      this.widenTo(3);
    }
    this.f64![i] = v === null ? NaN : v;
  }

  /**
   * The value at row `i`, `null` for a missing value.
   *
   * @example
   * const c = new NumColumn(1); c.set(0, null); c.get(0) // => null
   */
  get(i: number): number | null {
    const a = this.ints;
    if (a !== null) {
      const v = a[i];
      return v === NULLS[this.w] ? null : v;
    }
    const v = this.f64![i];
    return v === v ? v : null;
  }

  private widenTo(w: number): void {
    if (w <= this.w) return;
    const a = this.ints!;
    const nul = NULLS[this.w];
    if (w === 3) {
      const f = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) f[i] = a[i] === nul ? NaN : a[i];
      this.f64 = f;
      this.ints = null;
    } else {
      const b = NumColumn.alloc(w, a.length);
      const nb = NULLS[w];
      for (let i = 0; i < a.length; i++) b[i] = a[i] === nul ? nb : a[i];
      this.ints = b;
    }
    this.w = w;
  }

  /**
   * Re-allocates to `capacity` rows, keeping the values.
   *
   * @example
   * const c = new NumColumn(1); c.set(0, 5); c.grow(8); c.get(0) // => 5
   */
  grow(capacity: number): void {
    const old = this.ints ?? this.f64!;
    const keep = Math.min(capacity, old.length);
    if (this.ints !== null) {
      const a = NumColumn.alloc(this.w, capacity);
      if (this.nullFill) a.fill(NULLS[this.w], keep);
      a.set(this.ints.subarray(0, keep));
      this.ints = a;
    } else {
      const f = new Float64Array(capacity);
      if (this.nullFill) f.fill(NaN, keep);
      f.set(this.f64!.subarray(0, keep));
      this.f64 = f;
    }
  }
}

/**
 * The hash {@link StringDict} uses for the ASCII bytes `u[s, e)`: the same as for the string of those bytes.
 *
 * @example
 * hashBytes(new Uint8Array([70]), 0, 1) === hashString("F") // => true
 */
export function hashBytes(u: Uint8Array, s: number, e: number): number {
  let h = e - s;
  for (let i = s; i < e; i++) h = (Math.imul(h, 31) + u[i]) | 0;
  return h;
}

/**
 * The hash of a string's UTF-16 code units (see {@link hashBytes}).
 *
 * @example
 * hashString("") // => 0
 */
export function hashString(str: string): number {
  let h = str.length;
  for (let i = 0; i < str.length; i++) h = (Math.imul(h, 31) + str.charCodeAt(i)) | 0;
  return h;
}

/**
 * A dictionary of distinct strings with their codes, looked up either by string or by a byte range of
 * ASCII text without allocating: an open-addressing table over the hashes, with the ASCII keys' bytes
 * kept in an arena so a lookup compares bytes with bytes.
 *
 * @example
 * const d = new StringDict(); d.code("N(D)") // => 0
 * d.codeOfBytes(new TextEncoder().encode("Action:N(D),"), 7, 11) // => 0
 */
export class StringDict {
  readonly values: string[] = [];
  private readonly byString = new Map<string, number>();
  private slots = new Int32Array(256).fill(-1);
  private slotHash = new Int32Array(256);
  private mask = 255;
  /** Per code: offset of its bytes in `arena`, and their length (-1: not ASCII, never equal to bytes). */
  private keyOff = new Int32Array(64);
  private keyLen = new Int32Array(64);
  private arena = new Uint8Array(1024);
  private arenaUsed = 0;

  /**
   * The code of `s`, adding it when new.
   *
   * @example
   * const d = new StringDict(); d.code("a"); d.code("b"); d.code("a") // => 0
   */
  code(s: string): number {
    let c = this.byString.get(s);
    if (c === undefined) c = this.add(s, hashString(s));
    return c;
  }

  /**
   * The code of the ASCII bytes `u[s, e)` (added when new; the caller guarantees the bytes are ASCII).
   * `h` is their {@link hashBytes}, when the caller computed it while scanning them.
   *
   * @example
   * const d = new StringDict(); d.codeOfBytes(new Uint8Array([83, 83, 114]), 0, 3); d.values // => ["SSr"]
   */
  codeOfBytes(u: Uint8Array, s: number, e: number, h: number = hashBytes(u, s, e)): number {
    const len = e - s;
    const slots = this.slots;
    const mask = this.mask;
    let k = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const c = slots[k];
      if (c < 0) break;
      if (this.slotHash[k] === h && this.keyLen[c] === len) {
        const arena = this.arena;
        const off = this.keyOff[c];
        let j = 0;
        while (j < len && arena[off + j] === u[s + j]) j++;
        if (j === len) return c;
      }
      k = (k + 1) & mask;
    }
    let str = "";
    for (let i = s; i < e; i++) str += String.fromCharCode(u[i]);
    const known = this.byString.get(str);
    return known !== undefined ? known : this.add(str, h);
  }

  private add(str: string, h: number): number {
    const c = this.values.length;
    this.values.push(str);
    this.byString.set(str, c);
    if (c >= this.keyOff.length) {
      const off = new Int32Array(this.keyOff.length * 2);
      off.set(this.keyOff);
      this.keyOff = off;
      const len = new Int32Array(this.keyLen.length * 2);
      len.set(this.keyLen);
      this.keyLen = len;
    }
    let ascii = true;
    for (let i = 0; i < str.length; i++) if (str.charCodeAt(i) > 127) ascii = false;
    if (ascii) {
      if (this.arenaUsed + str.length > this.arena.length) {
        const a = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + str.length));
        a.set(this.arena.subarray(0, this.arenaUsed));
        this.arena = a;
      }
      for (let i = 0; i < str.length; i++) this.arena[this.arenaUsed + i] = str.charCodeAt(i);
      this.keyOff[c] = this.arenaUsed;
      this.keyLen[c] = str.length;
      this.arenaUsed += str.length;
    } else {
      this.keyOff[c] = 0;
      this.keyLen[c] = -1;
    }
    if (this.values.length * 2 > this.mask) this.rehash();
    else this.place(c, h);
    return c;
  }

  private place(c: number, h: number): void {
    let k = (h ^ (h >>> 15)) & this.mask;
    while (this.slots[k] >= 0) k = (k + 1) & this.mask;
    this.slots[k] = c;
    this.slotHash[k] = h;
  }

  private rehash(): void {
    const size = (this.mask + 1) * 4;
    this.slots = new Int32Array(size).fill(-1);
    this.slotHash = new Int32Array(size);
    this.mask = size - 1;
    for (let c = 0; c < this.values.length; c++) this.place(c, hashString(this.values[c]));
  }
}

/** A dictionary-encoded string column (code -1 = null). */
export class StrColumn {
  codes: Int32Array;
  readonly dict = new StringDict();

  private readonly nullFill: boolean;

  /**
   * @param dense every added row is written by its writer, so new rows are not filled with null first.
   *
   * @example
   * new StrColumn(4).get(3) // => null
   */
  constructor(capacity: number, dense = false) {
    this.nullFill = !dense;
    this.codes = new Int32Array(capacity);
    if (this.nullFill) this.codes.fill(-1);
  }

  /**
   * Stores `s` (or null) at row `i`.
   *
   * @example
   * const c = new StrColumn(2); c.set(0, "F"); c.set(1, null); [c.get(0), c.get(1)] // => ["F", null]
   */
  set(i: number, s: string | null): void {
    this.codes[i] = s === null ? -1 : this.dict.code(s);
  }

  /**
   * The string at row `i`, or null.
   *
   * @example
   * const c = new StrColumn(1); c.set(0, "SSrEEr"); c.get(0) // => "SSrEEr"
   */
  get(i: number): string | null {
    const c = this.codes[i];
    return c < 0 ? null : this.dict.values[c];
  }

  /**
   * Re-allocates to `capacity` rows, keeping the codes.
   *
   * @example
   * const c = new StrColumn(1); c.set(0, "x"); c.grow(4); c.get(0) // => "x"
   */
  grow(capacity: number): void {
    const keep = Math.min(capacity, this.codes.length);
    const a = new Int32Array(capacity);
    if (this.nullFill) a.fill(-1, keep);
    a.set(this.codes.subarray(0, keep));
    this.codes = a;
  }
}

/** The value an {@link IpColumn} row holds when its address is kept as text (or null) in `others`. */
export const IP_OTHER = 0xffffffff;

/**
 * An address column: IPv4 as its uint32 value; anything else (IPv6, redacted `x.x.x.x`, null, and
 * 255.255.255.255 itself) as {@link IP_OTHER} with the text in a side map. Strings are made on demand
 * and cached.
 *
 * @example
 * const c = new IpColumn(2); c.setV4(0, 0x0a2fffee); c.setString(1, "fd00::1");
 * [c.get(0), c.get(1)] // => ["10.47.255.238", "fd00::1"]
 */
export class IpColumn {
  values: Uint32Array;
  /** Rows holding IP_OTHER: their address as text, or null. */
  readonly others = new Map<number, string | null>();
  private readonly dict = new StringDict();
  private readonly cache = new Map<number, string>();

  /** Every added row is written by its writer (the byte scanner or `append`): no fill. */
  constructor(capacity: number) {
    this.values = new Uint32Array(capacity);
  }

  /**
   * Stores an IPv4 address given as its uint32 value.
   *
   * @example
   * const c = new IpColumn(1); c.setV4(0, 0x65656501); c.get(0) // => "101.101.101.1"
   */
  setV4(i: number, v: number): void {
    if (v === IP_OTHER) this.others.set(i, "255.255.255.255");
    else if (this.others.size > 0) this.others.delete(i);
    this.values[i] = v;
  }

  /**
   * Stores an address given as text (canonical dotted IPv4 is stored as a number).
   *
   * @example
   * const c = new IpColumn(1); c.setString(0, "x.x.x.x"); c.get(0) // => "x.x.x.x"
   */
  setString(i: number, s: string | null): void {
    const v4 = s === null ? -1 : ipv4Value(s);
    if (v4 >= 0) this.setV4(i, v4);
    else {
      this.values[i] = IP_OTHER;
      this.others.set(i, s === null ? null : this.dict.values[this.dict.code(s)]);
    }
  }

  /**
   * Stores a non-IPv4 address given as ASCII bytes `u[s, e)` (equal texts share one string).
   *
   * @example
   * const c = new IpColumn(1); c.setOtherBytes(0, new TextEncoder().encode("fd00::1"), 0, 7); c.get(0) // => "fd00::1"
   */
  setOtherBytes(i: number, u: Uint8Array, s: number, e: number): void {
    this.values[i] = IP_OTHER;
    this.others.set(i, this.dict.values[this.dict.codeOfBytes(u, s, e)]);
  }

  /**
   * The address at row `i` as text, or null.
   *
   * @example
   * const c = new IpColumn(1); c.setV4(0, 0); c.get(0) // => "0.0.0.0"
   */
  get(i: number): string | null {
    const v = this.values[i];
    if (v === IP_OTHER) return this.others.get(i) ?? null;
    let s = this.cache.get(v);
    if (s === undefined) {
      s = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
      this.cache.set(v, s);
    }
    return s;
  }

  /**
   * Re-allocates to `capacity` rows, keeping the values.
   *
   * @example
   * const c = new IpColumn(1); c.setV4(0, 1); c.grow(4); c.get(0) // => "0.0.0.1"
   */
  grow(capacity: number): void {
    const a = new Uint32Array(capacity);
    a.set(this.values.subarray(0, Math.min(capacity, this.values.length)));
    this.values = a;
  }
}

/**
 * A column that is null in almost every row (`flow -l` seldom prints mirror indexes, HBS, Oflow
 * chains or unknown attributes): only the rows that have a value are stored.
 *
 * @example
 * const c = new SparseColumn<number>(); c.set(7, 3); [c.get(7), c.get(8)] // => [3, null]
 */
export class SparseColumn<T extends string | number> {
  readonly values = new Map<number, T>();

  /**
   * Stores `v` (or null) at row `i`.
   *
   * @example
   * const c = new SparseColumn<string>(); c.set(0, "left"); c.set(0, null); c.get(0) // => null
   */
  set(i: number, v: T | null): void {
    if (v === null) this.values.delete(i);
    else this.values.set(i, v);
  }

  /**
   * The value at row `i`, or null.
   *
   * @example
   * new SparseColumn<number>().get(0) // => null
   */
  get(i: number): T | null {
    return this.values.get(i) ?? null;
  }
}

/** Names of the numeric columns, in {@link FlowEntry} terms. */
const NUM_COLUMNS = [
  "line", "dump", "index", "rindex", "srcPort", "dstPort", "proto", "vrf", "dvrf", "gen", "keyNh", "ecmpIndex", "qos",
  "rpfNh", "packets", "bytes", "udpSrcPort", "ttl",
] as const;

/** Names of the sparse columns (null in almost every `flow -l` row). */
const SPARSE_COLUMNS = ["mirrorIndex", "secondaryMirrorIndex", "underlayEcmpIndex", "hbs", "oflowEntries", "extra"] as const;

/**
 * The entries of a `flow` parse, column by column. Rows are made on demand ({@link row}, {@link rows});
 * {@link toTable} makes the arquero table directly from the columns.
 *
 * @example
 * const c = parseFlowColumns(text).columns; // lib/vrouter/flow-bytes
 * c.length; c.row(0).srcIp; c.toTable().numRows();
 */
export class FlowColumns {
  /** Number of entries. */
  length = 0;
  private capacity: number;
  readonly line: NumColumn;
  readonly dump: NumColumn;
  readonly index: NumColumn;
  readonly rindex: NumColumn;
  readonly srcPort: NumColumn;
  readonly dstPort: NumColumn;
  readonly proto: NumColumn;
  readonly vrf: NumColumn;
  readonly dvrf: NumColumn;
  readonly gen: NumColumn;
  readonly keyNh: NumColumn;
  readonly ecmpIndex: NumColumn;
  readonly qos: NumColumn;
  readonly rpfNh: NumColumn;
  readonly packets: NumColumn;
  readonly bytes: NumColumn;
  readonly mirrorIndex = new SparseColumn<number>();
  readonly secondaryMirrorIndex = new SparseColumn<number>();
  readonly udpSrcPort: NumColumn;
  readonly ttl: NumColumn;
  readonly underlayEcmpIndex = new SparseColumn<number>();
  readonly srcIp: IpColumn;
  readonly dstIp: IpColumn;
  readonly sinfo: IpColumn;
  readonly action: StrColumn;
  readonly flowFlags: StrColumn;
  readonly tcpFlags: StrColumn;
  readonly hbs = new SparseColumn<string>();
  readonly oflowEntries = new SparseColumn<string>();
  readonly extra = new SparseColumn<string>();
  /** 1 = `flow --get` entry, 0 = `flow -l`. */
  sourceGet: Uint8Array;
  /** 1 = inet6. */
  inet6: Uint8Array;
  vrfTranslated: Uint8Array;
  /** Fields beyond the `flow -l` ones (the detail lines of `flow --get`), by row. */
  private readonly details = new Map<number, Record<string, unknown>>();
  /** Their names in first-seen order. */
  private readonly detailNames: string[] = [];

  /**
   * @param capacity initial rows (grows by doubling).
   *
   * @example
   * new FlowColumns(1024).length // => 0
   */
  constructor(capacity = 1024) {
    const c = Math.max(16, capacity | 0);
    this.capacity = c;
    this.line = new NumColumn(c, "int32", true);
    this.dump = new NumColumn(c, "int8", true);
    this.index = new NumColumn(c, "int32", true);
    this.rindex = new NumColumn(c, "int32", true);
    this.srcPort = new NumColumn(c, "int32", true);
    this.dstPort = new NumColumn(c, "int32", true);
    this.proto = new NumColumn(c, "int8", true);
    this.vrf = new NumColumn(c, "int16", true);
    this.dvrf = new NumColumn(c, "int16", true);
    this.gen = new NumColumn(c, "int8", true);
    this.keyNh = new NumColumn(c, "int32", true);
    this.ecmpIndex = new NumColumn(c, "int8", true);
    this.qos = new NumColumn(c, "int8", true);
    this.rpfNh = new NumColumn(c, "int32", true);
    this.packets = new NumColumn(c, "float64", true);
    this.bytes = new NumColumn(c, "float64", true);
    this.udpSrcPort = new NumColumn(c, "int32", true);
    this.ttl = new NumColumn(c, "int8", true);
    this.srcIp = new IpColumn(c);
    this.dstIp = new IpColumn(c);
    this.sinfo = new IpColumn(c);
    this.action = new StrColumn(c, true);
    this.flowFlags = new StrColumn(c, true);
    this.tcpFlags = new StrColumn(c, true);
    this.sourceGet = new Uint8Array(c);
    this.inet6 = new Uint8Array(c);
    this.vrfTranslated = new Uint8Array(c);
  }

  /**
   * Makes room for one more row and returns its index. The caller writes every column of it; the
   * sparse ones (`mirrorIndex`, `secondaryMirrorIndex`, `underlayEcmpIndex`, `hbs`, `oflowEntries`,
   * `extra`) are null until set.
   *
   * @example
   * const c = new FlowColumns(16); c.addRow() // => 0
   */
  addRow(): number {
    if (this.length === this.capacity) this.grow(this.capacity * 2);
    return this.length++;
  }

  private grow(capacity: number): void {
    for (const n of NUM_COLUMNS) this[n].grow(capacity);
    this.srcIp.grow(capacity);
    this.dstIp.grow(capacity);
    this.sinfo.grow(capacity);
    for (const s of [this.action, this.flowFlags, this.tcpFlags]) s.grow(capacity);
    const g8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(capacity);
      b.set(a.subarray(0, Math.min(capacity, a.length)));
      return b;
    };
    this.sourceGet = g8(this.sourceGet);
    this.inet6 = g8(this.inet6);
    this.vrfTranslated = g8(this.vrfTranslated);
    this.capacity = capacity;
  }

  /**
   * Appends a row made elsewhere (by the line scanner of `parseFlow`).
   *
   * @example
   * const c = new FlowColumns(); c.append(parseFlow(text).rows[0]); c.row(0) // => the same entry
   */
  append(r: FlowEntry): void {
    const i = this.addRow();
    this.line.set(i, r.line);
    this.dump.set(i, r.dump);
    this.index.set(i, r.index);
    this.rindex.set(i, r.rindex);
    this.srcPort.set(i, r.srcPort);
    this.dstPort.set(i, r.dstPort);
    this.proto.set(i, r.proto);
    this.vrf.set(i, r.vrf);
    this.dvrf.set(i, r.dvrf);
    this.gen.set(i, r.gen);
    this.keyNh.set(i, r.keyNh);
    this.ecmpIndex.set(i, r.ecmpIndex);
    this.qos.set(i, r.qos);
    this.rpfNh.set(i, r.rpfNh);
    this.packets.set(i, r.packets);
    this.bytes.set(i, r.bytes);
    this.mirrorIndex.set(i, r.mirrorIndex);
    this.secondaryMirrorIndex.set(i, r.secondaryMirrorIndex);
    this.udpSrcPort.set(i, r.udpSrcPort);
    this.ttl.set(i, r.ttl);
    this.underlayEcmpIndex.set(i, r.underlayEcmpIndex);
    this.srcIp.setString(i, r.srcIp);
    this.dstIp.setString(i, r.dstIp);
    this.sinfo.setString(i, r.sinfo);
    this.action.set(i, r.action);
    this.flowFlags.set(i, r.flowFlags);
    // A row's tcpFlags is "" when absent; whether it was absent shows in tcpState (null for non-TCP rows without flags).
    this.tcpFlags.set(i, r.tcpFlags === "" && r.tcpState === null ? null : r.tcpFlags);
    this.hbs.set(i, r.hbs);
    this.oflowEntries.set(i, r.oflowEntries);
    this.extra.set(i, r.extra);
    this.sourceGet[i] = r.source === "get" ? 1 : 0;
    this.inet6[i] = r.family === "inet6" ? 1 : 0;
    this.vrfTranslated[i] = r.vrfTranslated ? 1 : 0;
    let extra: Record<string, unknown> | null = null;
    for (const key of Object.keys(r)) {
      if (key in TEMPLATE_ROW) continue;
      if (extra === null) extra = {};
      extra[key] = (r as unknown as Record<string, unknown>)[key];
      if (!this.detailNames.includes(key)) this.detailNames.push(key);
    }
    if (extra !== null) this.details.set(i, extra);
  }

  /**
   * Row `i` as a {@link FlowEntry}, identical to what `parseFlow` returns for it.
   *
   * @example
   * parseFlowColumns(text).columns.row(0).dnat // => true for a DNAT entry
   */
  row(i: number): FlowEntry {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`flow row ${i} out of range (0…${this.length - 1})`);
    const k: FlowKey = {
      source: this.sourceGet[i] === 1 ? "get" : "list",
      line: this.line.get(i)!,
      dump: this.dump.get(i)!,
      index: this.index.get(i)!,
      rindex: this.rindex.get(i),
      srcIp: this.srcIp.get(i)!,
      srcPort: this.srcPort.get(i)!,
      dstIp: this.dstIp.get(i)!,
      dstPort: this.dstPort.get(i)!,
      proto: this.proto.get(i)!,
      vrf: this.vrf.get(i)!,
      dvrf: this.dvrf.get(i)!,
      vrfTranslated: this.vrfTranslated[i] === 1,
      family: this.inet6[i] === 1 ? "inet6" : "inet",
    };
    const a: Attrs = freshAttrs();
    a.gen = this.gen.get(i);
    a.keyNh = this.keyNh.get(i);
    a.action = this.action.get(i)!;
    a.flowFlags = this.flowFlags.get(i)!;
    a.tcpFlags = this.tcpFlags.get(i);
    a.ecmpIndex = this.ecmpIndex.get(i);
    a.qos = this.qos.get(i);
    a.rpfNh = this.rpfNh.get(i);
    a.packets = this.packets.get(i)!;
    a.bytes = this.bytes.get(i)!;
    a.mirrorIndex = this.mirrorIndex.get(i);
    a.secondaryMirrorIndex = this.secondaryMirrorIndex.get(i);
    a.udpSrcPort = this.udpSrcPort.get(i);
    a.ttl = this.ttl.get(i);
    a.underlayEcmpIndex = this.underlayEcmpIndex.get(i);
    a.hbs = this.hbs.get(i);
    a.sinfo = this.sinfo.get(i);
    a.extra = this.extra.get(i);
    const row = makeFlowRow(k, a, this.oflowEntries.get(i));
    const d = this.details.get(i);
    return d === undefined ? row : Object.assign(row, d);
  }

  /**
   * Every row as {@link FlowEntry} objects (what `parseFlow(text).rows` holds).
   *
   * @example
   * parseFlowColumns(text).columns.rows().length // => the number of entries
   */
  rows(): FlowEntry[] {
    const out = new Array<FlowEntry>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.row(i);
    return out;
  }

  /**
   * The entries as an arquero table, built column by column (no row objects): the same columns, in
   * the same order, with the same values as `toTable(parseFlow(text))`.
   *
   * @example
   * parseFlowColumns(text).columns.toTable().numRows() // => the number of entries
   */
  toTable(): ReturnType<typeof aq.table> {
    return aq.table(this.columnArrays());
  }

  /**
   * Every column as a plain array (nulls as null), keyed and ordered like a {@link FlowEntry}.
   *
   * @example
   * parseFlowColumns(text).columns.columnArrays().srcIp[0] // => "10.0.11.254"
   */
  columnArrays(): Record<string, unknown[]> {
    const n = this.length;
    if (n === 0) return {};
    // Decoded fields: decode each distinct (action, flags, tcp flags, proto, tcp-ness) once, through makeFlowRow.
    // The key is one number when the dictionaries are small enough (always, in practice), else a string.
    const derived = new Map<number | string, number>();
    const uniq: FlowEntry[] = [];
    const derivedOf = new Int32Array(n);
    const nf = this.flowFlags.dict.values.length + 1;
    const nt = this.tcpFlags.dict.values.length + 1;
    const numericKey = (this.action.dict.values.length + 1) * nf * nt * 65536 < Number.MAX_SAFE_INTEGER;
    for (let i = 0; i < n; i++) {
      const p = this.proto.get(i);
      const key =
        numericKey && p !== null && p >= 0 && p < 65536
          ? ((this.action.codes[i] * nf + this.flowFlags.codes[i] + 1) * nt + this.tcpFlags.codes[i] + 1) * 65536 + p
          : `${this.action.codes[i]}|${this.flowFlags.codes[i]}|${this.tcpFlags.codes[i]}|${p}`;
      let d = derived.get(key);
      if (d === undefined) {
        d = uniq.length;
        uniq.push(this.row(i));
        derived.set(key, d);
      }
      derivedOf[i] = d;
    }
    const out: Record<string, unknown[]> = {};
    const num = (c: NumColumn): (number | null)[] => {
      const a = new Array<number | null>(n);
      for (let i = 0; i < n; i++) a[i] = c.get(i);
      return a;
    };
    const sparse = (c: SparseColumn<string | number>): (string | number | null)[] => {
      const a = new Array<string | number | null>(n).fill(null);
      for (const [i, v] of c.values) a[i] = v;
      return a;
    };
    const str = (c: StrColumn | IpColumn): (string | null)[] => {
      const a = new Array<string | null>(n);
      for (let i = 0; i < n; i++) a[i] = c.get(i);
      return a;
    };
    const fromDerived = (k: keyof FlowEntry): unknown[] => {
      const vals = uniq.map((d) => d[k]);
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = vals[derivedOf[i]];
      return a;
    };
    for (const k of Object.keys(TEMPLATE_ROW) as (keyof FlowEntry)[]) {
      switch (k) {
        case "srcIp":
        case "dstIp":
        case "sinfo":
        case "flowFlags":
        case "action":
          out[k] = str(this[k]);
          break;
        case "mirrorIndex":
        case "secondaryMirrorIndex":
        case "underlayEcmpIndex":
        case "hbs":
        case "oflowEntries":
        case "extra":
          out[k] = sparse(this[k]);
          break;
        case "tcpFlags":
          out[k] = str(this.tcpFlags).map((s) => s ?? "");
          break;
        case "source":
          out[k] = Array.from(this.sourceGet.subarray(0, n), (v) => (v === 1 ? "get" : "list"));
          break;
        case "family":
          out[k] = Array.from(this.inet6.subarray(0, n), (v) => (v === 1 ? "inet6" : "inet"));
          break;
        case "vrfTranslated":
          out[k] = Array.from(this.vrfTranslated.subarray(0, n), (v) => v === 1);
          break;
        default:
          if ((NUM_COLUMNS as readonly string[]).includes(k)) out[k] = num(this[k as (typeof NUM_COLUMNS)[number]]);
          else out[k] = fromDerived(k);
      }
    }
    for (const name of this.detailNames) {
      const a = new Array<unknown>(n).fill(null);
      for (const [i, d] of this.details) {
        const v = d[name];
        if (v !== undefined) a[i] = v;
      }
      out[name] = a;
    }
    return out;
  }
}

/** A row with every {@link FlowEntry} key in makeFlowRow's order (the column order of tables). */
const TEMPLATE_ROW: FlowEntry = makeFlowRow(
  { source: "list", line: 0, dump: 0, index: 0, rindex: null, srcIp: "", srcPort: 0, dstIp: "", dstPort: 0, proto: 0, vrf: 0, dvrf: 0, vrfTranslated: false },
  freshAttrs(),
  null,
);
