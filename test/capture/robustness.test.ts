/**
 * Truncated and corrupted inputs: every header cut at every length, crafted short layers
 * (gopacket's decode_oob_test idea) and seeded random bit flips. Each must give an error or a
 * partial frame, never an exception, and never read out of bounds.
 */
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import {
  LAYER_ETHERNET, LAYER_GRE, LAYER_HTTP, LAYER_ICMP, LAYER_IPV4, LAYER_IPV6, LAYER_MPLS, LAYER_SLL, LAYER_SLL2,
  LAYER_TCP, LAYER_UDP, LAYER_VLAN, LAYER_VXLAN,
} from "../../lib/capture/layer-ids";
import { createDecodeContext, decodeFrame, decodeInto, LAYER_DECODERS } from "../../lib/capture/decode";
import { CaptureFormatError } from "../../lib/capture/errors";
import { readCapture, readRecords } from "../../lib/capture/read";
import { fixture, prng } from "./helpers";

const SAMPLES = [
  "contrail-mplsogre-mplsoudp-http.pcap", "contrail-any-sll.pcap", "contrail-any-sll2.pcap", "contrail-edge-cases.pcap",
];

async function sampleFrames() {
  const out: { name: string; no: number; data: Uint8Array; linkType: number }[] = [];
  for (const name of SAMPLES) {
    for await (const r of readRecords(fixture(name))) out.push({ name, no: r.no, data: Uint8Array.from(r.data), linkType: r.linkType });
  }
  return out;
}

/**
 * A view that throws on any index outside [0, length): proves the decoders check lengths before
 * reading (a plain Uint8Array would silently return undefined).
 */
