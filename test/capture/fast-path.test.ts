/**
 * The fused fast decoder (`decodeFast` + `FrameTableBuilder.appendFast`, what readCapture uses) against
 * the ordinary way (`decodeInto` then `append`): layer by layer, every field the fast decoder fills
 * equals what the layer decoders leave in a `DecodeContext`; and the same columns, dictionaries and
 * problem texts, row for row, on every sample frame, every frame cut at every length, seeded bit
 * flips, scenario traffic of every tunnel type and the options that change decoding. The fast path
 * must also really take the clean frames, or this comparison would prove nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildFrame, chdlcHeader, eth, gre, icmp, ipv4, ipv6, juniperHeader, mpls, nullHeader, payload, pppHeader, tcp, udp, vxlan,
} from "../../lib/capture/build";
import type { DecodeContext } from "../../lib/capture/context";
import { createDecodeContext, decodeFrame, type DecodeOptions, decodeInto, LAYER_DECODERS } from "../../lib/capture/decode";
import { decodeFast, FAST_LAYERS, FastFrame } from "../../lib/capture/decode-fast";
import { LAYER_COUNT, LAYER_NAMES } from "../../lib/capture/layer-ids";
import {
  LINKTYPE_C_HDLC, LINKTYPE_ETHERNET, LINKTYPE_JUNIPER_ETHER, LINKTYPE_NULL, LINKTYPE_PPP, LINKTYPE_RAW,
} from "../../lib/capture/link-types";
import { FrameTableBuilder } from "../../lib/capture/table/builder";
import { FRAME_COLUMNS, type FrameColumnName } from "../../lib/capture/table/columns";
import type { FrameTable } from "../../lib/capture/table/frame-table";
import { readCapture, readRecords } from "../../lib/capture/read";
import { createRegistry, ETHERTYPE_IPV4, ETHERTYPE_TEB, registerEtherType } from "../../lib/capture/registry";
import { httpExchange, scenarioFrames } from "../../lib/capture/scenario";
import { fixture, prng } from "./helpers";

interface Frame { data: Uint8Array; linkType: number }

const SAMPLES = [
  "contrail-mplsogre-mplsoudp-http.pcap", "contrail-mplsogre-mplsoudp-http.pcapng", "contrail-any-sll.pcap",
  "contrail-any-sll2.pcap", "contrail-edge-cases.pcap",
];

async function sampleFrames(): Promise<Frame[]> {
  const out: Frame[] = [];
  for (const name of SAMPLES) {
    for await (const r of readRecords(fixture(name))) out.push({ data: Uint8Array.from(r.data), linkType: r.linkType });
  }
  return out;
}

function scenario(): Frame[] {
  const frames = scenarioFrames({ rounds: 2 }).map((f) => ({ data: f.data, linkType: LINKTYPE_ETHERNET }));
  // the bench's extra shapes: VLAN-tagged GRE, a two-label stack, MPLSoUDP to the legacy port, a 404
  const extra = [
    httpExchange({ tunnel: "mplsogre", vlan: 100, client: "15.15.15.2", server: "101.101.101.1", clientPort: 30003, labels: { forward: [20], reverse: [299808] } }),
    httpExchange({ tunnel: "mplsogre", client: "15.15.15.2", server: "101.101.101.1", clientPort: 30004, method: "POST", requestBody: '{"probe":1}', labels: { forward: [16, 20], reverse: [16, 299808] } }),
    httpExchange({ tunnel: "mplsoudp", client: "10.47.255.238", server: "10.99.225.17", clientPort: 30005, mplsUdpPort: 51234, status: 404, path: "/api/v1/item/7" }),
    httpExchange({ tunnel: "vxlan", client: "10.47.255.240", server: "10.47.255.250", clientPort: 30006, vni: 5001, responseBytes: 2650 }),
  ];
  for (const ex of extra) for (const f of ex) frames.push({ data: f.data, linkType: LINKTYPE_ETHERNET });
  // outer header fields: a GRE key (with and without the checksum word), a DSCP, a TTL, entropy ports
  const inner = [ipv4("15.15.15.2", "101.101.101.1"), tcp(40000, 80, { flags: "SYN" })];
  const outer = (o: { tos?: number; ttl?: number }) => ipv4("192.168.0.204", "10.169.25.20", o);
  for (const data of [
    buildFrame([eth(), outer({ tos: 46 << 2, ttl: 61 }), gre({ key: 0xdeadbeef }), mpls(20), ...inner]),
    buildFrame([eth(), outer({ tos: 10 << 2, ttl: 255 }), gre({ key: 7 }), mpls(20), ...inner]),
    buildFrame([eth(), outer({ tos: 0xb8, ttl: 1 }), udp(61234, 6635, { checksum: false }), mpls(38), ...inner]),
    buildFrame([eth(), outer({ ttl: 30 }), udp(50000, 4789, { checksum: false }), vxlan(5001), eth(), ...inner]),
    // VXLAN inside MPLSoUDP: the outer ports are the first tunnel's
    buildFrame([eth(), outer({}), udp(60001, 6635, { checksum: false }), mpls(38), ipv4("10.1.1.1", "10.1.1.2"),
      udp(60002, 4789, { checksum: false }), vxlan(7), eth(), ...inner]),
  ]) frames.push({ data, linkType: LINKTYPE_ETHERNET });
  const withChecksum = buildFrame([eth(), outer({}), gre({ key: 0x01020304 }), mpls(20), ...inner]);
  // set C (checksum word present) by rebuilding the GRE header by hand: C|K, version 0, checksum + reserved, key
  const c = new Uint8Array(withChecksum.length + 4);
  c.set(withChecksum.subarray(0, 34), 0);
  c.set([0xa0, 0x00, 0x88, 0x47, 0, 0, 0, 0, 1, 2, 3, 4], 34);
  c.set(withChecksum.subarray(42), 46);
  c[16] = (c.length - 14) >> 8; c[17] = (c.length - 14) & 255;
  c[24] = 0; c[25] = 0;
  let sum = 0;
  for (let k = 14; k < 34; k += 2) sum += (c[k]! << 8) | c[k + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  c[24] = (~sum >> 8) & 255; c[25] = ~sum & 255;
  frames.push({ data: c, linkType: LINKTYPE_ETHERNET });
  return frames;
}

/** Both builders over the same frames (each frame in its own exactly-sized buffer). */
function build(frames: Frame[], options: DecodeOptions = {}): { fast: FrameTable; slow: FrameTable } {
  const fast = new FrameTableBuilder();
  const slow = new FrameTableBuilder();
  const fctx = createDecodeContext(options);
  const sctx = createDecodeContext(options);
  frames.forEach((f, k) => {
    const n = f.data.length;
    fast.appendFrame(fctx, f.data, 0, n, f.linkType, k + 1, 1732456800 + k, k * 1000, n + 4);
    decodeInto(sctx, f.data, 0, n, f.linkType);
    slow.append(sctx, k + 1, 1732456800 + k, k * 1000, n + 4, f.linkType);
  });
  return { fast: fast.finish(), slow: slow.finish() };
}

