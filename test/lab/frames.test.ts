import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { ether, gre, ipv4, mpls, tcp, udp } from "../../lib/lab/frames";

const BUILD = path.resolve(__dirname, "../../lib/capture/build.ts");

describe("lab frames", () => {
  it("match lib/capture's frame builder byte for byte (MPLSoUDP and MPLSoGRE)", async (ctx) => {
    if (!fs.existsSync(BUILD)) return ctx.skip("lib/capture/build.ts not present");
    const b = (await import(BUILD)) as typeof import("../../lib/capture/build");
    const payload = Buffer.from("GET / HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n");
    const opts = Buffer.from([0x02, 0x04, 0x05, 0x78, 0x01, 0x01, 0x04, 0x02]);
    const innerU = ipv4("10.47.255.238", "10.99.225.17", 6, tcp("10.47.255.238", "10.99.225.17", 51000, 80, 1000, 2000, 0x18, payload, opts), 64);
    const mine = ether("52:54:00:3c:aa:21", "52:54:00:8e:1b:20", 0x0800, ipv4("10.169.25.20", "10.169.25.21", 17, udp("10.169.25.20", "10.169.25.21", 60460, 6635, mpls(38, innerU, 63), false), 64));
    const outerId = mine.readUInt16BE(18);
    const innerId = mine.readUInt16BE(14 + 20 + 8 + 4 + 4);
    const theirs = b.buildFrame([
      b.eth({ src: "52:54:00:8e:1b:20", dst: "52:54:00:3c:aa:21" }),
      b.ipv4("10.169.25.20", "10.169.25.21", { id: outerId, ttl: 64, dontFragment: true }),
      b.udp(60460, 6635, { checksum: false }),
      { ...b.mpls(38), ttl: 63 },
      b.ipv4("10.47.255.238", "10.99.225.17", { id: innerId, ttl: 64, dontFragment: true }),
      b.tcp(51000, 80, { seq: 1000, ack: 2000, flags: 0x18, window: 64240, options: opts }),
      b.payload(payload),
    ]);
    expect(Buffer.from(theirs).toString("hex")).toBe(mine.toString("hex"));
    const innerG = ipv4("15.15.15.2", "101.101.101.1", 6, tcp("15.15.15.2", "101.101.101.1", 40000, 80, 1, 0, 0x02, Buffer.alloc(0), opts), 64);
    const g = ether("52:54:00:8e:1b:20", "00:05:86:71:4a:c0", 0x0800, ipv4("192.168.0.204", "10.169.25.20", 47, gre(mpls(20, innerG, 63)), 64));
    const theirsG = b.buildFrame([
      b.eth({ src: "00:05:86:71:4a:c0", dst: "52:54:00:8e:1b:20" }),
      b.ipv4("192.168.0.204", "10.169.25.20", { id: g.readUInt16BE(18), ttl: 64, dontFragment: true }),
      b.gre(),
      { ...b.mpls(20), ttl: 63 },
      b.ipv4("15.15.15.2", "101.101.101.1", { id: g.readUInt16BE(14 + 20 + 4 + 4 + 4), ttl: 64, dontFragment: true }),
      b.tcp(40000, 80, { seq: 1, ack: 0, flags: 0x02, window: 64240, options: opts }),
    ]);
    expect(Buffer.from(theirsG).toString("hex")).toBe(g.toString("hex"));
  });
});
