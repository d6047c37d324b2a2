/**
 * Captures from every place an engineer captures: the link types of routers and nodes (BSD null and
 * loopback, raw IPv4/IPv6, PPP, PPP in HDLC framing, Cisco HDLC, Ethernet with 802.1Q and QinQ,
 * Juniper's `monitor traffic … write-file` captures) and the outer header fields of every tunnel
 * (UDP ports of MPLSoUDP and VXLAN, GRE flags and key, outer TTL and DSCP). Each capture is made with
 * capture's own builder and writer, decoded by packetwalk and, when tshark is installed, by tshark,
 * field by field. A link type that is not decoded gives one warning for the file.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildFrame, chdlcHeader, eth, gre, ipv4, ipv6, juniperHeader, type LayerSpec, mpls, nullHeader, pppHeader, tcp, udp, vlan,
  vxlan,
} from "../../lib/capture/build";
import { decodeFrame } from "../../lib/capture/decode";
import { writePcap } from "../../lib/capture/file/writer";
import { compileFilter } from "../../lib/capture/filter";
import * as lt from "../../lib/capture/link-types";
import { readCapture } from "../../lib/capture/read";
import { findTshark } from "./helpers";

const tshark = findTshark();
const why = tshark ? "" : " (tshark comparison skipped: tshark not installed; apt-get install tshark)";
let dir = "";
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-capture-linktypes-")); });
afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

/** An MPLSoUDP frame as a node sends it (outer DSCP EF, TTL 62, entropy source port 54321). */
const overlay: LayerSpec[] = [
  ipv4("10.169.25.20", "10.169.25.21", { tos: 46 << 2, ttl: 62 }), udp(54321, 6635, { checksum: false }), mpls(38),
  ipv4("10.47.255.238", "10.99.225.17"), tcp(40000, 80, { flags: "SYN" }),
];
/** The same over an IPv6 underlay. */
const overlay6: LayerSpec[] = [
  ipv6("fd00::20", "fd00::21", { hopLimit: 61 }), udp(54322, 6635), mpls(38), ipv4("10.47.255.238", "10.99.225.17"),
  tcp(40001, 80, { flags: "SYN" }),
];
/** The overlay frame under a transport label, as a core router's interface sees it. */
const labelled: LayerSpec[] = [mpls(299792), ...overlay];

interface Case { name: string; linkType: number; frames: LayerSpec[][]; protocols: string[] }