function expectSame({ fast, slow }: { fast: FrameTable; slow: FrameTable }, what: string): void {
  expect(fast.length, what).toBe(slow.length);
  for (const name of Object.keys(FRAME_COLUMNS) as FrameColumnName[]) {
    const a = fast.columns[name], b = slow.columns[name];
    let bad = -1;
    for (let i = 0; i < a.length && bad < 0; i++) if (a[i] !== b[i]) bad = i;
    expect(bad, `${what}: column ${name} differs at row ${bad} (${a[bad]} vs ${b[bad]}): ${JSON.stringify(slow.row(Math.max(bad, 0)))}`).toBe(-1);
  }
  expect(fast.dicts, what).toEqual(slow.dicts);
  expect([...fast.problems], what).toEqual([...slow.problems]);
}

/** How many of the frames the fast path takes on its own. */
function fastCount(frames: Frame[], options: DecodeOptions = {}): number {
  const ctx = createDecodeContext(options);
  const out = new FastFrame();
  let n = 0;
  for (const f of frames) if (decodeFast(ctx, out, f.data, 0, f.data.length, f.linkType)) n++;
  return n;
}

/** Frames with the layers neither the samples nor the scenario have: ICMP, ICMPv6, raw IP, the router link types. */
function otherLayers(): Frame[] {
  return [
    { data: buildFrame([eth(), ipv4("10.47.255.238", "10.99.225.17"), icmp(8), payload("ping")]), linkType: LINKTYPE_ETHERNET },
    { data: buildFrame([eth(), ipv6("2001:db8::15", "2001:db8:101::1"), icmp(128, { v6: true })]), linkType: LINKTYPE_ETHERNET },
    { data: buildFrame([ipv4("10.47.255.238", "10.99.225.17"), icmp(0)]), linkType: LINKTYPE_RAW },
    { data: buildFrame([nullHeader(2), ipv4("10.47.255.238", "10.99.225.17"), icmp(8)]), linkType: LINKTYPE_NULL },
    { data: buildFrame([pppHeader(0x0281), mpls(16), ipv4("10.47.255.238", "10.99.225.17"), icmp(8)]), linkType: LINKTYPE_PPP },
    { data: buildFrame([chdlcHeader(0x0800), ipv4("10.47.255.238", "10.99.225.17"), icmp(8)]), linkType: LINKTYPE_C_HDLC },
    { data: buildFrame([juniperHeader(), eth(), ipv4("10.47.255.238", "10.99.225.17"), icmp(8)]), linkType: LINKTYPE_JUNIPER_ETHER },
  ];
}

