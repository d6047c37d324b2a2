import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { createAddressMapper, type AddressMapper } from "../../lib/redact/address";
import { redactCapture } from "../../lib/redact/capture";
import { decodeFrame } from "../../lib/capture/decode";
import { writePcap, writePcapng } from "../../lib/capture/file/writer";
import {
  buildFrame, chdlcHeader, eth, gre, icmp, juniperHeader, nullHeader, pppHeader, internetChecksum, ipv4, ipv4Bytes, ipv6, ipv6Bytes, macBytes, mpls, payload, tcp, udp, vxlan,
} from "../../lib/capture/build";
import { formatIpv4Number, parseIpv4 } from "../../lib/ipv4";
import { formatIpv6 } from "../../lib/capture/format";
import { prng } from "../helpers/prng";
import { parseIpv6 } from "../../lib/redact/cidr";
import { haveTshark, headerAddresses, leftovers, records, tsharkProblems, tsharkStacks } from "./capture-helpers";

const FIXTURES = path.resolve(__dirname, "../capture/fixtures"); // copies of ../shared/fixtures/pcap
const CAPTURES = ["contrail-mplsogre-mplsoudp-http.pcap", "contrail-mplsogre-mplsoudp-http.pcapng", "contrail-any-sll.pcap",
  "contrail-any-sll2.pcap", "contrail-edge-cases.pcap"];
const EDGE_DECODE = { mplsUdpPorts: [6635, 51234] };

const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 29 + 3) & 255);
const TSHARK = haveTshark();
if (!TSHARK) console.warn("tshark is not installed (apt-get install -y tshark): the tshark checks of redacted captures are skipped");

/** A text redactor as the share command would give: addresses through the mapper, the host name to an alias. */
function textRedactor(m: AddressMapper): (s: string) => string {
  return (s) => s
    .replace(/\b(\d{1,3}(?:\.\d{1,3}){3})\b/g, (t) => { const n = parseIpv4(t); return n < 0 ? t : formatIpv4Number(m.ipv4(n)); })
    .replace(/\[([0-9a-fA-F:.]+)\]/g, (t, a: string) => { const b = parseIpv6(a); return b === null ? t : `[${formatIpv6(m.ipv6(b), 0)}]`; })
    .replace(/www\.juniper\.net/g, "host-1");
}

function redactFile(name: string, extra: { truncatePayload?: number; key?: Uint8Array } = {}) {
  const bytes = fs.readFileSync(path.join(FIXTURES, name));
  const addresses = createAddressMapper(extra.key ?? KEY);
  const decode = name.includes("edge") ? EDGE_DECODE : undefined;
  const r = redactCapture(bytes, { addresses, text: textRedactor(addresses), truncatePayload: extra.truncatePayload, decode });
  return { bytes, addresses, r, decode };
}

