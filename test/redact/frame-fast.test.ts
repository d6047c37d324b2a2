/**
 * The frame redactor's two ways of finding a frame's layers give the same result: the capture's fused
 * fast decoder (`decodeFast`, taken for clean Ethernet/VLAN/IPv4/GRE/MPLS/UDP/VXLAN/TCP/HTTP frames)
 * and the layer decoders one at a time (`createFrameRedactor(opts, true)`). Same bytes, same new end,
 * same problem, same `changed`, frame for frame: on the sample captures, scenario traffic of every
 * tunnel kind (with text bodies), every cut of a few frames, seeded bit flips, and the options that
 * change the rewrite (text payloads off, `truncatePayload`, decode ports). The fast way must really be
 * taken on clean traffic, or the comparison would prove nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { buildFrame, eth, gre, ipv4, mpls, payload, tcp, udp, vxlan } from "../../lib/capture/build";
import { createDecodeContext, type DecodeOptions } from "../../lib/capture/decode";
import { decodeFast, FastFrame } from "../../lib/capture/decode-fast";
import { LINKTYPE_ETHERNET } from "../../lib/capture/link-types";
import { httpExchange, scenarioFrames } from "../../lib/capture/scenario";
import { createAddressMapper } from "../../lib/redact/address";
import { createFrameRedactor, type FrameRedactorOptions } from "../../lib/redact/frame";
import { prng } from "../helpers/prng";
import { records } from "./capture-helpers";

interface Frame { data: Uint8Array; linkType: number }

const FIXTURES = path.resolve(__dirname, "../capture/fixtures");
const SAMPLES = ["contrail-mplsogre-mplsoudp-http.pcap", "contrail-mplsogre-mplsoudp-http.pcapng", "contrail-any-sll.pcap",
  "contrail-any-sll2.pcap", "contrail-edge-cases.pcap"];
const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 31 + 5) & 255);
/** Changes what the tests' traffic carries: addresses in text, the host name, a header value. */
const text = (s: string): string => s.replace(/\b\d{1,3}(\.\d{1,3}){3}\b/g, "192.0.2.1").replace(/juniper/g, "example").replace(/packetwalk/g, "pw");

function samples(): Frame[] {
  const out: Frame[] = [];
  for (const name of SAMPLES) for (const r of records(fs.readFileSync(path.join(FIXTURES, name)))) out.push({ data: r.data, linkType: r.linkType });
  return out;
}

/** HTTP exchanges over every tunnel kind (all fast-path frames). */
function exchanges(): Frame[] {
  const frames: Frame[] = [];
  const list = [
    httpExchange({ tunnel: "mplsogre", vlan: 100, client: "15.15.15.2", server: "101.101.101.1", clientPort: 30003, labels: { forward: [20], reverse: [299808] }, responseBytes: 2600 }),
    httpExchange({ tunnel: "mplsogre", client: "15.15.15.2", server: "101.101.101.1", clientPort: 30004, method: "POST", requestBody: '{"probe":1,"from":"10.1.2.3"}', labels: { forward: [16, 20], reverse: [16, 299808] } }),
    httpExchange({ tunnel: "mplsoudp", client: "10.47.255.238", server: "10.99.225.17", clientPort: 30005, mplsUdpPort: 51234, status: 404, path: "/api/v1/item/10.1.2.3" }),
    httpExchange({ tunnel: "vxlan", client: "10.47.255.240", server: "10.47.255.250", clientPort: 30006, vni: 5001, responseBytes: 2650 }),
  ];
  for (const ex of list) for (const f of ex) frames.push({ data: f.data, linkType: LINKTYPE_ETHERNET });
  return frames;
}