/** The fields of `f` that differ from what the layer decoders left in `ctx` for the same frame. */
function fastVsContext(f: FastFrame, ctx: DecodeContext): string[] {
  const bad: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => { if (JSON.stringify(a) !== JSON.stringify(b)) bad.push(`${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`); };
  same("flags", 0, ctx.flags);
  same("layers", Array.from(f.layers.subarray(0, f.layerCount)), Array.from(ctx.layers.subarray(0, ctx.layerCount)));
  if (ctx.layerCount <= 10) same("stackKey", f.stackKey, Array.from(ctx.layers.subarray(0, ctx.layerCount)).reduce((k, l) => k * 32 + l, 0));
  same("ethCount", f.ethCount, ctx.ethCount);
  if (ctx.ethCount > 0) {
    same("eth0", f.eth0, ctx.ethOff[0]);
    same("ethLast", f.ethLast, ctx.ethOff[Math.min(ctx.ethCount, 4) - 1]);
  }
  same("vlanId", f.vlanId, ctx.vlanId);
  same("ipCount", f.ipCount, ctx.ipCount);
  if (ctx.ipCount > 0) {
    same("ip0", f.ip0, ctx.ipOff[0]);
    same("ipLast", f.ipLast, ctx.ipOff[ctx.ipCount - 1]);
  }
  same("tunnel", f.tunnel, ctx.tunnel);
  same("tunnelIpCount", f.tunnelIpCount, ctx.tunnelIpCount);
  same("labels", f.labels(), Array.from(ctx.labels.subarray(0, ctx.labelCount)));
  same("vni", f.vni, ctx.vni);
  same("tunnel ports", [f.tunSrcPort, f.tunDstPort], [ctx.tunnelSrcPort, ctx.tunnelDstPort]);
  same("gre", [f.greFlags, f.greKey >>> 0], [ctx.greFlags, ctx.greKey]);
  same("proto", f.proto, ctx.transportProto);
  same("protoIp", f.protoIp, ctx.transportIp);
  same("ports", [f.srcPort, f.dstPort], [ctx.srcPort, ctx.dstPort]);
  same("tcp", [f.tcpFlags, f.seq >>> 0, f.ack >>> 0], [ctx.tcpFlags, ctx.seq, ctx.ack]);
  same("payloadLen", f.payloadLen, ctx.payloadLen);
  same("httpKind", f.httpKind, ctx.httpKind);
  if (ctx.httpKind !== 0) {
    same("http", [f.httpMethod, f.httpStatus, f.httpPathOff, f.httpPathLen, f.httpHostOff, f.httpHostLen],
      [ctx.httpMethod, ctx.httpStatus, ctx.httpPathOff, ctx.httpPathLen, ctx.httpHostOff, ctx.httpHostLen]);
  }
  return bad;
}

