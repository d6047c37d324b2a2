/**
 * A bounded string interner keyed by a text range: returns a previously seen equal string without
 * allocating (flow tables repeat the same addresses, actions and flags millions of times).
 */

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
