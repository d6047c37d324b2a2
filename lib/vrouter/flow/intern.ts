/**
 * A bounded string interner keyed by a text range: returns a previously seen equal string without
 * allocating (flow tables repeat the same addresses, actions and flags millions of times).
 */
import { formatIpv4Number } from "../../ipv4";

/**
 * Interns substrings of a larger text.
 *
 * @example
 * const i = new RangeInterner();
 * i.get("Action:N(D),", 7, 11) // => "N(D)" (the same object on every later hit)
 */
export class RangeInterner {
  private readonly slots: (string | undefined)[];
  private readonly mask: number;
  private readonly maxLen: number;

  /**
   * @param bits table size is `2 ** bits` slots (collisions simply replace the slot).
   * @param maxLen ranges longer than this are sliced, not interned.
   *
   * @example
   * const i = new RangeInterner(8);
   * i.get("a 10.0.0.1 b", 2, 10) === i.get("x10.0.0.1", 1, 9) // => true (same string object)
   */
  constructor(bits = 16, maxLen = 48) {
    this.slots = new Array<string | undefined>(1 << bits).fill(undefined);
    this.mask = (1 << bits) - 1;
    this.maxLen = maxLen;
  }

  /**
   * The string `t.slice(s, e)`, shared with earlier equal results when possible.
   *
   * @example
   * new RangeInterner().get("Action:F", 7, 8) // => "F"
   */
  get(t: string, s: number, e: number): string {
    const len = e - s;
    if (len <= 0) return "";
    if (len > this.maxLen) return t.slice(s, e);
    let h = len;
    for (let i = s; i < e; i++) h = (Math.imul(h, 31) + t.charCodeAt(i)) | 0;
    const k = (h ^ (h >>> 15)) & this.mask;
    const cur = this.slots[k];
    if (cur !== undefined && cur.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (cur.charCodeAt(i) !== t.charCodeAt(s + i)) {
          same = false;
          break;
        }
      }
      if (same) return cur;
    }
    const str = t.slice(s, e);
    this.slots[k] = str;
    return str;
  }
}

/**
 * Interns ASCII byte ranges as strings (the byte reader's rows): an equal range returns the string made
 * the first time, without decoding again. Bounded like {@link RangeInterner}: a slot holds one string,
 * a collision replaces it.
 *
 * @example
 * const i = new BytesInterner();
 * const u = Buffer.from("Action:N(D),");
 * i.get(u, 7, 11) // => "N(D)" (the same object on every later hit)
 */
export class BytesInterner {
  private readonly slots: (string | undefined)[];
  private readonly mask: number;

  /**
   * @param bits table size is `2 ** bits` slots.
   * @param maxLen ranges longer than this are decoded, not interned.
   *
   * @example
   * new BytesInterner(8, 16).get(Buffer.from("F"), 0, 1) // => "F"
   */
  constructor(
    bits = 12,
    private readonly maxLen = 48,
  ) {
    this.slots = new Array<string | undefined>(1 << bits).fill(undefined);
    this.mask = (1 << bits) - 1;
  }

  /**
   * The string of the ASCII bytes `u[s, e)`; `h` is their hash when the caller has it (any hash that is
   * the same for equal ranges).
   *
   * @example
   * new BytesInterner().get(Buffer.from("10.0.0.1"), 0, 8) // => "10.0.0.1"
   */
  get(u: Uint8Array, s: number, e: number, h = -1): string {
    const len = e - s;
    if (len <= 0) return "";
    if (len > this.maxLen) return latin1(u, s, e);
    if (h === -1) {
      h = len;
      for (let i = s; i < e; i++) h = (Math.imul(h, 31) + u[i]) | 0;
    }
    const k = (h ^ (h >>> 15)) & this.mask;
    const cur = this.slots[k];
    if (cur !== undefined && cur.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (cur.charCodeAt(i) !== u[s + i]) {
          same = false;
          break;
        }
      }
      if (same) return cur;
    }
    const str = latin1(u, s, e);
    this.slots[k] = str;
    return str;
  }
}

/**
 * Dotted-quad text of IPv4 addresses given as uint32, cached by value (bounded, direct-mapped).
 *
 * @example
 * new V4Strings().get(0x0a2fffee) // => "10.47.255.238"
 */
export class V4Strings {
  private readonly keys: Float64Array;
  private readonly strs: (string | undefined)[];
  private readonly shift: number;

  /**
   * @param bits table size is `2 ** bits` slots.
   *
   * @example
   * new V4Strings(4).get(0) // => "0.0.0.0"
   */
  constructor(bits = 14) {
    this.keys = new Float64Array(1 << bits).fill(-1);
    this.strs = new Array<string | undefined>(1 << bits).fill(undefined);
    this.shift = 32 - bits;
  }

  /**
   * The text of `v` (0 … 2³²−1).
   *
   * @example
   * new V4Strings().get(0x65656501) // => "101.101.101.1"
   */
  get(v: number): string {
    const k = Math.imul(v, 0x9e3779b1) >>> this.shift;
    if (this.keys[k] === v) return this.strs[k]!;
    const s = formatIpv4Number(v);
    this.keys[k] = v;
    this.strs[k] = s;
    return s;
  }
}

/** The ASCII bytes u[s, e) as a string. */
function latin1(u: Uint8Array, s: number, e: number): string {
  return Buffer.prototype.latin1Slice.call(u, s, e) as string;
}
