import { describe, expect, it } from "vitest";
import { createCryptoPan } from "../../lib/redact/cryptopan";
import { createAddressMapper, SPECIAL_IPV4_RANGES } from "../../lib/redact/address";
import { parseCidr, parseIpv6 } from "../../lib/redact/cidr";
import { formatIpv4Number, parseIpv4 } from "../../lib/ipv4";
import { formatIpv6 } from "../../lib/capture/format";

// The sample key of the original Crypto-PAn distribution (sample.cpp) and address pairs from its
// sample_trace_raw / sample_trace_sanitized files, as tabulated in the tests of Yawning Angel's Go
// implementation (github.com/Yawning/cryptopan, cryptopan_test.go, TestCryptopanIPv4). The IPv6 pairs
// are that file's TestCryptopanIPv6 (the same 128-bit extension: bit i from AES(first i bits | pad)).
const SAMPLE_KEY = Uint8Array.from([
  21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
  216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2,
]);
const V4_VECTORS: [string, string][] = [
  ["128.11.68.132", "135.242.180.132"], ["129.118.74.4", "134.136.186.123"], ["130.132.252.244", "133.68.164.234"],
  ["141.223.7.43", "141.167.8.160"], ["141.233.145.108", "141.129.237.235"], ["152.163.225.39", "151.140.114.167"],
  ["156.29.3.236", "147.225.12.42"], ["165.247.96.84", "162.9.99.234"], ["166.107.77.190", "160.132.178.185"],
  ["192.102.249.13", "252.138.62.131"], ["192.215.32.125", "252.43.47.189"], ["192.233.80.103", "252.25.108.8"],
  ["192.41.57.43", "252.222.221.184"], ["193.150.244.223", "253.169.52.216"], ["195.205.63.100", "255.186.223.5"],
  ["198.200.171.101", "249.199.68.213"], ["198.26.132.101", "249.36.123.202"], ["198.36.213.5", "249.7.21.132"],
  ["198.51.77.238", "249.18.186.254"], ["199.217.79.101", "248.38.184.213"], ["202.49.198.20", "245.206.7.234"],
  ["203.12.160.252", "244.248.163.4"], ["204.184.162.189", "243.192.77.90"], ["204.202.136.230", "243.178.4.198"],
  ["204.29.20.4", "243.33.20.123"], ["205.178.38.67", "242.108.198.51"], ["205.188.147.153", "242.96.16.101"],
  ["205.188.248.25", "242.96.88.27"], ["205.245.121.43", "242.21.121.163"], ["207.105.49.5", "241.118.205.138"],
  ["207.135.65.238", "241.202.129.222"], ["207.155.9.214", "241.220.250.22"], ["207.188.7.45", "241.255.249.220"],
  ["207.25.71.27", "241.33.119.156"], ["207.33.151.131", "241.1.233.131"], ["208.147.89.59", "227.237.98.191"],
  ["208.234.120.210", "227.154.67.17"], ["208.28.185.184", "227.39.94.90"], ["208.52.56.122", "227.8.63.165"],
  ["209.12.231.7", "226.243.167.8"], ["209.238.72.3", "226.6.119.243"], ["209.246.74.109", "226.22.124.76"],
  ["209.68.60.238", "226.184.220.233"], ["209.85.249.6", "226.170.70.6"], ["212.120.124.31", "228.135.163.231"],
  ["212.146.8.236", "228.19.4.234"], ["212.186.227.154", "228.59.98.98"], ["212.204.172.118", "228.71.195.169"],
  ["212.206.130.201", "228.69.242.193"], ["216.148.237.145", "235.84.194.111"], ["216.157.30.252", "235.89.31.26"],
  ["216.184.159.48", "235.96.225.78"], ["216.227.10.221", "235.28.253.36"], ["216.254.18.172", "235.7.16.162"],
  ["216.32.132.250", "235.192.139.38"], ["216.35.217.178", "235.195.157.81"], ["24.0.250.221", "100.15.198.226"],
  ["24.13.62.231", "100.2.192.247"], ["24.14.213.138", "100.1.42.141"], ["24.5.0.80", "100.9.15.210"],
  ["24.7.198.88", "100.10.6.25"], ["24.94.26.44", "100.88.228.35"], ["38.15.67.68", "64.3.66.187"],
  ["4.3.88.225", "124.60.155.63"], ["63.14.55.111", "95.9.215.7"], ["63.195.241.44", "95.179.238.44"],
  ["63.97.7.140", "95.97.9.123"], ["64.14.118.196", "0.255.183.58"], ["64.34.154.117", "0.221.154.117"],
  ["64.39.15.238", "0.219.7.41"],
];
const V6_VECTORS: [string, string][] = [
  ["::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"],
  ["::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"],
  ["::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"],
  ["2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"],
  ["2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"],
];