describe("redactCapture on the sample captures", () => {
  for (const name of CAPTURES) {
    it(`${name}: every header address rewritten, structure kept, nothing cut`, () => {
      const { bytes, addresses, r, decode } = redactFile(name);
      const before = records(bytes), after = records(r.bytes);
      expect(r.problems).toEqual([]);
      expect(r.frames).toBe(before.length);
      expect(after.length).toBe(before.length);
      expect(r.rewritten).toBe(before.length);
      expect(r.cut).toBe(0);
      const originals = headerAddresses(bytes, addresses, decode ?? {});
      expect(originals.size).toBeGreaterThan(3);
      expect(leftovers(r.bytes, originals)).toEqual([]);
      for (let i = 0; i < before.length; i++) {
        const a = decodeFrame(before[i]!.data, before[i]!.linkType, decode ?? {});
        const b = decodeFrame(after[i]!.data, after[i]!.linkType, decode ?? {});
        expect(after[i]!.data.length).toBe(before[i]!.data.length);
        expect(after[i]!.origLen).toBe(before[i]!.origLen);
        expect(b.protocols, `frame ${i + 1}`).toBe(a.protocols);
        expect(b.labels).toEqual(a.labels);
        expect([b.srcPort, b.dstPort, b.seq, b.ack, b.payloadLength]).toEqual([a.srcPort, a.dstPort, a.seq, a.ack, a.payloadLength]);
        expect(b.malformed || b.truncated).toBe(false);
        // each IP header holds the pseudonyms of the original's
        for (let k = 0; k < a.ips.length; k++) {
          const ia = a.ips[k]!, ib = b.ips[k]!;
          if (ia.version === 4) {
            expect(ib.src).toBe(formatIpv4Number(addresses.ipv4(parseIpv4(ia.src))));
            expect(ib.dst).toBe(formatIpv4Number(addresses.ipv4(parseIpv4(ia.dst))));
          } else {
            expect(ib.src).not.toBe(ia.src);
          }
        }
        if (a.http?.host) expect(b.http?.host).toBe(textRedactor(addresses)(a.http.host).slice(0, a.http.host.length));
      }
    });

    it.skipIf(!TSHARK)(`${name}: tshark finds no bad checksum, malformed frame or warning in the redacted copy`, () => {
      const { bytes, r } = redactFile(name);
      const extra = name.includes("edge") ? ["-d", "udp.port==51234,mpls", ...[40, 41, 42, 43].flatMap((l) => ["-d", `mpls.label==${l},pwethnocw`])] : [];
      expect(tsharkProblems(r.bytes, extra, true)).toEqual(tsharkProblems(bytes, extra, true).filter(() => false));
      expect(tsharkStacks(r.bytes, extra).length).toBe(records(bytes).length);
    });
  }

  it("the same key gives the same bytes; another key other bytes", () => {
    const a = redactFile(CAPTURES[0]!).r.bytes, b = redactFile(CAPTURES[0]!).r.bytes;
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    const c = redactFile(CAPTURES[0]!, { key: new Uint8Array(32).fill(9) }).r.bytes;
    expect(Buffer.compare(Buffer.from(a), Buffer.from(c))).not.toBe(0);
  });

  it("keeps prefixes across the capture: pairs of addresses share as many bits after as before", () => {
    const { bytes, r, addresses } = redactFile(CAPTURES[0]!);
    const ips = (b: Uint8Array) => records(b).flatMap((x) => decodeFrame(x.data, x.linkType).ips.filter((i) => i.version === 4).flatMap((i) => [i.src, i.dst]));
    const orig = [...new Set(ips(bytes))];
    const red = new Set(ips(r.bytes));
    expect(red.size).toBe(orig.length);
    for (const x of orig) {
      for (const y of orig) {
        const a = parseIpv4(x), b = parseIpv4(y);
        const pa = addresses.ipv4(a), pb = addresses.ipv4(b);
        expect(red.has(formatIpv4Number(pa))).toBe(true);
        expect(Math.clz32(pa ^ pb)).toBe(Math.clz32(a ^ b));
      }
    }
  });

  it("truncatePayload N keeps N bytes after the transport header, the original length and valid checksums", () => {
    for (const name of [CAPTURES[0]!, CAPTURES[3]!]) {
      const { bytes, r } = redactFile(name, { truncatePayload: 4 });
      const before = records(bytes), after = records(r.bytes);
      expect(after.length).toBe(before.length);
      expect(r.cut).toBeGreaterThan(0);
      for (let i = 0; i < before.length; i++) {
        const a = decodeFrame(before[i]!.data, before[i]!.linkType);
        const cut = a.payloadLength > 4 ? a.payloadLength - 4 : 0;
        expect(after[i]!.data.length, `frame ${i + 1}`).toBe(before[i]!.data.length - cut);
        expect(after[i]!.origLen).toBe(before[i]!.origLen);
      }
      if (TSHARK) expect(tsharkProblems(r.bytes, [], true)).toEqual([]);
    }
    const zero = redactFile(CAPTURES[0]!, { truncatePayload: 0 }).r;
    for (const x of records(zero.bytes)) expect(decodeFrame(x.data, x.linkType).payloadLength).toBeLessThanOrEqual(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Synthetic frames: every header kind the redactor rewrites, checked by bytes and by tshark
// ---------------------------------------------------------------------------------------------

const MAC_A = "52:54:00:3c:aa:21", MAC_B = "00:1b:21:0a:0b:0c";

function arpFrame(): Uint8Array {
  const body = new Uint8Array(28);
  body.set([0, 1, 8, 0, 6, 4, 0, 2]);
  body.set(macBytes(MAC_A), 8); body.set(ipv4Bytes("10.47.255.238"), 14);
  body.set(macBytes(MAC_B), 18); body.set(ipv4Bytes("10.47.255.1"), 24);
  return buildFrame([eth({ src: MAC_A, dst: MAC_B, type: 0x0806 }), payload(body)]);
}

/** ICMP port unreachable quoting the UDP datagram that caused it. */
function icmpErrorFrame(): Uint8Array {
  const quoted = buildFrame([ipv4("15.15.15.2", "101.101.101.1"), udp(40000, 53), payload("abcdefghijkl")]).subarray(0, 28);
  return buildFrame([eth({ src: MAC_B, dst: MAC_A }), ipv4("101.101.101.1", "15.15.15.2"), icmp(3, { code: 3 }), payload(quoted)]);
}

/** ICMPv6 neighbour advertisement with a target link-layer address option. */
function ndpFrame(): Uint8Array {
  const body = new Uint8Array(16 + 8);
  body.set(ipv6Bytes("2001:db8:101::1"), 0);
  body.set([2, 1], 16); body.set(macBytes(MAC_A), 18);
  return buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv6("2001:db8:101::1", "2001:db8:101::2"), icmp(136, { v6: true, rest: 0x60000000 }), payload(body)]);
}

/** IPv6 with a type-0 routing header (segments left 0) carrying one address, then UDP. */
function routingHeaderFrame(): Uint8Array {
  const inner = buildFrame([ipv6("2001:db8:1::1", "2001:db8:2::2"), udp(5000, 5001), payload("hello")]);
  // splice a routing header between the IPv6 header and UDP, with the UDP checksum left as the builder made it
  const udpPart = inner.subarray(40);
  const rh = new Uint8Array(24);
  rh[0] = 17; rh[1] = 2; rh[2] = 0; rh[3] = 0;
  rh.set(ipv6Bytes("2001:db8:3::3"), 8);
  const ip = inner.slice(0, 40);
  ip[6] = 43;
  const plen = rh.length + udpPart.length;
  ip[4] = plen >> 8; ip[5] = plen & 255;
  const frame = new Uint8Array(14 + 40 + plen);
  frame.set(buildFrame([eth({ src: MAC_A, dst: MAC_B, type: 0x86dd })]).subarray(0, 14));
  frame.set(ip, 14); frame.set(rh, 54); frame.set(udpPart, 78);
  return frame;
}

/** IPv6 with a segment routing header (two segments, segments left 0), then UDP. */
function srhFrame(): Uint8Array {
  const inner = buildFrame([ipv6("2001:db8:1::1", "2001:db8:2::2"), udp(5000, 5001), payload("hello")]);
  const udpPart = inner.subarray(40);
  const rh = new Uint8Array(8 + 32);
  rh[0] = 17; rh[1] = 4; rh[2] = 4; rh[3] = 0; rh[4] = 1;
  rh.set(ipv6Bytes("2001:db8:2::2"), 8); rh.set(ipv6Bytes("2001:db8:4::4"), 24);
  const ip = inner.slice(0, 40);
  ip[6] = 43;
  const plen = rh.length + udpPart.length;
  ip[4] = plen >> 8; ip[5] = plen & 255;
  const frame = new Uint8Array(14 + 40 + plen);
  frame.set(buildFrame([eth({ src: MAC_A, dst: MAC_B, type: 0x86dd })]).subarray(0, 14));
  frame.set(ip, 14); frame.set(rh, 54); frame.set(udpPart, 54 + rh.length);
  return frame;
}

/** ICMPv6 destination unreachable quoting a whole IPv6/UDP datagram (its checksum is verifiable). */
function icmpv6ErrorFrame(): Uint8Array {
  const quoted = buildFrame([ipv6("2001:db8:101::1", "2001:db8:6::6"), udp(40000, 7777), payload("quoted datagram")]);
  return buildFrame([eth({ src: MAC_B, dst: MAC_A }), ipv6("2001:db8:6::1", "2001:db8:101::1"), icmp(1, { v6: true, code: 4 }), payload(quoted)]);
}

/** IPv4 with a record-route option (two addresses), then TCP. */
function ipOptionsFrame(): Uint8Array {
  const base = buildFrame([ipv4("10.1.1.1", "10.2.2.2"), tcp(1234, 80, { flags: "SYN" })]);
  const opt = new Uint8Array(12);
  opt.set([7, 11, 12]); opt.set(ipv4Bytes("10.3.3.3"), 3); opt.set(ipv4Bytes("10.4.4.4"), 7); opt[11] = 0;
  const ip = new Uint8Array(32 + base.length - 20);
  ip.set(base.subarray(0, 20)); ip.set(opt, 20); ip.set(base.subarray(20), 32);
  ip[0] = 0x48;
  const total = ip.length;
  ip[2] = total >> 8; ip[3] = total & 255;
  ip[10] = 0; ip[11] = 0;
  const c = internetChecksum(ip, 0, 32);
  ip[10] = c >> 8; ip[11] = c & 255;
  const frame = new Uint8Array(14 + ip.length);
  frame.set(buildFrame([eth({ src: MAC_A, dst: MAC_B, type: 0x0800 })]).subarray(0, 14));
  frame.set(ip, 14);
  return frame;
}

/** GRE with the checksum bit, carrying IPv4/TCP. */
function greChecksumFrame(): Uint8Array {
  const inner = buildFrame([ipv4("15.15.15.2", "101.101.101.1"), tcp(40000, 80, { flags: "SYN" })]);
  const g = new Uint8Array(8 + inner.length);
  g[0] = 0x80; g[2] = 0x08; g[3] = 0x00;
  g.set(inner, 8);
  const c = internetChecksum(g, 0, g.length);
  g[4] = c >> 8; g[5] = c & 255;
  return buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("192.168.0.204", "10.169.25.20", { proto: 47 }), payload(g)]);
}

function synthetic(): { name: string; frame: Uint8Array }[] {
  return [
    { name: "arp", frame: arpFrame() },
    { name: "icmp error", frame: icmpErrorFrame() },
    { name: "ndp", frame: ndpFrame() },
    { name: "routing header", frame: routingHeaderFrame() },
    { name: "ip options", frame: ipOptionsFrame() },
    { name: "gre checksum", frame: greChecksumFrame() },
    { name: "udp zero checksum", frame: buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("10.169.25.20", "10.169.25.21"), udp(50000, 6635, { checksum: false }), mpls(38), ipv4("10.47.255.238", "10.99.225.17"), tcp(40000, 80, { flags: "SYN" })]) },
    { name: "vxlan", frame: buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("10.169.25.20", "10.169.25.21"), udp(50001, 4789), vxlan(5001), eth({ src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }), ipv4("10.47.255.238", "10.99.225.17"), udp(40001, 9999), payload("query")]) },
    { name: "segment routing header", frame: srhFrame() },
    { name: "icmpv6 error", frame: icmpv6ErrorFrame() },
    { name: "ipv6 over gre", frame: buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("192.168.0.204", "10.169.25.20"), gre(), mpls(20), ipv6("2001:db8:101::1", "2001:db8:5::2"), tcp(40000, 80, { flags: "SYN" })]) },
  ];
}

