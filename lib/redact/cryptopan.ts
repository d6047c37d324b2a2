/**
 * Crypto-PAn: the prefix-preserving address pseudonymisation of Xu, Fan, Ammar and Moon ("Prefix-
 * Preserving IP Address Anonymization: Measurement-based Security Evaluation and a New
 * Cryptography-based Scheme", ICNP 2002), as its reference implementation computes it, for IPv4 and,
 * the same way over 128 bits, IPv6.
 *
 * The 32-byte key is a 16-byte AES-128 key and a 16-byte pad; the pad is first encrypted with the key.
 * Bit `i` (0 = most significant) of the address is flipped when the most significant bit of
 * AES(first `i` bits of the address, then the encrypted pad's remaining bits) is 1. Each flip depends
 * only on the bits before it, which is what makes the mapping prefix-preserving: two addresses sharing
 * their first `n` bits get the same first `n` flips and so still share exactly `n` bits.
 *
 * The `bits`-many AES inputs of one address do not depend on each other's outputs, so they are
 * encrypted in one ECB call (32 blocks for IPv4, 128 for IPv6) instead of one call per bit.
 * @module
 */
import { createCipheriv, type Cipher } from "node:crypto";

/** The Crypto-PAn key length: 16 bytes of AES-128 key and 16 bytes of pad. */
export const CRYPTOPAN_KEY_LENGTH = 32;

/** A keyed Crypto-PAn instance. */
export interface CryptoPan {
  /**
   * The flip mask of an IPv4 address: bit `31 - i` is the flip of bit `i`. The pseudonym is
   * `(addr ^ flipsV4(addr)) >>> 0`.
   */
  flipsV4(addr: number): number;
  /** The pseudonym of an IPv4 address (unsigned 32-bit in, unsigned 32-bit out). */
  anonymizeV4(addr: number): number;
  /** Writes the 16-byte flip mask of the IPv6 address `addr[off..off+16)` into `out[outOff..outOff+16)`. */
  flipsV6(addr: Uint8Array, off: number, out: Uint8Array, outOff: number): void;
  /** The pseudonym of a 16-byte IPv6 address, as new bytes. */
  anonymizeV6(addr: Uint8Array): Uint8Array;
}

/**
 * A Crypto-PAn instance for a 32-byte key (throws a RangeError naming the length otherwise).
 * @example
 * const cp = createCryptoPan(key32);
 * cp.anonymizeV4(0x800b4484); // 128.11.68.132 → 0x87f2b484 (135.242.180.132) with the reference sample key
 */
export function createCryptoPan(key: Uint8Array): CryptoPan {
  if (!(key instanceof Uint8Array) || key.length !== CRYPTOPAN_KEY_LENGTH) {
    throw new RangeError(
      `Crypto-PAn key must be ${CRYPTOPAN_KEY_LENGTH} bytes (16 AES key + 16 pad), got ${key instanceof Uint8Array ? key.length : typeof key}`,
    );
  }
  const cipher: Cipher = createCipheriv("aes-128-ecb", key.subarray(0, 16), null);
  cipher.setAutoPadding(false);
  const pad = new Uint8Array(cipher.update(key.subarray(16, 32)));
  const padWord0 = ((pad[0]! << 24) | (pad[1]! << 16) | (pad[2]! << 8) | pad[3]!) >>> 0;

  // IPv4: 32 input blocks; bytes 4..15 of each are the pad's and never change.
  const in4 = new Uint8Array(32 * 16);
  for (let i = 0; i < 32; i++) in4.set(pad, i * 16);
  // IPv6: 128 input blocks, rewritten per address.
  const in6 = new Uint8Array(128 * 16);

  function flipsV4(addr: number): number {
    const a = addr >>> 0;
    for (let i = 0; i < 32; i++) {
      // first i bits of the address, the rest of the first word from the pad
      const mask = i === 0 ? 0 : (0xffffffff << (32 - i)) >>> 0;
      const w = ((a & mask) | (padWord0 & ~mask)) >>> 0;
      const o = i * 16;
      in4[o] = w >>> 24; in4[o + 1] = (w >>> 16) & 255; in4[o + 2] = (w >>> 8) & 255; in4[o + 3] = w & 255;
    }
    const out = cipher.update(in4);
    let flips = 0;
    for (let i = 0; i < 32; i++) flips |= (out[i * 16]! >>> 7) << (31 - i);
    return flips >>> 0;
  }

  function flipsV6(addr: Uint8Array, off: number, outBuf: Uint8Array, outOff: number): void {
    for (let i = 0; i < 128; i++) {
      const o = i * 16;
      const full = i >>> 3, part = i & 7;
      for (let j = 0; j < full; j++) in6[o + j] = addr[off + j]!;
      if (part !== 0) {
        const m = (0xff << (8 - part)) & 0xff;
        in6[o + full] = (addr[off + full]! & m) | (pad[full]! & ~m & 0xff);
        for (let j = full + 1; j < 16; j++) in6[o + j] = pad[j]!;
      } else {
        for (let j = full; j < 16; j++) in6[o + j] = pad[j]!;
      }
    }
    const out = cipher.update(in6);
    for (let b = 0; b < 16; b++) {
      let v = 0;
      for (let k = 0; k < 8; k++) v |= (out[(b * 8 + k) * 16]! >>> 7) << (7 - k);
      outBuf[outOff + b] = v;
    }
  }

  return {
    flipsV4,
    anonymizeV4: (addr) => ((addr >>> 0) ^ flipsV4(addr)) >>> 0,
    flipsV6,
    anonymizeV6(addr) {
      const r = new Uint8Array(16);
      flipsV6(addr, 0, r, 0);
      for (let i = 0; i < 16; i++) r[i] = r[i]! ^ addr[i]!;
      return r;
    },
  };
}