/** A deterministic PRNG (xorshift32) so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}
const key = (fill: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + fill) & 255);
const common4 = (a: number, b: number) => Math.clz32((a ^ b) >>> 0);
function common6(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 16; i++) { const x = a[i]! ^ b[i]!; if (x) return i * 8 + Math.clz32(x) - 24; }
  return 128;
}
const v6 = (t: string) => parseIpv6(t)!;

describe("Crypto-PAn", () => {
  it("gives the reference implementation's IPv4 pseudonyms for the sample key", () => {
    const cp = createCryptoPan(SAMPLE_KEY);
    for (const [orig, anon] of V4_VECTORS) expect(formatIpv4Number(cp.anonymizeV4(parseIpv4(orig))), orig).toBe(anon);
  });

  it("extends to IPv6 the same way (published 128-bit vectors)", () => {
    const cp = createCryptoPan(SAMPLE_KEY);
    for (const [orig, anon] of V6_VECTORS) expect(formatIpv6(cp.anonymizeV6(v6(orig)), 0), orig).toBe(anon);
  });

  it("refuses a key of the wrong length, naming it", () => {
    expect(() => createCryptoPan(new Uint8Array(16))).toThrow(/32 bytes.*got 16/);
  });
});

describe("createAddressMapper", () => {
  it("is plain Crypto-PAn without kept ranges", () => {
    const m = createAddressMapper(SAMPLE_KEY, { keepSpecial: false });
    for (const [orig, anon] of V4_VECTORS) expect(formatIpv4Number(m.ipv4(parseIpv4(orig))), orig).toBe(anon);
    for (const [orig, anon] of V6_VECTORS) expect(formatIpv6(m.ipv6(v6(orig)), 0), orig).toBe(anon);
  });

  it("keeps special and listed ranges as they are", () => {
    const m = createAddressMapper(key(1), { keepRanges: ["10.47.255.0/24", "2001:db8:5::/48", "192.0.2.7"] });
    for (const t of ["127.0.0.1", "127.200.1.1", "169.254.169.254", "224.0.0.5", "239.1.2.3", "255.255.255.255", "0.0.0.0",
      "10.47.255.1", "10.47.255.254", "192.0.2.7"]) {
      expect(formatIpv4Number(m.ipv4(parseIpv4(t))), t).toBe(t);
      expect(m.keptV4(parseIpv4(t)), t).toBe(true);
    }
    for (const t of ["::", "::1", "fe80::1", "fe80::5054:ff:fe3c:aa21", "ff02::1:ff00:1", "2001:db8:5::1", "2001:db8:5:ffff::9"]) {
      expect(formatIpv6(m.ipv6(v6(t)), 0), t).toBe(t);
    }
    for (const t of ["198.51.100.1", "8.8.8.8", "15.15.15.2", "10.1.2.3"]) expect(m.ipv4(parseIpv4(t)), t).not.toBe(parseIpv4(t));
    // a neighbour of a kept range keeps the bits it shares with it, plus the next (prefix preservation
    // against a fixed range forces exactly that): 10.47.254.x shares 23 bits with 10.47.255.0/24
    expect(m.ipv4(parseIpv4("10.47.254.1")) >>> 8).toBe(parseIpv4("10.47.254.0") >>> 8);
    expect(m.ipv4(parseIpv4("10.47.253.1")) >>> 9).toBe(parseIpv4("10.47.253.0") >>> 9);
    expect(formatIpv6(m.ipv6(v6("2001:db8:6::1")), 0)).not.toBe("2001:db8:6::1");
  });

  it("maps nothing else into a kept range (so pseudonyms never look like loopback or multicast)", () => {
    const m = createAddressMapper(key(2), { keepRanges: ["10.0.0.0/8"] });
    const r = rng(7);
    for (let i = 0; i < 20000; i++) {
      const a = r();
      if (m.keptV4(a)) continue;
      expect(m.keptV4(m.ipv4(a)), formatIpv4Number(a)).toBe(false);
    }
    const b = new Uint8Array(16);
    for (let i = 0; i < 300; i++) {
      for (let j = 0; j < 16; j += 4) new DataView(b.buffer).setUint32(j, r());
      if (i % 3 === 0) { b[0] = 0xfe; b[1] = 0x80 | (b[1]! & 0x3f); } // neighbours of fe80::/10
      if (m.keptV6(b)) continue;
      expect(m.keptV6(m.ipv6(b)), formatIpv6(b, 0)).toBe(false);
    }
  });

  it("preserves prefixes: random IPv4 pairs sharing exactly n bits keep sharing exactly n bits", () => {
    for (const opts of [{ keepSpecial: false }, {}, { keepRanges: ["10.47.0.0/16", "15.15.15.0/24"] }]) {
      const m = createAddressMapper(key(3), opts);
      const r = rng(11);
      for (let n = 0; n <= 32; n++) {
        for (let k = 0; k < 60; k++) {
          // near kept ranges too: half the pairs start from an address in or next to one
          const base = k % 2 === 0 ? r() : (parseIpv4(["127.0.0.0", "10.47.1.1", "224.1.1.1", "15.15.15.2"][k % 4]!) ^ (r() >>> (k % 13 + 3))) >>> 0;
          const b = n === 32 ? base : (base ^ (0x80000000 >>> n) ^ (r() & (n === 31 ? 0 : 0xffffffff >>> (n + 1)))) >>> 0;
          expect(common4(base, b)).toBe(n);
          expect(common4(m.ipv4(base), m.ipv4(b)), `${formatIpv4Number(base)} ${formatIpv4Number(b)} n=${n}`).toBe(n);
        }
      }
    }
  });

  it("preserves prefixes for IPv6 pairs too (every n from 0 to 128)", () => {
    const m = createAddressMapper(key(4), { keepRanges: ["2001:db8:5::/48"] });
    const r = rng(13);
    for (let n = 0; n <= 128; n++) {
      for (let k = 0; k < 4; k++) {
        const a = new Uint8Array(16);
        for (let j = 0; j < 16; j += 4) new DataView(a.buffer).setUint32(j, r());
        if (k === 1) a.set([0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05]);
        if (k === 2) a.set([0xfe, 0x80]);
        const b = a.slice();
        if (n < 128) {
          b[n >> 3] = b[n >> 3]! ^ (0x80 >> (n & 7));
          for (let bit = n + 1; bit < 128; bit++) if (r() & 1) b[bit >> 3] = b[bit >> 3]! ^ (0x80 >> (bit & 7));
        }
        expect(common6(a, b)).toBe(n);
        expect(common6(m.ipv6(a), m.ipv6(b)), `${formatIpv6(a, 0)} ${formatIpv6(b, 0)}`).toBe(n);
      }
    }
  });

  it("gives an IPv4-mapped IPv6 address the IPv4 address's pseudonym", () => {
    const m = createAddressMapper(key(5));
    const p = formatIpv4Number(m.ipv4(parseIpv4("15.15.15.2")));
    expect(formatIpv6(m.ipv6(v6("::ffff:15.15.15.2")), 0)).toBe(`::ffff:${p}`);
    expect(formatIpv6(m.ipv6(v6("::ffff:127.0.0.1")), 0)).toBe("::ffff:127.0.0.1");
  });

  it("is repeatable with a key and different with another; in-place forms agree", () => {
    const a = createAddressMapper(key(6)), b = createAddressMapper(key(6)), c = createAddressMapper(key(7));
    const x = parseIpv4("101.101.101.1");
    expect(a.ipv4(x)).toBe(b.ipv4(x));
    expect(a.ipv4(x)).not.toBe(c.ipv4(x));
    const buf = new Uint8Array(20);
    buf.set(v6("2001:db8:101::1"), 2);
    a.ipv6At(buf, 2);
    expect(formatIpv6(buf, 2)).toBe(formatIpv6(b.ipv6(v6("2001:db8:101::1")), 0));
    // a tiny cache still answers right after it empties
    const small = createAddressMapper(key(6), { cacheSize: 2 });
    for (const t of ["1.2.3.4", "5.6.7.8", "9.10.11.12", "1.2.3.4"]) expect(small.ipv4(parseIpv4(t))).toBe(a.ipv4(parseIpv4(t)));
  });

  it("pseudonymises MACs one-to-one, keeping group addresses, the I/G and U/L bits, and the OUI on request", () => {
    const m = createAddressMapper(key(8));
    const o = createAddressMapper(key(8), { keepOui: true });
    const mac = Uint8Array.of(0x52, 0x54, 0x00, 0x3c, 0xaa, 0x21);
    const pm = m.mac(mac);
    expect(pm).not.toEqual(mac);
    expect(pm[0]! & 0xf3).toBe(mac[0]! & 0xf3);
    expect(m.mac(mac)).toEqual(pm);
    const po = o.mac(mac);
    expect([...po.subarray(0, 3)]).toEqual([0x52, 0x54, 0x00]);
    expect(po.subarray(3)).not.toEqual(mac.subarray(3));
    for (const g of [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x01, 0x00, 0x5e, 0x00, 0x00, 0x05], [0x33, 0x33, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0]]) {
      expect([...m.mac(Uint8Array.from(g))]).toEqual(g);
    }
    const seen = new Set<string>(), seenOui = new Set<string>();
    for (let i = 0; i < 4096; i++) {
      const x = Uint8Array.of(0x00, 0x1b, 0x21, 0x00, i >> 8, i & 255);
      const y = m.mac(x);
      expect(y[0]! & 1).toBe(0);
      seen.add(Buffer.from(y).toString("hex"));
      seenOui.add(Buffer.from(o.mac(x)).toString("hex"));
    }
    expect(seen.size).toBe(4096);
    expect(seenOui.size).toBe(4096);
    // the input is never changed, also when it is a Buffer (whose slice is a view)
    expect([...mac]).toEqual([0x52, 0x54, 0x00, 0x3c, 0xaa, 0x21]);
    const buf = Buffer.from([9, 9, 0x52, 0x54, 0x00, 0x3c, 0xaa, 0x21]);
    expect(m.mac(buf.subarray(2))).toEqual(pm);
    expect([...buf]).toEqual([9, 9, 0x52, 0x54, 0x00, 0x3c, 0xaa, 0x21]);
  });

  it("refuses a bad key or range with a message naming it, and bad address sizes", () => {
    expect(() => createAddressMapper(new Uint8Array(31))).toThrow(/32 bytes, got 31/);
    expect(() => createAddressMapper(key(1), { keepRanges: ["10.0.0.0/40"] })).toThrow(/10\.0\.0\.0\/40.*0\.\.32/);
    expect(() => createAddressMapper(key(1), { keepRanges: ["bogus"] })).toThrow(/"bogus"/);
    const m = createAddressMapper(key(1));
    expect(() => m.ipv6(new Uint8Array(4))).toThrow(/16 bytes/);
    expect(() => m.mac(new Uint8Array(5))).toThrow(/6 bytes/);
    expect(SPECIAL_IPV4_RANGES).toContain("224.0.0.0/4");
  });
});

describe("parseCidr / parseIpv6", () => {
  it("parses ranges and addresses of both families, clearing host bits", () => {
    expect(parseCidr("10.47.255.7/24")).toEqual({ family: 4, net: parseIpv4("10.47.255.0"), len: 24 });
    expect(parseCidr("1.2.3.4")).toEqual({ family: 4, net: parseIpv4("1.2.3.4"), len: 32 });
    const r = parseCidr("2001:db8:ffff::1/36");
    expect(typeof r !== "string" && r.family === 6 && formatIpv6(r.net, 0)).toBe("2001:db8:f000::");
    expect(formatIpv6(parseIpv6("::ffff:10.1.2.3")!, 0)).toBe("::ffff:10.1.2.3");
    expect(formatIpv6(parseIpv6("1:2:3:4:5:6:7:8")!, 0)).toBe("1:2:3:4:5:6:7:8");
    for (const bad of ["1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::1", ":", "::ffff:1.2.3.256"]) expect(parseIpv6(bad), bad).toBeNull();
    for (const bad of ["1.2.3.4/", "1.2.3.4/x", "::/129", "host"]) expect(typeof parseCidr(bad), bad).toBe("string");
  });
});