describe("redactCapture: header kinds", () => {
  const m = createAddressMapper(KEY);
  const frames = synthetic();
  const pcap = writePcap(frames.map((f, i) => ({ data: f.frame, time: 1732456800 + i })));
  const r = redactCapture(pcap, { addresses: m, text: (s) => s });
  const out = records(r.bytes);

  it("rewrites every address of every kind and cuts nothing", () => {
    expect(r.problems).toEqual([]);
    expect(out.map((x) => x.data.length)).toEqual(frames.map((f) => f.frame.length));
    const originals = new Map<string, Uint8Array>();
    for (const t of ["10.47.255.238", "10.47.255.1", "15.15.15.2", "101.101.101.1", "10.1.1.1", "10.2.2.2", "10.3.3.3", "10.4.4.4",
      "192.168.0.204", "10.169.25.20", "10.169.25.21", "10.99.225.17"]) originals.set(t, ipv4Bytes(t));
    for (const t of ["2001:db8:101::1", "2001:db8:101::2", "2001:db8:1::1", "2001:db8:2::2", "2001:db8:3::3", "2001:db8:5::2",
      "2001:db8:4::4", "2001:db8:6::6", "2001:db8:6::1"]) originals.set(t, ipv6Bytes(t));
    for (const t of [MAC_A, MAC_B, "02:00:00:00:00:01", "02:00:00:00:00:02"]) originals.set(t, macBytes(t));
    expect(leftovers(r.bytes, originals)).toEqual([]);
    // ARP: sender and target pseudonyms are those of the IP and MAC mappings
    const arp = out[0]!.data;
    expect([...arp.subarray(28, 32)]).toEqual([...ipv4Bytes(formatIpv4Number(m.ipv4(parseIpv4("10.47.255.238"))))]);
    expect([...arp.subarray(22, 28)]).toEqual([...m.mac(macBytes(MAC_A))]);
    // the ICMP quote holds the pseudonyms of the datagram's addresses
    const q = out[1]!.data;
    expect(formatIpv4Number(((q[42 + 12]! << 24) | (q[42 + 13]! << 16) | (q[42 + 14]! << 8) | q[42 + 15]!) >>> 0))
      .toBe(formatIpv4Number(m.ipv4(parseIpv4("15.15.15.2"))));
    // NDP target and option MAC
    const n = out[2]!.data;
    expect(formatIpv6(n, 14 + 40 + 8)).toBe(formatIpv6(m.ipv6(ipv6Bytes("2001:db8:101::1")), 0));
    expect([...n.subarray(14 + 40 + 8 + 16 + 2, 14 + 40 + 8 + 16 + 8)]).toEqual([...m.mac(macBytes(MAC_A))]);
    // a zero UDP checksum stays zero
    const z = out[6]!.data;
    expect([z[14 + 20 + 6], z[14 + 20 + 7]]).toEqual([0, 0]);
  });

  it.skipIf(!TSHARK)("tshark validates every checksum of the rewritten frames (IP, TCP, UDP, ICMP, ICMPv6, GRE, quoted IP)", () => {
    const before = tsharkProblems(pcap);
    expect(before).toEqual([]);
    expect(tsharkProblems(r.bytes)).toEqual([]);
    expect(tsharkStacks(r.bytes)).toEqual(tsharkStacks(pcap));
  });

  it("keeps a wrong checksum wrong by the same amount (offloaded checksums stay recognisable)", () => {
    const bad = buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("10.1.1.1", "10.2.2.2", { badChecksum: true }), tcp(1, 2)]);
    const rr = redactCapture(writePcap([{ data: bad }]), { addresses: m, text: (s) => s });
    const d = records(rr.bytes)[0]!.data;
    const sum = (x: Uint8Array) => internetChecksum(x, 14, 20);
    expect(sum(d)).toBe(sum(bad));
  });
});