const CASES: Case[] = [
  { name: "BSD null (DLT_NULL 0)", linkType: lt.LINKTYPE_NULL, frames: [[nullHeader(2), ...overlay], [nullHeader(24), ...overlay6], [nullHeader(30), ...overlay6]],
    protocols: ["null:ip", "null:ipv6", "null:ipv6"] },
  { name: "OpenBSD loopback (DLT_LOOP 108)", linkType: lt.LINKTYPE_LOOP, frames: [[nullHeader(2, true), ...overlay], [nullHeader(24, true), ...overlay6]],
    protocols: ["null:ip", "null:ipv6"] },
  { name: "raw IP (DLT_RAW 12)", linkType: lt.DLT_RAW_12, frames: [overlay, overlay6], protocols: ["raw:ip", "raw:ipv6"] },
  { name: "raw IP (DLT_RAW 14)", linkType: lt.DLT_RAW_14, frames: [overlay, overlay6], protocols: ["raw:ip", "raw:ipv6"] },
  { name: "raw IP (LINKTYPE_RAW 101)", linkType: lt.LINKTYPE_RAW, frames: [overlay, overlay6], protocols: ["raw:ip", "raw:ipv6"] },
  { name: "raw IPv4 (228)", linkType: lt.LINKTYPE_IPV4, frames: [overlay], protocols: ["ip"] },
  { name: "raw IPv6 (229)", linkType: lt.LINKTYPE_IPV6, frames: [overlay6], protocols: ["ipv6"] },
  { name: "PPP (9)", linkType: lt.LINKTYPE_PPP, frames: [[pppHeader(0x0021), ...overlay], [pppHeader(0x0057, { hdlc: false }), ...overlay6], [pppHeader(0x0281), ...labelled]],
    protocols: ["ppp:ip", "ppp:ipv6", "ppp:mpls:ip"] },
  { name: "PPP in HDLC framing (50)", linkType: lt.LINKTYPE_PPP_HDLC, frames: [[pppHeader(0x0021), ...overlay], [pppHeader(0x0281), ...labelled]],
    protocols: ["ppp:ip", "ppp:mpls:ip"] },
  { name: "Cisco HDLC (104)", linkType: lt.LINKTYPE_C_HDLC, frames: [[chdlcHeader(0x0800), ...overlay], [chdlcHeader(0x8847), ...labelled], [chdlcHeader(0x86dd, 0x8f), ...overlay6]],
    protocols: ["chdlc:ip", "chdlc:mpls:ip", "chdlc:ipv6"] },
  { name: "Ethernet with 802.1Q and QinQ (1)", linkType: lt.LINKTYPE_ETHERNET,
    frames: [[eth(), vlan(100), ...overlay], [eth(), vlan(200, { tpid: 0x88a8 }), vlan(100), ...overlay], [eth(), vlan(300, { tpid: 0x9100 }), vlan(101), ...overlay]],
    protocols: ["eth:vlan:ip", "eth:vlan:vlan:ip", "eth:vlan:vlan:ip"] },
  { name: "Juniper Ethernet (178)", linkType: lt.LINKTYPE_JUNIPER_ETHER,
    frames: [
      [juniperHeader(), eth(), ...overlay],
      // out, with extension TLVs (ifd index, ifl unit)
      [juniperHeader({ flags: 0x00, tlvs: [[1, Uint8Array.of(5, 0, 0, 0)], [4, Uint8Array.of(1, 0)]] }), eth(), vlan(100), ...overlay],
      // L2 header stripped: protocol 2 (IPv4), 5 (MPLS)
      [juniperHeader({ proto: 2 }), ...overlay],
      [juniperHeader({ proto: 5 }), ...labelled],
    ],
    protocols: ["juniper:eth:ip", "juniper:eth:vlan:ip", "juniper:ip", "juniper:mpls:ip"] },
  { name: "Juniper PPP (179)", linkType: lt.LINKTYPE_JUNIPER_PPP,
    frames: [[juniperHeader({ cookie: Uint8Array.of(0, 0) }), pppHeader(0x0021, { hdlc: false }), ...overlay],
      [juniperHeader({ cookie: Uint8Array.of(0, 0) }), pppHeader(0x0281, { hdlc: false }), ...labelled]],
    protocols: ["juniper:ppp:ip", "juniper:ppp:mpls:ip"] },
  { name: "Juniper Cisco HDLC (181)", linkType: lt.LINKTYPE_JUNIPER_CHDLC, frames: [[juniperHeader(), chdlcHeader(0x0800), ...overlay]],
    protocols: ["juniper:chdlc:ip"] },
  { name: "Juniper MLPPP (130)", linkType: lt.LINKTYPE_JUNIPER_MLPPP,
    frames: [[juniperHeader({ cookie: Uint8Array.of(0xff, 0x03) }), pppHeader(0x0021, { hdlc: false }), ...overlay],
      [juniperHeader({ cookie: Uint8Array.of(0x00, 0x01) }), pppHeader(0x0021, { hdlc: false }), ...overlay]],
    protocols: ["juniper:ppp:ip", "juniper:ppp:ip"] },
  { name: "Juniper ATM1 (137)", linkType: lt.LINKTYPE_JUNIPER_ATM1,
    frames: [[juniperHeader({ cookie: Uint8Array.of(0, 0, 0, 1, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00) }), ...overlay],
      [juniperHeader({ cookie: Uint8Array.of(0, 0, 0, 1) }), ...overlay]],
    protocols: ["juniper:ip", "juniper:ip"] },
  { name: "Juniper ATM2 (135)", linkType: lt.LINKTYPE_JUNIPER_ATM2,
    frames: [[juniperHeader({ cookie: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00) }), ...overlay],
      [juniperHeader({ cookie: new Uint8Array(8) }), ...overlay]],
    protocols: ["juniper:ip", "juniper:ip"] },
];

function writeCase(c: Case): string {
  const file = path.join(dir, `lt-${c.linkType}.pcap`);
  fs.writeFileSync(file, writePcap(c.frames.map((l, k) => ({ data: buildFrame(l), time: { sec: 1732457000, nsec: k * 1000 } })), { linkType: c.linkType }));
  return file;
}

