/**
 * The frame table's fused fast path (`FrameTableBuilder.appendFrame`, what readCapture uses) against
 * the ordinary way (`decodeInto` then `append`): the same columns, dictionaries and problem texts, row
 * for row, on every sample frame, every frame cut at every length, seeded bit flips, scenario traffic
 * of every tunnel type and the options that change decoding. The fast path must also really take the
 * clean frames, or this comparison would prove nothing.
 */
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import type { DecodeContext } from "../../lib/capture/context";
import { createDecodeContext, decodeFrame, type DecodeOptions, decodeInto } from "../../lib/capture/decode";
import { FRAME_COLUMNS, type FrameColumnName, type FrameTable, FrameTableBuilder } from "../../lib/capture/frame-table";
import { LINKTYPE_ETHERNET } from "../../lib/capture/link-types";
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
  const b = new FrameTableBuilder();
  const ctx = createDecodeContext(options);
  const clean = (b as unknown as { appendClean(ctx: DecodeContext, d: Uint8Array, off: number, end: number, lt: number, no: number, sec: number, nsec: number, len: number): boolean }).appendClean.bind(b);
  let n = 0;
  for (const f of frames) if (clean(ctx, f.data, 0, f.data.length, f.linkType, 1, 0, 0, f.data.length)) n++;
  return n;
}

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
});