function traffic(): Frame[] {
  const frames: Frame[] = scenarioFrames({ rounds: 2, responseBytes: 900 }).map((f) => ({ data: f.data, linkType: LINKTYPE_ETHERNET }));
  frames.push(...exchanges());
  const inner = [ipv4("15.15.15.2", "101.101.101.1"), tcp(40000, 80, { flags: "PSH,ACK" }), payload("GET / HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n")];
  const outer = ipv4("192.168.0.204", "10.169.25.20");
  for (const data of [
    buildFrame([eth(), outer, gre({ key: 0xdeadbeef }), mpls(20), ...inner]),
    buildFrame([eth(), outer, udp(61234, 6635), mpls(38), ...inner]),
    buildFrame([eth(), outer, udp(50000, 4789), vxlan(5001), eth(), ...inner]),
    buildFrame([eth(), outer, udp(60001, 6635), mpls(38), ipv4("10.1.1.1", "10.1.1.2"), udp(60002, 4789), vxlan(7), eth(), ...inner]),
    buildFrame([eth(), ipv4("10.1.1.1", "10.1.1.2"), udp(5000, 5001), payload("plain text 10.9.8.7 over udp")]),
    buildFrame([eth(), ipv4("10.1.1.1", "10.1.1.2"), udp(5000, 5001, { checksum: false }), payload("no checksum 10.9.8.7")]),
  ]) frames.push({ data, linkType: LINKTYPE_ETHERNET });
  // GRE with its checksum word (C bit) set by hand, the checksum over GRE header and payload correct
  const g = buildFrame([eth(), outer, gre({ key: 0x01020304 }), mpls(20), ...inner]);
  const c = new Uint8Array(g.length + 4);
  c.set(g.subarray(0, 34), 0);
  c.set([0xa0, 0x00, 0x88, 0x47, 0, 0, 0, 0, 1, 2, 3, 4], 34);
  c.set(g.subarray(42), 46);
  c[16] = (c.length - 14) >> 8; c[17] = (c.length - 14) & 255;
  const fold = (a: number, b: number, at: number) => {
    c[at] = 0; c[at + 1] = 0;
    let sum = 0;
    for (let k = a; k < b; k += 2) sum += (c[k]! << 8) | (k + 1 < b ? c[k + 1]! : 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    c[at] = (~sum >> 8) & 255; c[at + 1] = ~sum & 255;
  };
  fold(14, 34, 24);
  fold(34, c.length, 38);
  frames.push({ data: c, linkType: LINKTYPE_ETHERNET });
  return frames;
}

/** Frames whose two redactions differ (at most 5 described). */
function differences(frames: Frame[], opts: Omit<FrameRedactorOptions, "addresses" | "text"> = {}): string[] {
  const fast = createFrameRedactor({ addresses: createAddressMapper(KEY), text, ...opts });
  const general = createFrameRedactor({ addresses: createAddressMapper(KEY), text, ...opts }, true);
  const bad: string[] = [];
  frames.forEach((f, i) => {
    // each in a buffer of its own at an odd offset (checksum spans at both parities)
    const a = new Uint8Array(f.data.length + 3), b = new Uint8Array(f.data.length + 3);
    a.set(f.data, 3); b.set(f.data, 3);
    const ea = fast.redact(a, 3, 3 + f.data.length, f.linkType);
    const eb = general.redact(b, 3, 3 + f.data.length, f.linkType);
    const same = ea === eb && Buffer.compare(a.subarray(0, ea), b.subarray(0, eb)) === 0 && fast.problem === general.problem && fast.changed === general.changed;
    if (!same && bad.length < 5) bad.push(`frame ${i}: end ${ea - 3} vs ${eb - 3}, problem ${JSON.stringify(fast.problem)} vs ${JSON.stringify(general.problem)}`);
  });
  return bad;
}

function fastShare(frames: Frame[], decode: DecodeOptions = {}): number {
  const ctx = createDecodeContext(decode);
  const f = new FastFrame();
  return frames.filter((x) => decodeFast(ctx, f, x.data, 0, x.data.length, x.linkType)).length / frames.length;
}

describe("frame redactor: fast layer list = layer decoders", () => {
  it("takes the fast way for clean tunnel traffic", () => {
    expect(fastShare(exchanges())).toBe(1);
    expect(fastShare(traffic())).toBeGreaterThan(0.9);
  });

  it("same bytes, ends and problems on the samples and scenario traffic, with every option", () => {
    const all = [...samples(), ...traffic()];
    // and each frame with a trailer after its IP packet (Ethernet padding, an FCS): layer ends matter
    for (const f of traffic()) {
      const d = new Uint8Array(f.data.length + 6).fill(0x5a);
      d.set(f.data);
      all.push({ data: d, linkType: f.linkType });
    }
    expect(differences(all)).toEqual([]);
    expect(differences(all, { textPayloads: false })).toEqual([]);
    expect(differences(all, { truncatePayload: 0 })).toEqual([]);
    expect(differences(all, { truncatePayload: 64, textPayloads: false })).toEqual([]);
    expect(differences(all, { decode: { mplsUdpPorts: [6635, 51234] } })).toEqual([]);
    expect(differences(all, { decode: { mplsPayload: () => "ipv4" } })).toEqual([]);
  });

  it("same on every cut of tunnel frames", () => {
    const cuts: Frame[] = [];
    for (const f of traffic().filter((_, i) => i % 7 === 0)) {
      for (let n = 0; n <= f.data.length && n <= 200; n++) cuts.push({ data: f.data.slice(0, n), linkType: f.linkType });
    }
    expect(differences(cuts)).toEqual([]);
    expect(differences(cuts, { truncatePayload: 8 })).toEqual([]);
  });

  it("same on seeded bit flips in the headers", () => {
    const rand = prng(1616);
    const base = [...traffic(), ...samples()];
    const out: Frame[] = [];
    for (let r = 0; r < 3000; r++) {
      const f = base[Math.floor(rand() * base.length)]!;
      const d = Uint8Array.from(f.data);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) {
        const at = Math.floor(rand() * Math.min(d.length, 120));
        d[at]! ^= 1 << Math.floor(rand() * 8);
      }
      out.push({ data: d, linkType: f.linkType });
    }
    expect(differences(out)).toEqual([]);
  });
});