describe("the fast decoder and the layer decoders agree on every layer", () => {
  const ids = Array.from({ length: LAYER_COUNT - 1 }, (_, k) => k + 1);

  it("every layer id has a name and a decoder", () => {
    const ctx = createDecodeContext();
    for (const id of ids) {
      expect(LAYER_NAMES[id], `layer ${id}`).toMatch(/^[a-z0-9]+$/);
      // a real decoder, given no bytes, flags truncation (or, HTTP, takes itself off the stack)
      ctx.reset(new Uint8Array(0), 0, 0);
      ctx.layers[0] = id;
      ctx.layerCount = 1;
      LAYER_DECODERS[id]!(ctx);
      expect(ctx.flags !== 0 || ctx.layerCount === 0, `layer ${LAYER_NAMES[id]} has no decoder`).toBe(true);
    }
    expect(FAST_LAYERS.every((id) => ids.includes(id))).toBe(true);
  });

  it("the fast decoder names layers only by the table's ids (no numeric case labels)", () => {
    const src = fs.readFileSync(path.resolve(__dirname, "../../lib/capture/decode-fast.ts"), "utf8");
    expect(src).not.toMatch(/case\s+(\d|0x)/);
    expect(src).not.toMatch(/layer\s*[!=]==?\s*\d/);
  });

  it("every layer is in the test frames; the fast path takes frames with each of its layers, no frame with another, and fills every field as the layer decoders do", async () => {
    const frames = [...await sampleFrames(), ...scenario(), ...otherLayers()];
    const ctx = createDecodeContext();
    const fctx = createDecodeContext();
    const out = new FastFrame();
    const seen = new Set<number>();
    const taken = new Map<number, number>();
    for (const [k, f] of frames.entries()) {
      decodeInto(ctx, f.data, 0, f.data.length, f.linkType);
      for (let j = 0; j < ctx.layerCount; j++) seen.add(ctx.layers[j]!);
      if (!decodeFast(fctx, out, f.data, 0, f.data.length, f.linkType)) continue;
      expect(fastVsContext(out, ctx), `frame ${k} (${Array.from(ctx.layers.subarray(0, ctx.layerCount), (l) => LAYER_NAMES[l]).join(":")})`).toEqual([]);
      for (let j = 0; j < out.layerCount; j++) taken.set(out.layers[j]!, (taken.get(out.layers[j]!) ?? 0) + 1);
    }
    for (const id of ids) {
      expect(seen.has(id), `no test frame has layer ${LAYER_NAMES[id]}`).toBe(true);
      if (FAST_LAYERS.includes(id)) expect(taken.get(id) ?? 0, `fast path never took a frame with ${LAYER_NAMES[id]}`).toBeGreaterThan(0);
      else expect(taken.get(id) ?? 0, `fast path took a frame with ${LAYER_NAMES[id]}, which it does not decode`).toBe(0);
    }
  });

  it("fills every field as the layer decoders do on every cut and bit flip it takes", async () => {
    const frames = [...await sampleFrames(), ...scenario()];
    const rand = prng(20250302);
    const ctx = createDecodeContext();
    const fctx = createDecodeContext();
    const out = new FastFrame();
    let taken = 0;
    const check = (d: Uint8Array, linkType: number, what: string) => {
      if (!decodeFast(fctx, out, d, 0, d.length, linkType)) return;
      taken++;
      decodeInto(ctx, d, 0, d.length, linkType);
      const bad = fastVsContext(out, ctx);
      if (bad.length > 0) expect(bad, what).toEqual([]);
    };
    for (const [k, f] of frames.entries()) {
      for (let n = 0; n <= f.data.length; n += 3) check(f.data.subarray(0, n), f.linkType, `frame ${k} cut at ${n}`);
      for (let r = 0; r < 10; r++) {
        const b = f.data.slice();
        const bit = Math.floor(rand() * Math.min(b.length, 120) * 8);
        b[bit >> 3]! ^= 1 << (bit & 7);
        check(b, f.linkType, `frame ${k} bit ${bit} flipped`);
      }
    }
    expect(taken).toBeGreaterThan(1000);
  });
});

