/**
 * Dotted IPv4 addresses read from ASCII bytes as the vRouter utilities print them (`%d.%d.%d.%d`: 1–3
 * digits per octet, no leading zero, each ≤ 255) into their uint32 value, without making a string.
 * Anything else (IPv6, redacted `x.x.x.x`, `10.0.0.01`) is "not IPv4" and is kept as text by callers.
 */

/** Where {@link readV4} puts the address it read: each reader owns one (no shared module state). */
export interface V4Out {
  value: number;
}

/**
 * Reads an IPv4 address at `i` into `out.value`; returns the position after it, or -1. What follows the
 * address is the caller's to check.
 *
 * @example
 * const out = { value: 0 };
 * readV4(Buffer.from("10.47.255.238:80"), 0, out) // => 13, and out.value === 0x0a2fffee
 */
export function readV4(u: Uint8Array, i: number, out: V4Out): number {
  let v = 0;
  for (let o = 0; o < 4; o++) {
    // Past the end u[i] is undefined: the digit tests fail on NaN, so no bound check is needed.
    const c0 = u[i] - 48;
    if (!(c0 >= 0 && c0 <= 9)) return -1;
    let oct = c0;
    i++;
    if (c0 !== 0) {
      let d = u[i] - 48;
      if (d >= 0 && d <= 9) {
        oct = oct * 10 + d;
        i++;
        d = u[i] - 48;
        if (d >= 0 && d <= 9) {
          oct = oct * 10 + d;
          i++;
        }
      }
    }
    if (oct > 255) return -1;
    v = v * 256 + oct;
    if (o < 3) {
      if (u[i] !== 46) return -1;
      i++;
    }
  }
  out.value = v;
  return i;
}

/**
 * The uint32 of the IPv4 address that is exactly `u[s, e)`, or -1.
 *
 * @example
 * const out = { value: 0 };
 * ip4(Buffer.from("a 1.2.3.4 b"), 2, 9, out) // => 16909060
 * ip4(Buffer.from("10.0.0.01"), 0, 9, out)   // => -1 (leading zero: kept as printed)
 */
export function ip4(u: Uint8Array, s: number, e: number, out: V4Out): number {
  return readV4(u, s, out) === e ? out.value : -1;
}

/**
 * The uint32 of a text that is exactly an IPv4 address as above, or -1.
 *
 * @example
 * ipv4Value("101.101.101.1") // => 1701143809
 * ipv4Value("fd00::1")       // => -1
 */
export function ipv4Value(s: string): number {
  if (s.length < 7 || s.length > 15) return -1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return -1;
  // A Buffer, like the byte scanner's input, so readV4 sees one array class; the trailing space keeps
  // its reads inside the array (an out-of-bounds read would deoptimise it).
  const u = Buffer.from(`${s} `, "latin1");
  return ip4(u, 0, s.length, { value: 0 });
}