describe("frame redactor: which payloads are text", () => {
  it("a TCP or UDP payload goes through `text` exactly when every byte is tab, CR, LF or printable ASCII, wherever the odd byte is", () => {
    const mark = (s: string): string => s.replace(/a/g, "b");
    const r = createFrameRedactor({ addresses: createAddressMapper(KEY), text: mark });
    const bad: string[] = [];
    for (const len of [5, 31, 32, 33, 47, 64, 65, 100]) {
      for (const x of [0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x41, 0x7e, 0x7f, 0x80, 0x9f, 0xff]) {
        for (let at = 0; at < len; at += at < 12 ? 1 : 7) {
          for (const transport of [tcp(40000, 8080, { flags: "PSH,ACK" }), udp(5000, 5001)]) {
            const body = new Uint8Array(len).fill(0x61);
            body[at] = x;
            const frame = buildFrame([eth(), ipv4("10.1.1.1", "10.1.1.2"), transport, payload(body)]);
            for (const shift of [0, 1, 2, 3]) {
              const buf = new Uint8Array(frame.length + shift);
              buf.set(frame, shift);
              r.redact(buf, shift, buf.length, LINKTYPE_ETHERNET);
              const out = buf.subarray(buf.length - len);
              const passed = out[at === 0 ? len - 1 : 0] === 0x62;
              const isText = x === 0x09 || x === 0x0a || x === 0x0d || (x >= 0x20 && x <= 0x7e);
              if (passed !== isText) bad.push(`len ${len}, byte 0x${x.toString(16)} at ${at}, shift ${shift}: ${passed ? "passed" : "not passed"}`);
            }
          }
        }
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
