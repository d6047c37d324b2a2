/**
 * Address pseudonyms for sharing: IPv4 and IPv6 through Crypto-PAn (prefix-preserving, keyed), MAC
 * addresses through a keyed permutation, with special and user-listed ranges kept as they are.
 *
 * **Kept ranges and prefix preservation.** Mapping kept addresses to themselves while the others go
 * through plain Crypto-PAn would break the scheme twice: a kept address and its non-kept neighbour
 * (127.0.0.1 and 126.0.0.1 share 7 bits) would no longer share their prefix, and about one non-kept
 * address in 16 would land inside 224.0.0.0/4 (multicast) or another kept range, colliding with a real
 * kept address and changing how every tool reads the packet. So the mapper *pins* the kept ranges in
 * Crypto-PAn's tree instead: the flip of bit `i` is forced to 0 whenever the address's first `i` bits
 * are a prefix of a kept range (or lie inside one). The result is still a tree of per-prefix flips, so
 * it stays a prefix-preserving bijection for every pair of addresses; kept ranges map onto themselves
 * and nothing else maps into them. The cost: an address keeps, unchanged, its longest common prefix
 * with any kept range plus one bit (the top bit always; with the default ranges the first 1 to 6 bits
 * of the first octet, e.g. 10.x stays in 8–15.x, 192.168.x in 192–223.x). With `keepSpecial: false`
 * and no `keepRanges` the mapping is exactly the reference Crypto-PAn.
 *
 * IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) keep their /96 and take the IPv4 pseudonym of
 * `a.b.c.d`, so a dual-stack socket's address reads the same as the IPv4 one.
 *
 * MAC addresses: multicast and broadcast (I/G bit set) and 00:00:00:00:00:00 are kept; the others go
 * through a 4-round Feistel permutation keyed by HMAC-SHA256 over their 42 bits other than the first
 * nibble and the I/G and U/L bits (`keepOui`: over the last 24 bits only), so the mapping is one-to-one,
 * a unicast address stays unicast, a locally administered one locally administered, and the first
 * nibble stays: MPLS payload guessing (packetwalk's and tshark's: 4 or 6 looks like IP) reads a
 * redacted inner Ethernet header as it read the original.
 * @module
 */
import { createHmac } from "node:crypto";
import { createCryptoPan, CRYPTOPAN_KEY_LENGTH } from "./cryptopan";
import { parseCidr } from "./cidr";

/** The key length of {@link createAddressMapper}: the Crypto-PAn key (16 AES + 16 pad). */
export const ADDRESS_KEY_LENGTH = CRYPTOPAN_KEY_LENGTH;

/** IPv4 ranges kept by default: unspecified, loopback, link-local, multicast, limited broadcast. */
export const SPECIAL_IPV4_RANGES: readonly string[] = [
  "0.0.0.0/32", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32",
];
/** IPv6 ranges kept by default: unspecified, loopback, link-local, multicast (IPv4-mapped: see module). */
export const SPECIAL_IPV6_RANGES: readonly string[] = ["::/128", "::1/128", "fe80::/10", "ff00::/8"];

/** The pseudonymiser of addresses (one key, one mapping). */
export interface AddressMapper {
  /** uint32 → uint32, prefix-preserving; kept ranges map to themselves. */
  ipv4(addr: number): number;
  /** 16 bytes → new 16 bytes, prefix-preserving; kept ranges kept. */
  ipv6(addr: Uint8Array): Uint8Array;
  /** 6 bytes → new 6 bytes, keyed; keepOui keeps the first 3 bytes. */
  mac(addr: Uint8Array): Uint8Array;
  /** Rewrites the IPv6 address at `buf[off..off+16)` in place (no allocation on a cache hit). */
  ipv6At(buf: Uint8Array, off: number): void;
  /** Rewrites the MAC address at `buf[off..off+6)` in place. */
  macAt(buf: Uint8Array, off: number): void;
  /** True when the IPv4 address lies in a kept range (it maps to itself). */
  keptV4(addr: number): boolean;
  /** True when the IPv6 address at `buf[off..off+16)` lies in a kept range. */
  keptV6(buf: Uint8Array, off?: number): boolean;
}

/** Options of {@link createAddressMapper}. */
export interface AddressMapperOptions {
  /** More ranges to keep as they are (`10.47.0.0/16`, `fd00::/8`, bare addresses). */
  keepRanges?: string[];
  /** MAC: keep the first 3 bytes (the vendor's OUI). Default false. */
  keepOui?: boolean;
  /** Keep the special ranges ({@link SPECIAL_IPV4_RANGES}, {@link SPECIAL_IPV6_RANGES}, IPv4-mapped). Default true. */
  keepSpecial?: boolean;
  /** Entries per address cache (IPv4, IPv6, MAC) before it is emptied. Default 65,536. */
  cacheSize?: number;
}

interface Range6 { net: Uint8Array; len: number; mapped: boolean }