describe("FrameTableBuilder.appendFrame (fast path) = decodeInto + append", () => {
  it("takes the clean IPv4 frames itself and leaves IPv6 and cooked captures to the ordinary path", async () => {
    const frames = scenario();
    const v6 = frames.filter((f) => decodeFrame(f.data, f.linkType).layers.includes("ipv6"));
    expect(v6.length).toBeGreaterThan(0);
    expect(fastCount(frames)).toBe(frames.length - v6.length);
    const sll = [];
    for await (const r of readRecords(fixture("contrail-any-sll2.pcap"))) sll.push({ data: Uint8Array.from(r.data), linkType: r.linkType });
    expect(fastCount(sll)).toBe(0);
  });

  it("same rows for the sample captures and the scenario traffic", async () => {
    expectSame(build(await sampleFrames()), "samples");
    expectSame(build(scenario()), "scenario");
  });

  it("same rows with a label map, custom ports and registries without IPv4 or bridged Ethernet", async () => {
    const frames = [...await sampleFrames(), ...scenario()];
    expectSame(build(frames, { mplsPayload: new Map([[40, "ethernet"], [20, "ipv4"]]) }), "label map");
    expectSame(build(frames, { mplsUdpPorts: [6635], vxlanPorts: [], httpPorts: [8080] }), "ports");
    const registry = createRegistry();
    registerEtherType(registry, ETHERTYPE_IPV4, 0);
    expectSame(build(frames, { registry }), "no IPv4");
    const noBridging = createRegistry();
    registerEtherType(noBridging, ETHERTYPE_TEB, 0);
    expectSame(build(frames, { registry: noBridging }), "no transparent Ethernet bridging");
  });

  it("same rows for every frame cut at every length", async () => {
    const frames = [...await sampleFrames(), ...scenario()];
    const cuts: Frame[] = [];
    for (const f of frames) for (let n = 0; n <= f.data.length; n++) cuts.push({ data: f.data.slice(0, n), linkType: f.linkType });
    expect(cuts.length).toBeGreaterThan(40000);
    expectSame(build(cuts), "cuts");
  });

  it("same rows for seeded bit flips (headers and lengths corrupted)", async () => {
    const frames = [...await sampleFrames(), ...scenario()];
    const rand = prng(20250301);
    const out: Frame[] = [];
    for (let round = 0; round < 40; round++) {
      for (const f of frames) {
        const b = f.data.slice();
        // flips in the first 120 bytes, where the headers are
        const flips = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < flips; k++) {
          const bit = Math.floor(rand() * Math.min(b.length, 120) * 8);
          b[bit >> 3]! ^= 1 << (bit & 7);
        }
        out.push({ data: rand() < 0.2 ? b.slice(0, Math.floor(rand() * b.length)) : b, linkType: f.linkType });
      }
    }
    expectSame(build(out), "bit flips");
  });

  it("readCapture (fast path) gives the rows of decodeInto + append on a whole file", async () => {
    for (const name of SAMPLES) {
      const t = await readCapture(fixture(name));
      const slow = new FrameTableBuilder();
      const ctx = createDecodeContext();
      for await (const r of readRecords(fixture(name))) {
        decodeInto(ctx, r.data, 0, r.data.length, r.linkType);
        slow.append(ctx, r.no, r.tsSec, r.tsNsec, r.origLen, r.linkType);
      }
      expectSame({ fast: t, slow: slow.finish() }, name);
    }
    // and a capture large enough for the reserved single block
    const img = fs.readFileSync(fixture("contrail-mplsogre-mplsoudp-http.pcap"));
    const parts = [img];
    for (let k = 0; k < 800; k++) parts.push(img.subarray(24));
    const big = Buffer.concat(parts);
    const t = await readCapture(big);
    expect(t.length).toBe(106 * 801);
    expect(t.row(106 * 800 + 13)).toEqual({ ...t.row(13), no: 106 * 800 + 14 });
  });

  it("a reserved block of any row count (rows of a byte count that is no multiple of 4)", async () => {
    const frames = scenario();
    for (const rows of [65537, 70001, 99999]) {
      const b = new FrameTableBuilder();
      b.reserve(rows);
      const ctx = createDecodeContext();
      frames.forEach((f, k) => b.appendFrame(ctx, f.data, 0, f.data.length, f.linkType, k + 1, 1, 0, f.data.length));
      const t = b.finish();
      expect(t.length).toBe(frames.length);
      expect(t.row(frames.length - 1).no).toBe(frames.length);
    }
  });
});