describe("link types met on routers and nodes", () => {
  for (const c of CASES) {
    it(`${c.name}: every frame decoded to the overlay, outer fields kept`, async () => {
      const t = await readCapture(writeCase(c));
      expect(t.warnings).toEqual([]);
      expect(t.length).toBe(c.frames.length);
      for (let i = 0; i < t.length; i++) {
        const r = t.row(i);
        const v6 = r.protocols.includes("ipv6:udp");
        expect(r.protocols, `frame ${i + 1}`).toBe(`${c.protocols[i]}:udp:mpls:ip:tcp`);
        // under a transport label the outermost tunnel is that label's
        expect(r.tunnel, `frame ${i + 1}`).toBe(c.protocols[i]!.includes("mpls") ? "mpls" : "mplsoudp");
        expect(r).toMatchObject({ src: "10.47.255.238", dst: "10.99.225.17", srcPort: v6 ? 40001 : 40000, dstPort: 80,
          outerSrc: v6 ? "fd00::20" : "10.169.25.20", tunnelSrcPort: v6 ? 54322 : 54321, tunnelDstPort: 6635,
          outerTtl: v6 ? 61 : 62, outerDscp: v6 ? 0 : 46,
        });
        expect(r.labels!.at(-1)).toBe(38);
        expect(r.malformed).toBeUndefined();
      }
    });
  }

  it("the first VLAN id is the outer tag (802.1ad S-tag, 0x9100 too)", async () => {
    const t = await readCapture(writeCase(CASES.find((c) => c.linkType === lt.LINKTYPE_ETHERNET)!));
    expect([0, 1, 2].map((i) => t.row(i).vlan)).toEqual([100, 200, 300]);
  });

  it("Juniper: a frame without the MGC magic is malformed, a cut pseudo-header truncated, Frame Relay unsupported", () => {
    const good = buildFrame([juniperHeader(), eth(), ...overlay]);
    const bad = good.slice();
    bad[0] = 0x4e;
    expect(decodeFrame(bad, lt.LINKTYPE_JUNIPER_ETHER)).toMatchObject({ malformed: true, problem: 'juniper at offset 0: no "MGC" magic' });
    const ext = buildFrame([juniperHeader({ tlvs: [[1, Uint8Array.of(5, 0, 0, 0)]] }), eth(), ...overlay]);
    expect(decodeFrame(ext.subarray(0, 8), lt.LINKTYPE_JUNIPER_ETHER)).toMatchObject({ truncated: true, malformed: false });
    expect(decodeFrame(good, lt.LINKTYPE_JUNIPER_FRELAY)).toMatchObject({ layers: ["juniper"], unsupported: true, malformed: false });
  });

  it("PPP: protocol field compressed to one octet; Cisco HDLC framing on a PPP serial link", () => {
    const compressed = buildFrame([{ kind: "link", bytes: Uint8Array.of(0xff, 0x03, 0x21) }, ...overlay]);
    expect(decodeFrame(compressed, lt.LINKTYPE_PPP)).toMatchObject({ protocols: "ppp:ip:udp:mpls:ip:tcp", tunnelSrcPort: 54321 });
    const chdlc = buildFrame([chdlcHeader(0x0800), ...overlay]);
    expect(decodeFrame(chdlc, lt.LINKTYPE_PPP_HDLC)).toMatchObject({ protocols: "chdlc:ip:udp:mpls:ip:tcp", tunnelSrcPort: 54321 });
  });

  it("a link type that is not decoded gives one warning for the file, not a malformed row per frame", async () => {
    const frames = Array.from({ length: 50 }, (_, k) => ({ data: buildFrame([eth(), ...overlay]), time: 1 + k }));
    const t = await readCapture(writePcap(frames, { linkType: 147 }));
    expect(t.length).toBe(50);
    expect(t.warnings).toEqual(["link type 147 (user0) is not decoded: 50 frames kept without layers"]);
    expect(t.problems.size).toBe(0);
    for (const r of t.rows()) expect(r.malformed).toBeUndefined();
    expect(t.indices(compileFilter("malformed")).length).toBe(0);
  });

  it.skipIf(!tshark)("tshark decodes every built capture as packetwalk does" + why, async () => {
    const fields = ["frame.protocols", "ip.src", "ip.dst", "mpls.label", "udp.srcport", "udp.dstport", "ip.ttl", "ip.dsfield.dscp", "ipv6.hlim", "vlan.id", "ieee8021ad.id"];
    for (const c of CASES) {
      const file = writeCase(c);
      const out = execFileSync("tshark", ["-r", file, "-T", "fields", "-E", "occurrence=a", ...fields.flatMap((f) => ["-e", f])],
        { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      const lines = out.split("\n").filter(Boolean);
      const t = await readCapture(file);
      expect(lines.length, c.name).toBe(t.length);
      lines.forEach((line, i) => {
        const [protocols, ipSrc, ipDst, labels, sport, dport, ttl, dscp, hlim, vlanId, sTag] = line.split("\t").map((x) => x ?? "");
        const r = t.row(i);
        const where = `${c.name} frame ${i + 1}`;
        // tshark names the pseudo-layers we do not model (ethertype, llc) and 802.1ad "ieee8021ad"
        const theirs = protocols!.split(":").filter((x) => x !== "ethertype" && x !== "llc").map((x) => (x === "ieee8021ad" ? "vlan" : x)).join(":");
        expect(r.protocols, where).toBe(theirs);
        const first = (s: string | undefined) => (s ? Number(s.split(",")[0]) : undefined);
        expect(r.tunnelSrcPort, where).toBe(first(sport));
        expect(r.tunnelDstPort, where).toBe(first(dport));
        expect(r.labels, where).toEqual(labels!.split(",").map(Number));
        expect(ipSrc!.split(",").at(-1), where).toBe(r.src);
        expect(ipDst!.split(",").at(-1), where).toBe(r.dst);
        if (r.outerSrc!.includes(":")) expect(r.outerTtl, where).toBe(first(hlim));
        else {
          expect(r.outerSrc, where).toBe(ipSrc!.split(",")[0]);
          expect(r.outerTtl, where).toBe(first(ttl));
          expect(r.outerDscp, where).toBe(first(dscp));
        }
        const tags = [sTag, vlanId].filter(Boolean).join(",");
        expect(r.vlan, where).toBe(first(tags));
      });
    }
  });
});

describe("outer header fields of every tunnel", () => {
  const inner: LayerSpec[] = [ipv4("15.15.15.2", "101.101.101.1"), tcp(40000, 80, { flags: "SYN" })];
  const frames = () => [
    buildFrame([eth(), ipv4("192.168.0.204", "10.169.25.20", { tos: 46 << 2, ttl: 61 }), gre({ key: 0xdeadbeef }), mpls(20), ...inner]),
    buildFrame([eth(), ipv4("192.168.0.204", "10.169.25.20", { ttl: 64 }), gre(), mpls(20), ...inner]),
    buildFrame([eth(), ipv4("10.169.25.20", "10.169.25.21", { tos: 10 << 2, ttl: 63 }), udp(61234, 6635, { checksum: false }), mpls(38), ...inner]),
    buildFrame([eth(), ipv4("10.169.25.20", "10.169.25.22", { tos: 0xb8, ttl: 255 }), udp(50000, 4789, { checksum: false }), vxlan(5001), eth(), ...inner]),
  ];

  it("rows, filters and arquero tables carry the tunnel's UDP ports, GRE flags and key, outer TTL and DSCP", async () => {
    const t = await readCapture(writePcap(frames().map((data, k) => ({ data, time: 1 + k }))));
    expect(t.row(0)).toMatchObject({ tunnel: "mplsogre", greFlags: 0x2000, greKey: 0xdeadbeef, outerTtl: 61, outerDscp: 46 });
    expect(t.row(0).tunnelSrcPort).toBeUndefined();
    expect(t.row(1)).toMatchObject({ greFlags: 0, outerTtl: 64, outerDscp: 0 });
    expect(t.row(1).greKey).toBeUndefined();
    expect(t.row(2)).toMatchObject({ tunnel: "mplsoudp", tunnelSrcPort: 61234, tunnelDstPort: 6635, outerDscp: 10, srcPort: 40000, dstPort: 80 });
    expect(t.row(3)).toMatchObject({ tunnel: "vxlan", tunnelSrcPort: 50000, tunnelDstPort: 4789, outerTtl: 255, outerDscp: 46, vni: 5001 });
    const rows = (f: string) => Array.from(t.indices(compileFilter(f)), (i) => i + 1);
    expect(rows("outer.udp.srcport == 61234")).toEqual([3]);
    expect(rows("outer.udp.port == 4789")).toEqual([4]);
    expect(rows("outer.udp.dstport")).toEqual([3, 4]);
    expect(rows("gre.key == 0xdeadbeef")).toEqual([1]);
    expect(rows("gre.flags == 0")).toEqual([2]);
    expect(rows("outer.dscp == 46")).toEqual([1, 4]);
    expect(rows("outer.ttl < 62")).toEqual([1]);
    const aq = t.toArquero().objects() as Record<string, number>[];
    expect(aq.map((r) => [r.tunnelSrcPort, r.tunnelDstPort, r.greFlags, r.greKey, r.outerTtl, r.outerDscp])).toEqual([
      [0, 0, 0x2000, 0xdeadbeef, 61, 46], [0, 0, 0, 0, 64, 0], [61234, 6635, 0, 0, 63, 10], [50000, 4789, 0, 0, 255, 46],
    ]);
  });

  it.skipIf(!tshark)("tshark agrees on the outer fields" + why, () => {
    const file = path.join(dir, "outer.pcap");
    fs.writeFileSync(file, writePcap(frames().map((data, k) => ({ data, time: 1 + k }))));
    const out = execFileSync("tshark", ["-r", file, "-T", "fields", "-E", "occurrence=f", ...["udp.srcport", "udp.dstport", "gre.flags_and_version", "gre.key", "ip.ttl", "ip.dsfield.dscp"].flatMap((f) => ["-e", f])],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const theirs = out.split("\n").filter(Boolean).map((l) => l.split("\t").map((x) => (x === "" ? undefined : Number(x))));
    const ours = frames().map((f) => decodeFrame(f, lt.LINKTYPE_ETHERNET)).map((r) => [r.tunnelSrcPort, r.tunnelDstPort, r.greFlags, r.greKey, r.outerTtl, r.outerDscp]);
    expect(ours).toEqual(theirs);
  });
});