describe("redactCapture: router and host link types", () => {
  const m = createAddressMapper(KEY);
  const ip = () => [ipv4("15.15.15.2", "101.101.101.1"), tcp(40000, 80, { flags: "SYN" })] as const;
  const cases: [string, number, Uint8Array][] = [
    ["null", 0, buildFrame([nullHeader(2), ...ip()])],
    ["loop", 108, buildFrame([nullHeader(2, true), ...ip()])],
    ["ppp", 9, buildFrame([pppHeader(0x0021), ...ip()])],
    ["ppp-hdlc", 50, buildFrame([pppHeader(0x0021), ...ip()])],
    ["c-hdlc", 104, buildFrame([chdlcHeader(0x0800), ...ip()])],
    ["raw", 101, buildFrame([...ip()])],
    ["juniper-ether", 178, buildFrame([juniperHeader(), eth({ src: MAC_A, dst: MAC_B }), ...ip()])],
    ["ipv6 raw", 229, buildFrame([ipv6("2001:db8:101::1", "2001:db8:5::2"), tcp(40000, 80, { flags: "SYN" })])],
  ];
  for (const [name, linkType, frame] of cases) {
    it(`${name} (${linkType}): addresses rewritten, checksums valid for tshark`, () => {
      const pcap = writePcap([{ data: frame }], { linkType });
      const r = redactCapture(pcap, { addresses: m, text: (s) => s });
      expect(r.problems).toEqual([]);
      expect(r.rewritten).toBe(1);
      const originals = new Map<string, Uint8Array>([["15.15.15.2", ipv4Bytes("15.15.15.2")], ["101.101.101.1", ipv4Bytes("101.101.101.1")],
        ["2001:db8:101::1", ipv6Bytes("2001:db8:101::1")], [MAC_A, macBytes(MAC_A)]]);
      expect(leftovers(r.bytes, originals)).toEqual([]);
      if (TSHARK) expect(tsharkProblems(r.bytes)).toEqual([]);
    });
  }
});