function strict(b: Uint8Array): Uint8Array {
  return new Proxy(b, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^-?\d+$/.test(key)) {
        const i = Number(key);
        if (i < 0 || i >= target.length) throw new RangeError(`read out of bounds: ${i} of ${target.length}`);
        return target[i];
      }
      const v = Reflect.get(target, key, receiver === undefined ? target : target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** A copy in an exactly-sized buffer, so any read past the end shows as undefined → NaN garbage or a throw. */
function exact(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

describe("truncated frames", () => {
  it("decodeFrame(every sample frame cut at every length) never throws and flags truncation", async () => {
    const frames = await sampleFrames();
    const strictCtx = createDecodeContext();
    // the bounds-checking proxy is slow: use it on one frame per distinct layer stack
    const stacks = new Set<string>();
    const proxied = new Set(frames.filter((f) => {
      const p = decodeFrame(f.data, f.linkType).protocols;
      return stacks.has(p) ? false : (stacks.add(p), true);
    }));
    let cuts = 0;
    for (const f of frames) {
      const full = decodeFrame(f.data, f.linkType);
      for (let n = 0; n < f.data.length; n++) {
        const cut = exact(f.data.subarray(0, n));
        if (proxied.has(f)) decodeInto(strictCtx, strict(cut), 0, n, f.linkType);
        const d = decodeFrame(cut, f.linkType);
        cuts++;
        // a cut frame has the same or fewer layers than the whole one
        expect(d.layers.length, `${f.name} #${f.no} cut at ${n}`).toBeLessThanOrEqual(full.layers.length);
        if (d.layers.length < full.layers.length - (full.layers.at(-1) === "http" ? 1 : 0)) {
          expect(d.truncated || d.malformed, `${f.name} #${f.no} cut at ${n}: ${d.protocols}`).toBe(true);
        }
        if (d.payload) expect(d.payload.length).toBeLessThanOrEqual(n);
        expect(d.ips.every((ip) => !ip.src.includes("undefined") && !ip.dst.includes("NaN"))).toBe(true);
      }
    }
    expect(cuts).toBeGreaterThan(20000);
  });

  it("a frame cut inside the inner TCP header keeps the outer layers and names the first header cut short", () => {
    const frame = fs.readFileSync(fixture("contrail-mplsogre-mplsoudp-http.pcap")).subarray(24 + 16, 24 + 16 + 90);
    const d = decodeFrame(exact(frame.subarray(0, 14 + 20 + 4 + 4 + 20 + 10)), 1);
    expect(d).toMatchObject({
      protocols: "eth:ip:gre:mpls:ip:tcp", truncated: true, tunnel: "mplsogre", labels: [20], src: "15.15.15.2",
      problem: "ip at offset 14: truncated", // the outer IPv4 total length runs past the capture
    });
    expect(d.srcPort).toBeUndefined();
  });
});

describe("crafted short layers (decode_oob style): error or partial, never a throw", () => {
  const table: [string, number, number[]][] = [
    ["ethernet/short", LAYER_ETHERNET, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
    ["vlan/short", LAYER_VLAN, [0, 100, 8]],
    ["sll/short", LAYER_SLL, [0, 0, 0, 1, 0, 6]],
    ["sll2/short", LAYER_SLL2, [8, 0, 0, 0, 0, 0, 0, 1]],
    ["ipv4/short", LAYER_IPV4, [0x45, 0, 0, 20, 0, 0]],
    ["ipv4/ihl-4", LAYER_IPV4, [0x44, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]],
    ["ipv4/ihl-15-cut", LAYER_IPV4, [0x4f, 0, 0, 60, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]],
    ["ipv4/totlen-small", LAYER_IPV4, [0x45, 0, 0, 10, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]],
    ["ipv4/version-6", LAYER_IPV4, [0x65, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]],
    ["ipv6/short", LAYER_IPV6, [0x60, 0, 0, 0, 0, 8, 6, 64]],
    ["ipv6/ext-cut", LAYER_IPV6, [0x60, 0, 0, 0, 0, 8, 0, 64, ...new Array(32).fill(1), 6, 255]],
    ["gre/short", LAYER_GRE, [0, 0, 0x88]],
    ["gre/key-cut", LAYER_GRE, [0x20, 0, 0x88, 0x47, 0, 0]],
    ["gre/version-1", LAYER_GRE, [0, 1, 0x88, 0x47]],
    ["mpls/short", LAYER_MPLS, [0, 0, 0]],
    ["mpls/no-bottom", LAYER_MPLS, new Array(40).fill(0)],
    ["mpls/bottom-then-nothing", LAYER_MPLS, [0, 1, 0x41, 64]],
    ["udp/short", LAYER_UDP, [0, 53, 0, 53, 0]],
    ["udp/len-4", LAYER_UDP, [0, 53, 0, 53, 0, 4, 0, 0]],
    ["udp/len-long", LAYER_UDP, [0x19, 0xeb, 0x19, 0xeb, 0xff, 0xff, 0, 0, 0, 0]],
    ["vxlan/short", LAYER_VXLAN, [8, 0, 0, 0, 0, 0x13]],
    ["vxlan/no-i-flag", LAYER_VXLAN, [0, 0, 0, 0, 0, 0x13, 0x89, 0]],
    ["tcp/short", LAYER_TCP, [0, 80, 0, 80, 0, 0, 0, 1]],
    ["tcp/offset-4", LAYER_TCP, [0, 80, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x40, 2, 0, 0, 0, 0, 0, 0]],
    ["tcp/offset-60-cut", LAYER_TCP, [0, 80, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0xf0, 2, 0, 0, 0, 0, 0, 0, 1, 2]],
    ["icmp/short", LAYER_ICMP, [8, 0]],
    ["http/partial-request-line", LAYER_HTTP, [...Buffer.from("GET /abc")]],
    ["http/no-version", LAYER_HTTP, [...Buffer.from("GET /x\r\nHost: a\r\n")]],
    ["http/bad-status", LAYER_HTTP, [...Buffer.from("HTTP/1.1 9x9 Oops\r\n")]],
    ["http/host-unterminated", LAYER_HTTP, [...Buffer.from("GET / HTTP/1.1\r\nHost: exa")]],
  ];
  for (const [name, layer, bytes] of table) {
    it(`${name}`, () => {
      const ctx = createDecodeContext();
      const data = strict(Uint8Array.from(bytes));
      ctx.reset(data, 0, data.length);
      ctx.layers[ctx.layerCount++] = layer;
      let next = LAYER_DECODERS[layer]!(ctx);
      // keep decoding whatever it says comes next
      while (next !== 0 && ctx.layerCount < 24) { ctx.layers[ctx.layerCount++] = next; next = LAYER_DECODERS[next]!(ctx); }
      expect(ctx.off).toBeLessThanOrEqual(data.length);
      expect(ctx.end).toBeLessThanOrEqual(data.length);
      expect(ctx.payloadLen).toBeLessThanOrEqual(data.length);
    });
  }
});

describe("random corruption (seeded)", () => {
  it("bit flips on the samples: decodeFrame never throws, never reads out of bounds", async () => {
    const frames = await sampleFrames();
    const rand = prng(20241124);
    const ctx = createDecodeContext({ mplsPayload: new Map([[40, "ethernet"]]) });
    let runs = 0;
    for (let round = 0; round < 60; round++) {
      for (const f of frames) {
        const b = exact(f.data);
        const flips = 1 + Math.floor(rand() * 8);
        for (let k = 0; k < flips; k++) {
          const bit = Math.floor(rand() * b.length * 8);
          b[bit >> 3]! ^= 1 << (bit & 7);
        }
        const cut = rand() < 0.3 ? exact(b.subarray(0, Math.floor(rand() * b.length))) : b;
        decodeInto(ctx, strict(cut), 0, cut.length, f.linkType);
        expect(ctx.off).toBeLessThanOrEqual(cut.length);
        expect(ctx.end).toBeLessThanOrEqual(cut.length);
        if (ctx.payloadLen >= 0) expect(ctx.payloadOff + ctx.payloadLen).toBeLessThanOrEqual(cut.length);
        const d = decodeFrame(cut, f.linkType);
        expect(typeof d.protocols).toBe("string");
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(5000);
  });

  it("bit flips on whole files: readCapture returns frames up to the damage or a CaptureFormatError", async () => {
    const rand = prng(7);
    for (const name of [...SAMPLES, "contrail-mplsogre-mplsoudp-http.pcapng"]) {
      const img = fs.readFileSync(fixture(name));
      for (let round = 0; round < 40; round++) {
        const b = Buffer.from(img);
        for (let k = 0; k < 4; k++) {
          const bit = Math.floor(rand() * b.length * 8);
          b[bit >> 3]! ^= 1 << (bit & 7);
        }
        try {
          const t = await readCapture(b, { name });
          expect(t.length).toBeGreaterThanOrEqual(0);
          if (t.error) expect(t.error).toBeInstanceOf(CaptureFormatError);
          for (let i = 0; i < t.length; i++) t.row(i);
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureFormatError);
        }
      }
    }
  });
});