/** Leading bits `a[ao..]` and `b[bo..]` share, over 16 bytes (128 when equal). */
function commonBits6(a: Uint8Array, ao: number, b: Uint8Array, bo: number): number {
  for (let i = 0; i < 16; i++) {
    const x = a[ao + i]! ^ b[bo + i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return 128;
}

/**
 * The address pseudonymiser of a 32-byte key. Throws a RangeError for a key of another length or a
 * `keepRanges` entry that is no range (naming it).
 * @example
 * const m = createAddressMapper(key, { keepRanges: ["10.47.255.0/24"], keepOui: true });
 * m.ipv4(0x0f0f0f02);            // 15.15.15.2 → another address; 15.15.15.3 shares 30 bits with it
 * m.ipv4(0x7f000001);            // 127.0.0.1 (loopback is kept)
 * m.mac(Uint8Array.of(0x52, 0x54, 0, 0x3c, 0xaa, 0x21)); // 52:54:00:xx:xx:xx
 */
export function createAddressMapper(
  key: Uint8Array,
  opts: AddressMapperOptions = {},
): AddressMapper {
  if (!(key instanceof Uint8Array) || key.length !== ADDRESS_KEY_LENGTH) {
    throw new RangeError(
      `address key must be ${ADDRESS_KEY_LENGTH} bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`,
    );
  }
  const cp = createCryptoPan(key);
  const keepSpecial = opts.keepSpecial ?? true;
  const keepOui = opts.keepOui ?? false;
  const cacheSize = Math.max(1, Math.floor(opts.cacheSize ?? 65536));

  const nets4: number[] = [], lens4: number[] = [];
  const ranges6: Range6[] = [];
  const texts = [...(keepSpecial ? [...SPECIAL_IPV4_RANGES, ...SPECIAL_IPV6_RANGES] : []), ...(opts.keepRanges ?? [])];
  for (const text of texts) {
    const r = parseCidr(text);
    if (typeof r === "string") throw new RangeError(`keepRanges: ${r}`);
    if (r.family === 4) { nets4.push(r.net); lens4.push(r.len); }
    else ranges6.push({ net: r.net, len: r.len, mapped: false });
  }
  if (keepSpecial) {
    const mapped = new Uint8Array(16);
    mapped[10] = 0xff; mapped[11] = 0xff;
    ranges6.push({ net: mapped, len: 96, mapped: true });
  }

  // ---- IPv4 ----
  const cache4 = new Map<number, number>();
  function compute4(a: number): number {
    let forced = 0;
    for (let i = 0; i < nets4.length; i++) {
      const c = Math.clz32((a ^ nets4[i]!) >>> 0);
      const len = lens4[i]!;
      if (c >= len) return a;
      if (c + 1 > forced) forced = c + 1;
    }
    const keepMask = forced === 0 ? 0 : forced >= 32 ? 0xffffffff : (0xffffffff << (32 - forced)) >>> 0;
    return (a ^ (cp.flipsV4(a) & ~keepMask)) >>> 0;
  }
  // a small direct-mapped cache in front of the Map: int32 keys and values, no hashing of objects
  const DM = 4096;
  const dm4Key = new Int32Array(DM), dm4Val = new Int32Array(DM), dm4Set = new Uint8Array(DM);
  function ipv4(addr: number): number {
    const a = addr >>> 0;
    const slot = (Math.imul(a, 0x9e3779b1) >>> 20) & (DM - 1);
    if (dm4Set[slot] === 1 && dm4Key[slot] === (a | 0)) return dm4Val[slot]! >>> 0;
    let r = cache4.get(a);
    if (r === undefined) {
      r = compute4(a);
      if (cache4.size >= cacheSize) cache4.clear();
      cache4.set(a, r);
    }
    dm4Set[slot] = 1; dm4Key[slot] = a | 0; dm4Val[slot] = r | 0;
    return r;
  }
  function keptV4(addr: number): boolean {
    const a = addr >>> 0;
    for (let i = 0; i < nets4.length; i++) if (Math.clz32((a ^ nets4[i]!) >>> 0) >= lens4[i]!) return true;
    return false;
  }

  // ---- IPv6 ----
  const cache6 = new Map<string, Uint8Array>();
  const flips6 = new Uint8Array(16);
  function compute6(src: Uint8Array, off: number, out: Uint8Array): void {
    let forced = 0;
    for (const r of ranges6) {
      const c = commonBits6(src, off, r.net, 0);
      if (c >= r.len) {
        for (let i = 0; i < 16; i++) out[i] = src[off + i]!;
        if (r.mapped) {
          const v4 = ipv4(((src[off + 12]! << 24) | (src[off + 13]! << 16) | (src[off + 14]! << 8) | src[off + 15]!) >>> 0);
          out[12] = v4 >>> 24; out[13] = (v4 >>> 16) & 255; out[14] = (v4 >>> 8) & 255; out[15] = v4 & 255;
        }
        return;
      }
      if (c + 1 > forced) forced = c + 1;
    }
    cp.flipsV6(src, off, flips6, 0);
    for (let i = 0; i < 16; i++) {
      const keep = Math.max(0, Math.min(8, forced - 8 * i)); // leading bits of this byte not flipped
      const f = flips6[i]! & (0xff >>> keep);
      out[i] = src[off + i]! ^ f;
    }
  }
  function key6(src: Uint8Array, off: number): string {
    let s = "";
    for (let i = 0; i < 16; i += 2) s += String.fromCharCode((src[off + i]! << 8) | src[off + i + 1]!);
    return s;
  }
  function lookup6(src: Uint8Array, off: number): Uint8Array {
    const k = key6(src, off);
    let r = cache6.get(k);
    if (r === undefined) {
      r = new Uint8Array(16);
      compute6(src, off, r);
      if (cache6.size >= cacheSize) cache6.clear();
      cache6.set(k, r);
    }
    return r;
  }
  function keptV6(buf: Uint8Array, off = 0): boolean {
    for (const r of ranges6) if (!r.mapped && commonBits6(buf, off, r.net, 0) >= r.len) return true;
    return false;
  }

  // ---- MAC ----
  const macKey = createHmac("sha256", key).update("packetwalk redact mac v1").digest();
  const cacheMac = new Map<number, number>();
  const roundIn = Buffer.alloc(6);
  /** Feistel round function: `bits`-wide keyed value of (round, half). */
  function roundF(round: number, half: number, bits: number): number {
    roundIn[0] = bits; roundIn[1] = round;
    roundIn.writeUInt32BE(half >>> 0, 2);
    const d = createHmac("sha256", macKey).update(roundIn).digest();
    return d.readUInt32BE(0) & ((1 << bits) - 1);
  }
  /** A keyed permutation of `2*halfBits`-bit values (4 Feistel rounds). */
  function permute(v: number, halfBits: number): number {
    const m = 2 ** halfBits;
    let l = Math.floor(v / m), r = v % m;
    for (let round = 0; round < 4; round++) {
      const nl = r;
      r = (l ^ roundF(round, r, halfBits)) >>> 0;
      l = nl;
    }
    return l * m + r;
  }
  function computeMac(v: number): number {
    const b0 = Math.floor(v / 2 ** 40);
    if ((b0 & 1) !== 0 || v === 0) return v; // multicast / broadcast / all-zero kept
    if (keepOui) {
      const oui = Math.floor(v / 2 ** 24);
      return oui * 2 ** 24 + permute(v % 2 ** 24, 12);
    }
    // the 42 bits after the first nibble and besides the U/L and I/G bits
    const bits42 = ((b0 >>> 2) & 3) * 2 ** 40 + (v % 2 ** 40);
    const p = permute(bits42, 21);
    const nb0 = (b0 & 0xf3) | (Math.floor(p / 2 ** 40) << 2);
    return nb0 * 2 ** 40 + (p % 2 ** 40);
  }
  const dmMacHi = new Int32Array(DM), dmMacLo = new Int32Array(DM), dmMacRhi = new Int32Array(DM), dmMacRlo = new Int32Array(DM);
  const dmMacSet = new Uint8Array(DM);
  function macAt(buf: Uint8Array, off: number): void {
    const hi = (buf[off]! << 8) | buf[off + 1]!;
    const lo = ((buf[off + 2]! << 24) | (buf[off + 3]! << 16) | (buf[off + 4]! << 8) | buf[off + 5]!) >>> 0;
    if ((hi & 0x100) !== 0) return; // group address: kept
    const slot = (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 20) & (DM - 1);
    let rhi: number, rlo: number;
    if (dmMacSet[slot] === 1 && dmMacHi[slot] === hi && dmMacLo[slot] === (lo | 0)) {
      rhi = dmMacRhi[slot]!; rlo = dmMacRlo[slot]! >>> 0;
    } else {
      const v = hi * 4294967296 + lo;
      let r = cacheMac.get(v);
      if (r === undefined) {
        r = computeMac(v);
        if (cacheMac.size >= cacheSize) cacheMac.clear();
        cacheMac.set(v, r);
      }
      rhi = Math.floor(r / 4294967296); rlo = r % 4294967296;
      dmMacSet[slot] = 1; dmMacHi[slot] = hi; dmMacLo[slot] = lo | 0; dmMacRhi[slot] = rhi; dmMacRlo[slot] = rlo | 0;
    }
    buf[off] = rhi >>> 8; buf[off + 1] = rhi & 255;
    buf[off + 2] = rlo >>> 24; buf[off + 3] = (rlo >>> 16) & 255; buf[off + 4] = (rlo >>> 8) & 255; buf[off + 5] = rlo & 255;
  }

  return {
    ipv4,
    ipv6(addr) {
      if (!(addr instanceof Uint8Array) || addr.length !== 16) throw new RangeError(`ipv6: need 16 bytes, got ${addr?.length}`);
      return lookup6(addr, 0).slice();
    },
    ipv6At(buf, off) {
      buf.set(lookup6(buf, off), off);
    },
    mac(addr) {
      if (!(addr instanceof Uint8Array) || addr.length !== 6) throw new RangeError(`mac: need 6 bytes, got ${addr?.length}`);
      const r = new Uint8Array(addr); // a copy, also of a Buffer (whose slice is a view)
      macAt(r, 0);
      return r;
    },
    macAt,
    keptV4,
    keptV6,
  };
}