describe("redactCapture: what it cannot read is cut, never copied", () => {
  const m = createAddressMapper(KEY);
  const red = (frames: Uint8Array[], linkType = 1) =>
    redactCapture(writePcap(frames.map((data) => ({ data })), { linkType }), { addresses: m, text: (s) => s });

  it("cuts an unknown EtherType after the rewritten Ethernet header, naming it", () => {
    const lldp = buildFrame([eth({ src: MAC_A, dst: "01:80:c2:00:00:0e", type: 0x88cc }), payload(new Uint8Array([2, 7, 4, ...macBytes(MAC_A), 0, 0]))]);
    const r = red([lldp]);
    const d = records(r.bytes)[0]!;
    expect(d.data.length).toBe(14);
    expect(d.origLen).toBe(lldp.length);
    expect(r.problems).toEqual([{ frame: 1, message: "eth at offset 0: type 0x88cc not decoded: cut at offset 14" }]);
    expect(leftovers(r.bytes, new Map([[MAC_A, macBytes(MAC_A)]]))).toEqual([]);
  });

  it("cuts an unknown IP protocol after the IP header, and an unknown link type to 0 bytes", () => {
    const ospf = buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("10.1.1.1", "224.0.0.5", { proto: 89 }), payload(ipv4Bytes("10.1.1.1"))]);
    const r = red([ospf]);
    expect(records(r.bytes)[0]!.data.length).toBe(34);
    expect(r.problems[0]!.message).toMatch(/IP protocol 89 not decoded: cut at offset 34/);
    expect(leftovers(r.bytes, new Map([["10.1.1.1", ipv4Bytes("10.1.1.1")]]))).toEqual([]);
    const u = red([ospf], 147);
    expect(records(u.bytes)[0]!.data.length).toBe(0);
    expect(u.problems[0]!.message).toMatch(/link type 147 is not decoded/);
  });

  it("cuts a UDP payload that carries an IPv4 packet it cannot decode (Geneve, GTP-U, a tunnel on another port)", () => {
    const inner = buildFrame([eth({ src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }), ipv4("10.47.255.238", "10.99.225.17"), tcp(1, 80, { flags: "SYN" })]);
    const geneve = new Uint8Array(8 + inner.length);
    geneve.set([0, 0, 0x65, 0x58, 0, 0x13, 0x89, 0]); geneve.set(inner, 8);
    const f = buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("10.169.25.20", "10.169.25.21"), udp(50000, 6081), payload(geneve)]);
    const r = red([f]);
    expect(records(r.bytes)[0]!.data.length).toBe(14 + 20 + 8);
    expect(r.problems[0]!.message).toMatch(/udp port 6081: payload holds an IPv4 header at offset 22 .*cut at offset 42/);
    expect(leftovers(r.bytes, new Map([["10.47.255.238", ipv4Bytes("10.47.255.238")]]))).toEqual([]);
  });

  it("zeroes what follows the outermost IP packet (Ethernet padding may hold stale memory)", () => {
    const f = buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("10.1.1.1", "10.2.2.2"), udp(1, 2)]);
    const padded = new Uint8Array(60);
    padded.set(f); padded.set(ipv4Bytes("10.9.9.9"), 50);
    const r = red([padded]);
    const o = records(r.bytes)[0]!.data;
    expect(o.length).toBe(60);
    expect([...o.subarray(f.length)].every((b) => b === 0)).toBe(true);
  });

  it("cuts a malformed header and an address header cut short by the snaplen at their start", () => {
    const good = buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("10.1.1.1", "10.2.2.2"), tcp(1, 2)]);
    const bad = good.slice(); bad[14] = 0x43; // IHL 3
    const short = good.slice(0, 14 + 16); // src present, dst cut
    const r = red([bad, short]);
    const o = records(r.bytes);
    expect(o.map((x) => x.data.length)).toEqual([14, 14]);
    expect(r.problems.map((p) => p.frame)).toEqual([1, 2]);
    expect(leftovers(r.bytes, new Map([["10.1.1.1", ipv4Bytes("10.1.1.1")]]))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// pcapng texts and options
// ---------------------------------------------------------------------------------------------

function opt(code: number, v: Uint8Array | string, le = true): Buffer {
  const b = typeof v === "string" ? Buffer.from(v, "utf8") : Buffer.from(v);
  const pad = (4 - (b.length % 4)) % 4;
  const h = Buffer.alloc(4);
  if (le) { h.writeUInt16LE(code, 0); h.writeUInt16LE(b.length, 2); } else { h.writeUInt16BE(code, 0); h.writeUInt16BE(b.length, 2); }
  return Buffer.concat([h, b, Buffer.alloc(pad)]);
}
function block(type: number, body: Buffer): Buffer {
  const b = Buffer.alloc(12 + body.length);
  b.writeUInt32LE(type, 0); b.writeUInt32LE(b.length, 4); body.copy(b, 8); b.writeUInt32LE(b.length, b.length - 4);
  return b;
}
const END = Buffer.alloc(4);

function richPcapng(): Buffer {
  const shbBody = Buffer.alloc(16);
  shbBody.writeUInt32LE(0x1a2b3c4d, 0); shbBody.writeUInt16LE(1, 4); shbBody.writeInt32LE(-1, 8); shbBody.writeInt32LE(-1, 12);
  const shb = block(0x0a0d0d0a, Buffer.concat([shbBody, opt(1, "captured on cent222 10.169.25.20"), opt(2, "cent222 hw"), opt(3, "Linux cent222"),
    opt(4, "tcpdump on cent222"), opt(2988, "custom secret"), END]));
  const idbBody = Buffer.alloc(8); idbBody.writeUInt16LE(1, 0); idbBody.writeUInt32LE(262144, 4);
  const v4 = Buffer.concat([Buffer.from(ipv4Bytes("10.169.25.20")), Buffer.from([255, 255, 255, 0])]);
  const idb = block(1, Buffer.concat([idbBody, opt(2, "ens3 of cent222"), opt(3, "uplink of cent222"), opt(4, v4), opt(6, macBytes(MAC_A)),
    opt(7, new Uint8Array(8).fill(0x11)), opt(11, Buffer.concat([Buffer.from([0]), Buffer.from("host 10.169.25.20")])), opt(9, new Uint8Array([6])), END]));
  const frame = buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("10.169.25.20", "10.169.25.21"), tcp(1, 2, { flags: "SYN" })]);
  const epbHead = Buffer.alloc(20); epbHead.writeUInt32LE(frame.length, 12); epbHead.writeUInt32LE(frame.length, 16);
  const padded = Buffer.concat([Buffer.from(frame), Buffer.alloc((4 - (frame.length % 4)) % 4)]);
  const epb = block(6, Buffer.concat([epbHead, padded, opt(1, "retransmit from 10.169.25.20 cent222"), opt(2, new Uint8Array([1, 0, 0, 0])),
    opt(3, Buffer.concat([Buffer.from([2]), Buffer.alloc(16, 7)])), END]));
  const nrbRec = Buffer.concat([Buffer.from(ipv4Bytes("10.169.25.20")), Buffer.from("cent222.lab\u0000")]);
  const nrbRecHead = Buffer.alloc(4); nrbRecHead.writeUInt16LE(1, 0); nrbRecHead.writeUInt16LE(nrbRec.length, 2);
  const nrb = block(4, Buffer.concat([nrbRecHead, nrbRec, Buffer.alloc((4 - (nrbRec.length % 4)) % 4), END, opt(2, "dns.cent222.lab"), END]));
  const dsb = block(0x0a, Buffer.concat([Buffer.from([0x4b, 0x53, 0x4c, 0x54]), Buffer.from([8, 0, 0, 0]), Buffer.from("SECRET!!")]));
  return Buffer.concat([shb, idb, nrb, epb, dsb]);
}

