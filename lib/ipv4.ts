/**
 * IPv4 addresses as text and as numbers: the one home of the dotted-quad ↔ uint32 rules for every
 * folder (capture rows, the lab's model and renderers, the flow columns, the route joins). The flow
 * byte scanner keeps its own reader of addresses inside `flow -l` bytes (`vrouter/flow/ipv4-bytes.ts`),
 * which parses without making a string; everything that has a string or wants one comes here.
 */

/**
 * Parses dotted-quad IPv4 text to an unsigned 32-bit number, or -1 when it is not one.
 *
 * @example
 * parseIpv4("10.47.255.238") // 170917870
 * parseIpv4("10.47.255.256") // -1
 */
export function parseIpv4(text: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return -1;
  const a = Number(m[1]), b = Number(m[2]), c = Number(m[3]), d = Number(m[4]);
  if (a > 255 || b > 255 || c > 255 || d > 255) return -1;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/**
 * Dotted-quad text of an IPv4 address held as an unsigned 32-bit number.
 *
 * @example
 * formatIpv4Number(0x0a2fffee) // "10.47.255.238"
 */
export function formatIpv4Number(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/**
 * Dotted-quad text of the IPv4 address in 4 bytes at `d[o..o+4)`.
 *
 * @example
 * formatIpv4(Uint8Array.of(10, 169, 25, 20), 0) // "10.169.25.20"
 */
export function formatIpv4(d: Uint8Array, o: number): string {
  return `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
}

/**
 * The network address of `ip/prefixLen` as text, or null when `ip` is no IPv4 address.
 *
 * @example
 * ipv4Network("15.15.15.2", 24) // "15.15.15.0"
 */
export function ipv4Network(ip: string, prefixLen: number): string | null {
  const n = parseIpv4(ip);
  if (n < 0 || !(prefixLen >= 0 && prefixLen <= 32)) return null;
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  return formatIpv4Number((n & mask) >>> 0);
}
