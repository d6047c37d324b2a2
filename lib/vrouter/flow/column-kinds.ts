/**
 * Generic column kinds for typed, append-mostly tables: {@link NumColumn} (Int8 → Int16 → Int32 →
 * Float64, widened as values need, with an in-band null), {@link StringDict} (distinct strings looked up
 * by string or by ASCII byte range without allocating), {@link StrColumn} (dictionary codes),
 * {@link IpColumn} (IPv4 as uint32, anything else as text) and {@link SparseColumn} (mostly null).
 * Nothing here knows about `flow`: {@link FlowColumns} in `columns.ts` is built from these.
 */
import { formatIpv4Number } from "../../ipv4";
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
      s = formatIpv4Number(v);
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