describe("redactCapture: pcapng texts and options", () => {
  const m = createAddressMapper(KEY);
  const text = (s: string) => textRedactor(m)(s).replace(/cent222/g, "node-1");
  const input = richPcapng();
  const r = redactCapture(input, { addresses: m, text });
  const s = Buffer.from(r.bytes).toString("latin1");

  it("passes every text through `text`, maps address options, drops hashes, custom options and secrets", () => {
    expect(records(input).length).toBe(1);
    expect(records(r.bytes).length).toBe(1);
    for (const gone of ["cent222", "10.169.25.20", "custom secret", "SECRET!!"]) expect(s, gone).not.toContain(gone);
    for (const kept of ["node-1 hw", "Linux node-1", "ens3 of node-1", "uplink of node-1", "node-1.lab", "dns.node-1.lab",
      `host ${formatIpv4Number(m.ipv4(parseIpv4("10.169.25.20")))}`]) expect(s, kept).toContain(kept);
    expect(leftovers(r.bytes, new Map([["10.169.25.20", ipv4Bytes("10.169.25.20")], [MAC_A, macBytes(MAC_A)]]))).toEqual([]);
    expect(s).not.toContain("\u0007".repeat(16)); // epb_hash dropped
    expect(s).not.toContain("\u0011".repeat(8)); // if_EUIaddr dropped
    expect(r.problems).toEqual([{ frame: 0, message: expect.stringMatching(/decryption secrets block dropped/) }]);
  });

  it.skipIf(!TSHARK)("tshark reads the rebuilt pcapng with valid checksums", () => {
    expect(tsharkProblems(r.bytes)).toEqual([]);
    expect(tsharkStacks(r.bytes)).toEqual(["eth:ethertype:ip:tcp"]);
  });

  it("keeps a big-endian pcapng big-endian, with SPB frames", () => {
    const frame = buildFrame([eth({ src: MAC_A, dst: MAC_B }), ipv4("10.1.1.1", "10.2.2.2"), udp(1, 2), payload("x")]);
    const be = writePcapng([{ data: frame }], { littleEndian: false, simple: true });
    const rr = redactCapture(be, { addresses: m, text: (x) => x });
    expect(rr.problems).toEqual([]);
    expect(rr.bytes[8]).toBe(0x1a);
    const o = records(rr.bytes);
    expect(o[0]!.data.length).toBe(frame.length);
    expect(leftovers(rr.bytes, new Map([["10.1.1.1", ipv4Bytes("10.1.1.1")]]))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

describe("redactCapture inPlace (a file read for the share: rewritten inside the bytes read)", () => {
  const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

  it("gives exactly the bytes, counts and problems of the copying path: every sample, with truncatePayload, files cut short and corrupted", () => {
    const rand = prng(2718);
    const inputs: { name: string; bytes: Uint8Array; decode?: typeof EDGE_DECODE }[] = [];
    for (const name of CAPTURES) {
      const bytes = fs.readFileSync(path.join(FIXTURES, name));
      const decode = name.includes("edge") ? EDGE_DECODE : undefined;
      inputs.push({ name, bytes, ...(decode ? { decode } : {}) });
      inputs.push({ name: `${name} cut at 1000`, bytes: bytes.subarray(0, 1000) });
      for (let n = 0; n < 10; n++) {
        const b = Buffer.from(bytes);
        for (let i = 0, flips = 1 + Math.floor(rand() * 20); i < flips; i++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
        inputs.push({ name: `${name} corrupted ${n}`, bytes: b });
      }
    }
    for (const { name, bytes, decode } of inputs) {
      for (const truncatePayload of [undefined, 0, 40]) {
        const addresses = createAddressMapper(KEY);
        const o = { addresses, text: textRedactor(addresses), ...(truncatePayload !== undefined ? { truncatePayload } : {}), ...(decode ? { decode } : {}) };
        const copy = redactCapture(bytes, o);
        // a copy of the input at an odd offset of a larger buffer, as a file inside a packed share
        const host = new Uint8Array(bytes.length + 7);
        host.set(bytes, 3);
        const mine = host.subarray(3, 3 + bytes.length);
        const inPlace = redactCapture(mine, { ...o, inPlace: true });
        expect(same(inPlace.bytes, copy.bytes), `${name} truncatePayload ${truncatePayload}`).toBe(true);
        expect({ ...inPlace, bytes: null }).toEqual({ ...copy, bytes: null });
        if (name.endsWith(".pcap") && copy.problems.every((p) => p.frame !== 0)) expect(inPlace.bytes.buffer).toBe(host.buffer);
      }
    }
  });

  it("leaves the input as it was without inPlace, and pcapng always", () => {
    for (const name of CAPTURES.slice(0, 2)) {
      const bytes = fs.readFileSync(path.join(FIXTURES, name));
      const before = Buffer.from(bytes);
      const addresses = createAddressMapper(KEY);
      redactCapture(bytes, { addresses, text: textRedactor(addresses) });
      expect(same(bytes, before)).toBe(true);
      const r = redactCapture(bytes, { addresses, text: textRedactor(addresses), inPlace: true });
      expect(same(bytes, before)).toBe(name.endsWith(".pcapng"));
      expect(r.frames).toBe(records(before).length);
    }
  });
});

describe("redactCapture: bad input", () => {
  const m = createAddressMapper(KEY);
  const o = { addresses: m, text: (s: string) => s };
  const good = fs.readFileSync(path.join(FIXTURES, CAPTURES[0]!));
  const goodNg = fs.readFileSync(path.join(FIXTURES, CAPTURES[1]!));

  it("names what is wrong and never throws", () => {
    expect(redactCapture(new Uint8Array(0), o).problems[0]!.message).toMatch(/not a pcap or pcapng file/);
    expect(redactCapture(Buffer.from("hello world, not a capture"), o).problems[0]!.message).toMatch(/magic 0x68656c6c/);
    expect(redactCapture("x" as unknown as Uint8Array, o).problems[0]!.message).toMatch(/not bytes/);
    expect(redactCapture(good, {} as never).problems[0]!.message).toMatch(/addresses/);
    const cut = redactCapture(good.subarray(0, 1000), o);
    expect(cut.frames).toBeGreaterThan(0);
    expect(cut.problems.at(-1)!.message).toMatch(/file ends inside the record at offset \d+/);
    expect(records(cut.bytes).length).toBe(cut.frames);
    const cutNg = redactCapture(goodNg.subarray(0, 1000), o);
    expect(cutNg.problems.at(-1)!.message).toMatch(/file ends inside the block at offset \d+/);
    expect(records(cutNg.bytes).length).toBe(cutNg.frames);
    const text = redactCapture(good, { addresses: m, text: () => { throw new Error("boom"); } });
    expect(text.frames).toBe(106);
  });

  it("survives random corruption of pcap and pcapng files, writing files that parse", () => {
    const rand = prng(1616);
    for (const src of [good, goodNg]) {
      for (let n = 0; n < 40; n++) {
        const b = Buffer.from(src);
        const flips = 1 + Math.floor(rand() * 20);
        for (let i = 0; i < flips; i++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
        const r = redactCapture(b, o);
        if (r.bytes.length > 0) {
          let parsed = -1;
          try { parsed = records(r.bytes).length; } catch { parsed = -2; }
          expect(parsed).toBe(r.frames - r.dropped);
        }
      }
    }
  });
});
