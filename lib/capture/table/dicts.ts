/**
 * The frame table's string dictionaries: a builder interns every repeated value (addresses, layer
 * stacks, label stacks, HTTP paths and hosts) once, and the table's string columns hold codes into
 * them (code 0 is always ""). Each dictionary keeps a small direct-mapped cache that the builder's
 * fast row writer probes inline.
 *
 * @example
 * const a = new AddressDict();
 * a.ipv4(Uint8Array.of(10, 0, 0, 1), 0); // 1 (the code of "10.0.0.1")
 * a.values[1];                            // "10.0.0.1"
 * @module
 */
import { u32 } from "../context";
import { formatIpv4, formatIpv6, formatMac } from "../format";

/** String dictionaries shared by a table and its subsets (code 0 is always ""). */
export interface FrameDicts {
  addresses: string[];
  protocols: string[];
  labelStacks: string[];
  /** Parsed label stacks, same codes as `labelStacks`. */
  labelStackValues: number[][];
  strings: string[];
}

/**
 * Dictionary key of a one-label (`b` -1) or two-label stack (20-bit labels, an exact number).
 * @example labelKey(16, 20) !== labelKey(16, -1) // true
 */
export function labelKey(a: number, b: number): number {
  return b < 0 ? a + 1 : 2 ** 21 * (a + 1) + b + 2 ** 42;
}

/**
 * Slot of an exact integer key (< 2^53) in a 256-entry direct-mapped cache.
 * @example keySlot(labelKey(16, 20)) // 0..255
 */
export function keySlot(key: number): number {
  return Math.imul((key >>> 0) ^ ((key / 4294967296) | 0), 0x9e3779b1) >>> 24;
}

/**
 * A dictionary keyed by exact integers (or, rarely, text), with a direct-mapped cache in front that
 * the fast path probes inline (slot {@link keySlot}); code 0 is "".
 */
export class KeyedDict {
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
export class AddressDict {
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

const nativeLatin1 = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, s: number, e: number) => string }).latin1Slice;

/**
 * The bytes `d[o..o+n)` as a Latin-1 string (Buffer's native slice when there is one).
 * @example latin1(Uint8Array.of(0x47, 0x45, 0x54), 0, 3) // "GET"
 */
export function latin1(d: Uint8Array, o: number, n: number): string {
  if (nativeLatin1 !== undefined) return nativeLatin1.call(d, o, o + n);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(d[o + i]!);
  return s;
}

/**
 * Byte-string interning (HTTP paths and hosts): an open-addressing table over the bytes themselves,
 * so a repeated value costs a hash and a compare, and its JS string is made once. Code 0 is "".
 */
export class ByteDict {
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
