/**
 * One decoder per layer, from annotated hex fixtures (node_pcap style), with the layer stack
 * written above each fixture (gopacket style).
 */
import { describe, expect, it } from "vitest";
import { internetChecksum, ipv6Bytes, tcpFlags } from "../../lib/capture/build";
import { createDecodeContext, decodeFrame } from "../../lib/capture/decode";
import { formatIpv6 } from "../../lib/capture/format";
import { guessMplsPayload } from "../../lib/capture/layers/mpls-payload";
import { createRegistry, registerTcpPort } from "../../lib/capture/registry";
import { LAYER_HTTP } from "../../lib/capture/layer-ids";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/#.*$/gm, "").replace(/\s+/g, ""), "hex"));

describe("decodeFrame(bytes, linkType) per layer", () => {
  it("eth[ipv4[udp[mpls[ipv4[tcp]]]]]: MPLSoUDP to the legacy port 51234 (edge-case frame 1)", () => {
    const f = decodeFrame(hex(`
      52 54 00 3c aa 21  52 54 00 8e 1b 20  08 00          # eth dst, src, type IPv4
      45 00 00 48 00 03 40 00 40 11 f3 27                  # ipv4 v4 ihl5 len 72 DF ttl 64 proto UDP csum
      0a a9 19 14  0a a9 19 15                             # 10.169.25.20 → 10.169.25.21
      c3 50 c8 22 00 34 00 00                              # udp 50000 → 51234 len 52 csum 0
      00 02 61 3f                                          # mpls label 38 tc 0 S=1 ttl 63
      45 00 00 28 00 02 40 00 40 06 45 3c                  # ipv4 len 40 proto TCP
      0a 2f ff ee  0a 63 e1 11                             # 10.47.255.238 → 10.99.225.17
      c9 2d 00 50  00 00 03 e8  00 00 00 00  50 02 fa f0  f1 f9 00 00  # tcp 51501 → 80 seq 1000 SYN win 64240
    `), 1);
    expect(f).toMatchObject({
      protocols: "eth:ip:udp:mpls:ip:tcp", tunnel: "mplsoudp", tunnelSrcPort: 50000, tunnelDstPort: 51234,
      outerSrc: "10.169.25.20", outerDst: "10.169.25.21", labels: [38], src: "10.47.255.238", dst: "10.99.225.17",
      srcPort: 51501, dstPort: 80, seq: 1000, tcpFlagNames: ["SYN"], window: 64240, payloadLength: 0,
      truncated: false, malformed: false,
    });
  });

  it("eth[ipv4[udp[mpls[eth[ipv4[tcp]]]]]]: an L2 label whose inner MAC starts with 46 (edge-case frame 5)", () => {
    const f = decodeFrame(hex(`
      52 54 00 3c aa 21 52 54 00 8e 1b 20 08 00
      45 00 00 56 00 0b 40 00 40 11 f3 11 0a a9 19 14 0a a9 19 15
      c3 50 19 eb 00 42 00 00                              # udp → 6635
      00 02 81 3f                                          # mpls label 40 S=1
      46 11 22 33 44 55  02 aa bb cc dd 01  08 00          # inner eth: dst 46:… looks like IPv4 by first nibble
      45 00 00 28 00 0a 40 00 40 06 45 34 0a 2f ff ee 0a 63 e1 11
      c9 31 00 50 00 00 03 e8 00 00 00 00 50 02 fa f0 f1 f5 00 00
    `), 1);
    expect(f.protocols).toBe("eth:ip:udp:mpls:eth:ip:tcp");
    expect(f).toMatchObject({ labels: [40], src: "10.47.255.238", srcPort: 51505 });
    // and the label map can force a kind
    const asIp = decodeFrame(hex(`52 54 00 3c aa 21 52 54 00 8e 1b 20 08 00
      45 00 00 56 00 0b 40 00 40 11 f3 11 0a a9 19 14 0a a9 19 15 c3 50 19 eb 00 42 00 00 00 02 81 3f
      46 11 22 33 44 55 02 aa bb cc dd 01 08 00`), 1, { mplsPayload: { 40: "ipv4" } });
    expect(asIp.protocols).toBe("eth:ip:udp:mpls:ip");
    expect(asIp.malformed || asIp.truncated).toBe(true);
  });

  it("guessMplsPayload: IPv4 needs a valid header checksum, IPv6 an exact payload length", () => {
    const v4 = hex("45 00 00 14 00 00 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02");
    const c = internetChecksum(v4, 0, 20);
    v4[10] = c >> 8; v4[11] = c & 255;
    expect(guessMplsPayload(v4, 0, 20)).toBe(4);
    v4[11]! ^= 1;
    expect(guessMplsPayload(v4, 0, 20)).toBe(0);
    const v6 = new Uint8Array(48);
    v6[0] = 0x60; v6[5] = 8;
    expect(guessMplsPayload(v6, 0, 48)).toBe(6);
    expect(guessMplsPayload(v6, 0, 47)).toBe(0);
    expect(guessMplsPayload(v6, 0, 47, true)).toBe(6);
  });

  it("eth[vlan[vlan[ipv4[icmp]]]]: QinQ keeps the outer VLAN id", () => {
    const f = decodeFrame(hex(`
      ff ff ff ff ff ff 02 00 00 00 00 01 88 a8            # eth, TPID 802.1ad
      00 c8 81 00                                          # S-tag VLAN 200, next 802.1Q
      00 64 08 00                                          # C-tag VLAN 100, next IPv4
      45 00 00 1c 00 00 00 00 40 01 00 00 0a 00 00 01 0a 00 00 02
      08 00 f7 ff 00 00 00 00                              # icmp echo request
    `), 1);
    expect(f).toMatchObject({ protocols: "eth:vlan:vlan:ip:icmp", vlan: 200, proto: 1, icmpType: 8, icmpCode: 0, tunnel: "" });
  });

  it("sll2[ipv6[tcp[http]]]: cooked v2 with IPv6 and a response", () => {
    const body = Buffer.from("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    const tcpLen = 20 + body.length;
    const f = decodeFrame(Uint8Array.from([
      ...hex(`86 dd 00 00  00 00 00 03  00 01 04 06  52 54 00 8e 1b 20 00 00`), // proto, rsvd, ifindex 3, ARPHRD 1, outgoing, 6
      ...hex(`60 00 00 00`), tcpLen >> 8, tcpLen & 255, 6, 64,
      ...ipv6Bytes("2001:db8:101::1"), ...ipv6Bytes("2001:db8::15"),
      ...hex(`00 50 9d 08  00 00 00 01  00 00 00 02  50 18 fa f0  00 00 00 00`),
      ...body,
    ]), 276);
    expect(f).toMatchObject({
      protocols: "sll2:ipv6:tcp:http", src: "2001:db8:101::1", dst: "2001:db8::15", srcPort: 80, dstPort: 40200,
      tcpFlagNames: ["PSH", "ACK"], http: { kind: "response", status: 503 }, payloadLength: body.length,
    });
  });

  it("ipv6 extension headers are skipped to the upper layer", () => {
    const f = decodeFrame(Uint8Array.from([
      ...hex("60 00 00 00 00 20 00 40"), ...new Array(32).fill(0).map((_, i) => (i === 15 || i === 31 ? 1 : 0)),
      ...hex("3c 00 01 04 00 00 00 00"),   // hop-by-hop → destination options (60)
      ...hex("11 00 00 00 00 00 00 00"),   // destination options → UDP (17)
      ...hex("13 88 13 89 00 10 00 00 41 42 43 44 45 46 47 48"),
    ]), 229);
    expect(f).toMatchObject({ protocols: "ipv6:udp", srcPort: 5000, dstPort: 5001, payloadLength: 8, src: "::1" });
  });

  it("a non-first IPv4 fragment stops at IP", () => {
    const f = decodeFrame(hex("45 00 00 1c 00 01 00 10 40 06 00 00 0a 00 00 01 0a 00 00 02 01 02 03 04 05 06 07 08"), 228);
    expect(f).toMatchObject({ protocols: "ip", truncated: false, malformed: false });
  });

  it("HTTP on another port only when registered", () => {
    const bytes = Uint8Array.from([
      ...hex("45 00 00 50 00 00 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02"), // total length 80
      ...hex("c0 00 23 28 00 00 00 01 00 00 00 01 50 18 fa f0 00 00 00 00"), // → 9000
      ...Buffer.from("GET /x HTTP/1.1\r\nhOsT:  example.org \r\n\r\n"),
    ]);
    expect(decodeFrame(bytes, 228).http).toBeUndefined();
    const reg = createRegistry();
    registerTcpPort(reg, 9000, LAYER_HTTP);
    expect(decodeFrame(bytes, 228, { registry: reg }).http).toEqual({ kind: "request", method: "GET", path: "/x", host: "example.org" });
  });

  it("a reused context gives the same result as a fresh one (no state leaks between frames)", () => {
    const ctx = createDecodeContext();
    const a = hex("45 00 00 1c 00 00 00 00 40 01 00 00 0a 00 00 01 0a 00 00 02 08 00 f7 ff 00 00 00 00");
    const b = hex("45 00 00 14 00 00 00 00 40 06 00 00 0a 00 00 03 0a 00 00 04");
    decodeFrame(a, 228, ctx);
    expect(decodeFrame(b, 228, ctx)).toEqual(decodeFrame(b, 228));
  });
});

describe("build helpers", () => {
  it("ipv6Bytes / formatIpv6 round-trip RFC 5952 text", () => {
    for (const a of ["2001:db8::15", "::1", "::", "fe80::1:2:3:4", "2001:db8:0:1:1:1:1:1", "::ffff:10.0.0.1", "1::"]) {
      expect(formatIpv6(ipv6Bytes(a), 0)).toBe(a);
    }
    expect(formatIpv6(ipv6Bytes("2001:0db8:0000:0000:0000:0000:0000:0015"), 0)).toBe("2001:db8::15");
    expect(() => ipv6Bytes("1:2:3")).toThrow(/bad IPv6/);
  });

  it("tcpFlags and internetChecksum", () => {
    expect(tcpFlags("SYN,ACK")).toBe(0x12);
    expect(tcpFlags("psh ack")).toBe(0x18);
    expect(() => tcpFlags("SYNACK")).toThrow(/unknown TCP flag/);
    // RFC 1071 example bytes
    expect(internetChecksum(hex("00 01 f2 03 f4 f5 f6 f7"), 0, 8)).toBe(0x220d);
  });
});
