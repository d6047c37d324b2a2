/**
 * pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): blocks.
 *
 * ```
 * every block                         Enhanced Packet Block (type 6) body
 * +---------------------------+       +---------------------------+
 * | Block Type (4)            |       | Interface ID (4)          |
 * | Block Total Length (4)    |       | Timestamp high (4)        |
 * | Block Body (variable)     |       | Timestamp low (4)         |
 * | Block Total Length (4)    |       | Captured length (4)       |
 * +---------------------------+       | Original length (4)       |
 *                                     | Packet data, padded to 4  |
 * Section Header Block type           | Options                   |
 * 0x0A0D0D0A, byte-order magic        +---------------------------+
 * 0x1A2B3C4D at body offset 0.
 * ```
 * Interface Description Blocks (type 1) give each interface its link type and `if_tsresol`
 * (option 9) / `if_tsoffset` (option 14). Simple Packet Blocks (type 3) belong to interface 0.
 * @module
 */

/** Section Header Block type. */
export const BLOCK_SHB = 0x0a0d0d0a;
/** Interface Description Block type. */
export const BLOCK_IDB = 1;
/** Obsolete Packet Block type. */
export const BLOCK_PB = 2;
/** Simple Packet Block type. */
export const BLOCK_SPB = 3;
/** Enhanced Packet Block type. */
export const BLOCK_EPB = 6;
/** Byte-order magic. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Largest block accepted (larger means a corrupt file). */
export const MAX_BLOCK_LENGTH = 64 * 1024 * 1024;

/** An interface of the current section. */
export interface PcapngInterface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second when a power of ten ≤ 1e9 (fast path), else 0. */
  unitsPerSecondDecimal: number;
  /** Timestamp resolution: 10^-n (`base` 10) or 2^-n (`base` 2). */
  base: 10 | 2;
  exponent: number;
  /** if_tsoffset, seconds. */
  offsetSeconds: number;
}

/**
 * Parses an Interface Description Block body (after type and length) into an interface.
 * @example
 * const iface = parseIdb(buf, off + 8, off + total - 4, true);
 */
export function parseIdb(d: Uint8Array, o: number, end: number, le: boolean): PcapngInterface | string {
  if (end - o < 8) return "interface description block too short";
  const dv = new DataView(d.buffer, d.byteOffset);
  const iface: PcapngInterface = {
    linkType: dv.getUint16(o, le),
    snaplen: dv.getUint32(o + 4, le),
    unitsPerSecondDecimal: 1e6,
    base: 10,
    exponent: 6,
    offsetSeconds: 0,
  };
  let p = o + 8;
  while (end - p >= 4) {
    const code = dv.getUint16(p, le);
    const len = dv.getUint16(p + 2, le);
    if (code === 0) break;
    if (end - p - 4 < len) return `option ${code} overruns the block`;
    if (code === 9 && len >= 1) {
      const v = d[p + 4]!;
      if ((v & 0x80) === 0) { iface.base = 10; iface.exponent = v; }
      else { iface.base = 2; iface.exponent = v & 0x7f; }
      iface.unitsPerSecondDecimal = iface.base === 10 && iface.exponent <= 9 ? 10 ** iface.exponent : 0;
    } else if (code === 14 && len >= 8) {
      iface.offsetSeconds = Number(dv.getBigInt64(p + 4, le));
    }
    p += 4 + ((len + 3) & ~3);
  }
  return iface;
}

/** Scratch result of {@link splitTimestamp}. */
export const tsOut = { sec: 0, nsec: 0 };

/**
 * Splits a 64-bit pcapng timestamp (`hi`, `lo` 32-bit halves) into seconds and nanoseconds,
 * written to {@link tsOut} (no allocation on the common paths).
 * @example
 * splitTimestamp(iface, 0x00062a1e, 0x5d5b2e00); tsOut.sec; // 1732456800
 */
export function splitTimestamp(iface: PcapngInterface, hi: number, lo: number): void {
  const upsd = iface.unitsPerSecondDecimal;
  if (upsd !== 0) {
    if (hi < 0x200000) {
      const v = hi * 4294967296 + lo;
      const sec = Math.floor(v / upsd);
      tsOut.sec = sec + iface.offsetSeconds;
      tsOut.nsec = (v - sec * upsd) * (1e9 / upsd);
      return;
    }
    // long division in 16-bit limbs keeps every intermediate below 2^53
    const limbs = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
    let r = 0, q = 0;
    for (const limb of limbs) {
      const cur = r * 65536 + limb;
      const ql = Math.floor(cur / upsd);
      r = cur - ql * upsd;
      q = q * 65536 + ql;
    }
    tsOut.sec = q + iface.offsetSeconds;
    tsOut.nsec = r * (1e9 / upsd);
    return;
  }
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  const units = iface.base === 10 ? 10n ** BigInt(iface.exponent) : 1n << BigInt(iface.exponent);
  const sec = v / units;
  const frac = v % units;
  tsOut.sec = Number(sec) + iface.offsetSeconds;
  tsOut.nsec = Number((frac * 1_000_000_000n) / units);
}
